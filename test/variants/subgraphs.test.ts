// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// FP16, dynamic INT8 and static INT8 on graphs as published exporters write them: weights inside If branches and Loop
// bodies (as initializers and as Constant nodes), outer-scope reads, Paddle-style Constant weights, two outputs, a
// weight that is a graph input; and the named skips when a variant would change nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { attr, GraphBuilder } from '../../src/onnx/builder.js';
import { scenarioDefaults } from '../../src/scenario/schema.js';
import type { ConversionSpec } from '../../src/scenario/types.js';
import type { CalibrationSet } from '../../src/variants/calibration-data.js';
import { convertToFloat16 } from '../../src/variants/fp16.js';
import { quantizeDynamic } from '../../src/variants/int8-dynamic.js';
import { quantizeStatic } from '../../src/variants/int8-static.js';
import { makeVariant } from '../../src/variants/make.js';
import { AttributeType, DataType, decodeModel, encodeModel, floatTensor, inlineExternalData, intTensor, readFloats, type Graph, type Model, type Node, type ValueInfo } from '../../src/onnx/proto.js';
import { convert, f32 } from './helpers.js';

const weights = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));
const info = (name: string, elemType: number, dims: Array<number | string> | null): ValueInfo => ({
  name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) } },
});
const node = (opType: string, input: string[], output: string[], name: string, attribute: Node['attribute'] = []): Node => ({ opType, input, output, name, attribute });
const constantNode = (output: string, dims: number[], values: number[]): Node =>
  node('Constant', [], [output], `${output}_const`, [{ name: 'value', type: AttributeType.TENSOR, t: floatTensor('', dims, values) }]);
const graphAttribute = (name: string, g: Graph) => ({ name, type: AttributeType.GRAPH, g });
const modelOf = (graph: Graph, opset = 17): Uint8Array => encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: opset }], graph } as Model);
const boolTensor = (name: string, value: boolean) => ({ name, dims: [], dataType: DataType.BOOL, rawData: Uint8Array.from([value ? 1 : 0]) });
const boolFeed = (value: boolean) => new ort.Tensor('bool', Uint8Array.from([value ? 1 : 0]), []);

/** Every output of a model, by name. */
async function runAll(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, number[]>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], logSeverityLevel: 3 });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(session.outputNames.map((name) => [name, Array.from(out[name]!.data as Float32Array)]));
  } finally {
    await session.release();
  }
}

const cosine = (a: number[], b: number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((v, i) => {
    dot += v * b[i]!;
    na += v * v;
    nb += b[i]! * b[i]!;
  });
  return dot / Math.sqrt(na * nb);
};

/** Every output of `variant` against FP32's on each feed: cosine ≥ minCosine and |error| ≤ maxAbs. */
async function assertClose(source: Uint8Array, variant: Uint8Array, feedsList: Array<Record<string, ort.Tensor>>, minCosine: number, maxAbs: number) {
  for (const feeds of feedsList) {
    const [expected, actual] = [await runAll(source, feeds), await runAll(variant, feeds)];
    assert.deepEqual(Object.keys(actual), Object.keys(expected));
    for (const [name, values] of Object.entries(expected)) {
      const got = actual[name]!;
      assert.ok(cosine(values, got) >= minCosine, `${name}: cosine ${cosine(values, got)} < ${minCosine}`);
      const worst = Math.max(...values.map((v, i) => Math.abs(v - got[i]!)));
      assert.ok(worst <= maxAbs, `${name}: max |error| ${worst} > ${maxAbs}`);
    }
  }
}

// Bounds. FP16 (11-bit significand): each rounding is within 2^-11 relative; a K=4 dot product of values ≤ 4 in
// magnitude with weights ≤ 1, chained through two MatMuls, stays well inside 0.02. INT8 (8-bit): a symmetric weight
// scale of max|w|/127 and an activation scale of range/255 give a per-product error ≤ |a|·s_w/2 + |w|·s_a/2; with
// |a| ≤ 4, |w| ≤ 1, K = 4 and two chained MatMuls that is ≤ 2·4·(4/254 + 8/510) ≈ 0.25.
const fp16Bound = { cosine: 0.999, maxAbs: 0.02 };
const int8Bound = { cosine: 0.99, maxAbs: 0.25 };

// x[2,4] → MatMul(Wm) → Relu → h; If(cond): then MatMul(h, Wt initializer), else MatMul(h, We Constant) + Constant bias.
function ifModel(): Uint8Array {
  const thenBranch: Graph = {
    name: 'then',
    initializer: [floatTensor('Wt', [4, 3], weights(12, 2))],
    node: [node('MatMul', ['h', 'Wt'], ['t_out'], 'mm_then')],
    output: [info('t_out', DataType.FLOAT, [2, 3])],
  };
  const elseBranch: Graph = {
    name: 'else',
    node: [
      constantNode('We', [4, 3], weights(12, 3)),
      node('MatMul', ['h', 'We'], ['e_mm'], 'mm_else'),
      node('Constant', [], ['be'], 'be_const', [{ name: 'value_floats', type: AttributeType.FLOATS, floats: [0.5, -0.5, 0.25] }]),
      node('Add', ['e_mm', 'be'], ['e_out'], 'add_else'),
    ],
    output: [info('e_out', DataType.FLOAT, [2, 3])],
  };
  return modelOf({
    name: 'if',
    input: [info('x', DataType.FLOAT, [2, 4]), info('cond', DataType.BOOL, [])],
    initializer: [floatTensor('Wm', [4, 4], weights(16, 1))],
    node: [
      node('MatMul', ['x', 'Wm'], ['h0'], 'mm_main'),
      node('Relu', ['h0'], ['h'], 'relu'),
      node('If', ['cond'], ['y'], 'if', [graphAttribute('then_branch', thenBranch), graphAttribute('else_branch', elseBranch)]),
    ],
    output: [info('y', DataType.FLOAT, [2, 3])],
  });
}
const ifX = f32([0.5, -1, 2, 0.25, 1, 1, -0.5, 0], [2, 4]);
const ifFeeds = [{ x: ifX, cond: boolFeed(true) }, { x: ifX, cond: boolFeed(false) }];

test('If with weights in both branches (initializer / Constant node) reading the outer tensor h: FP16 converts all three MatMuls', async () => {
  const source = ifModel();
  const { bytes, report, model } = await convert(source, (m) => convertToFloat16(m));
  assert.deepEqual(report.folded, { constantsToInitializers: 2, nodesFolded: 0, subgraphs: 2 });
  assert.equal(report.convertedNodes, 5, 'mm_main, relu, mm_then, mm_else, add_else');
  assert.equal(report.convertedInSubgraphs, 3);
  assert.equal(report.subgraphs, 2);
  assert.equal(report.weightBytesConverted, (16 + 12 + 12 + 3) * 4);
  assert.equal(report.castsInserted, 3, 'x → fp16, and each branch output back to the FP32 the If declares');
  assert.deepEqual(report.keptFp32, {});
  const branches = model.graph!.node!.find((n) => n.opType === 'If')!.attribute!.map((a) => a.g!);
  for (const branch of branches) {
    assert.ok(branch.initializer!.every((t) => t.dataType === DataType.FLOAT16), `${branch.name}: weights are FP16`);
    assert.equal(branch.output![0]!.type!.tensorType!.elemType, DataType.FLOAT);
    assert.ok(!branch.node!.some((n) => n.opType === 'Cast' && n.input![0] === 'h'), `${branch.name} reads h as FP16, no Cast`);
  }
  await assertClose(source, bytes, ifFeeds, fp16Bound.cosine, fp16Bound.maxAbs);
});

test('If: dynamic INT8 quantizes the main MatMul and both branch MatMuls (weights quantized where they are read)', async () => {
  const source = ifModel();
  const { bytes, report, model } = await convert(source, (m) => quantizeDynamic(m));
  assert.deepEqual(report.quantized, { MatMul: 3 });
  assert.equal(report.quantizedInSubgraphs, 2);
  assert.equal(report.subgraphs, 2);
  assert.equal(report.weightBytesQuantized, (16 + 12 + 12) * 4);
  const branches = model.graph!.node!.find((n) => n.opType === 'If')!.attribute!.map((a) => a.g!);
  for (const branch of branches) assert.equal(branch.node!.filter((n) => n.opType === 'MatMulInteger').length, 1);
  await assertClose(source, bytes, ifFeeds, int8Bound.cosine, int8Bound.maxAbs);
});

test('If: static INT8 calibrates the main graph only (x from the feeds, h0 fetched) and quantizes the branches dynamic-style', async () => {
  const source = ifModel();
  const { bytes, report, ops } = await convert(source, (m) => quantizeStatic(m, ifFeeds));
  assert.deepEqual(report.quantized, { MatMul: 3 });
  assert.equal(report.quantizedInSubgraphs, 2);
  assert.equal(report.calibratedTensors, 2);
  assert.equal(report.weightBytesQuantized, (16 + 12 + 12) * 4);
  assert.equal(ops.QuantizeLinear, 2);
  await assertClose(source, bytes, ifFeeds, int8Bound.cosine, int8Bound.maxAbs);
});

// Loop(3 trips) of v ← tanh(v·Wl + v·Wo): Wl lives in the body, Wo in the main graph (an outer-scope read).
function loopModel(): Uint8Array {
  const body: Graph = {
    name: 'body',
    input: [info('iter', DataType.INT64, []), info('cond_in', DataType.BOOL, []), info('v_in', DataType.FLOAT, [1, 4])],
    initializer: [floatTensor('Wl', [4, 4], weights(16, 4).map((w) => w / 2))],
    node: [
      node('MatMul', ['v_in', 'Wl'], ['m'], 'mm_loop'),
      node('MatMul', ['v_in', 'Wo'], ['m2'], 'mm_outer'),
      node('Add', ['m', 'm2'], ['s'], 'add'),
      node('Tanh', ['s'], ['v_out'], 'tanh'),
      node('Identity', ['cond_in'], ['cond_out'], 'id'),
    ],
    output: [info('cond_out', DataType.BOOL, []), info('v_out', DataType.FLOAT, [1, 4])],
  };
  return modelOf({
    name: 'loop',
    input: [info('v0', DataType.FLOAT, [1, 4])],
    initializer: [intTensor('M', [], [3], DataType.INT64), boolTensor('cond0', true), floatTensor('Wo', [4, 4], weights(16, 5).map((w) => w / 2))],
    node: [node('Loop', ['M', 'cond0', 'v0'], ['v_final'], 'loop', [graphAttribute('body', body)])],
    output: [info('v_final', DataType.FLOAT, [1, 4])],
  });
}
const loopFeeds = [{ v0: f32([0.5, -1, 2, 0.25], [1, 4]) }, { v0: f32([-2, 0.1, 1, 3], [1, 4]) }];

test('Loop body with MatMuls (a body weight and an outer-scope weight): FP16 converts both, the outer weight in place', async () => {
  const source = loopModel();
  const { bytes, report, model } = await convert(source, (m) => convertToFloat16(m));
  assert.equal(report.convertedNodes, 4, 'mm_loop, mm_outer, add, tanh (the Identity of a bool is not counted)');
  assert.equal(report.convertedInSubgraphs, 4);
  assert.equal(report.subgraphs, 1);
  assert.equal(report.weightBytesConverted, 2 * 16 * 4);
  assert.equal(report.castsInserted, 2, 'v_in → fp16 and v_out → fp32 inside the body; the Loop keeps its FP32 state');
  assert.equal(model.graph!.initializer!.find((t) => t.name === 'Wo')!.dataType, DataType.FLOAT16, 'read only by FP16 nodes of the body');
  await assertClose(source, bytes, loopFeeds, fp16Bound.cosine, fp16Bound.maxAbs);
});

test('Loop: dynamic and static INT8 quantize both body MatMuls; the outer FP32 weight is dropped', async () => {
  const source = loopModel();
  for (const quantize of [(m: Model) => quantizeDynamic(m), (m: Model) => quantizeStatic(m, loopFeeds)]) {
    const { bytes, report, model } = await convert(source, quantize);
    assert.deepEqual(report.quantized, { MatMul: 2 });
    assert.equal(report.quantizedInSubgraphs, 2);
    assert.equal(report.weightBytesQuantized, 2 * 16 * 4);
    assert.equal(model.graph!.initializer!.some((t) => t.name === 'Wo'), false);
    const body = model.graph!.node![0]!.attribute![0]!.g!;
    assert.equal(body.node!.filter((n) => n.opType === 'DynamicQuantizeLinear').length, 1, 'v_in quantized once for both');
    await assertClose(source, bytes, loopFeeds, int8Bound.cosine, int8Bound.maxAbs);
  }
});

// Paddle style: every weight a Constant node; the FC weight stored [out, in] and transposed at run time.
function paddleModel(): Uint8Array {
  return new GraphBuilder('paddle')
    .input('x', 'float32', [1, 2, 4, 4])
    .node('Constant', [], ['conv_w'], { value: attr.tensor([3, 2, 3, 3], Float32Array.from(weights(54, 6).map((w) => w / 3))) }, 'conv_w_const')
    .node('Constant', [], ['conv_b'], { value: attr.tensor([3], Float32Array.from([0.1, -0.2, 0.3])) }, 'conv_b_const')
    .node('Conv', ['x', 'conv_w', 'conv_b'], ['c'], { pads: [1, 1, 1, 1] }, 'conv')
    .node('Relu', ['c'], ['r'], {}, 'relu')
    .node('Flatten', ['r'], ['f'], { axis: 1 }, 'flatten')
    .node('Constant', [], ['fc_w_raw'], { value: attr.tensor([5, 48], Float32Array.from(weights(240, 7).map((w) => w / 8))) }, 'fc_w_const')
    .node('Transpose', ['fc_w_raw'], ['fc_w'], { perm: [1, 0] }, 'fc_w_t')
    .node('MatMul', ['f', 'fc_w'], ['m'], {}, 'fc')
    .node('Constant', [], ['fc_b'], { value: attr.tensor([5], Float32Array.from([0, 0.1, 0.2, 0.3, 0.4])) }, 'fc_b_const')
    .node('Add', ['m', 'fc_b'], ['y'], {}, 'fc_add')
    .output('y', 'float32', [1, 5])
    .build({ opset: 13 });
}
const paddleFeeds = [{ x: f32(weights(32, 9), [1, 2, 4, 4]) }, { x: f32(weights(32, 10).map((v) => v * 2), [1, 2, 4, 4]) }];

test('Paddle-style Constant weights (Conv, and MatMul through a Transpose) are found by FP16, dynamic and static INT8', async () => {
  const source = paddleModel();
  const fp16 = await convert(source, (m) => convertToFloat16(m));
  assert.deepEqual(fp16.report.folded, { constantsToInitializers: 4, nodesFolded: 1, subgraphs: 0 });
  assert.equal(fp16.report.convertedNodes, 5);
  assert.equal(fp16.report.weightBytesConverted, (54 + 3 + 240 + 5) * 4);
  await assertClose(source, fp16.bytes, paddleFeeds, fp16Bound.cosine, fp16Bound.maxAbs);

  const dynamic = await convert(source, (m) => quantizeDynamic(m));
  assert.deepEqual(dynamic.report.quantized, { Conv: 1, MatMul: 1 });
  assert.equal(dynamic.report.weightBytesQuantized, (54 + 240) * 4);
  await assertClose(source, dynamic.bytes, paddleFeeds, int8Bound.cosine, int8Bound.maxAbs);

  const statics = await convert(source, (m) => quantizeStatic(m, paddleFeeds));
  assert.deepEqual(statics.report.quantized, { Conv: 1, MatMul: 1 });
  assert.equal(statics.report.calibratedTensors, 4, 'x, c, f, m');
  assert.equal(statics.report.weightBytesQuantized, (54 + 240) * 4);
  await assertClose(source, statics.bytes, paddleFeeds, int8Bound.cosine, int8Bound.maxAbs);
});

// Two outputs: y1 = x·W1, y2 = relu(x·W2).
function twoOutputs(): Uint8Array {
  return new GraphBuilder('two')
    .input('x', 'float32', ['N', 4])
    .initializer('W1', [4, 3], Float32Array.from(weights(12, 11)))
    .initializer('W2', [4, 2], Float32Array.from(weights(8, 12)))
    .node('MatMul', ['x', 'W1'], ['y1'], {}, 'mm1')
    .node('MatMul', ['x', 'W2'], ['r2'], {}, 'mm2')
    .node('Relu', ['r2'], ['y2'], {}, 'relu')
    .output('y1', 'float32', ['N', 3])
    .output('y2', 'float32', ['N', 2])
    .build();
}
const twoFeeds = [{ x: ifX }, { x: f32([2, 1, -1, 0.5, -0.25, 3, 1, -2], [2, 4]) }];

test('two outputs: every variant keeps both, static INT8 calibrates x (fed), y1 (an output) and r2', async () => {
  const source = twoOutputs();
  const fp16 = await convert(source, (m) => convertToFloat16(m));
  assert.equal(fp16.report.convertedNodes, 3);
  assert.equal(fp16.report.castsInserted, 3, 'x in, y1 and y2 out');
  await assertClose(source, fp16.bytes, twoFeeds, fp16Bound.cosine, fp16Bound.maxAbs);
  const dynamic = await convert(source, (m) => quantizeDynamic(m));
  assert.deepEqual(dynamic.report.quantized, { MatMul: 2 });
  await assertClose(source, dynamic.bytes, twoFeeds, int8Bound.cosine, int8Bound.maxAbs);
  const statics = await convert(source, (m) => quantizeStatic(m, twoFeeds));
  assert.deepEqual(statics.report.quantized, { MatMul: 2 });
  assert.equal(statics.report.calibratedTensors, 3);
  await assertClose(source, statics.bytes, twoFeeds, int8Bound.cosine, int8Bound.maxAbs);
});

// y = a · w where w is a graph input: no constant weight.
function inputWeight(): Uint8Array {
  return new GraphBuilder('iw').input('a', 'float32', ['N', 3]).input('w', 'float32', [3, 2]).node('MatMul', ['a', 'w'], ['y'], {}, 'mm').output('y', 'float32', ['N', 2]).build();
}
const inputWeightFeeds = [{ a: f32([1, -2, 0.5, 0.25, 3, -1], [2, 3]), w: f32([0.5, -1, 2, 0.25, 1, 1], [3, 2]) }];

test('a MatMul whose weight is a graph input: FP16 computes it in FP16 with no weight bytes, dynamic INT8 has nothing, static INT8 calibrates both inputs from the feeds', async () => {
  const source = inputWeight();
  const fp16 = await convert(source, (m) => convertToFloat16(m));
  assert.equal(fp16.report.convertedNodes, 1);
  assert.equal(fp16.report.weightBytesConverted, 0);
  await assertClose(source, fp16.bytes, inputWeightFeeds, fp16Bound.cosine, fp16Bound.maxAbs);
  const dynamic = await convert(source, (m) => quantizeDynamic(m));
  assert.deepEqual(dynamic.report.quantized, {});
  assert.match(dynamic.report.leftFp32[0]!.reason, /no constant weight/);
  const statics = await convert(source, (m) => quantizeStatic(m, inputWeightFeeds));
  assert.deepEqual(statics.report.quantized, { MatMul: 1 });
  assert.equal(statics.report.calibratedTensors, 3, 'a and w from the feeds, y fetched');
  assert.equal(statics.report.weightBytesQuantized, 0);
  await assertClose(source, statics.bytes, inputWeightFeeds, int8Bound.cosine, int8Bound.maxAbs);
});

// makeVariant: what a variant changed goes into the sidecar; a variant that would change nothing is a named skip.
let dir: string;
const conversion: ConversionSpec = { ...scenarioDefaults.conversion, keepFp32: [] };
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jb-subgraphs-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function make(name: string, bytes: Uint8Array, precision: 'fp16' | 'int8', int8Mode: ConversionSpec['int8Mode'], batches: Array<Record<string, ort.Tensor>> = []) {
  const sourcePath = path.join(dir, `${name}.onnx`);
  await writeFile(sourcePath, bytes);
  const calibration: CalibrationSet = { batches, samples: batches.length, source: 'test', sha256: `test-${name}` };
  return makeVariant({ sourcePath, precision, conversion: { ...conversion, int8Mode }, calibration, opCounts: {}, toolVersion: 'test', cacheDir: path.join(dir, 'cache') });
}

test('makeVariant records what each variant converted (nodes, in subgraphs, weight bytes, subgraphs walked, constants folded)', async () => {
  const fp16 = await make('if', ifModel(), 'fp16', 'auto');
  assert.deepEqual(fp16.sidecar.converted, { nodes: 5, nodesInSubgraphs: 3, weightBytes: 172, subgraphs: 2, constantsFolded: 2 });
  const int8 = await make('if', ifModel(), 'int8', 'static', ifFeeds);
  assert.deepEqual(int8.sidecar.converted, { nodes: 3, nodesInSubgraphs: 2, weightBytes: 160, subgraphs: 2, constantsFolded: 2 });
});

test('nothing to do is a named skip: FP16 of a graph of blocked ops, INT8 without a constant weight, INT8 of If branches with no MatMul', async () => {
  const maxOnly = new GraphBuilder('g').input('x', 'float32', ['N', 2]).initializer('c', [2], Float32Array.from([0.5, -0.5])).node('Max', ['x', 'c'], ['y'], {}, 'max').output('y', 'float32', ['N', 2]).build();
  await assert.rejects(make('max', maxOnly, 'fp16', 'auto'), (error: Error & { code?: string }) => error.code === 'VARIANT_NOTHING_TO_CONVERT' && /1× Max kept FP32/.test(error.message));
  await assert.rejects(make('iw', inputWeight(), 'int8', 'dynamic'), (error: Error & { code?: string }) => error.code === 'VARIANT_NOTHING_TO_QUANTIZE' && /MatMul "mm": no constant weight/.test(error.message));
  const reluBranch = (name: string): Graph => ({ name, node: [node('Relu', ['x'], [`${name}_out`], `${name}_relu`)], output: [info(`${name}_out`, DataType.FLOAT, [2, 4])] });
  const reluIf = modelOf({
    name: 'relu_if',
    input: [info('x', DataType.FLOAT, [2, 4]), info('cond', DataType.BOOL, [])],
    node: [node('If', ['cond'], ['y'], 'if', [graphAttribute('then_branch', reluBranch('a')), graphAttribute('else_branch', reluBranch('b'))])],
    output: [info('y', DataType.FLOAT, [2, 4])],
  });
  // Static INT8 with nothing in the main graph never runs a calibration session (no empty fetch list).
  await assert.rejects(make('relu_if', reluIf, 'int8', 'static', ifFeeds), (error: Error & { code?: string }) => error.code === 'VARIANT_NOTHING_TO_QUANTIZE' && /main graph and 2 subgraph\(s\)/.test(error.message));
  // Its FP16 is a real variant: both branches' Relu compute in FP16.
  assert.equal((await make('relu_if', reluIf, 'fp16', 'auto')).sidecar.converted.nodesInSubgraphs, 2);
});

test('a static INT8 calibration failure on the inputs says so and names the inputs', async () => {
  // The feed has the wrong width: the model fails without any exposed activation, and the message says so.
  const model = decodeModel(twoOutputs(), 't');
  await assert.rejects(quantizeStatic(model, [{ x: f32([1, 2, 3], [1, 3]) }]), (error: Error & { code?: string }) => error.code === 'CALIBRATION_FAILED' && /fails on these inputs without any exposed activation.*"x"/.test(error.message));
});

test('FP16: a Loop body input without a declared type stays FP32 where it is read (ONNX\'s expanded Range test model)', async () => {
  // body: current = prev + delta (delta an outer graph input); prev is untyped, as in test_range_float_type_*_expanded.
  const body: Graph = {
    name: 'body',
    input: [info('i', DataType.INT64, []), info('cond', DataType.BOOL, []), { name: 'prev' }],
    node: [node('Identity', ['cond'], ['cond_out'], 'id'), node('Add', ['prev', 'delta'], ['current'], 'add'), node('Identity', ['prev'], ['range'], 'scan_out')],
    output: [{ name: 'cond_out' }, { name: 'current' }, { name: 'range' }],
  };
  const source = modelOf({
    name: 'range',
    input: [info('start', DataType.FLOAT, []), info('delta', DataType.FLOAT, [])],
    initializer: [intTensor('n', [], [3], DataType.INT64), boolTensor('go', true)],
    node: [node('Loop', ['n', 'go', 'start'], ['last', 'output'], 'loop', [graphAttribute('body', body)])],
    output: [info('last', DataType.FLOAT, []), info('output', DataType.FLOAT, [3])],
  }, 16);
  const { bytes, report } = await convert(source, (m) => convertToFloat16(m));
  assert.deepEqual(report.keptFp32, { Add: 1, Identity: 1 }, 'the Add and the Identity of prev: their input type is unknown');
  assert.equal(report.convertedNodes, 0);
  const outputs = await runAll(bytes, { start: f32([1], []), delta: f32([0.5], []) });
  assert.deepEqual(outputs, { last: [2.5], output: [1, 1.5, 2] });
});

// Scan over xs[3,4] with state s: s ← s + (flag ? x·Wa : x·Wb). The If is nested in the Scan body; Wa lives in the
// then branch, Wb in the main graph (read two scopes down), x is a Scan body input read by both branches.
function scanModel(): Uint8Array {
  const branch = (name: string, weight: string, initializer: Graph['initializer']): Graph => ({
    name, initializer, node: [node('MatMul', ['x_in', weight], [`${name}_out`], `mm_${name}`)], output: [info(`${name}_out`, DataType.FLOAT, [4])],
  });
  const body: Graph = {
    name: 'body',
    input: [info('s_in', DataType.FLOAT, [4]), info('x_in', DataType.FLOAT, [4])],
    node: [
      node('If', ['flag'], ['m'], 'if', [graphAttribute('then_branch', branch('then', 'Wa', [floatTensor('Wa', [4, 4], weights(16, 14).map((w) => w / 2))])), graphAttribute('else_branch', branch('else', 'Wb', []))]),
      node('Add', ['s_in', 'm'], ['s_out'], 'add'),
      node('Identity', ['s_out'], ['y_out'], 'copy'),
    ],
    output: [info('s_out', DataType.FLOAT, [4]), info('y_out', DataType.FLOAT, [4])],
  };
  return modelOf({
    name: 'scan',
    input: [info('s0', DataType.FLOAT, [4]), info('xs', DataType.FLOAT, [3, 4]), info('flag', DataType.BOOL, [])],
    initializer: [floatTensor('Wb', [4, 4], weights(16, 15).map((w) => w / 2))],
    node: [node('Scan', ['s0', 'xs'], ['s_final', 'ys'], 'scan', [graphAttribute('body', body), { name: 'num_scan_inputs', type: AttributeType.INT, i: 1 }])],
    output: [info('s_final', DataType.FLOAT, [4]), info('ys', DataType.FLOAT, [3, 4])],
  });
}
const scanXs = f32(weights(12, 16).map((v) => v * 2), [3, 4]);
const scanFeeds = [true, false].map((flag) => ({ s0: f32([0.5, -0.5, 1, 0], [4]), xs: scanXs, flag: boolFeed(flag) }));

test('Scan with an If nested in its body (weights in a branch and two scopes up): FP16, dynamic and static INT8 walk all three graphs', async () => {
  const source = scanModel();
  const fp16 = await convert(source, (m) => convertToFloat16(m));
  assert.equal(fp16.report.subgraphs, 3);
  assert.equal(fp16.report.convertedNodes, 4, 'the two branch MatMuls, add, copy');
  assert.equal(fp16.model.graph!.initializer![0]!.dataType, DataType.FLOAT16, 'Wb: read only by an FP16 MatMul two scopes down');
  await assertClose(source, fp16.bytes, scanFeeds, fp16Bound.cosine, fp16Bound.maxAbs);
  for (const quantize of [(m: Model) => quantizeDynamic(m, { keepFp32: [], perChannel: true }), (m: Model) => quantizeStatic(m, scanFeeds)]) {
    const { bytes, report, model } = await convert(source, quantize);
    assert.deepEqual(report.quantized, { MatMul: 2 });
    assert.equal(report.quantizedInSubgraphs, 2);
    assert.equal(report.subgraphs, 3);
    assert.equal(model.graph!.initializer!.length, 0, 'Wb is quantized where it is read and dropped from the main graph');
    await assertClose(source, bytes, scanFeeds, int8Bound.cosine, int8Bound.maxAbs);
  }
});

test('external data of an initializer inside an If branch is read in with the rest', async () => {
  await writeFile(path.join(dir, 'branch-weights.bin'), new Uint8Array(Float32Array.from([0, 1.5, -2, 4]).buffer));
  const external = { name: 'Wt', dims: [2, 2], dataType: DataType.FLOAT, dataLocation: 1, externalData: [{ key: 'location', value: 'branch-weights.bin' }, { key: 'offset', value: '4' }, { key: 'length', value: '12' }] };
  const model = decodeModel(ifModel(), 't');
  const thenBranch = model.graph!.node!.find((n) => n.opType === 'If')!.attribute![0]!.g!;
  thenBranch.initializer = [{ ...external, dims: [3] }];
  inlineExternalData(model, path.join(dir, 'external.onnx'));
  assert.deepEqual(Array.from(readFloats(thenBranch.initializer[0]!)), [1.5, -2, 4]);
  assert.equal(thenBranch.initializer[0]!.dataLocation, 0);
});
