// Change-point detection over a series: E-Divisive means (Matteson & James 2014) with a seeded permutation test,
// the method MongoDB's performance CI (signal-processing) and Apache Otava (Hunter) run over nightly results.
import { SeededRandom } from './random.js';
import { mean } from './summary.js';

/** Settings of the detector. */
export interface ChangePointOptions {
  /** Significance level of the permutation test (default 0.05). */
  alpha?: number;
  /** Permutations per test (default 199: p-values resolve to 0.005). */
  permutations?: number;
  /** Fewest points on each side of a change point (default 3). */
  minSegment?: number;
  /** Seed of the permutations (default 1). */
  seed?: number;
  /** Stop after this many change points (default 10). */
  maxChangePoints?: number;
}

/** A detected level shift: `index` is the first point of the new level. */
export interface ChangePoint {
  index: number;
  /** The divergence statistic Q̂ at the split. */
  statistic: number;
  /** Permutation p-value: (permutations with a statistic ≥ the observed one + 1) ÷ (permutations + 1). */
  pValue: number;
  /** Mean of the segment before and after the split (within the segment that was split). */
  meanBefore: number;
  meanAfter: number;
  /** (meanAfter − meanBefore) ÷ meanBefore. */
  relativeChange: number;
}

interface Best {
  index: number;
  statistic: number;
}

/**
 * Find level shifts in `values` (in order). Hierarchical: split the segment holding the strongest divergence, test
 * it by permuting the points within every current segment, accept when p ≤ alpha, repeat. Returns the change points
 * sorted by index. O(n²) per scan; fine for the few hundred nightly runs a history holds.
 */
export function detectChangePoints(values: ArrayLike<number>, options: ChangePointOptions = {}): ChangePoint[] {
  const alpha = options.alpha ?? 0.05;
  const permutations = options.permutations ?? 199;
  const minSegment = Math.max(2, options.minSegment ?? 3);
  const maxChangePoints = options.maxChangePoints ?? 10;
  const random = new SeededRandom(options.seed ?? 1);
  const series = Array.from(values);
  const n = series.length;
  const found: ChangePoint[] = [];
  // Segment boundaries: [0, …cut indices…, n].
  const cuts = [0, n];
  while (found.length < maxChangePoints) {
    const observed = strongestSplit(series, cuts, minSegment);
    if (observed === null) break;
    let atLeast = 0;
    const shuffled = series.slice();
    for (let p = 0; p < permutations; p++) {
      for (let s = 0; s + 1 < cuts.length; s++) shuffleRange(shuffled, cuts[s]!, cuts[s + 1]!, random);
      const permuted = strongestSplit(shuffled, cuts, minSegment);
      if (permuted !== null && permuted.statistic >= observed.statistic) atLeast++;
    }
    const pValue = (atLeast + 1) / (permutations + 1);
    if (pValue > alpha) break;
    const segmentIndex = cuts.findIndex((cut) => cut > observed.index) - 1;
    const start = cuts[segmentIndex]!;
    const end = cuts[segmentIndex + 1]!;
    const meanBefore = mean(series.slice(start, observed.index));
    const meanAfter = mean(series.slice(observed.index, end));
    found.push({
      index: observed.index,
      statistic: observed.statistic,
      pValue,
      meanBefore,
      meanAfter,
      relativeChange: meanBefore === 0 ? Number.NaN : (meanAfter - meanBefore) / meanBefore,
    });
    cuts.splice(segmentIndex + 1, 0, observed.index);
  }
  return found.sort((a, b) => a.index - b.index);
}

// The split with the largest Q̂ over all segments, or null when no segment is long enough to split.
function strongestSplit(series: number[], cuts: number[], minSegment: number): Best | null {
  let best: Best | null = null;
  for (let s = 0; s + 1 < cuts.length; s++) {
    const candidate = bestSplitInSegment(series, cuts[s]!, cuts[s + 1]!, minSegment);
    if (candidate !== null && (best === null || candidate.statistic > best.statistic)) best = candidate;
  }
  return best;
}

/**
 * E-Divisive means statistic (α = 1) for splitting [start, end) at τ, with m = τ − start left and k = end − τ right:
 *   Q̂(τ) = m·k/(m+k) · ( 2/(m·k) Σ|xᵢ − xⱼ| − 1/C(m,2) Σ_left|xᵢ − xₗ| − 1/C(k,2) Σ_right|xⱼ − xₗ| ).
 * The three sums are updated in O(n) per τ.
 */
export function bestSplitInSegment(series: ArrayLike<number>, start: number, end: number, minSegment: number): Best | null {
  const length = end - start;
  if (length < 2 * minSegment) return null;
  const distance = (i: number, j: number) => Math.abs(series[i]! - series[j]!);
  // τ = start + minSegment to begin with.
  let tau = start + minSegment;
  let within = 0;
  for (let i = start; i < tau; i++) for (let j = i + 1; j < tau; j++) within += distance(i, j);
  let withinRight = 0;
  for (let i = tau; i < end; i++) for (let j = i + 1; j < end; j++) withinRight += distance(i, j);
  let between = 0;
  for (let i = start; i < tau; i++) for (let j = tau; j < end; j++) between += distance(i, j);
  let best: Best | null = null;
  for (;;) {
    const m = tau - start;
    const k = end - tau;
    const statistic = ((m * k) / (m + k)) * ((2 * between) / (m * k) - within / ((m * (m - 1)) / 2) - withinRight / ((k * (k - 1)) / 2));
    if (best === null || statistic > best.statistic) best = { index: tau, statistic };
    if (k - 1 < minSegment) break;
    // Move point τ from the right segment to the left one.
    let toLeft = 0;
    for (let i = start; i < tau; i++) toLeft += distance(i, tau);
    let toRight = 0;
    for (let j = tau + 1; j < end; j++) toRight += distance(tau, j);
    within += toLeft;
    withinRight -= toRight;
    between += toRight - toLeft;
    tau++;
  }
  return best;
}

// Fisher–Yates shuffle of values[start, end) in place.
function shuffleRange(values: number[], start: number, end: number, random: SeededRandom): void {
  for (let i = end - 1; i > start; i--) {
    const j = random.int(start, i + 1);
    const held = values[i]!;
    values[i] = values[j]!;
    values[j] = held;
  }
}
