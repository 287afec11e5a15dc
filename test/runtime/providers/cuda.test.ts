// The CUDA provider (src/runtime/providers/cuda.ts) without a GPU: its option table, what checked options become for
// onnxruntime (the provider entry in onnxruntime's own string forms, next to the deviceId the binding reads), which
// options onnxruntime-node 1.30 does not pass on, its device and its availability from listSupportedBackends().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cudaProvider } from '../../../src/runtime/providers/cuda.js';

test('name, device and option table: only device_id is forwarded by onnxruntime-node', () => {
  assert.equal(cudaProvider.name, 'cuda');
  assert.deepEqual(Object.keys(cudaProvider.options).sort(), ['cudnn_conv_algo_search', 'device_id', 'enable_cuda_graph', 'enable_mem_pattern', 'gpu_mem_limit', 'graph_optimization_level']);
  const forwarded = Object.entries(cudaProvider.options).filter(([, spec]) => spec.target === 'provider' && spec.forwarded).map(([name]) => name);
  assert.deepEqual(forwarded, ['device_id']);
  assert.deepEqual(cudaProvider.options.cudnn_conv_algo_search?.values, ['EXHAUSTIVE', 'HEURISTIC', 'DEFAULT']);
  assert.equal(cudaProvider.builderPrecisions, undefined, 'CUDA builds no precision itself');
});

test('device: cuda:<device_id>, cuda:0 when none is given', () => {
  assert.equal(cudaProvider.device({}), 'cuda:0');
  assert.equal(cudaProvider.device({ device_id: 2 }), 'cuda:2');
  assert.equal(cudaProvider.device({ deviceId: 3 }), 'cuda:3');
});

test('no options: the provider entry on device 0 and no session options', () => {
  assert.deepEqual(cudaProvider.settings({}), { provider: { name: 'cuda', deviceId: 0 }, session: {}, notForwarded: [] });
});

test('every option: provider ones as onnxruntime strings (booleans as 1/0), session ones as session options', () => {
  const settings = cudaProvider.settings({
    device_id: 1, cudnn_conv_algo_search: 'HEURISTIC', enable_cuda_graph: false, gpu_mem_limit: 2147483648, graph_optimization_level: 'basic', enable_mem_pattern: false,
  });
  assert.deepEqual(settings, {
    provider: { name: 'cuda', deviceId: 1, device_id: '1', cudnn_conv_algo_search: 'HEURISTIC', enable_cuda_graph: '0', gpu_mem_limit: '2147483648' },
    session: { graphOptimizationLevel: 'basic', enableMemPattern: false },
    // In the order given; device_id reaches onnxruntime (as deviceId), the session options are not provider options.
    notForwarded: ['cudnn_conv_algo_search', 'enable_cuda_graph', 'gpu_mem_limit'],
  });
  assert.deepEqual(cudaProvider.settings({ enable_cuda_graph: true }).provider, { name: 'cuda', deviceId: 0, enable_cuda_graph: '1' });
});

test('availability: absent from the build, listed without its libraries, or bundled', () => {
  assert.deepEqual(cudaProvider.availability([{ name: 'cpu', bundled: true }]), { ok: false, reason: `this onnxruntime-node build (${process.platform}-${process.arch}) has no cuda provider` });
  assert.deepEqual(cudaProvider.availability([{ name: 'cpu', bundled: true }, { name: 'cuda', bundled: false }]), {
    ok: false,
    reason: 'cuda needs extra libraries: run scripts/install-gpu-ep.sh (needs an NVIDIA driver, CUDA 12 and cuDNN 9; TensorRT 10 for tensorrt)',
  });
  assert.deepEqual(cudaProvider.availability([{ name: 'cuda', bundled: true }]), { ok: true });
});
