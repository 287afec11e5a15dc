// Per-rate numbers of a load run: rates, latency, batches, utilisation, and energy per request with its idle share.
import { percentileSorted } from '../stats/summary.js';
import type { LoadNumbers } from '../results/load-types.js';
import type { LoadTrace } from './runner.js';

export type { LoadNumbers };

/** Requests a p99 needs to be called stable: at least 10 beyond it (stated in every record). */
export const minRequestsForP99 = 1000;

/** What accounting needs beside the trace. */
export interface AccountingInput {
  targetRate: number;
  sessions: number;
  /** Energy all counted meters saw over [trace.startMs, windowEndMs(trace)]. */
  energyJ: number;
  /** Idle power of the counted meters (the idle baseline), or null when none was measured. */
  idleWatts: number | null;
  /** Energy per sample of the same configuration run flat out (back to back at maxBatch), or null. */
  flatOutJoulesPerSample: number | null;
  sloP99Ms: number | null;
  /** The generator counts as behind when its median lag exceeds this (ms); a p99 lag above it is a warning. */
  maxLagMs: number;
  estimated: boolean;
}

/** The end of the energy window: the schedule's end or the last completion, whichever is later. */
export function windowEndMs(trace: LoadTrace): number {
  return Math.max(trace.scheduleEndMs, trace.lastDoneMs);
}

/** Total length of the union of intervals (ms). */
export function unionMs(intervals: Array<{ startMs: number; endMs: number }>): number {
  const sorted = [...intervals].sort((a, b) => a.startMs - b.startMs);
  let total = 0;
  let openMs = Number.NEGATIVE_INFINITY;
  let closeMs = Number.NEGATIVE_INFINITY;
  for (const { startMs, endMs } of sorted) {
    if (startMs > closeMs) {
      if (closeMs > openMs) total += closeMs - openMs;
      openMs = startMs;
      closeMs = endMs;
    } else closeMs = Math.max(closeMs, endMs);
  }
  if (closeMs > openMs) total += closeMs - openMs;
  return total;
}

/**
 * The 95% distribution-free interval of the p-th percentile from n sorted values: ranks n·q ± 1.96·√(n·q·(1−q))
 * (normal approximation to the binomial count below the percentile).
 */
export function percentileCi95(sorted: Float64Array, p: number): [number, number] | null {
  const n = sorted.length;
  const q = p / 100;
  const half = 1.96 * Math.sqrt(n * q * (1 - q));
  const lo = Math.floor(n * q - half);
  const hi = Math.ceil(n * q + half);
  if (lo < 0 || hi > n - 1) return null;
  return [sorted[lo]!, sorted[hi]!];
}

/** The numbers of one rate from its trace and the energy its meters saw. */
export function accountLoad(trace: LoadTrace, input: AccountingInput): LoadNumbers {
  const requests = trace.latenciesMs.length;
  const endMs = windowEndMs(trace);
  const durationS = (endMs - trace.startMs) / 1000;
  const sorted = Float64Array.from(trace.latenciesMs).sort();
  const lags = Float64Array.from(trace.lagsMs).sort();
  const busyMs = trace.batches.reduce((sum, batch) => sum + (batch.endMs - batch.startMs), 0);
  const idleS = Math.max(0, endMs - trace.startMs - unionMs(trace.batches)) / 1000;
  // Issuing span: the schedule's, stretched by how late the generator issued the last request.
  const lastLagMs = requests > 0 ? trace.lagsMs[requests - 1]! : 0;
  const issueSpanS = (trace.scheduleEndMs - trace.startMs + lastLagMs) / 1000;
  const achievedRate = issueSpanS > 0 ? requests / issueSpanS : 0;
  const throughputRate = requests / ((trace.lastDoneMs - trace.startMs) / 1000);
  const batchSizes: Record<string, number> = {};
  for (const batch of trace.batches) batchSizes[String(batch.size)] = (batchSizes[String(batch.size)] ?? 0) + 1;
  const joulesPerRequest = input.energyJ / requests;
  const p99Ms = percentileSorted(sorted, 99);
  const lagP50 = percentileSorted(lags, 50);
  const lagP99 = percentileSorted(lags, 99);
  const reasons: string[] = [];
  const warnings: string[] = [];
  let valid = true;
  let overCapacity = false;
  // A generator that cannot keep up is late for the typical request (its median lag grows); a busy machine that
  // preempts it now and then makes only the tail late, which latency (timed from the scheduled arrival) already
  // carries: that is a warning, not a reason to throw the rate away.
  if (lagP50 > input.maxLagMs) {
    valid = false;
    reasons.push(`the request generator fell behind: median lag ${lagP50.toFixed(2)} ms > ${input.maxLagMs} ms, so the arrivals were not the intended process (fewer sessions, a quieter machine, or a lower rate)`);
  } else if (lagP99 > input.maxLagMs) {
    warnings.push(`scheduling jitter: 1% of requests were issued more than ${lagP99.toFixed(2)} ms late (limit ${input.maxLagMs} ms; the median ${lagP50.toFixed(2)} ms is within it): the machine is busy; latency is timed from the scheduled arrival, so it includes this`);
  }
  if (Math.abs(achievedRate - input.targetRate) > 0.01 * input.targetRate) {
    valid = false;
    reasons.push(`achieved ${achievedRate.toFixed(2)} req/s, more than 1% from the target ${input.targetRate}`);
  }
  if (requests < minRequestsForP99) {
    valid = false;
    reasons.push(`${requests} requests: a stable p99 needs at least ${minRequestsForP99} (10 beyond it); raise --requests or --seconds (load: requests, seconds)`);
  }
  if (input.sloP99Ms !== null && p99Ms > input.sloP99Ms) {
    overCapacity = true;
    reasons.push(`over capacity: p99 ${p99Ms.toFixed(2)} ms breaks the SLO of ${input.sloP99Ms} ms`);
  }
  if (throughputRate < 0.99 * input.targetRate) {
    overCapacity = true;
    reasons.push(`over capacity: completions ${throughputRate.toFixed(2)} req/s fell behind the arrivals (${input.targetRate} req/s)`);
  }
  // The idle baseline is measured once, before the rates: a machine whose background load fell since then draws less
  // than that "idle" power during the rate, and idle power × idle time would exceed the energy (clamped to 1).
  if (input.idleWatts !== null && durationS > 0 && input.idleWatts > input.energyJ / durationS) {
    warnings.push(`the idle baseline (${input.idleWatts.toFixed(2)} W) is above this rate's mean power (${(input.energyJ / durationS).toFixed(2)} W): the machine's background load changed since the baseline, so the idle share (clamped to 1) overstates the idle energy; measure on a quiet machine or with a hardware meter`);
  }
  return {
    targetRate: input.targetRate,
    achievedRate,
    throughputRate,
    requests,
    durationS,
    p50Ms: percentileSorted(sorted, 50),
    p90Ms: percentileSorted(sorted, 90),
    p99Ms,
    p99Ci95Ms: requests >= minRequestsForP99 ? percentileCi95(sorted, 99) : null,
    maxMs: sorted[requests - 1] ?? Number.NaN,
    meanWaitMs: trace.waitsMs.reduce((sum, wait) => sum + wait, 0) / requests,
    generatorLagMs: { p50: lagP50, p99: lagP99, max: lags[requests - 1] ?? Number.NaN },
    batches: trace.batches.length,
    meanBatchSize: requests / trace.batches.length,
    batchSizes,
    utilisation: busyMs / (input.sessions * (endMs - trace.startMs)),
    idleS,
    meanWatts: input.energyJ / durationS,
    idleWatts: input.idleWatts,
    energyJ: input.energyJ,
    joulesPerRequest,
    kWhPer1kRequests: (joulesPerRequest * 1000) / 3.6e6,
    idleShare: input.idleWatts === null ? null : Math.min(1, (input.idleWatts * idleS) / input.energyJ),
    flatOutJoulesPerSample: input.flatOutJoulesPerSample,
    vsFlatOut: input.flatOutJoulesPerSample === null ? null : joulesPerRequest / input.flatOutJoulesPerSample,
    estimated: input.estimated,
    valid,
    overCapacity,
    reasons,
    warnings,
  };
}
