// After a non-CPU group: one short profiled session on the same provider tells which nodes ran where, because a
// "GPU" configuration that does part of its work on the CPU is measured wrong unless CPU power is counted too.
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ortLogSeverity } from '../onnx/ort-logging.js';
import { describeError } from '../errors.js';
import type { BatchLayout } from '../onnx/batch-axis.js';
import { synthesiseFeeds } from '../onnx/feeds.js';
import { auditProfileFile, type PlacementAudit } from '../runtime/placement.js';
import { providerSettings } from '../runtime/providers/registry.js';
import type { ExecutionProvider } from '../runtime/providers/types.js';

/** A placement audit, or why it could not be made. */
export type PlacementResult = ({ ok: true } & PlacementAudit) | { ok: false; reason: string };

/** Run a few batches with onnxruntime's profiler on and read which provider ran each node. */
export async function auditPlacementOf(options: {
  modelPath: string;
  provider: ExecutionProvider;
  providerOptions: Record<string, string | number | boolean>;
  layout: BatchLayout;
  batchSize: number;
  folder: string;
  runs?: number;
}): Promise<PlacementResult> {
  const { provider, folder } = options;
  await mkdir(folder, { recursive: true });
  let session: ort.InferenceSession | null = null;
  try {
    const settings = providerSettings(provider, options.providerOptions, 'executionProviders');
    session = await ort.InferenceSession.create(options.modelPath, {
      graphOptimizationLevel: 'all', ...settings.session, executionProviders: [settings.provider], logSeverityLevel: ortLogSeverity(),
      enableProfiling: true, profileFilePrefix: path.join(folder, 'profile'),
    });
    const feeds = synthesiseFeeds(options.layout.inputs, options.layout.fixedBatch ?? options.batchSize);
    for (let i = 0; i < (options.runs ?? 3); i++) await session.run(feeds);
    session.endProfiling();
    const file = (await readdir(folder)).find((name) => name.startsWith('profile') && name.endsWith('.json'));
    if (!file) return { ok: false, reason: 'onnxruntime wrote no profile file' };
    return { ok: true, ...(await auditProfileFile(path.join(folder, file), provider.name)) };
  } catch (error) {
    return { ok: false, reason: describeError(error).message };
  } finally {
    await session?.release().catch(() => {});
    await rm(folder, { recursive: true, force: true }).catch(() => {});
  }
}
