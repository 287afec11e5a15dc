// The zoo's small ResNet (src/model/zoo/cnn.ts) as inspect reports it: input, output, opset, ops and parameters
// counted by hand, the residual wiring, and weights that are the named seeded streams.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeModel } from '../../../src/model/inspect.js';
import { cnn } from '../../../src/model/zoo/cnn.js';
import { normalWeights, uniformWeights } from '../../../src/model/zoo/weights.js';
import { attributeOf, decodeModel, toNumber, dimsOf, readFloats } from '../../../src/onnx/proto.js';

describe('zoo model cnn', () => {
  const bytes = cnn.build();
  const info = describeModel(bytes, 'cnn.onnx');
  const model = decodeModel(bytes, 'cnn.onnx');
  const initializer = (name: string) => model.graph!.initializer!.find((tensor) => tensor.name === name)!;
  const node = (name: string) => model.graph!.node!.find((n) => n.name === name)!;
  const ints = (n: ReturnType<typeof node>, attribute: string) => (attributeOf(n, attribute)?.ints ?? []).map(toNumber);

  test('image [N, 3, 64, 64] float32 → logits [N, 10], as its entry declares', () => {
    assert.deepEqual(cnn.inputs, { image: { elemType: 'float32', dims: ['N', 3, 64, 64] } });
    assert.deepEqual(info.inputs, [{ name: 'image', elemType: 'float32', dims: [{ kind: 'symbolic', name: 'N' }, { kind: 'fixed', size: 3 }, { kind: 'fixed', size: 64 }, { kind: 'fixed', size: 64 }] }]);
    assert.deepEqual(info.outputs, [{ name: 'logits', elemType: 'float32', dims: [{ kind: 'symbolic', name: 'N' }, { kind: 'fixed', size: 10 }] }]);
  });

  test('opset 17, IR 8, FP32, no external data', () => {
    assert.deepEqual(info.opsets, [{ domain: 'ai.onnx', version: 17 }]);
    assert.equal(info.irVersion, 8);
    assert.equal(info.detectedPrecision, 'fp32');
    assert.equal(info.externalData, false);
    assert.equal(model.docString, cnn.description);
  });

  test('ops by hand: stem, two residual blocks (the second with a projection), pool and head', () => {
    // Conv: stem 1 + block1 2 + block2 3 (with the 1×1 projection) = 6; a BN after each; Relu: stem 1 + 2 per block = 5.
    assert.deepEqual(info.opCounts, { Conv: 6, BatchNormalization: 6, Relu: 5, MaxPool: 1, Add: 2, GlobalAveragePool: 1, Flatten: 1, Gemm: 1 });
    assert.equal(info.nodeCount, 23);
    // block1 keeps 32 channels: its skip is its input; block2 goes 32→64 at stride 2: its skip is the projection.
    assert.deepEqual(node('block1.add').input, ['block1.bn2.out', 'stem.pool.out']);
    assert.deepEqual(node('block2.add').input, ['block2.bn2.out', 'block2.downsample.out']);
    assert.deepEqual(ints(node('block2.conv1'), 'strides'), [2, 2]);
    assert.deepEqual(ints(node('block2.downsample.conv'), 'pads'), [0, 0, 0, 0], '1×1 kernel: no padding');
    assert.deepEqual(ints(node('stem.conv'), 'pads'), [1, 1, 1, 1], '3×3 kernel: "same" padding');
  });

  test('parameters by hand', () => {
    // stem: conv 32·3·3·3 = 864, bn 4·32 = 128                                              →    992
    // block1: 2 convs 32·32·9 = 9 216 each, 2 bns 128 each                                   → 18 688
    // block2: conv1 64·32·9 = 18 432, conv2 64·64·9 = 36 864, projection 64·32 = 2 048, 3 bns 256 each → 58 112
    // head: 10·64 + 10 = 650; 992 + 18 688 + 58 112 + 650 = 78 442
    assert.equal(info.parameterCount, 78_442);
    assert.equal(info.parameterBytes, 4 * 78_442);
    assert.deepEqual(dimsOf(initializer('block2.downsample.conv.weight')), [64, 32, 1, 1]);
    assert.deepEqual(dimsOf(initializer('head.weight')), [10, 64]);
  });

  test('weights: He-initialised convs, batch-norm statistics in plausible ranges, all from named streams', () => {
    // He for a 3×3 conv over 3 channels: √(2 / 27).
    assert.deepEqual(readFloats(initializer('stem.conv.weight')), normalWeights('stem.conv.weight', 864, Math.sqrt(2 / 27)));
    const scale = readFloats(initializer('block1.bn1.scale'));
    assert.deepEqual(scale, uniformWeights('block1.bn1.scale', 32, 0.8, 1.2));
    assert.ok(scale.every((v) => v >= 0.8 && v < 1.2));
    // Variances must be positive for BatchNormalization to divide by √(var + ε).
    assert.ok(readFloats(initializer('block2.bn2.var')).every((v) => v >= 0.5 && v < 1.5));
    assert.deepEqual(Buffer.from(cnn.build()), Buffer.from(bytes));
  });
});
