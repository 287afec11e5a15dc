// Plan expansion with precision from TensorRT's builder flags (precision_via) next to model variants.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { expandPlan, precisionVias } from '../../src/scenario/expand.js';
import { parseScenario } from '../../src/scenario/schema.js';

const context = { file: '/s/plan.yaml', baseDir: '/s' };

function plan(precisionVia: string | undefined, providers: unknown[] = []) {
  return expandPlan(
    parseScenario(
      {
        models: [{ model: 'models/enc.onnx', name: 'enc', variants: { fp16: 'enc.fp16.onnx' } }],
        precisions: ['fp32', 'fp16', 'int8'],
        executionProviders: [{ name: 'tensorrt', options: { device_id: 0, ...(precisionVia ? { precision_via: precisionVia } : {}) } }, ...providers],
        batchSizes: [8],
      },
      context,
    ),
  );
}

describe('precision via builder flags', () => {
  it('default (model): variant files only, every configuration via model', () => {
    const configs = plan(undefined);
    assert.deepEqual(configs.map((c) => [c.key, c.via, c.modelPath]), [
      ['enc/fp32/tensorrt/b8', 'model', '/s/models/enc.onnx'],
      ['enc/fp16/tensorrt/b8', 'model', '/s/enc.fp16.onnx'],
      ['enc/int8/tensorrt/b8', 'model', null],
    ]);
  });

  it('builder: fp16 and int8 are the FP32 model with the TensorRT flag; fp32 stays the model', () => {
    const configs = plan('builder');
    assert.deepEqual(configs.map((c) => [c.key, c.precision, c.via, c.modelPath, c.groupKey]), [
      ['enc/fp32/tensorrt/b8', 'fp32', 'model', '/s/models/enc.onnx', 'enc/fp32/tensorrt'],
      ['enc/fp16@builder/tensorrt/b8', 'fp16', 'tensorrt-builder', '/s/models/enc.onnx', 'enc/fp16@builder/tensorrt'],
      ['enc/int8@builder/tensorrt/b8', 'int8', 'tensorrt-builder', '/s/models/enc.onnx', 'enc/int8@builder/tensorrt'],
    ]);
    assert.deepEqual(configs[0]!.executionProvider.options, { device_id: 0, precision_via: 'builder' });
    assert.deepEqual(configs[1]!.executionProvider.options, { device_id: 0, precision_via: 'builder', trt_fp16_enable: true });
    assert.deepEqual(configs[2]!.executionProvider.options, { device_id: 0, precision_via: 'builder', trt_int8_enable: true, trt_fp16_enable: true });
  });

  it('both: the variant file and the builder flag, adjacent, distinct keys and sessions', () => {
    const configs = plan('both', ['cpu']);
    assert.deepEqual(configs.map((c) => c.key), [
      'enc/fp32/tensorrt/b8',
      'enc/fp32/cpu/b8',
      'enc/fp16/tensorrt/b8',
      'enc/fp16@builder/tensorrt/b8',
      'enc/fp16/cpu/b8',
      'enc/int8/tensorrt/b8',
      'enc/int8@builder/tensorrt/b8',
      'enc/int8/cpu/b8',
    ]);
    assert.deepEqual(configs.filter((c) => c.via === 'tensorrt-builder').map((c) => c.executionProvider.name), ['tensorrt', 'tensorrt']);
    assert.equal(new Set(configs.map((c) => c.groupKey)).size, 8);
    // The scenario's own provider entry is not changed by the builder configurations.
    assert.deepEqual(configs[2]!.executionProvider.options, { device_id: 0, precision_via: 'both' });
  });

  it('precision_via on a provider without builder flags, or a bad value, is bad input', () => {
    assert.throws(() => precisionVias('fp16', { name: 'cuda', options: { precision_via: 'builder' } }, 1), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.message, 'executionProviders[1].options.precision_via: "cuda" has no builder flags; precision_via: builder works with tensorrt');
      return true;
    });
    assert.throws(() => precisionVias('fp16', { name: 'tensorrt', options: { precisionVia: 'flags' } }), /expected one of model, builder, both, got "flags"/);
    assert.deepEqual(precisionVias('fp16', { name: 'cuda', options: { precision_via: 'model' } }), ['model']);
    assert.deepEqual(precisionVias('fp16', { name: 'tensorrt', options: { precisionVia: 'Both' } }), ['model', 'tensorrt-builder']);
  });
});
