import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { resolveBatchLayout } from '../../src/onnx/batch-axis.js';
import { describeModel } from '../../src/model/inspect.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { loadCalibration, loadLabels } from '../../src/variants/calibration-data.js';
import { encodeNpy, parseNpy } from '../../src/variants/npy.js';

let dir: string;
before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'jb-calib-'))));
after(() => rm(dir, { recursive: true, force: true }));

const oneInput = resolveBatchLayout(
  describeModel(new GraphBuilder('g').input('x', 'float32', ['N', 3]).node('Relu', ['x'], ['y']).output('y', 'float32', ['N', 3]).build(), 'm.onnx'),
  {}, { shape: (i) => i },
);
const twoInputs = resolveBatchLayout(
  describeModel(new GraphBuilder('g').input('ids', 'int64', ['batch', 4]).input('mask', 'int64', ['batch', 4]).node('Add', ['ids', 'mask'], ['y']).output('y', 'int64', ['batch', 4]).build(), 'm.onnx'),
  {}, { shape: (i) => i },
);

test('.npy round trip: header, shape and little-endian values', () => {
  const array = parseNpy(encodeNpy([1.5, -2, 3, 4, 5, 6], [2, 3]), 'a.npy');
  assert.deepEqual(array, { dtype: 'f4', shape: [2, 3], values: Float64Array.from([1.5, -2, 3, 4, 5, 6]) });
  assert.deepEqual(parseNpy(encodeNpy([7, 8], [2], 'i8'), 'b.npy').values, Float64Array.from([7, 8]));
});

test('.npy that is not one, truncated or Fortran-ordered gets a named error', () => {
  assert.throws(() => parseNpy(new TextEncoder().encode('not numpy at all'), 'x.npy'), { code: 'CALIBRATION_NPY_INVALID', message: /x\.npy: .*magic/ });
  const bytes = encodeNpy([1, 2, 3, 4], [4]);
  assert.throws(() => parseNpy(bytes.subarray(0, bytes.length - 3), 'x.npy'), { message: /truncated/ });
  const fortran = new TextDecoder('latin1').decode(bytes).replace("'fortran_order': False", "'fortran_order': True ");
  assert.throws(() => parseNpy(Uint8Array.from(fortran, (c) => c.charCodeAt(0)), 'x.npy'), { message: /Fortran order/ });
});

test('a folder of .npy files for a one-input model: one sample (no batch axis) or a batch per file', async () => {
  const folder = path.join(dir, 'one');
  await mkdir(folder);
  await writeFile(path.join(folder, 'a.npy'), encodeNpy([1, 2, 3], [3]));
  await writeFile(path.join(folder, 'b.npy'), encodeNpy([4, 5, 6, 7, 8, 9], [2, 3]));
  const set = await loadCalibration(folder, oneInput);
  assert.equal(set.samples, 3);
  assert.deepEqual(set.batches.map((b) => b.x!.dims), [[1, 3], [2, 3]]);
  assert.deepEqual(Array.from(set.batches[1]!.x!.data as Float32Array), [4, 5, 6, 7, 8, 9]);
  assert.match(set.sha256, /^[0-9a-f]{64}$/);
});

test('several inputs: one <input>.npy per input holding every sample, converted to the input\'s type', async () => {
  const folder = path.join(dir, 'two');
  await mkdir(folder);
  await writeFile(path.join(folder, 'ids.npy'), encodeNpy([1, 2, 3, 4, 5, 6, 7, 8], [2, 4], 'i8'));
  await writeFile(path.join(folder, 'mask.npy'), encodeNpy([1, 1, 1, 1, 1, 1, 0, 0], [2, 4], 'i8'));
  const set = await loadCalibration(folder, twoInputs);
  assert.equal(set.samples, 2);
  assert.equal(set.batches[0]!.ids!.type, 'int64');
  assert.deepEqual(Array.from(set.batches[0]!.mask!.data as BigInt64Array), [1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n]);
});

test('a JSON list of samples; a wrong shape names the sample and the expected shape', async () => {
  const file = path.join(dir, 'samples.json');
  await writeFile(file, JSON.stringify([{ x: [1, 2, 3] }, [4, 5, 6]]));
  const set = await loadCalibration(file, oneInput);
  assert.equal(set.samples, 2);
  await writeFile(file, JSON.stringify([{ x: [1, 2] }]));
  await assert.rejects(loadCalibration(file, oneInput), { code: 'CALIBRATION_SHAPE', message: /samples\.json\[0\]: 2 values \(shape \[2\]\) do not fill whole samples of input "x", which takes \[N, 3\]/ });
  await assert.rejects(loadCalibration(path.join(dir, 'missing'), oneInput), { code: 'CALIBRATION_NOT_FOUND' });
});

test('labels: a JSON list or one per line, exactly one per sample', async () => {
  const file = path.join(dir, 'labels.txt');
  await writeFile(file, '3\n0\n7\n');
  assert.deepEqual(await loadLabels(file, 3), [3, 0, 7]);
  await assert.rejects(loadLabels(file, 4), { code: 'LABELS_COUNT', message: /3 labels for 4 calibration samples/ });
  await writeFile(file, '[1, -2]');
  await assert.rejects(loadLabels(file, 2), { code: 'LABELS_INVALID' });
});
