// Pinning providers to the scenario's GPUs: `devices:` validation, expansion per device, labels and options.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { expandPlan } from '../../src/scenario/expand.js';
import { pinProviders } from '../../src/scenario/devices.js';
import { parseScenario } from '../../src/scenario/schema.js';
import type { Scenario } from '../../src/scenario/types.js';

const context = { file: '/s/gpus.yaml', baseDir: '/s' };
const parse = (raw: Record<string, unknown>) => parseScenario({ models: ['mlp'], batchSizes: [1], ...raw }, context);

// The problem lines of a SCENARIO_INVALID error (its message, one problem per line).
function problems(raw: Record<string, unknown>): string {
  try {
    parse(raw);
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    assert.equal(error.code, 'SCENARIO_INVALID');
    return `${error.message}\nfix: ${error.hint ?? ''}`;
  }
  assert.fail('expected the scenario to be rejected');
}

describe('devices: validation', () => {
  it('accepts unique non-negative GPU indices; gpus: is the older name of the same list', () => {
    assert.deepEqual(parse({ devices: [0, 1] }).devices, [0, 1]);
    assert.deepEqual(parse({ gpus: [1] }).devices, [1]);
    assert.equal(parse({}).devices, null);
  });

  it('refuses bad types, negatives, duplicates, an empty list and both names at once, naming the field', () => {
    assert.match(problems({ devices: 0 }), /gpus\.yaml: devices: expected a list of GPU indices \(non-negative integers\), like \[0, 1\], got 0/);
    assert.match(problems({ devices: ['a'] }), /devices\[0\]: expected a GPU index \(a non-negative integer\), got "a"/);
    assert.match(problems({ devices: [1.5] }), /devices\[0\]: expected a GPU index \(a non-negative integer\), got 1\.5/);
    assert.match(problems({ devices: [0, -1] }), /devices\[1\]: expected a GPU index \(a non-negative integer\), got -1/);
    assert.match(problems({ devices: [1, 0, 1] }), /devices\[2\]: 1 is already listed at devices\[0\]/);
    assert.match(problems({ devices: [] }), /devices: expected at least one GPU index/);
    assert.match(problems({ gpus: [0, 0] }), /gpus\[1\]: 0 is already listed at gpus\[0\]/);
    assert.match(problems({ devices: [0], gpus: [0] }), /gpus: give devices or gpus \(its older name\), not both/);
  });

  it('refuses a provider whose own device_id is not among the devices, naming both', () => {
    const text = problems({ devices: [0, 1], executionProviders: ['cpu', { name: 'cuda', options: { device_id: 2 } }] });
    assert.match(text, /gpus\.yaml: executionProviders\[1\]\.options\.device_id: GPU 2 is not among devices \[0, 1\]/);
    assert.match(text, /fix: add it to devices \(or --gpus\)/);
    assert.match(problems({ gpus: [0], executionProviders: [{ name: 'tensorrt', options: { deviceId: '1' } }] }), /executionProviders\[0\]\.options\.deviceId: GPU 1 is not among devices \[0\]/);
    // Without devices any device_id goes; a provider without device_id in its table is left to its own option check.
    assert.doesNotThrow(() => parse({ executionProviders: [{ name: 'cuda', options: { device_id: 7 } }] }));
    assert.doesNotThrow(() => parse({ devices: [0], executionProviders: [{ name: 'webgpu', options: { device_id: 7 } }] }));
  });

  it('expandPlan checks it too, for devices set after parsing (run --gpus)', () => {
    const scenario: Scenario = { ...parse({ executionProviders: [{ name: 'cuda', options: { device_id: 1 } }] }), devices: [0] };
    assert.throws(() => expandPlan(scenario), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.code, 'SCENARIO_INVALID');
      assert.equal(error.message, 'executionProviders[0].options.device_id: GPU 1 is not among devices [0]');
      return true;
    });
  });
});

describe('devices: expansion', () => {
  it('cuda and tensorrt × devices [0, 1]: one entry per device with device_id set, labels carrying the device, each device contiguous', () => {
    const plan = expandPlan(parse({ devices: [0, 1], executionProviders: ['cpu', 'cuda', { name: 'tensorrt', options: { trt_max_workspace_size: 1024 } }], batchSizes: [1, 8] }));
    assert.deepEqual(plan.map((c) => [c.key, c.groupKey, c.executionProvider]), [
      ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu', { name: 'cpu', options: {} }],
      ['mlp/fp32/cpu/b8', 'mlp/fp32/cpu', { name: 'cpu', options: {} }],
      ['mlp/fp32/cuda:0/b1', 'mlp/fp32/cuda:0', { name: 'cuda', options: { device_id: 0 } }],
      ['mlp/fp32/cuda:0/b8', 'mlp/fp32/cuda:0', { name: 'cuda', options: { device_id: 0 } }],
      ['mlp/fp32/cuda:1/b1', 'mlp/fp32/cuda:1', { name: 'cuda', options: { device_id: 1 } }],
      ['mlp/fp32/cuda:1/b8', 'mlp/fp32/cuda:1', { name: 'cuda', options: { device_id: 1 } }],
      ['mlp/fp32/tensorrt:0/b1', 'mlp/fp32/tensorrt:0', { name: 'tensorrt', options: { trt_max_workspace_size: 1024, device_id: 0 } }],
      ['mlp/fp32/tensorrt:0/b8', 'mlp/fp32/tensorrt:0', { name: 'tensorrt', options: { trt_max_workspace_size: 1024, device_id: 0 } }],
      ['mlp/fp32/tensorrt:1/b1', 'mlp/fp32/tensorrt:1', { name: 'tensorrt', options: { trt_max_workspace_size: 1024, device_id: 1 } }],
      ['mlp/fp32/tensorrt:1/b8', 'mlp/fp32/tensorrt:1', { name: 'tensorrt', options: { trt_max_workspace_size: 1024, device_id: 1 } }],
    ]);
  });

  it('one device: keys still say which GPU', () => {
    assert.deepEqual(expandPlan(parse({ devices: [1], executionProviders: ['tensorrt'] })).map((c) => c.key), ['mlp/fp32/tensorrt:1/b1']);
  });

  it('without devices keys and options stay exactly as written', () => {
    const plan = expandPlan(parse({ executionProviders: ['cuda', { name: 'cuda', options: { device_id: 1 } }] }));
    assert.deepEqual(plan.map((c) => [c.key, c.executionProvider.options]), [['mlp/fp32/cuda/b1', {}], ['mlp/fp32/cuda#1/b1', { device_id: 1 }]]);
  });

  it('an entry that sets device_id keeps it (not expanded); repeated names keep their #k', () => {
    const plan = expandPlan(parse({ devices: [0, 1], executionProviders: [{ name: 'cuda', options: { device_id: 1 } }, { name: 'cuda', options: { gpu_mem_limit: 1000 } }] }));
    assert.deepEqual(plan.map((c) => [c.key, c.executionProvider.options]), [
      ['mlp/fp32/cuda:1/b1', { device_id: 1 }],
      ['mlp/fp32/cuda#1:0/b1', { gpu_mem_limit: 1000, device_id: 0 }],
      ['mlp/fp32/cuda#1:1/b1', { gpu_mem_limit: 1000, device_id: 1 }],
    ]);
  });

  it('builder-flag precisions expand per device, next to the model variants', () => {
    const plan = expandPlan(
      parse({
        models: [{ model: 'models/enc.onnx', name: 'enc', variants: { fp16: 'enc.fp16.onnx' } }],
        precisions: ['fp16'],
        devices: [0, 1],
        executionProviders: [{ name: 'tensorrt', options: { precision_via: 'both' } }],
        batchSizes: [8],
      }),
    );
    assert.deepEqual(plan.map((c) => [c.key, c.via, c.modelPath, c.executionProvider.options]), [
      ['enc/fp16/tensorrt:0/b8', 'model', '/s/enc.fp16.onnx', { precision_via: 'both', device_id: 0 }],
      ['enc/fp16@builder/tensorrt:0/b8', 'tensorrt-builder', '/s/models/enc.onnx', { precision_via: 'both', device_id: 0, trt_fp16_enable: true }],
      ['enc/fp16/tensorrt:1/b8', 'model', '/s/enc.fp16.onnx', { precision_via: 'both', device_id: 1 }],
      ['enc/fp16@builder/tensorrt:1/b8', 'tensorrt-builder', '/s/models/enc.onnx', { precision_via: 'both', device_id: 1, trt_fp16_enable: true }],
    ]);
  });

  it('which providers are pinned comes from their option tables: dml is, cpu, webgpu and coreml are not', () => {
    const pinned = pinProviders(['cpu', 'webgpu', 'coreml', 'dml', 'cuda'].map((name) => ({ name, options: {} })), [3]);
    assert.deepEqual(pinned.map((p) => [p.label, p.spec.options, p.index]), [
      ['cpu', {}, 0],
      ['webgpu', {}, 1],
      ['coreml', {}, 2],
      ['dml:3', { device_id: 3 }, 3],
      ['cuda:3', { device_id: 3 }, 4],
    ]);
  });
});
