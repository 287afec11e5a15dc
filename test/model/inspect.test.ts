// Reading an ONNX file and describing it (src/model/inspect.ts) on small hand-built models: element type names,
// inputs and outputs with symbolic, fixed and unknown dims, initializers listed as inputs, opsets and producer,
// op counts with domains, Gather index bounds, and every typed error naming the file and the fix.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ExitCode, ModelError } from '../../src/errors.js';
import { describeModel, elemTypeName, inspectModelFile, requireRunnableIo } from '../../src/model/inspect.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { decodeModel, encodeModel } from '../../src/onnx/proto.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'jb-inspect-'));
after(() => rmSync(root, { recursive: true, force: true }));

const modelError = (code: string, message: string | RegExp, hint?: string | RegExp) => (error: unknown) => {
  assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
  assert.equal(error.code, code);
  assert.equal(error.exitCode, ExitCode.badInput);
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message, message);
  if (typeof hint === 'string') assert.equal(error.hint, hint);
  else if (hint) assert.match(error.hint ?? '', hint);
  return true;
};

// tokens int64 [N, 3] and features float32 [N, 4]; an embedding table [100, 8] gathered by tokens (axis 0), a second
// table [5, 7] gathered by tokens on axis 1, and a com.microsoft op.
function tokenModel(): Uint8Array {
  return new GraphBuilder('tokens')
    .input('tokens', 'int64', ['N', 3])
    .input('features', 'float32', ['N', 4])
    .initializer('table', [100, 8], new Float32Array(800))
    .initializer('narrow', [5, 7], new Float32Array(35))
    .node('Gather', ['table', 'tokens'], ['embedded'], {}, 'embed')
    .node('Gather', ['narrow', 'tokens'], ['picked'], { axis: 1 }, 'pick')
    .node('FusedMatMul', ['features', 'features'], ['fused'], {}, 'fused', 'com.microsoft')
    .node('Relu', ['embedded'], ['out'], {}, 'relu')
    .output('out', 'float32', ['N', 3, 8])
    .output('picked', 'float32', [5, 'N', 3])
    .build({ opset: 17, producerName: 'exporter', domainOpsets: { 'com.microsoft': 1 } });
}

test('elemTypeName: ONNX data type codes to names; others named as unsupported', () => {
  assert.deepEqual([1, 2, 3, 6, 7, 9, 10, 11, 16].map(elemTypeName), ['float32', 'uint8', 'int8', 'int32', 'int64', 'bool', 'float16', 'float64', 'bfloat16']);
  assert.equal(elemTypeName(0), 'unsupported:0');
  assert.equal(elemTypeName(17), 'unsupported:17'); // FLOAT8E4M3FN
});

describe('describeModel', () => {
  const bytes = tokenModel();
  const info = describeModel(bytes, 'tokens.onnx');

  test('inputs and outputs with their element types and dims', () => {
    assert.deepEqual(info.inputs, [
      { name: 'tokens', elemType: 'int64', dims: [{ kind: 'symbolic', name: 'N' }, { kind: 'fixed', size: 3 }] },
      { name: 'features', elemType: 'float32', dims: [{ kind: 'symbolic', name: 'N' }, { kind: 'fixed', size: 4 }] },
    ]);
    assert.deepEqual(info.outputs.map((output) => output.name), ['out', 'picked']);
    assert.deepEqual(info.outputs[1]!.dims, [{ kind: 'fixed', size: 5 }, { kind: 'symbolic', name: 'N' }, { kind: 'fixed', size: 3 }]);
  });

  test('file facts: path, sha256 and size of the bytes; IR version, opsets with ai.onnx named, producer', () => {
    assert.equal(info.path, 'tokens.onnx');
    assert.equal(info.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(info.sizeBytes, bytes.length);
    assert.equal(info.irVersion, 8);
    assert.deepEqual(info.opsets, [{ domain: 'ai.onnx', version: 17 }, { domain: 'com.microsoft', version: 1 }]);
    assert.equal(info.producer, 'exporter');
  });

  test('op counts name other domains; node count', () => {
    assert.deepEqual(info.opCounts, { Gather: 2, 'com.microsoft.FusedMatMul': 1, Relu: 1 });
    assert.equal(info.nodeCount, 4);
  });

  test('Gather index bounds: the size of the gathered axis, the smallest when an input indexes several tables', () => {
    // table [100, 8] on axis 0 → 100; narrow [5, 7] on axis 1 → 7; min(100, 7) = 7
    assert.deepEqual(info.indexBounds, { tokens: 7 });
    const single = new GraphBuilder('g').input('ids', 'int64', ['N']).initializer('table', [100, 8], new Float32Array(800))
      .node('Gather', ['table', 'ids'], ['y'], {}, 'embed').output('y', 'float32', ['N', 8]).build();
    assert.deepEqual(describeModel(single, 'g.onnx').indexBounds, { ids: 100 });
    // A negative axis counts from the end: −1 on [100, 8] is axis 1 → 8.
    const negative = new GraphBuilder('g').input('ids', 'int64', ['N']).initializer('table', [100, 8], new Float32Array(800))
      .node('Gather', ['table', 'ids'], ['y'], { axis: -1 }, 'embed').output('y', 'float32', [100, 'N']).build();
    assert.deepEqual(describeModel(negative, 'g.onnx').indexBounds, { ids: 8 });
  });

  test('parameters: element counts and bytes of the initializers', () => {
    // 100 × 8 + 5 × 7 = 835 float32 values, 3 340 bytes
    assert.equal(info.parameterCount, 835);
    assert.equal(info.parameterBytes, 3340);
    assert.deepEqual(info.parametersIn, { initializers: 835, constantNodes: 0, subgraphs: 0 });
    assert.equal(info.externalData, false);
    assert.equal(info.detectedPrecision, 'fp32');
  });

  test('an initializer also listed as an input (old exporters) is not an input to feed', () => {
    const model = decodeModel(new GraphBuilder('g').input('x', 'float32', [2]).initializer('w', [2], Float32Array.of(1, 2)).node('Add', ['x', 'w'], ['y'], {}, 'add').output('y', 'float32', [2]).build(), 'm.onnx');
    model.graph!.input!.push({ name: 'w', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } });
    assert.deepEqual(describeModel(encodeModel(model), 'm.onnx').inputs.map((input) => input.name), ['x']);
  });

  test('dims neither fixed nor symbolic (none, or 0) are unknown; a shapeless tensor has null dims; a non-tensor input is named so', () => {
    const model = decodeModel(new GraphBuilder('g').input('x', 'float32', [null, 0]).node('Identity', ['x'], ['y'], {}, 'id').output('y', 'float32', [2]).build(), 'm.onnx');
    model.graph!.input!.push({ name: 'any_shape', type: { tensorType: { elemType: 1 } } }, { name: 'seq', type: { sequenceType: { elemType: { tensorType: { elemType: 1 } } } } });
    const described = describeModel(encodeModel(model), 'm.onnx');
    assert.deepEqual(described.inputs, [
      { name: 'x', elemType: 'float32', dims: [{ kind: 'unknown' }, { kind: 'unknown' }] },
      { name: 'any_shape', elemType: 'float32', dims: null },
      { name: 'seq', elemType: 'non-tensor', dims: null },
    ]);
  });

  test('the producer is name and version', () => {
    const model = decodeModel(tokenModel(), 'm.onnx');
    model.producerVersion = '2.4.1';
    assert.equal(describeModel(encodeModel(model), 'm.onnx').producer, 'exporter 2.4.1');
  });
});

describe('describeModel: not a usable ONNX model', () => {
  const fix = 'check that the file is a complete .onnx model (re-export or re-download it)';

  test('an empty file', () => {
    assert.throws(() => describeModel(new Uint8Array(0), 'empty.onnx'), modelError('MODEL_EMPTY', 'empty.onnx: the file is empty', fix));
  });

  test('another format, named by its magic number', () => {
    const zip = Uint8Array.of(0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0);
    assert.throws(() => describeModel(zip, 'model.pt'), modelError('MODEL_NOT_ONNX', 'model.pt: not an ONNX model: it looks like a zip archive (a PyTorch .pt/.pth checkpoint? export it with torch.onnx.export)', fix));
  });

  test('bytes protobuf cannot decode, and a model cut short', () => {
    // Field 7 (graph), length-delimited, 127 bytes long, in a 3-byte file.
    assert.throws(() => describeModel(Uint8Array.of(0x3a, 0x7f, 0x01), 'junk.onnx'), modelError('MODEL_NOT_ONNX', /^junk\.onnx: not an ONNX model \(protobuf decoding failed: .+\); the file may be truncated or of another format$/, fix));
    const whole = tokenModel();
    assert.throws(() => describeModel(whole.subarray(0, Math.floor(whole.length / 2)), 'half.onnx'), modelError('MODEL_NOT_ONNX', /^half\.onnx: not an ONNX model/));
  });

  test('valid protobuf without a graph, an IR version, an opset or an output', () => {
    const message = 'm.onnx: not an ONNX model (no graph, IR version or opset found)';
    const variants: Array<(model: ReturnType<typeof decodeModel>) => void> = [
      (model) => { model.graph = null; },
      (model) => { model.irVersion = 0; },
      (model) => { model.opsetImport = []; },
      (model) => { model.graph!.output = []; },
    ];
    for (const change of variants) {
      const model = decodeModel(tokenModel(), 'm.onnx');
      change(model);
      assert.throws(() => describeModel(encodeModel(model), 'm.onnx'), modelError('MODEL_NOT_ONNX', message, fix));
    }
  });
});

describe('inspectModelFile', () => {
  test('reads and describes a file; the bytes come back too', async () => {
    const file = path.join(root, 'tokens.onnx');
    writeFileSync(file, tokenModel());
    const { info, bytes } = await inspectModelFile(file);
    assert.equal(info.path, file);
    assert.deepEqual(Buffer.from(bytes), Buffer.from(tokenModel()));
    assert.equal(info.nodeCount, 4);
  });

  test('a missing file: a bare word close to a built-in name suggests it', async () => {
    await assert.rejects(inspectModelFile('mpl'), modelError(
      'MODEL_NOT_FOUND', 'model file not found: mpl — did you mean the built-in model "mlp"?',
      'built-in models: mlp, cnn, transformer; anything else is a path to an .onnx file',
    ));
  });

  test('a missing path (or a bare word near no built-in) says to check it', async () => {
    const missing = path.join(root, 'nope', 'model.onnx');
    await assert.rejects(inspectModelFile(missing), modelError('MODEL_NOT_FOUND', `model file not found: ${missing}`, 'check the path, or use a built-in model name (mlp, cnn, transformer)'));
    await assert.rejects(inspectModelFile('resnet50'), modelError('MODEL_NOT_FOUND', 'model file not found: resnet50'));
  });

  test('a folder is MODEL_IS_DIRECTORY naming it', async () => {
    const folder = path.join(root, 'folder.onnx');
    mkdirSync(folder, { recursive: true });
    await assert.rejects(inspectModelFile(folder), modelError('MODEL_IS_DIRECTORY', `${folder}: is a folder, not an .onnx file`));
  });

  test('a file that is not ONNX: describeModel\'s error, naming the file', async () => {
    const file = path.join(root, 'notes.onnx');
    writeFileSync(file, '');
    await assert.rejects(inspectModelFile(file), modelError('MODEL_EMPTY', `${file}: the file is empty`));
  });
});

describe('requireRunnableIo', () => {
  const info = (inputType: string, outputType: string) => ({
    path: 'm.onnx',
    inputs: [{ name: 'x', elemType: inputType, dims: null }],
    outputs: [{ name: 'y', elemType: outputType, dims: null }],
  });

  test('every type onnxruntime-node has a tensor for passes, non-tensor values too', () => {
    for (const type of ['float32', 'float16', 'int64', 'bool', 'string', 'uint64', 'non-tensor']) requireRunnableIo(info(type, type));
  });

  test('an input or output it cannot hand over is named, with the fix', () => {
    assert.throws(() => requireRunnableIo(info('float32', 'bfloat16')), modelError(
      'MODEL_IO_TYPE', 'm.onnx: graph output "y" has element type bfloat16, which onnxruntime-node cannot read back',
      're-export the model with a float32 or float16 output (e.g. a Cast before the output); computing in bfloat16 inside the graph is fine',
    ));
    assert.throws(() => requireRunnableIo(info('unsupported:17', 'float32')), modelError(
      'MODEL_IO_TYPE', 'm.onnx: graph input "x" has element type unsupported:17, which onnxruntime-node cannot feed',
      /a Cast after the input/,
    ));
  });
});
