// The result.json contract (schema `joulebench/result@1`, published as schema/result.schema.json).
import type { CarbonSpec, HourlyCarbon } from '../carbon/types.js';
import type { LoadRecommendation, LoadRecord } from './load-types.js';
import type { MeterInfo } from '../power/types.js';
import type { PrecisionVia } from '../runtime/providers/types.js';
import type { Precision } from '../scenario/types.js';

/** Schema identifier written into every result. */
export const resultSchemaId = 'joulebench/result@1';

/** How a race left a configuration. */
export interface RaceVerdict {
  /**
   * best: the one left, or the leader when no survivor can be more than the margin above it (95%); tied: within the
   * equivalence margin of the leader both ways; not-better: a survivor not more than the margin above the leader, nor
   * shown within it below; eliminated: below the leader with 95% confidence; excluded: out of the race for a reason
   * other than energy (fidelity, SLO); unresolved: still racing when the time cap ended the race.
   */
  status: 'best' | 'tied' | 'not-better' | 'eliminated' | 'excluded' | 'unresolved';
  /** The round it left the race in (null: still in at the end). */
  round: number | null;
  /** The evidence, in words. */
  reason: string;
  /** The leader it was compared with, and the leader ÷ it ratio of samples/J (paired by round). */
  versus: string | null;
  ratio: { estimate: number; ci95: [number, number]; p: number | null } | null;
}

/** A configuration's outcome. */
export type MeasurementStatus = 'ok' | 'failed' | 'skipped';

/** One measured window. */
export interface Repetition {
  durationS: number;
  runs: number;
  samples: number;
  samplesPerSecond: number;
  meanWatts: number;
  energyJ: number;
  /** p99 of this window's run latencies (what `compare` tests p99 changes on); absent in results older than it. */
  p99Ms?: number;
  /** The round this window ran in (configurations measured in rounds pair their windows by it); absent otherwise. */
  round?: number;
}

/** One configuration's record. Numeric blocks are null when the configuration did not run. */
export interface Measurement {
  key: string;
  model: {
    name: string;
    path: string | null;
    sha256: string | null;
    precision: Precision;
    /** `model`: a variant file (or FP32 itself); `tensorrt-builder`: the FP32 model with TensorRT's FP16/INT8 builder flag. */
    via: PrecisionVia;
    variantOf: string | null;
    /** What the file itself is, read from its graph (src/model/detect-precision.ts); absent in older results. */
    detectedPrecision?: 'fp32' | 'fp16' | 'int8' | 'mixed';
    /** How joulebench made this variant (absent for FP32 and for variant files the user gave). */
    conversion?: {
      mode: 'fp16' | 'int8-dynamic' | 'int8-static';
      paramsHash: string;
      sidecar: string;
      reused: boolean;
      /** The source's default-domain opset when it was lifted before conversion (src/variants/opset-upgrade.ts), and the opset it was lifted to. */
      opsetUpgradedFrom?: number;
      opsetUpgradedTo?: number;
      /** Nodes converted to FP16 or quantized (subgraphs included), float weight bytes converted, subgraphs walked (src/variants/make.ts: VariantConverted). */
      nodesConverted?: number;
      weightBytesConverted?: number;
      subgraphs?: number;
      /**
       * The plain variant missed the fidelity bound: the nodes kept in FP32 (FP16) or left out of INT8, each with why
       * (src/variants/mixed-precision.ts), and what the search cost (fidelity checks, at most ⌊2·log2 n⌋ + 5; seconds).
       */
      precisionSearch?: {
        kind: 'fp16-keep-fp32' | 'int8-exclude';
        met: boolean;
        kept: Array<{ node: string; op: string; reason: string }>;
        candidates: number;
        evaluations: number;
        budget: number;
        seconds: number;
        bound: string;
      };
    } | null;
  };
  executionProvider: string;
  device: string | null;
  batchSize: number;
  threads: number | null;
  status: MeasurementStatus;
  error: { code: string; message: string } | null;
  coldStart: { sessionCreateMs: number; firstRunMs: number; energyJ: number; sessionShared: boolean } | null;
  repetitions: Repetition[];
  throughput: { samplesPerSecond: { mean: number; ci95: [number, number] } } | null;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number } | null;
  power: {
    meanWatts: number;
    idleWatts: number | null;
    peakWatts: number;
    byMeter: Record<string, number>;
    /** Which meters counted for this configuration and why (GPU meters count only for their own device). */
    attribution?: string;
  } | null;
  energy: {
    joulesPerSample: number;
    netJoulesPerSample: number | null;
    samplesPerJoule: number;
    /** The 95% interval of samples per joule (docs/statistics.md: per-window values, log scale). */
    samplesPerJouleCi95: [number, number];
    /** Its upper half-width in % of samplesPerJoule (the ± shown); null below two windows. Absent in older results. */
    samplesPerJouleCiPercent?: number | null;
    whPer1kSamples: number;
    gCO2ePer1kSamples: number;
    estimated: boolean;
  } | null;
  /** The variant's outputs against FP32's on the same inputs (null for FP32 itself and when not measured). */
  fidelity: Fidelity | null;
  validity: { valid: boolean; reasons: string[] };
  /** Relative path of the power trace CSV. */
  trace: string | null;
  /**
   * Which rule ended the measurement: the fixed `repetitions` (adaptive stopping off), the samples-per-joule CI
   * reaching the `target-ci`, or the `max-seconds` cap; with the CI half-width reached (% of samples per joule; null
   * below two values), how it was computed (`batch-means` over `batches` sub-window batches, or one value per window
   * when the F test of windows against their batches gave `betweenWindowsP` < 0.1), the windows and their seconds.
   */
  stopping?: {
    rule: 'repetitions' | 'target-ci' | 'max-seconds' | 'race';
    /** How the race left this configuration (rule `race`). */
    race?: RaceVerdict;
    ciHalfWidthPercent: number | null;
    method: 'batch-means' | 'windows';
    batches: number;
    betweenWindowsP: number | null;
    windows: number;
    measuredS: number;
  } | null;
  /**
   * Non-CPU providers: where the nodes ran (one short profiled session after the group, outside every window); nodes
   * that fell back to the CPU make the measurement invalid unless a CPU meter counts. Absent for the CPU provider.
   */
  placement?:
    | { ok: true; providers: Record<string, { nodes: number; kernelTimeUs: number }>; cpuFallbackNodes: Array<{ name: string; opType: string; kernelTimeUs: number }>; cpuTimeShare: number; cpuFallback: boolean }
    | { ok: false; reason: string };
  /** GPU memory used during the configuration, per counted GPU (from the GPU meters' context columns); absent without GPU meters. */
  gpuMemory?: Array<{ device: string; peakUsedMib: number | null; meanUsedMib: number | null; totalMib: number | null; samples: number }>;
  /** Seconds waited before this configuration for power to return near idle (`cooldown:`), or null. */
  cooldownS?: number | null;
  /** Wall-clock bounds of this configuration, relative to the run start (for charts). */
  spanS: { start: number; end: number } | null;
}

/** Fidelity of a variant against FP32, and whether it meets the scenario's `fidelity:` bounds. */
export interface Fidelity {
  /** What the variant was compared with, e.g. "fp32 on cpu, 32 synthetic samples". */
  reference: string;
  /** Samples compared. */
  samples: number;
  /** `synthetic` (seeded) or `calibration` (the user's data). */
  inputs: 'synthetic' | 'calibration';
  maxAbsError: number;
  rmse: number;
  /** Mean over samples of the cosine similarity of a sample's outputs (1 = same direction). */
  cosine: number;
  /** Fraction of samples whose arg-max class agrees with FP32's (when the first output looks like class scores). */
  top1Agreement: number | null;
  /** Task accuracy with labels (fraction correct), FP32's on the same samples, and their ratio. */
  accuracy: number | null;
  referenceAccuracy: number | null;
  accuracyRatio: number | null;
  /** Output values that are NaN or ±Inf in the variant but finite in FP32. */
  nonFiniteValues: number;
  /** false when a bound of the scenario's `fidelity:` is broken (never recommended); null when no bound is set. */
  withinBounds: boolean | null;
  /** Each broken bound, in words. */
  violations: string[];
}

/** One accelerator as the environment reports it. */
export interface Accelerator {
  vendor: string;
  index: number;
  name: string;
  uuid: string | null;
  driver: string | null;
  memoryBytes: number | null;
  powerLimitWatts: number | null;
}

/** The machine and software the run measured. */
export interface Environment {
  host: {
    os: string;
    kernel: string;
    arch: string;
    hostname: string;
    cpu: { model: string; cores: number; physicalCores: number; sockets: number };
    memoryBytes: number;
  };
  accelerators: Accelerator[];
  runtime: { node: string; onnxruntime: string; executionProviders: Array<{ name: string; available: boolean; reason: string | null }> };
}

/** Where a shard ran: the machine and software that decide whether shards pool (src/fleet/fingerprint.ts). */
export interface RunFingerprint {
  host: string;
  cpuModel: string;
  cpuCores: number;
  gpus: Array<{ name: string; uuid: string | null; driver: string | null; powerLimitWatts: number | null }>;
  onnxruntime: string;
  joulebench: string;
  scenarioSha256: string | null;
  /** sha256 of the machine class (CPU, GPUs, drivers, power limits, versions; not host or UUIDs): equal → pooled. */
  machineSha256: string;
}

/** How a merged run (`joulebench merge`) was put together. */
export interface MergeRecord {
  /** Shards the sweep was cut into. */
  shardCount: number;
  /** Each input result, whether it was used, and why not. */
  inputs: Array<{ path: string; runId: string; shard: number | null; host: string; createdAt: string; status: RunResult['status']; used: boolean; why: string | null }>;
  /** Shards with configurations to run but no result among the inputs. */
  missingShards: number[];
  /** Planned configurations no used input measured. */
  missingConfigurations: string[];
  /** Each used shard's idle baseline (its measurements subtract their own). */
  idleByShard: Array<{ shard: number; runId: string; watts: Record<string, number> }>;
}

/** A recommendation per model: the most samples per joule within the latency SLO, and what it saves. */
export interface Recommendation {
  model: string;
  key: string;
  samplesPerJoule: number;
  p99Ms: number;
  /** Why this one, in one line (SLO, margin over the runner-up, validity). */
  reason: string;
  estimated: boolean;
  /** The run it comes from (multi-run reports). */
  runId?: string | null;
  /** The FP32 batch-1 configuration it is compared with, when measured. */
  baselineKey?: string | null;
  /** Energy per sample saved against the baseline, in % (positive = less energy per sample). */
  savingPercent?: number | null;
  whPer1kSamples?: number;
  /** kWh per 1,000 requests (a request = one sample). */
  kWhPer1kRequests?: number;
  gCO2ePer1kSamples?: number;
  /** The best configuration not chosen, and why not. */
  runnerUp?: { key: string; whyNot: string } | null;
  /**
   * How sure the pick is: its samples/J ÷ the closest eligible competitor's, with the 95% CI (paired by round when
   * both ran in the same rounds) and the verdict: better (CI above 1), indistinguishable (CI within ±equivalencePercent),
   * not-worse (CI's lower end within the margin below 1: the pick is at most that much worse, possibly better),
   * unresolved (none of these). null when it had no competitor.
   */
  confidence?: {
    versus: string;
    ratio: number;
    ci95: [number, number];
    method: 'windows' | 'paired-rounds' | 'independent-windows';
    equivalencePercent: number;
    verdict: 'better' | 'indistinguishable' | 'not-worse' | 'unresolved';
  } | null;
  /** false when no configuration met the SLO (the fastest is shown, not recommended). */
  meetsSlo?: boolean;
  /** false when every eligible measurement was methodologically unsound (the most efficient is shown, not recommended). */
  valid?: boolean;
  /** What the reader must keep in mind (estimated power, invalid measurement, within noise). */
  caveats?: string[];
  /** One sentence with the answer. */
  summary?: string;
}

/** The whole record of a run. */
export interface RunResult {
  schema: typeof resultSchemaId;
  runId: string;
  createdAt: string;
  finishedAt: string | null;
  status: 'running' | 'complete' | 'interrupted';
  /** Why the run stopped early (interrupt, meter failure), else null. */
  stopReason: string | null;
  tool: { name: 'joulebench'; version: string };
  scenario: { resolved: unknown; file: string | null; sha256: string | null };
  environment: Environment;
  meters: Array<Omit<MeterInfo, 'sampleKind'> & { sampleKind: string }>;
  meterSelection: Array<{ name: string; chosen: boolean; why: string }>;
  /** Warnings the meters raised about themselves during the run (cross-checks, achieved periods). */
  meterWarnings?: string[];
  idle: {
    durationS: number;
    watts: Record<string, number>;
    /** The same measured after the sweep (thermal drift check). */
    after?: { durationS: number; watts: Record<string, number> };
    warnings: string[];
  } | null;
  /** Carbon inputs with provenance; `hourly` when an intensity file was integrated over the run. */
  carbon: CarbonSpec & { hourly?: HourlyCarbon };
  measurements: Measurement[];
  /** How the sweep had to limit its schedule (memory too small to keep every session of a model alive), in words. */
  scheduleNotes?: string[];
  recommendations: Recommendation[];
  /** When the run was resumed (`--resume`), oldest first; absent for a run that was never resumed. */
  resumedAt?: string[];
  /** The scenario's budgets, checked after the run (absent when the scenario has none). */
  budgets?: BudgetReport;
  /** The shard this run measured (`run --shard I/N`, I from 0) and the configurations it was given; absent when unsharded. */
  shard?: { index: number; count: number; keys: string[] };
  /** The machine and software (src/fleet/fingerprint.ts); absent in results older than it. */
  fingerprint?: RunFingerprint;
  /** Present on a result `joulebench merge` wrote. */
  merge?: MergeRecord;
  /** Load mode (`joulebench load`): one record per (configuration, batching policy, target rate); absent otherwise. */
  load?: LoadRecord[];
  /** Load mode: per target rate, the least energy per request within the p99 SLO. */
  loadRecommendations?: LoadRecommendation[];
}

/** One budget checked against one configuration. */
export interface BudgetVerdict {
  key: string;
  /** The `match` of the budget entry. */
  match: string;
  /** `maxJoulesPerSample`, `maxWhPer1kSamples`, `minSamplesPerJoule`, `maxP99Ms` or `maxRegression:<metric>`. */
  budget: string;
  /** The limit applied (for maxRegression: the fraction), or null when nothing could be checked. */
  limit: number | null;
  /** The measured value (for maxRegression: the relative change), or null. */
  actual: number | null;
  ok: boolean;
  /** How far past the limit, in % of the limit (positive = broken), or null. */
  overPercent: number | null;
  /** The energy meter is an estimate. */
  estimated: boolean;
  /** One line: what was checked, against what, and by how much it broke. */
  message: string;
}

/** All budget verdicts of a run. */
export interface BudgetReport {
  /** Baseline result files used by relative budgets and maxRegression. */
  baselines: string[];
  verdicts: BudgetVerdict[];
  broken: number;
  passed: boolean;
}
