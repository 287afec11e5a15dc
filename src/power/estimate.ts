// The embedded default meter: CPU power estimated from TDP × utilisation when no hardware meter exists.
import os from 'node:os';
import { estimateCpuTdp } from './cpu-tdp.js';
import type { MeterContext, MeterFactory, MeterInfo, PowerMeter, PowerSample } from './types.js';

/** Fraction of TDP drawn by an idle package in the estimate (the rest scales with utilisation). */
export const idleFractionOfTdp = 0.1;

/** Estimated power at a utilisation in [0, 1]: TDP × (0.1 + 0.9 × u), in the spirit of CodeCarbon's load-based fallback. */
export function estimatePowerW(tdpW: number, utilisation: number): number {
  const u = Math.min(1, Math.max(0, utilisation));
  return tdpW * (idleFractionOfTdp + (1 - idleFractionOfTdp) * u);
}

// Busy and total CPU time over all visible CPUs, in ms (os.cpus() is cheap: ~50 µs).
function cpuTimes(): { busyMs: number; totalMs: number } {
  let busyMs = 0;
  let totalMs = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    busyMs += t.user + t.nice + t.sys + t.irq;
    totalMs += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busyMs, totalMs };
}

/** A polled estimate of CPU package power; every sample is the mean since the previous one. */
export class EstimateMeter implements PowerMeter {
  readonly info: MeterInfo;
  private readonly tdpW: number;
  private readonly recorded: PowerSample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private last = cpuTimes();
  private lastUtilisation = 0;

  // 50 ms: os.cpus() counts CPU time in 10 ms ticks, so a 0.5 s window (10 periods, the shortest this meter then
  // supports) holds 50 ticks per CPU; the last sample is taken at the window's end (sampleAfter), so edges are exact
  // to one period.
  constructor(tdpW: number, source: string, periodMs = 50) {
    this.tdpW = tdpW;
    this.info = {
      id: 'estimate',
      kind: 'estimate',
      scope: 'cpu-package',
      device: 'cpu',
      periodMs,
      estimated: true,
      sampleKind: 'interval-average',
      detail: `ESTIMATED: ${tdpW} W TDP × (0.1 + 0.9 × CPU utilisation) — ${source}`,
    };
  }

  async start(): Promise<void> {
    this.last = cpuTimes();
    this.recorded.push({ tMs: performance.now(), powerW: estimatePowerW(this.tdpW, 0) });
    this.timer = setInterval(() => this.sampleNow(), this.info.periodMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sampleNow();
  }

  samples(): readonly PowerSample[] {
    return this.recorded;
  }

  async sampleAfter(tMs: number): Promise<void> {
    const lastSample = this.recorded[this.recorded.length - 1];
    if (!lastSample || lastSample.tMs < tMs) this.sampleNow();
  }

  failure(): Error | null {
    return null;
  }

  async restart(): Promise<boolean> {
    return true;
  }

  private sampleNow(): void {
    const now = cpuTimes();
    const totalMs = now.totalMs - this.last.totalMs;
    // CPU times tick at 10 ms per CPU: a very short interval may show no tick; keep the last utilisation then.
    if (totalMs > 0) {
      this.lastUtilisation = (now.busyMs - this.last.busyMs) / totalMs;
      this.last = now;
    }
    this.recorded.push({ tMs: performance.now(), powerW: estimatePowerW(this.tdpW, this.lastUtilisation) });
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
