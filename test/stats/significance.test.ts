import assert from 'node:assert/strict';
import { test } from 'node:test';
import { regularizedIncompleteBeta, studentTCdf, studentTQuantile, welchTTest } from '../../src/stats/significance.js';
import { tCritical95 } from '../../src/stats/summary.js';

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual}`);

test('Student t CDF matches the closed forms for 1 and 2 degrees of freedom', () => {
  for (const t of [-5, -1.3, -0.2, 0, 0.7, 1, 2.5, 12]) {
    // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π.
    close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-12, `F(${t}; 1)`);
    // df = 2: F(t) = 1/2 + t / (2 √(2 + t²)).
    close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-12, `F(${t}; 2)`);
  }
  assert.equal(studentTCdf(0, 7.3), 0.5);
  assert.equal(studentTCdf(Infinity, 3), 1);
  assert.ok(Number.isNaN(studentTCdf(1, 0)));
});

test('Student t quantiles reproduce the 97.5% table summary.ts uses, and the normal limit', () => {
  for (let df = 1; df <= 30; df++) close(studentTQuantile(0.975, df), tCritical95(df), 6e-4, `t(0.975; ${df})`);
  close(studentTQuantile(0.975, 1e7), 1.959964, 1e-5, 't(0.975; ∞)');
  close(studentTQuantile(0.025, 5), -2.570582, 1e-5, 't(0.025; 5)');
});

test('incomplete beta: I_x(1, 1) = x and I_x(a, 1) = x^a', () => {
  close(regularizedIncompleteBeta(0.3, 1, 1), 0.3, 1e-14, 'I_0.3(1,1)');
  close(regularizedIncompleteBeta(0.6, 3, 1), 0.216, 1e-14, 'I_0.6(3,1)');
  assert.equal(regularizedIncompleteBeta(0, 2, 3), 0);
  assert.equal(regularizedIncompleteBeta(1, 2, 3), 1);
});

test("Welch's t-test, hand-computed: [1,2] vs [3,4] has t = 2√2, df = 2, p = 1 − 2√0.2", () => {
  // variances 0.5 each, n = 2: SE = √(0.25 + 0.25); df = 0.5² / (0.25² + 0.25²) = 2.
  const r = welchTTest([1, 2], [3, 4]);
  assert.equal(r.difference, 2);
  close(r.t, 2 * Math.SQRT2, 1e-12, 't');
  close(r.degreesOfFreedom, 2, 1e-12, 'df');
  close(r.pValue, 1 - 2 * Math.sqrt(0.2), 1e-12, 'p');
});

test("Welch's t-test with unequal variances: Welch–Satterthwaite df", () => {
  // var 4 (n 3) and 20/3 (n 4): SE² = 4/3 + 5/3 = 3; t = 4/√3; df = 9 / ((4/3)²/2 + (5/3)²/3) = 486/98.
  const r = welchTTest([10, 12, 14], [13, 15, 17, 19]);
  close(r.t, 4 / Math.sqrt(3), 1e-12, 't');
  close(r.degreesOfFreedom, 486 / 98, 1e-12, 'df');
  close(r.pValue, 2 * studentTCdf(-4 / Math.sqrt(3), 486 / 98), 1e-15, 'p');
  close(r.pValue, 0.0694, 5e-4, 'p (scipy.stats.ttest_ind equal_var=False: 0.0694)');
});

test("Welch's t-test: zero variance on both sides is decided by the means alone; one value is refused", () => {
  assert.equal(welchTTest([5, 5, 5], [5, 5]).pValue, 1);
  assert.equal(welchTTest([5, 5, 5], [6, 6]).pValue, 0);
  assert.throws(() => welchTTest([1], [2, 3]), /at least 2 values/);
});
