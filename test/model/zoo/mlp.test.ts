// The zoo's MLP (src/model/zoo/mlp.ts) as inspect reports it: input, output, opset, ops and parameters counted by hand,
// and weights that are the named seeded streams (so the same model on every machine).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeModel } from '../../../src/model/inspect.js';
import { mlp } from '../../../src/model/zoo/mlp.js';
import { normalWeights } from '../../../src/model/zoo/weights.js';
import { attributeOf, decodeModel, dimsOf, readFloats, toNumber } from '../../../src/onnx/proto.js';

describe('zoo model mlp', () => {
  const bytes = mlp.build();
  const info = describeModel(bytes, 'mlp.onnx');
  const model = decodeModel(bytes, 'mlp.onnx');
  const initializer = (name: string) => model.graph!.initializer!.find((tensor) => tensor.name === name)!;

  test('x [N, 1024] float32 → logits [N, 10], as its entry declares', () => {
    assert.equal(mlp.name, 'mlp');
    assert.deepEqual(mlp.inputs, { x: { elemType: 'float32', dims: ['N', 1024] } });
    assert.deepEqual(info.inputs, [{ name: 'x', elemType: 'float32', dims: [{ kind: 'symbolic', name: 'N' }, { kind: 'fixed', size: 1024 }] }]);
    assert.deepEqual(info.outputs, [{ name: 'logits', elemType: 'float32', dims: [{ kind: 'symbolic', name: 'N' }, { kind: 'fixed', size: 10 }] }]);
  });

  test('opset 17, IR 8, made by joulebench, an FP32 model with its weights inside', () => {
    assert.deepEqual(info.opsets, [{ domain: 'ai.onnx', version: 17 }]);
    assert.equal(info.irVersion, 8);
    assert.equal(info.producer, 'joulebench');
    assert.equal(info.detectedPrecision, 'fp32');
    assert.equal(info.externalData, false);
    assert.deepEqual(info.indexBounds, {});
    assert.equal(model.docString, mlp.description);
  });

  test('four Gemm+Relu layers and a Gemm head: 9 nodes', () => {
    assert.deepEqual(info.opCounts, { Gemm: 5, Relu: 4 });
    assert.equal(info.nodeCount, 9);
    assert.deepEqual(model.graph!.node!.map((node) => node.name), ['fc0', 'relu0', 'fc1', 'relu1', 'fc2', 'relu2', 'fc3', 'relu3', 'head']);
    // PyTorch's Linear layout: B stored [out, in], transB = 1.
    for (const node of model.graph!.node!.filter((n) => n.opType === 'Gemm')) assert.equal(toNumber(attributeOf(node, 'transB')?.i), 1, node.name ?? '');
  });

  test('parameters by hand: ≈4.2 M float32 values', () => {
    // fc0..fc3: 1024 × 1024 + 1024 = 1 049 600 each, × 4 = 4 198 400; head: 10 × 1024 + 10 = 10 250; 4 208 650 in all.
    assert.equal(info.parameterCount, 4_208_650);
    assert.equal(info.parameterBytes, 4 * 4_208_650); // 16 834 600 bytes
    assert.deepEqual(info.parametersIn, { initializers: 4_208_650, constantNodes: 0, subgraphs: 0 });
    assert.deepEqual(dimsOf(initializer('fc0.weight')), [1024, 1024]);
    assert.deepEqual(dimsOf(initializer('head.weight')), [10, 1024]);
    assert.deepEqual(dimsOf(initializer('head.bias')), [10]);
  });

  test('weights are the seeded streams named after each tensor, He-scaled; every build is the same bytes', () => {
    // He: √(2 / 1024) for hidden layers; √(1 / 1024) = 1/32 for the head; biases N(0, 0.01²).
    assert.deepEqual(readFloats(initializer('fc2.weight')), normalWeights('fc2.weight', 1024 * 1024, Math.sqrt(2 / 1024)));
    assert.deepEqual(readFloats(initializer('head.weight')), normalWeights('head.weight', 10 * 1024, 1 / 32));
    assert.deepEqual(readFloats(initializer('fc1.bias')), normalWeights('fc1.bias', 1024, 0.01));
    assert.deepEqual(Buffer.from(mlp.build()), Buffer.from(bytes));
  });
});
