// A measured window cut into consecutive batches (samples done, energy used) for the batch-means CI that the
// adaptive stopping rule reads (src/stats/batch-means.ts).
import type { Batch } from '../stats/batch-means.js';

/** At most this many batches per window (more adds little: the t quantile is near its limit by 30 batches in all). */
export const maxBatchesPerWindow = 10;

/** Each batch spans at least this many periods of the slowest counted meter, so it holds its own readings. */
export const minMeterPeriodsPerBatch = 3;

/**
 * How many batches a window is cut into: as many as fit `minMeterPeriodsPerBatch` periods of the slowest meter, at
 * most one per run (a batch with no run in it measures idle time) and at most `maxBatchesPerWindow`; at least one.
 */
export function batchesPerWindow(durationS: number, runs: number, slowestPeriodMs: number): number {
  const byMeter = slowestPeriodMs > 0 ? Math.floor((durationS * 1000) / (minMeterPeriodsPerBatch * slowestPeriodMs)) : maxBatchesPerWindow;
  return Math.max(1, Math.min(maxBatchesPerWindow, byMeter, Math.floor(runs)));
}

/**
 * Runs completed by a time, as a fraction: the window's runs are back to back from t0 to t1, each taking its share of
 * the window in proportion to its measured latency (the loop's own overhead is spread the same way).
 */
export function runProgress(latenciesMs: ArrayLike<number>, t0Ms: number, t1Ms: number): (tMs: number) => number {
  const cumulative = new Float64Array(latenciesMs.length + 1);
  for (let i = 0; i < latenciesMs.length; i++) cumulative[i + 1] = cumulative[i]! + Math.max(0, latenciesMs[i]!);
  const totalMs = cumulative[latenciesMs.length]!;
  const runs = latenciesMs.length;
  return (tMs: number) => {
    if (tMs <= t0Ms || runs === 0) return 0;
    if (tMs >= t1Ms) return runs;
    if (totalMs === 0) return (runs * (tMs - t0Ms)) / (t1Ms - t0Ms);
    const position = ((tMs - t0Ms) / (t1Ms - t0Ms)) * totalMs;
    // The run in progress at `position`: the last i with cumulative[i] ≤ position.
    let lo = 0;
    let hi = runs;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cumulative[mid]! <= position) lo = mid;
      else hi = mid - 1;
    }
    if (lo >= runs) return runs;
    const length = latenciesMs[lo]!;
    return lo + (length > 0 ? (position - cumulative[lo]!) / length : 0);
  };
}

/** Cut a window into `count` equal batches: samples from the runs' progress, energy from `energyJBetween`. */
export function windowBatches(input: {
  t0Ms: number;
  t1Ms: number;
  latenciesMs: ArrayLike<number>;
  batchSize: number;
  count: number;
  energyJBetween: (t0Ms: number, t1Ms: number) => number;
}): Batch[] {
  const { t0Ms, t1Ms, batchSize, count } = input;
  const progress = runProgress(input.latenciesMs, t0Ms, t1Ms);
  const batches: Batch[] = [];
  for (let i = 0; i < count; i++) {
    const a = t0Ms + ((t1Ms - t0Ms) * i) / count;
    const b = i === count - 1 ? t1Ms : t0Ms + ((t1Ms - t0Ms) * (i + 1)) / count;
    batches.push({ samples: (progress(b) - progress(a)) * batchSize, energyJ: input.energyJBetween(a, b) });
  }
  return batches;
}
