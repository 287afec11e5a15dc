// Element types of a graph's tensors: declared types win, then each op's rule, else the type of input 0; sequences
// and optionals are never a tensor type; subgraph outputs give If / Loop / Scan their types.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferElemTypes } from '../../src/onnx/elem-types.js';
import { DataType, type Attribute, type Graph, type Node, type ValueInfo } from '../../src/onnx/proto.js';

const { FLOAT, UINT8, INT8, INT32, INT64, BOOL, FLOAT16, DOUBLE } = DataType;

const tensor = (name: string, elemType: number): ValueInfo => ({ name, type: { tensorType: { elemType } } });
const int = (name: string, i: number): Attribute => ({ name, i });
const node = (opType: string, input: string[], output: string[], attribute: Attribute[] = [], domain?: string): Node => ({ opType, input, output, attribute, ...(domain === undefined ? {} : { domain }) });

// The types inferred for a graph whose inputs are x: FLOAT16, i: INT64, s: FLOAT, q: UINT8 and the given nodes.
function typesOf(nodes: Node[], extra: Partial<Graph> = {}): Map<string, number> {
  return inferElemTypes({ input: [tensor('x', FLOAT16), tensor('i', INT64), tensor('s', FLOAT), tensor('q', UINT8)], node: nodes, ...extra });
}
const typeOf = (nodes: Node[], name = 'y') => typesOf(nodes).get(name);

describe('declared types', () => {
  it('inputs, initializers, value_info and outputs are taken as declared', () => {
    const types = inferElemTypes({
      input: [tensor('x', FLOAT)],
      initializer: [{ name: 'w', dataType: FLOAT16 }, { name: 'untyped' }],
      valueInfo: [tensor('mid', DOUBLE)],
      output: [tensor('y', INT8)],
    });
    assert.deepEqual(Object.fromEntries(types), { x: FLOAT, w: FLOAT16, mid: DOUBLE, y: INT8 });
  });

  it('a declared type wins over what the op would give', () => {
    // Relu of FLOAT16 would be FLOAT16; value_info says FLOAT (as an exporter may record it).
    const types = typesOf([node('Relu', ['x'], ['r']), node('Relu', ['r'], ['y'])], { valueInfo: [tensor('r', FLOAT)] });
    assert.equal(types.get('r'), FLOAT);
    assert.equal(types.get('y'), FLOAT, 'and what follows reads the declared type');
  });

  it('a declared sequence, optional or map is 0 (never a float), and so is what reads it by default', () => {
    const types = inferElemTypes({
      input: [{ name: 'seq', type: { sequenceType: { elemType: { tensorType: { elemType: FLOAT } } } } }, { name: 'opt', type: { optionalType: {} } }, { name: 'map', type: { mapType: {} } }],
      node: [node('SequenceAt', ['seq', 'k'], ['item'])],
    });
    assert.deepEqual([types.get('seq'), types.get('opt'), types.get('map')], [0, 0, 0]);
    assert.equal(types.has('item'), false);
  });

  it('a value_info without a type declares nothing', () => {
    const types = typesOf([node('Relu', ['x'], ['y'])], { valueInfo: [{ name: 'y' }] });
    assert.equal(types.get('y'), FLOAT16);
  });

  it('outer-scope types are in the result; the graph\'s own declarations override them', () => {
    const types = inferElemTypes({ input: [tensor('a', FLOAT)], node: [node('Relu', ['outer'], ['y'])] }, new Map([['outer', FLOAT16], ['a', DOUBLE]]));
    assert.deepEqual(Object.fromEntries(types), { outer: FLOAT16, a: FLOAT, y: FLOAT16 });
  });
});

describe('per-op rules', () => {
  it('by default every output is like input 0, through a chain of nodes', () => {
    const types = typesOf([node('Cast', ['s'], ['h'], [int('to', FLOAT16)]), node('Relu', ['h'], ['r']), node('Split', ['r'], ['a', 'b'])]);
    assert.deepEqual([types.get('h'), types.get('r'), types.get('a'), types.get('b')], [FLOAT16, FLOAT16, FLOAT16, FLOAT16]);
  });

  it('an unknown input type leaves the output unknown', () => {
    assert.equal(typeOf([node('Relu', ['nowhere'], ['y'])]), undefined);
    assert.equal(typeOf([node('Relu', [''], ['y'])]), undefined); // an omitted optional input
  });

  it('comparisons and logic give BOOL; Shape, Size, NonZero, ArgMax, ArgMin give INT64', () => {
    for (const op of ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not', 'IsNaN', 'IsInf']) assert.equal(typeOf([node(op, ['x', 'x'], ['y'])]), BOOL, op);
    for (const op of ['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin']) assert.equal(typeOf([node(op, ['x'], ['y'])]), INT64, op);
  });

  it('Constant: its tensor\'s type, FLOAT for value_float(s), INT64 for value_int(s), else unknown', () => {
    assert.equal(typeOf([node('Constant', [], ['y'], [{ name: 'value', t: { dataType: FLOAT16 } }])]), FLOAT16);
    assert.equal(typeOf([node('Constant', [], ['y'], [{ name: 'value_float', f: 1 }])]), FLOAT);
    assert.equal(typeOf([node('Constant', [], ['y'], [{ name: 'value_floats', floats: [1] }])]), FLOAT);
    assert.equal(typeOf([node('Constant', [], ['y'], [int('value_int', 3)])]), INT64);
    assert.equal(typeOf([node('Constant', [], ['y'], [{ name: 'value_ints', ints: [3] }])]), INT64);
    assert.equal(typeOf([node('Constant', [], ['y'], [{ name: 'value_string', s: new Uint8Array([104]) }])]), undefined);
    assert.equal(typeOf([node('Constant', [], ['y'])]), undefined);
  });

  it('Cast takes "to" (an int64 that protobuf may decode as a Long); CastLike the type of input 1', () => {
    assert.equal(typeOf([node('Cast', ['x'], ['y'], [int('to', DOUBLE)])]), DOUBLE);
    const long = { toNumber: () => INT32 } as unknown as number;
    assert.equal(typeOf([node('Cast', ['x'], ['y'], [{ name: 'to', i: long }])]), INT32);
    assert.equal(typeOf([node('CastLike', ['x', 'i'], ['y'])]), INT64);
  });

  it('ConstantOfShape: its value tensor\'s type, FLOAT without one', () => {
    assert.equal(typeOf([node('ConstantOfShape', ['i'], ['y'], [{ name: 'value', t: { dataType: INT64 } }])]), INT64);
    assert.equal(typeOf([node('ConstantOfShape', ['i'], ['y'])]), FLOAT);
  });

  it('ops with index or mask outputs: TopK, MaxPool, Dropout, Unique', () => {
    const types = typesOf([
      node('TopK', ['x', 'i'], ['values', 'indices']),
      node('MaxPool', ['x'], ['pooled', 'argmax']),
      node('Dropout', ['x'], ['dropped', 'mask']),
      node('Unique', ['x'], ['u', 'u_idx', 'u_inv', 'u_count']),
    ]);
    assert.deepEqual(
      ['values', 'indices', 'pooled', 'argmax', 'dropped', 'mask', 'u', 'u_idx', 'u_inv', 'u_count'].map((name) => types.get(name)),
      [FLOAT16, INT64, FLOAT16, INT64, FLOAT16, BOOL, FLOAT16, INT64, INT64, INT64],
    );
  });

  it('quantisation: DynamicQuantizeLinear, QuantizeLinear (output_dtype, else the zero point, else UINT8), DequantizeLinear (the scale)', () => {
    const dynamic = typesOf([node('DynamicQuantizeLinear', ['s'], ['yq', 'scale', 'zp'])]);
    assert.deepEqual([dynamic.get('yq'), dynamic.get('scale'), dynamic.get('zp')], [UINT8, FLOAT, UINT8]);
    assert.equal(typeOf([node('QuantizeLinear', ['s', 's', 'q'], ['y'], [int('output_dtype', INT8)])]), INT8);
    assert.equal(typeOf([node('QuantizeLinear', ['s', 's', 'q'], ['y'])]), UINT8); // the zero point q is UINT8
    assert.equal(typeOf([node('QuantizeLinear', ['s', 's', 'zp8'], ['y'])], 'y'), UINT8); // zero point of unknown type
    const int8ZeroPoint = inferElemTypes({ input: [tensor('s', FLOAT)], initializer: [{ name: 'zp', dataType: INT8 }], node: [node('QuantizeLinear', ['s', 's', 'zp'], ['y'])] });
    assert.equal(int8ZeroPoint.get('y'), INT8);
    assert.equal(typeOf([node('DequantizeLinear', ['q', 'x', 'q'], ['y'])]), FLOAT16); // a FLOAT16 scale
    assert.equal(typeOf([node('DequantizeLinear', ['q', 'unknown'], ['y'])]), FLOAT);
  });

  it('integer and QLinear ops: MatMulInteger / ConvInteger give INT32; QLinearConv / QLinearMatMul the output zero point (input 7)', () => {
    assert.equal(typeOf([node('MatMulInteger', ['q', 'q'], ['y'])]), INT32);
    assert.equal(typeOf([node('ConvInteger', ['q', 'q'], ['y'])]), INT32);
    const qlinear = (op: string) => inferElemTypes({ initializer: [{ name: 'yzp', dataType: INT8 }], node: [node(op, ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yzp'], ['y'])] }).get('y');
    assert.equal(qlinear('QLinearMatMul'), INT8);
    assert.equal(qlinear('QLinearConv'), INT8);
  });

  it('Where takes input 1, OneHot input 2 (its values)', () => {
    assert.equal(typeOf([node('Where', ['cond', 'i', 'i'], ['y'])]), INT64);
    assert.equal(typeOf([node('OneHot', ['i', 'i', 'x'], ['y'])]), FLOAT16);
  });

  it('random ops: dtype, else FLOAT (RandomNormal/Uniform), input 0 (…Like, EyeLike) or INT32 (Multinomial)', () => {
    for (const op of ['RandomNormal', 'RandomUniform']) {
      assert.equal(typeOf([node(op, [], ['y'], [int('dtype', FLOAT16)])]), FLOAT16, op);
      assert.equal(typeOf([node(op, [], ['y'])]), FLOAT, op);
    }
    for (const op of ['RandomNormalLike', 'RandomUniformLike', 'EyeLike']) {
      assert.equal(typeOf([node(op, ['x'], ['y'], [int('dtype', DOUBLE)])]), DOUBLE, op);
      assert.equal(typeOf([node(op, ['x'], ['y'])]), FLOAT16, op);
    }
    assert.equal(typeOf([node('Multinomial', ['s'], ['y'])]), INT32);
    assert.equal(typeOf([node('Multinomial', ['s'], ['y'], [int('dtype', INT64)])]), INT64);
  });

  it('LayerNormalization: the input\'s type, then mean and inverse sd in stash_type (FLOAT by default)', () => {
    const plain = typesOf([node('LayerNormalization', ['x', 'x', 'x'], ['y', 'mean', 'invsd'])]);
    assert.deepEqual([plain.get('y'), plain.get('mean'), plain.get('invsd')], [FLOAT16, FLOAT, FLOAT]);
    const stashed = typesOf([node('LayerNormalization', ['x', 'x', 'x'], ['y', 'mean', 'invsd'], [int('stash_type', DOUBLE)])]);
    assert.deepEqual([stashed.get('mean'), stashed.get('invsd')], [DOUBLE, DOUBLE]);
  });

  it('ops of another domain give every output the type of input 0; ai.onnx is the default domain', () => {
    const types = typesOf([node('FusedMatMul', ['x', 'x'], ['a', 'b'], [], 'com.microsoft'), node('Shape', ['x'], ['shape'], [], 'ai.onnx')]);
    assert.deepEqual([types.get('a'), types.get('b'), types.get('shape')], [FLOAT16, FLOAT16, INT64]);
    // A custom-domain op named like a default one follows the custom rule.
    assert.equal(typeOf([node('Shape', ['x'], ['y'], [], 'my.domain')]), FLOAT16);
  });

  it('sequence and optional producers give no tensor type', () => {
    for (const op of ['SequenceConstruct', 'SequenceEmpty', 'SequenceInsert', 'SequenceErase', 'SplitToSequence', 'Optional']) {
      assert.equal(typesOf([node(op, ['x'], ['y'])]).has('y'), false, op);
    }
  });
});

describe('control flow: the body\'s declared outputs', () => {
  const body = (...types: number[]): Graph => ({ output: types.map((type, index) => tensor(`out${index}`, type)) });

  it('If: the then branch\'s outputs', () => {
    const types = typesOf([node('If', ['cond'], ['a', 'b'], [{ name: 'then_branch', g: body(FLOAT16, INT64) }, { name: 'else_branch', g: body(FLOAT, FLOAT) }])]);
    assert.deepEqual([types.get('a'), types.get('b')], [FLOAT16, INT64]);
  });

  it('Loop: the body\'s outputs after its condition; Scan: all of them', () => {
    const loop = typesOf([node('Loop', ['M', 'cond', 'x'], ['state', 'scanned'], [{ name: 'body', g: body(BOOL, FLOAT16, DOUBLE) }])]);
    assert.deepEqual([loop.get('state'), loop.get('scanned')], [FLOAT16, DOUBLE]);
    const scan = typesOf([node('Scan', ['x'], ['state', 'scanned'], [{ name: 'body', g: body(FLOAT, INT32) }])]);
    assert.deepEqual([scan.get('state'), scan.get('scanned')], [FLOAT, INT32]);
  });

  it('a body output without a type, or a missing body, leaves it unknown', () => {
    const types = typesOf([node('If', ['cond'], ['a', 'b'], [{ name: 'then_branch', g: { output: [{ name: 'o' }, tensor('p', INT8)] } }])]);
    assert.deepEqual([types.has('a'), types.get('b')], [false, INT8]);
    assert.equal(typesOf([node('Loop', ['M', 'cond'], ['y'])]).has('y'), false);
  });
});
