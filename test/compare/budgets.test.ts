// Budgets against synthetic runs: absolute and baseline-relative limits, maxRegression, hand-checked margins.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetMatches } from '../../src/scenario/budget-spec.js';
import { evaluateBudgets, resolveBudgets } from '../../src/compare/budgets.js';
import { InputError } from '../../src/errors.js';
import type { RunResult } from '../../src/results/types.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

// 100 samples per joule in every repetition → exactly 0.01 J/sample.
const run = syntheticResult({ measurements: [{ samplesPerJoule: [100, 100, 100], p99Ms: 2 }, { batch: 8, samplesPerJoule: [400, 400, 400], p99Ms: 4 }] });
const none = new Map<string, RunResult>();

test('a budget broken by 1% fails and says which budget and by how much', () => {
  const report = evaluateBudgets(run, [{ match: 'mlp/fp32/cpu/b1', maxJoulesPerSample: { value: 0.01 / 1.01 } }], none);
  assert.equal(report.passed, false);
  assert.equal(report.broken, 1);
  const [verdict] = report.verdicts;
  assert.equal(verdict!.budget, 'maxJoulesPerSample');
  assert.ok(Math.abs(verdict!.overPercent! - 1) < 1e-9, `over by ${verdict!.overPercent}%`);
  assert.equal(verdict!.message, 'mlp/fp32/cpu/b1: maxJoulesPerSample BROKEN: 0.01000 J/sample > max 0.009901 — over by 1%');
});

test('met budgets pass; each limit is checked on every configuration the match selects', () => {
  const report = evaluateBudgets(run, [{ match: 'mlp', maxJoulesPerSample: { value: 0.01 }, minSamplesPerJoule: { value: 100 }, maxP99Ms: { value: 4 }, maxWhPer1kSamples: { value: 0.01 } }], none);
  assert.equal(report.passed, true);
  assert.equal(report.verdicts.length, 8, '2 configurations × 4 limits');
  // 0.01 J/sample = 0.01 × 1000 / 3600 Wh per 1,000 samples
  const wh = report.verdicts.find((v) => v.key === 'mlp/fp32/cpu/b1' && v.budget === 'maxWhPer1kSamples')!;
  assert.ok(Math.abs(wh.actual! - 10 / 3600) < 1e-15);
});

test('relative budgets: "5% below baseline" and "10% above baseline"', () => {
  const baseline = syntheticResult({ measurements: [{ samplesPerJoule: [100, 100], p99Ms: 2 }] });
  const worse = syntheticResult({ measurements: [{ samplesPerJoule: [94, 94], p99Ms: 2.3 }] });
  const budgets = [{ match: '*', minSamplesPerJoule: { baselineRelative: -0.05 }, maxP99Ms: { baselineRelative: 0.1 }, baseline: '/b.json' }];
  const report = evaluateBudgets(worse, budgets, new Map([['/b.json', baseline]]));
  const [spj, p99] = report.verdicts;
  // limit 95 samples/J, got 94: under by 1/95
  assert.equal(spj!.limit, 95);
  assert.ok(Math.abs(spj!.overPercent! - 100 / 95) < 1e-9);
  assert.match(spj!.message, /minSamplesPerJoule BROKEN: 94\.00 samples\/J < min 95\.00 \(5% below the baseline's 100\.0\) — under by 1\.05%/);
  // limit 2.2 ms, got 2.3: over by 0.1/2.2
  assert.ok(Math.abs(p99!.limit! - 2.2) < 1e-12);
  assert.ok(Math.abs(p99!.overPercent! - (0.1 / 2.2) * 100) < 1e-9);
  const better = syntheticResult({ measurements: [{ samplesPerJoule: [96, 96], p99Ms: 2.1 }] });
  assert.equal(evaluateBudgets(better, budgets, new Map([['/b.json', baseline]])).passed, true);
});

test('maxRegression judges every metric as compare does', () => {
  const baseline = syntheticResult({ measurements: [{ samplesPerJoule: [100, 101, 99, 100, 100] }] });
  const candidate = syntheticResult({ measurements: [{ samplesPerJoule: [90, 91, 89, 90, 90] }] });
  const report = evaluateBudgets(candidate, [{ match: '*', maxRegression: 0.05, baseline: '/b.json' }], new Map([['/b.json', baseline]]));
  assert.deepEqual(report.verdicts.map((v) => [v.budget, v.ok]), [
    ['maxRegression:samplesPerJoule', false],
    ['maxRegression:samplesPerSecond', true],
    ['maxRegression:p99Ms', true],
  ]);
  assert.match(report.verdicts[0]!.message, /maxRegression 5% on samples\/J BROKEN: −10\.0% against the baseline \(CI .*, p <0\.001\): regressed/);
});

test('a configuration that did not run, or a baseline from other hardware, breaks its budget', () => {
  const failed = syntheticResult({ measurements: [{ samplesPerJoule: [1], status: 'failed' }] });
  const r1 = evaluateBudgets(failed, [{ match: 'mlp', maxP99Ms: { value: 10 } }], none);
  assert.equal(r1.passed, false);
  assert.match(r1.verdicts[0]!.message, /not measured \(failed: synthetic failure\)/);
  const otherHost = syntheticResult({ cpuModel: 'Other', measurements: [{ samplesPerJoule: [100, 100] }] });
  const r2 = evaluateBudgets(run, [{ match: 'mlp/fp32/cpu/b1', minSamplesPerJoule: { baselineRelative: -0.1 }, baseline: '/o.json' }], new Map([['/o.json', otherHost]]));
  assert.equal(r2.passed, false);
  assert.match(r2.verdicts[0]!.message, /cannot be checked: the baseline \/o\.json is from other hardware \(host CPU/);
});

test('match: a model name or a key pattern, segment by segment from the start', () => {
  assert.ok(budgetMatches('mlp', 'mlp/fp32/cpu/b1'));
  assert.ok(!budgetMatches('ml', 'mlp/fp32/cpu/b1'));
  assert.ok(budgetMatches('*', 'cnn/int8/cuda/b32/t4'));
  assert.ok(budgetMatches('mlp/int8', 'mlp/int8/cpu/b8'));
  assert.ok(!budgetMatches('mlp/int8', 'mlp/fp32/cpu/b8'));
  assert.ok(budgetMatches('*/*/cpu/b3*', 'cnn/fp16/cpu/b32'));
  assert.ok(!budgetMatches('*/*/cpu/b3*', 'cnn/fp16/cpu/b8'));
  assert.ok(!budgetMatches('mlp.v2', 'mlpxv2/fp32/cpu/b1'), '"." is literal');
});

test('resolveBudgets: a match that selects nothing, or a relative budget without a baseline, is bad input', () => {
  const keys = ['mlp/fp32/cpu/b1'];
  assert.throws(() => resolveBudgets([{ match: 'cnn', maxP99Ms: { value: 1 } }], keys, null), (e: unknown) => e instanceof InputError && /budgets\[0\]: match "cnn" selects no configuration/.test(e.message));
  assert.throws(() => resolveBudgets([{ match: 'mlp', maxRegression: 0.05 }], keys, null), /relative to a baseline, but none is given/);
  assert.deepEqual(resolveBudgets([{ match: 'mlp', maxRegression: 0.05 }], keys, '/b.json'), [{ match: 'mlp', maxRegression: 0.05, baseline: '/b.json' }]);
});
