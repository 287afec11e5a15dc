// The nightly gate around a sweep: budgets resolved and baselines read before measuring (bad input fails first), the
// history store created up front, and the verdicts written into result.json after the run. Temp folders only.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { applyBudgets, prepareGates } from '../../src/compare/gates.js';
import { InputError } from '../../src/errors.js';
import type { RunResult } from '../../src/results/types.js';
import { parseScenarioYaml } from '../../src/scenario/load.js';
import { syntheticResult, writeSyntheticResult } from '../fixtures/synthetic-results.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jb-gates-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const planned = ['mlp/fp32/cpu/b1'];
const scenario = (yaml: string) => parseScenarioYaml(`models: [{model: mlp}]\n${yaml}`, { file: path.join(dir, 'nightly.yaml'), baseDir: dir });
// mlp/fp32/cpu/b1 at `samplesPerJoule` in each of two windows.
const run = (samplesPerJoule: number, runId = 'candidate'): RunResult => syntheticResult({ runId, measurements: [{ samplesPerJoule: [samplesPerJoule, samplesPerJoule] }] });

function inputError(code: string, message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof InputError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  };
}

test('no budgets, no history: nothing prepared, and applyBudgets neither judges nor writes', async () => {
  const gates = await prepareGates(scenario(''), planned, {});
  assert.deepEqual(gates, { budgets: [], baselines: new Map(), historyDir: null });
  const resultPath = path.join(dir, 'untouched', 'result.json');
  assert.equal(await applyBudgets(run(100), resultPath, gates), null);
  assert.equal(existsSync(resultPath), false);
});

test('a scenario baseline is resolved against the scenario folder and read before measuring', async () => {
  const base = await writeSyntheticResult(path.join(dir, 'base-a.json'), { runId: 'base-a', measurements: [{ samplesPerJoule: [100, 100] }] });
  const gates = await prepareGates(scenario('budgets:\n  - match: mlp\n    minSamplesPerJoule: "10% below baseline"\n    baseline: base-a.json\n'), planned, {});
  assert.deepEqual(gates.budgets, [{ match: 'mlp', minSamplesPerJoule: { baselineRelative: -0.1 }, baseline: base }]);
  assert.deepEqual([...gates.baselines.keys()], [base]);
  assert.equal(gates.baselines.get(base)!.runId, 'base-a');
});

test('--baseline fills in budgets that name none (resolved from the working folder); one read per file', async () => {
  const base = await writeSyntheticResult(path.join(dir, 'base-b.json'), { runId: 'base-b', measurements: [{ samplesPerJoule: [100, 100] }] });
  const yaml = 'budgets:\n  - match: mlp\n    maxRegression: 5%\n  - match: mlp/fp32\n    maxP99Ms: "10% above baseline"\n';
  const gates = await prepareGates(scenario(yaml), planned, { baseline: path.relative(process.cwd(), base) });
  assert.deepEqual(gates.budgets.map((b) => b.baseline), [base, base]);
  assert.equal(gates.baselines.size, 1);
});

test('bad input fails before measuring: a missing baseline, a budget that matches nothing, a relative one without a baseline', async () => {
  const missing = path.join(dir, 'missing.json');
  await assert.rejects(prepareGates(scenario('budgets:\n  - match: mlp\n    maxRegression: 5%\n'), planned, { baseline: missing }), inputError('RESULT_NOT_FOUND', new RegExp(`^the baseline ${missing}: no such result file$`)));
  await assert.rejects(prepareGates(scenario('budgets:\n  - match: cnn\n    maxP99Ms: 10\n'), planned, {}), inputError('BUDGET_MATCHES_NOTHING', /^budgets\[0\]: match "cnn" selects no configuration of this scenario$/));
  await assert.rejects(prepareGates(scenario('budgets:\n  - match: mlp\n    maxRegression: 5%\n'), planned, {}), inputError('BUDGET_NEEDS_BASELINE', /^budgets\[0\] \(match "mlp"\) is relative to a baseline, but none is given$/));
});

test('the history store is created before measuring; --history wins over the scenario\'s history:', async () => {
  const fromScenario = await prepareGates(scenario('history: hist-a\n'), planned, {});
  assert.equal(fromScenario.historyDir, path.join(dir, 'hist-a'));
  assert.ok(existsSync(path.join(dir, 'hist-a', 'history.sqlite')));
  const flagged = path.join(dir, 'hist-b');
  const fromFlag = await prepareGates(scenario('history: hist-c\n'), planned, { historyDir: path.relative(process.cwd(), flagged) });
  assert.equal(fromFlag.historyDir, flagged);
  assert.ok(existsSync(path.join(flagged, 'history.sqlite')));
  assert.equal(existsSync(path.join(dir, 'hist-c')), false);
});

test('an unusable history folder is bad input now, not after the sweep', async () => {
  writeFileSync(path.join(dir, 'a-file'), 'not a folder');
  await assert.rejects(prepareGates(scenario(''), planned, { historyDir: path.join(dir, 'a-file', 'history') }), inputError('HISTORY_UNWRITABLE', /^cannot create the history folder .*a-file\/history: ENOTDIR$/));
});

test('applyBudgets: the verdicts go into the result and result.json is rewritten with them', async () => {
  const base = await writeSyntheticResult(path.join(dir, 'base-c.json'), { runId: 'base-c', measurements: [{ samplesPerJoule: [100, 100] }] });
  const gates = await prepareGates(scenario('budgets:\n  - match: mlp\n    minSamplesPerJoule: 150\n  - match: mlp\n    minSamplesPerJoule: "10% below baseline"\n'), planned, { baseline: base });
  const result = run(95);
  // The run folder exists by the time budgets are applied (the sweep wrote result.json into it).
  const resultPath = path.join(dir, 'run-c', 'result.json');
  mkdirSync(path.dirname(resultPath));
  const report = (await applyBudgets(result, resultPath, gates))!;
  // 95 < 150: broken, (150 − 95) ÷ 150 = 36.7% under; 100 × (1 − 0.1) = 90 ≤ 95: met.
  assert.deepEqual(report.verdicts.map((v) => [v.budget, v.ok]), [['minSamplesPerJoule', false], ['minSamplesPerJoule', true]]);
  assert.match(report.verdicts[0]!.message, /BROKEN: 95\.00 samples\/J < min 150\.0 — under by 36\.7%$/);
  assert.ok(Math.abs(report.verdicts[1]!.limit! - 90) < 1e-9);
  assert.deepEqual({ broken: report.broken, passed: report.passed, baselines: report.baselines }, { broken: 1, passed: false, baselines: [base] });
  assert.equal(result.budgets, report);
  const written = readFileSync(resultPath, 'utf8');
  assert.ok(written.endsWith('}\n'));
  assert.deepEqual(JSON.parse(written), JSON.parse(JSON.stringify(result)));
});
