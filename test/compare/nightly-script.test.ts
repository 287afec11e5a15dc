// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// scripts/nightly.sh end to end on a tiny scenario: the first night becomes the baseline, a passing night replaces
// it, a regressed night fails with the Markdown summary and JUnit XML and leaves the baseline alone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/results/types.js';
import { ensureBuilt, removeDir, repoRoot, tempDir, writeReplayTrace } from '../cli/helpers.js';

const script = path.join(repoRoot, 'scripts', 'nightly.sh');

function nightly(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, JOULEBENCH_MODELS_DIR: path.join(cwd, 'models'), ...env };
  delete childEnv.NODE_OPTIONS;
  delete childEnv.NODE_TEST_CONTEXT;
  delete childEnv.GITHUB_STEP_SUMMARY;
  Object.assign(childEnv, env);
  return new Promise((resolve) => {
    execFile('bash', [script, ...args], { cwd, env: childEnv, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('scripts/nightly.sh', { timeout: 180_000 }, () => {
  let work = '';
  let scenario = '';
  const state = () => path.join(work, 'state');
  const accepted = async () => (await readFile(path.join(state(), 'baseline', 'ACCEPTED'), 'utf8')).trim().split('\n').map((line) => line.split(' ')[0]);

  before(async () => {
    await ensureBuilt();
    work = await tempDir('nightly');
    await writeReplayTrace(work, 'trace.csv', 20, () => 50);
    scenario = path.join(work, 'tiny.yaml');
    await writeFile(scenario, 'name: tiny\nmodels: [{model: mlp}]\nbatchSizes: [1]\nrepetitions: 5\nstopping: false\nwindow: {minSeconds: 0.1, minRuns: 3}\nwarmup: {runs: 1, seconds: 0}\nidleSeconds: 0.2\nmeters: ["replay:trace.csv"]\n');
  });
  after(() => (process.env.KEEP ? undefined : removeDir(work)));

  test('parses, and --help prints the usage', async () => {
    const r = await nightly(['--help'], repoRoot);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: scripts\/nightly\.sh/);
    const bad = await nightly(['--bogus'], repoRoot);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown option --bogus/);
  });

  let firstRun = '';
  test('night 1: no baseline yet, the run becomes the baseline', async () => {
    const stepSummary = path.join(work, 'step-summary.md');
    const r = await nightly(['--scenario', scenario, '--state', state()], work, { GITHUB_STEP_SUMMARY: stepSummary });
    assert.equal(r.code, 0, r.stderr);
    assert.match(await readFile(path.join(state(), 'summary.md'), 'utf8'), /first run/);
    assert.match(await readFile(stepSummary, 'utf8'), /## joulebench nightly: first run/);
    [firstRun] = (await accepted()) as [string];
    const baseline = JSON.parse(await readFile(path.join(state(), 'baseline', 'result.json'), 'utf8')) as RunResult;
    assert.equal(baseline.runId, firstRun);
  });

  test('night 2 passes (generous gate for 0.1 s windows): it becomes the baseline; the history holds both nights', async () => {
    // 0.1 s windows on a shared machine are far noisier than a real nightly (p99 can jump tenfold): gate energy only,
    // at a size no real change reaches.
    const r = await nightly(['--scenario', scenario, '--state', state(), '--gate', 'samples-per-joule', '--max-regression', '99%'], work);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await readFile(path.join(state(), 'summary.md'), 'utf8'), /## joulebench compare: ✅ no regression/);
    assert.match(await readFile(path.join(state(), 'junit.xml'), 'utf8'), /<testsuites name="joulebench" tests="3" failures="0"/);
    const nights = await accepted();
    assert.equal(nights.length, 2);
    assert.notEqual(nights[1], firstRun);
    const history = await new Promise<string>((resolve) =>
      execFile(process.execPath, [path.join(repoRoot, 'bin', 'joulebench.js'), 'history', path.join(state(), 'history'), '--json'], (_e, stdout) => resolve(stdout)),
    );
    assert.equal((JSON.parse(history) as { runs: unknown[] }).runs.length, 2);
  });

  test('night 3 regressed against a (doctored) baseline five times as efficient: exit 1, FAIL in Markdown and JUnit, baseline kept', async () => {
    const file = path.join(state(), 'baseline', 'result.json');
    const baseline = JSON.parse(await readFile(file, 'utf8')) as RunResult;
    // Every repetition at 5 × the night's mean samples per joule, without spread: a change no noise can hide.
    for (const m of baseline.measurements) {
      const meanSpj = m.repetitions.reduce((sum, rep) => sum + rep.samples / rep.energyJ, 0) / m.repetitions.length;
      for (const rep of m.repetitions) rep.energyJ = rep.samples / (5 * meanSpj);
    }
    await writeFile(file, JSON.stringify(baseline));
    const r = await nightly(['--scenario', scenario, '--state', state(), '--gate', 'samples-per-joule', '--max-regression', '20%'], work);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /nightly\.sh: FAILED \(run exit 0, compare exit 1\); baseline kept/);
    assert.match(await readFile(path.join(state(), 'summary.md'), 'utf8'), /## joulebench compare: ❌ regression[\s\S]*mlp\/fp32\/cpu\/b1 \| samples\/J .*REGRESSED/);
    assert.match(await readFile(path.join(state(), 'junit.xml'), 'utf8'), /<failure message="samples\/J/);
    assert.equal((await accepted()).length, 2, 'not accepted');
    assert.equal((JSON.parse(await readFile(file, 'utf8')) as RunResult).runId, baseline.runId);
  });
});
