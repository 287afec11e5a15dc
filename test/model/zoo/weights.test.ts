// Seeded weight tensors of the zoo (src/model/zoo/weights.ts): each tensor its own stream seeded by its name, so a
// tensor's values never depend on which tensors were drawn before it; the shape of what is drawn, with fixed seeds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalWeights, uniformWeights } from '../../../src/model/zoo/weights.js';
import { SeededRandom, seedFromString } from '../../../src/stats/random.js';

const stats = (values: Float32Array) => {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) };
};

test('normalWeights: the stream seeded by the name, as float32', () => {
  const random = new SeededRandom(seedFromString('fc0.weight'));
  const expected = Float32Array.from({ length: 5 }, () => random.normal(0, 0.5));
  assert.deepEqual(normalWeights('fc0.weight', 5, 0.5), expected);
});

test('same name, same values; another name, other values; a longer tensor starts with the shorter one', () => {
  assert.deepEqual(normalWeights('w', 64, 1), normalWeights('w', 64, 1));
  assert.notDeepEqual(normalWeights('w', 64, 1), normalWeights('w2', 64, 1));
  assert.deepEqual(normalWeights('w', 100, 1).subarray(0, 10), normalWeights('w', 10, 1));
  assert.deepEqual(uniformWeights('u', 50, 0, 1).subarray(0, 5), uniformWeights('u', 5, 0, 1));
});

test('the mean shifts every value and the stddev scales the spread around it', () => {
  const base = normalWeights('ln.scale', 8, 0.02);
  const shifted = normalWeights('ln.scale', 8, 0.02, 1);
  // Same draws, + 1 (to float32 rounding: |x| ≤ 0.1 near 1 keeps ~2⁻²³ relative precision).
  for (let i = 0; i < 8; i++) assert.ok(Math.abs(shifted[i]! - (base[i]! + 1)) < 1e-6, `${i}`);
  const wide = normalWeights('ln.scale', 8, 0.2);
  for (let i = 0; i < 8; i++) assert.ok(Math.abs(wide[i]! - 10 * base[i]!) < 1e-6, `${i}`);
});

test('normalWeights over 100 000 values: mean ≈ 0 and stddev ≈ the one asked for (He init of a 1024-wide layer)', () => {
  const std = Math.sqrt(2 / 1024); // 0.0442
  const { mean, std: measured } = stats(normalWeights('big', 100_000, std));
  // Standard error of the mean: 0.0442 / √100 000 ≈ 1.4e-4; 5e-4 is over 3 of them. Of the stddev: ≈ 0.22 % of it.
  assert.ok(Math.abs(mean) < 5e-4, `mean ${mean}`);
  assert.ok(Math.abs(measured / std - 1) < 0.01, `stddev ${measured} vs ${std}`);
});

test('uniformWeights: inside [low, high), spread over it', () => {
  const values = uniformWeights('bn.var', 10_000, 0.5, 1.5);
  const { mean, min, max } = stats(values);
  assert.ok(min >= 0.5 && max < 1.5, `[${min}, ${max}]`);
  // Mean of U(0.5, 1.5) is 1; the standard error over 10 000 values is (1/√12)/100 ≈ 0.003.
  assert.ok(Math.abs(mean - 1) < 0.01, `mean ${mean}`);
  assert.ok(min < 0.51 && max > 1.49, 'both ends reached');
  const random = new SeededRandom(seedFromString('bn.var'));
  assert.equal(values[0], Math.fround(0.5 + 1 * random.next()));
});

test('no values: empty arrays', () => {
  assert.equal(normalWeights('none', 0, 1).length, 0);
  assert.equal(uniformWeights('none', 0, 0, 1).length, 0);
});
