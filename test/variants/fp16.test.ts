import assert from 'node:assert/strict';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { fromFloat16Bits } from '../../src/onnx/float16.js';
import { convertToFloat16, defaultFp16Options } from '../../src/variants/fp16.js';
import { DataType, encodeModel, readFloats, type Model } from '../../src/onnx/proto.js';
import { convert, f32, runFirstOutput } from './helpers.js';

const { onnx } = onnxProto;

// x[N,2] → MatMul(W) → Max(·, c) → y : Max is on the FP16 block list.
function matmulMax(weights = [1, 2, 3, 4]): Uint8Array {
  return new GraphBuilder('g')
    .input('x', 'float32', ['N', 2])
    .initializer('W', [2, 2], Float32Array.from(weights))
    .initializer('c', [2], Float32Array.from([0.5, -0.5]))
    .node('MatMul', ['x', 'W'], ['h'], {}, 'mm')
    .node('Max', ['h', 'c'], ['y'], {}, 'max')
    .output('y', 'float32', ['N', 2])
    .build();
}

const initializer = (model: Model, name: string) => model.graph!.initializer!.find((t) => t.name === name)!;

test('FP16: weights become FLOAT16, blocked ops keep FP32 with Casts around them, graph I/O stays FP32', async () => {
  const source = matmulMax();
  const { bytes, report, ops, model } = await convert(source, (m) => convertToFloat16(m));
  assert.deepEqual(ops, { Cast: 2, MatMul: 1, Max: 1 });
  assert.equal(report.castsInserted, 2, 'x → fp16 before MatMul, h → fp32 before Max');
  assert.equal(report.convertedNodes, 1);
  assert.deepEqual(report.keptFp32, { Max: 1 });
  assert.equal(initializer(model, 'W').dataType, DataType.FLOAT16);
  assert.equal(initializer(model, 'c').dataType, DataType.FLOAT, 'read only by the FP32 Max');
  assert.equal(model.graph!.input![0]!.type!.tensorType!.elemType, DataType.FLOAT);
  assert.equal(model.graph!.output![0]!.type!.tensorType!.elemType, DataType.FLOAT);
  // x = [1, 1]: h = [4, 6]; max with c = [4, 6] — exact in FP16.
  const feeds = { x: f32([1, 1, -1, 0.25], [2, 2]) };
  assert.deepEqual(await runFirstOutput(bytes, feeds), await runFirstOutput(source, feeds));
});

test('FP16: values outside ±[1e-7, 1e4] are clamped and counted (Inf and zero are kept)', async () => {
  const { report, model } = await convert(matmulMax([1e-9, -2e4, 5e4, 0]), (m) => convertToFloat16(m));
  assert.equal(report.clampedValues, 3);
  assert.equal(report.convertedValues, 4);
  const values = Array.from(readFloats(initializer(model, 'W')));
  assert.deepEqual(values.slice(1), [-10000, 10000, 0]);
  assert.equal(values[0], fromFloat16Bits(0x0002), '1e-7 in float16 is the subnormal 2 × 2^-24');
});

test('FP16: --keep-fp32 keeps an op in FP32; an initializer read by both kinds is duplicated, not cast at run time', async () => {
  const source = new GraphBuilder('g')
    .input('x', 'float32', ['N', 2])
    .initializer('b', [2], Float32Array.from([1, -1]))
    .node('Add', ['x', 'b'], ['h'], {}, 'add')
    .node('Mul', ['h', 'b'], ['y'], {}, 'mul')
    .output('y', 'float32', ['N', 2])
    .build();
  const { bytes, report, model } = await convert(source, (m) => convertToFloat16(m, { ...defaultFp16Options, keepFp32: ['Mul'] }));
  assert.deepEqual(report.keptFp32, { Mul: 1 });
  assert.deepEqual(model.graph!.initializer!.map((t) => [t.name, t.dataType]), [['b', DataType.FLOAT], ['b_fp16', DataType.FLOAT16]]);
  assert.deepEqual(model.graph!.node!.find((n) => n.opType === 'Add')!.input, ['x_fp16', 'b_fp16']);
  const feeds = { x: f32([1, 2, 3, 4], [2, 2]) };
  assert.deepEqual(await runFirstOutput(bytes, feeds), [2, -1, 4, -3]);
});

test('FP16: --fp16-io makes graph inputs and outputs FLOAT16 with no Casts', async () => {
  const source = new GraphBuilder('g').input('x', 'float32', ['N', 2]).node('Relu', ['x'], ['y']).output('y', 'float32', ['N', 2]).build();
  const { report, model, ops } = await convert(source, (m) => convertToFloat16(m, { ...defaultFp16Options, fp16Io: true }));
  assert.equal(report.castsInserted, 0);
  assert.deepEqual(ops, { Relu: 1 });
  assert.equal(model.graph!.input![0]!.type!.tensorType!.elemType, DataType.FLOAT16);
  assert.equal(model.graph!.output![0]!.type!.tensorType!.elemType, DataType.FLOAT16);
});

test('FP16: Constant tensors (folded into initializers) and Cast-to-float targets are converted inside the FP16 region', async () => {
  const source = new GraphBuilder('g')
    .input('ids', 'int64', ['N', 2])
    .node('Cast', ['ids'], ['xf'], { to: DataType.FLOAT }, 'cast')
    .node('Constant', [], ['k'], { value: { kind: 'tensor', value: { dims: [], data: Float32Array.from([0.5]) } } }, 'const')
    .node('Mul', ['xf', 'k'], ['y'], {}, 'mul')
    .output('y', 'float32', ['N', 2])
    .build();
  const { bytes, model } = await convert(source, (m) => convertToFloat16(m));
  const cast = model.graph!.node!.find((n) => n.name === 'cast')!;
  assert.equal(Number(cast.attribute![0]!.i), DataType.FLOAT16);
  // The Constant node is folded into an initializer first (fold-constants.ts), then converted like any weight.
  assert.equal(model.graph!.node!.some((n) => n.name === 'const'), false);
  assert.equal(initializer(model, 'k').dataType, DataType.FLOAT16);
  const session = await import('onnxruntime-node');
  const out = await runFirstOutput(bytes, { ids: new session.Tensor('int64', BigInt64Array.from([2n, 3n, 4n, 5n]), [2, 2]) });
  assert.deepEqual(out, [1, 1.5, 2, 2.5]);
});

test('FP16: an If node\'s branches are converted: they read the outer FP16 tensor as it is, their weights become FP16, their outputs are cast back to the FP32 the If declares', async () => {
  const valueInfo = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType, shape: { dim: [{ dimValue: 2 }] } } } });
  const branch = (op: string) => ({
    name: `${op}_branch`,
    node: [{ opType: op, input: ['h', 'one'], output: [`${op}_out`], name: `${op}_node` }],
    initializer: [{ name: 'one', dims: [1], dataType: 1, rawData: new Uint8Array(Float32Array.from([1]).buffer) }],
    output: [valueInfo(`${op}_out`, 1)],
  });
  const model: Model = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'if',
      input: [valueInfo('x', 1), { name: 'cond', type: { tensorType: { elemType: 9, shape: { dim: [] } } } }],
      initializer: [{ name: 'w', dims: [2], dataType: 1, rawData: new Uint8Array(Float32Array.from([2, 3]).buffer) }],
      node: [
        { opType: 'Mul', input: ['x', 'w'], output: ['h'], name: 'mul' },
        { opType: 'If', input: ['cond'], output: ['y'], name: 'if', attribute: [
          { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('Add') },
          { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: branch('Sub') },
        ] },
      ],
      output: [valueInfo('y', 1)],
    },
  };
  const source = encodeModel(model);
  const { bytes, report, model: converted } = await convert(source, (m) => convertToFloat16(m));
  assert.deepEqual(report.keptFp32, {});
  assert.equal(report.subgraphs, 2);
  assert.equal(report.convertedNodes, 3, 'mul, and Add / Sub inside the branches');
  assert.equal(report.convertedInSubgraphs, 2);
  assert.equal(report.castsInserted, 3, 'x → fp16, and each branch output → fp32');
  const mul = converted.graph!.node!.find((n) => n.name === 'mul')!;
  assert.deepEqual(mul.output, ['h'], 'no Cast around h: the branches read it as FP16');
  const ifNode = converted.graph!.node!.find((n) => n.name === 'if')!;
  for (const attribute of ifNode.attribute!) {
    const g = attribute.g!;
    assert.equal(g.initializer![0]!.dataType, DataType.FLOAT16);
    assert.equal(g.output![0]!.type!.tensorType!.elemType, DataType.FLOAT, 'the branch output keeps the declared FP32');
    assert.equal(g.node!.at(-1)!.opType, 'Cast');
  }
  const ort = await import('onnxruntime-node');
  const feeds = { x: f32([1, 2], [2]), cond: new ort.Tensor('bool', Uint8Array.from([1]), []) };
  assert.deepEqual(await runFirstOutput(bytes, feeds), [3, 7]);
});

test('FP16: an opset older than 7 is refused by name', async () => {
  const source = new GraphBuilder('g').input('x', 'float32', [2]).node('Relu', ['x'], ['y']).output('y', 'float32', [2]).build({ opset: 6 });
  await assert.rejects(convert(source, (m) => convertToFloat16(m)), { code: 'VARIANT_OPSET_TOO_OLD' });
});

test('FP16: a node reading a weight beyond FP16\'s ±65504 (a BatchNormalization variance of 1e8) stays FP32 instead of being clamped', async () => {
  // Clamped to 1e4, the variance would make channel 0 come out sqrt(1e8 / 1e4) = 100× too large.
  const source = new GraphBuilder('g')
    .input('x', 'float32', [1, 2, 2, 2])
    .initializer('W', [2, 2, 1, 1], Float32Array.from([1, 0.5, -0.5, 1]))
    .initializer('scale', [2], Float32Array.from([2e4, 1]))
    .initializer('bias', [2], Float32Array.from([0, 0.5]))
    .initializer('mean', [2], Float32Array.from([0, 0]))
    .initializer('var', [2], Float32Array.from([1e8, 4]))
    .node('Conv', ['x', 'W'], ['c'], {}, 'conv')
    .node('BatchNormalization', ['c', 'scale', 'bias', 'mean', 'var'], ['y'], {}, 'bn')
    .output('y', 'float32', [1, 2, 2, 2])
    .build();
  const { bytes, report, model } = await convert(source, (m) => convertToFloat16(m));
  assert.deepEqual(report.keptForRange, ['bn']);
  assert.deepEqual(report.keptFp32, { BatchNormalization: 1 });
  assert.equal(report.convertedNodes, 1);
  assert.equal(initializer(model, 'var').dataType, DataType.FLOAT);
  assert.equal(initializer(model, 'W').dataType, DataType.FLOAT16);
  const feeds = { x: f32([1, 2, 3, 4, -1, 0.5, 2, -2], [1, 2, 2, 2]) };
  const [expected, actual] = [await runFirstOutput(source, feeds), await runFirstOutput(bytes, feeds)];
  // Only the Conv rounds to FP16 (inputs and weights exact here, sums of two products): ≤ 2^-11 relative.
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= Math.abs(expected[i]!) * 2 ** -10 + 1e-6, `${v} vs ${expected[i]}`));
});
