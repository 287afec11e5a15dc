// A scenario's `fidelity:` bounds applied to a measured fidelity: which bounds a variant breaks.
import type { Fidelity } from '../results/types.js';
import type { FidelityBounds } from '../scenario/types.js';
import type { FidelityMetrics } from './fidelity.js';

const fmt = (value: number) => (Math.abs(value) >= 0.01 || value === 0 ? value.toFixed(4) : value.toExponential(2));

/** The fidelity record of result.json: the metrics plus the verdict against the bounds (null bounds: no verdict). */
export function judgeFidelity(metrics: FidelityMetrics, bounds: FidelityBounds | null): Fidelity {
  const violations: string[] = [];
  if (bounds) {
    if (metrics.nonFiniteValues > 0) violations.push(`${metrics.nonFiniteValues} output value(s) are NaN or infinite where FP32's are finite`);
    if (bounds.minCosine !== null && metrics.cosine < bounds.minCosine) violations.push(`cosine ${fmt(metrics.cosine)} < minCosine ${bounds.minCosine}`);
    if (bounds.maxAbsError !== null && metrics.maxAbsError > bounds.maxAbsError) violations.push(`max abs error ${fmt(metrics.maxAbsError)} > maxAbsError ${bounds.maxAbsError}`);
    if (bounds.minTop1Agreement !== null && metrics.top1Agreement !== null && metrics.top1Agreement < bounds.minTop1Agreement) {
      violations.push(`top-1 agreement ${fmt(metrics.top1Agreement)} < minTop1Agreement ${bounds.minTop1Agreement}`);
    }
    if (bounds.accuracyTarget !== null) {
      // MLPerf's targets are a share of FP32's accuracy; without labels, top-1 agreement with FP32 stands in for it.
      const target = `${+(bounds.accuracyTarget * 100).toFixed(3)}% of FP32`;
      if (metrics.accuracyRatio !== null) {
        if (metrics.accuracyRatio < bounds.accuracyTarget) violations.push(`accuracy ${fmt(metrics.accuracyRatio * 100)}% of FP32 < accuracyTarget ${target}`);
      } else if (metrics.top1Agreement !== null) {
        if (metrics.top1Agreement < bounds.accuracyTarget) violations.push(`top-1 agreement with FP32 ${fmt(metrics.top1Agreement * 100)}% < accuracyTarget ${target} (no --labels: agreement stands in for accuracy)`);
      } else if (metrics.cosine < bounds.accuracyTarget) {
        violations.push(`cosine ${fmt(metrics.cosine)} < accuracyTarget ${bounds.accuracyTarget} (outputs are not class scores and no labels: cosine stands in for accuracy)`);
      }
    }
  }
  return { ...metrics, withinBounds: bounds ? violations.length === 0 : null, violations };
}
