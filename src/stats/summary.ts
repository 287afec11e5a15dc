// Pure statistics over arrays: means, spreads, percentiles and confidence intervals.

/** Arithmetic mean; NaN for an empty array. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function stddev(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  const m = mean(values);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - m) ** 2;
  return Math.sqrt(squares / (n - 1));
}

/**
 * Percentile by linear interpolation between closest ranks (numpy's default, "type 7"):
 * rank = p/100 × (n − 1). Takes an ascending-sorted array.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  const fraction = rank - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * fraction;
}

/** Latency summary over every run of the measured windows (milliseconds in, milliseconds out). */
export function summariseLatency(latencyMs: ArrayLike<number>): {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
} {
  const sorted = Float64Array.from(latencyMs).sort();
  return {
    mean: mean(sorted),
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p99: percentileSorted(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
  };
}

// Two-sided 97.5% quantiles of Student's t for 1–30 degrees of freedom.
const tQuantile975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The t value for a two-sided 95% interval with `degreesOfFreedom` (normal 1.96 beyond the table's reach, interpolated in 1/df). */
export function tCritical95(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) return Number.NaN;
  if (degreesOfFreedom <= 30) return tQuantile975[Math.floor(degreesOfFreedom) - 1]!;
  // Between df=30 (2.042) and ∞ (1.960) t is close to linear in 1/df.
  return 1.96 + (2.042 - 1.96) * (30 / degreesOfFreedom);
}

/** Mean with a 95% confidence interval from Student's t (the interval collapses to the mean for one value). */
export function meanWithCi95(values: ArrayLike<number>): { mean: number; ci95: [number, number] } {
  const m = mean(values);
  if (values.length < 2) return { mean: m, ci95: [m, m] };
  const halfWidth = (tCritical95(values.length - 1) * stddev(values)) / Math.sqrt(values.length);
  return { mean: m, ci95: [m - halfWidth, m + halfWidth] };
}

/** Coefficient of variation (sample stddev ÷ mean); 0 for fewer than two values. */
export function coefficientOfVariation(values: ArrayLike<number>): number {
  const m = mean(values);
  return values.length < 2 || m === 0 ? 0 : stddev(values) / m;
}
