// onnxruntime sessions and the timed loop: the only code that runs inside a measurement window.
import * as ort from 'onnxruntime-node';
import { ortLogSeverity } from '../onnx/ort-logging.js';
import { defaultProviderContext, providerSettings } from './providers/registry.js';
import type { ExecutionProvider, ProviderContext } from './providers/types.js';

/** A session with the provider and device it runs on. */
export interface OpenSession {
  session: ort.InferenceSession;
  provider: ExecutionProvider;
  device: string;
  sessionCreateMs: number;
}

/** Create one session per (model variant, provider, threads); it is reused across batch sizes. */
export async function openSession(
  modelPath: string,
  provider: ExecutionProvider,
  providerOptions: Record<string, string | number | boolean>,
  threads: number | null,
  context: ProviderContext = defaultProviderContext(),
): Promise<OpenSession> {
  // Provider options may set session options (threads, arena, optimisation level); a `threads:` sweep wins.
  const settings = providerSettings(provider, providerOptions, 'executionProviders', context);
  const options: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...settings.session,
    executionProviders: [settings.provider],
    logSeverityLevel: ortLogSeverity(),
  };
  if (threads !== null) {
    options.intraOpNumThreads = threads;
    options.interOpNumThreads = 1;
  }
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(modelPath, options);
  return { session, provider, device: provider.device(providerOptions), sessionCreateMs: performance.now() - t0 };
}

/**
 * Pre-allocated output tensors for `session.run(feeds, fetches)`, shaped after a first run's outputs, so the timed
 * loop allocates nothing. Returns undefined when the outputs cannot be pre-allocated (non-numeric types).
 */
export function preallocateOutputs(outputs: ort.InferenceSession.OnnxValueMapType): Record<string, ort.Tensor> | undefined {
  const fetches: Record<string, ort.Tensor> = {};
  for (const [name, value] of Object.entries(outputs)) {
    if (!(value instanceof ort.Tensor) || value.type === 'string') return undefined;
    const Data = (value.data as ArrayBufferView).constructor as new (length: number) => ort.Tensor['data'];
    fetches[name] = new ort.Tensor(value.type, new Data(value.size) as never, value.dims);
  }
  return fetches;
}

/** A growable record of per-run latencies. */
export class LatencyRecorder {
  private values = new Float64Array(1024);
  length = 0;

  /** Append one latency in ms. */
  push(latencyMs: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = latencyMs;
  }

  /** The recorded values (a view, valid until the next push). */
  view(): Float64Array {
    return this.values.subarray(0, this.length);
  }
}

/** What one timed window did. */
export interface WindowTiming {
  t0Ms: number;
  t1Ms: number;
  runs: number;
}

/**
 * The timed loop: `await session.run` until at least `minRuns` runs and `minSeconds` have passed (or `stop()` says so).
 * Per run it costs one performance.now() and one typed-array store over a bare loop.
 */
export async function timedWindow(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  fetches: Record<string, ort.Tensor> | undefined,
  minRuns: number,
  minSeconds: number,
  latencies: LatencyRecorder,
  stop: () => boolean,
): Promise<WindowTiming> {
  const t0Ms = performance.now();
  const deadlineMs = t0Ms + minSeconds * 1000;
  let runs = 0;
  let now = t0Ms;
  while ((runs < minRuns || now < deadlineMs) && !stop()) {
    const start = now;
    if (fetches) await session.run(feeds, fetches);
    else await session.run(feeds);
    now = performance.now();
    latencies.push(now - start);
    runs++;
  }
  return { t0Ms, t1Ms: now, runs };
}
