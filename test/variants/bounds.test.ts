import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scenarioDefaults } from '../../src/scenario/schema.js';
import { agreementShortfall, binomialTail, judgeFidelity } from '../../src/variants/bounds.js';
import type { FidelityMetrics } from '../../src/variants/fidelity.js';

const metrics = (over: Partial<FidelityMetrics>): FidelityMetrics => ({
  reference: 'fp32 on cpu, 32 synthetic samples', samples: 32, inputs: 'synthetic', maxAbsError: 0.1, rmse: 0.01, cosine: 0.999,
  top1Agreement: 1, accuracy: null, referenceAccuracy: null, accuracyRatio: null, nonFiniteValues: 0, ...over,
});
const defaults = scenarioDefaults.fidelity!;

test('binomial tail: hand-computed values', () => {
  assert.equal(binomialTail(32, 0, 0.01), 1);
  // 1 − 0.99^32
  assert.ok(Math.abs(binomialTail(32, 1, 0.01) - (1 - 0.99 ** 32)) < 1e-12);
  // 1 − 0.99^32 − 32 · 0.01 · 0.99^31 = 0.040683
  assert.ok(Math.abs(binomialTail(32, 2, 0.01) - (1 - 0.99 ** 32 - 32 * 0.01 * 0.99 ** 31)) < 1e-12);
  assert.equal(binomialTail(32, 1, 0), 0, 'a bound of 1 allows no disagreement');
  assert.equal(binomialTail(4, 5, 0.5), 0);
});

test('top-1 agreement: one flip in 32 is within chance at 0.99, two are not', () => {
  assert.deepEqual(agreementShortfall(31 / 32, 32, 0.99).broken, false);
  assert.deepEqual(agreementShortfall(30 / 32, 32, 0.99).broken, true);
  assert.deepEqual(agreementShortfall(999 / 1000, 1000, 1).broken, true);
});

test('the default bound (MLPerf 99%): cosine below 0.99 or two of 32 top-1 flips put a variant outside it', () => {
  assert.deepEqual(defaults, { minCosine: 0.99, maxAbsError: null, minTop1Agreement: 0.99, accuracyTarget: null });
  assert.equal(judgeFidelity(metrics({ cosine: 0.995, top1Agreement: 31 / 32 }), defaults).withinBounds, true);
  const low = judgeFidelity(metrics({ cosine: 0.026 }), defaults);
  assert.equal(low.withinBounds, false);
  assert.deepEqual(low.violations, ['cosine 0.0260 < minCosine 0.99']);
  const flips = judgeFidelity(metrics({ top1Agreement: 30 / 32 }), defaults);
  assert.deepEqual(flips.violations, ['top-1 agreement 0.9375 < minTop1Agreement 0.99 (2 of 32 samples disagree with FP32; chance at 0.99: p = 0.041)']);
  // Outputs that are not class scores: only the cosine applies.
  assert.equal(judgeFidelity(metrics({ top1Agreement: null }), defaults).withinBounds, true);
  // Near-zero outputs: within 1e-4 everywhere, cosine is rounding noise and is not judged (an explicit maxAbsError is).
  assert.equal(judgeFidelity(metrics({ cosine: 0.996, maxAbsError: 3.19e-6, top1Agreement: null }), defaults).withinBounds, true);
  assert.deepEqual(judgeFidelity(metrics({ cosine: 0.996, maxAbsError: 3.19e-6, top1Agreement: null }), { ...defaults, maxAbsError: 1e-6 }).violations, ['max abs error 3.19e-6 > maxAbsError 0.000001']);
  assert.equal(judgeFidelity(metrics({ cosine: 0.5, maxAbsError: 2e-4 }), defaults).withinBounds, false);
  // Off: no verdict.
  assert.equal(judgeFidelity(metrics({ cosine: 0.026 }), null).withinBounds, null);
});
