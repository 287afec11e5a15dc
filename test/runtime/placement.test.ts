// Placement audit on a hand-written onnxruntime profile, and GPU memory from meter context with two fake GPUs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { PowerSample } from '../../src/power/types.js';
import { gpuMemoryUse } from '../../src/runtime/gpu-memory.js';
import { auditPlacement, auditProfileFile } from '../../src/runtime/placement.js';

// As onnxruntime's enableProfiling writes it: session events, then per node a fence/kernel event with args.provider.
const profile = [
  { cat: 'Session', name: 'model_loading_uri', dur: 900, args: {} },
  { cat: 'Node', name: 'matmul_fence_before', dur: 0, args: { op_name: 'MatMul' } },
  { cat: 'Node', name: 'matmul_kernel_time', dur: 300, args: { op_name: 'MatMul', provider: 'CUDAExecutionProvider' } },
  { cat: 'Node', name: 'relu_kernel_time', dur: 20, args: { op_name: 'Relu', provider: 'CUDAExecutionProvider' } },
  { cat: 'Node', name: 'topk_kernel_time', dur: 80, args: { op_name: 'TopK', provider: 'CPUExecutionProvider' } },
  { cat: 'Node', name: 'memcpy_kernel_time', dur: 100, args: { op_name: 'MemcpyToHost', provider: 'CUDAExecutionProvider' } },
  // A second run of the same nodes.
  { cat: 'Node', name: 'matmul_kernel_time', dur: 300, args: { op_name: 'MatMul', provider: 'CUDAExecutionProvider' } },
  { cat: 'Node', name: 'topk_kernel_time', dur: 100, args: { op_name: 'TopK', provider: 'CPUExecutionProvider' } },
];

const dir = mkdtempSync(path.join(os.tmpdir(), 'jb-placement-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('placement audit', () => {
  test('nodes and kernel time per provider; CPU fallback flagged for a GPU provider', () => {
    assert.deepEqual(auditPlacement(profile, 'cuda'), {
      providers: { CUDAExecutionProvider: { nodes: 3, kernelTimeUs: 720 }, CPUExecutionProvider: { nodes: 1, kernelTimeUs: 180 } },
      cpuFallbackNodes: [{ name: 'topk', opType: 'TopK', kernelTimeUs: 180 }],
      cpuTimeShare: 180 / 900,
      cpuFallback: true,
    });
  });

  test('a CPU configuration has no fallback; nothing timed gives share 0', () => {
    const cpuOnly = auditPlacement(profile, 'cpu');
    assert.equal(cpuOnly.cpuFallback, false);
    assert.deepEqual(cpuOnly.cpuFallbackNodes, []);
    assert.deepEqual(auditPlacement([], 'cuda'), { providers: {}, cpuFallbackNodes: [], cpuTimeShare: 0, cpuFallback: false });
  });

  test('reads a profile file, array or {traceEvents}; a bad file is bad input', async () => {
    const file = path.join(dir, 'onnxruntime_profile.json');
    writeFileSync(file, JSON.stringify(profile));
    assert.equal((await auditProfileFile(file, 'tensorrt')).cpuFallback, true);
    writeFileSync(file, JSON.stringify({ traceEvents: profile.slice(0, 4) }));
    assert.deepEqual((await auditProfileFile(file, 'cuda')).providers, { CUDAExecutionProvider: { nodes: 2, kernelTimeUs: 320 } });
    writeFileSync(file, 'not json');
    await assert.rejects(auditProfileFile(file, 'cuda'), /not an onnxruntime profiling JSON file/);
  });
});

describe('GPU memory from meter context', () => {
  const sample = (tMs: number, used: number | string | undefined, total = 81559): PowerSample => ({ tMs, powerW: 100, context: used === undefined ? { gpuUtilizationPct: 5 } : { memoryUsedMib: used, memoryTotalMib: total } });
  // Two fake GPUs: GPU 0 runs the configuration, GPU 1 sits idle.
  const samples = new Map([
    ['cuda:0', [sample(0, 500), sample(100, 2500), sample(200, '4500'), sample(300, undefined), sample(400, 9000)]],
    ['cuda:1', [sample(100, 300, 40960), sample(200, 300, 40960)]],
  ]);

  test('peak and mean used per device over the window, only the devices asked for', () => {
    assert.deepEqual(gpuMemoryUse(samples, ['cuda:0'], 100, 300), [{ device: 'cuda:0', peakUsedMib: 4500, meanUsedMib: 3500, totalMib: 81559, samples: 2 }]);
    assert.deepEqual(gpuMemoryUse(samples, ['cuda:0', 'cuda:1'], 0, 400), [
      { device: 'cuda:0', peakUsedMib: 9000, meanUsedMib: 4125, totalMib: 81559, samples: 4 },
      { device: 'cuda:1', peakUsedMib: 300, meanUsedMib: 300, totalMib: 40960, samples: 2 },
    ]);
  });

  test('no samples or no column: nulls', () => {
    assert.deepEqual(gpuMemoryUse({ 'cuda:0': [sample(0, undefined)] }, ['cuda:0', 'cuda:2'], 0, 10), [
      { device: 'cuda:0', peakUsedMib: null, meanUsedMib: null, totalMib: null, samples: 0 },
      { device: 'cuda:2', peakUsedMib: null, meanUsedMib: null, totalMib: null, samples: 0 },
    ]);
  });
});
