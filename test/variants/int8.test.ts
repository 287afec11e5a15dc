import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { calibrate, foldBatchNorms, quantizeStatic } from '../../src/variants/int8-static.js';
import { quantizeDynamic } from '../../src/variants/int8-dynamic.js';
import { DataType, decodeModel, readFloats, readInts } from '../../src/onnx/proto.js';
import { convert, f32, runFirstOutput } from './helpers.js';

const weights = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));

// x[N,4] → MatMul(W1) → Relu → MatMul(W2) → y
function twoMatMuls(): Uint8Array {
  return new GraphBuilder('g')
    .input('x', 'float32', ['N', 4])
    .initializer('W1', [4, 3], weights(12, 1))
    .initializer('W2', [3, 2], weights(6, 2))
    .node('MatMul', ['x', 'W1'], ['h'], {}, 'mm1')
    .node('Relu', ['h'], ['r'], {}, 'relu')
    .node('MatMul', ['r', 'W2'], ['y'], {}, 'mm2')
    .output('y', 'float32', ['N', 2])
    .build();
}

const feeds = { x: f32([0.5, -1, 2, 0.25, 1, 1, -0.5, 0], [2, 4]) };
const close = (a: number[], b: number[], tolerance: number) => a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);

test('dynamic INT8: a 2-MatMul graph gives exactly 2 MatMulInteger, 2 DynamicQuantizeLinear and the scale Muls', async () => {
  const source = twoMatMuls();
  const { bytes, report, ops, model } = await convert(source, (m) => quantizeDynamic(m));
  assert.deepEqual(ops, { Cast: 2, DynamicQuantizeLinear: 2, MatMulInteger: 2, Mul: 4, Relu: 1 });
  assert.deepEqual(report.quantized, { MatMul: 2 });
  const w1 = model.graph!.initializer!.find((t) => t.name === 'W1_quantized')!;
  assert.equal(w1.dataType, DataType.INT8);
  // Symmetric per-tensor: the largest |w| maps to ±127.
  assert.equal(Math.max(...readInts(w1).map(Math.abs)), 127);
  assert.equal(model.graph!.initializer!.some((t) => t.name === 'W1'), false, 'the FP32 weight is gone');
  const expected = await runFirstOutput(source, feeds);
  assert.ok(close(await runFirstOutput(bytes, feeds), expected, 0.05), 'INT8 output within 0.05 of FP32');
});

test('dynamic INT8: a MatMul of two activations stays FP32 (quantize_dynamic\'s MatMulConstBOnly)', async () => {
  const source = new GraphBuilder('g').input('a', 'float32', [2, 2]).input('b', 'float32', [2, 2]).node('MatMul', ['a', 'b'], ['y']).output('y', 'float32', [2, 2]).build();
  const model = decodeModel(source, 't');
  const report = quantizeDynamic(model);
  assert.deepEqual(report.quantized, {});
  assert.equal(report.leftFp32.length, 1);
  assert.match(report.leftFp32[0]!.reason, /two activations/);
});

test('dynamic INT8: a Linear-style Gemm (transB) becomes MatMulInteger on the pre-transposed weight plus the bias Add', async () => {
  const source = new GraphBuilder('g')
    .input('x', 'float32', ['N', 4])
    .initializer('W', [3, 4], weights(12, 3))
    .initializer('B', [3], Float32Array.from([0.1, -0.2, 0.3]))
    .node('Gemm', ['x', 'W', 'B'], ['y'], { transB: 1 }, 'fc')
    .output('y', 'float32', ['N', 3])
    .build();
  const { bytes, ops, model } = await convert(source, (m) => quantizeDynamic(m));
  assert.deepEqual(ops, { Add: 1, Cast: 1, DynamicQuantizeLinear: 1, MatMulInteger: 1, Mul: 2 });
  assert.deepEqual(model.graph!.initializer!.find((t) => t.name === 'W_T_quantized')!.dims!.map(Number), [4, 3]);
  assert.ok(close(await runFirstOutput(bytes, feeds), await runFirstOutput(source, feeds), 0.05));
});

test('dynamic INT8: Conv with a bias becomes ConvInteger + rescale + Add of the bias reshaped to [C, 1, 1]', async () => {
  const source = new GraphBuilder('g')
    .input('x', 'float32', ['N', 2, 4, 4])
    .initializer('W', [3, 2, 3, 3], weights(54, 4))
    .initializer('B', [3], Float32Array.from([0.5, 0, -0.5]))
    .node('Conv', ['x', 'W', 'B'], ['y'], { pads: [1, 1, 1, 1] }, 'conv')
    .output('y', 'float32', ['N', 3, 4, 4])
    .build();
  const { bytes, ops, model } = await convert(source, (m) => quantizeDynamic(m));
  assert.deepEqual(ops, { Add: 1, Cast: 1, ConvInteger: 1, DynamicQuantizeLinear: 1, Mul: 2 });
  assert.deepEqual(model.graph!.initializer!.find((t) => t.name === 'B_reshaped')!.dims!.map(Number), [3, 1, 1]);
  const x = { x: f32(Array.from(weights(32, 9)), [1, 2, 4, 4]) };
  assert.ok(close(await runFirstOutput(bytes, x), await runFirstOutput(source, x), 0.1));
});

test('dynamic INT8 needs opset 11 (DynamicQuantizeLinear): older models get the named error', () => {
  const model = decodeModel(new GraphBuilder('g').input('x', 'float32', [2]).node('Relu', ['x'], ['y']).output('y', 'float32', [2]).build({ opset: 10 }), 't');
  assert.throws(() => quantizeDynamic(model), { code: 'VARIANT_OPSET_TOO_OLD' });
});

test('static INT8 calibration (MinMax) records each activation\'s min and max over all batches', async () => {
  const model = decodeModel(twoMatMuls(), 't');
  const batches = [{ x: f32([1, 2, 3, 4], [1, 4]) }, { x: f32([-5, 0, 0, 9], [1, 4]) }];
  const ranges = await calibrate(model, ['x'], batches, { method: 'minmax', percentile: 99.99, perChannel: true, keepFp32: [] });
  assert.deepEqual(ranges.get('x'), { min: -5, max: 9 });
});

test('static INT8 percentile calibration cuts the tails: 1..10000 at 99% → [100, 9900]', async () => {
  const model = decodeModel(twoMatMuls(), 't');
  const values = Array.from({ length: 10000 }, (_, i) => i + 1);
  const ranges = await calibrate(model, ['x'], [{ x: f32(values, [2500, 4]) }], { method: 'percentile', percentile: 99, perChannel: true, keepFp32: [] });
  const range = ranges.get('x')!;
  assert.ok(Math.abs(range.min - 101) <= 1 && Math.abs(range.max - 9900) <= 1, JSON.stringify(range));
});

test('static INT8 QDQ: Conv with bias gets Q/DQ on input and output, a per-channel int8 weight and an int32 bias', async () => {
  const source = new GraphBuilder('g')
    .input('x', 'float32', ['N', 2, 4, 4])
    .initializer('W', [3, 2, 3, 3], weights(54, 5))
    .initializer('B', [3], Float32Array.from([0.5, 0, -0.5]))
    .node('Conv', ['x', 'W', 'B'], ['y'], { pads: [1, 1, 1, 1] }, 'conv')
    .node('Relu', ['y'], ['z'], {}, 'relu')
    .output('z', 'float32', ['N', 3, 4, 4])
    .build();
  const x = { x: f32(Array.from(weights(32, 9)), [1, 2, 4, 4]) };
  const { bytes, report, ops, model } = await convert(source, (m) => quantizeStatic(m, [x]));
  assert.deepEqual(ops, { Conv: 1, DequantizeLinear: 4, QuantizeLinear: 2, Relu: 1 });
  assert.deepEqual(report.quantized, { Conv: 1 });
  assert.equal(report.calibratedTensors, 2);
  const init = (name: string) => model.graph!.initializer!.find((t) => t.name === name)!;
  assert.equal(init('W_quantized').dataType, DataType.INT8);
  assert.deepEqual(init('W_scale').dims!.map(Number), [3], 'one scale per output channel');
  assert.equal(init('B_quantized').dataType, DataType.INT32);
  // Bias scale = input scale × weight scale, per channel.
  const inputScale = readFloats(init('x_scale'))[0]!;
  const weightScales = Array.from(readFloats(init('W_scale')));
  assert.deepEqual(Array.from(readFloats(init('B_scale'))), weightScales.map((s) => Math.fround(s * inputScale)));
  assert.ok(close(await runFirstOutput(bytes, x), await runFirstOutput(source, x), 0.1));
});

test('static INT8 folds Conv → BatchNormalization into the Conv first (the cnn built-in has 6)', async () => {
  const { zoo } = await import('../../src/model/zoo/index.js');
  const model = decodeModel(zoo.cnn.build(), 'cnn');
  assert.equal(foldBatchNorms(model.graph!), 6);
  assert.equal(model.graph!.node!.some((n) => n.opType === 'BatchNormalization'), false);
});

test('dynamic INT8 per channel: one weight scale per output channel, shaped to broadcast ([C, 1, 1] for Conv, [N] for MatMul)', async () => {
  // Channel 0 weights are ~100× channel 1's: per tensor, channel 1 would use a couple of int8 levels; per channel each reaches ±127.
  const convW = Float32Array.from({ length: 2 * 1 * 3 * 3 }, (_, i) => (i < 9 ? 1 : 0.01) * Math.sin(i + 1));
  const source = new GraphBuilder('g')
    .input('x', 'float32', ['N', 1, 4, 4])
    .initializer('W', [2, 1, 3, 3], convW)
    .initializer('F', [2, 3], Float32Array.from([1, 0.01, -2, 0.5, 0.02, 1]))
    .node('Conv', ['x', 'W'], ['c'], { pads: [1, 1, 1, 1] }, 'conv')
    .node('Transpose', ['c'], ['t'], { perm: [0, 2, 3, 1] }, 'nhwc')
    .node('MatMul', ['t', 'F'], ['y'], {}, 'mm')
    .output('y', 'float32', ['N', 4, 4, 3])
    .build();
  const { bytes, model } = await convert(source, (m) => quantizeDynamic(m, { keepFp32: [], perChannel: true }));
  const init = (name: string) => model.graph!.initializer!.find((t) => t.name === name)!;
  assert.deepEqual(init('W_scale').dims!.map(Number), [2, 1, 1]);
  assert.deepEqual(init('F_scale').dims!.map(Number), [3]);
  const q = readInts(init('W_quantized'));
  assert.equal(Math.max(...q.slice(0, 9).map(Math.abs)), 127);
  assert.equal(Math.max(...q.slice(9).map(Math.abs)), 127, 'the small channel uses the full int8 range too');
  const x = { x: f32(Array.from(weights(16, 9)), [1, 1, 4, 4]) };
  assert.ok(close(await runFirstOutput(bytes, x), await runFirstOutput(source, x), 0.05));
});
