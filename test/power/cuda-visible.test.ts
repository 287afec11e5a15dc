import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MeterError } from '../../src/errors.js';
import { cudaOrdinalOf, gpusForCudaOrdinals, parseCudaVisibleDevices } from '../../src/power/cuda-visible.js';

const gpus = [
  { index: 0, uuid: 'GPU-aaaa1111-0000-0000-0000-000000000000' },
  { index: 1, uuid: 'GPU-bbbb2222-0000-0000-0000-000000000000' },
  { index: 2, uuid: 'GPU-cccc3333-0000-0000-0000-000000000000' },
];

test('parseCudaVisibleDevices: indices, UUID prefixes and MIG ids, up to the first entry CUDA cannot parse', () => {
  assert.equal(parseCudaVisibleDevices(undefined), null);
  assert.deepEqual(parseCudaVisibleDevices('2, 0'), [{ kind: 'index', index: 2 }, { kind: 'index', index: 0 }]);
  assert.deepEqual(parseCudaVisibleDevices('GPU-CCCC3333,1'), [{ kind: 'uuid', prefix: 'gpu-cccc3333' }, { kind: 'index', index: 1 }]);
  assert.deepEqual(parseCudaVisibleDevices('MIG-1234/1/0'), [{ kind: 'mig', text: 'MIG-1234/1/0' }]);
  assert.deepEqual(parseCudaVisibleDevices('1,oops,2'), [{ kind: 'index', index: 1 }]);
  assert.deepEqual(parseCudaVisibleDevices('-1'), []);
  assert.deepEqual(parseCudaVisibleDevices(''), []);
});

test('cudaOrdinalOf: the position in CUDA_VISIBLE_DEVICES, the nvidia-smi index without it, null when hidden', () => {
  const tokens = parseCudaVisibleDevices('2,GPU-aaaa');
  assert.deepEqual(gpus.map((gpu) => cudaOrdinalOf(gpu, tokens)), [1, null, 0]);
  assert.deepEqual(gpus.map((gpu) => cudaOrdinalOf(gpu, null)), [0, 1, 2]);
});

test('gpusForCudaOrdinals: CUDA device numbers to the GPUs behind them; what cannot be mapped is a MeterError naming the variable', () => {
  assert.deepEqual(gpusForCudaOrdinals(gpus, [1, 0], parseCudaVisibleDevices('2,GPU-aaaa'), 'nvidia-smi', 'X').map((g) => g.index), [0, 2]);
  assert.deepEqual(gpusForCudaOrdinals(gpus, [1], null, 'nvidia-smi', 'X').map((g) => g.index), [1]);
  const fails = (ordinals: number[], visible: string | undefined, message: string) =>
    assert.throws(() => gpusForCudaOrdinals(gpus, ordinals, parseCudaVisibleDevices(visible), 'nvidia-smi', 'NVIDIA_SMI_NO_SUCH_GPU'), (error: unknown) =>
      error instanceof MeterError && error.code === 'NVIDIA_SMI_NO_SUCH_GPU' && error.message === message);
  fails([3], undefined, 'GPU 3 (--gpus) does not exist: nvidia-smi lists GPU 0, 1, 2');
  fails([1], '2', 'GPU 1 (--gpus) does not exist for CUDA: CUDA_VISIBLE_DEVICES=2 makes 1 GPU visible');
  fails([0], 'MIG-1234/1/0', 'CUDA device 0 is the MIG instance MIG-1234/1/0 (CUDA_VISIBLE_DEVICES=MIG-1234/1/0): nvidia-smi reports power per physical GPU, not per MIG instance');
  fails([0], '7', 'CUDA device 0 is GPU 7 (CUDA_VISIBLE_DEVICES=7), which nvidia-smi does not list (it lists GPU 0, 1, 2)');
});
