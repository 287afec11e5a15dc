import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatGrams, formatJoules, formatTimes, formatWattHours, sig } from '../../src/common/format-number.js';

test('energy per sample in the unit that keeps 1–999: µJ, mJ, J', () => {
  assert.equal(formatJoules(0.000507), '507 µJ');
  assert.equal(formatJoules(0.0208), '20.8 mJ');
  assert.equal(formatJoules(1.5), '1.50 J');
  assert.equal(formatJoules(0.0000000618), '61.8 nJ');
  // 999.96 µJ rounds to 1,000: shown as 1.00 mJ.
  assert.equal(formatJoules(0.00099996), '1.00 mJ');
  assert.equal(formatJoules(null), '—');
});

test('Wh per million samples: 0.00000618 Wh per 1,000 samples is 6.18 mWh per million', () => {
  assert.equal(formatWattHours(0.00000618 * 1000), '6.18 mWh');
  assert.equal(formatWattHours(5.77), '5.77 Wh');
  assert.equal(formatWattHours(1234), '1.23 kWh');
});

test('gCO2e in mg or g', () => {
  assert.equal(formatGrams(0.0000669 * 1000), '66.9 mg');
  assert.equal(formatGrams(2.74), '2.74 g');
  assert.equal(formatGrams(0), '0 g');
});

test('ratios and plain significant digits', () => {
  assert.equal(formatTimes(1.4499), '1.45×');
  assert.equal(formatTimes(74.7), '74.7×');
  assert.equal(sig(1973.4), '1,973');
});
