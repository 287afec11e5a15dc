// The records load mode adds to result.json (`load`, `loadRecommendations`; schema/result.schema.json documents them).
import type { Precision } from '../scenario/types.js';
import type { LoadNumbers } from './accounting.js';

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
