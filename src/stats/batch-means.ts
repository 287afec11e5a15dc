// Confidence interval of a ratio (samples per joule) from batch means: the measured time is cut into short
// consecutive batches, each with its samples and its energy, and the spread between batches gives the CI of the
// overall ratio ΣS ÷ ΣE. With more batches than windows, a ±2% verdict needs far fewer windows than a t-interval
// over whole windows (3 windows give 2 degrees of freedom and t = 4.30; 15 batches give 14 and t = 2.14).
//
// Method (Law & Kelton, "Simulation Modeling and Analysis", non-overlapping batch means; Cochran, "Sampling
// Techniques", ratio estimator):
// - R = ΣS / ΣE; residuals d_i = S_i − R·E_i (they sum to 0); Var(R) ≈ Σd_i² / (k(k−1)·Ē²), Ē the mean batch energy.
//   Batches of unequal length are handled by the ratio form (no equal-duration assumption).
// - Batch means are only as good as their independence: while the residuals' lag-1 autocorrelation is above one
//   standard error of white noise (r₁ > 1/√k) and at least `minBatches` would remain, adjacent batches are merged
//   pairwise (Fishman's LBatch idea). Slow drift then widens the interval instead of hiding in it. Chosen by
//   simulation (30 batches, 3,000 seeded trials each): white noise keeps 94.4% coverage at +2% width; AR(1) drift
//   with φ = 0.5 goes from 73.6% to 86.9% coverage, φ = 0.9 from 30% to 60% (a 1.645/√k threshold gave 82.5%, 58%).
// - Batches inside one window cannot see what changes between windows (another configuration ran in between, the
//   machine got busier, the clock drifted). `windowedCi` therefore first tests whether the windows differ more than
//   their batches predict (one-way ANOVA F test on the residuals, α = 0.1: a "sometimes pool" pretest, Bancroft
//   1944); if they do, the interval comes from whole windows (n − 1 degrees of freedom), else from batch means.
import { fisherFCdf } from './significance.js';
import { tCritical95 } from './summary.js';

/** One batch: what was done in it and the energy it took. */
export interface Batch {
  samples: number;
  energyJ: number;
}

/** The ratio's 95% CI from batch means. */
export interface BatchMeansCi {
  /** ΣS ÷ ΣE. */
  ratio: number;
  /** Half-width of the 95% CI in % of the ratio (Infinity with fewer than two batches or no energy). */
  halfWidthPercent: number;
  /** Batches the interval was computed from (after merging). */
  batches: number;
  /** Lag-1 autocorrelation of the residuals at that batch count (NaN below three batches). */
  lag1: number;
}

/** Fewest batches merging may leave (below this the t quantile grows faster than merging helps). */
export const minBatches = 4;

/** Lag-1 autocorrelation of residuals that sum to zero. */
function lag1Of(residuals: readonly number[]): number {
  if (residuals.length < 3) return Number.NaN;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < residuals.length; i++) {
    denominator += residuals[i]! * residuals[i]!;
    if (i + 1 < residuals.length) numerator += residuals[i]! * residuals[i + 1]!;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Merge adjacent pairs (an odd last batch joins the pair before it). */
export function mergePairs(batches: readonly Batch[]): Batch[] {
  const merged: Batch[] = [];
  for (let i = 0; i + 1 < batches.length; i += 2) {
    merged.push({ samples: batches[i]!.samples + batches[i + 1]!.samples, energyJ: batches[i]!.energyJ + batches[i + 1]!.energyJ });
  }
  if (batches.length % 2 === 1 && merged.length > 0) {
    const last = batches[batches.length - 1]!;
    const previous = merged[merged.length - 1]!;
    merged[merged.length - 1] = { samples: previous.samples + last.samples, energyJ: previous.energyJ + last.energyJ };
  } else if (batches.length === 1) {
    merged.push({ ...batches[0]! });
  }
  return merged;
}

/** The ratio ΣS ÷ ΣE with its 95% CI from these batches as they stand (no merging). */
export function ratioCi(batches: readonly Batch[]): BatchMeansCi {
  const k = batches.length;
  const totalSamples = batches.reduce((sum, batch) => sum + batch.samples, 0);
  const totalJ = batches.reduce((sum, batch) => sum + batch.energyJ, 0);
  const ratio = totalJ > 0 ? totalSamples / totalJ : Number.NaN;
  if (k < 2 || !(totalJ > 0) || !(ratio > 0)) return { ratio, halfWidthPercent: Number.POSITIVE_INFINITY, batches: k, lag1: Number.NaN };
  const residuals = batches.map((batch) => batch.samples - ratio * batch.energyJ);
  const meanEnergyJ = totalJ / k;
  const variance = residuals.reduce((sum, d) => sum + d * d, 0) / (k * (k - 1) * meanEnergyJ * meanEnergyJ);
  const halfWidth = tCritical95(k - 1) * Math.sqrt(variance);
  return { ratio, halfWidthPercent: (halfWidth / ratio) * 100, batches: k, lag1: lag1Of(residuals) };
}

/** The ratio's 95% CI by batch means, merging batches while they are significantly autocorrelated. */
export function batchMeansCi(batches: readonly Batch[]): BatchMeansCi {
  let current = batches.filter((batch) => Number.isFinite(batch.samples) && Number.isFinite(batch.energyJ));
  let ci = ratioCi(current);
  while (current.length >= 2 * minBatches && ci.lag1 > 1 / Math.sqrt(current.length)) {
    current = mergePairs(current);
    ci = ratioCi(current);
  }
  return ci;
}

/** Significance level of the between-windows pretest: below it, batches are not pooled across windows. */
export const betweenWindowsAlpha = 0.1;

/** The CI `windowedCi` settled on, and why. */
export interface WindowedCi extends BatchMeansCi {
  /** `batch-means` (batches pooled across windows) or `windows` (the windows differ: one value per window). */
  method: 'batch-means' | 'windows';
  /** p-value of the F test that windows differ more than their batches predict (null when it cannot be computed). */
  betweenWindowsP: number | null;
}

/**
 * The ratio's 95% CI over windows that were each cut into batches: batch means when the windows agree with their
 * batches (F test at `betweenWindowsAlpha`), else one value per window.
 */
export function windowedCi(windows: readonly (readonly Batch[])[]): WindowedCi {
  const usable = windows.map((batches) => batches.filter((batch) => Number.isFinite(batch.samples) && Number.isFinite(batch.energyJ))).filter((batches) => batches.length > 0);
  const perWindow = usable.map((batches) => ({
    samples: batches.reduce((sum, batch) => sum + batch.samples, 0),
    energyJ: batches.reduce((sum, batch) => sum + batch.energyJ, 0),
  }));
  const p = betweenWindowsP(usable);
  if (p !== null && p < betweenWindowsAlpha) return { ...ratioCi(perWindow), method: 'windows', betweenWindowsP: p };
  return { ...batchMeansCi(usable.flat()), method: 'batch-means', betweenWindowsP: p };
}

/**
 * One-way ANOVA on the ratio residuals d = S − R·E grouped by window: P(F ≥ observed) for MS_between ÷ MS_within
 * with (windows − 1, batches − windows) degrees of freedom. Null with fewer than two windows or no spare batches;
 * 1 when nothing varies at all.
 */
export function betweenWindowsP(windows: readonly (readonly Batch[])[]): number | null {
  const all = windows.flat();
  const n = windows.length;
  const total = all.length;
  if (n < 2 || total <= n) return null;
  const ratio = all.reduce((sum, batch) => sum + batch.samples, 0) / all.reduce((sum, batch) => sum + batch.energyJ, 0);
  if (!Number.isFinite(ratio)) return null;
  let ssBetween = 0;
  let ssWithin = 0;
  for (const batches of windows) {
    const residuals = batches.map((batch) => batch.samples - ratio * batch.energyJ);
    const mean = residuals.reduce((sum, d) => sum + d, 0) / residuals.length;
    ssBetween += residuals.length * mean * mean;
    for (const d of residuals) ssWithin += (d - mean) * (d - mean);
  }
  const scale = Math.max(ssBetween, ssWithin);
  if (scale === 0) return 1;
  if (ssWithin <= 1e-12 * scale) return 0;
  const f = ssBetween / (n - 1) / (ssWithin / (total - n));
  return 1 - fisherFCdf(f, n - 1, total - n);
}
