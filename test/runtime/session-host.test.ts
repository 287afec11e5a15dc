// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// The child-process session host (run from the .ts sources under tsx): a window timed in the child comes back in
// this process's performance.now() frame; a crashed child fails every later call with GROUP_CRASHED.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { resolveBatchLayout } from '../../src/onnx/batch-axis.js';
import { ensureBuiltinModel } from '../../src/model/builtin.js';
import { describeModel } from '../../src/model/inspect.js';
import { ChildProcessHost, GroupFailure } from '../../src/runtime/session-host.js';

describe('ChildProcessHost', () => {
  test('open, begin and a window in the child; times in the parent frame; close ends the child', async () => {
    const built = await ensureBuiltinModel('mlp');
    const layout = resolveBatchLayout(describeModel(await readFile(built.path), built.path), {}, { shape: (input) => `--shape ${input}=` });
    const host = new ChildProcessHost();
    try {
      const before = performance.now();
      const opened = await host.open({ modelPath: built.path, provider: 'cpu', providerOptions: {}, threads: 1 });
      assert.ok(opened.t0Ms >= before - 5 && opened.t1Ms <= performance.now() + 5, 'open span inside the call');
      await host.begin({ key: 'k', batchSize: 2, inputs: layout.inputs, warmupRuns: 1, warmupS: 0 });
      const windowCalled = performance.now();
      const window = await host.window('k', 3, 0);
      const windowReturned = performance.now();
      assert.ok(window.runs >= 3);
      assert.equal(window.latenciesMs.length, window.runs);
      assert.ok(window.latenciesMs instanceof Float64Array);
      // The child's window lies inside the parent's call (a few ms for clock reading on a busy machine).
      assert.ok(window.t0Ms >= windowCalled - 5 && window.t1Ms <= windowReturned + 5, `${windowCalled} ≤ ${window.t0Ms} ≤ ${window.t1Ms} ≤ ${windowReturned}`);
      await host.rewarm('k', 1);
    } finally {
      await host.close();
    }
  });

  test('a child that dies fails the call in flight and every later call', async () => {
    const host = new ChildProcessHost({ env: { ...process.env, JOULEBENCH_TEST_CRASH_KEY: 'boom' } });
    const built = await ensureBuiltinModel('mlp');
    await host.open({ modelPath: built.path, provider: 'cpu', providerOptions: {}, threads: 1 });
    const crash = await host.begin({ key: 'boom', batchSize: 1, inputs: [], warmupRuns: 0, warmupS: 0 }).then(() => null, (error: unknown) => error);
    assert.ok(crash instanceof GroupFailure);
    assert.equal(crash.code, 'GROUP_CRASHED');
    assert.match(crash.message, /signal SIGABRT/);
    await assert.rejects(host.window('boom', 1, 0), (error: unknown) => error === crash);
    await host.close();
  });
});
