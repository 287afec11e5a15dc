// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// Interrupt and resume, end to end: Ctrl-C keeps every finished configuration and leaves no meter tool behind; a
// second Ctrl-C exits at once with a valid result.json; kill -9 at random (seeded) moments never tears result.json,
// and --resume finishes the run with every configuration exactly once.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/results/types.js';
import { SeededRandom } from '../../src/stats/random.js';
import { ensureBuilt, fastFlags, repoRoot, removeDir, runCli, tempDir } from './helpers.js';

const fakeBin = path.join(repoRoot, 'test', 'fixtures', 'bin', 'nvidia');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A CLI process we can signal; `done` resolves with its exit code (or signal) and stderr. */
function start(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const full: NodeJS.ProcessEnv = { ...process.env, JOULEBENCH_MODELS_DIR: path.join(cwd, 'models'), ...env };
  delete full.NODE_OPTIONS;
  delete full.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'joulebench.js'), ...args], { cwd, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

async function runDirs(outDir: string): Promise<string[]> {
  if (!existsSync(outDir)) return [];
  return (await readdir(outDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => path.join(outDir, e.name));
}

/** Resolves once a run folder under `outDir` has a result.json (or the process ended, or after 120 s). */
async function untilResultIn(outDir: string, done: Promise<unknown>): Promise<void> {
  let ended = false;
  void done.then(() => (ended = true));
  for (const deadline = Date.now() + 120_000; !ended && Date.now() < deadline; await sleep(20)) {
    const [runDir] = await runDirs(outDir);
    if (runDir && existsSync(path.join(runDir, 'result.json'))) return;
  }
}

/** result.json of a run folder, parsed; fails the test when the file is torn. */
async function resultIn(runDir: string): Promise<RunResult | null> {
  const file = path.join(runDir, 'result.json');
  if (!existsSync(file)) return null;
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as RunResult;
  } catch {
    assert.fail(`torn result.json in ${runDir} (${text.length} bytes): ...${text.slice(-200)}`);
  }
}

async function waitForMeasurements(outDir: string, count: number, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [runDir] = await runDirs(outDir);
    if (runDir) {
      const result = await resultIn(runDir).catch(() => null);
      if (result && result.measurements.length >= count) return runDir;
    }
    await sleep(50);
  }
  assert.fail(`no ${count} finished configuration(s) in ${outDir} within ${timeoutMs} ms`);
}

function fakeToolsAlive(): Promise<string[]> {
  return new Promise((resolve) =>
    execFile('ps', ['-eo', 'stat=,args='], (_error, stdout) =>
      resolve(stdout.split('\n').filter((line) => line.includes(fakeBin) && !line.trim().startsWith('Z'))),
    ),
  );
}

describe('interrupt and resume', { timeout: 120_000 }, () => {
  let work: string;
  before(async () => {
    await ensureBuilt();
    work = await tempDir('interrupt');
    const built = await runCli(['models', 'build'], { cwd: work, modelsDir: path.join(work, 'models') });
    assert.equal(built.code, 0, built.stderr);
  });
  after(() => removeDir(work));

  test('SIGINT: exit 130, result.json "interrupted" with the finished configurations, no nvidia-smi left running', async () => {
    const out = path.join(work, 'sigint');
    const env = { PATH: `${fakeBin}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_NVSMI_WATTS: '200' };
    const args = ['bench', 'cnn', '--batch', '1,2,3,4,5,6,7,8', '--meter', 'nvidia-smi,estimate', '--gpus', '0', '--out', out, ...fastFlags];
    const { child, done } = start(args, work, env);
    const runDir = await waitForMeasurements(out, 1, 60_000);
    assert.ok((await fakeToolsAlive()).length > 0, 'the fake nvidia-smi streams during the run');
    child.kill('SIGINT');
    const exit = await done;
    assert.equal(exit.code, 130, exit.stderr);
    assert.ok(!exit.stderr.includes('    at '), exit.stderr);
    const result = (await resultIn(runDir))!;
    assert.equal(result.status, 'interrupted');
    assert.equal(result.stopReason, 'interrupted by signal');
    // The exact command that finishes it: the one typed, with --resume and the run folder (relative to the cwd).
    assert.ok(exit.stderr.includes(`to finish it: joulebench ${args.join(' ')} --resume ${path.relative(work, runDir)}\n`), exit.stderr);
    assert.ok(result.measurements.length >= 1 && result.measurements.length < 8, `${result.measurements.length} finished`);
    assert.ok(result.measurements.every((m) => m.status === 'ok'), JSON.stringify(result.measurements.map((m) => [m.key, m.status, m.error])));
    assert.equal(new Set(result.measurements.map((m) => m.key)).size, result.measurements.length);
    let alive = await fakeToolsAlive();
    for (let i = 0; i < 20 && alive.length > 0; i++) {
      await sleep(100);
      alive = await fakeToolsAlive();
    }
    assert.deepEqual(alive, [], 'no fake nvidia-smi outlives the run');
  });

  test('a second SIGINT exits at once and still leaves a valid, "interrupted" result.json', async () => {
    const out = path.join(work, 'twice');
    // Long windows: the first Ctrl-C alone would take a while to finish the window; the second must not wait.
    const args = ['bench', 'cnn', '--batch', '1,2,3,4', '--meter', 'estimate', '--out', out, ...fastFlags, '--min-seconds', '0.3'];
    const { child, done } = start(args, work);
    const runDir = await waitForMeasurements(out, 1, 60_000);
    child.kill('SIGINT');
    await sleep(20);
    child.kill('SIGINT');
    const exit = await done;
    assert.equal(exit.code, 130, exit.stderr);
    assert.match(exit.stderr, /SIGINT again: exiting now/);
    const result = (await resultIn(runDir))!;
    assert.equal(result.status, 'interrupted');
    assert.ok(result.measurements.length >= 1);
  });

  test('kill -9 at seeded random moments: never a torn result.json; --resume ends with every configuration once', async () => {
    const out = path.join(work, 'kill9');
    const batches = [1, 2, 3, 4, 5, 6];
    const base = ['bench', 'cnn', '--batch', batches.join(','), '--meter', 'estimate', '--out', out, ...fastFlags];
    const random = new SeededRandom(8);
    let resumed = 0;
    for (let round = 0; round < 6; round++) {
      const [runDir] = await runDirs(out);
      const previous = runDir ? await resultIn(runDir) : null;
      if (previous?.status === 'complete') break;
      // Killed before its first result.json: nothing was recorded, so there is nothing to resume; start afresh.
      if (runDir && !previous) await rm(runDir, { recursive: true, force: true });
      const args = previous ? [...base, '--resume', runDir!] : base;
      if (previous) resumed++;
      const { child, done } = start(args, work);
      // Kills at seeded random moments, before the first result.json too. When every earlier one landed before it
      // (a loaded machine starts the CLI slowly), the last round waits for it, so that one kill surely lands mid-run.
      const lastChance = round === 5 && resumed === 0 && !previous;
      if (lastChance) await untilResultIn(out, done);
      await sleep(lastChance ? random.next() * 300 : 300 + random.next() * 2500);
      child.kill('SIGKILL');
      await done;
      assert.ok((await runDirs(out)).length <= 1, 'one run folder, however often it is resumed');
      const [dir] = await runDirs(out);
      if (!dir) continue;
      const result = await resultIn(dir);
      if (result) {
        const keys = result.measurements.map((m) => m.key);
        assert.equal(new Set(keys).size, keys.length, `duplicate configurations after round ${round}: ${keys.join(', ')}`);
      }
    }
    const [last] = await runDirs(out);
    const before = last ? await resultIn(last) : null;
    if (last && !before) await rm(last, { recursive: true, force: true });
    if (before?.status !== 'complete') {
      const { done } = start(before ? [...base, '--resume', last!] : base, work);
      const exit = await done;
      assert.equal(exit.code, 0, exit.stderr);
      if (before) resumed++;
    }
    const [runDir] = await runDirs(out);
    assert.ok(runDir, 'the run folder exists');
    const final = (await resultIn(runDir!))!;
    assert.equal(final.status, 'complete');
    assert.deepEqual(final.measurements.map((m) => m.key), batches.map((b) => `cnn/fp32/cpu/b${b}`), 'every configuration exactly once, in plan order');
    assert.ok(final.measurements.every((m) => m.status === 'ok'));
    // A resume is recorded when it writes result.json; one killed before its first write leaves the file as it was.
    const recorded = final.resumedAt?.length ?? 0;
    assert.ok(resumed >= 1, 'at least one kill landed mid-run and was resumed');
    assert.ok(recorded >= 1 && recorded <= resumed, `${recorded} resumes recorded of ${resumed} started`);
    console.log(`kill -9 rounds resumed: ${resumed}`);
    for (const m of final.measurements) assert.ok(existsSync(path.join(runDir!, m.trace!)), `trace of ${m.key}`);
    assert.deepEqual((await readdir(runDir!)).filter((name) => name.endsWith('.tmp')), [], 'no temp files left');
  });

  test('--resume refuses a run measured with other settings, and a complete run', async () => {
    const out = path.join(work, 'mismatch');
    const first = await runCli(['bench', 'cnn', '--batch', '1', '--meter', 'estimate', '--out', out, ...fastFlags], { cwd: work, modelsDir: path.join(work, 'models') });
    assert.equal(first.code, 0, first.stderr);
    const [runDir] = await runDirs(out);
    const complete = await runCli(['bench', 'cnn', '--batch', '1', '--meter', 'estimate', ...fastFlags, '--resume', runDir!], { cwd: work, modelsDir: path.join(work, 'models') });
    assert.equal(complete.code, 2, complete.stderr);
    assert.match(complete.stderr, /the run is complete; there is nothing left to measure/);
    // Make it look interrupted, then resume with another batch list.
    const result = (await resultIn(runDir!))!;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(runDir!, 'result.json'), JSON.stringify({ ...result, status: 'interrupted' }));
    const other = await runCli(['bench', 'cnn', '--batch', '1,2', '--meter', 'estimate', ...fastFlags, '--resume', runDir!], { cwd: work, modelsDir: path.join(work, 'models') });
    assert.equal(other.code, 2, other.stderr);
    assert.match(other.stderr, /cannot resume .*: the scenario \(or the flags that set it/);
    assert.ok(!other.stderr.includes('    at '));
  });
});
