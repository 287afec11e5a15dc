// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// Budgets end to end: `joulebench run` with `budgets:` exits 1 naming the broken one and records verdicts.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { assertBadInput, ensureBuilt, fastFlags, onlyRunDir, readResult, removeDir, repoRoot, runCli, tempDir, writeReplayTrace } from '../cli/helpers.js';

describe('budgets in run and bench', { timeout: 120_000 }, () => {
  let work = '';
  const cli = (args: string[]) => runCli(args, { cwd: work, modelsDir: path.join(work, 'models') });
  const scenario = async (name: string, budgets: string) => {
    const file = path.join(work, name);
    await writeFile(file, `models: [{model: mlp}]\nbatchSizes: [1]\nrepetitions: 2\nstopping: false\nwindow: {minSeconds: 0.1, minRuns: 3}\nwarmup: {runs: 1, seconds: 0}\nidleSeconds: 0.2\nmeters: ["replay:trace.csv"]\n${budgets}`);
    return file;
  };

  before(async () => {
    await ensureBuilt();
    work = await tempDir('budgets');
    await writeReplayTrace(work, 'trace.csv', 20, () => 50);
  });
  after(() => removeDir(work));

  let baseline = '';
  test('a broken budget: exit 1, the budget named with its margin, verdicts in result.json', async () => {
    const file = await scenario('broken.yaml', 'budgets:\n  - match: mlp\n    maxJoulesPerSample: 0.000000001\n    maxP99Ms: 100000\nout: out-broken\n');
    const r = await cli(['run', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^budgets: 1 BROKEN, 1 met$/m);
    assert.match(r.stdout, /^ {2}✗ mlp\/fp32\/cpu\/b1: maxJoulesPerSample BROKEN: [\d.e-]+ J\/sample > max 1\.000e-9 — over by [\d,.]+%$/m);
    assert.match(r.stdout, /^ {2}✓ mlp\/fp32\/cpu\/b1: maxP99Ms met: /m);
    const runDir = await onlyRunDir(path.join(work, 'out-broken'));
    const result = await readResult(runDir);
    assert.equal(result.budgets?.passed, false);
    assert.deepEqual(result.budgets?.verdicts.map((v) => [v.budget, v.ok]), [['maxJoulesPerSample', false], ['maxP99Ms', true]]);
    const schema = JSON.parse(await readFile(path.join(repoRoot, 'schema', 'result.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    assert.ok(validate(result), JSON.stringify(validate.errors));
    baseline = path.join(runDir, 'result.json');
  });

  test('budgets met, one relative to the baseline given by --baseline: exit 0', async () => {
    const file = await scenario('met.yaml', 'budgets:\n  - match: "*"\n    minSamplesPerJoule: "90% below baseline"\nout: out-met\n');
    const r = await cli(['run', file, '--baseline', baseline]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^budgets: all 1 met$/m);
    assert.match(r.stdout, /minSamplesPerJoule met: .* ≥ min .* \(90% below the baseline's .*\)/);
    const result = await readResult(await onlyRunDir(path.join(work, 'out-met')));
    assert.deepEqual(result.budgets?.baselines, [baseline]);
  });

  test('bench --baseline gates every configuration with --max-regression; --json keeps stdout JSON', async () => {
    const r = await cli(['bench', 'mlp', '--batch', '1', ...fastFlags, '--meter', 'replay:trace.csv', '--out', 'out-bench', '--baseline', baseline, '--max-regression', '99%', '--json']);
    // Two 0.1 s windows on a shared machine: p99 can move a lot between runs, so either outcome is possible here; what
    // is fixed is that the exit code follows the verdicts and that stdout stays JSON.
    const result = JSON.parse(r.stdout) as { budgets: { passed: boolean; verdicts: Array<{ budget: string }> } };
    assert.equal(r.code, result.budgets.passed ? 0 : 1, r.stderr);
    assert.deepEqual(result.budgets.verdicts.map((v) => v.budget), ['maxRegression:samplesPerJoule', 'maxRegression:samplesPerSecond', 'maxRegression:p99Ms']);
    assert.match(r.stderr, /^budgets: (all 3 met|\d BROKEN, \d met)$/m);
  });

  test('bad budgets fail before measuring: a match that selects nothing, a missing baseline, --max-regression without one', async () => {
    const nothing = await scenario('nothing.yaml', 'budgets:\n  - match: cnn\n    maxP99Ms: 5\n');
    assertBadInput(await cli(['run', nothing]), 'budgets[0]: match "cnn" selects no configuration');
    const missing = await scenario('missing.yaml', 'budgets:\n  - maxRegression: 5%\n    baseline: nope/result.json\n');
    assertBadInput(await cli(['run', missing]), `the baseline ${path.join(work, 'nope/result.json')}: no such result file`);
    const relative = await scenario('relative.yaml', 'budgets:\n  - minSamplesPerJoule: "5% below baseline"\n');
    assertBadInput(await cli(['run', relative]), 'is relative to a baseline, but none is given', '--baseline FILE');
    assertBadInput(await cli(['bench', 'mlp', '--max-regression', '5%']), '--max-regression needs a baseline');
    const typo = await scenario('typo.yaml', 'budgets:\n  - match: mlp\n    maxJoulesPerSample: "20% under baseline"\n');
    assertBadInput(await cli(['run', typo]), 'typo.yaml: budgets[0].maxJoulesPerSample: expected a positive number or a limit relative to the baseline like "20% below baseline", got "20% under baseline"');
  });
});
