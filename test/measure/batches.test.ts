import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchesPerWindow, runProgress, windowBatches } from '../../src/measure/batches.js';

test('batchesPerWindow: 3 periods of the slowest meter each, at most one per run and 10 per window, at least one', () => {
  assert.equal(batchesPerWindow(1, 100, 100), 3); // 1000 ms ÷ 300 ms
  assert.equal(batchesPerWindow(1, 100, 10), 10); // 33 fit; capped at 10
  assert.equal(batchesPerWindow(1, 2, 10), 2); // two runs, two batches
  assert.equal(batchesPerWindow(0.1, 100, 100), 1); // shorter than 3 periods
  assert.equal(batchesPerWindow(1, 100, 0), 10); // a meter with no period (counter read on demand)
});

test('runProgress: runs back to back across the window, each in proportion to its latency', () => {
  // Latencies 1 and 3 ms fill a window from 0 to 8 ms: run 1 ends at 2 ms, run 2 at 8 ms.
  const progress = runProgress([1, 3], 0, 8);
  assert.equal(progress(-1), 0);
  assert.equal(progress(1), 0.5);
  assert.equal(progress(2), 1);
  assert.equal(progress(5), 1.5);
  assert.equal(progress(8), 2);
  assert.equal(progress(9), 2);
});

test('windowBatches: equal slices of the window with their share of samples and their energy', () => {
  // Batch size 4; slices [0,4] and [4,8] ms: progress(4) = 1 + 1/3 runs → 16/3 samples, then 8/3.
  const batches = windowBatches({ t0Ms: 0, t1Ms: 8, latenciesMs: [1, 3], batchSize: 4, count: 2, energyJBetween: (a, b) => (b - a) * 10 });
  assert.equal(batches.length, 2);
  assert.ok(Math.abs(batches[0]!.samples - 16 / 3) < 1e-12 && Math.abs(batches[1]!.samples - 8 / 3) < 1e-12);
  assert.deepEqual(batches.map((batch) => batch.energyJ), [40, 40]);
  // The slices add up to the window: every sample and joule is in exactly one batch.
  const total = windowBatches({ t0Ms: 100, t1Ms: 1100, latenciesMs: [10, 20, 30, 40], batchSize: 8, count: 3, energyJBetween: (a, b) => b - a });
  assert.ok(Math.abs(total.reduce((sum, batch) => sum + batch.samples, 0) - 32) < 1e-9);
  assert.ok(Math.abs(total.reduce((sum, batch) => sum + batch.energyJ, 0) - 1000) < 1e-9);
});
