// The execution-provider seam: one file per provider, one registry line each.
import type * as ort from 'onnxruntime-node';

/** Provider options as a scenario writes them (`{device_id: 0, trt_fp16_enable: true}`). */
export type ProviderOptions = Record<string, string | number | boolean>;

/** Whether a provider can be used here, and if not why. */
export type Availability = { ok: true } | { ok: false; reason: string };

/**
 * One option a provider accepts. `target` says where it goes: onnxruntime session options, the provider entry of
 * `executionProviders`, or joulebench itself (e.g. `precision_via`). `forwarded: false` marks provider options that
 * onnxruntime-node's binding (1.30) does not pass on to onnxruntime: they are recorded in result.json but have no
 * effect (its js/node/src/session_options_helper.cc reads only `deviceId` for cuda and tensorrt).
 */
export interface OptionSpec {
  type: 'boolean' | 'integer' | 'string' | 'enum';
  /** Allowed values of an enum option. */
  values?: readonly string[];
  target: 'session' | 'provider' | 'joulebench';
  forwarded: boolean;
  description: string;
}

/** Where a provider keeps what it builds once per model (TensorRT engines). */
export interface ProviderContext {
  /** A folder for engine caches; its build time then falls in cold start, not in measurement windows. */
  cacheDir: string;
}

/** What a provider's options become for onnxruntime. */
export interface ProviderSettings {
  /** The entry for SessionOptions.executionProviders. */
  provider: ort.InferenceSession.ExecutionProviderConfig;
  /** Session options set by provider options (threads, arena, optimisation level). */
  session: Partial<ort.InferenceSession.SessionOptions>;
  /** Option names onnxruntime-node does not pass on (recorded, without effect). */
  notForwarded: string[];
}

/** One onnxruntime execution provider as joulebench drives it. */
export interface ExecutionProvider {
  /** The name users write (`cpu`, `cuda`, …). */
  name: string;
  description: string;
  /** The options a scenario may set, by their snake_case name. */
  options: Readonly<Record<string, OptionSpec>>;
  /** Is it in this onnxruntime-node build, on this OS? */
  availability(backends: ReadonlyArray<{ name: string; bundled: boolean }>): Availability;
  /** Session and provider settings from (already checked, snake_case) options. */
  settings(options: ProviderOptions, context?: ProviderContext): ProviderSettings;
  /** Where it runs, for result.json (`cpu`, `cuda:0`). */
  device(options: ProviderOptions): string;
  /** Precisions it builds itself from the FP32 model (TensorRT's builder flags), chosen by `precision_via`. */
  builderPrecisions?: BuilderPrecisions;
}

/** How a configuration got its precision: a model variant file, or a provider's builder flag on the FP32 model. */
export type PrecisionVia = 'model' | `${string}-builder`;

/** The provider options that make a provider build FP16 or INT8 itself, and the `via` result.json records for them. */
export interface BuilderPrecisions {
  via: `${string}-builder`;
  flags: Readonly<Partial<Record<'fp16' | 'int8', ProviderOptions>>>;
}
