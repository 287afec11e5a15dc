// The one interval joulebench reports for samples per joule: of one configuration (the ± in every table), and of the
// ratio between two (the race, the recommendation, "indistinguishable", compare). docs/statistics.md explains it.
//
// Each timed window gives one value of samples per joule. The machine's noise is between windows (a bare
// session.run loop varies ~10% from one second to the next on a 2-vCPU VM), so the windows, not sub-window batches,
// are the unit of replication. Values are compared on the log scale: ratios become differences, and an interval
// exp(mean ± t·se) stays positive and multiplicative ("2.2×, 95% CI 1.9–2.5×").
//
// Two configurations measured in the same rounds (one window each per round, order shuffled every round) are
// compared by their within-round differences, which cancel whatever drifted between rounds (heat, neighbours); two
// configurations from different runs are compared as independent samples (Welch).
import { studentTCdf, studentTQuantile } from './significance.js';
import { mean, stddev } from './summary.js';

/** One window's samples per joule, with the round it ran in (absent for windows not run in rounds). */
export interface WindowValue {
  samplesPerJoule: number;
  round?: number;
}

/** A 95% interval around an estimate (same unit as the estimate), with how it was computed. */
export interface Interval {
  estimate: number;
  ci95: [number, number];
  /** Upper half-width in % of the estimate (the ± shown next to it); Infinity below two values. */
  halfWidthPercent: number;
  /** Values the interval rests on (windows, or paired rounds). */
  n: number;
  method: 'windows' | 'paired-rounds' | 'independent-windows';
}

/** The interval of a ratio, with a one-sided p-value for "the numerator is not above the denominator". */
export interface RatioInterval extends Interval {
  /** P(ratio ≤ 1) under H0, one-sided t on the log scale; 1 when it cannot be computed. */
  pNotAbove: number;
}

/** The equivalence margin (%) within which two configurations are indistinguishable, when none is given. */
export const defaultEquivalencePercent = 3;

const tFor = (df: number, confidence: number) => studentTQuantile(1 - (1 - confidence) / 2, df);

// The estimate times exp(±t·se), from log-scale values; an unbounded interval below two values.
function around(estimate: number, logSe: number, df: number, n: number, method: Interval['method'], confidence = 0.95): Interval {
  if (!(df >= 1) || !Number.isFinite(logSe)) {
    return { estimate, ci95: [0, Number.POSITIVE_INFINITY], halfWidthPercent: Number.POSITIVE_INFINITY, n, method };
  }
  const spread = tFor(df, confidence) * logSe;
  return { estimate, ci95: [estimate * Math.exp(-spread), estimate * Math.exp(spread)], halfWidthPercent: (Math.exp(spread) - 1) * 100, n, method };
}

/**
 * A configuration's samples per joule: `estimate` is the caller's (total samples ÷ total joules); the interval is the
 * t interval of the per-window log values, centred on it.
 */
export function samplesPerJouleInterval(estimate: number, windows: readonly WindowValue[]): Interval {
  const logs = windows.map((window) => Math.log(window.samplesPerJoule));
  // One window: no spread to speak of; the bounds collapse (result.json holds numbers) and the ± is unknown.
  if (logs.length < 2) return { estimate, ci95: [estimate, estimate], halfWidthPercent: Number.POSITIVE_INFINITY, n: logs.length, method: 'windows' };
  return around(estimate, stddev(logs) / Math.sqrt(logs.length), logs.length - 1, logs.length, 'windows');
}

// Within-round differences of log values, for the rounds both ran in.
function pairedLogDifferences(a: readonly WindowValue[], b: readonly WindowValue[]): number[] {
  const byRound = new Map<number, number>();
  for (const value of b) if (value.round !== undefined) byRound.set(value.round, Math.log(value.samplesPerJoule));
  const differences: number[] = [];
  for (const value of a) {
    const other = value.round === undefined ? undefined : byRound.get(value.round);
    if (other !== undefined) differences.push(Math.log(value.samplesPerJoule) - other);
  }
  return differences;
}

const oneSidedP = (t: number, df: number) => (Number.isNaN(t) ? 1 : 1 - studentTCdf(t, df));

/**
 * The ratio a ÷ b of two configurations' samples per joule (point estimates given by the caller): paired by round
 * when at least two rounds hold both, otherwise Welch on the log values of their windows. `confidence` (default 0.95)
 * sets the interval's level (`compare --alpha`); the field keeps its name ci95.
 */
export function ratioInterval(estimateA: number, a: readonly WindowValue[], estimateB: number, b: readonly WindowValue[], confidence = 0.95): RatioInterval {
  const estimate = estimateA / estimateB;
  const paired = pairedLogDifferences(a, b);
  if (paired.length >= 2) {
    const se = stddev(paired) / Math.sqrt(paired.length);
    const df = paired.length - 1;
    const t = se === 0 ? Math.sign(mean(paired)) * Number.POSITIVE_INFINITY : mean(paired) / se;
    return { ...around(estimate, se, df, paired.length, 'paired-rounds', confidence), pNotAbove: oneSidedP(t, df) };
  }
  const logsA = a.map((value) => Math.log(value.samplesPerJoule));
  const logsB = b.map((value) => Math.log(value.samplesPerJoule));
  if (logsA.length < 2 || logsB.length < 2) return { ...around(estimate, Number.NaN, 0, 0, 'independent-windows'), pNotAbove: 1 };
  const varA = stddev(logsA) ** 2 / logsA.length;
  const varB = stddev(logsB) ** 2 / logsB.length;
  const se = Math.sqrt(varA + varB);
  const df = se === 0 ? logsA.length + logsB.length - 2 : (varA + varB) ** 2 / (varA ** 2 / (logsA.length - 1) + varB ** 2 / (logsB.length - 1));
  const difference = mean(logsA) - mean(logsB);
  const t = se === 0 ? Math.sign(difference) * Number.POSITIVE_INFINITY : difference / se;
  return { ...around(estimate, se, df, logsA.length + logsB.length, 'independent-windows', confidence), pNotAbove: oneSidedP(t, df) };
}

/**
 * Holm's step-down correction: which of the hypotheses (by p-value) are rejected at family-wise level `alpha`.
 * Returns one boolean per p-value, in the order given.
 */
export function holmRejections(pValues: readonly number[], alpha: number): boolean[] {
  const order = pValues.map((p, index) => ({ p, index })).sort((x, y) => x.p - y.p);
  const rejected = pValues.map(() => false);
  for (const [rank, { p, index }] of order.entries()) {
    if (!(p <= alpha / (pValues.length - rank))) break;
    rejected[index] = true;
  }
  return rejected;
}

/** Whether a ratio's whole 95% interval lies within ±equivalencePercent of 1 (the two are indistinguishable). */
export function withinEquivalence(interval: Interval, equivalencePercent: number): boolean {
  const margin = 1 + equivalencePercent / 100;
  return interval.ci95[0] >= 1 / margin && interval.ci95[1] <= margin;
}
