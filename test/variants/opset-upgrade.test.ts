// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { attr, GraphBuilder } from '../../src/onnx/builder.js';
import { upgradeOpset } from '../../src/variants/opset-upgrade.js';
import { AttributeType, decodeModel, defaultOpset, encodeModel, opHistogram, type Graph } from '../../src/onnx/proto.js';
import { f32 } from './helpers.js';

// Every output of a model (bytes) run on the CPU, as plain numbers.
async function runAll(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<number[][]> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], logSeverityLevel: 3 });
  try {
    const out = await session.run(feeds);
    return session.outputNames.map((name) => Array.from(out[name]!.data as ArrayLike<number | bigint>, Number));
  } finally {
    await session.release();
  }
}

// Upgrade a model to `target`; the new bytes, what was rewritten, and the op counts after.
function lift(bytes: Uint8Array, target: number) {
  const model = decodeModel(bytes, 'old.onnx');
  const upgrade = upgradeOpset(model, target);
  return { bytes: encodeModel(model), upgrade: upgrade!, ops: opHistogram(model.graph!), model };
}

/** Run the old model and the lifted one; both must give `expected` (hand-computed). */
async function sameOutputs(bytes: Uint8Array, target: number, feeds: Record<string, ort.Tensor>, expected: number[][], runOld = true) {
  const lifted = lift(bytes, target);
  assert.equal(defaultOpset(lifted.model), target);
  if (runOld) assert.deepEqual(await runAll(bytes, feeds), expected, 'the old model, as onnxruntime runs it');
  assert.deepEqual(await runAll(lifted.bytes, feeds), expected, 'the lifted model');
  return lifted;
}

test('Upsample-9 (scales input) becomes Resize with the asymmetric/floor mapping at 11: same 4×4 nearest output', async () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 1, 2, 2])
    .initializer('s', [4], Float32Array.from([1, 1, 2, 2]))
    .node('Upsample', ['x', 's'], ['y'], { mode: 'nearest' }, 'up')
    .output('y', 'float32', [1, 1, 4, 4])
    .build({ opset: 9, irVersion: 4 });
  const { ops, upgrade } = await sameOutputs(bytes, 11, { x: f32([1, 2, 3, 4], [1, 1, 2, 2]) }, [[1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]]);
  assert.deepEqual(ops, { Resize: 1 });
  assert.deepEqual(upgrade.rewritten, { 'Resize: Upsample → Resize (10)': 1 });
  assert.equal(upgrade.from, 9);
  assert.equal(upgrade.irVersionTo, 6);
});

test('Upsample-7 (scales attribute, linear) becomes Resize at 13: same bilinear output along the width', async () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 1, 1, 2])
    .node('Upsample', ['x'], ['y'], { mode: 'linear', scales: attr.floats([1, 1, 1, 2]) }, 'up')
    .output('y', 'float32', [1, 1, 1, 4])
    .build({ opset: 7, irVersion: 3 });
  // asymmetric: x_in = x_out / 2 → 0, 0.5, 1, 1.5 (clamped to 1) → 0, 2, 4, 4.
  const { ops } = await sameOutputs(bytes, 13, { x: f32([0, 4], [1, 1, 1, 2]) }, [[0, 2, 4, 4]]);
  assert.deepEqual(ops, { Resize: 1 });
});

test('Slice-1 (starts/ends/axes attributes) gets them as inputs at 10', async () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [2, 3])
    .node('Slice', ['x'], ['y'], { starts: [0, 1], ends: [1, 3], axes: [0, 1] }, 'slice')
    .output('y', 'float32', [1, 2])
    .build({ opset: 9, irVersion: 4 });
  const { model } = await sameOutputs(bytes, 11, { x: f32([1, 2, 3, 4, 5, 6], [2, 3]) }, [[2, 3]]);
  assert.equal(model.graph!.node![0]!.input!.length, 4);
  assert.equal(model.graph!.node![0]!.attribute!.length, 0);
});

test('Pad-2 (pads/value attributes) and Clip-6 (min/max attributes) get inputs at 11', async () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 2])
    .node('Pad', ['x'], ['p'], { pads: [0, 1, 0, 1], value: attr.float(9) }, 'pad')
    .node('Clip', ['p'], ['y'], { min: attr.float(0), max: attr.float(5) }, 'clip')
    .output('y', 'float32', [1, 4])
    .build({ opset: 9, irVersion: 4 });
  // pad → [9, -1, 2, 9]; clip to [0, 5] → [5, 0, 2, 5].
  const { upgrade } = await sameOutputs(bytes, 11, { x: f32([-1, 2], [1, 2]) }, [[5, 0, 2, 5]]);
  assert.deepEqual(upgrade.rewritten, { 'Clip: min/max attributes → inputs (11)': 1, 'Pad: pads/value attributes → inputs (11)': 1 });
});

test('TopK-1 (k attribute) and Scatter-9 (renamed ScatterElements at 11)', async () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 4])
    .initializer('zeros', [1, 3], Float32Array.from([0, 0, 0]))
    .initializer('at', [1, 1], BigInt64Array.from([1n]))
    .node('TopK', ['x'], ['values', 'indices'], { k: 2, axis: 1 }, 'topk')
    .node('Slice', ['values'], ['first'], { starts: [0], ends: [1], axes: [1] }, 'first')
    .node('Scatter', ['zeros', 'at', 'first'], ['y'], { axis: 1 }, 'scatter')
    .output('values', 'float32', [1, 2])
    .output('y', 'float32', [1, 3])
    .build({ opset: 9, irVersion: 4 });
  // top-2 of [3, 1, 4, 2] = [4, 3]; the 4 scattered at column 1.
  const { ops } = await sameOutputs(bytes, 11, { x: f32([3, 1, 4, 2], [1, 4]) }, [[4, 3], [0, 4, 0]]);
  assert.deepEqual(ops, { ScatterElements: 1, Slice: 1, TopK: 1 });
});

test('Split, Squeeze, Unsqueeze and ReduceSum (attributes → inputs at 13)', async () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 3])
    .node('Split', ['x'], ['a', 'b'], { axis: 1, split: [1, 2] }, 'split')
    .node('ReduceSum', ['b'], ['s'], { axes: [1], keepdims: 0 }, 'sum')
    .node('Unsqueeze', ['s'], ['u'], { axes: [0] }, 'unsqueeze')
    .node('Squeeze', ['a'], ['y'], { axes: [1] }, 'squeeze')
    .output('y', 'float32', [1])
    .output('u', 'float32', [1, 1])
    .build({ opset: 11, irVersion: 6 });
  // a = [1], b = [2, 3] → s = [5] → u = [[5]]; y = squeeze(a) = [1].
  const { upgrade } = await sameOutputs(bytes, 13, { x: f32([1, 2, 3], [1, 3]) }, [[1], [5]]);
  assert.equal(Object.values(upgrade.rewritten).reduce((a, b) => a + b, 0), 4);
});

test('Softmax before 13 normalised over every axis from `axis` on: the lift keeps that with Flatten/Softmax/Reshape', async () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 2, 2])
    .node('Softmax', ['x'], ['y'], { axis: 1 }, 'softmax')
    .output('y', 'float32', [1, 2, 2])
    .build({ opset: 11, irVersion: 6 });
  // exp: 1, 1, 1, 3 over all four → 1/6, 1/6, 1/6, 1/2 (an axis-only softmax would give 1/2, 1/4, 1/2, 3/4).
  const x = f32([0, 0, 0, Math.log(3)], [1, 2, 2]);
  const lifted = lift(bytes, 13);
  const [old] = await runAll(bytes, { x });
  const [lifts] = await runAll(lifted.bytes, { x });
  for (const [i, want] of [1 / 6, 1 / 6, 1 / 6, 1 / 2].entries()) {
    assert.ok(Math.abs(old![i]! - want) < 1e-6 && Math.abs(lifts![i]! - want) < 1e-6, `element ${i}`);
  }
  assert.deepEqual(lifted.ops, { Flatten: 1, Reshape: 1, Shape: 1, Softmax: 1 });
});

test('Softmax over the last axis only gets axis = -1 (no extra nodes)', () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [2, 3])
    .node('Softmax', ['x'], ['y'], {}, 'softmax')
    .output('y', 'float32', [2, 3])
    .build({ opset: 11, irVersion: 6 });
  const { ops, model } = lift(bytes, 13);
  assert.deepEqual(ops, { Softmax: 1 });
  assert.equal(Number(model.graph!.node![0]!.attribute![0]!.i), -1);
});

test('BatchNormalization-7 drops spatial=1 at 9, Dropout-7 turns its ratio into an input at 12', async () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 1, 2])
    .initializer('scale', [1], Float32Array.from([4]))
    .initializer('bias', [1], Float32Array.from([1]))
    .initializer('mean', [1], Float32Array.from([1]))
    .initializer('var', [1], Float32Array.from([3]))
    .node('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], ['bn'], { epsilon: attr.float(1), spatial: 1 }, 'bn')
    .node('Dropout', ['bn'], ['y'], { ratio: attr.float(0.25) }, 'drop')
    .output('y', 'float32', [1, 1, 2])
    .build({ opset: 7, irVersion: 3 });
  // 4 · (x − 1) / √(3 + 1) + 1 = 2x − 1 → [1, 3]; Dropout is the identity at inference.
  const { model } = await sameOutputs(bytes, 13, { x: f32([1, 2], [1, 1, 2]) }, [[1, 3]]);
  const [bn, drop] = model.graph!.node!;
  assert.deepEqual(bn!.attribute!.map((a) => a.name), ['epsilon']);
  assert.equal(drop!.input!.length, 2);
});

test('opset-6 limited broadcasting (Add with broadcast=1, axis=1) becomes numpy broadcasting; Gemm loses broadcast', async () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 2, 2])
    .initializer('b', [2], Float32Array.from([10, 20]))
    .initializer('w', [2, 2], Float32Array.from([1, 0, 0, 1]))
    .initializer('c', [2], Float32Array.from([0.5, 0.5]))
    .node('Add', ['x', 'b'], ['h'], { broadcast: 1, axis: 1 }, 'add')
    .node('Flatten', ['h'], ['f'], { axis: 2 }, 'flat')
    .node('Gemm', ['f', 'w', 'c'], ['y'], { broadcast: 1 }, 'gemm')
    .output('y', 'float32', [2, 2])
    .build({ opset: 6, irVersion: 3 });
  // b runs along axis 1 (channels): [[1+10, 2+10], [3+20, 4+20]], then + 0.5.
  const { model } = await sameOutputs(bytes, 7, { x: f32([1, 2, 3, 4], [1, 2, 2]) }, [[11.5, 12.5, 23.5, 24.5]], false);
  assert.deepEqual(model.graph!.initializer!.find((t) => t.name === 'b')!.dims!.map(Number), [2, 1]);
});

test('Concat-1 without axis and Reshape-1 with a shape attribute are carried over', async () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 2])
    .node('Concat', ['x', 'x'], ['c'], {}, 'cat')
    .node('Reshape', ['c'], ['y'], { shape: [4] }, 'reshape')
    .output('y', 'float32', [4])
    .build({ opset: 3, irVersion: 3 });
  // Concat-1's default axis is 1: [[1, 2, 1, 2]].
  await sameOutputs(bytes, 7, { x: f32([1, 2], [1, 2]) }, [[1, 2, 1, 2]], false);
});

test('ImageScaler (experimental, gone at 10) becomes Mul + Add', async () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 2, 1, 1])
    .node('ImageScaler', ['x'], ['y'], { scale: attr.float(2), bias: attr.floats([1, -1]) }, 'scaler')
    .output('y', 'float32', [1, 2, 1, 1])
    .build({ opset: 8, irVersion: 3 });
  const { ops } = await sameOutputs(bytes, 11, { x: f32([3, 4], [1, 2, 1, 1]) }, [[7, 7]], false);
  assert.deepEqual(ops, { Add: 1, Mul: 1 });
});

test('nodes inside If branches are lifted too', async () => {
  const branch = (name: string, starts: number): Graph => ({
    name,
    node: [{ opType: 'Slice', name: `${name}_slice`, input: ['x'], output: [`${name}_y`], attribute: [
      { name: 'starts', type: AttributeType.INTS, ints: [starts] },
      { name: 'ends', type: AttributeType.INTS, ints: [starts + 1] },
      { name: 'axes', type: AttributeType.INTS, ints: [0] },
    ] }],
    output: [{ name: `${name}_y`, type: { tensorType: { elemType: 1 } } }],
  });
  const model = decodeModel(new GraphBuilder('g')
    .input('x', 'float32', [3])
    .input('cond', 'bool', [])
    .node('Identity', ['x'], ['unused'], {}, 'id')
    .output('unused', 'float32', [3])
    .build({ opset: 9, irVersion: 4 }), 'if.onnx');
  model.graph!.node!.push({ opType: 'If', name: 'if', input: ['cond'], output: ['y'], attribute: [
    { name: 'then_branch', type: AttributeType.GRAPH, g: branch('then', 0) },
    { name: 'else_branch', type: AttributeType.GRAPH, g: branch('else', 2) },
  ] });
  model.graph!.output = [{ name: 'y', type: { tensorType: { elemType: 1 } } }];
  const bytes = encodeModel(model);
  const feeds = { x: f32([5, 6, 7], [3]), cond: new ort.Tensor('bool', [false], []) };
  const { upgrade } = await sameOutputs(bytes, 11, feeds, [[7]]);
  assert.deepEqual(upgrade.rewritten, { 'Slice: starts/ends/axes attributes → inputs (10)': 2 });
});

test('an operator that cannot be carried over is refused, naming the node and op', () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 1, 2])
    .initializer('p', [1, 2], Float32Array.from([1, 1]))
    .node('BatchNormalization', ['x', 'p', 'p', 'p', 'p'], ['y'], { spatial: 0 }, 'bn_per_activation')
    .output('y', 'float32', [1, 1, 2])
    .build({ opset: 8, irVersion: 3 });
  assert.throws(() => lift(bytes, 11), (error: Error & { code?: string }) =>
    error.code === 'VARIANT_OPSET_UPGRADE' && /BatchNormalization node "bn_per_activation"/.test(error.message) && /spatial=0/.test(error.message) && /opset 8 to 11/.test(error.message));
});

test('a model already at the target is left alone', () => {
  const bytes = new GraphBuilder('g').input('x', 'float32', [1]).node('Relu', ['x'], ['y']).output('y', 'float32', [1]).build({ opset: 13 });
  assert.equal(upgradeOpset(decodeModel(bytes, 'm.onnx'), 11), null);
});

test('makeVariant lifts an opset-9 model for dynamic INT8 and records it in the sidecar', async () => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const { makeVariant } = await import('../../src/variants/make.js');
  const { scenarioDefaults } = await import('../../src/scenario/schema.js');
  const folder = await mkdtemp(path.join(os.tmpdir(), 'jb-opset-'));
  try {
    const source = path.join(folder, 'old.onnx');
    const weights = Float32Array.from({ length: 16 }, (_, i) => (i % 5) - 2);
    await writeFile(source, new GraphBuilder('g')
      .input('x', 'float32', ['N', 4])
      .initializer('W', [4, 4], weights)
      .node('MatMul', ['x', 'W'], ['h'], {}, 'mm')
      .node('Clip', ['h'], ['y'], { min: attr.float(-3), max: attr.float(3) }, 'clip')
      .output('y', 'float32', ['N', 4])
      .build({ opset: 9, irVersion: 4 }));
    const made = await makeVariant({ sourcePath: source, precision: 'int8', conversion: { ...scenarioDefaults.conversion, keepFp32: [], int8Mode: 'dynamic' }, calibration: null, opCounts: { MatMul: 1, Clip: 1 }, toolVersion: 'test', cacheDir: folder });
    assert.deepEqual(made.sidecar.opsetUpgrade, { from: 9, to: 11, rewritten: { 'Clip: min/max attributes → inputs (11)': 1 }, irVersionFrom: 4, irVersionTo: 6 });
    assert.ok(made.sidecar.warnings.some((w) => /opset 9 was lifted to 11/.test(w)));
    assert.ok((made.sidecar.nodes.opsAfter.DynamicQuantizeLinear ?? 0) >= 1);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('PRelu-6 with a per-channel slope [C] keeps it on the channel axis at 7 (numpy broadcasting would use the last)', async () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 2, 2])
    .initializer('slope', [2], Float32Array.from([0.5, 0.25]))
    .node('PRelu', ['x', 'slope'], ['y'], {}, 'prelu')
    .output('y', 'float32', [1, 2, 2])
    .build({ opset: 6, irVersion: 3 });
  // channel 0 (×0.5 when negative): [-2, 2] → [-1, 2]; channel 1 (×0.25): [-4, 4] → [-1, 4].
  const { model } = await sameOutputs(bytes, 7, { x: f32([-2, 2, -4, 4], [1, 2, 2]) }, [[-1, 2, -1, 4]], false);
  assert.deepEqual(model.graph!.initializer!.find((t) => t.name === 'slope')!.dims!.map(Number), [2, 1]);
});

test('Clip-6 on FLOAT16 data gets FLOAT16 min/max inputs (1.0 = 0x3c00, -2.0 = 0xc000)', () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float16', [2])
    .node('Clip', ['x'], ['y'], { min: attr.float(-2), max: attr.float(1) }, 'clip')
    .output('y', 'float16', [2])
    .build({ opset: 9, irVersion: 4 });
  const { model } = lift(bytes, 11);
  const [, min, max] = model.graph!.node![0]!.input!;
  const bits = (name: string) => {
    const t = model.graph!.initializer!.find((i) => i.name === name)!;
    assert.equal(t.dataType, 10);
    return new DataView(t.rawData!.buffer, t.rawData!.byteOffset, 2).getUint16(0, true);
  };
  assert.equal(bits(min!), 0xc000);
  assert.equal(bits(max!), 0x3c00);
});
