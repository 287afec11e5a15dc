// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// A provider registered by a library user works in an isolated sweep's child process when its registration names the
// module that registers it; registered without one, an isolated session refuses it by name instead of "unknown".
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { ensureBuiltinModel } from '../../src/model/builtin.js';
import { describeModel } from '../../src/model/inspect.js';
import { resolveBatchLayout } from '../../src/onnx/batch-axis.js';
import { InputError } from '../../src/errors.js';
import { providerModulesFor, registerExecutionProvider } from '../../src/runtime/providers/catalog.js';
import { ChildProcessHost } from '../../src/runtime/session-host.js';
import { cpuAliasProvider, unregisterCpuAlias } from '../fixtures/providers/cpu-alias.js';

after(() => unregisterCpuAlias());

describe('registered execution providers in isolated children', () => {
  test('the child imports the registering module, then opens and runs a session with the provider', async () => {
    const modules = providerModulesFor('cpu-alias');
    assert.equal(modules?.length, 1);
    assert.match(modules![0]!, /fixtures\/providers\/cpu-alias\.ts$/);
    assert.deepEqual(providerModulesFor('cpu'), [], 'built-in providers need no module');
    const built = await ensureBuiltinModel('mlp');
    const layout = resolveBatchLayout(describeModel(await readFile(built.path), built.path), {}, { shape: (input) => `--shape ${input}=` });
    const host = new ChildProcessHost();
    try {
      await host.open({ modelPath: built.path, provider: 'cpu-alias', providerOptions: {}, threads: 1 });
      await host.begin({ key: 'k', batchSize: 2, inputs: layout.inputs, warmupRuns: 0, warmupS: 0 });
      const window = await host.window('k', 2, 0);
      assert.equal(window.latenciesMs.length, window.runs);
      assert.ok(window.runs >= 2);
    } finally {
      await host.close();
    }
  });

  test('registered without its module: EP_NOT_IN_CHILD names the provider and both ways out', async () => {
    const undo = registerExecutionProvider({ ...cpuAliasProvider, name: 'in-process-only' });
    try {
      assert.equal(providerModulesFor('in-process-only'), null);
      const host = new ChildProcessHost();
      const error = await host.open({ modelPath: '/unused.onnx', provider: 'in-process-only', providerOptions: {}, threads: 1 }).then(() => null, (caught: unknown) => caught);
      assert.ok(error instanceof InputError);
      assert.equal(error.code, 'EP_NOT_IN_CHILD');
      assert.match(error.message, /"in-process-only" was registered without its module/);
      assert.match(error.hint ?? '', /module: import\.meta\.url/);
      assert.match(error.hint ?? '', /isolate: false/);
      await host.close();
    } finally {
      undo();
    }
  });
});
