// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { ModelError } from '../../src/errors.js';
import { attr, elemTypeToOnnx, GraphBuilder } from '../../src/onnx/builder.js';
import { normalWeights } from '../../src/model/zoo/weights.js';
import {
  decodeModel,
  dimsOf,
  fixedBatchModel,
  recurrentStateModel,
  scalarFeedModel,
  symbolicImageModel,
  tokenModel,
  tokenModelVocabSize,
  unknownDimModel,
} from '../fixtures/models.js';

const { onnx } = onnxProto;
const AttributeType = onnx.AttributeProto.AttributeType;

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>, options: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession.ReturnType> {
  const session = await ort.InferenceSession.create(bytes, options);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function tinyAddModel(): Uint8Array {
  return new GraphBuilder('tiny_add')
    .input('a', 'float32', ['N', 2])
    .initializer('b', [2], Float32Array.of(1.5, -2))
    .node('Add', ['a', 'b'], ['sum'])
    .output('sum', 'float32', ['N', 2])
    .build();
}

describe('GraphBuilder', () => {
  it('encodes a tiny Add model with defaults: opset 17, IR 8, producer joulebench, node name Add_0', () => {
    const model = decodeModel(tinyAddModel());
    assert.equal(model.irVersion, 8);
    assert.equal(model.producerName, 'joulebench');
    assert.equal(model.docString, undefined);
    assert.deepEqual(model.opsetImport.map((o) => [o.domain ?? '', o.version]), [['', 17]]);
    const graph = model.graph;
    assert.equal(graph.name, 'tiny_add');
    assert.deepEqual(graph.input.map((i) => [i.name, i.type?.tensorType?.elemType, dimsOf(i)]), [['a', 1, ['N', 2]]]);
    assert.deepEqual(graph.output.map((o) => [o.name, o.type?.tensorType?.elemType, dimsOf(o)]), [['sum', 1, ['N', 2]]]);
    assert.deepEqual(graph.node, [{ name: 'Add_0', opType: 'Add', input: ['a', 'b'], output: ['sum'], attribute: [] }]);
  });

  it('stores float32 initializers as little-endian raw_data', () => {
    const tensor = decodeModel(tinyAddModel()).graph.initializer[0];
    assert.ok(tensor);
    assert.equal(tensor.name, 'b');
    assert.deepEqual(tensor.dims, [2]);
    assert.equal(tensor.dataType, onnx.TensorProto.DataType.FLOAT);
    assert.deepEqual(tensor.floatData, []);
    // 1.5 = 0x3fc00000, -2 = 0xc0000000, least significant byte first.
    assert.deepEqual([...(tensor.rawData ?? [])], [0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  });

  it('stores int64, int32, bool and float16 initializers with the right data type and bytes', () => {
    const graph = decodeModel(
      new GraphBuilder('types')
        .input('x', 'float32', [1])
        .initializer('i64', [2], BigInt64Array.of(-1n, 258n))
        .initializer('i32', [1], Int32Array.of(-2))
        .initializer('flag', [2], Uint8Array.of(1, 0), 'bool')
        .initializer('half', [1], Uint16Array.of(0x3c00))
        .node('Identity', ['x'], ['y'])
        .output('y', 'float32', [1])
        .build(),
    ).graph;
    const byName = Object.fromEntries(graph.initializer.map((t) => [t.name, { type: t.dataType, bytes: [...(t.rawData ?? [])] }]));
    assert.deepEqual(byName, {
      i64: { type: 7, bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0, 0, 0, 0, 0, 0] },
      i32: { type: 6, bytes: [0xfe, 0xff, 0xff, 0xff] },
      flag: { type: 9, bytes: [1, 0] },
      half: { type: 10, bytes: [0x00, 0x3c] },
    });
  });

  it('maps element types to TensorProto.DataType values', () => {
    assert.deepEqual(
      (['float32', 'uint8', 'int8', 'int32', 'int64', 'bool', 'float16', 'float64'] as const).map(elemTypeToOnnx),
      [1, 2, 3, 6, 7, 9, 10, 11],
    );
  });

  it('writes dim_value, dim_param, unknown dims and rank-0 shapes', () => {
    const graph = decodeModel(
      new GraphBuilder('dims')
        .input('x', 'float32', ['batch', 3, null])
        .input('s', 'int64', [])
        .node('Identity', ['x'], ['y'])
        .output('y', 'float32', ['batch', 3, null])
        .build(),
    ).graph;
    const [x, s] = graph.input;
    assert.ok(x && s);
    assert.deepEqual(x.type.tensorType.shape?.dim, [{ dimParam: 'batch' }, { dimValue: 3 }, {}], 'an unknown dim sets neither field');
    assert.deepEqual(dimsOf(x), ['batch', 3, null]);
    // A scalar still carries an (empty) shape: no shape at all would mean "rank unknown".
    assert.deepEqual(s.type.tensorType, { elemType: 7, shape: { dim: [] } });
  });

  it('encodes INT, FLOAT, INTS, FLOATS, STRING and TENSOR attributes, inferring plain values and honouring tags', () => {
    const model = decodeModel(
      new GraphBuilder('attributes')
        .input('x', 'float32', [2])
        .node(
          'Custom',
          ['x'],
          ['y'],
          {
            count: 3,
            eps: 1e-5,
            shape: [1, -1],
            empty: [],
            weights: [0.5, 2],
            alpha: attr.float(1),
            wholeFloats: attr.floats([1, 2]),
            bigint: attr.int(7),
            mode: 'linear',
            tagged: attr.string('x'),
            value: attr.tensor([2], Float32Array.of(1, 2)),
          },
          'custom',
          'test.domain',
        )
        .output('y', 'float32', [2])
        .build({ opset: 18, irVersion: 9, producerName: 'tests', docString: 'doc', domainOpsets: { 'test.domain': 2 } }),
    );
    assert.equal(model.irVersion, 9);
    assert.equal(model.producerName, 'tests');
    assert.equal(model.docString, 'doc');
    assert.deepEqual(model.opsetImport.map((o) => [o.domain ?? '', o.version]), [['', 18], ['test.domain', 2]]);
    const node = model.graph.node[0];
    assert.ok(node);
    assert.equal(node.name, 'custom');
    assert.equal(node.domain, 'test.domain');
    const attributes = Object.fromEntries(node.attribute.map((a) => [a.name, a]));
    // Each attribute as [type, the value field its type selects].
    const typed = Object.fromEntries(
      node.attribute.map((a) => {
        const byType: Record<number, unknown> = { [AttributeType.INT]: a.i, [AttributeType.FLOAT]: a.f, [AttributeType.INTS]: a.ints, [AttributeType.FLOATS]: a.floats };
        return [a.name, [a.type, byType[a.type]]];
      }),
    );
    assert.deepEqual(typed.count, [AttributeType.INT, 3]);
    assert.equal(attributes.eps?.type, AttributeType.FLOAT);
    assert.ok(Math.abs((attributes.eps?.f ?? 0) - 1e-5) < 1e-12);
    assert.deepEqual(typed.shape, [AttributeType.INTS, [1, -1]]);
    assert.deepEqual(typed.empty, [AttributeType.INTS, []]);
    assert.deepEqual(typed.weights, [AttributeType.FLOATS, [0.5, 2]]);
    assert.deepEqual(typed.alpha, [AttributeType.FLOAT, 1]);
    assert.deepEqual(typed.wholeFloats, [AttributeType.FLOATS, [1, 2]]);
    assert.deepEqual(typed.bigint, [AttributeType.INT, 7]);
    assert.equal(attributes.mode?.type, AttributeType.STRING);
    assert.equal(new TextDecoder().decode(attributes.mode?.s), 'linear');
    assert.equal(new TextDecoder().decode(attributes.tagged?.s), 'x');
    assert.equal(attributes.value?.type, AttributeType.TENSOR);
    assert.deepEqual(attributes.value?.t?.dims, [2]);
    assert.equal(attributes.value?.t?.dataType, 1);
    assert.deepEqual([...(attributes.value?.t?.rawData ?? [])], [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]);
  });

  it('is byte-for-byte deterministic', () => {
    assert.deepEqual(tinyAddModel(), tinyAddModel());
  });

  it('runs in onnxruntime, batch dimension free', async () => {
    const results = await run(tinyAddModel(), { a: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]) });
    assert.deepEqual(results.sum?.dims, [3, 2]);
    assert.deepEqual([...(results.sum?.data as Float32Array)], [2.5, 0, 4.5, 2, 6.5, 4]);
  });

  it('runs a Constant node built from a TENSOR attribute', async () => {
    const bytes = new GraphBuilder('constant')
      .input('x', 'float32', [2])
      .node('Constant', [], ['c'], { value: attr.tensor([2], Float32Array.of(10, 20)) })
      .node('Mul', ['x', 'c'], ['y'])
      .output('y', 'float32', [2])
      .build();
    const results = await run(bytes, { x: new ort.Tensor('float32', Float32Array.of(2, 3), [2]) });
    assert.deepEqual([...(results.y?.data as Float32Array)], [20, 60]);
  });

  it('rejects graphs that read a value before defining it, define it twice, or never produce an output', () => {
    const invalid = (build: (g: GraphBuilder) => void): void => {
      const g = new GraphBuilder('bad');
      build(g);
      assert.throws(() => g.build(), (error: unknown) => error instanceof ModelError && error.code === 'MODEL_BUILD_INVALID');
    };
    invalid((g) => g.input('x', 'float32', [1]).node('Add', ['x', 'missing'], ['y']).output('y', 'float32', [1]));
    invalid((g) => g.input('x', 'float32', [1]).node('Relu', ['x'], ['x']).output('x', 'float32', [1]));
    invalid((g) => g.input('x', 'float32', [1]).node('Relu', ['x'], ['y']).output('z', 'float32', [1]));
    invalid((g) => g.input('x', 'float32', [1]).node('Relu', ['x'], ['y']));
  });

  it('rejects bad tensors, attributes and node names as they are added', () => {
    const g = new GraphBuilder('bad').input('x', 'float32', [1]);
    assert.throws(() => g.initializer('w', [2, 2], new Float32Array(3)), ModelError);
    assert.throws(() => g.initializer('w', [2], new Float32Array(2), 'int64'), ModelError);
    assert.throws(() => g.node('Relu', ['x'], ['y'], { n: attr.int(1.5) }), ModelError);
    assert.throws(() => new GraphBuilder('dims').input('x', 'float32', [-1]), ModelError);
    g.node('Relu', ['x'], ['y'], {}, 'same');
    assert.throws(() => g.node('Relu', ['y'], ['z'], {}, 'same'), ModelError);
  });
});

describe('fixture models', () => {
  it('symbolicImageModel runs at any batch and image size, with symbolic dims declared', async () => {
    const graph = decodeModel(symbolicImageModel()).graph;
    assert.deepEqual(graph.input.map(dimsOf), [['batch', 3, 'height', 'width']]);
    assert.deepEqual(graph.output.map(dimsOf), [['batch', 8]]);
    const results = await run(symbolicImageModel(), { x: new ort.Tensor('float32', new Float32Array(2 * 3 * 10 * 12).fill(0.5), [2, 3, 10, 12]) });
    assert.deepEqual(results.y?.dims, [2, 8]);
    assert.ok((results.y?.data as Float32Array).every(Number.isFinite));
  });

  it('recurrentStateModel keeps batch on axis 1 of the state: out = x·W + Σ state, new_state = tanh(state + out)', async () => {
    const graph = decodeModel(recurrentStateModel()).graph;
    assert.deepEqual(graph.input.map(dimsOf), [['batch_size', 32], [2, 'batch_size', 32]]);
    const batch = 3;
    const results = await run(recurrentStateModel(), {
      x: new ort.Tensor('float32', new Float32Array(batch * 32), [batch, 32]),
      state: new ort.Tensor('float32', new Float32Array(2 * batch * 32).fill(0.25), [2, batch, 32]),
    });
    assert.deepEqual(results.out?.dims, [batch, 32]);
    assert.deepEqual(results.new_state?.dims, [2, batch, 32]);
    // x = 0, so out = 0.25 + 0.25 and new_state = tanh(0.25 + 0.5).
    assert.ok((results.out?.data as Float32Array).every((v) => v === 0.5));
    assert.ok((results.new_state?.data as Float32Array).every((v) => Math.abs(v - Math.tanh(0.75)) < 1e-6));
  });

  it('scalarFeedModel reads its int64 scalar: y = mean(audio) · sr / 16000', async () => {
    const graph = decodeModel(scalarFeedModel()).graph;
    assert.deepEqual(graph.input.map(dimsOf), [['N', 1600], []]);
    const audio = new ort.Tensor('float32', new Float32Array(2 * 1600).fill(0.5), [2, 1600]);
    const at16k = await run(scalarFeedModel(), { audio, sr: new ort.Tensor('int64', BigInt64Array.of(16000n), []) });
    assert.deepEqual(at16k.y?.dims, [2, 1]);
    assert.deepEqual([...(at16k.y?.data as Float32Array)], [0.5, 0.5]);
    const at32k = await run(scalarFeedModel(), { audio, sr: new ort.Tensor('int64', BigInt64Array.of(32000n), []) });
    assert.deepEqual([...(at32k.y?.data as Float32Array)], [1, 1]);
  });

  it('fixedBatchModel runs at batch 1 and rejects batch 2', async () => {
    const results = await run(fixedBatchModel(), { x: new ort.Tensor('float32', new Float32Array(64).fill(1), [1, 64]) });
    assert.deepEqual(results.y?.dims, [1, 8]);
    await assert.rejects(run(fixedBatchModel(), { x: new ort.Tensor('float32', new Float32Array(128), [2, 64]) }), /invalid dimensions/i);
  });

  it('tokenModel averages the embeddings of unmasked tokens and fails on an id outside the vocabulary', async () => {
    const ids = (values: bigint[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(values), [2, 3]);
    const mask = ids([1n, 1n, 1n, 1n, 1n, 0n]);
    const results = await run(tokenModel(), { input_ids: ids([1n, 2n, 3n, 4n, 5n, 999n]), attention_mask: mask });
    assert.deepEqual(results.pooled?.dims, [2, 16]);
    const embedding = normalWeights('embedding', tokenModelVocabSize * 16, 1);
    const pooled = results.pooled?.data as Float32Array;
    for (let j = 0; j < 16; j++) {
      const row0 = ((embedding[16 + j] ?? 0) + (embedding[32 + j] ?? 0) + (embedding[48 + j] ?? 0)) / 3;
      const row1 = ((embedding[64 + j] ?? 0) + (embedding[80 + j] ?? 0)) / 2;
      assert.ok(Math.abs((pooled[j] ?? NaN) - row0) < 1e-5, `row 0 column ${j}`);
      assert.ok(Math.abs((pooled[16 + j] ?? NaN) - row1) < 1e-5, `row 1 column ${j}`);
    }
    // Severity 4 (fatal only) keeps onnxruntime from logging the expected kernel failure to stderr.
    const outOfVocabulary = { input_ids: ids([1n, 2n, 3n, 4n, 5n, BigInt(tokenModelVocabSize)]), attention_mask: mask };
    await assert.rejects(run(tokenModel(), outOfVocabulary, { logSeverityLevel: 4 }), /out of data bounds/);
  });

  it('unknownDimModel declares a first dim with neither value nor name, and runs at any size', async () => {
    const graph = decodeModel(unknownDimModel()).graph;
    assert.deepEqual(graph.input[0]?.type.tensorType.shape?.dim, [{}, { dimValue: 16 }]);
    const results = await run(unknownDimModel(), { x: new ort.Tensor('float32', Float32Array.from({ length: 32 }, (_, i) => i - 16), [2, 16]) });
    assert.deepEqual(results.y?.dims, [2, 16]);
    assert.deepEqual([...(results.y?.data as Float32Array)], Array.from({ length: 32 }, (_, i) => Math.max(0, i - 16)));
  });
});
