// The execution-provider seam: one file per provider, one registry line each.
import type * as ort from 'onnxruntime-node';

/** Whether a provider can be used here, and if not why. */
export type Availability = { ok: true } | { ok: false; reason: string };

/** One onnxruntime execution provider as joulebench drives it. */
export interface ExecutionProvider {
  /** The name users write (`cpu`, `cuda`, …). */
  name: string;
  description: string;
  /** Is it in this onnxruntime-node build, on this OS? */
  availability(backends: ReadonlyArray<{ name: string; bundled: boolean }>): Availability;
  /** The entry for SessionOptions.executionProviders. */
  sessionProvider(options: Record<string, string | number | boolean>): ort.InferenceSession.ExecutionProviderConfig;
  /** Where it runs, for result.json (`cpu`, `cuda:0`). */
  device(options: Record<string, string | number | boolean>): string;
}
