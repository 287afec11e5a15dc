// Execution-provider option mapping: scenario options → onnxruntime-node session options and provider entries.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { allProviders, findProvider, registerExecutionProvider, takesDeviceId } from '../../src/runtime/providers/catalog.js';
import { missingLibraries } from '../../src/runtime/providers/diagnose.js';
import { checkProviderOptions, snakeCase } from '../../src/runtime/providers/options.js';
import { executionProviders, providerSettings } from '../../src/runtime/providers/registry.js';

const { cpu, cuda, tensorrt, webgpu, coreml, dml } = executionProviders;
const context = { cacheDir: '/cache/joulebench' };

describe('provider option mapping', () => {
  test('every registry entry is keyed by its own name and declares its options', () => {
    for (const [key, provider] of Object.entries(executionProviders)) {
      assert.equal(provider.name, key);
      assert.ok('graph_optimization_level' in provider.options, `${key} accepts graph_optimization_level`);
    }
    assert.deepEqual(Object.keys(executionProviders), ['cpu', 'cuda', 'tensorrt', 'webgpu', 'coreml', 'dml']);
  });

  test('cpu: threads, arena, execution mode and optimisation level are session options', () => {
    const settings = providerSettings(cpu, { intra_op_num_threads: 4, interOpNumThreads: '2', use_arena: false, execution_mode: 'parallel', graph_optimization_level: 'basic' }, 'executionProviders[0]');
    assert.deepEqual(settings, {
      provider: { name: 'cpu', useArena: false },
      session: { graphOptimizationLevel: 'basic', intraOpNumThreads: 4, interOpNumThreads: 2, executionMode: 'parallel', enableCpuMemArena: false },
      notForwarded: [],
    });
    assert.deepEqual(providerSettings(cpu, {}, 'x'), { provider: { name: 'cpu' }, session: {}, notForwarded: [] });
    assert.equal(cpu.device({}), 'cpu');
  });

  test('cuda: device_id, conv algorithm search and CUDA graphs; only deviceId reaches onnxruntime-node 1.30', () => {
    const settings = providerSettings(cuda, { device_id: 1, cudnn_conv_algo_search: 'heuristic', enable_cuda_graph: true }, 'executionProviders[0]');
    assert.deepEqual(settings, {
      provider: { name: 'cuda', deviceId: 1, device_id: '1', cudnn_conv_algo_search: 'HEURISTIC', enable_cuda_graph: '1' },
      session: {},
      notForwarded: ['cudnn_conv_algo_search', 'enable_cuda_graph'],
    });
    assert.deepEqual(providerSettings(cuda, {}, 'x').provider, { name: 'cuda', deviceId: 0 });
    assert.equal(cuda.device({ device_id: 3 }), 'cuda:3');
  });

  test('tensorrt: engine cache under the cache folder, builder flags as 1/0 strings', () => {
    const settings = providerSettings(tensorrt, { deviceId: 2, trt_fp16_enable: true, trt_int8_enable: false }, 'executionProviders[1]', context);
    assert.deepEqual(settings, {
      provider: {
        name: 'tensorrt',
        deviceId: 2,
        device_id: '2',
        trt_engine_cache_enable: '1',
        trt_engine_cache_path: '/cache/joulebench/tensorrt-engines',
        trt_fp16_enable: '1',
        trt_int8_enable: '0',
      },
      session: {},
      notForwarded: ['trt_fp16_enable', 'trt_int8_enable'],
    });
    // An explicit folder wins; disabling the cache drops the path; no context and no path: no cache.
    assert.deepEqual(providerSettings(tensorrt, { trt_engine_cache_path: '/run/engines' }, 'x', context).provider, {
      name: 'tensorrt', deviceId: 0, trt_engine_cache_enable: '1', trt_engine_cache_path: '/run/engines',
    });
    assert.deepEqual(providerSettings(tensorrt, { trt_engine_cache_enable: false }, 'x', context).provider, { name: 'tensorrt', deviceId: 0, trt_engine_cache_enable: '0' });
    assert.deepEqual(providerSettings(tensorrt, {}, 'x').provider, { name: 'tensorrt', deviceId: 0, trt_engine_cache_enable: '0' });
    // precision_via is joulebench's own option: checked, not passed on.
    assert.deepEqual(providerSettings(tensorrt, { precision_via: 'both' }, 'x').provider, { name: 'tensorrt', deviceId: 0, trt_engine_cache_enable: '0' });
    assert.equal(tensorrt.device({ device_id: 1 }), 'cuda:1');
  });

  test('webgpu: only the camelCase options its binding reads', () => {
    assert.deepEqual(providerSettings(webgpu, { preferred_layout: 'nhwc', validationMode: 'disabled', force_cpu_node_names: 'a, b' }, 'x'), {
      provider: { name: 'webgpu', preferredLayout: 'NHWC', validationMode: 'disabled', forceCpuNodeNames: ['a', 'b'] },
      session: {},
      notForwarded: [],
    });
  });

  test('coreml and dml: declared with their flags and device', () => {
    assert.deepEqual(providerSettings(coreml, { coreml_flags: 16 }, 'x').provider, { name: 'coreml', coreMlFlags: 16 });
    assert.deepEqual(providerSettings(dml, { device_id: 1 }, 'x'), {
      provider: { name: 'dml', deviceId: 1 },
      session: { enableMemPattern: false, executionMode: 'sequential' },
      notForwarded: [],
    });
    assert.equal(dml.device({ device_id: 1 }), 'dml:1');
  });

  test('an unknown option is bad input naming the option, the provider and the valid ones', () => {
    assert.throws(
      () => checkProviderOptions(cuda, { device_id: 0, cudnn_algo: 'x' }, 'executionProviders[1]'),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.equal(error.code, 'EP_OPTION_UNKNOWN');
        assert.equal(
          error.message,
          'executionProviders[1]: unknown option "cudnn_algo" for execution provider "cuda"; valid options: cudnn_conv_algo_search, device_id, enable_cuda_graph, enable_mem_pattern, gpu_mem_limit, graph_optimization_level',
        );
        return true;
      },
    );
    assert.throws(() => checkProviderOptions(cpu, { device_id: 0 }, 'e'), /unknown option "device_id" for execution provider "cpu"; valid options: enable_mem_pattern, execution_mode, graph_optimization_level, inter_op_num_threads, intra_op_num_threads, use_arena/);
  });

  test('bad values name the option and what it expects', () => {
    assert.throws(() => checkProviderOptions(cuda, { device_id: -1 }, 'e'), /e: option "device_id" of execution provider "cuda" expects a non-negative integer, got -1/);
    assert.throws(() => checkProviderOptions(tensorrt, { trt_fp16_enable: 'yes' }, 'e'), /expects true or false, got "yes"/);
    assert.throws(() => checkProviderOptions(cuda, { cudnn_conv_algo_search: 'fast' }, 'e'), /expects one of EXHAUSTIVE, HEURISTIC, DEFAULT, got "fast"/);
    assert.throws(() => checkProviderOptions(cuda, { device_id: 0, deviceId: 1 }, 'e'), /given twice/);
    assert.deepEqual(checkProviderOptions(tensorrt, { trtFp16Enable: 1, device_id: '3' }, 'e'), { trt_fp16_enable: true, device_id: 3 });
  });

  test('snakeCase', () => {
    assert.equal(snakeCase('deviceId'), 'device_id');
    assert.equal(snakeCase('trtFp16Enable'), 'trt_fp16_enable');
    assert.equal(snakeCase('cudnn_conv_algo_search'), 'cudnn_conv_algo_search');
  });
});

describe('missing libraries in onnxruntime failures', () => {
  test('the dependency first, the provider plugin last', () => {
    const message =
      'Failed to load library libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file: No such file or directory';
    assert.deepEqual(missingLibraries(message), ['libcudnn.so.9', 'libonnxruntime_providers_cuda.so']);
    assert.deepEqual(missingLibraries('libcublasLt.so.12: cannot open shared object file; libcublasLt.so.12 again; libnvinfer.so.10'), ['libcublasLt.so.12', 'libnvinfer.so.10']);
    assert.deepEqual(missingLibraries('no device found'), []);
  });
});

describe('registering a provider', () => {
  test('a new name is found and listed until undone; a replaced built-in comes back when undone', () => {
    const mine = { ...cpu, name: 'mine', description: 'a provider of my own' };
    const undoMine = registerExecutionProvider(mine);
    assert.equal(findProvider('mine'), mine);
    assert.deepEqual(allProviders().map((p) => p.name), ['cpu', 'cuda', 'tensorrt', 'webgpu', 'coreml', 'dml', 'mine']);
    assert.equal(takesDeviceId('mine'), false);
    undoMine();
    assert.equal(findProvider('mine'), undefined);

    const standIn = { ...cuda, description: 'stand-in' };
    const undoCuda = registerExecutionProvider(standIn);
    assert.equal(findProvider('cuda'), standIn);
    assert.deepEqual(allProviders().map((p) => p.name), ['cpu', 'cuda', 'tensorrt', 'webgpu', 'coreml', 'dml']);
    undoCuda();
    assert.equal(findProvider('cuda'), cuda);
    assert.deepEqual(['cpu', 'cuda', 'tensorrt', 'webgpu', 'coreml', 'dml'].filter(takesDeviceId), ['cuda', 'tensorrt', 'dml']);
  });
});
