// The open-loop load runner: requests arrive on a schedule, a dynamic batcher groups what has arrived, and a pool of
// sessions runs the batches. Latency runs from a request's scheduled arrival to its batch's completion, so the
// batching wait and the queueing are in it, and a late generator cannot hide queueing (no coordinated omission).
import type { LoadClock } from './clock.js';

/** Anything that runs a batch of requests: an onnxruntime session, or a stand-in with a fixed service time. */
export interface BatchSession {
  run(batchSize: number): Promise<void>;
}

/** The dynamic batching policy: a batch leaves when it is full or when its oldest request has waited maxWaitMs. */
export interface BatchPolicy {
  maxBatch: number;
  maxWaitMs: number;
}

/** What one load run did, in raw form (the clock's ms). */
export interface LoadTrace {
  startMs: number;
  /** When the schedule ends (start + its span). */
  scheduleEndMs: number;
  /** The last completion. */
  lastDoneMs: number;
  /** Per request: scheduled arrival → completion. */
  latenciesMs: Float64Array;
  /** Per request: scheduled arrival → its batch started (batching wait plus queueing). */
  waitsMs: Float64Array;
  /** Per request: how late the generator issued it. */
  lagsMs: Float64Array;
  /** When the generator issued the last request. */
  lastIssueMs: number;
  /** Per batch: its size, its session, and when it ran. */
  batches: Array<{ size: number; session: number; startMs: number; endMs: number }>;
  /** A batch whose session.run threw (the run stops at the first). */
  error: unknown;
}

/**
 * Drive `sessions` with arrivals at `startMs + arrivalsMs[i]` (ascending offsets) until every request is done.
 * `scheduleSpanMs` is the span the schedule covers (a Poisson schedule's next arrival would fall at its end).
 */
export function runLoad(options: {
  clock: LoadClock;
  sessions: BatchSession[];
  policy: BatchPolicy;
  arrivalsMs: Float64Array;
  scheduleSpanMs: number;
  startMs: number;
  /** Checked at each arrival: true ends the run at once (interrupt); the trace is then partial. */
  stopped?: () => boolean;
}): Promise<LoadTrace> {
  const { clock, sessions, policy, arrivalsMs, startMs } = options;
  const count = arrivalsMs.length;
  const trace: LoadTrace = {
    startMs,
    scheduleEndMs: startMs + options.scheduleSpanMs,
    lastDoneMs: startMs,
    latenciesMs: new Float64Array(count),
    waitsMs: new Float64Array(count),
    lagsMs: new Float64Array(count),
    lastIssueMs: startMs,
    batches: [],
    error: null,
  };
  const queue: number[] = [];
  const idle: number[] = sessions.map((_, i) => i);
  let issued = 0;
  let done = 0;
  let cancelDeadline: (() => void) | null = null;
  let deadlineMs = Number.NaN;
  let finished = false;

  return new Promise<LoadTrace>((resolve) => {
    const finish = () => {
      finished = true;
      cancelDeadline?.();
      resolve(trace);
    };
    const arrive = () => {
      if (finished) return;
      if (options.stopped?.()) {
        finish();
        return;
      }
      const i = issued++;
      const now = clock.now();
      trace.lagsMs[i] = Math.max(0, now - (startMs + arrivalsMs[i]!));
      trace.lastIssueMs = now;
      queue.push(i);
      if (issued < count) clock.at(startMs + arrivalsMs[issued]!, arrive);
      dispatch();
    };
    const dispatch = () => {
      if (trace.error !== null) return;
      while (queue.length > 0 && idle.length > 0) {
        const oldestDueMs = startMs + arrivalsMs[queue[0]!]! + policy.maxWaitMs;
        const now = clock.now();
        if (queue.length < policy.maxBatch && now < oldestDueMs) {
          if (deadlineMs !== oldestDueMs) {
            cancelDeadline?.();
            deadlineMs = oldestDueMs;
            cancelDeadline = clock.at(oldestDueMs, () => {
              cancelDeadline = null;
              deadlineMs = Number.NaN;
              dispatch();
            });
          }
          return;
        }
        startBatch(queue.splice(0, policy.maxBatch), idle.shift()!, now);
      }
    };
    const startBatch = (requests: number[], session: number, now: number) => {
      for (const i of requests) trace.waitsMs[i] = now - (startMs + arrivalsMs[i]!);
      sessions[session]!.run(requests.length).then(
        () => {
          const end = clock.now();
          trace.batches.push({ size: requests.length, session, startMs: now, endMs: end });
          for (const i of requests) trace.latenciesMs[i] = end - (startMs + arrivalsMs[i]!);
          trace.lastDoneMs = Math.max(trace.lastDoneMs, end);
          done += requests.length;
          idle.push(session);
          if (done === count) finish();
          else dispatch();
        },
        (error: unknown) => {
          trace.error = error;
          finish();
        },
      );
    };
    if (count === 0) finish();
    else clock.at(startMs + arrivalsMs[0]!, arrive);
  });
}
