// The ModelProto plumbing of src/onnx/proto.ts: decode/encode round trips, tensor data in and out (raw_data and the
// typed fields), external data brought inline (and refused outside the model's folder), fresh names, graph walks.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import {
  attributeOf, AttributeType, constantInitializers, DataType, decodeModel, defaultOpset, dimsOf, dropUnreadInitializers, elementBytes, elementCount,
  encodeModel, floatTensor, inlineExternalData, intAttribute, intTensor, makeNode, NameScope, namesRead, opHistogram, outerScopeReads, readFloats, readInts, subgraphsOf,
  toNumber, type Graph, type Model, type Tensor,
} from '../../src/onnx/proto.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'jb-proto-'));
after(() => rmSync(root, { recursive: true, force: true }));

// x [2] → Relu → y, with one FLOAT initializer w [2] = [1.5, -2].
const reluBytes = () =>
  new GraphBuilder('g').input('x', 'float32', [2]).initializer('w', [2], Float32Array.of(1.5, -2)).node('Relu', ['x'], ['y'], {}, 'relu').output('y', 'float32', [2]).build({ opset: 13 });

const modelError = (code: string, message: string | RegExp) => (error: unknown) => {
  assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
  assert.equal(error.code, code);
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message, message);
  return true;
};

describe('decodeModel / encodeModel', () => {
  test('decode then encode gives the same bytes back; encoding twice gives the same bytes', () => {
    const bytes = reluBytes();
    const model = decodeModel(bytes, 'm.onnx');
    const again = encodeModel(model);
    assert.deepEqual(Buffer.from(again), Buffer.from(bytes));
    assert.deepEqual(Buffer.from(encodeModel(model)), Buffer.from(again));
    assert.equal(model.graph?.node?.[0]?.opType, 'Relu');
    assert.deepEqual(readFloats(model.graph!.initializer![0]!), Float32Array.of(1.5, -2));
  });

  test('a change made to the decoded model survives the round trip', () => {
    const model = decodeModel(reluBytes(), 'm.onnx');
    model.graph!.node!.push(makeNode('Neg', ['y'], ['z'], 'neg'));
    model.graph!.output![0]!.name = 'z';
    const back = decodeModel(encodeModel(model), 'm.onnx');
    assert.deepEqual(back.graph!.node!.map((node) => node.opType), ['Relu', 'Neg']);
    assert.equal(back.graph!.output![0]!.name, 'z');
  });

  test('bytes that are not protobuf, and a model without a graph, are MODEL_NOT_ONNX naming the file', () => {
    assert.throws(() => decodeModel(Uint8Array.of(0xff, 0xff, 0xff), 'bad.onnx'), modelError('MODEL_NOT_ONNX', /^bad\.onnx: not an ONNX model \(/));
    // An empty message decodes to a ModelProto with no graph.
    assert.throws(() => decodeModel(new Uint8Array(0), 'empty.onnx'), modelError('MODEL_NOT_ONNX', 'empty.onnx: not an ONNX model (no graph)'));
  });

  test('defaultOpset reads the ai.onnx entry ("" or "ai.onnx"), 0 when there is none', () => {
    assert.equal(defaultOpset(decodeModel(reluBytes(), 'm.onnx')), 13);
    assert.equal(defaultOpset({ opsetImport: [{ domain: 'com.microsoft', version: 1 }, { domain: 'ai.onnx', version: 11 }] }), 11);
    assert.equal(defaultOpset({ opsetImport: [{ domain: 'com.microsoft', version: 1 }] }), 0);
    assert.equal(defaultOpset({}), 0);
  });
});

describe('tensor data', () => {
  test('toNumber takes numbers, Long-like objects and numeric strings', () => {
    assert.equal(toNumber(7), 7);
    assert.equal(toNumber({ toNumber: () => 42 }), 42);
    assert.equal(toNumber('3'), 3);
  });

  test('elementCount and dimsOf: a scalar has one element', () => {
    // 2 × 3 × 4 = 24
    assert.equal(elementCount({ dims: [2, 3, 4] }), 24);
    assert.deepEqual(dimsOf({ dims: [2, { toNumber: () => 5 } as unknown as number] }), [2, 5]);
    assert.equal(elementCount({ dims: [] }), 1);
    assert.equal(elementCount({ dims: [3, 0] }), 0);
  });

  test('floatTensor writes little-endian raw_data that readFloats reads back', () => {
    const tensor = floatTensor('w', [2, 2], [1, -0.5, 3.25, 0]);
    assert.equal(tensor.dataType, DataType.FLOAT);
    assert.equal(tensor.rawData!.length, 16); // 4 values × 4 bytes
    // 1.0f = 0x3f800000, little-endian 00 00 80 3f
    assert.deepEqual([...tensor.rawData!.subarray(0, 4)], [0x00, 0x00, 0x80, 0x3f]);
    assert.deepEqual(readFloats(tensor), Float32Array.of(1, -0.5, 3.25, 0));
  });

  test('readFloats: FLOAT, DOUBLE and FLOAT16 from the typed fields when there is no raw_data', () => {
    assert.deepEqual(readFloats({ dims: [2], dataType: DataType.FLOAT, floatData: [0.25, 8] }), Float32Array.of(0.25, 8));
    assert.deepEqual(readFloats({ dims: [2], dataType: DataType.DOUBLE, doubleData: [0.1, -4] }), Float32Array.of(0.1, -4));
    // float16 bits in int32_data: 0x3c00 = 1, 0xc000 = -2, 0x3800 = 0.5
    assert.deepEqual(readFloats({ dims: [3], dataType: DataType.FLOAT16, int32Data: [0x3c00, 0xc000, 0x3800] }), Float32Array.of(1, -2, 0.5));
    // Fewer stored values than dims say is a damaged tensor (it used to read the rest as 0): 'damaged tensor data' below.
    assert.throws(() => readFloats({ dims: [3], dataType: DataType.FLOAT, floatData: [1] }), modelError('MODEL_TENSOR_SHORT', /holds 1 values but its dims \[3\] need 3/));
  });

  test('readFloats: DOUBLE and FLOAT16 raw_data', () => {
    const doubles = new Float64Array([2.5, -1]);
    assert.deepEqual(readFloats({ dims: [2], dataType: DataType.DOUBLE, rawData: new Uint8Array(doubles.buffer) }), Float32Array.of(2.5, -1));
    const halves = Uint16Array.of(0x3c00, 0x4000); // 1, 2
    assert.deepEqual(readFloats({ dims: [2], dataType: DataType.FLOAT16, rawData: new Uint8Array(halves.buffer) }), Float32Array.of(1, 2));
    // A view into a bigger buffer (as decodeModel gives) is read from its own offset.
    const big = new Uint8Array(12);
    new DataView(big.buffer).setFloat32(8, 6, true);
    assert.deepEqual(readFloats({ dims: [1], dataType: DataType.FLOAT, rawData: big.subarray(8) }), Float32Array.of(6));
  });

  test('readFloats refuses an integer tensor by name', () => {
    assert.throws(() => readFloats({ name: 'ids', dims: [1], dataType: DataType.INT64 }), modelError('VARIANT_TENSOR_TYPE', 'tensor "ids" has data type 7, not a float type'));
  });

  test('intTensor / readInts round trip every integer type', () => {
    const values = [-3, 0, 5];
    for (const dataType of [DataType.INT8, DataType.INT32, DataType.INT64]) {
      const tensor = intTensor('t', [3], values, dataType);
      assert.equal(tensor.rawData!.length, 3 * elementBytes(dataType));
      assert.deepEqual(readInts(tensor), values);
    }
    assert.deepEqual(readInts(intTensor('u', [3], [0, 128, 255], DataType.UINT8)), [0, 128, 255]);
    // An Int8Array is used as it is: its bytes, not a copy.
    const int8 = Int8Array.of(-128, 127);
    assert.equal(intTensor('i', [2], int8, DataType.INT8).rawData!.buffer, int8.buffer);
    assert.throws(() => intTensor('f', [1], [1], DataType.FLOAT), /intTensor: unsupported data type 1/);
  });

  test('readInts from the typed fields (int64_data as Long-likes, int32_data for the small types)', () => {
    assert.deepEqual(readInts({ dims: [2], dataType: DataType.INT64, int64Data: [{ toNumber: () => -9 } as unknown as number, 4] }), [-9, 4]);
    assert.deepEqual(readInts({ dims: [2], dataType: DataType.INT32, int32Data: [7, -7] }), [7, -7]);
    assert.deepEqual(readInts({ dims: [2], dataType: DataType.INT8, int32Data: [-1, 0] }), [-1, 0]);
    assert.deepEqual(readInts({ dims: [1], dataType: DataType.UINT8, int32Data: [200] }), [200]);
    assert.throws(() => readInts({ name: 'w', dims: [1], dataType: DataType.FLOAT }), modelError('VARIANT_TENSOR_TYPE', 'tensor "w" has data type 1, not an integer type'));
    // No elements: nothing read, whatever the type.
    assert.deepEqual(readInts({ dims: [0], dataType: DataType.FLOAT }), []);
  });

  test('elementBytes of every fixed-size type; 0 for strings and unknown codes', () => {
    assert.deepEqual(
      [DataType.DOUBLE, DataType.INT64, DataType.FLOAT, DataType.INT32, DataType.FLOAT16, DataType.INT8, DataType.UINT8, DataType.BOOL, 8, 99].map(elementBytes),
      [8, 8, 4, 4, 2, 1, 1, 1, 0, 0],
    );
  });
});

describe('damaged tensor data', () => {
  test('fewer values than the dims need is MODEL_TENSOR_SHORT, never a RangeError or zeros', () => {
    // [2, 3] needs 6 values: 20 raw bytes hold 5 floats; floatData holds 4; 12 raw bytes hold 1 int64.
    const raw = { name: 'W', dims: [2, 3], dataType: DataType.FLOAT, rawData: new Uint8Array(20) };
    assert.throws(() => readFloats(raw), modelError('MODEL_TENSOR_SHORT', 'tensor "W" holds 5 values but its dims [2, 3] need 6: the model file is damaged'));
    assert.throws(() => readFloats({ name: 'V', dims: [2, 3], dataType: DataType.FLOAT, floatData: [1, 2, 3, 4] }), modelError('MODEL_TENSOR_SHORT', /holds 4 values but its dims \[2, 3\] need 6/));
    assert.throws(() => readInts({ name: 'S', dims: [2], dataType: DataType.INT64, rawData: new Uint8Array(12) }), modelError('MODEL_TENSOR_SHORT', /"S" holds 1 values but its dims \[2\] need 2/));
    // Exactly enough is fine; so is an empty tensor.
    assert.equal(readFloats({ ...raw, rawData: new Uint8Array(24) }).length, 6);
    assert.deepEqual(readInts({ name: 'E', dims: [0], dataType: DataType.INT64 }), []);
  });
});

describe('inlineExternalData', () => {
  // A model whose w [2] FLOAT lives in `location` at `offset`/`length`.
  function externalModel(location: string, extra: Array<[string, string]> = []): Model {
    const model = decodeModel(reluBytes(), 'm.onnx');
    const w = model.graph!.initializer![0]!;
    w.rawData = new Uint8Array(0);
    w.dataLocation = 1; // EXTERNAL
    w.externalData = [{ key: 'location', value: location }, ...extra.map(([key, value]) => ({ key, value }))];
    return model;
  }
  const folder = path.join(root, 'ext');
  const modelFile = path.join(folder, 'm.onnx');
  // 4 bytes of padding, then 1.5 and -2 as float32.
  const data = Buffer.alloc(12);
  data.writeFloatLE(1.5, 4);
  data.writeFloatLE(-2, 8);
  mkdirSync(folder, { recursive: true });

  test('reads the bytes at offset/length into raw_data and clears the external entries', () => {
    writeFileSync(path.join(folder, 'm.bin'), data);
    const model = externalModel('m.bin', [['offset', '4'], ['length', '8']]);
    inlineExternalData(model, modelFile);
    const w = model.graph!.initializer![0]!;
    assert.equal(w.dataLocation, 0);
    assert.deepEqual(w.externalData, []);
    assert.deepEqual(readFloats(w), Float32Array.of(1.5, -2));
    // Self-contained now: it survives an encode/decode without the .bin file.
    assert.deepEqual(readFloats(decodeModel(encodeModel(model), 'm.onnx').graph!.initializer![0]!), Float32Array.of(1.5, -2));
  });

  test('without a length it reads to the end of the file', () => {
    writeFileSync(path.join(folder, 'tail.bin'), data);
    const model = externalModel('tail.bin', [['offset', '4']]);
    inlineExternalData(model, modelFile);
    // 12 − 4 = 8 bytes: both floats.
    assert.equal(model.graph!.initializer![0]!.rawData!.length, 8);
  });

  test('a location outside the folder, a missing file and a range past the end are ModelErrors naming the tensor', () => {
    writeFileSync(path.join(folder, 'short.bin'), Buffer.alloc(6));
    for (const location of ['../secret.bin', '/etc/passwd', '', 'sub/../../x.bin']) {
      assert.throws(
        () => inlineExternalData(externalModel(location), modelFile),
        modelError('MODEL_EXTERNAL_DATA_LOCATION', `${modelFile}: tensor "w" keeps its data at "${location}", outside the model's folder`),
      );
    }
    assert.throws(() => inlineExternalData(externalModel('gone.bin'), modelFile), modelError('MODEL_EXTERNAL_DATA_MISSING', `${modelFile}: cannot read external data "gone.bin" of tensor "w": ENOENT`));
    // offset 4 + length 8 = 12 > 6 bytes
    assert.throws(
      () => inlineExternalData(externalModel('short.bin', [['offset', '4'], ['length', '8']]), modelFile),
      modelError('MODEL_EXTERNAL_DATA_RANGE', `${modelFile}: tensor "w" reads bytes 4..12 of "short.bin", which has 6`),
    );
  });

  test('a symlink inside the folder that leads out of it is refused before anything is read; one that stays inside is followed', () => {
    const outside = path.join(root, 'secret.bin');
    writeFileSync(outside, data);
    symlinkSync(outside, path.join(folder, 'link.bin'));
    assert.throws(
      () => inlineExternalData(externalModel('link.bin', [['offset', '4'], ['length', '8']]), modelFile),
      modelError('MODEL_EXTERNAL_DATA_LOCATION', `${modelFile}: tensor "w" keeps its data at "link.bin", a symlink that leads out of the model's folder (to ${outside})`),
    );
    writeFileSync(path.join(folder, 'real.bin'), data);
    symlinkSync('real.bin', path.join(folder, 'inner-link.bin'));
    const model = externalModel('inner-link.bin', [['offset', '4'], ['length', '8']]);
    inlineExternalData(model, modelFile);
    assert.deepEqual(readFloats(model.graph!.initializer![0]!), Float32Array.of(1.5, -2));
  });

  test('initializers inside subgraphs are brought in too; inline tensors are left alone', () => {
    writeFileSync(path.join(folder, 'sub.bin'), data);
    const model = externalModel('sub.bin', [['offset', '4'], ['length', '8']]);
    const inner = model.graph!.initializer!.pop()!;
    const body: Graph = { name: 'then', initializer: [inner], output: [{ name: 'w' }] };
    model.graph!.initializer!.push(floatTensor('kept', [1], [9]));
    model.graph!.node!.push({ opType: 'If', input: ['c'], output: ['o'], attribute: [{ name: 'then_branch', type: AttributeType.GRAPH, g: body }] });
    inlineExternalData(model, modelFile);
    assert.deepEqual(readFloats(inner), Float32Array.of(1.5, -2));
    assert.deepEqual(readFloats(model.graph!.initializer![0]!), Float32Array.of(9));
  });
});

describe('names and graph walks', () => {
  // x, w → MatMul(mm) → h; If(cond) whose then-branch reads h and u from outside and defines k.
  function graph(): Graph {
    const thenBranch: Graph = {
      name: 'then',
      initializer: [floatTensor('inner', [1], [0])],
      node: [makeNode('Add', ['h', 'u'], ['k'], 'add'), makeNode('Mul', ['k', 'inner'], ['m'], 'mul')],
      output: [{ name: 'm' }, { name: 'outer_out' }],
    };
    return {
      name: 'g',
      input: [{ name: 'x' }, { name: 'cond' }, { name: 'w' }],
      initializer: [floatTensor('w', [1], [1]), floatTensor('u', [1], [2]), floatTensor('unused', [1], [3])],
      node: [
        makeNode('MatMul', ['x', 'w'], ['h'], 'mm'),
        makeNode('If', ['cond'], ['y'], 'if', [{ name: 'then_branch', type: AttributeType.GRAPH, g: thenBranch }, { name: 'else_branch', type: AttributeType.GRAPH, g: { name: 'else', output: [{ name: 'h' }] } }]),
        { ...makeNode('Custom', ['y'], ['z'], 'custom'), domain: 'com.example' },
      ],
      output: [{ name: 'z' }],
    };
  }

  test('makeNode and intAttribute build plain node and INT attribute objects; attributeOf finds one by name', () => {
    const node = makeNode('Transpose', ['a'], ['b'], 't', [intAttribute('axis', 1)]);
    assert.deepEqual(node, { opType: 'Transpose', input: ['a'], output: ['b'], name: 't', attribute: [{ name: 'axis', type: AttributeType.INT, i: 1 }] });
    assert.equal(attributeOf(node, 'axis')?.i, 1);
    assert.equal(attributeOf(node, 'perm'), undefined);
    assert.equal(attributeOf({ opType: 'Relu' }, 'axis'), undefined);
  });

  test('NameScope hands out base, base_1, … past every name in the graph, its subgraphs included', () => {
    const scope = new NameScope(graph());
    assert.equal(scope.fresh('fresh'), 'fresh');
    assert.equal(scope.fresh('fresh'), 'fresh_1');
    assert.equal(scope.fresh('h'), 'h_1'); // a node output
    assert.equal(scope.fresh('mm'), 'mm_1'); // a node name
    assert.equal(scope.fresh('unused'), 'unused_1'); // an initializer
    assert.equal(scope.fresh('k'), 'k_1'); // defined inside the If's then-branch
    assert.equal(scope.fresh('mul'), 'mul_1'); // a node name inside the branch
  });

  test('subgraphsOf: an If gives both branches, a plain node none', () => {
    const [, ifNode] = graph().node!;
    assert.deepEqual(subgraphsOf(ifNode!).map((g) => g.name), ['then', 'else']);
    assert.deepEqual(subgraphsOf(makeNode('Relu', ['a'], ['b'], 'r')), []);
    assert.deepEqual(subgraphsOf({ opType: 'Loop', attribute: [{ name: 'bodies', graphs: [{ name: 'b1' }, { name: 'b2' }] }] }).map((g) => g.name), ['b1', 'b2']);
  });

  test('outerScopeReads: names a subgraph uses but does not define (outputs passed through count)', () => {
    const [, ifNode] = graph().node!;
    const [thenBranch, elseBranch] = subgraphsOf(ifNode!);
    assert.deepEqual([...outerScopeReads(thenBranch!)].sort(), ['h', 'outer_out', 'u']);
    assert.deepEqual([...outerScopeReads(elseBranch!)], ['h']);
  });

  test('namesRead: node inputs, what subgraphs read from outside, and graph outputs', () => {
    assert.deepEqual([...namesRead(graph())].sort(), ['cond', 'h', 'outer_out', 'u', 'w', 'x', 'y', 'z']);
  });

  test('dropUnreadInitializers keeps what is read (a subgraph read too) and initializers that are graph inputs', () => {
    const g = graph();
    g.initializer!.push(floatTensor('x', [1], [0])); // also a graph input: callers may feed it
    dropUnreadInitializers(g);
    assert.deepEqual(g.initializer!.map((t: Tensor) => t.name), ['w', 'u', 'x']);
  });

  test('constantInitializers leaves out initializers that are also graph inputs', () => {
    assert.deepEqual([...constantInitializers(graph()).keys()], ['u', 'unused']);
  });

  test('opHistogram counts by op type, other domains prefixed, sorted by name', () => {
    const g = graph();
    g.node!.push(makeNode('MatMul', ['h', 'w'], ['h2'], 'mm2'), {});
    assert.deepEqual(opHistogram(g), { '?': 1, 'com.example.Custom': 1, If: 1, MatMul: 2 });
    assert.deepEqual(Object.keys(opHistogram(g)), ['?', 'com.example.Custom', 'If', 'MatMul']);
    assert.deepEqual(opHistogram({ node: [{ opType: 'Relu', domain: 'ai.onnx' }] }), { Relu: 1 });
    assert.deepEqual(opHistogram({}), {});
  });
});
