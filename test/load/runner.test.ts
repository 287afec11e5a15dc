// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poissonArrivalsMs, scheduleSpanMs } from '../../src/load/arrivals.js';
import { VirtualClock } from '../../src/load/clock.js';
import { runLoad, type BatchSession } from '../../src/load/runner.js';

// A stand-in session: every batch takes serviceMs(batch) of simulated time.
function standIn(clock: VirtualClock, serviceMs: (batch: number) => number): BatchSession {
  return { run: (batch) => clock.sleep(serviceMs(batch)) };
}

async function simulate(options: { arrivalsMs: number[] | Float64Array; spanMs: number; serviceMs: (batch: number) => number; maxBatch: number; maxWaitMs: number; sessions?: number }) {
  const clock = new VirtualClock(1000);
  const sessions = Array.from({ length: options.sessions ?? 1 }, () => standIn(clock, options.serviceMs));
  const done = runLoad({ clock, sessions, policy: { maxBatch: options.maxBatch, maxWaitMs: options.maxWaitMs }, arrivalsMs: Float64Array.from(options.arrivalsMs), scheduleSpanMs: options.spanMs, startMs: 1000 });
  await clock.run();
  return done;
}

test('a lone request waits maxWaitMs for company, then runs: latency = wait + service', async () => {
  const trace = await simulate({ arrivalsMs: [0], spanMs: 100, serviceMs: () => 10, maxBatch: 8, maxWaitMs: 5 });
  assert.deepEqual([...trace.latenciesMs], [15]);
  assert.deepEqual([...trace.waitsMs], [5]);
  assert.deepEqual(trace.batches, [{ size: 1, session: 0, startMs: 1005, endMs: 1015 }]);
  assert.equal(trace.lagsMs[0], 0);
});

test('a full batch leaves at once; requests arriving while the session is busy queue and leave together; a partial batch waits out its max wait', async () => {
  // 3 arrive at 0,1,2 (max batch 3: full at 2, runs 2–12); 4 more at 3,4,5,6 queue, run 12–22 as 3; the last one,
  // alone, waits for company until its max wait ends (6 + 50 = 56) and runs 56–66.
  const trace = await simulate({ arrivalsMs: [0, 1, 2, 3, 4, 5, 6], spanMs: 100, serviceMs: () => 10, maxBatch: 3, maxWaitMs: 50 });
  assert.deepEqual(trace.batches.map((b) => [b.size, b.startMs - 1000, b.endMs - 1000]), [[3, 2, 12], [3, 12, 22], [1, 56, 66]]);
  assert.deepEqual([...trace.latenciesMs], [12, 11, 10, 19, 18, 17, 60]);
});

test('two sessions run two batches at once', async () => {
  const trace = await simulate({ arrivalsMs: [0, 1], spanMs: 100, serviceMs: () => 10, maxBatch: 1, maxWaitMs: 0, sessions: 2 });
  assert.deepEqual(trace.batches.map((b) => [b.session, b.startMs - 1000]), [[0, 0], [1, 1]]);
  assert.deepEqual([...trace.latenciesMs], [10, 10]);
});

test('Poisson arrivals and a fixed service time queue as M/D/1 predicts: Wq = ρS / (2(1 − ρ))', async () => {
  // S = 10 ms, 40,000 requests. Over seeds 1–12 the mean wait's relative error had a standard deviation of 1.3% at
  // ρ = 0.5 (Wq = 5 ms) and 3.1% at ρ = 0.8 (Wq = 20 ms; waits are longer-correlated near saturation), so the
  // tolerances, 5% and 12%, are about 4σ: stated from the spread, not tuned to the seeds checked here.
  for (const [rate, expectedMs, tolerance] of [[50, 5, 0.05], [80, 20, 0.12]] as const) {
    for (const seed of [1, 2, 3]) {
      const arrivals = poissonArrivalsMs(rate, 40_000, seed);
      const trace = await simulate({ arrivalsMs: arrivals, spanMs: scheduleSpanMs(rate, 40_000), serviceMs: () => 10, maxBatch: 1, maxWaitMs: 0 });
      const meanWaitMs = trace.waitsMs.reduce((sum, w) => sum + w, 0) / trace.waitsMs.length;
      assert.ok(Math.abs(meanWaitMs - expectedMs) / expectedMs < tolerance, `rate ${rate}, seed ${seed}: mean wait ${meanWaitMs} ms, M/D/1 says ${expectedMs} ms`);
    }
  }
});
