// Energy from power samples over a time window, per the measurement definitions in docs/measurement.md.
import type { PowerSample, SampleKind } from '../power/types.js';

/** Energy over [t0Ms, t1Ms] and how well the samples covered it. */
export interface WindowEnergy {
  energyJ: number;
  meanPowerW: number;
  /** Samples whose time falls inside the window. */
  samplesInWindow: number;
  /** True when samples exist at or before t0 and at or after t1 (no extrapolation was needed). */
  covered: boolean;
  /** The largest gap between consecutive samples that touch the window. */
  maxGapMs: number;
  /**
   * The longest sample interval that contains a window edge (0 when both edges fall on samples). For interval
   * averages this is the only gap that costs accuracy: inside the window a sample after a gap still holds the exact
   * mean since the previous one, but at an edge the interval's energy is split as if its power were even.
   */
  edgeGapMs: number;
}

// Index of the first sample with tMs >= t, or with `after` the first with tMs > t (binary search; time-ordered).
function lowerBound(samples: readonly PowerSample[], tMs: number, after = false): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid]!.tMs < tMs || (after && samples[mid]!.tMs === tMs)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Linear interpolation of instant samples at t, holding the edge values outside the sampled range.
function powerAt(samples: readonly PowerSample[], tMs: number): number {
  const i = lowerBound(samples, tMs);
  if (i === 0) return samples[0]!.powerW;
  if (i === samples.length) return samples[samples.length - 1]!.powerW;
  const a = samples[i - 1]!;
  const b = samples[i]!;
  if (b.tMs === a.tMs) return b.powerW;
  return a.powerW + ((b.powerW - a.powerW) * (tMs - a.tMs)) / (b.tMs - a.tMs);
}

/**
 * ∫ P dt over [t0Ms, t1Ms] in joules.
 * `instant` samples: trapezoids between samples, linear interpolation at the window edges.
 * `interval-average` samples: the sample at t_k holds for (t_{k−1}, t_k]; each interval counts by its overlap.
 * Outside the sampled range the nearest value is held and `covered` is false.
 */
export function integrateEnergy(
  samples: readonly PowerSample[],
  t0Ms: number,
  t1Ms: number,
  kind: SampleKind,
): WindowEnergy {
  if (samples.length === 0) throw new Error('no power samples to integrate');
  if (!(t1Ms > t0Ms)) throw new Error(`empty window [${t0Ms}, ${t1Ms}]`);
  const first = lowerBound(samples, t0Ms);
  const afterLast = lowerBound(samples, t1Ms, true);
  const covered = samples[0]!.tMs <= t0Ms && samples[samples.length - 1]!.tMs >= t1Ms;
  let maxGapMs = 0;
  const from = Math.max(first - 1, 0);
  const to = Math.min(afterLast, samples.length - 1);
  for (let i = from + 1; i <= to; i++) maxGapMs = Math.max(maxGapMs, samples[i]!.tMs - samples[i - 1]!.tMs);
  const edgeGapMs = Math.max(intervalAround(samples, first, t0Ms), intervalAround(samples, lowerBound(samples, t1Ms), t1Ms));

  let energyMsW = 0;
  if (kind === 'instant') {
    let tPrev = t0Ms;
    let pPrev = powerAt(samples, t0Ms);
    for (let i = first; i < afterLast; i++) {
      const s = samples[i]!;
      energyMsW += ((pPrev + s.powerW) / 2) * (s.tMs - tPrev);
      tPrev = s.tMs;
      pPrev = s.powerW;
    }
    energyMsW += ((pPrev + powerAt(samples, t1Ms)) / 2) * (t1Ms - tPrev);
  } else {
    // Step function: the value of the first sample at or after t holds at t.
    let tPrev = t0Ms;
    for (let i = first; i < samples.length && tPrev < t1Ms; i++) {
      const s = samples[i]!;
      const tEnd = Math.min(s.tMs, t1Ms);
      energyMsW += s.powerW * (tEnd - tPrev);
      tPrev = tEnd;
    }
    // Past the last sample: hold the last value.
    if (tPrev < t1Ms) energyMsW += samples[samples.length - 1]!.powerW * (t1Ms - tPrev);
  }
  const energyJ = energyMsW / 1000;
  return {
    energyJ,
    meanPowerW: energyJ / ((t1Ms - t0Ms) / 1000),
    samplesInWindow: afterLast - first,
    covered,
    maxGapMs,
    edgeGapMs,
  };
}

// The length of the sample interval strictly containing t (0 when a sample falls on t or t lies outside the samples);
// `i` is lowerBound(samples, t).
function intervalAround(samples: readonly PowerSample[], i: number, tMs: number): number {
  return i > 0 && i < samples.length && samples[i]!.tMs > tMs ? samples[i]!.tMs - samples[i - 1]!.tMs : 0;
}

/** Highest sample inside [t0Ms, t1Ms] (NaN when none falls inside). */
export function peakPower(samples: readonly PowerSample[], t0Ms: number, t1Ms: number): number {
  let peak = Number.NaN;
  for (let i = lowerBound(samples, t0Ms); i < samples.length && samples[i]!.tMs <= t1Ms; i++) {
    const p = samples[i]!.powerW;
    if (!(p <= peak)) peak = p;
  }
  return peak;
}

/** Samples inside [t0Ms, t1Ms] (for trace files). */
export function samplesBetween(samples: readonly PowerSample[], t0Ms: number, t1Ms: number): PowerSample[] {
  const out: PowerSample[] = [];
  for (let i = lowerBound(samples, t0Ms); i < samples.length && samples[i]!.tMs <= t1Ms; i++) out.push(samples[i]!);
  return out;
}
