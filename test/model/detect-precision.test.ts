import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectPrecision } from '../../src/model/detect-precision.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { decodeModel } from '../../src/onnx/proto.js';

const graphOf = (builder: GraphBuilder) => decodeModel(builder.build({ opset: 13 }), 'm.onnx').graph!;
const halves = (n: number) => new Uint16Array(n).fill(0x3c00);

test('FP32 weights: fp32', () => {
  const g = graphOf(new GraphBuilder('g').input('x', 'float32', [1, 8]).initializer('W', [8, 8], new Float32Array(64)).node('MatMul', ['x', 'W'], ['y']).output('y', 'float32', [1, 8]));
  const found = detectPrecision(g);
  assert.equal(found.precision, 'fp32');
  assert.deepEqual(found.weightBytes, { fp32: 256, fp16: 0, int8: 0 });
});

test('FP16 weights computed in FP16: fp16; the same weights cast to FP32 first: fp32 (storage only)', () => {
  const fp16 = graphOf(new GraphBuilder('g').input('x', 'float16', [1, 8]).initializer('W', [8, 8], halves(64), 'float16').node('MatMul', ['x', 'W'], ['y']).output('y', 'float16', [1, 8]));
  assert.equal(detectPrecision(fp16).precision, 'fp16');
  const storage = graphOf(new GraphBuilder('g').input('x', 'float32', [1, 8]).initializer('W', [8, 8], halves(64), 'float16')
    .node('Cast', ['W'], ['W32'], { to: 1 }).node('MatMul', ['x', 'W32'], ['y']).output('y', 'float32', [1, 8]));
  const found = detectPrecision(storage);
  assert.equal(found.precision, 'fp32');
  assert.match(found.reason, /FP16 storage, FP32 compute/);
});

test('FP16 and FP32 weights both substantial: mixed (128 B of FP16, 256 B of FP32)', () => {
  const g = graphOf(new GraphBuilder('g').input('x', 'float16', [1, 8]).initializer('W', [8, 8], halves(64), 'float16').initializer('V', [8, 8], new Float32Array(64))
    .node('MatMul', ['x', 'W'], ['h']).node('Cast', ['h'], ['h32'], { to: 1 }).node('MatMul', ['h32', 'V'], ['y']).output('y', 'float32', [1, 8]));
  assert.equal(detectPrecision(g).precision, 'mixed');
});

test('QDQ and MatMulInteger graphs: int8, with the ops and the 8-bit weight bytes', () => {
  const g = graphOf(new GraphBuilder('g').input('x', 'float32', [1, 8])
    .initializer('Wq', [8, 8], new Int8Array(64), 'int8').initializer('s', [], Float32Array.from([0.1])).initializer('z', [], new Int8Array(1), 'int8')
    .node('DequantizeLinear', ['Wq', 's', 'z'], ['W']).node('MatMul', ['x', 'W'], ['y']).output('y', 'float32', [1, 8]));
  const found = detectPrecision(g);
  assert.equal(found.precision, 'int8');
  assert.deepEqual(found.quantizedOps, { DequantizeLinear: 1 });
  assert.equal(found.weightBytes.int8, 64);
  const integer = graphOf(new GraphBuilder('g').input('x', 'uint8', [1, 8]).initializer('W', [8, 8], new Int8Array(64), 'int8').node('MatMulInteger', ['x', 'W'], ['y']).output('y', 'int32', [1, 8]));
  assert.deepEqual(detectPrecision(integer).quantizedOps, { MatMulInteger: 1 });
});
