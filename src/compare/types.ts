// The outcome of `joulebench compare`: per key and metric a three-way verdict, and whether the gate failed.

/** Schema identifier of the comparison JSON. */
export const comparisonSchemaId = 'joulebench/compare@1';

/** The metrics compared (all gated): a sweep's samples/J, samples/s and p99; a load record's J/request and p99. */
export type MetricId = 'samplesPerJoule' | 'samplesPerSecond' | 'p99Ms' | 'joulesPerRequest';

/** criterion.rs's three outcomes. */
export type Verdict = 'improved' | 'regressed' | 'no significant change';

/**
 * How a metric was judged: `log-welch` = Welch's t-test on the log values of the repetitions, with the CI of the ratio
 * of their means on the same scale (docs/statistics.md: the interval every report uses); `threshold` = the point
 * values only (no per-repetition data, e.g. p99 latency of older results, or a run with a single repetition): no
 * significance test, a larger threshold instead. `welch+bootstrap` appears in comparisons written by older versions.
 */
export type CompareMethod = 'log-welch' | 'welch+bootstrap' | 'threshold';

/** Settings of a comparison (fractions, not percent). */
export interface CompareOptions {
  /** Significance level (default 0.05). */
  alpha: number;
  /** Changes whose CI does not clear ±noise are "no significant change" (default 0.02). */
  noise: number;
  /** A regression of at least this size fails the gate (default 0.05). */
  maxRegression: number;
  /** Threshold for metrics compared without a test (p99; default 0.10). */
  thresholdNoise: number;
  /** Metrics whose regressions fail the gate (the others are reported only). Default: all of them. */
  gated: MetricId[];
  /** Compare runs from different hosts / power meters anyway. */
  allowHostChange: boolean;
  /** Bootstrap resamples (default 10,000). */
  resamples: number;
}

/** One metric of one key. */
export interface MetricComparison {
  metric: MetricId;
  /** Human label with the unit (`samples/J`, `samples/s`, `p99 ms`). */
  label: string;
  higherIsBetter: boolean;
  method: CompareMethod;
  baseline: { mean: number; n: number };
  candidate: { mean: number; n: number };
  /** candidate ÷ baseline − 1 (e.g. −0.1 = 10% lower). */
  change: number;
  /** CI of `change` at 1 − alpha, or null for the threshold method. */
  changeCi: [number, number] | null;
  /** Welch's two-sided p-value, or null for the threshold method. */
  pValue: number | null;
  verdict: Verdict;
  /** Regressed by at least maxRegression, on a gated metric: fails the gate. */
  failed: boolean;
  /** The metric is gated (`--gate`); a regression of an ungated one is reported only. */
  gated: boolean;
  /** The energy meter of either run is an estimate (samples per joule only). */
  estimated: boolean;
  /** Why the method or verdict is what it is, when not obvious. */
  note: string | null;
}

/** What happened to a key present in either run. */
export type KeyStatus =
  | 'compared'
  /** measured in the baseline, missing / failed / skipped in the candidate: fails the gate */
  | 'missing in candidate'
  /** only in the candidate (new configuration): informational */
  | 'new in candidate'
  /** the baseline did not measure it: nothing to compare against */
  | 'not in baseline';

/** One configuration key. */
export interface KeyComparison {
  key: string;
  status: KeyStatus;
  metrics: MetricComparison[];
  failed: boolean;
  /** Validity problems, candidate failures, and the like. */
  notes: string[];
}

/** A run as the comparison names it. */
export interface RunRef {
  file: string;
  runId: string;
  createdAt: string;
  status: string;
  host: string;
  estimated: boolean;
}

/** The whole comparison (the `--json` output). */
export interface Comparison {
  schema: typeof comparisonSchemaId;
  baseline: RunRef;
  candidate: RunRef;
  options: Omit<CompareOptions, 'resamples'> & { resamples: number };
  /** Host / meter differences compared anyway (`--allow-host-change`). */
  hostChanges: string[];
  /** Software and measurement settings that changed between the runs (informational: often the cause of a change). */
  changes: string[];
  keys: KeyComparison[];
  /** Either run measured energy with an estimate meter. */
  estimated: boolean;
  counts: { improved: number; regressed: number; unchanged: number; failed: number };
  /** True when any gated metric regressed beyond maxRegression or a measured key went missing: exit 1. */
  failed: boolean;
}
