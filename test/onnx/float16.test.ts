// float16 bits: every pattern round-trips, subnormals, ±0, ±Inf, NaN, and rounding to nearest with ties to even,
// also for numbers (doubles) that float32 cannot hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromFloat16Bits, toFloat16Bits } from '../../src/onnx/float16.js';
import { SeededRandom } from '../../src/stats/random.js';

const hex = (bits: number) => `0x${bits.toString(16).padStart(4, '0')}`;
const bitsOf = (value: number) => hex(toFloat16Bits(value));

test('every finite and infinite float16 pattern round-trips through its number; every NaN comes back NaN', () => {
  for (let bits = 0; bits <= 0xffff; bits++) {
    const value = fromFloat16Bits(bits);
    const isNaNPattern = (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
    if (isNaNPattern) assert.ok(Number.isNaN(value), `${hex(bits)} is a NaN`);
    else assert.equal(bitsOf(value), hex(bits), `${hex(bits)} → ${value}`);
  }
});

test('decoding: normals, subnormals, signed zeros and infinities', () => {
  assert.equal(fromFloat16Bits(0x3c00), 1); // exponent 15 − 15 = 0, mantissa 0
  assert.equal(fromFloat16Bits(0x3555), 1365 / 4096); // exponent 13 − 15 = −2: (1 + 341/1024) · 2^−2 = 1365/4096
  assert.equal(fromFloat16Bits(0x7bff), 65504); // (1 + 1023/1024) · 2^15
  assert.equal(fromFloat16Bits(0x0400), 2 ** -14); // smallest normal
  assert.equal(fromFloat16Bits(0x03ff), 1023 * 2 ** -24); // largest subnormal: mantissa · 2^−24
  assert.equal(fromFloat16Bits(0x0001), 2 ** -24); // smallest subnormal
  assert.equal(fromFloat16Bits(0x8001), -(2 ** -24));
  assert.ok(Object.is(fromFloat16Bits(0x0000), 0));
  assert.ok(Object.is(fromFloat16Bits(0x8000), -0));
  assert.equal(fromFloat16Bits(0x7c00), Number.POSITIVE_INFINITY);
  assert.equal(fromFloat16Bits(0xfc00), Number.NEGATIVE_INFINITY);
  for (const nan of [0x7c01, 0x7e00, 0x7fff, 0xfe00]) assert.ok(Number.isNaN(fromFloat16Bits(nan)), hex(nan));
});

test('encoding: ±0, ±Inf, NaN as the quiet NaN 0x7e00, overflow to ±Inf', () => {
  assert.equal(bitsOf(0), '0x0000');
  assert.equal(bitsOf(-0), '0x8000');
  assert.equal(bitsOf(Number.POSITIVE_INFINITY), '0x7c00');
  assert.equal(bitsOf(Number.NEGATIVE_INFINITY), '0xfc00');
  assert.equal(bitsOf(Number.NaN), '0x7e00'); // exponent all ones, top mantissa bit set
  assert.equal(bitsOf(1e6), '0x7c00');
  assert.equal(bitsOf(-1e6), '0xfc00');
  assert.equal(bitsOf(1e300), '0x7c00'); // beyond float32 too
  // 65504 is the largest float16; the next step would be 65536, so the tie is 65520.
  assert.equal(bitsOf(65519), '0x7bff'); // 15 above 65504, under half the 32 step
  assert.equal(bitsOf(65520), '0x7c00'); // the tie rounds to the even pattern: 0x7c00 (Inf) over 0x7bff
  assert.equal(bitsOf(-65520), '0xfc00');
});

test('encoding: subnormals, their ties, and the carry into the smallest normal', () => {
  assert.equal(bitsOf(3 * 2 ** -24), '0x0003');
  assert.equal(bitsOf(2 ** -25), '0x0000'); // half of 2^−24: a tie between 0 and 1 → even 0
  assert.equal(bitsOf(-(2 ** -25)), '0x8000');
  assert.equal(bitsOf(3 * 2 ** -25), '0x0002'); // 1.5 · 2^−24: a tie between 1 and 2 → even 2
  assert.equal(bitsOf(5 * 2 ** -25), '0x0002'); // 2.5 · 2^−24: a tie between 2 and 3 → even 2
  assert.equal(bitsOf(2 ** -25 + 2 ** -40), '0x0001'); // just above the tie (float32 holds it exactly)
  assert.equal(bitsOf(2 ** -26), '0x0000'); // a quarter of 2^−24
  assert.equal(bitsOf(1e-30), '0x0000');
  assert.equal(bitsOf(1023.5 * 2 ** -24), '0x0400'); // between 0x03ff (odd) and 0x0400 = 2^−14 → even, a normal
  assert.equal(bitsOf(1023.25 * 2 ** -24), '0x03ff');
});

test('encoding: normals round to nearest, ties to even', () => {
  // Between 1 and 2 the step is 2^−10, so the ties sit at odd multiples of 2^−11.
  assert.equal(bitsOf(1 + 2 ** -11), '0x3c00'); // between 0x3c00 (even) and 0x3c01 → 0x3c00
  assert.equal(bitsOf(1 + 3 * 2 ** -11), '0x3c02'); // between 0x3c01 and 0x3c02 (even) → 0x3c02
  assert.equal(bitsOf(1 + 2 ** -11 + 2 ** -20), '0x3c01'); // above the tie
  assert.equal(bitsOf(1 + 3 * 2 ** -11 - 2 ** -20), '0x3c01'); // below the tie
  // From 2048 the step is 2: 2049 lies between 2048 (0x6800: exponent 11 + 15 = 26, 26 << 10) and 2050 (0x6801).
  assert.equal(bitsOf(2049), '0x6800');
  assert.equal(bitsOf(2051), '0x6802'); // between 0x6801 and 0x6802 → even
  assert.equal(bitsOf(-2051), '0xe802');
  // A carry out of the mantissa moves to the next exponent: 2 − 2^−11 lies between 0x3fff = 2 − 2^−10 (odd) and 0x4000 = 2 → 2.
  assert.equal(bitsOf(2 - 2 ** -11), '0x4000');
  assert.equal(bitsOf(0.1), '0x2e66'); // 0.1 = 1.6 · 2^−4: mantissa 0.6 · 1024 = 614.4 → 614 = 0x266, exponent 11 → 0x2c00
});

test('doubles off a float16 tie by less than float32 can hold round to the nearer side, not to even', () => {
  // 1 + 2^−11 + 2^−40 is above the tie between 1 and 1 + 2^−10; float32 alone would drop the 2^−40 and land on the tie.
  assert.equal(bitsOf(1 + 2 ** -11 + 2 ** -40), '0x3c01');
  assert.equal(bitsOf(-(1 + 2 ** -11 + 2 ** -40)), '0xbc01');
  assert.equal(bitsOf(1 + 3 * 2 ** -11 - 2 ** -40), '0x3c01'); // below the tie between 0x3c01 and 0x3c02
  assert.equal(bitsOf(2 ** -25 + 2 ** -60), '0x0001'); // above half the smallest subnormal
  assert.equal(bitsOf(65520 - 2 ** -30), '0x7bff'); // below the overflow tie
});

// The nearest float16 by search over the sorted non-negative finite patterns 0x0000–0x7bff (ties to the even pattern).
function nearestBits(value: number): number {
  const magnitude = Math.abs(value);
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  if (magnitude >= 65520) return sign | 0x7c00;
  let lo = 0;
  let hi = 0x7bff;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fromFloat16Bits(mid) <= magnitude) lo = mid;
    else hi = mid;
  }
  const below = magnitude - fromFloat16Bits(lo);
  const above = fromFloat16Bits(hi) - magnitude;
  if (below === 0) return sign | lo;
  return sign | (below < above || (below === above && (lo & 1) === 0) ? lo : hi);
}

test('seeded doubles over the whole float16 range match the nearest float16 found by search', () => {
  const random = new SeededRandom(16);
  for (let i = 0; i < 20_000; i++) {
    // Magnitudes 2^−27 … 2^17 (through the subnormals and past overflow), both signs.
    const value = (random.next() < 0.5 ? -1 : 1) * 2 ** (random.next() * 44 - 27);
    assert.equal(bitsOf(value), hex(nearestBits(value)), String(value));
  }
});
