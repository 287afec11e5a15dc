// Turn measured windows into a configuration's numbers, per the measurement definitions in docs/measurement.md.
import type { MeterInfo } from '../power/types.js';
import type { Measurement, Repetition } from '../results/types.js';
import type { CarbonSpec } from '../scenario/types.js';
import { samplesPerJouleInterval } from '../stats/interval.js';
import { meanWithCi95, summariseLatency } from '../stats/summary.js';

/** One window as measured: its duration, its runs, and the energy each meter saw. */
export interface WindowRecord {
  durationS: number;
  runs: number;
  energyJByMeter: Record<string, number>;
  /** Samples each meter delivered inside the window. */
  samplesByMeter?: Record<string, number>;
  /** Coverage problems the integration reported (meter gaps, extrapolation). */
  coverageNotes: string[];
  peakWatts: number;
  /** p99 of the window's run latencies. */
  p99Ms?: number;
  /** The round it ran in, when configurations were measured in rounds (what pairs windows across configurations). */
  round?: number;
}

/**
 * Power still drifting: mean power changing monotonically across at least this many windows, by more than
 * maxPowerDrift of the mean from first to last, means the device was still warming up (docs/measurement.md).
 * Run-to-run noise is not drift: it widens the interval, never makes a measurement invalid.
 */
export const driftMinWindows = 4;
export const maxPowerDrift = 0.05;

/** Fewest meter samples a window needs (≈ 10 per window is the target, MLPerf-style; a little phase slack allowed). */
export const minSamplesPerWindow = 8;

const joulesPerWh = 3600;

/** Everything a successful configuration's record holds that comes from measuring. */
export type MeasuredBlocks = Pick<Measurement, 'repetitions' | 'throughput' | 'latencyMs' | 'power' | 'energy' | 'validity'>;

/** Compute repetitions, throughput, latency, power, energy and validity from measured windows. */
export function summariseWindows(input: {
  windows: WindowRecord[];
  batchSize: number;
  latencyMs: ArrayLike<number>;
  meters: MeterInfo[];
  /** Idle watts per meter id, or null when no idle baseline was taken. */
  idleWatts: Record<string, number> | null;
  carbon: CarbonSpec;
}): MeasuredBlocks {
  const { windows, batchSize, meters, idleWatts, carbon } = input;
  const repetitions: Repetition[] = windows.map((window) => {
    const energyJ = Object.values(window.energyJByMeter).reduce((sum, value) => sum + value, 0);
    const samples = window.runs * batchSize;
    return {
      durationS: window.durationS,
      runs: window.runs,
      samples,
      samplesPerSecond: samples / window.durationS,
      meanWatts: energyJ / window.durationS,
      energyJ,
      ...(window.round !== undefined ? { round: window.round } : {}),
      ...(window.p99Ms !== undefined && Number.isFinite(window.p99Ms) ? { p99Ms: window.p99Ms } : {}),
    };
  });
  const totalS = repetitions.reduce((sum, r) => sum + r.durationS, 0);
  const totalSamples = repetitions.reduce((sum, r) => sum + r.samples, 0);
  const totalJ = repetitions.reduce((sum, r) => sum + r.energyJ, 0);

  const byMeter: Record<string, number> = {};
  for (const meter of meters) {
    const joules = windows.reduce((sum, window) => sum + (window.energyJByMeter[meter.id] ?? 0), 0);
    byMeter[meter.id] = joules / totalS;
  }
  const idleTotalW = idleWatts === null ? null : meters.reduce((sum, meter) => sum + (idleWatts[meter.id] ?? 0), 0);
  const joulesPerSample = totalJ / totalSamples;
  const netJoulesPerSample = idleTotalW === null ? null : (totalJ - idleTotalW * totalS) / totalSamples;
  const whPer1kSamples = (joulesPerSample * 1000) / joulesPerWh;
  const samplesPerJoule = samplesPerJouleInterval(totalSamples / totalJ, repetitions.map((r) => ({ samplesPerJoule: r.samples / r.energyJ })));

  const reasons: string[] = [];
  for (const meter of meters) {
    const shortest = Math.min(...repetitions.map((r) => r.durationS));
    if (shortest * 1000 < 10 * meter.periodMs) {
      reasons.push(`window ${shortest.toFixed(3)} s is shorter than 10 × the ${meter.id} period (${(meter.periodMs / 1000).toFixed(3)} s)`);
    }
  }
  // Sampled (instant) power needs enough points per window; counters and interval averages integrate exactly.
  for (const meter of meters.filter((m) => m.sampleKind === 'instant')) {
    const fewest = Math.min(...windows.map((window) => window.samplesByMeter?.[meter.id] ?? Number.POSITIVE_INFINITY));
    if (fewest < minSamplesPerWindow) {
      reasons.push(`meter ${meter.id} gave only ${fewest} samples in a window (at least ${minSamplesPerWindow} needed): lengthen the window`);
    }
  }
  for (const note of new Set(windows.flatMap((window) => window.coverageNotes))) reasons.push(note);
  const drift = powerDrift(repetitions.map((r) => r.meanWatts), totalJ / totalS);
  if (drift !== null) {
    reasons.push(`power was still drifting: mean watts moved ${(drift * 100).toFixed(1)}% in one direction across ${repetitions.length} windows (more than ${maxPowerDrift * 100}%): the device was still warming up; lengthen the warm-up`);
  }
  // Relative tolerance: when load equals idle, rounding leaves ±1e-17 instead of an exact 0.
  if (netJoulesPerSample !== null && netJoulesPerSample <= 1e-9 * joulesPerSample) {
    reasons.push('load power is indistinguishable from idle (net energy ≤ 0): the meter cannot see this workload');
  }

  return {
    repetitions,
    throughput: { samplesPerSecond: meanWithCi95(repetitions.map((r) => r.samplesPerSecond)) },
    latencyMs: summariseLatency(input.latencyMs),
    power: {
      meanWatts: totalJ / totalS,
      idleWatts: idleTotalW,
      peakWatts: Math.max(...windows.map((window) => window.peakWatts)),
      byMeter,
    },
    energy: {
      joulesPerSample,
      netJoulesPerSample,
      samplesPerJoule: 1 / joulesPerSample,
      samplesPerJouleCi95: samplesPerJoule.ci95,
      samplesPerJouleCiPercent: Number.isFinite(samplesPerJoule.halfWidthPercent) ? samplesPerJoule.halfWidthPercent : null,
      whPer1kSamples,
      gCO2ePer1kSamples: (whPer1kSamples / 1000) * carbon.gridIntensityGPerKWh * carbon.pue,
      estimated: meters.some((meter) => meter.estimated),
    },
    validity: { valid: reasons.length === 0, reasons },
  };
}

/** Relative change of mean power from the first to the last window when it moved the same way every window; null otherwise or below the threshold. */
export function powerDrift(meanWatts: readonly number[], overallW: number): number | null {
  if (meanWatts.length < driftMinWindows) return null;
  const steps = meanWatts.slice(1).map((watts, i) => Math.sign(watts - meanWatts[i]!));
  const monotone = steps.every((step) => step > 0) || steps.every((step) => step < 0);
  const change = Math.abs(meanWatts[meanWatts.length - 1]! - meanWatts[0]!) / overallW;
  return monotone && change > maxPowerDrift ? change : null;
}
