// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// Device attribution through the real sweep with two fake GPUs: a fake nvidia-smi reports GPU 0 at a constant 250 W
// (1000 MiB used) and GPU 1 at 100 W (2000 MiB); stand-ins for the cuda and webgpu providers (registered for this
// process) create CPU sessions but report the device the real providers would (`cuda:N` from device_id, `webgpu`).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { prepareModels, scenarioNaming } from '../../src/measure/prepare.js';
import { runSweep } from '../../src/measure/sweep.js';
import { createNvidiaSmiMeterFactory } from '../../src/power/nvidia-smi.js';
import type { Measurement } from '../../src/results/types.js';
import { cudaProvider } from '../../src/runtime/providers/cuda.js';
import { registerExecutionProvider } from '../../src/runtime/providers/registry.js';
import type { ExecutionProvider } from '../../src/runtime/providers/types.js';
import { webgpuProvider } from '../../src/runtime/providers/webgpu.js';
import { expandPlan } from '../../src/scenario/expand.js';
import { parseScenario } from '../../src/scenario/schema.js';

const fakeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'bin', 'nvidia');
let dir = '';
const undo: Array<() => void> = [];

// A provider that runs on the CPU but keeps the real one's name, option table and device().
function onCpu(real: ExecutionProvider): ExecutionProvider {
  const settings = () => ({ provider: { name: 'cpu' }, session: {}, notForwarded: [] });
  return { ...real, description: `${real.name} stand-in (CPU session)`, availability: () => ({ ok: true }), settings };
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jb-devices-'));
  process.env.JOULEBENCH_MODELS_DIR = path.join(dir, 'models');
  process.env.JOULEBENCH_CACHE_DIR = path.join(dir, 'cache');
  undo.push(registerExecutionProvider(onCpu(cudaProvider)), registerExecutionProvider(onCpu(webgpuProvider)));
});
after(async () => {
  for (const restore of undo) restore();
  await rm(dir, { recursive: true, force: true });
});

test('devices [0, 1]: cuda:0 counts only GPU 0 (250 W), cuda:1 only GPU 1 (100 W); cpu and webgpu count both (350 W)', { timeout: 120_000 }, async () => {
  const scenario = parseScenario(
    {
      models: ['mlp'], executionProviders: ['cpu', 'cuda', 'webgpu'], devices: [0, 1], batchSizes: [1],
      window: { minSeconds: 0.2, minRuns: 3 }, repetitions: 2, stopping: false, idleSeconds: 0.2, warmup: { runs: 1, seconds: 0 }, meters: ['nvidia-smi'], out: 'results',
    },
    { file: null, baseDir: dir },
  );
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${fakeDir}${path.delimiter}${process.env.PATH ?? ''}` };
  for (const key of Object.keys(env)) if (key.startsWith('FAKE_NVSMI_')) delete env[key];
  Object.assign(env, { FAKE_NVSMI_WATTS: '250,100,400', FAKE_NVSMI_MEMORY: '1000,2000,3000' });
  // A 20 ms stream keeps windows short (a window lasts at least 10 meter periods). The host has three GPUs; GPU 2 is not listed.
  const meters = await createNvidiaSmiMeterFactory({ env, periodMs: 20 }).create({ cpuTdpWatts: null, baseDir: dir, settings: { 'powercap-root': '/nonexistent' }, gpus: scenario.devices }, null);
  assert.deepEqual(meters.map((m) => m.info.id), ['nvidia-smi:0', 'nvidia-smi:1'], 'only the listed GPUs are metered');

  const plan = expandPlan(scenario);
  const models = await prepareModels(scenario, scenarioNaming(null));
  const { result } = await runSweep({
    scenario, plan, models, meters, meterChoices: [{ name: 'nvidia-smi', chosen: true, why: 'fake nvidia-smi' }], toolVersion: 'test', isolate: false,
  });

  assert.equal(result.status, 'complete');
  const byKey = new Map(result.measurements.map((m) => [m.key, m]));
  assert.deepEqual([...byKey.keys()], ['mlp/fp32/cpu/b1', 'mlp/fp32/cuda:0/b1', 'mlp/fp32/cuda:1/b1', 'mlp/fp32/webgpu/b1']);
  const at = (key: string): Measurement => {
    const m = byKey.get(key)!;
    assert.equal(m.status, 'ok', `${key}: ${m.error?.message}`);
    return m;
  };
  // Constant power integrates to exactly P × duration; only floating-point rounding is left.
  const close = (actual: number | undefined, expected: number, what: string) =>
    assert.ok(actual !== undefined && Math.abs(actual - expected) <= 1e-9 * expected, `${what}: expected ${expected} W, got ${actual}`);
  const expected: Array<[string, string, Record<string, number>]> = [
    ['mlp/fp32/cpu/b1', 'cpu', { 'nvidia-smi:0': 250, 'nvidia-smi:1': 100 }],
    ['mlp/fp32/cuda:0/b1', 'cuda:0', { 'nvidia-smi:0': 250 }],
    ['mlp/fp32/cuda:1/b1', 'cuda:1', { 'nvidia-smi:1': 100 }],
    ['mlp/fp32/webgpu/b1', 'webgpu', { 'nvidia-smi:0': 250, 'nvidia-smi:1': 100 }],
  ];
  for (const [key, device, byMeter] of expected) {
    const m = at(key);
    assert.equal(m.device, device, `${key} device`);
    assert.deepEqual(Object.keys(m.power!.byMeter), Object.keys(byMeter), `${key}: counted meters`);
    for (const [id, watts] of Object.entries(byMeter)) close(m.power!.byMeter[id], watts, `${key} byMeter[${id}]`);
    const totalW = Object.values(byMeter).reduce((sum, w) => sum + w, 0);
    close(m.power!.meanWatts, totalW, `${key} meanWatts`);
    for (const [i, repetition] of m.repetitions.entries()) close(repetition.meanWatts, totalW, `${key} repetition ${i} meanWatts`);
  }

  // GPU memory: each GPU configuration reports its own GPU only.
  const memory = (key: string) => at(key).gpuMemory!.map(({ device, peakUsedMib, meanUsedMib, totalMib }) => ({ device, peakUsedMib, meanUsedMib, totalMib }));
  const gpu0 = { device: 'cuda:0', peakUsedMib: 1000, meanUsedMib: 1000, totalMib: 81559 };
  const gpu1 = { device: 'cuda:1', peakUsedMib: 2000, meanUsedMib: 2000, totalMib: 81559 };
  assert.deepEqual(memory('mlp/fp32/cuda:0/b1'), [gpu0]);
  assert.deepEqual(memory('mlp/fp32/cuda:1/b1'), [gpu1]);
  assert.deepEqual(memory('mlp/fp32/webgpu/b1'), [gpu0, gpu1]);

  assert.equal(at('mlp/fp32/cuda:0/b1').power!.attribution, 'nvidia-smi:0 for cuda:0 (GPU 0 of devices 0,1); not counted: nvidia-smi:1 (other devices)');
  assert.equal(at('mlp/fp32/cuda:1/b1').power!.attribution, 'nvidia-smi:1 for cuda:1 (GPU 1 of devices 0,1); not counted: nvidia-smi:0 (other devices)');
  assert.match(at('mlp/fp32/webgpu/b1').power!.attribution!, /webgpu cannot be pinned to one of them, onnxruntime-node passes it no adapter index, so every listed GPU counts/);
  close(result.idle!.watts['nvidia-smi:0'], 250, 'idle GPU 0');
  close(result.idle!.watts['nvidia-smi:1'], 100, 'idle GPU 1');
});

test('CUDA_VISIBLE_DEVICES=2,0: cuda:0 is nvidia-smi GPU 2 (400 W) and cuda:1 is GPU 0 (250 W); the note says so', { timeout: 120_000 }, async () => {
  const saved = process.env.CUDA_VISIBLE_DEVICES;
  process.env.CUDA_VISIBLE_DEVICES = '2,0';
  try {
    const scenario = parseScenario(
      {
        models: ['mlp'], executionProviders: ['cuda'], devices: [0, 1], batchSizes: [1],
        window: { minSeconds: 0.2, minRuns: 3 }, repetitions: 2, stopping: false, idleSeconds: 0, warmup: { runs: 1, seconds: 0 }, meters: ['nvidia-smi'], out: 'results',
      },
      { file: null, baseDir: dir },
    );
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${fakeDir}${path.delimiter}${process.env.PATH ?? ''}` };
    for (const key of Object.keys(env)) if (key.startsWith('FAKE_NVSMI_')) delete env[key];
    Object.assign(env, { FAKE_NVSMI_WATTS: '250,100,400', FAKE_NVSMI_MEMORY: '1000,2000,3000' });
    const context = { cpuTdpWatts: null, baseDir: dir, settings: { 'powercap-root': '/nonexistent' }, gpus: scenario.devices };
    const meters = await createNvidiaSmiMeterFactory({ env, periodMs: 20 }).create(context, null);
    // The GPUs behind CUDA devices 0 and 1, in nvidia-smi's numbering; GPU 1 is not visible to CUDA and not metered.
    assert.deepEqual(meters.map((m) => [m.info.id, m.info.cudaOrdinal]), [['nvidia-smi:2', 0], ['nvidia-smi:0', 1]]);
    // CUDA device 2 does not exist under CUDA_VISIBLE_DEVICES=2,0 (only two GPUs are visible).
    await assert.rejects(createNvidiaSmiMeterFactory({ env, periodMs: 20 }).create({ ...context, gpus: [2] }, null), {
      code: 'NVIDIA_SMI_NO_SUCH_GPU',
      message: 'GPU 2 (--gpus) does not exist for CUDA: CUDA_VISIBLE_DEVICES=2,0 makes 2 GPUs visible',
    });

    const models = await prepareModels(scenario, scenarioNaming(null));
    const { result } = await runSweep({
      scenario, plan: expandPlan(scenario), models, meters, meterChoices: [{ name: 'nvidia-smi', chosen: true, why: 'fake nvidia-smi' }], toolVersion: 'test', isolate: false,
    });
    const byKey = new Map(result.measurements.map((m) => [m.key, m]));
    const cuda0 = byKey.get('mlp/fp32/cuda:0/b1')!;
    const cuda1 = byKey.get('mlp/fp32/cuda:1/b1')!;
    assert.deepEqual([cuda0.status, cuda1.status], ['ok', 'ok']);
    assert.deepEqual(Object.keys(cuda0.power!.byMeter), ['nvidia-smi:2']);
    assert.deepEqual(Object.keys(cuda1.power!.byMeter), ['nvidia-smi:0']);
    assert.ok(Math.abs(cuda0.power!.meanWatts - 400) <= 400e-9 && Math.abs(cuda1.power!.meanWatts - 250) <= 250e-9, `${cuda0.power!.meanWatts} W, ${cuda1.power!.meanWatts} W`);
    assert.equal(cuda0.power!.attribution, 'nvidia-smi:2 for cuda:0 (GPU 0 of devices 0,1); CUDA_VISIBLE_DEVICES: nvidia-smi:2 is cuda:0; not counted: nvidia-smi:0 (other devices)');
    // GPU memory keeps nvidia-smi's name for the GPU it read.
    assert.deepEqual(cuda0.gpuMemory!.map(({ device, peakUsedMib }) => ({ device, peakUsedMib })), [{ device: 'cuda:2', peakUsedMib: 3000 }]);
  } finally {
    if (saved === undefined) delete process.env.CUDA_VISIBLE_DEVICES;
    else process.env.CUDA_VISIBLE_DEVICES = saved;
  }
});
