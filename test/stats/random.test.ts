// Seeded random numbers: mulberry32 and FNV-1a against reference values, determinism, and the shape of what they
// draw with fixed seeds (deterministic, so never flaky).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeededRandom, seedFromString } from '../../src/stats/random.js';

const draws = (random: SeededRandom, count: number) => Array.from({ length: count }, () => random.next());

test('mulberry32: the first value of seed 0, step by step', () => {
  // state = 0 + 0x6d2b79f5; t ^ (t >>> 15) = 0x6d2ba3a3; imul(0x6d2ba3a3, 0x6d2b79f5 | 1) = 0xfe7ca5ff;
  // t ^ (t >>> 7) = 0xff805cb4; imul(0xff805cb4, 0xfe7ca5ff | 61) = 0xbbcc5b4c; t + that = 0xba49014b;
  // t ^= it → 0x4435a4b4; t ^ (t >>> 14) = 0x4434b462 = 1144304738; / 2^32 = 0.26642920868471265.
  assert.equal(new SeededRandom(0).next(), 1144304738 / 4294967296);
});

test('mulberry32: the first three values of seeds 0, 1 and 42 match an independent implementation', () => {
  // From a Python port of the same algorithm (Python integers masked to 32 bits).
  assert.deepEqual(draws(new SeededRandom(0), 3), [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]);
  assert.deepEqual(draws(new SeededRandom(1), 3), [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  assert.deepEqual(draws(new SeededRandom(42), 3), [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
});

test('the same seed gives the same stream; the seed is taken as an unsigned 32-bit integer', () => {
  assert.deepEqual(draws(new SeededRandom(7), 100), draws(new SeededRandom(7), 100));
  assert.notDeepEqual(draws(new SeededRandom(7), 10), draws(new SeededRandom(8), 10));
  // -1 >>> 0 = 2^32 − 1; 2^32 >>> 0 = 0; 1.9 >>> 0 = 1.
  assert.deepEqual(draws(new SeededRandom(-1), 5), draws(new SeededRandom(4294967295), 5));
  assert.deepEqual(draws(new SeededRandom(2 ** 32), 5), draws(new SeededRandom(0), 5));
  assert.deepEqual(draws(new SeededRandom(1.9), 5), draws(new SeededRandom(1), 5));
});

test('next(): 10,000 values of seed 1 lie in [0, 1) with mean ≈ 1/2 and each tenth ≈ 1,000 of them', () => {
  const values = draws(new SeededRandom(1), 10_000);
  assert.ok(values.every((value) => value >= 0 && value < 1));
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  // The standard error of the mean of 10,000 uniforms is √(1/12 / 10,000) ≈ 0.0029; ± 0.015 is five of them.
  assert.ok(Math.abs(mean - 0.5) < 0.015, `mean ${mean}`);
  const tenths = new Array<number>(10).fill(0);
  for (const value of values) tenths[Math.floor(value * 10)]!++;
  // Binomial(10,000, 0.1): sd = √(10,000 · 0.1 · 0.9) = 30; ± 150 is five of them.
  for (const [index, count] of tenths.entries()) assert.ok(Math.abs(count - 1000) < 150, `tenth ${index}: ${count}`);
});

test('int(lo, hi): integers in [lo, hi), every one of them drawn, hi never', () => {
  const random = new SeededRandom(3);
  const seen = new Map<number, number>();
  for (let i = 0; i < 4000; i++) {
    const value = random.int(-2, 2);
    assert.ok(Number.isInteger(value) && value >= -2 && value < 2, String(value));
    seen.set(value, (seen.get(value) ?? 0) + 1);
  }
  assert.deepEqual([...seen.keys()].sort((a, b) => a - b), [-2, -1, 0, 1]);
  // Binomial(4,000, 1/4): sd = √(4,000 · 0.25 · 0.75) ≈ 27; ± 140 is five of them.
  for (const [value, count] of seen) assert.ok(Math.abs(count - 1000) < 140, `${value}: ${count}`);
  assert.equal(new SeededRandom(3).int(5, 6), 5); // a one-value range
});

test('normal(mean, sd): 10,000 draws of seed 2 have that mean and spread, and 68% within one sd', () => {
  const random = new SeededRandom(2);
  const values = Array.from({ length: 10_000 }, () => random.normal(10, 2));
  assert.ok(values.every(Number.isFinite));
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const sd = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
  // Standard error of the mean: 2 / √10,000 = 0.02 (± 0.1 is five); of the sd: ≈ 2 / √20,000 ≈ 0.014 (± 0.07 is five).
  assert.ok(Math.abs(mean - 10) < 0.1, `mean ${mean}`);
  assert.ok(Math.abs(sd - 2) < 0.07, `sd ${sd}`);
  const withinOne = values.filter((value) => Math.abs(value - 10) < 2).length / values.length;
  // Φ(1) − Φ(−1) = 0.6827; the binomial sd of the share is √(0.68 · 0.32 / 10,000) ≈ 0.0047.
  assert.ok(Math.abs(withinOne - 0.6827) < 0.025, `within one sd: ${withinOne}`);
  // Two uniforms per call: normal() moves the stream on by exactly two next()s.
  const a = new SeededRandom(9);
  const b = new SeededRandom(9);
  a.normal();
  b.next();
  b.next();
  assert.equal(a.next(), b.next());
});

test('seedFromString: FNV-1a over UTF-16 code units, unsigned', () => {
  // Published FNV-1a 32-bit test vectors: "" → the offset basis 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
  assert.equal(seedFromString(''), 0x811c9dc5);
  assert.equal(seedFromString('a'), 0xe40c292c);
  assert.equal(seedFromString('foobar'), 0xbf9cf968);
  // "é" is one code unit 0xe9: (0x811c9dc5 ^ 0xe9) · 0x01000193 mod 2^32 = 0x6c0b6c44 (not the UTF-8 bytes c3 a9).
  assert.equal(seedFromString('é'), 0x6c0b6c44);
  // Each input of a model gets its own stream.
  assert.notEqual(seedFromString('mlp/x'), seedFromString('mlp/y'));
  assert.equal(seedFromString('mlp/x'), 0xdca931cb);
});
