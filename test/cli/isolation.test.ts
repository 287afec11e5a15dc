// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// Isolation, end to end: each (model variant, EP) group runs in a child process, so an abort in one group fails
// that group only (signal and last stderr lines recorded) and the sweep goes on; --config-timeout kills a hung
// group; --no-isolate runs in-process and records the same configurations.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/results/types.js';
import { ensureBuilt, fastFlags, removeDir, runCli, tempDir, writeReplayTrace } from './helpers.js';

// Two groups (fp32 and fp16 variants of mlp), two batch sizes each, a 10 ms replay meter (0.1 s windows).
const sweep = ['bench', 'mlp', '--batch', '1,2', '--precision', 'fp32,fp16', '--meter', 'replay:trace.csv', ...fastFlags, '--idle-seconds', '0', '--json'];
const keys = ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b2', 'mlp/fp16/cpu/b1', 'mlp/fp16/cpu/b2'];

describe('isolation', () => {
  let dir = '';
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...sweep, ...args], { cwd: dir, modelsDir: path.join(dir, 'models'), env });
  const byKey = (stdout: string) => new Map((JSON.parse(stdout) as RunResult).measurements.map((m) => [m.key, m]));

  before(async () => {
    await ensureBuilt();
    dir = await tempDir('joulebench-isolation-');
    await writeReplayTrace(dir, 'trace.csv', 600, () => 20);
  });
  after(() => removeDir(dir));

  test('an abort in one group fails that group with the signal and stderr; the other group is measured', async () => {
    const result = await run(['--out', path.join(dir, 'crash')], { JOULEBENCH_TEST_CRASH_KEY: 'mlp/fp32/cpu/b1' });
    assert.equal(result.code, 0, result.stderr);
    const measured = byKey(result.stdout);
    assert.deepEqual([...measured.keys()], keys);
    for (const key of ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b2']) {
      const m = measured.get(key)!;
      assert.equal(m.status, 'failed', key);
      assert.equal(m.error?.code, 'GROUP_CRASHED', key);
      assert.match(m.error!.message, /signal SIGABRT/);
      assert.match(m.error!.message, /last stderr: .*test hook: aborting in mlp\/fp32\/cpu\/b1|last stderr: /);
    }
    for (const key of ['mlp/fp16/cpu/b1', 'mlp/fp16/cpu/b2']) {
      assert.equal(measured.get(key)?.status, 'ok', key);
      assert.ok(measured.get(key)!.repetitions.length >= 2, key);
    }
  });

  test('a crash in every group is a runtime failure (exit 3)', async () => {
    const result = await runCli(['bench', 'mlp', '--batch', '1', '--meter', 'replay:trace.csv', ...fastFlags, '--idle-seconds', '0', '--out', path.join(dir, 'all')], {
      cwd: dir, modelsDir: path.join(dir, 'models'), env: { JOULEBENCH_TEST_CRASH_KEY: 'mlp/fp32/cpu/b1' },
    });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /SIGABRT/);
  });

  test('--config-timeout kills a hung group, recorded as failed; the sweep goes on', async () => {
    const started = Date.now();
    const result = await run(['--out', path.join(dir, 'hang'), '--config-timeout', '5'], { JOULEBENCH_TEST_HANG_KEY: 'mlp/fp16/cpu/b1' });
    assert.equal(result.code, 0, result.stderr);
    const measured = byKey(result.stdout);
    assert.equal(measured.get('mlp/fp32/cpu/b1')?.status, 'ok');
    assert.equal(measured.get('mlp/fp32/cpu/b2')?.status, 'ok');
    for (const key of ['mlp/fp16/cpu/b1', 'mlp/fp16/cpu/b2']) {
      assert.equal(measured.get(key)?.status, 'failed', key);
      assert.equal(measured.get(key)?.error?.code, 'CONFIG_TIMEOUT', key);
      assert.match(measured.get(key)!.error!.message, /mlp\/fp16\/cpu\/b1 ran past --config-timeout 5 s; the group's process was killed/);
    }
    assert.ok(Date.now() - started < 60_000);
  });

  test('--no-isolate records the same configurations in-process; with --config-timeout it is a bad flag', async () => {
    const result = await run(['--out', path.join(dir, 'inproc'), '--no-isolate']);
    assert.equal(result.code, 0, result.stderr);
    const measured = byKey(result.stdout);
    assert.deepEqual([...measured.keys()], keys);
    for (const m of measured.values()) {
      assert.equal(m.status, 'ok', m.key);
      assert.equal(m.repetitions.length, 2, m.key);
      assert.equal(m.coldStart?.sessionShared, m.batchSize !== 1, m.key);
    }
    const conflict = await run(['--out', path.join(dir, 'conflict'), '--no-isolate', '--config-timeout', '5']);
    assert.equal(conflict.code, 2);
    assert.match(conflict.stderr, /--config-timeout needs isolation/);
  });
});
