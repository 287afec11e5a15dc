// The embedded default meter: CPU power estimated from TDP × utilisation when no hardware meter exists.
import os from 'node:os';
import { realClock, type Clock } from './core/clock.js';
import { SampledMeter, Sampler, type Feed, type FeedSink } from './core/sampler.js';
import { estimateCpuTdp } from './cpu-tdp.js';
import type { MeterContext, MeterFactory } from './types.js';

/** Fraction of TDP drawn by an idle package in the estimate (the rest scales with utilisation). */
export const idleFractionOfTdp = 0.1;

/** Estimated power at a utilisation in [0, 1]: TDP × (0.1 + 0.9 × u), in the spirit of CodeCarbon's load-based fallback. */
export function estimatePowerW(tdpW: number, utilisation: number): number {
  const u = Math.min(1, Math.max(0, utilisation));
  return tdpW * (idleFractionOfTdp + (1 - idleFractionOfTdp) * u);
}

/** Busy and total CPU time over all visible CPUs, in ms (os.cpus() is cheap: ~50 µs). */
export function cpuTimes(): { busyMs: number; totalMs: number } {
  let busyMs = 0;
  let totalMs = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    busyMs += t.user + t.nice + t.sys + t.irq;
    totalMs += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busyMs, totalMs };
}

/** What the estimate reads; tests inject a clock and CPU times. */
export interface EstimateOptions {
  clock?: Clock;
  cpuTimes?: () => { busyMs: number; totalMs: number };
}

/** A polled estimate of CPU package power; every sample is the mean since the previous one. */
export class EstimateMeter extends SampledMeter {
  // 50 ms: os.cpus() counts CPU time in 10 ms ticks, so a 0.5 s window (10 periods, the shortest this meter then
  // supports) holds 50 ticks per CPU; the last sample is taken at the window's end (sampleAfter), so edges are exact
  // to one period.
  constructor(tdpW: number, source: string, periodMs = 50, options: EstimateOptions = {}) {
    const clock = options.clock ?? realClock;
    const readTimes = options.cpuTimes ?? cpuTimes;
    let last = readTimes();
    let utilisation = 0;
    const sample = (sink: FeedSink) => {
      const now = readTimes();
      const totalMs = now.totalMs - last.totalMs;
      // CPU times tick at 10 ms per CPU: a very short interval may show no tick; keep the last utilisation then.
      if (totalMs > 0) {
        utilisation = (now.busyMs - last.busyMs) / totalMs;
        last = now;
      }
      sink.push({ key: 0, tMs: clock.now(), powerW: estimatePowerW(tdpW, utilisation) });
    };
    const feed: Feed = {
      open(sink) {
        last = readTimes();
        utilisation = 0;
        sink.push({ key: 0, tMs: clock.now(), powerW: estimatePowerW(tdpW, 0) });
      },
      poll: sample,
      close: sample,
    };
    super(new Sampler(feed, { clock, periodMs, retryMs: 0, waitMs: (tMs, now) => Math.max(0, tMs - now) + periodMs }), 0, {
      id: 'estimate',
      kind: 'estimate',
      scope: 'cpu-package',
      device: 'cpu',
      periodMs,
      estimated: true,
      sampleKind: 'interval-average',
      detail: `ESTIMATED: ${tdpW} W TDP × (0.1 + 0.9 × CPU utilisation) — ${source}`,
    });
  }
}

/** Registry entry for the estimate meter. */
export const estimateMeterFactory: MeterFactory = {
  name: 'estimate',
  description: 'CPU power estimated from TDP × utilisation (no hardware meter; always marked estimated)',
  hardware: false,
  group: 'cpu',
  fallback: 'no CPU power meter works here, so CPU power is ESTIMATED from',
  argument: 'none',
  async probe(context: MeterContext) {
    return { ok: true, detail: describeTdp(context).source };
  },
  async create(context: MeterContext) {
    const { tdpW, source } = describeTdp(context);
    return [new EstimateMeter(tdpW, source)];
  },
};

function describeTdp(context: MeterContext): { tdpW: number; source: string } {
  if (context.cpuTdpWatts !== null) return { tdpW: context.cpuTdpWatts, source: 'TDP given by --cpu-tdp-watts / cpuTdpWatts' };
  const model = os.cpus()[0]?.model ?? 'unknown';
  return estimateCpuTdp(model, os.cpus().length);
}
