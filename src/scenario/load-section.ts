// The scenario's `load:` section (joulebench load, docs/load.md): target rates, batching policies, sessions, arrivals.
import path from 'node:path';
import { z } from 'zod';
import { strictObject } from './issues.js';

/** `load:` resolved: every field filled in (a trace path made absolute). */
export interface LoadSpec {
  rates: number[];
  maxBatch: number[];
  maxWaitMs: number[];
  sessions: number;
  requests: number;
  seconds: number;
  seed: number;
  /** Absolute path of an arrival trace, or null for Poisson arrivals. */
  trace: string | null;
  flatOutSeconds: number;
}

/** What `load:` gets for each key it leaves out (and `joulebench load` for each flag). */
export const loadDefaults: Omit<LoadSpec, 'rates'> = { maxBatch: [8], maxWaitMs: [5], sessions: 1, requests: 1000, seconds: 10, seed: 1, trace: null, flatOutSeconds: 2 };

const rate = z.number({ error: 'expected a request rate above 0 (requests per second)' }).positive({ error: 'expected a request rate above 0 (requests per second)' });
// One value or a list of them (one value is read as a list of one).
const oneOrMany = <T extends z.ZodType>(item: T) => z.preprocess((value) => (Array.isArray(value) || value == null ? value : [value]), z.array(item, { error: 'expected a value or a list of values' }).min(1, { error: 'expected at least one value' }));
const wholePositive = (expected: string) => z.number({ error: expected }).int({ error: expected }).positive({ error: expected });
const nonNegative = (expected: string) => z.number({ error: expected }).nonnegative({ error: expected });

/** The zod schema of `load:`. */
export const loadSection = strictObject(
  {
    rates: oneOrMany(rate),
    maxBatch: oneOrMany(wholePositive('expected a whole number of requests, at least 1')).nullish(),
    maxWaitMs: oneOrMany(nonNegative('expected milliseconds, 0 or more')).nullish(),
    sessions: wholePositive('expected a whole number of sessions, at least 1').nullish(),
    requests: wholePositive('expected a whole number of requests, at least 1').nullish(),
    seconds: nonNegative('expected seconds, 0 or more').nullish(),
    seed: z.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' }).nullish(),
    trace: z.string({ error: 'expected the path of an arrival trace' }).min(1, { error: 'expected the path of an arrival trace' }).nullish(),
    flatOutSeconds: nonNegative('expected seconds, 0 or more').nullish(),
  },
  'expected a mapping like {rates: [20, 200], maxBatch: 8, maxWaitMs: 5}',
  { rate: 'rates', max_batch: 'maxBatch', batch: 'maxBatch', maxWait: 'maxWaitMs', max_wait_ms: 'maxWaitMs', duration: 'seconds', minSeconds: 'seconds', concurrency: 'sessions' },
);


/** Defaults filled in; a relative trace path is taken from the scenario's folder. */
export function toLoadSpec(parsed: z.output<typeof loadSection>, baseDir: string): LoadSpec {
  return {
    rates: [...parsed.rates],
    maxBatch: [...(parsed.maxBatch ?? loadDefaults.maxBatch)],
    maxWaitMs: [...(parsed.maxWaitMs ?? loadDefaults.maxWaitMs)],
    sessions: parsed.sessions ?? loadDefaults.sessions,
    requests: parsed.requests ?? loadDefaults.requests,
    seconds: parsed.seconds ?? loadDefaults.seconds,
    seed: parsed.seed ?? loadDefaults.seed,
    trace: parsed.trace ? path.resolve(baseDir, parsed.trace) : null,
    flatOutSeconds: parsed.flatOutSeconds ?? loadDefaults.flatOutSeconds,
  };
}
