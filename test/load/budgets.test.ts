import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateBudgets } from '../../src/compare/budgets.js';
import { toBudgetSpecs } from '../../src/scenario/budget-spec.js';
import type { LoadRecord } from '../../src/results/load-types.js';
import type { RunResult } from '../../src/results/types.js';

const record = (key: string, targetRate: number, joulesPerRequest: number, p99Ms: number): LoadRecord =>
  ({ key, targetRate, joulesPerRequest, p99Ms, status: 'ok', estimated: false, error: null }) as unknown as LoadRecord;

const environment = { host: { arch: 'x64', cpu: { model: 'cpu', cores: 2, physicalCores: 2, sockets: 1 }, memoryBytes: 8e9, os: 'linux', kernel: '6', hostname: 'h' }, accelerators: [], runtime: { node: '20', onnxruntime: '1.30.0', executionProviders: [] } };
const run = (load: LoadRecord[]): RunResult => ({ measurements: [], load, meters: [{ estimated: false }], environment }) as unknown as RunResult;

test('a budget on energy per request at 50 req/s checks only the records at that rate', () => {
  const budgets = toBudgetSpecs([{ match: 'mlp', rate: 50, maxJoulesPerRequest: 0.02 }], '/');
  const report = evaluateBudgets(run([record('mlp/fp32/cpu/mb8-w5/s1@20', 20, 0.3, 9), record('mlp/fp32/cpu/mb8-w5/s1@50', 50, 0.025, 9)]), budgets, new Map());
  assert.equal(report.verdicts.length, 1);
  assert.equal(report.passed, false);
  assert.equal(report.verdicts[0]!.key, 'mlp/fp32/cpu/mb8-w5/s1@50');
  assert.ok(Math.abs(report.verdicts[0]!.overPercent! - 25) < 1e-9);
  assert.match(report.verdicts[0]!.message, /maxJoulesPerRequest BROKEN: 0\.02500 J\/request > max 0\.02000 — over by 25%/);
});

test('maxP99Ms on a load budget, and a limit relative to a baseline load run', () => {
  const budgets = toBudgetSpecs([{ match: '*', rate: 50, maxP99Ms: 10, maxJoulesPerRequest: '10% above baseline', baseline: 'base.json' }], '/b');
  const baseline = run([record('mlp/fp32/cpu/mb8-w5/s1@50', 50, 0.02, 5)]);
  const report = evaluateBudgets(run([record('mlp/fp32/cpu/mb8-w5/s1@50', 50, 0.021, 12)]), budgets, new Map([['/b/base.json', baseline]]));
  assert.deepEqual(report.verdicts.map((v) => [v.budget, v.ok]), [['maxJoulesPerRequest', true], ['maxP99Ms', false]]);
  assert.ok(Math.abs(report.verdicts[0]!.limit! - 0.022) < 1e-12);
});

test('a bench budget (no rate, no load limit) leaves load records alone', () => {
  const report = evaluateBudgets(run([record('mlp/fp32/cpu/mb8-w5/s1@50', 50, 0.02, 50)]), toBudgetSpecs([{ match: 'mlp', maxP99Ms: 10 }], '/'), new Map());
  assert.deepEqual(report.verdicts, []);
});
