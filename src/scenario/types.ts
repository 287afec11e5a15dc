// The resolved scenario and the expanded plan: what scenario/ hands to measure/.
import type { CarbonSpec as CarbonSpecOfCarbon } from '../carbon/types.js';
import type { InputSpec } from '../onnx/shapes.js';
import type { LoadSpec } from './load-section.js';
import type { PrecisionVia } from '../runtime/providers/types.js';

/** Numeric precisions joulebench compares. */
export const precisions = ['fp32', 'fp16', 'int8'] as const;
export type Precision = (typeof precisions)[number];

/** One model of the scenario. */
export interface ModelSpec {
  /** Label used in keys and reports (default: the built-in name or file stem). */
  name: string;
  /** A built-in model name (`mlp`, `cnn`, `transformer`) or a path (absolute, or resolved against the scenario's folder). */
  source: string;
  inputs: Record<string, InputSpec>;
  /** User-supplied precision variants: absolute paths. fp32 is `source` itself. */
  variants: Partial<Record<Exclude<Precision, 'fp32'>, string>>;
  /** Calibration / evaluation inputs (a folder of .npy files or a .json list), absolute; absent = synthetic. */
  calibration?: string;
  /** Expected class per calibration input (JSON list or one per line), absolute. */
  labels?: string;
}

/** How joulebench makes FP16 and INT8 variants of an FP32 model it is given. */
export interface ConversionSpec {
  /** Op types kept in FP32 in both conversions (on top of the FP16 block list). */
  keepFp32: string[];
  /** FP16 variants take and return float16 (no Casts at the graph edges). */
  fp16Io: boolean;
  /** `auto`: static QDQ for graphs with Conv, dynamic otherwise. */
  int8Mode: 'auto' | 'dynamic' | 'static';
  calibrationMethod: 'minmax' | 'percentile';
  /** For percentile calibration: the share of values inside the range, in percent. */
  percentile: number;
  /** Per-channel weight scales in static INT8 (opset ≥ 13). */
  perChannel: boolean;
}

/** Fidelity a variant must keep to be recommended; null fields are not checked. */
export interface FidelityBounds {
  minCosine: number | null;
  maxAbsError: number | null;
  minTop1Agreement: number | null;
  /** Accuracy (with labels) or else top-1 agreement, as a fraction of FP32's: 0.99 = MLPerf's "99%" target. */
  accuracyTarget: number | null;
}

/** An execution provider as the scenario asks for it. */
export interface ExecutionProviderSpec {
  name: string;
  /** Provider options passed through to onnxruntime (e.g. `device_id`). */
  options: Record<string, string | number | boolean>;
}

/** Carbon accounting inputs with provenance (defined in src/carbon/). */
export type CarbonSpec = CarbonSpecOfCarbon;

/** A validated scenario with every default filled in. */
export interface Scenario {
  name: string;
  /** Absolute path of the scenario file, or null when built from `bench` flags. */
  file: string | null;
  models: ModelSpec[];
  precisions: Precision[];
  executionProviders: ExecutionProviderSpec[];
  batchSizes: number[];
  /** intra-op thread counts to sweep; `null` means onnxruntime's default. */
  threads: Array<number | null>;
  warmup: { runs: number; seconds: number };
  window: { minSeconds: number; minRuns: number };
  repetitions: number;
  idleSeconds: number;
  /** Meter ids (`auto`, `estimate`, `replay:FILE`, …). */
  meters: string[];
  /** CPU TDP for the estimate meter, when the user knows it. */
  cpuTdpWatts: number | null;
  /**
   * GPU indices to use (`devices:` / `--gpus`): providers that take `device_id` run on each in turn, only these GPUs
   * are metered, and a configuration counts its own GPU's power (a CPU one, or webgpu, every listed GPU's).
   * null = providers as written, every GPU metered, each configuration counting the GPU it runs on.
   */
  devices: number[] | null;
  carbon: CarbonSpec;
  slo: { p99Ms: number | null };
  /**
   * How the repetitions of configurations sharing a session (same model variant, provider, threads) are ordered:
   * `sequential` (all of one batch size, then the next), `interleaved` (rep 1 of each, rep 2 of each, …) or
   * `random` (a seeded shuffle), so that heating or drift is spread across configurations instead of biasing one.
   */
  order: 'sequential' | 'interleaved' | 'random';
  /**
   * When to stop measuring (docs/statistics.md). `race` (default): rounds of one window per configuration of a model,
   * dropping those whose samples/J is below the leader's with 95% confidence, until one remains, the survivors are
   * within ±equivalencePercent of each other, or a configuration was measured maxSeconds. `target-ci`: every
   * configuration until its own 95% CI is within ±targetCiPercent, or maxSeconds. null (`stopping: false`,
   * `--target-ci off`) = exactly `repetitions` windows.
   */
  stopping: StoppingSpec | null;
  /** Between configurations, wait (at most maxSeconds) until the counted meters are back within marginPercent of idle. */
  cooldown: { maxSeconds: number; marginPercent: number } | null;
  /** Output folder (absolute). */
  outDir: string;
  /** How FP16/INT8 variants are made when the scenario does not give them as files. */
  conversion: ConversionSpec;
  /** Bounds that keep low-fidelity variants out of recommendations; null = none. */
  fidelity: FidelityBounds | null;
  /** Energy and latency budgets checked after the run (`budgets:`); a broken one exits 1. */
  budgets?: BudgetSpec[];
  /** History store folder (`history:` / `--history DIR`): every run is appended to it. Absolute. */
  historyDir?: string | null;
  /** `load:` — what `joulebench load` serves: rates, batching policies, sessions, arrivals (docs/load.md). */
  load?: LoadSpec;
}

/** A budget limit: an absolute value, or relative to the baseline's value of the same metric and key. */
export type BudgetLimit = { value: number } | { baselineRelative: number };

/** One `budgets:` entry: which configurations (`match`), which limits, against which baseline. */
export interface BudgetSpec {
  /** A model name or a key pattern (`mlp`, `mlp/int8`, `cnn/fp32/cpu/b*`): matches whole segments from the start; `*` alone = every key. */
  match: string;
  maxJoulesPerSample?: BudgetLimit;
  maxWhPer1kSamples?: BudgetLimit;
  minSamplesPerJoule?: BudgetLimit;
  maxP99Ms?: BudgetLimit;
  /** Load runs: the most energy per request (idle between batches included), J. */
  maxJoulesPerRequest?: BudgetLimit;
  /** Load runs: only the records at this target rate (requests per second). */
  rate?: number;
  /** Largest regression against the baseline, as a fraction (0.05 = 5%), judged as `joulebench compare` does. */
  maxRegression?: number;
  /** Absolute path of the baseline result.json (else `--baseline FILE`). */
  baseline?: string | null;
}

/** One configuration to measure: one model variant on one EP at one batch size and thread count. */
export interface PlannedConfig {
  /**
   * `<model>/<precision>/<ep>/b<batch>` plus `/t<threads>` when threads are set; the precision reads
   * `<precision>@builder` when the provider's builder flag makes it from the FP32 model (`mlp/fp16@builder/tensorrt/b8`).
   */
  key: string;
  model: ModelSpec;
  precision: Precision;
  /**
   * Where the precision comes from: `model` (the variant file, or the FP32 model itself) or the provider's builder
   * (`tensorrt-builder`: the FP32 model, built by TensorRT with the flags of its `builderPrecisions`, set in executionProvider.options).
   */
  via: PrecisionVia;
  /** The file measured for this precision (the FP32 model for a builder flag), or null when no variant exists (the config is then skipped). */
  modelPath: string | null;
  executionProvider: ExecutionProviderSpec;
  batchSize: number;
  threads: number | null;
  /** Configurations sharing a group reuse one onnxruntime session. */
  groupKey: string;
}

/** The adaptive stopping rule of a scenario (`stopping:`). */
export type StoppingSpec =
  | { rule: 'race'; equivalencePercent: number; maxSeconds: number }
  | { rule: 'target-ci'; targetCiPercent: number; maxSeconds: number };
