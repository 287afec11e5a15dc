import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coefficientOfVariation, mean, meanWithCi95, percentileSorted, stddev, summariseLatency, tCritical95 } from '../../src/stats/summary.js';

test('mean and sample standard deviation', () => {
  assert.equal(mean([2, 4, 4, 4, 5, 5, 7, 9]), 5);
  // Σ(x−5)² = 32, n−1 = 7 → sqrt(32/7)
  assert.equal(stddev([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7));
  assert.equal(stddev([3]), 0);
  assert.ok(Number.isNaN(mean([])));
});

test('percentiles interpolate between closest ranks (numpy default)', () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentileSorted(sorted, 50), 5.5); // rank 4.5
  assert.equal(percentileSorted(sorted, 90), 9.1); // rank 8.1 → 9 + 0.1
  assert.ok(Math.abs(percentileSorted(sorted, 99) - 9.91) < 1e-12); // rank 8.91
  assert.equal(percentileSorted(sorted, 0), 1);
  assert.equal(percentileSorted(sorted, 100), 10);
  assert.equal(percentileSorted([7], 99), 7);
});

test('latency summary sorts a copy and reports mean, p50, p90, p99, max', () => {
  const latency = Float64Array.from([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
  const summary = summariseLatency(latency);
  assert.equal(summary.mean, 5.5);
  assert.equal(summary.p50, 5.5);
  assert.equal(summary.p90, 9.1);
  assert.equal(summary.max, 10);
  assert.equal(latency[0], 10, 'input is not reordered');
});

test('95% CI uses Student t with n−1 degrees of freedom', () => {
  // values 10, 12, 14: mean 12, s = 2, t(2) = 4.303 → half width 4.303 × 2 / √3
  const { mean: m, ci95 } = meanWithCi95([10, 12, 14]);
  const half = (4.303 * 2) / Math.sqrt(3);
  assert.equal(m, 12);
  assert.ok(Math.abs(ci95[0] - (12 - half)) < 1e-12);
  assert.ok(Math.abs(ci95[1] - (12 + half)) < 1e-12);
  assert.deepEqual(meanWithCi95([5]).ci95, [5, 5]);
  assert.equal(tCritical95(1), 12.706);
  assert.equal(tCritical95(30), 2.042);
  assert.ok(tCritical95(1000) > 1.96 && tCritical95(1000) < 1.97);
});

test('coefficient of variation', () => {
  assert.equal(coefficientOfVariation([10, 12, 14]), 2 / 12);
  assert.equal(coefficientOfVariation([4]), 0);
});
