// Seeded bootstrap confidence intervals: the same inputs and seed always give the same interval.
import { SeededRandom } from './random.js';
import { mean, percentileSorted } from './summary.js';

/** Options of a bootstrap: how many resamples, the confidence level and the seed. */
export interface BootstrapOptions {
  /** Resamples (default 10,000, as criterion.rs). */
  resamples?: number;
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
  /** RNG seed (default 1). */
  seed?: number;
}

/** A point estimate with a percentile-bootstrap confidence interval. */
export interface BootstrapInterval {
  estimate: number;
  ci: [number, number];
  confidence: number;
  resamples: number;
}

/**
 * Percentile-bootstrap CI of mean(candidate) ÷ mean(baseline): each resample draws both samples independently with
 * replacement. With only a few values per side the interval is narrower than the truth (there are few distinct
 * resamples); pair it with a test that accounts for small samples (Welch's t) before calling a change significant.
 */
export function bootstrapRatioOfMeans(
  baseline: ArrayLike<number>,
  candidate: ArrayLike<number>,
  options: BootstrapOptions = {},
): BootstrapInterval {
  const resamples = options.resamples ?? 10_000;
  const confidence = options.confidence ?? 0.95;
  if (baseline.length === 0 || candidate.length === 0) throw new RangeError('bootstrap needs at least one value per sample');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const random = new SeededRandom(options.seed ?? 1);
  const ratios = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) ratios[r] = resampledMean(candidate, random) / resampledMean(baseline, random);
  ratios.sort();
  const tail = ((1 - confidence) / 2) * 100;
  return {
    estimate: mean(candidate) / mean(baseline),
    ci: [percentileSorted(ratios, tail), percentileSorted(ratios, 100 - tail)],
    confidence,
    resamples,
  };
}

function resampledMean(values: ArrayLike<number>, random: SeededRandom): number {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[random.int(0, n)]!;
  return sum / n;
}
