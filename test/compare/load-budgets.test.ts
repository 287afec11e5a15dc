// Budgets over load records: which records a budget selects, absolute and baseline-relative limits on energy per
// request and p99, and the verdicts when a record did not run or the baseline cannot be used.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBudgetVerdicts, loadRecordsOf } from '../../src/compare/load-budgets.js';
import type { LoadRecord } from '../../src/results/load-types.js';
import type { RunResult } from '../../src/results/types.js';
import type { BudgetSpec } from '../../src/scenario/types.js';
import { loadRecord as record, syntheticResult } from '../fixtures/synthetic-results.js';

const key = (rate: number, model = 'mlp') => `${model}/fp32/cpu/mb8-w5/s1@${rate}`;

function loadRun(load: LoadRecord[], cpuModel?: string): RunResult {
  const result = syntheticResult({ measurements: [], ...(cpuModel ? { cpuModel } : {}) });
  result.load = load;
  return result;
}

const budget = (fields: Omit<BudgetSpec, 'match'>, match = 'mlp'): BudgetSpec => ({ match, ...fields });

test('loadRecordsOf: the match on the record key, and the rate when given', () => {
  const result = loadRun([record('mlp', 20, 0.3, 9), record('mlp', 50, 0.025, 9), record('cnn', 50, 1, 9)]);
  assert.deepEqual(loadRecordsOf(result, { match: 'mlp' }).map((r) => r.key), [key(20), key(50)]);
  assert.deepEqual(loadRecordsOf(result, { match: 'mlp', rate: 50 }).map((r) => r.key), [key(50)]);
  assert.deepEqual(loadRecordsOf(result, { match: '*', rate: 50 }).map((r) => r.key), [key(50), key(50, 'cnn')]);
  assert.deepEqual(loadRecordsOf(result, { match: 'mlp', rate: 30 }), []);
  assert.deepEqual(loadRecordsOf({}, { match: '*' }), [], 'a bench run has no load records');
});

test('an absolute J/request limit: met and broken, by how much, in the message', () => {
  const result = loadRun([record('mlp', 20, 0.015, 9), record('mlp', 50, 0.025, 9)]);
  const [met, broken] = loadBudgetVerdicts(result, budget({ maxJoulesPerRequest: { value: 0.02 } }), undefined, false);
  // (0.015 − 0.02) ÷ 0.02 = −25%; (0.025 − 0.02) ÷ 0.02 = +25%.
  assert.equal(met!.ok, true);
  assert.ok(Math.abs(met!.overPercent! + 25) < 1e-9);
  assert.equal(met!.message, `${key(20)}: maxJoulesPerRequest met: 0.01500 J/request ≤ max 0.02000`);
  assert.deepEqual({ ...broken!, overPercent: Math.round(broken!.overPercent!) }, {
    key: key(50), match: 'mlp', budget: 'maxJoulesPerRequest', limit: 0.02, actual: 0.025, ok: false, overPercent: 25, estimated: false,
    message: `${key(50)}: maxJoulesPerRequest BROKEN: 0.02500 J/request > max 0.02000 — over by 25%`,
  });
});

test('estimated energy: the run\'s meters or the record itself; the p99 verdict is never estimated', () => {
  const limits = budget({ rate: 20, maxJoulesPerRequest: { value: 0.02 }, maxP99Ms: { value: 10 } });
  const [energy, p99] = loadBudgetVerdicts(loadRun([record('mlp', 20, 0.015, 9)]), limits, undefined, true);
  assert.equal(energy!.estimated, true);
  assert.match(energy!.message, /0\.01500 J\/request \(estimated\) ≤ max/);
  assert.equal(p99!.estimated, false);
  const [fromRecord] = loadBudgetVerdicts(loadRun([record('mlp', 20, 0.015, 9, { estimated: true })]), limits, undefined, false);
  assert.equal(fromRecord!.estimated, true);
});

test('maxP99Ms selects load records only when the budget is about load (a rate or a J/request limit)', () => {
  const result = loadRun([record('mlp', 20, 0.015, 12)]);
  assert.deepEqual(loadBudgetVerdicts(result, budget({ maxP99Ms: { value: 10 } }), undefined, false), [], 'a bench budget');
  const [p99] = loadBudgetVerdicts(result, budget({ rate: 20, maxP99Ms: { value: 10 } }), undefined, false);
  // (12 − 10) ÷ 10 = 20% over.
  assert.equal(p99!.message, `${key(20)}: maxP99Ms BROKEN: 12.00 ms p99 > max 10.00 — over by 20%`);
  assert.equal(p99!.ok, false);
  const both = loadBudgetVerdicts(result, budget({ maxJoulesPerRequest: { value: 1 }, maxP99Ms: { value: 10 } }), undefined, false);
  assert.deepEqual(both.map((v) => [v.budget, v.ok]), [['maxJoulesPerRequest', true], ['maxP99Ms', false]]);
});

test('a record that did not run: one "measured" verdict that fails, with its error', () => {
  const failed = record('mlp', 20, 0, 0, { status: 'failed', error: { code: 'OOM', message: 'out of memory' } });
  const silent = record('mlp', 50, 0, 0, { status: 'failed' });
  const verdicts = loadBudgetVerdicts(loadRun([failed, silent]), budget({ maxJoulesPerRequest: { value: 0.02 }, maxP99Ms: { value: 10 } }), undefined, false);
  assert.deepEqual(verdicts.map((v) => [v.budget, v.ok, v.limit, v.actual, v.message]), [
    ['measured', false, null, null, `${key(20)}: not measured (out of memory), so its budget cannot be met`],
    ['measured', false, null, null, `${key(50)}: not measured (failed), so its budget cannot be met`],
  ]);
});

test('a limit relative to the baseline: the same key in the baseline run, above or below it', () => {
  const baseline = loadRun([record('mlp', 50, 0.02, 5)]);
  const candidate = loadRun([record('mlp', 50, 0.021, 5)]);
  const [above] = loadBudgetVerdicts(candidate, budget({ maxJoulesPerRequest: { baselineRelative: 0.1 }, baseline: '/b/base.json' }), baseline, false);
  // 0.02 × (1 + 0.1) = 0.022 ≥ 0.021: met.
  assert.ok(Math.abs(above!.limit! - 0.022) < 1e-15);
  assert.equal(above!.message, `${key(50)}: maxJoulesPerRequest met: 0.02100 J/request ≤ max 0.02200 (10% above the baseline's 0.02000)`);
  const [below] = loadBudgetVerdicts(candidate, budget({ maxJoulesPerRequest: { baselineRelative: -0.1 }, baseline: '/b/base.json' }), baseline, false);
  // 0.02 × (1 − 0.1) = 0.018 < 0.021: (0.021 − 0.018) ÷ 0.018 = 16.666…% → "16.7%".
  assert.equal(below!.message, `${key(50)}: maxJoulesPerRequest BROKEN: 0.02100 J/request > max 0.01800 (10% below the baseline's 0.02000) — over by 16.7%`);
});

test('a relative limit that cannot be checked: no such key in the baseline, a failed one, no baseline, other hardware', () => {
  const candidate = loadRun([record('mlp', 50, 0.021, 5)]);
  const relative = budget({ maxJoulesPerRequest: { baselineRelative: 0.1 }, baseline: '/b/base.json' });
  const unchecked = (baseline: RunResult | undefined, spec = relative) => {
    const [verdict] = loadBudgetVerdicts(candidate, spec, baseline, false);
    assert.equal(verdict!.ok, false);
    assert.equal(verdict!.limit, null);
    assert.equal(verdict!.actual, 0.021);
    return verdict!.message;
  };
  assert.equal(unchecked(loadRun([record('mlp', 20, 0.02, 5)])), `${key(50)}: maxJoulesPerRequest cannot be checked: the baseline /b/base.json has no measured ${key(50)}`);
  assert.equal(unchecked(loadRun([record('mlp', 50, 0.02, 5, { status: 'failed' })])), `${key(50)}: maxJoulesPerRequest cannot be checked: the baseline /b/base.json has no measured ${key(50)}`);
  assert.equal(unchecked(undefined, budget({ maxJoulesPerRequest: { baselineRelative: 0.1 } })), `${key(50)}: maxJoulesPerRequest cannot be checked: the baseline (none) has no measured ${key(50)}`);
  assert.equal(
    unchecked(loadRun([record('mlp', 50, 0.02, 5)], 'Other CPU 1')),
    `${key(50)}: maxJoulesPerRequest cannot be checked: the baseline /b/base.json is from other hardware (host CPU "Other CPU 1" → "Synthetic CPU 9000")`,
  );
});
