import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapRatioOfMeans } from '../../src/stats/bootstrap.js';

test('bootstrap of constant samples: the interval is the ratio itself', () => {
  const r = bootstrapRatioOfMeans([100, 100, 100], [110, 110, 110], { resamples: 500 });
  assert.ok(Math.abs(r.estimate - 1.1) < 1e-15);
  assert.ok(Math.abs(r.ci[0] - 1.1) < 1e-12 && Math.abs(r.ci[1] - 1.1) < 1e-12);
});

test('bootstrap is reproducible for a seed and brackets the estimate', () => {
  const baseline = [98, 101, 100, 99, 102];
  const candidate = [108, 111, 110, 109, 112];
  const a = bootstrapRatioOfMeans(baseline, candidate, { seed: 42 });
  const b = bootstrapRatioOfMeans(baseline, candidate, { seed: 42 });
  assert.deepEqual(a, b);
  // means 100 and 110
  assert.ok(Math.abs(a.estimate - 1.1) < 1e-12);
  assert.ok(a.ci[0] < 1.1 && 1.1 < a.ci[1]);
  // every resampled mean lies within [min, max] of its sample: the ratio within [108/102, 112/98]
  assert.ok(a.ci[0] >= 108 / 102 && a.ci[1] <= 112 / 98);
  assert.equal(a.resamples, 10_000);
  assert.equal(a.confidence, 0.95);
  const other = bootstrapRatioOfMeans(baseline, candidate, { seed: 43 });
  assert.notDeepEqual(other.ci, a.ci);
});

test('a wider confidence level gives a wider interval', () => {
  const baseline = [98, 101, 100, 99, 102];
  const candidate = [97, 103, 101, 96, 104];
  const narrow = bootstrapRatioOfMeans(baseline, candidate, { confidence: 0.8 });
  const wide = bootstrapRatioOfMeans(baseline, candidate, { confidence: 0.99 });
  assert.ok(wide.ci[0] < narrow.ci[0] && wide.ci[1] > narrow.ci[1]);
  assert.throws(() => bootstrapRatioOfMeans([], [1]), /at least one value/);
});
