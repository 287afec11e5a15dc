import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestSplitInSegment, detectChangePoints } from '../../src/stats/changepoint.js';
import { SeededRandom } from '../../src/stats/random.js';

test('E-Divisive statistic, hand-computed: [0,0,0,1,1,1] splits at index 3 with Q = 3', () => {
  // m = k = 3: between = 9 pairs × |0 − 1| = 9, within = 0 → Q = (3·3/6) · (2·9/9) = 3.
  const best = bestSplitInSegment([0, 0, 0, 1, 1, 1], 0, 6, 3);
  assert.deepEqual(best, { index: 3, statistic: 3 });
  assert.equal(bestSplitInSegment([0, 0, 0, 1, 1], 0, 5, 3), null, 'too short to split with 3 points a side');
});

test('a step at run 30 of 60 (1% noise, 3% step) is found at run 30 ± 1', () => {
  const random = new SeededRandom(2030);
  // Runs are numbered from 1: runs 1–29 at 100, runs 30–60 at 103 → the first new-level value has index 29.
  const series = Array.from({ length: 60 }, (_, i) => (i >= 29 ? 103 : 100) + random.normal(0, 1));
  const found = detectChangePoints(series);
  assert.equal(found.length, 1, JSON.stringify(found));
  const run = found[0]!.index + 1;
  assert.ok(Math.abs(run - 30) <= 1, `change point at run ${run}`);
  assert.ok(found[0]!.pValue <= 0.05);
  assert.ok(Math.abs(found[0]!.relativeChange - 0.03) < 0.01, `relative change ${found[0]!.relativeChange}`);
});

test('pure noise: no change point; two steps: both', () => {
  const random = new SeededRandom(7);
  const flat = Array.from({ length: 60 }, () => 100 + random.normal(0, 1));
  assert.deepEqual(detectChangePoints(flat), []);
  const twoSteps = Array.from({ length: 90 }, (_, i) => (i >= 60 ? 96 : i >= 30 ? 104 : 100) + random.normal(0, 1));
  assert.deepEqual(detectChangePoints(twoSteps).map((c) => c.index), [30, 60]);
});

test('the detector is deterministic for a seed', () => {
  const random = new SeededRandom(11);
  const series = Array.from({ length: 40 }, (_, i) => (i >= 20 ? 102 : 100) + random.normal(0, 1));
  assert.deepEqual(detectChangePoints(series, { seed: 5 }), detectChangePoints(series, { seed: 5 }));
});
