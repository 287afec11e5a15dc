// Provider options checked against a provider's option table (names, camelCase, types, enum values) on a fake provider
// with one option of each type; the options every provider shares; availability and device id helpers. No onnxruntime.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode, InputError } from '../../../src/errors.js';
import {
  backendAvailability, checkProviderOptions, commonOptions, commonSessionOptions, deviceIdOf, notForwarded, precisionViaValues, snakeCase,
} from '../../../src/runtime/providers/options.js';
import type { ExecutionProvider, ProviderOptions } from '../../../src/runtime/providers/types.js';

const fake: ExecutionProvider = {
  name: 'fake',
  description: 'a provider with one option of each type',
  options: {
    ...commonOptions,
    device_id: { type: 'integer', target: 'provider', forwarded: true, description: 'device' },
    use_graphs: { type: 'boolean', target: 'provider', forwarded: false, description: 'not passed on by onnxruntime-node' },
    algo_search: { type: 'enum', values: ['EXHAUSTIVE', 'HEURISTIC', 'DEFAULT'], target: 'provider', forwarded: false, description: 'enum' },
    cache_path: { type: 'string', target: 'provider', forwarded: true, description: 'string' },
    precision_via: { type: 'enum', values: precisionViaValues, target: 'joulebench', forwarded: false, description: 'joulebench\'s own' },
  },
  availability: () => ({ ok: true }),
  settings: () => ({ provider: { name: 'cpu' }, session: {}, notForwarded: [] }),
  device: () => 'fake:0',
};

const check = (options: ProviderOptions) => checkProviderOptions(fake, options, 'executionProviders[0]');
const invalid = (message: string) => (error: unknown) => {
  assert.ok(error instanceof InputError);
  assert.equal(error.code, 'EP_OPTION_INVALID');
  assert.equal(error.exitCode, ExitCode.badInput);
  assert.equal(error.message, `executionProviders[0]: ${message}`);
  return true;
};

test('snakeCase: camelCase to snake_case; snake_case and lower case unchanged', () => {
  assert.equal(snakeCase('deviceId'), 'device_id');
  assert.equal(snakeCase('trtFp16Enable'), 'trt_fp16_enable');
  assert.equal(snakeCase('x2Y'), 'x2_y');
  // Only a lower-case letter or digit before a capital starts a word: deviceID → device_id.
  assert.equal(snakeCase('deviceID'), 'device_id');
  assert.equal(snakeCase('cache_path'), 'cache_path');
  assert.equal(snakeCase('plain'), 'plain');
});

test('valid options come back under their snake_case names with typed values', () => {
  assert.deepEqual(check({}), {});
  assert.deepEqual(check({ deviceId: '2', useGraphs: 'true', algoSearch: 'heuristic', cachePath: '/c', graphOptimizationLevel: 'BASIC', precision_via: 'Builder' }), {
    device_id: 2, use_graphs: true, algo_search: 'HEURISTIC', cache_path: '/c', graph_optimization_level: 'basic', precision_via: 'builder',
  });
});

test('an unknown option names the option as written, the provider and the valid options, sorted', () => {
  assert.throws(() => check({ deviceNumber: 1 }), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.equal(error.code, 'EP_OPTION_UNKNOWN');
    assert.equal(error.message, 'executionProviders[0]: unknown option "deviceNumber" for execution provider "fake"; valid options: algo_search, cache_path, device_id, enable_mem_pattern, graph_optimization_level, precision_via, use_graphs');
    assert.equal(error.hint, 'docs/gpu.md ("Providers and their options") says what each option does');
    return true;
  });
});

test('the same option twice (snake_case and camelCase) is refused', () => {
  assert.throws(() => check({ device_id: 0, deviceId: 1 }), invalid('option "device_id" of execution provider "fake" is given twice (as "deviceId" too)'));
});

test('boolean: true/false, 1/0 and their strings; anything else is refused', () => {
  for (const yes of [true, 1, '1', 'true']) assert.deepEqual(check({ use_graphs: yes }), { use_graphs: true }, String(yes));
  for (const no of [false, 0, '0', 'false']) assert.deepEqual(check({ use_graphs: no }), { use_graphs: false }, String(no));
  assert.throws(() => check({ use_graphs: 'yes' }), invalid('option "use_graphs" of execution provider "fake" expects true or false, got "yes"'));
  assert.throws(() => check({ use_graphs: 2 }), invalid('option "use_graphs" of execution provider "fake" expects true or false, got 2'));
  assert.throws(() => check({ use_graphs: 'TRUE' }), /expects true or false, got "TRUE"/, 'the strings are case-sensitive');
});

test('integer: non-negative whole numbers, also written as strings', () => {
  assert.deepEqual(check({ device_id: 0 }), { device_id: 0 });
  assert.deepEqual(check({ device_id: ' 7 ' }), { device_id: 7 });
  for (const bad of [-1, 1.5, '', '  ', 'abc', '1e400', true]) {
    assert.throws(() => check({ device_id: bad }), invalid(`option "device_id" of execution provider "fake" expects a non-negative integer, got ${JSON.stringify(bad)}`), String(bad));
  }
});

test('enum: matched without regard to case and returned as the table spells it', () => {
  assert.deepEqual(check({ algo_search: 'Exhaustive' }), { algo_search: 'EXHAUSTIVE' });
  assert.throws(() => check({ algo_search: 'fast' }), invalid('option "algo_search" of execution provider "fake" expects one of EXHAUSTIVE, HEURISTIC, DEFAULT, got "fast"'));
  assert.throws(() => check({ precision_via: 'variant' }), /expects one of model, builder, both, got "variant"/);
});

test('string: non-empty text only', () => {
  assert.throws(() => check({ cache_path: '' }), invalid('option "cache_path" of execution provider "fake" expects a non-empty string, got ""'));
  assert.throws(() => check({ cache_path: 5 }), invalid('option "cache_path" of execution provider "fake" expects a non-empty string, got 5'));
});

test('commonSessionOptions: the shared options as onnxruntime session options, and nothing else', () => {
  assert.deepEqual(commonSessionOptions({}), {});
  assert.deepEqual(commonSessionOptions({ graph_optimization_level: 'basic', enable_mem_pattern: false, device_id: 1 }), { graphOptimizationLevel: 'basic', enableMemPattern: false });
  assert.deepEqual(commonSessionOptions({ enable_mem_pattern: true }), { enableMemPattern: true });
});

test('notForwarded: provider options onnxruntime-node drops; session, joulebench and unknown ones are not listed', () => {
  assert.deepEqual(notForwarded(fake.options, { device_id: 0, use_graphs: true, algo_search: 'DEFAULT', graph_optimization_level: 'all', precision_via: 'both', other: 1 }), ['use_graphs', 'algo_search']);
  assert.deepEqual(notForwarded(fake.options, {}), []);
});

test('backendAvailability: missing from this build, present but needing libraries, or ok', () => {
  const available = backendAvailability('cuda', 'run scripts/install-gpu-ep.sh');
  assert.deepEqual(available([{ name: 'cpu', bundled: true }]), { ok: false, reason: `this onnxruntime-node build (${process.platform}-${process.arch}) has no cuda provider` });
  assert.deepEqual(available([{ name: 'cuda', bundled: false }]), { ok: false, reason: 'cuda needs extra libraries: run scripts/install-gpu-ep.sh' });
  assert.deepEqual(available([{ name: 'cpu', bundled: true }, { name: 'cuda', bundled: true }]), { ok: true });
});

test('deviceIdOf: device_id, else deviceId, else 0', () => {
  assert.equal(deviceIdOf({}), 0);
  assert.equal(deviceIdOf({ device_id: 2 }), 2);
  assert.equal(deviceIdOf({ deviceId: '3' }), 3);
  assert.equal(deviceIdOf({ device_id: 1, deviceId: 3 }), 1);
});
