import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minMax, quantizeValues, roundHalfEven, scaleAndZeroPoint } from '../../src/variants/quantize-math.js';

test('rounding is numpy\'s: half to even', () => {
  assert.deepEqual([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, 4, 0, -2, -2, 2, 3]);
});

test('asymmetric int8: range [-1, 3] → scale 4/255, zero point round(-128 + 63.75) = -64', () => {
  const { scale, zeroPoint } = scaleAndZeroPoint(-1, 3, 'int8', false);
  assert.equal(scale, Math.fround(4 / 255));
  assert.equal(zeroPoint, -64);
});

test('symmetric int8 weights use [-127, 127]: absmax 2 → scale 2/127, zero point 0', () => {
  assert.deepEqual(scaleAndZeroPoint(-2, 0.5, 'int8', true), { scale: Math.fround(4 / 254), zeroPoint: 0 });
  assert.deepEqual(Array.from(quantizeValues(Float32Array.from([-2, -1, 0, 1, 2, 5]), 2 / 127, 0, 'int8', true)), [-127, -64, 0, 64, 127, 127]);
});

test('a range that excludes 0 is widened to include it; an all-zero range gets scale 1', () => {
  assert.equal(scaleAndZeroPoint(2, 6, 'uint8', false).zeroPoint, 0);
  assert.equal(scaleAndZeroPoint(2, 6, 'uint8', false).scale, Math.fround(6 / 255));
  assert.deepEqual(scaleAndZeroPoint(0, 0, 'int8', false), { scale: 1, zeroPoint: 0 });
});

test('minMax skips non-finite values', () => {
  assert.deepEqual(minMax([3, Number.NaN, -2, Number.POSITIVE_INFINITY, 7]), { min: -2, max: 7 });
  assert.deepEqual(minMax([]), { min: 0, max: 0 });
});

test('quantizeSymmetricInt8: per channel along axis 1 of [2, 3] and per tensor give the hand-computed int8 values', async () => {
  const { quantizeSymmetricInt8 } = await import('../../src/variants/quantize-math.js');
  // Columns [1, -2], [0.5, 0.25], [0, 0]: scales 2/127, 0.5/127 and 1 (an all-zero channel).
  const values = Float32Array.from([1, 0.5, 0, -2, 0.25, 0]);
  const perChannel = quantizeSymmetricInt8(values, [2, 3], 1);
  assert.deepEqual(perChannel.scales, [Math.fround(4 / 254), Math.fround(1 / 254), 1]);
  assert.deepEqual(Array.from(perChannel.quantized), [64, 127, 0, -127, 64, 0]);
  const perTensor = quantizeSymmetricInt8(values, [2, 3], null);
  assert.deepEqual(perTensor.scales, [Math.fround(4 / 254)]);
  assert.deepEqual(Array.from(perTensor.quantized), [64, 32, 0, -127, 16, 0]);
});
