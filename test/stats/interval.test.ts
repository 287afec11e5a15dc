import assert from 'node:assert/strict';
import { test } from 'node:test';
import { holmRejections, ratioInterval, samplesPerJouleInterval, withinEquivalence, type Interval, type WindowValue } from '../../src/stats/interval.js';

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual}`);

// t(0.975; 2), from the closed form of the t distribution with 2 df: t = (2p − 1)·√(2 / (1 − (2p − 1)²)) at p = 0.975.
const t975df2 = 0.95 * Math.sqrt(2 / (1 - 0.95 ** 2));
const lnTenPercent = Math.log(1.1);

test('t(0.975; 2) from the closed form is 4.302652729749464 (bc, 30 digits)', () => {
  close(t975df2, 4.302652729749464, 1e-12, 't(0.975; 2)');
});

test('samples/J of three windows 100, 110, 121: log values ln 1.1 apart, a t interval centred on the estimate', () => {
  // Logs ln100 + {0, d, 2d} with d = ln 1.1: deviations −d, 0, d, so s = √(2d²/2) = d, se = d/√3,
  // spread = t(0.975; 2)·d/√3 = 0.236764, exp(spread) = 1.267142: ±26.71%.
  const windows: WindowValue[] = [{ samplesPerJoule: 100 }, { samplesPerJoule: 110 }, { samplesPerJoule: 121 }];
  const spread = (t975df2 * lnTenPercent) / Math.sqrt(3);
  close(spread, 0.2367636, 1e-6, 'spread');
  const interval = samplesPerJouleInterval(110, windows);
  assert.equal(interval.method, 'windows');
  assert.equal(interval.n, 3);
  close(interval.halfWidthPercent, 26.714155, 1e-5, '± %');
  close(interval.ci95[0], 86.809560, 1e-5, 'lower');
  close(interval.ci95[1], 139.385570, 1e-5, 'upper');
});

test('the interval is centred on the caller\'s estimate (total samples ÷ total joules), not on the geometric mean', () => {
  const windows: WindowValue[] = [{ samplesPerJoule: 100 }, { samplesPerJoule: 110 }, { samplesPerJoule: 121 }];
  const interval = samplesPerJouleInterval(200, windows);
  assert.equal(interval.estimate, 200);
  close(interval.ci95[0], 200 / 1.2671415452811265, 1e-6, 'lower');
  close(interval.ci95[1], 200 * 1.2671415452811265, 1e-6, 'upper');
  close(interval.halfWidthPercent, 26.714155, 1e-5, 'the ± does not depend on the estimate');
});

test('samples/J: identical windows give a zero-width interval; one window an unknown ±', () => {
  const flat = samplesPerJouleInterval(50, [{ samplesPerJoule: 50 }, { samplesPerJoule: 50 }]);
  assert.deepEqual(flat.ci95, [50, 50]);
  assert.equal(flat.halfWidthPercent, 0);
  const one = samplesPerJouleInterval(50, [{ samplesPerJoule: 50 }]);
  assert.deepEqual(one.ci95, [50, 50]);
  assert.equal(one.halfWidthPercent, Number.POSITIVE_INFINITY);
  assert.equal(one.n, 1);
});

// A's windows are 2, 2.2 and 2.42 times B's in rounds 1–3, while B itself drifts 100 → 200 → 50: the paired log
// differences are ln 2 + {0, d, 2d} (d = ln 1.1), mean ln 2.2, s = d, se = d/√3, df = 2.
const drifting: WindowValue[] = [{ samplesPerJoule: 100, round: 1 }, { samplesPerJoule: 200, round: 2 }, { samplesPerJoule: 50, round: 3 }];
const twiceAndMore: WindowValue[] = [{ samplesPerJoule: 121, round: 3 }, { samplesPerJoule: 200, round: 1 }, { samplesPerJoule: 440, round: 2 }];

test('ratio paired by round: the drift of both cancels; pairs are matched by round, not by position', () => {
  const ratio = ratioInterval(2.2, twiceAndMore, 1, drifting);
  assert.equal(ratio.method, 'paired-rounds');
  assert.equal(ratio.n, 3);
  close(ratio.estimate, 2.2, 1e-12, 'estimate = estimateA ÷ estimateB');
  close(ratio.ci95[0], 2.2 / 1.2671415452811265, 1e-9, 'lower');
  close(ratio.ci95[1], 2.2 * 1.2671415452811265, 1e-9, 'upper');
  // t = ln 2.2 / (d/√3) = 14.328461; p = 1 − F(t; 2) = 1/2 − t / (2√(2 + t²)) = 0.0024178.
  const t = Math.log(2.2) / (lnTenPercent / Math.sqrt(3));
  close(ratio.pNotAbove, 0.5 - t / (2 * Math.sqrt(2 + t * t)), 1e-12, 'one-sided p');
  close(ratio.pNotAbove, 0.00241775, 1e-8, 'one-sided p (number)');
});

test('ratio paired by round: the other way round, p is near 1', () => {
  const ratio = ratioInterval(1, drifting, 2.2, twiceAndMore);
  close(ratio.estimate, 1 / 2.2, 1e-12, 'estimate');
  close(ratio.pNotAbove, 1 - 0.00241775, 1e-8, 'one-sided p');
});

test('ratio paired by round: windows without a partner round are left out', () => {
  const extra: WindowValue[] = [...twiceAndMore, { samplesPerJoule: 1e6, round: 9 }, { samplesPerJoule: 1e-6 }];
  const ratio = ratioInterval(2.2, extra, 1, drifting);
  assert.equal(ratio.n, 3);
  close(ratio.ci95[1], 2.2 * 1.2671415452811265, 1e-9, 'upper');
});

test('ratio paired by round: the same ratio in every round is certain (zero width, p 0; reversed, p 1)', () => {
  const b: WindowValue[] = [{ samplesPerJoule: 10, round: 1 }, { samplesPerJoule: 20, round: 2 }];
  const a: WindowValue[] = [{ samplesPerJoule: 30, round: 1 }, { samplesPerJoule: 60, round: 2 }];
  const ratio = ratioInterval(3, a, 1, b);
  assert.deepEqual(ratio.ci95, [3, 3]);
  assert.equal(ratio.pNotAbove, 0);
  assert.equal(ratioInterval(1, b, 3, a).pNotAbove, 1);
});

// Welch on log values [1, 2] vs [3, 4] (windows e¹, e² and e³, e⁴): variances 0.5 each over n = 2, se = √0.5,
// df = 0.5² / (0.25² + 0.25²) = 2, t = (1.5 − 3.5)/√0.5 = −2√2.
const welchA: WindowValue[] = [{ samplesPerJoule: Math.E }, { samplesPerJoule: Math.E ** 2 }];
const welchB: WindowValue[] = [{ samplesPerJoule: Math.E ** 3 }, { samplesPerJoule: Math.E ** 4 }];

test('ratio without rounds: Welch on the log values (hand-computed df = 2, t = −2√2)', () => {
  const ratio = ratioInterval(1, welchA, 2, welchB);
  assert.equal(ratio.method, 'independent-windows');
  assert.equal(ratio.n, 4);
  close(ratio.estimate, 0.5, 1e-12, 'estimate');
  // spread = t(0.975; 2)·√0.5 = 3.042435; P(T ≤ −2√2; 2) = 1/2 − √0.2, so p(not above) = 1/2 + √0.2.
  const spread = t975df2 * Math.SQRT1_2;
  close(ratio.ci95[0], 0.5 * Math.exp(-spread), 1e-9, 'lower');
  close(ratio.ci95[1], 0.5 * Math.exp(spread), 1e-6, 'upper');
  close(ratio.halfWidthPercent, (Math.exp(3.0424349224110734) - 1) * 100, 1e-6, '± %');
  close(ratio.pNotAbove, 0.5 + Math.sqrt(0.2), 1e-9, 'one-sided p');
});

test('ratio with a single shared round falls back to Welch (pairing needs two rounds)', () => {
  const a: WindowValue[] = [{ samplesPerJoule: Math.E, round: 1 }, { samplesPerJoule: Math.E ** 2, round: 2 }];
  const b: WindowValue[] = [{ samplesPerJoule: Math.E ** 3, round: 1 }, { samplesPerJoule: Math.E ** 4, round: 5 }];
  const ratio = ratioInterval(1, a, 2, b);
  assert.equal(ratio.method, 'independent-windows');
  close(ratio.pNotAbove, 0.5 + Math.sqrt(0.2), 1e-9, 'one-sided p');
});

test('ratio with fewer than two windows on a side: unbounded interval, p 1', () => {
  const ratio = ratioInterval(1, [{ samplesPerJoule: 5 }], 2, welchB);
  assert.deepEqual(ratio.ci95, [0, Number.POSITIVE_INFINITY]);
  assert.equal(ratio.halfWidthPercent, Number.POSITIVE_INFINITY);
  assert.equal(ratio.pNotAbove, 1);
  assert.equal(ratio.estimate, 0.5);
});

test('Holm at 0.05 over [0.01, 0.04, 0.03, 0.005]: 0.005 ≤ 0.05/4, 0.01 ≤ 0.05/3, 0.03 > 0.05/2 stops', () => {
  assert.deepEqual(holmRejections([0.01, 0.04, 0.03, 0.005], 0.05), [true, false, false, true]);
});

test('Holm is step-down: the first p above its threshold stops, even when later ones are below alpha', () => {
  // 0.001 ≤ 0.05/3; 0.04 > 0.05/2 stops, though 0.045 ≤ 0.05/1.
  assert.deepEqual(holmRejections([0.045, 0.001, 0.04], 0.05), [false, true, false]);
  // 0.01 ≤ 0.0167, 0.02 ≤ 0.025, 0.03 ≤ 0.05: all three.
  assert.deepEqual(holmRejections([0.03, 0.02, 0.01], 0.05), [true, true, true]);
});

test('Holm: thresholds are inclusive; p 1 is never rejected; no p-values, no rejections', () => {
  assert.deepEqual(holmRejections([0.02, 0.04], 0.04), [true, true]);
  assert.deepEqual(holmRejections([1, 0.001], 0.05), [false, true]);
  assert.deepEqual(holmRejections([0.06], 0.05), [false]);
  assert.deepEqual(holmRejections([], 0.05), []);
});

const ratioBetween = (lower: number, upper: number): Interval => ({ estimate: 1, ci95: [lower, upper], halfWidthPercent: 0, n: 5, method: 'paired-rounds' });

test('withinEquivalence: ±3% is [1/1.03, 1.03] on the ratio (symmetric on the log scale), edges included', () => {
  assert.equal(withinEquivalence(ratioBetween(1 / 1.03, 1.03), 3), true);
  assert.equal(withinEquivalence(ratioBetween(0.975, 1.02), 3), true);
  // 0.97 < 1/1.03 = 0.970874: outside, although 3% below 1.
  assert.equal(withinEquivalence(ratioBetween(0.97, 1.0), 3), false);
  assert.equal(withinEquivalence(ratioBetween(0.99, 1.0301), 3), false);
  assert.equal(withinEquivalence(ratioBetween(0, Number.POSITIVE_INFINITY), 3), false);
  assert.equal(withinEquivalence(ratioBetween(0.95, 1.05), 5.3), true);
});
