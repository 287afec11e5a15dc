// The sweep's view of its power meters: energy over a span (after the meters caught up with its end), a meter that
// died restarted once, idle power, and waiting for power to come back near idle.
import { MeterError } from '../errors.js';
import { integrateEnergy, peakPower } from './integrate.js';
import type { PowerMeter } from '../power/types.js';

/** Energy each meter saw over a span, with the coverage problems found. */
export interface SpanEnergy {
  byMeter: Record<string, number>;
  samplesByMeter: Record<string, number>;
  notes: string[];
  peakWatts: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Energy and idle power from the run's meters; records the first meter that died and could not be restarted. */
export class Metering {
  /** A meter that died and could not be restarted (ends the run; what was measured stays on disk). */
  fatalMeter: PowerMeter | null = null;
  private readonly restarted = new Set<string>();

  constructor(readonly meters: PowerMeter[]) {}

  /** The slowest meter period (ms) among `counted` (all meters when omitted). */
  slowestPeriodMs(counted: PowerMeter[] = this.meters): number {
    return Math.max(0, ...counted.map((meter) => meter.info.periodMs));
  }

  /**
   * A window shorter than ten meter periods cannot be integrated reliably (docs/measurement.md). Polled meters learn
   * their achieved period as they run (a loaded machine slows rocm-smi down), so this is read again per window.
   */
  minWindowS(counted: PowerMeter[], floorS: number): number {
    return Math.max(floorS, (10 * this.slowestPeriodMs(counted)) / 1000);
  }

  /** Energy per meter over [t0Ms, t1Ms], after the counted meters delivered a sample past t1Ms. */
  async energyOver(t0Ms: number, t1Ms: number, counted: PowerMeter[]): Promise<SpanEnergy> {
    await Promise.all(counted.map((meter) => meter.sampleAfter(t1Ms).catch(() => {})));
    const result: SpanEnergy = { byMeter: {}, samplesByMeter: {}, notes: [], peakWatts: 0 };
    for (const meter of counted) {
      if (meter.samples().length === 0) {
        throw new MeterError('METER_NO_SAMPLES', `meter ${meter.info.id} produced no power samples${meter.failure() ? `: ${meter.failure()!.message}` : ''}`);
      }
      const window = integrateEnergy(meter.samples(), t0Ms, t1Ms, meter.info.sampleKind);
      result.byMeter[meter.info.id] = window.energyJ;
      result.samplesByMeter[meter.info.id] = window.samplesInWindow;
      if (!window.covered) result.notes.push(`meter ${meter.info.id} did not cover the whole window (values extrapolated)`);
      // Instant samples leave a gap unobserved; interval averages (counters, the estimate) cover it exactly, except
      // where it spans a window edge (docs/measurement.md "Validity").
      const atEdge = meter.info.sampleKind === 'interval-average';
      const gapMs = atEdge ? window.edgeGapMs : window.maxGapMs;
      if (gapMs > Math.min(3 * meter.info.periodMs, 1000) && gapMs > meter.info.periodMs) {
        result.notes.push(`meter ${meter.info.id} had a ${Math.round(gapMs)} ms gap between samples${atEdge ? ' across a window edge' : ''} (period ${Math.round(meter.info.periodMs)} ms)`);
      }
      const peak = peakPower(meter.samples(), t0Ms, t1Ms);
      result.peakWatts += Number.isNaN(peak) ? window.meanPowerW : peak;
    }
    result.notes.push(...(await this.revive(counted)));
    return result;
  }

  // A meter that failed during a window: the window is marked incomplete and the meter restarted once.
  private async revive(counted: PowerMeter[]): Promise<string[]> {
    const notes: string[] = [];
    for (const meter of counted) {
      const failure = meter.failure();
      if (!failure) continue;
      const firstTime = !this.restarted.has(meter.info.id);
      this.restarted.add(meter.info.id);
      const revived = firstTime && (await meter.restart().catch(() => false));
      notes.push(`incomplete: meter ${meter.info.id} failed during this window (${failure.message})${revived ? '; it was restarted' : ''}`);
      if (!revived) this.fatalMeter = meter;
    }
    return notes;
  }

  /** Idle power per meter over a quiet span of `seconds`. */
  async measureIdle(seconds: number): Promise<{ durationS: number; watts: Record<string, number>; warnings: string[] }> {
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const t1 = performance.now();
    const { byMeter } = await this.energyOver(t0, t1, this.meters);
    const watts: Record<string, number> = {};
    for (const [id, joules] of Object.entries(byMeter)) watts[id] = joules / ((t1 - t0) / 1000);
    return { durationS: (t1 - t0) / 1000, watts, warnings: [] };
  }

  /**
   * Wait (at most maxSeconds) until the counted meters are back within marginPercent of their idle power, so one
   * configuration's heat does not bias the next; `onStep` sees each check. Returns the seconds waited.
   */
  async coolDown(
    counted: PowerMeter[],
    idleWatts: Record<string, number>,
    settings: { maxSeconds: number; marginPercent: number },
    stopped: () => boolean,
    onStep: (step: { waitedS: number; watts: number; targetWatts: number }) => void,
  ): Promise<number> {
    const targetWatts = counted.reduce((sum, meter) => sum + (idleWatts[meter.info.id] ?? 0), 0) * (1 + settings.marginPercent / 100);
    const startMs = performance.now();
    const stepMs = Math.max(500, 5 * this.slowestPeriodMs());
    while (!stopped() && performance.now() - startMs < settings.maxSeconds * 1000) {
      const t0 = performance.now();
      await sleep(stepMs);
      // The span ends here: energyOver then waits for the meters' next sample, which is no part of it.
      const t1 = performance.now();
      const { byMeter } = await this.energyOver(t0, t1, counted);
      const watts = Object.values(byMeter).reduce((sum, joules) => sum + joules, 0) / ((t1 - t0) / 1000);
      onStep({ waitedS: (performance.now() - startMs) / 1000, watts, targetWatts });
      if (watts <= targetWatts) break;
    }
    return (performance.now() - startMs) / 1000;
  }
}
