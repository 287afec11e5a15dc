// @integration — forks the session worker (under tsx) and runs the built-in mlp model in it
// The isolated group's child (src/runtime/session-worker.ts), driven over IPC by ChildProcessHost: failures come back
// typed (code, exit code, hint, name) and leave the child serving; a stop message ends a window in flight; the test
// hang hook blocks like a hung native call. Open/begin/window/rewarm/close and the crash hook:
// test/runtime/session-host.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExitCode, JoulebenchError } from '../../src/errors.js';
import { ensureBuiltinModel } from '../../src/model/builtin.js';
import { describeModel } from '../../src/model/inspect.js';
import { resolveBatchLayout } from '../../src/onnx/batch-axis.js';
import { ChildProcessHost, GroupFailure } from '../../src/runtime/session-host.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'jb-worker-'));
let modelPath = '';
let inputs: ReturnType<typeof resolveBatchLayout>['inputs'] = [];
before(async () => {
  modelPath = (await ensureBuiltinModel('mlp', path.join(root, 'models'))).path;
  inputs = resolveBatchLayout(describeModel(readFileSync(modelPath), modelPath), {}, { shape: (input) => `--shape ${input}=` }).inputs;
});
after(() => rmSync(root, { recursive: true, force: true }));

const failedWith = async (promise: Promise<unknown>) => promise.then(() => assert.fail('expected a failure'), (error: unknown) => error);

describe('one child, several requests', () => {
  const host = new ChildProcessHost();
  after(() => host.close());

  test('before a session is open: NO_SESSION, a runtime failure (exit 3), rebuilt as a JoulebenchError', async () => {
    const error = await failedWith(host.begin({ key: 'k', batchSize: 1, inputs, warmupRuns: 0, warmupS: 0 }));
    assert.ok(error instanceof JoulebenchError);
    assert.equal(error.code, 'NO_SESSION');
    assert.equal(error.exitCode, ExitCode.runtimeFailure);
    assert.equal(error.name, 'RuntimeFailure');
    assert.equal(error.message, 'the group has no open session');
  });

  test('an unknown provider in the child: its InputError\'s code, exit code 2, hint and name survive the trip', async () => {
    const error = await failedWith(host.open({ modelPath, provider: 'nosuch', providerOptions: {}, threads: 1 }));
    assert.ok(error instanceof JoulebenchError);
    assert.equal(error.code, 'EP_UNKNOWN');
    assert.equal(error.exitCode, ExitCode.badInput);
    assert.equal(error.name, 'InputError');
    assert.match(error.message, /^executionProviders: unknown execution provider "nosuch"; in this build: cpu/);
    assert.match(error.hint ?? '', /^known providers: cpu, cuda, tensorrt, webgpu, coreml, dml; /);
  });

  test('onnxruntime\'s own failure (no such model file): a plain Error with its message', async () => {
    const error = await failedWith(host.open({ modelPath: path.join(root, 'missing.onnx'), provider: 'cpu', providerOptions: {}, threads: 1 }));
    assert.ok(error instanceof Error);
    assert.ok(!(error instanceof JoulebenchError));
    assert.equal(error.name, 'Error');
    assert.ok(error.message.length > 0);
  });

  test('after those failures the same child opens the model and measures', async () => {
    await host.open({ modelPath, provider: 'cpu', providerOptions: {}, threads: 1 });
    const error = await failedWith(host.window('never-begun', 1, 0));
    assert.ok(error instanceof JoulebenchError);
    assert.equal(error.code, 'NOT_BEGUN');
    assert.equal(error.message, 'configuration never-begun was not begun');
    const begun = await host.begin({ key: 'b2', batchSize: 2, inputs, warmupRuns: 1, warmupS: 0 });
    assert.ok(begun.firstEndMs >= begun.firstStartMs);
    const window = await host.window('b2', 3, 0);
    assert.equal(window.runs, 3);
    assert.equal(window.latenciesMs.length, 3);
  });

  test('stop ends the window in flight: it returns long before its minimum time, with what it ran', async () => {
    const pending = host.window('b2', 1, 600);
    setTimeout(() => host.stop(), 200);
    const window = await pending;
    assert.ok(window.runs >= 1);
    assert.equal(window.latenciesMs.length, window.runs);
    assert.ok(window.t1Ms >= window.t0Ms);
  });
});

test('the hang hook blocks the child like a hung native call: --config-timeout kills it (CONFIG_TIMEOUT)', async () => {
  const host = new ChildProcessHost({ configTimeoutS: 1, env: { ...process.env, JOULEBENCH_TEST_HANG_KEY: 'stuck' } });
  try {
    await host.open({ modelPath, provider: 'cpu', providerOptions: {}, threads: 1 });
    const error = await failedWith(host.begin({ key: 'stuck', batchSize: 1, inputs, warmupRuns: 0, warmupS: 0 }));
    assert.ok(error instanceof GroupFailure);
    assert.equal(error.code, 'CONFIG_TIMEOUT');
    assert.match(error.message, /^configuration stuck ran past --config-timeout 1 s; the group's process was killed/);
  } finally {
    await host.close();
  }
});
