// @integration — loads onnxruntime-node (its listSupportedBackends()); no session is created
// Providers as the sweep asks for them (src/runtime/providers/registry.ts): the build's backends, which providers can
// run here, unknown and unavailable providers as InputErrors naming the way out, options checked before they are
// mapped, the default engine cache folder and the builder flags of a precision.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { cacheRoot } from '../../../src/common/cache-dir.js';
import { ExitCode } from '../../../src/errors.js';
import { builtinProviders, registerExecutionProvider } from '../../../src/runtime/providers/catalog.js';
import {
  availableProviderNames, builderFlagNames, defaultProviderContext, executionProviders, findProvider, listBackends, providerSettings, requireProvider,
} from '../../../src/runtime/providers/registry.js';
import type { ExecutionProvider } from '../../../src/runtime/providers/types.js';
import { thrownInputError } from '../../fixtures/errors.js';

const fake = (name: string, availability: ExecutionProvider['availability']): ExecutionProvider => ({ ...builtinProviders.cpu, name, availability });
// The InputError `fn` throws, checked for its code and exit code 2.
const inputError = (fn: () => unknown, code: string) => {
  const error = thrownInputError(fn);
  assert.equal(error.code, code);
  assert.equal(error.exitCode, ExitCode.badInput);
  return error;
};

describe('what this build has', () => {
  test('the built-in table is the catalog\'s; findProvider is re-exported', () => {
    assert.equal(executionProviders, builtinProviders);
    assert.equal(findProvider('cpu'), builtinProviders.cpu);
  });

  test('listBackends includes the bundled CPU backend', () => {
    assert.ok(listBackends().some((backend) => backend.name === 'cpu' && backend.bundled));
  });

  test('availableProviderNames: cpu always, in registry order; a registered provider by its own availability', () => {
    const names = availableProviderNames();
    assert.equal(names[0], 'cpu');
    const builtinOrder = Object.keys(builtinProviders);
    assert.deepEqual(names, builtinOrder.filter((name) => names.includes(name)));
    const undoYes = registerExecutionProvider(fake('always-here', () => ({ ok: true })));
    const undoNo = registerExecutionProvider(fake('never-here', () => ({ ok: false, reason: 'no such device' })));
    try {
      assert.deepEqual(availableProviderNames(), [...names, 'always-here']);
    } finally {
      undoNo();
      undoYes();
    }
  });
});

describe('requireProvider', () => {
  test('a provider that can run here comes back', () => {
    assert.equal(requireProvider('cpu', 'executionProviders[0]'), builtinProviders.cpu);
  });

  test('an unknown name: EP_UNKNOWN with the build\'s providers, the nearest name and every known one', () => {
    const available = availableProviderNames().join(', ');
    const error = inputError(() => requireProvider('cdua', 'executionProviders[1]'), 'EP_UNKNOWN');
    assert.equal(error.message, `executionProviders[1]: unknown execution provider "cdua"; in this build: ${available} — did you mean "cuda"?`);
    assert.equal(error.hint, 'known providers: cpu, cuda, tensorrt, webgpu, coreml, dml; `joulebench devices` shows which can create a session here');
    // Nothing close: no suggestion. A name of Object.prototype is unknown too.
    for (const name of ['openvino', 'constructor']) {
      assert.equal(inputError(() => requireProvider(name, '--ep'), 'EP_UNKNOWN').message, `--ep: unknown execution provider "${name}"; in this build: ${available}`);
    }
  });

  test('a known provider this build or OS cannot run: EP_UNAVAILABLE with its reason', () => {
    const undo = registerExecutionProvider(fake('far-away', () => ({ ok: false, reason: 'this build has no far-away provider' })));
    try {
      assert.equal(
        inputError(() => requireProvider('far-away', '--ep'), 'EP_UNAVAILABLE').message,
        `--ep: execution provider "far-away" is not available here: this build has no far-away provider; in this build: ${availableProviderNames().join(', ')}`,
      );
    } finally {
      undo();
    }
  });
});

describe('providerSettings', () => {
  test('options are checked (camelCase accepted, values typed) before the provider maps them', () => {
    assert.deepEqual(providerSettings(builtinProviders.cpu, { intraOpNumThreads: '3', use_arena: 'false' }, 'executionProviders[0]'), {
      provider: { name: 'cpu', useArena: false },
      session: { intraOpNumThreads: 3, enableCpuMemArena: false },
      notForwarded: [],
    });
  });

  test('a bad option never reaches the provider', () => {
    let mapped = false;
    const watching: ExecutionProvider = { ...builtinProviders.cpu, settings: (options) => ((mapped = true), builtinProviders.cpu.settings(options)) };
    assert.match(inputError(() => providerSettings(watching, { threads: 2 }, 'executionProviders[0]'), 'EP_OPTION_UNKNOWN').message, /^executionProviders\[0\]: unknown option "threads"/);
    assert.equal(mapped, false);
  });

  test('the context reaches the provider: TensorRT\'s engine cache under the default context\'s folder', () => {
    const context = defaultProviderContext();
    assert.deepEqual(context, { cacheDir: cacheRoot() });
    const provider = providerSettings(builtinProviders.tensorrt, {}, 'x', context).provider as unknown as Record<string, unknown>;
    assert.equal(provider.trt_engine_cache_path, path.join(cacheRoot(), 'tensorrt-engines'));
  });
});

test('builderFlagNames: the options a provider\'s builder sets for a precision, [] when it builds none', () => {
  assert.deepEqual(builderFlagNames(builtinProviders.tensorrt, 'fp16'), ['trt_fp16_enable']);
  assert.deepEqual(builderFlagNames(builtinProviders.tensorrt, 'int8'), ['trt_int8_enable', 'trt_fp16_enable']);
  assert.deepEqual(builderFlagNames(builtinProviders.tensorrt, 'fp32'), []);
  assert.deepEqual(builderFlagNames(builtinProviders.cuda, 'fp16'), []);
  assert.deepEqual(builderFlagNames(builtinProviders.cpu, 'int8'), []);
});
