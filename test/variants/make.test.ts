// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { resolveBatchLayout } from '../../src/onnx/batch-axis.js';
import { describeModel } from '../../src/model/inspect.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { zoo, zooNames } from '../../src/model/zoo/index.js';
import { scenarioDefaults } from '../../src/scenario/schema.js';
import type { ConversionSpec } from '../../src/scenario/types.js';
import { syntheticCalibration } from '../../src/variants/calibration-data.js';
import { measureFidelity } from '../../src/variants/fidelity.js';
import { chooseInt8Mode, makeVariant } from '../../src/variants/make.js';

let dir: string;
const conversion: ConversionSpec = { ...scenarioDefaults.conversion, keepFp32: [] };

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jb-variants-'));
  for (const name of zooNames) await writeFile(path.join(dir, `${name}.onnx`), zoo[name].build());
});
after(() => rm(dir, { recursive: true, force: true }));

async function variantOf(name: string, precision: 'fp16' | 'int8', options: Partial<ConversionSpec> = {}, cacheDir = path.join(dir, 'cache')) {
  const sourcePath = path.join(dir, `${name}.onnx`);
  const info = describeModel(await readFile(sourcePath), sourcePath);
  const layout = resolveBatchLayout(info, {}, { shape: (input) => input });
  const made = await makeVariant({
    sourcePath, precision, conversion: { ...conversion, ...options }, calibration: syntheticCalibration(layout), opCounts: info.opCounts, toolVersion: 'test', cacheDir,
  });
  const evaluation = syntheticCalibration(layout, 2, 8, 2000);
  const variantInfo = describeModel(await readFile(made.path), made.path);
  const variantInputTypes = Object.fromEntries(variantInfo.inputs.map((input) => [input.name, input.elemType]));
  const fidelity = await measureFidelity(sourcePath, made.path, evaluation.batches, { variantInputTypes, inputs: 'synthetic' });
  return { made, fidelity };
}

for (const name of zooNames) {
  test(`every variant of the built-in ${name} loads, runs on CPU and keeps fidelity (FP16 cosine ≥ 0.999, INT8 ≥ 0.98)`, async () => {
    const fp16 = await variantOf(name, 'fp16');
    assert.ok(fp16.fidelity.cosine >= 0.999, `fp16 cosine ${fp16.fidelity.cosine}`);
    for (const mode of ['dynamic', 'static'] as const) {
      const int8 = await variantOf(name, 'int8', { int8Mode: mode });
      assert.equal(int8.made.sidecar.mode, `int8-${mode}`);
      assert.ok(int8.fidelity.cosine >= 0.98, `int8 ${mode} cosine ${int8.fidelity.cosine}`);
      assert.equal(int8.fidelity.nonFiniteValues, 0);
    }
  });
}

test('the cache: <root>/<sha256 of source>/<precision>-<params hash>.onnx, reused when the hash matches, remade when the file changed', async () => {
  const first = await variantOf('mlp', 'fp16');
  const sourceSha = first.made.sidecar.source.sha256;
  assert.equal(path.dirname(first.made.path), path.join(dir, 'cache', sourceSha));
  assert.match(path.basename(first.made.path), /^fp16-[0-9a-f]{16}\.onnx$/);
  const again = await variantOf('mlp', 'fp16');
  assert.equal(again.made.reused, true);
  assert.equal(again.made.path, first.made.path);
  // Other options, other file.
  const io = await variantOf('mlp', 'fp16', { fp16Io: true });
  assert.notEqual(io.made.path, first.made.path);
  // A damaged cached file is not trusted.
  await writeFile(first.made.path, 'garbage');
  const remade = await variantOf('mlp', 'fp16');
  assert.equal(remade.made.reused, false);
  assert.equal(remade.made.sha256, first.made.sha256);
});

test('variants are byte-identical for the same input and options (made twice in separate caches)', async () => {
  for (const precision of ['fp16', 'int8'] as const) {
    for (const name of ['cnn', 'transformer']) {
      const a = await variantOf(name, precision, {}, path.join(dir, 'cache-a'));
      const b = await variantOf(name, precision, {}, path.join(dir, 'cache-b'));
      assert.equal(b.made.reused, false);
      assert.deepEqual(await readFile(a.made.path), await readFile(b.made.path));
      assert.deepEqual(await readFile(a.made.sidecarPath), await readFile(b.made.sidecarPath));
    }
  }
});

test('the sidecar records source, options, node counts before and after, and the calibration', async () => {
  const { made } = await variantOf('cnn', 'int8');
  const sidecar = JSON.parse(await readFile(made.sidecarPath, 'utf8'));
  assert.equal(sidecar.schema, 'joulebench/variant@1');
  assert.equal(sidecar.mode, 'int8-static', 'auto picks static QDQ for a graph with Conv');
  assert.equal(sidecar.source.path, path.join(dir, 'cnn.onnx'));
  assert.deepEqual(sidecar.options, { mode: 'static', keepFp32: [], calibrationMethod: 'minmax', perChannel: true, calibration: 'synthetic-4x8-1000' });
  assert.equal(sidecar.nodes.opsBefore.BatchNormalization, 6);
  assert.equal(sidecar.nodes.opsAfter.BatchNormalization, undefined, 'folded into the convolutions');
  assert.equal(sidecar.nodes.opsAfter.QuantizeLinear, 13);
  assert.deepEqual(sidecar.calibration, { source: 'synthetic', samples: 32, sha256: 'synthetic-4x8-1000' });
  assert.match(sidecar.warnings.join('\n'), /synthetic inputs.*understates/);
});

test('INT8 mode auto: static for graphs with Conv, dynamic otherwise; an explicit mode wins', () => {
  assert.equal(chooseInt8Mode({ Conv: 3, Gemm: 1 }, 'auto'), 'static');
  assert.equal(chooseInt8Mode({ MatMul: 12, Softmax: 2 }, 'auto'), 'dynamic');
  assert.equal(chooseInt8Mode({ Gemm: 5 }, 'auto'), 'dynamic');
  assert.equal(chooseInt8Mode({ Conv: 3 }, 'dynamic'), 'dynamic');
});

test('a model with nothing to quantize gives the named error instead of a fake INT8 variant', async () => {
  const file = path.join(dir, 'relu.onnx');
  await writeFile(file, new GraphBuilder('g').input('x', 'float32', ['N', 4]).node('Relu', ['x'], ['y']).output('y', 'float32', ['N', 4]).build());
  const info = describeModel(await readFile(file), file);
  await assert.rejects(
    makeVariant({ sourcePath: file, precision: 'int8', conversion, calibration: null, opCounts: info.opCounts, toolVersion: 'test', cacheDir: path.join(dir, 'cache') }),
    { code: 'VARIANT_NOTHING_TO_QUANTIZE' },
  );
});
