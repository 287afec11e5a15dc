// Cost per million inferences: electricity at the kWh price plus hardware time at the hour price, and how it reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cost, Prices } from '../../src/report/analysis-types.js';
import { cheapestText, costOf, costText, hourPriceOf, pricesLine } from '../../src/report/cost.js';
import { measurement, run } from './procurement-runs.js';

const near = (actual: number | null | undefined, expected: number, what: string) =>
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);

// 0.036 J/sample at 1000 samples/s on host "box-a" (run id "run-box-a").
const m = measurement('mlp/fp32/cpu/b8', 0.036, 1000, 5, false);
const box = run('box-a', 'Intel Xeon', false, [m]);
const prices = (electricityPerKWh: number | null, perHour: Record<string, number> = {}): Prices => ({ electricityPerKWh, perHour });

test('the hour price is looked up by host name, then by run id; the host name wins', () => {
  assert.equal(hourPriceOf(box, prices(null, { 'box-a': 3.6 })), 3.6);
  assert.equal(hourPriceOf(box, prices(null, { 'run-box-a': 2 })), 2);
  assert.equal(hourPriceOf(box, prices(null, { 'run-box-a': 2, 'box-a': 3.6 })), 3.6);
  assert.equal(hourPriceOf(box, prices(0.3, { laptop: 1 })), null);
  assert.equal(hourPriceOf(box, null), null);
});

test('electricity and hardware, by hand', () => {
  const cost = costOf(m, box, prices(0.3, { 'box-a': 3.6 }))!;
  // 0.036 J × 1e6 = 36,000 J ÷ 3.6e6 J/kWh = 0.01 kWh × 0.3 = 0.003.
  near(cost.electricity, 0.003, 'electricity');
  // 1e6 samples ÷ 1000 samples/s = 1000 s ÷ 3600 s/h × 3.6 per hour = 1.
  near(cost.hardware, 1, 'hardware');
  near(cost.perMillionSamples, 1.003, 'total');
});

test('one price alone: the other part is null and the total is that part', () => {
  const electricityOnly = costOf(m, box, prices(0.3))!;
  assert.equal(electricityOnly.hardware, null);
  near(electricityOnly.perMillionSamples, 0.003, 'electricity only');
  const hardwareOnly = costOf(m, box, prices(null, { 'box-a': 3.6 }))!;
  assert.equal(hardwareOnly.electricity, null);
  near(hardwareOnly.perMillionSamples, 1, 'hardware only');
  // A zero electricity price is a price (0), not a missing one.
  assert.equal(costOf(m, box, prices(0))!.electricity, 0);
});

test('no cost: no prices, no energy, or no price that applies to this machine', () => {
  assert.equal(costOf(m, box, null), null);
  assert.equal(costOf({ ...m, energy: null }, box, prices(0.3)), null);
  assert.equal(costOf(m, box, prices(null, { laptop: 1 })), null);
});

test('no throughput (null, zero or NaN): no hardware part rather than an infinite one', () => {
  for (const throughput of [null, { samplesPerSecond: { mean: 0, ci95: [0, 0] as [number, number] } }, { samplesPerSecond: { mean: Number.NaN, ci95: [0, 0] as [number, number] } }]) {
    const cost = costOf({ ...m, throughput }, box, prices(0.3, { 'box-a': 3.6 }))!;
    assert.equal(cost.hardware, null, JSON.stringify(throughput));
    near(cost.perMillionSamples, 0.003, 'electricity only');
  }
  assert.equal(costOf({ ...m, throughput: null }, box, prices(null, { 'box-a': 3.6 }))!.perMillionSamples, 0, 'an hour price alone, no throughput: 0 + nothing');
});

test('costText: three significant digits, (est.) on estimated electricity, and a missing hour price said', () => {
  const cost: Cost = { perMillionSamples: 1.003, electricity: 0.003, hardware: 1 };
  // sig: 1.003 → "1.00", 0.003 → "0.00300", 1 → "1.00".
  assert.equal(costText(cost), '1.00 per 1M inferences (electricity 0.00300 + hardware 1.00)');
  assert.equal(costText(cost, true), '1.00 per 1M inferences (electricity 0.00300 (est.) + hardware 1.00)');
  assert.equal(costText({ perMillionSamples: 0.003, electricity: 0.003, hardware: null }), '0.00300 per 1M inferences (electricity 0.00300 + no hardware price for this machine)');
  assert.equal(costText({ perMillionSamples: 1, electricity: null, hardware: 1 }, true), '1.00 per 1M inferences (hardware 1.00)', 'no electricity: no (est.) either');
});

test('cheapestText: the key, the machine when known, and its cost; null when there is none', () => {
  const cost: Cost = { perMillionSamples: 0.25, electricity: 0.000333, hardware: 0.25 };
  assert.equal(cheapestText({ key: 'mlp/fp32/cpu/b64', machine: 'laptop', estimated: true, cost }), 'cheaper per 1M inferences: mlp/fp32/cpu/b64 on laptop at 0.250 per 1M inferences (electricity 0.000333 (est.) + hardware 0.250)');
  assert.equal(cheapestText({ key: 'mlp/fp32/cpu/b64', machine: null, estimated: false, cost }), 'cheaper per 1M inferences: mlp/fp32/cpu/b64 at 0.250 per 1M inferences (electricity 0.000333 + hardware 0.250)');
  assert.equal(cheapestText(null), null);
  assert.equal(cheapestText(undefined), null);
});

test('pricesLine names each price given, and only those', () => {
  const tail = ' (currency of the prices given; --electricity-price, --price-per-hour).';
  assert.equal(pricesLine(prices(0.3, { 'box-a': 3.6, laptop: 0.5 })), `Cost at electricity 0.3 per kWh; hardware per hour: box-a 3.6, laptop 0.5${tail}`);
  assert.equal(pricesLine(prices(0.3)), `Cost at electricity 0.3 per kWh${tail}`);
  assert.equal(pricesLine(prices(null, { 'box-a': 3.6 })), `Cost at hardware per hour: box-a 3.6${tail}`);
});
