// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { judgeFidelity } from '../../src/variants/bounds.js';
import { measureFidelity } from '../../src/variants/fidelity.js';
import { f32 } from './helpers.js';

// y = x ⊙ scale over [N, 3]: the "variant" doubles the third class.
const scaled = (scale: number[]) =>
  new GraphBuilder('g').input('x', 'float32', ['N', 3]).initializer('s', [3], Float32Array.from(scale)).node('Mul', ['x', 's'], ['y']).output('y', 'float32', ['N', 3]).build();

test('fidelity metrics are hand-checkable: rows [1,0,0] and [0,1,1] against a variant that doubles class 2', async () => {
  const batches = [{ x: f32([1, 0, 0, 0, 1, 1], [2, 3]) }];
  const metrics = await measureFidelity(scaled([1, 1, 1]), scaled([1, 1, 2]), batches, { variantInputTypes: {}, inputs: 'calibration', labels: [0, 2] });
  assert.equal(metrics.samples, 2);
  assert.equal(metrics.maxAbsError, 1);
  assert.equal(metrics.rmse, Math.sqrt(1 / 6));
  // Row 1 identical (cosine 1); row 2: [0,1,1]·[0,1,2] / (√2 · √5) = 3/√10.
  assert.ok(Math.abs(metrics.cosine - (1 + 3 / Math.sqrt(10)) / 2) < 1e-12);
  assert.equal(metrics.top1Agreement, 0.5, 'row 2: FP32 picks class 1 (first max), the variant class 2');
  assert.equal(metrics.referenceAccuracy, 0.5);
  assert.equal(metrics.accuracy, 1);
  assert.equal(metrics.accuracyRatio, 2);
  assert.equal(metrics.reference, 'fp32 on cpu, 2 calibration samples');
});

test('NaN or Inf in the variant where FP32 is finite is counted, and breaks any bound', async () => {
  const metrics = await measureFidelity(scaled([1, 1, 1]), scaled([1, 1, Number.POSITIVE_INFINITY]), [{ x: f32([1, 2, 3], [1, 3]) }], { variantInputTypes: {}, inputs: 'synthetic' });
  assert.equal(metrics.nonFiniteValues, 1);
  assert.equal(judgeFidelity(metrics, null).withinBounds, null);
  const judged = judgeFidelity(metrics, { minCosine: null, maxAbsError: null, minTop1Agreement: null, accuracyTarget: 0.5 });
  assert.equal(judged.withinBounds, false);
  assert.match(judged.violations[0]!, /1 output value\(s\) are NaN or infinite/);
});

const base = { reference: 'r', samples: 1000, inputs: 'synthetic' as const, maxAbsError: 0.2, rmse: 0.05, cosine: 0.985, top1Agreement: 0.99, accuracy: null, referenceAccuracy: null, accuracyRatio: null, nonFiniteValues: 0 };
const bounds = { minCosine: null, maxAbsError: null, minTop1Agreement: null, accuracyTarget: null };

test('fidelity bounds: each broken bound is named with the value and the limit', () => {
  assert.deepEqual(judgeFidelity(base, { ...bounds, minCosine: 0.99, maxAbsError: 0.1, minTop1Agreement: 0.995 }).violations, [
    'cosine 0.9850 < minCosine 0.99',
    'max abs error 0.2000 > maxAbsError 0.1',
    // 10 of 1000 disagree where 0.995 expects 5: P(X ≥ 10) for Binomial(1000, 0.005) is 0.031, beyond chance.
    'top-1 agreement 0.9900 < minTop1Agreement 0.995 (10 of 1000 samples disagree with FP32; chance at 0.995: p = 0.031)',
  ]);
  assert.deepEqual(judgeFidelity(base, { ...bounds, minCosine: 0.98 }), { ...base, withinBounds: true, violations: [] });
});

test('accuracyTarget (MLPerf 99% / 99.9% of FP32): accuracy ratio with labels, else top-1 agreement stands in', () => {
  assert.equal(judgeFidelity(base, { ...bounds, accuracyTarget: 0.99 }).withinBounds, true);
  assert.match(judgeFidelity(base, { ...bounds, accuracyTarget: 0.999 }).violations[0]!, /top-1 agreement with FP32 99\.0000% < accuracyTarget 99\.9% of FP32 \(no --labels/);
  const labelled = { ...base, accuracy: 0.75, referenceAccuracy: 0.76, accuracyRatio: 0.75 / 0.76 };
  assert.match(judgeFidelity(labelled, { ...bounds, accuracyTarget: 0.99 }).violations[0]!, /^accuracy 98\.6842% of FP32 < accuracyTarget 99% of FP32$/);
});
