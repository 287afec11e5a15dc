// The zoo's transformer encoder (src/model/zoo/transformer.ts) as inspect reports it: input, output, opset, ops and
// parameters counted by hand, the constants that keep batch and sequence dynamic, and the named seeded weights.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeModel } from '../../../src/model/inspect.js';
import { transformer } from '../../../src/model/zoo/transformer.js';
import { normalWeights } from '../../../src/model/zoo/weights.js';
import { attributeOf, decodeModel, toNumber, dimsOf, readFloats, readInts } from '../../../src/onnx/proto.js';

describe('zoo model transformer', () => {
  const bytes = transformer.build();
  const info = describeModel(bytes, 'transformer.onnx');
  const model = decodeModel(bytes, 'transformer.onnx');
  const initializer = (name: string) => model.graph!.initializer!.find((tensor) => tensor.name === name)!;
  const node = (name: string) => model.graph!.node!.find((n) => n.name === name)!;
  const ints = (n: ReturnType<typeof node>, attribute: string) => (attributeOf(n, attribute)?.ints ?? []).map(toNumber);
  const hidden = [{ kind: 'symbolic', name: 'N' }, { kind: 'fixed', size: 128 }, { kind: 'fixed', size: 256 }];

  test('x [N, 128, 256] float32 → hidden [N, 128, 256], as its entry declares', () => {
    assert.deepEqual(transformer.inputs, { x: { elemType: 'float32', dims: ['N', 128, 256] } });
    assert.deepEqual(info.inputs, [{ name: 'x', elemType: 'float32', dims: hidden }]);
    assert.deepEqual(info.outputs, [{ name: 'hidden', elemType: 'float32', dims: hidden }]);
  });

  test('opset 17 (so GELU is built from Erf: the Gelu op needs opset 20), IR 8, FP32', () => {
    assert.deepEqual(info.opsets, [{ domain: 'ai.onnx', version: 17 }]);
    assert.equal(info.irVersion, 8);
    assert.equal(info.detectedPrecision, 'fp32');
    assert.equal(info.opCounts.Gelu, undefined);
  });

  test('ops by hand: 33 per layer, two layers', () => {
    // Per layer: LayerNorm 2; MatMul 4 (q, k, v, out) + 2 (scores, context) + 2 (FFN) = 8;
    // Add 6 biases + 2 residuals + 1 in GELU = 9; Reshape 3 + 1 and Transpose 3 + 1 (split and merge heads);
    // Mul 1 (scale) + 2 (GELU); Softmax, Div, Erf 1 each: 2 + 8 + 9 + 4 + 4 + 3 + 3 = 33.
    assert.deepEqual(info.opCounts, { LayerNormalization: 4, MatMul: 16, Add: 18, Reshape: 8, Transpose: 8, Mul: 6, Softmax: 2, Div: 2, Erf: 2 });
    assert.equal(info.nodeCount, 66);
    // Keys are transposed to [N, 4, 64, S] so Q·Kᵀ is a plain MatMul.
    assert.deepEqual(ints(node('layer0.attn.k_heads.transpose'), 'perm'), [0, 2, 3, 1]);
    assert.deepEqual(ints(node('layer1.attn.q_heads.transpose'), 'perm'), [0, 2, 1, 3]);
  });

  test('parameters by hand: ≈1.6 M', () => {
    // Per layer: 2 LayerNorms 2·256 = 512 each; q, k, v, out 256·256 + 256 = 65 792 each (263 168);
    // FFN 256·1024 + 1024 = 263 168 and 1024·256 + 256 = 262 400: 789 760 per layer, 1 579 520 for two.
    // Constants: shapes 4 + 3 int64, four float scalars: 11. 1 579 531 in all.
    assert.equal(info.parameterCount, 1_579_531);
    // 1 579 520 float32 × 4 = 6 318 080, + 7 int64 × 8 = 56, + 4 float scalars × 4 = 16: 6 318 152 bytes.
    assert.equal(info.parameterBytes, 6_318_152);
  });

  test('reshape targets copy batch and sequence (0) so both stay dynamic; the attention scale is 1/√64', () => {
    assert.deepEqual(readInts(initializer('const.split_heads_shape')), [0, 0, 4, 64]);
    assert.deepEqual(readInts(initializer('const.merge_heads_shape')), [0, 0, 256]);
    assert.deepEqual(dimsOf(initializer('const.attention_scale')), []);
    assert.deepEqual(readFloats(initializer('const.attention_scale')), Float32Array.of(0.125));
  });

  test('weights from named streams: Xavier-style linears, LayerNorm scales around 1', () => {
    assert.deepEqual(readFloats(initializer('layer0.ffn2.weight')), normalWeights('layer0.ffn2.weight', 1024 * 256, Math.sqrt(1 / 1024)));
    assert.deepEqual(dimsOf(initializer('layer0.ffn2.weight')), [1024, 256]);
    assert.deepEqual(readFloats(initializer('layer1.ln2.scale')), normalWeights('layer1.ln2.scale', 256, 0.02, 1));
    assert.deepEqual(Buffer.from(transformer.build()), Buffer.from(bytes));
  });
});
