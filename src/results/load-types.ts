// The records load mode (src/load/) adds to result.json: `load`, `loadRecommendations` (schema/result.schema.json).
import type { Precision } from '../scenario/types.js';

/** One rate's record in result.json's `load` array (without the configuration fields). */
export interface LoadNumbers {
  targetRate: number;
  achievedRate: number;
  /** Completed requests per second from the first arrival to the last completion. */
  throughputRate: number;
  requests: number;
  durationS: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Distribution-free 95% interval of p99 (order statistics; null below minRequestsForP99 requests). */
  p99Ci95Ms: [number, number] | null;
  maxMs: number;
  /** Mean time from arrival to the batch's start (batching wait plus queueing). */
  meanWaitMs: number;
  generatorLagMs: { p50: number; p99: number; max: number };
  batches: number;
  meanBatchSize: number;
  /** Batches per batch size. */
  batchSizes: Record<string, number>;
  /** Session busy time ÷ (sessions × duration), 0–1. */
  utilisation: number;
  /** Time no session was running a batch, in seconds. */
  idleS: number;
  meanWatts: number;
  idleWatts: number | null;
  energyJ: number;
  joulesPerRequest: number;
  kWhPer1kRequests: number;
  /** Idle power × idle time ÷ total energy, 0–1 (null without an idle baseline). */
  idleShare: number | null;
  flatOutJoulesPerSample: number | null;
  /** joulesPerRequest ÷ flatOutJoulesPerSample (1 = as efficient as flat out). */
  vsFlatOut: number | null;
  estimated: boolean;
  /** MLPerf-style validity: the generator kept up, the rate was achieved within 1%, the p99 is stable. */
  valid: boolean;
  /** The p99 SLO is broken or completions fell behind the arrivals: this rate is more than the configuration serves. */
  overCapacity: boolean;
  /** Why the rate is invalid or over capacity. */
  reasons: string[];
  /** What to keep in mind that does not invalidate it (scheduling jitter, meter coverage). */
  warnings: string[];
}

/** One (configuration, batching policy, rate): what was served, how fast, and what each request cost. */
export interface LoadRecord extends LoadNumbers {
  /** `<model>/<precision>/<ep>/mb<maxBatch>-w<maxWaitMs>/s<sessions>@<rate>` (budgets match it). */
  key: string;
  model: string;
  precision: Precision;
  executionProvider: string;
  device: string;
  threads: number | null;
  maxBatch: number;
  maxWaitMs: number;
  sessions: number;
  arrivals: { kind: 'poisson'; seed: number } | { kind: 'trace'; file: string };
  sloP99Ms: number | null;
  /** The request count below which a p99 is not called stable. */
  minRequestsForP99: number;
  /** The limit on the generator's p99 lag that was applied (ms). */
  maxLagMs: number;
  status: 'ok' | 'failed';
  error: { code: string; message: string } | null;
}

/** Per target rate: the configuration and policy with the least energy per request within the p99 SLO. */
export interface LoadRecommendation {
  targetRate: number;
  key: string | null;
  joulesPerRequest: number | null;
  p99Ms: number | null;
  /** Why this one, or why none (every candidate over capacity or invalid). */
  reason: string;
  estimated: boolean;
}
