// Hostile model files: external data that points outside the model's folder, oversized files, other formats.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import { ModelError } from '../../src/errors.js';
import { inspectModelFile } from '../../src/model/inspect.js';
import { checkModelSize, maxModelBytes, parseByteSize, sniffForeignFormat } from '../../src/model/safety.js';

const { onnx } = onnxProto;

/** y = x + W where W (4 floats) lives in an external file at `location` (or in a Constant node's attribute). */
function externalModel(location: string, where: 'initializer' | 'attribute' = 'initializer'): Uint8Array {
  const tensor = {
    name: 'W', dims: [4], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [{ key: 'location', value: location }, { key: 'offset', value: '0' }, { key: 'length', value: '16' }],
  };
  const value = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 4 }] } } } });
  const nodes = [{ opType: 'Add', input: ['x', 'W'], output: ['y'] }];
  if (where === 'attribute') nodes.unshift({ opType: 'Constant', input: [], output: ['W'], attribute: [{ name: 'value', type: 4, t: tensor }] } as never);
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ version: 17 }],
    graph: { name: 'g', input: [value('x')], output: [value('y')], node: nodes, initializer: where === 'initializer' ? [tensor] : [] },
  }).finish();
}

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'joulebench-safety-'));
  await mkdir(path.join(dir, 'model/data'), { recursive: true });
  await writeFile(path.join(dir, 'model/weights.bin'), new Uint8Array(16));
  await writeFile(path.join(dir, 'model/data/w.bin'), new Uint8Array(16));
  await writeFile(path.join(dir, 'secret.bin'), new Uint8Array(16));
  await symlink(path.join(dir, 'secret.bin'), path.join(dir, 'model/link.bin'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function modelError(bytes: Uint8Array, name: string): Promise<ModelError> {
  const file = path.join(dir, 'model', name);
  await writeFile(file, bytes);
  try {
    await inspectModelFile(file);
  } catch (error) {
    assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${name} was accepted`);
}

describe('external data', () => {
  it('accepts a relative location next to the model or in a subfolder', async () => {
    for (const location of ['weights.bin', 'data/w.bin', './data/w.bin']) {
      const file = path.join(dir, 'model', 'ok.onnx');
      await writeFile(file, externalModel(location));
      const { info } = await inspectModelFile(file);
      assert.equal(info.externalData, true);
    }
  });

  const refused: Array<[string, string, RegExp]> = [
    ['absolute path', path.join(dir || '/tmp', 'secret.bin'), /absolute path/],
    ['absolute path /etc/passwd', '/etc/passwd', /absolute path/],
    ['Windows drive path', 'C:\\Windows\\win.ini', /absolute path/],
    ['parent folder', '../secret.bin', /contains "\.\."/],
    ['.. in the middle', 'data/../../secret.bin', /contains "\.\."/],
    ['backslash ..', '..\\secret.bin', /contains "\.\."/],
    ['symlink out of the folder', 'link.bin', /symlink that leads out of the model's folder/],
    ['the folder itself', '.', /leaves the model's folder|not a regular file/],
  ];
  for (const [what, location, pattern] of refused) {
    it(`refuses ${what}`, async () => {
      const error = await modelError(externalModel(location), 'bad.onnx');
      assert.equal(error.code, 'MODEL_EXTERNAL_DATA_UNSAFE');
      assert.match(error.message, /bad\.onnx: tensor "W" has external data at/);
      assert.match(error.message, pattern);
      assert.match(error.hint ?? '', /relative path/);
    });
  }

  it('refuses an unsafe location inside a Constant node attribute too', async () => {
    const error = await modelError(externalModel('../secret.bin', 'attribute'), 'constant.onnx');
    assert.equal(error.code, 'MODEL_EXTERNAL_DATA_UNSAFE');
  });

  it('names a missing external data file', async () => {
    const error = await modelError(externalModel('gone.bin'), 'missing.onnx');
    assert.equal(error.code, 'MODEL_EXTERNAL_DATA_MISSING');
    assert.match(error.message, /"gone\.bin", which does not exist/);
  });

  it('names a tensor marked external with no location', async () => {
    const error = await modelError(externalModel(''), 'nolocation.onnx');
    assert.equal(error.code, 'MODEL_EXTERNAL_DATA_MISSING');
  });
});

describe('size limit', () => {
  it('parses sizes', () => {
    assert.equal(parseByteSize('1024'), 1024);
    assert.equal(parseByteSize('2KiB'), 2048);
    assert.equal(parseByteSize('1.5 MiB'), 1.5 * 2 ** 20);
    assert.equal(parseByteSize('16G'), 16 * 2 ** 30);
    assert.equal(parseByteSize('1TB'), 2 ** 40);
    assert.equal(parseByteSize('lots'), null);
    assert.equal(parseByteSize('0'), null);
  });

  it('reads JOULEBENCH_MAX_MODEL_BYTES, defaults to 16 GiB, names a bad value', () => {
    assert.equal(maxModelBytes({}), 16 * 2 ** 30);
    assert.equal(maxModelBytes({ JOULEBENCH_MAX_MODEL_BYTES: '100MiB' }), 100 * 2 ** 20);
    assert.throws(() => maxModelBytes({ JOULEBENCH_MAX_MODEL_BYTES: 'big' }), /JOULEBENCH_MAX_MODEL_BYTES="big" is not a size/);
  });

  it('refuses a file above the limit before reading it, and one above the protobuf limit', () => {
    assert.throws(() => checkModelSize('m.onnx', 2048, 'file', 1024), (error: ModelError) => error.code === 'MODEL_TOO_LARGE' && /above the model size limit/.test(error.message) && /JOULEBENCH_MAX_MODEL_BYTES/.test(error.hint ?? ''));
    assert.throws(() => checkModelSize('m.onnx', 2 ** 31, 'file', 2 ** 40), /more than a protobuf file can hold/);
    checkModelSize('m.onnx', 2 ** 31, 'total', 2 ** 40); // external data may exceed 2 GiB
  });

  it('refuses a sparse 3 GiB file from its size alone (nothing is read)', async () => {
    const file = path.join(dir, 'huge.onnx');
    await writeFile(file, '');
    await truncate(file, 3 * 2 ** 30);
    await assert.rejects(inspectModelFile(file), (error: ModelError) => error.code === 'MODEL_TOO_LARGE');
    await rm(file);
  });

  it('counts external data toward the limit', async () => {
    const file = path.join(dir, 'model', 'counted.onnx');
    await writeFile(file, externalModel('weights.bin'));
    process.env.JOULEBENCH_MAX_MODEL_BYTES = '130'; // the .onnx file is 125 bytes, its weights 16 more
    try {
      await assert.rejects(inspectModelFile(file), /with its external data is above the model size limit of 130 bytes/);
    } finally {
      delete process.env.JOULEBENCH_MAX_MODEL_BYTES;
    }
  });
});

describe('other formats (wrong magic)', () => {
  const formats: Array<[string, number[] | string, RegExp]> = [
    ['zip (PyTorch)', [0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0], /zip archive/],
    ['gzip', [0x1f, 0x8b, 8, 0], /gzip/],
    ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a], /PNG/],
    ['HDF5', [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a], /HDF5/],
    ['TFLite', '\x1c\x00\x00\x00TFL3\x00\x00', /TensorFlow Lite/],
    ['GGUF', 'GGUF\x03\x00\x00\x00', /GGUF/],
    ['safetensors', [2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d], /safetensors/],
  ];
  for (const [what, magic, pattern] of formats) {
    it(`names ${what}`, async () => {
      const bytes = typeof magic === 'string' ? new TextEncoder().encode(magic) : Uint8Array.from(magic);
      assert.match(sniffForeignFormat(bytes) ?? '', pattern);
      const error = await modelError(bytes, `${what.replace(/\W+/g, '_')}.onnx`);
      assert.equal(error.code, 'MODEL_NOT_ONNX');
      assert.match(error.message, /not an ONNX model: it looks like/);
    });
  }

  it('does not mistake a real model for another format', () => {
    assert.equal(sniffForeignFormat(externalModel('weights.bin')), null);
  });
});
