import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attr, GraphBuilder } from '../../src/onnx/builder.js';
import { constantNodeTensor, foldConstants } from '../../src/variants/fold-constants.js';
import { DataType, decodeModel, dimsOf, encodeModel, readFloats, type Model, type Tensor } from '../../src/onnx/proto.js';
import { f32, runFirstOutput } from './helpers.js';

const initializer = (model: Model, name: string): Tensor | undefined => model.graph!.initializer!.find((t) => t.name === name);
const ops = (model: Model) => model.graph!.node!.map((n) => n.opType);

test('a Constant → Transpose chain feeding MatMul B becomes one transposed initializer; the output is unchanged', async () => {
  // W stored as [3, 2] (out × in, as Paddle writes it) and transposed to [2, 3] at run time.
  const source = new GraphBuilder('g')
    .input('x', 'float32', ['N', 2])
    .node('Constant', [], ['w_raw'], { value: attr.tensor([3, 2], Float32Array.from([1, 2, 3, 4, 5, 6])) }, 'w_const')
    .node('Transpose', ['w_raw'], ['w'], { perm: [1, 0] }, 'w_t')
    .node('MatMul', ['x', 'w'], ['y'], {}, 'mm')
    .output('y', 'float32', ['N', 3])
    .build();
  const model = decodeModel(source, 't');
  assert.deepEqual(foldConstants(model.graph!), { constantsToInitializers: 1, nodesFolded: 1, subgraphs: 0 });
  assert.deepEqual(ops(model), ['MatMul']);
  const w = initializer(model, 'w')!;
  assert.deepEqual(dimsOf(w), [2, 3]);
  // [[1,2],[3,4],[5,6]]ᵀ = [[1,3,5],[2,4,6]]
  assert.deepEqual(Array.from(readFloats(w)), [1, 3, 5, 2, 4, 6]);
  assert.equal(initializer(model, 'w_raw'), undefined, 'the chain\'s source is dropped once nothing reads it');
  const feeds = { x: f32([1, 1, 2, -1], [2, 2]) };
  assert.deepEqual(await runFirstOutput(encodeModel(model), feeds), await runFirstOutput(source, feeds));
});

test('Reshape (constant shape with 0 and -1), Unsqueeze (axes input), Squeeze (axes attribute), Flatten, Cast and Identity fold exactly', () => {
  const source = new GraphBuilder('g')
    .input('x', 'float32', [2, 3])
    .initializer('v', [6], Float32Array.from([1, 2, 3, 4, 5, 6]))
    .initializer('shape', [2], BigInt64Array.from([2n, -1n]), 'int64')
    .initializer('axes', [1], BigInt64Array.from([0n]), 'int64')
    .initializer('ids', [2], BigInt64Array.from([7n, -3n]), 'int64')
    .node('Reshape', ['v', 'shape'], ['r'], {}, 'reshape')
    .node('Unsqueeze', ['r', 'axes'], ['u'], {}, 'unsqueeze')
    .node('Squeeze', ['u'], ['s'], { axes: [0] }, 'squeeze')
    .node('Flatten', ['u'], ['f'], { axis: 2 }, 'flatten')
    .node('Cast', ['ids'], ['idsf'], { to: DataType.FLOAT }, 'cast')
    .node('Identity', ['s'], ['i'], {}, 'identity')
    .node('Add', ['x', 'i'], ['y'], {}, 'add')
    .node('Mul', ['f', 'idsf'], ['z'], {}, 'mul')
    .output('y', 'float32', [2, 3])
    .output('z', 'float32', [2, 3])
    .build({ opset: 13 });
  const model = decodeModel(source, 't');
  // Squeeze's axes attribute is opset < 13 style; the folder reads either form.
  assert.deepEqual(foldConstants(model.graph!), { constantsToInitializers: 0, nodesFolded: 6, subgraphs: 0 });
  assert.deepEqual(ops(model), ['Add', 'Mul']);
  assert.deepEqual(dimsOf(initializer(model, 'i')!), [2, 3]);
  assert.deepEqual(dimsOf(initializer(model, 'f')!), [2, 3], 'Flatten at axis 2 of [1, 2, 3]');
  assert.deepEqual(Array.from(readFloats(initializer(model, 'idsf')!)), [7, -3]);
  assert.equal(initializer(model, 'idsf')!.dataType, DataType.FLOAT);
  assert.deepEqual(model.graph!.initializer!.map((t) => t.name).sort(), ['f', 'i', 'idsf'], 'what the folds consumed is dropped');
});

test('DequantizeLinear is not folded; a Constant that is a graph output stays a node; a value_floats Constant becomes FLOAT [n]', () => {
  const source = new GraphBuilder('g')
    .input('x', 'float32', [2])
    .initializer('q', [2], Int8Array.from([10, -20]), 'int8')
    .initializer('scale', [], Float32Array.from([0.5]))
    .node('DequantizeLinear', ['q', 'scale'], ['w'], {}, 'dq')
    .node('Constant', [], ['k'], { value_floats: attr.floats([0.25, 4]) }, 'k_const')
    .node('Constant', [], ['c'], { value_float: attr.float(3) }, 'c_const')
    .node('Mul', ['x', 'w'], ['m'], {}, 'mul')
    .node('Add', ['m', 'k'], ['y'], {}, 'add')
    .output('y', 'float32', [2])
    .output('c', 'float32', [])
    .build();
  const model = decodeModel(source, 't');
  assert.deepEqual(foldConstants(model.graph!), { constantsToInitializers: 1, nodesFolded: 0, subgraphs: 0 });
  assert.deepEqual(ops(model), ['DequantizeLinear', 'Constant', 'Mul', 'Add']);
  const k = initializer(model, 'k')!;
  assert.deepEqual([k.dataType, dimsOf(k), Array.from(readFloats(k))], [DataType.FLOAT, [2], [0.25, 4]]);
  const c = constantNodeTensor(model.graph!.node![1]!)!;
  assert.deepEqual([c.dataType, dimsOf(c), Array.from(readFloats(c))], [DataType.FLOAT, [], [3]]);
});
