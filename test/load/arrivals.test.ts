import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArrivalTrace, poissonArrivalsMs, scheduleSpanMs, traceArrivalsMs } from '../../src/load/arrivals.js';

test('seeded Poisson arrivals reproduce exactly, and another seed differs', () => {
  const a = poissonArrivalsMs(20, 500, 7);
  const b = poissonArrivalsMs(20, 500, 7);
  assert.deepEqual([...a], [...b]);
  assert.notDeepEqual([...a], [...poissonArrivalsMs(20, 500, 8)]);
});

test('Poisson arrivals: ascending, inside the span of count ÷ rate, gaps with the exponential mean and spread', () => {
  const arrivals = poissonArrivalsMs(200, 20_000, 1);
  assert.equal(scheduleSpanMs(200, 20_000), 100_000);
  for (let i = 1; i < arrivals.length; i++) assert.ok(arrivals[i]! >= arrivals[i - 1]!);
  assert.ok(arrivals[0]! >= 0 && arrivals[arrivals.length - 1]! < 100_000);
  const gaps = Array.from(arrivals.subarray(1), (t, i) => t - arrivals[i]!);
  const meanMs = gaps.reduce((s, g) => s + g, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - meanMs) ** 2, 0) / gaps.length);
  assert.ok(Math.abs(meanMs - 5) < 0.05, `mean gap ${meanMs}`);
  // An exponential's coefficient of variation is 1.
  assert.ok(Math.abs(sd / meanMs - 1) < 0.03, `cv ${sd / meanMs}`);
});

test('a trace of seconds or a t_ms CSV column becomes offsets from its first arrival', () => {
  assert.deepEqual([...parseArrivalTrace('10.0\n10.5\n# note\n11.25\n', 't.txt')], [0, 500, 1250]);
  assert.deepEqual([...parseArrivalTrace('id,t_ms\na,100\nb,130\n', 't.csv')], [0, 30]);
  assert.throws(() => parseArrivalTrace('id,when\na,1\nb,2\n', 't.csv'), /t\.csv: the header must name an arrival time column/);
});

test('a trace replayed at a rate is scaled to it and repeated', () => {
  // 4 arrivals over 300 ms: one cycle is 400 ms (10/s); at 20/s it is 200 ms.
  const out = traceArrivalsMs(Float64Array.from([0, 100, 200, 300]), 20, 6);
  assert.deepEqual([...out], [0, 50, 100, 150, 200, 250]);
  assert.deepEqual([...traceArrivalsMs(Float64Array.from([0, 100, 200, 300]), null, 5)], [0, 100, 200, 300, 400]);
});
