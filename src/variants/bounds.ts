// A scenario's `fidelity:` bounds applied to a measured fidelity: which bounds a variant breaks.
import type { Fidelity } from '../results/types.js';
import type { FidelityBounds } from '../scenario/types.js';
import type { FidelityMetrics } from './fidelity.js';

/** A top-1 shortfall counts only when it is unlikely to be chance: one-sided binomial test at this level. */
export const agreementSignificance = 0.05;

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  // Sum P(X = i) for i < k in log space, then take the complement (k is small: a handful of disagreements).
  let below = 0;
  let logTerm = n * Math.log1p(-p); // log P(X = 0)
  for (let i = 0; i < k; i++) {
    below += Math.exp(logTerm);
    logTerm += Math.log((n - i) / (i + 1)) + Math.log(p) - Math.log1p(-p);
  }
  return Math.max(0, 1 - below);
}

/**
 * Whether top-1 agreement breaks its bound: below it, and with more disagreeing samples than chance allows at that
 * agreement (P(X ≥ observed) < 5% for X ~ Binomial(samples, 1 − bound)). With 32 samples and a 0.99 bound, one
 * disagreement (P = 0.275) is within noise; two (P = 0.041) are not.
 */
export function agreementShortfall(agreement: number, samples: number, bound: number): { broken: boolean; disagreements: number; p: number } {
  const disagreements = Math.round((1 - agreement) * samples);
  const p = binomialTail(samples, disagreements, 1 - bound);
  return { broken: agreement < bound && p < agreementSignificance, disagreements, p };
}

/**
 * Outputs that agree everywhere within this absolute error are not judged by cosine: it is below FP16's own rounding
 * of a value near 1 (2^-11 ≈ 4.9e-4), and a cosine below the bound then only says the outputs are near zero, where
 * their direction is rounding noise (a detection net's score map on synthetic inputs: max error 3e-6, cosine 0.996).
 * An explicit maxAbsError bound is still checked.
 */
export const negligibleAbsError = 1e-4;

const fmt = (value: number) => (Math.abs(value) >= 0.01 || value === 0 ? value.toFixed(4) : value.toExponential(2));

/** The fidelity record of result.json: the metrics plus the verdict against the bounds (null bounds: no verdict). */
export function judgeFidelity(metrics: FidelityMetrics, bounds: FidelityBounds | null): Fidelity {
  const violations: string[] = [];
  if (bounds) {
    if (metrics.nonFiniteValues > 0) violations.push(`${metrics.nonFiniteValues} output value(s) are NaN or infinite where FP32's are finite`);
    const cosineJudged = metrics.maxAbsError > negligibleAbsError || metrics.nonFiniteValues > 0;
    if (bounds.minCosine !== null && cosineJudged && metrics.cosine < bounds.minCosine) violations.push(`cosine ${fmt(metrics.cosine)} < minCosine ${bounds.minCosine}`);
    if (bounds.maxAbsError !== null && metrics.maxAbsError > bounds.maxAbsError) violations.push(`max abs error ${fmt(metrics.maxAbsError)} > maxAbsError ${bounds.maxAbsError}`);
    if (bounds.minTop1Agreement !== null && metrics.top1Agreement !== null) {
      const shortfall = agreementShortfall(metrics.top1Agreement, metrics.samples, bounds.minTop1Agreement);
      if (shortfall.broken) {
        violations.push(`top-1 agreement ${fmt(metrics.top1Agreement)} < minTop1Agreement ${bounds.minTop1Agreement} (${shortfall.disagreements} of ${metrics.samples} samples disagree with FP32; chance at ${bounds.minTop1Agreement}: p = ${shortfall.p.toPrecision(2)})`);
      }
    }
    if (bounds.accuracyTarget !== null) {
      // MLPerf's targets are a share of FP32's accuracy; without labels, top-1 agreement with FP32 stands in for it.
      const target = `${+(bounds.accuracyTarget * 100).toFixed(3)}% of FP32`;
      if (metrics.accuracyRatio !== null) {
        if (metrics.accuracyRatio < bounds.accuracyTarget) violations.push(`accuracy ${fmt(metrics.accuracyRatio * 100)}% of FP32 < accuracyTarget ${target}`);
      } else if (metrics.top1Agreement !== null) {
        if (metrics.top1Agreement < bounds.accuracyTarget) violations.push(`top-1 agreement with FP32 ${fmt(metrics.top1Agreement * 100)}% < accuracyTarget ${target} (no --labels: agreement stands in for accuracy)`);
      } else if (cosineJudged && metrics.cosine < bounds.accuracyTarget) {
        violations.push(`cosine ${fmt(metrics.cosine)} < accuracyTarget ${bounds.accuracyTarget} (outputs are not class scores and no labels: cosine stands in for accuracy)`);
      }
    }
  }
  return { ...metrics, withinBounds: bounds ? violations.length === 0 : null, violations };
}
