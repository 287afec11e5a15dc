// Placement audit: which nodes ran on which execution provider, from onnxruntime's profiling output
// (SessionOptions.enableProfiling writes a Chrome-trace JSON: one `cat: "Node"` event per node run with args.provider).
// A "GPU" configuration that runs nodes on CPUExecutionProvider draws CPU power too: the report must say so.
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';

/** Node counts and time per provider for one session. */
export interface PlacementAudit {
  /** Per provider (onnxruntime's names: `CUDAExecutionProvider`, `CPUExecutionProvider`, …). */
  providers: Record<string, { nodes: number; kernelTimeUs: number }>;
  /** Distinct nodes that ran on the CPU provider while another provider was asked for (empty when none or CPU-only). */
  cpuFallbackNodes: Array<{ name: string; opType: string; kernelTimeUs: number }>;
  /** Share of kernel time spent on the CPU provider, 0..1 (0 when nothing was timed). */
  cpuTimeShare: number;
  /** True when a non-CPU provider was asked for and some nodes still ran on the CPU. */
  cpuFallback: boolean;
}

interface ProfileEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string; provider?: string };
}

const cpuProvider = 'CPUExecutionProvider';

/**
 * Audit parsed profiling events. `requested` is the provider asked for (joulebench name like `cuda`, or onnxruntime's);
 * for `cpu` no fallback is possible. Kernel events are `<node>_kernel_time`; each run of a node adds to its time.
 */
export function auditPlacement(events: readonly unknown[], requested: string): PlacementAudit {
  const providers: PlacementAudit['providers'] = {};
  const cpuNodes = new Map<string, { name: string; opType: string; kernelTimeUs: number }>();
  const seen = new Map<string, Set<string>>();
  let totalUs = 0;
  for (const raw of events) {
    const event = raw as ProfileEvent;
    if (event?.cat !== 'Node' || typeof event.args?.provider !== 'string' || typeof event.name !== 'string') continue;
    if (!event.name.endsWith('_kernel_time')) continue;
    const provider = event.args.provider;
    const node = event.name.slice(0, -'_kernel_time'.length);
    const durUs = typeof event.dur === 'number' && Number.isFinite(event.dur) ? event.dur : 0;
    const entry = (providers[provider] ??= { nodes: 0, kernelTimeUs: 0 });
    const nodes = seen.get(provider) ?? new Set<string>();
    seen.set(provider, nodes);
    if (!nodes.has(node)) {
      nodes.add(node);
      entry.nodes++;
    }
    entry.kernelTimeUs += durUs;
    totalUs += durUs;
    if (provider === cpuProvider) {
      const cpuNode = cpuNodes.get(node) ?? { name: node, opType: event.args.op_name ?? 'unknown', kernelTimeUs: 0 };
      cpuNode.kernelTimeUs += durUs;
      cpuNodes.set(node, cpuNode);
    }
  }
  const wantsCpu = requested === 'cpu' || requested === cpuProvider;
  const cpuFallbackNodes = wantsCpu ? [] : [...cpuNodes.values()];
  const cpuUs = providers[cpuProvider]?.kernelTimeUs ?? 0;
  return { providers, cpuFallbackNodes, cpuTimeShare: totalUs > 0 ? cpuUs / totalUs : 0, cpuFallback: cpuFallbackNodes.length > 0 };
}

/** Read and audit an onnxruntime profiling file (a JSON array of events, or `{traceEvents: […]}`). */
export async function auditProfileFile(file: string, requested: string): Promise<PlacementAudit> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InputError('PROFILE_UNREADABLE', `${file}: not an onnxruntime profiling JSON file`, { cause: error });
  }
  const events = Array.isArray(parsed) ? parsed : (parsed as { traceEvents?: unknown })?.traceEvents;
  if (!Array.isArray(events)) throw new InputError('PROFILE_UNREADABLE', `${file}: expected a JSON array of profiling events`);
  return auditPlacement(events, requested);
}
