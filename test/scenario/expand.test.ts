import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandPlan, labelProviders } from '../../src/scenario/expand.js';
import { parseScenario } from '../../src/scenario/schema.js';

const context = { file: '/s/plan.yaml', baseDir: '/s' };

describe('expandPlan', () => {
  // 2 models × 2 precisions × 1 EP × 2 threads × 3 batch sizes.
  const scenario = parseScenario(
    {
      models: [{ model: 'mlp' }, { model: 'models/enc.onnx', name: 'enc', variants: { fp16: 'enc.fp16.onnx' } }],
      precisions: ['fp32', 'fp16'],
      executionProviders: ['cpu'],
      threads: [1, 2],
      batchSizes: [1, 8, 32],
    },
    context,
  );
  const plan = expandPlan(scenario);

  it('has one configuration per combination', () => {
    assert.equal(plan.length, 24);
    assert.equal(new Set(plan.map((config) => config.key)).size, 24);
  });

  it('orders model → precision → provider → threads → batch size', () => {
    assert.deepEqual(
      plan.slice(0, 7).map((config) => config.key),
      [
        'mlp/fp32/cpu/b1/t1',
        'mlp/fp32/cpu/b8/t1',
        'mlp/fp32/cpu/b32/t1',
        'mlp/fp32/cpu/b1/t2',
        'mlp/fp32/cpu/b8/t2',
        'mlp/fp32/cpu/b32/t2',
        'mlp/fp16/cpu/b1/t1',
      ],
    );
    assert.equal(plan[0]?.key, 'mlp/fp32/cpu/b1/t1');
    assert.equal(plan[12]?.key, 'enc/fp32/cpu/b1/t1');
    assert.equal(plan[23]?.key, 'enc/fp16/cpu/b32/t2');
  });

  it('sets groupKey to the key without the batch size', () => {
    assert.equal(plan[0]?.groupKey, 'mlp/fp32/cpu/t1');
    assert.equal(plan[23]?.groupKey, 'enc/fp16/cpu/t2');
    assert.deepEqual(
      [...new Set(plan.map((config) => config.groupKey))],
      [
        'mlp/fp32/cpu/t1',
        'mlp/fp32/cpu/t2',
        'mlp/fp16/cpu/t1',
        'mlp/fp16/cpu/t2',
        'enc/fp32/cpu/t1',
        'enc/fp32/cpu/t2',
        'enc/fp16/cpu/t1',
        'enc/fp16/cpu/t2',
      ],
    );
  });

  it('fills every field of a configuration', () => {
    assert.deepEqual(plan[23], {
      key: 'enc/fp16/cpu/b32/t2',
      model: { name: 'enc', source: '/s/models/enc.onnx', inputs: {}, variants: { fp16: '/s/enc.fp16.onnx' } },
      precision: 'fp16',
      via: 'model',
      modelPath: '/s/enc.fp16.onnx',
      executionProvider: { name: 'cpu', options: {} },
      batchSize: 32,
      threads: 2,
      groupKey: 'enc/fp16/cpu/t2',
    });
  });

  it('uses the source for fp32 and null for a missing variant', () => {
    assert.equal(plan[0]?.modelPath, 'mlp');
    assert.equal(plan[6]?.modelPath, null);
    assert.equal(plan[6]?.precision, 'fp16');
    assert.equal(plan[12]?.modelPath, '/s/models/enc.onnx');
  });

  it('leaves /t out of keys when threads are onnxruntime\'s default', () => {
    const keys = expandPlan(parseScenario({ models: ['cnn'], batchSizes: [4, 2] }, context)).map((config) => [
      config.key,
      config.groupKey,
      config.threads,
    ]);
    assert.deepEqual(keys, [
      ['cnn/fp32/cpu/b4', 'cnn/fp32/cpu', null],
      ['cnn/fp32/cpu/b2', 'cnn/fp32/cpu', null],
    ]);
  });

  it('numbers repeated provider names: cuda, cuda#1', () => {
    const providers = parseScenario(
      {
        models: ['mlp'],
        batchSizes: [1],
        executionProviders: ['cpu', { name: 'cuda', options: { device_id: 0 } }, { name: 'cuda', options: { device_id: 1 } }],
      },
      context,
    );
    const plan2 = expandPlan(providers);
    assert.deepEqual(
      plan2.map((config) => [config.key, config.executionProvider.options['device_id'] ?? null]),
      [
        ['mlp/fp32/cpu/b1', null],
        ['mlp/fp32/cuda/b1', 0],
        ['mlp/fp32/cuda#1/b1', 1],
      ],
    );
    assert.deepEqual(labelProviders(providers.executionProviders), ['cpu', 'cuda', 'cuda#1']);
  });

  it('refuses a hand-built scenario whose keys repeat', () => {
    const repeated = { ...parseScenario({ models: ['mlp'] }, context), batchSizes: [8, 8] };
    assert.throws(() => expandPlan(repeated), {
      code: 'SCENARIO_INVALID',
      message: 'scenario: configuration mlp/fp32/cpu/b8 appears twice in the plan',
    });
  });
});
