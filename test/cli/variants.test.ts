// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: `joulebench variants`, `bench --precision fp16,int8` (variants made on the fly) and their bad inputs.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { encodeNpy } from '../../src/variants/npy.js';
import { assertBadInput, ensureBuilt, fastFlags, onlyRunDir, readResult, removeDir, runCli, tempDir, writeReplayTrace } from './helpers.js';

describe('variants on the command line', { timeout: 180_000 }, () => {
  let work: string;
  let modelsDir: string;
  before(async () => {
    await ensureBuilt();
    work = await tempDir('variants');
    modelsDir = path.join(work, 'models');
  });
  after(() => removeDir(work));
  const cli = (args: string[]) => runCli(args, { cwd: work, modelsDir });

  test('variants mlp --json: both variants made into the cache, with fidelity; a second call reuses them', async () => {
    const first = await cli(['variants', 'mlp', '--out', 'vcache', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const made = JSON.parse(first.stdout);
    assert.deepEqual(made.variants.map((v: { precision: string; status: string; mode: string; reused: boolean }) => [v.precision, v.status, v.mode, v.reused]), [
      ['fp16', 'ok', 'fp16', false],
      ['int8', 'ok', 'int8-dynamic', false],
    ]);
    for (const variant of made.variants) {
      assert.ok(variant.path.startsWith(path.join(work, 'vcache')));
      assert.ok(variant.fidelity.cosine >= (variant.precision === 'fp16' ? 0.999 : 0.98));
    }
    assert.deepEqual(made.variants[1].nodes.opsAfter.MatMulInteger, 5, 'the five Gemms of mlp');
    const second = JSON.parse((await cli(['variants', 'mlp', '--out', 'vcache', '--json'])).stdout);
    assert.deepEqual(second.variants.map((v: { reused: boolean }) => v.reused), [true, true]);
    assert.deepEqual(await readFile(second.variants[1].path), await readFile(made.variants[1].path));
  });

  test('variants with calibration data and labels reports accuracy against FP32', async () => {
    const samples = Array.from({ length: 6 }, (_, s) => Array.from({ length: 1024 }, (_, i) => Math.sin(s * 31 + i * 0.7)));
    await writeFile(path.join(work, 'calib.json'), JSON.stringify(samples.map((x) => ({ x }))));
    await writeFile(path.join(work, 'labels.txt'), '0\n1\n2\n3\n4\n5\n');
    const result = await cli(['variants', 'mlp', '--precision', 'int8', '--out', 'vcache', '--calibration', 'calib.json', '--labels', 'labels.txt', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const fidelity = JSON.parse(result.stdout).variants[0].fidelity;
    assert.equal(fidelity.samples, 6);
    assert.equal(fidelity.inputs, 'calibration');
    assert.equal(typeof fidelity.accuracy, 'number');
    assert.equal(typeof fidelity.referenceAccuracy, 'number');
  });

  test('bench --precision fp32,fp16,int8 measures the variants it made, with fidelity in result.json', async () => {
    await writeReplayTrace(work, 'flat.csv', 60, () => 30);
    const result = await cli(['bench', 'cnn', '--precision', 'fp32,fp16,int8', '--batch', '2', '--meter', 'replay:flat.csv', '--out', 'runs', '--min-cosine', '0.99', ...fastFlags]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /variant made: cnn\/int8 \(int8-static\)/);
    assert.match(result.stderr, /fidelity cnn\/int8 vs fp32 \(32 synthetic samples\): cosine 0\.99/);
    const run = await readResult(await onlyRunDir(path.join(work, 'runs')));
    const byKey = Object.fromEntries(run.measurements.map((m) => [m.key, m]));
    assert.equal(byKey['cnn/fp32/cpu/b2']!.fidelity, null, 'FP32 is the reference');
    for (const key of ['cnn/fp16/cpu/b2', 'cnn/int8/cpu/b2']) {
      assert.equal(byKey[key]!.status, 'ok');
      assert.equal(byKey[key]!.fidelity!.withinBounds, true);
      assert.equal(byKey[key]!.model.variantOf, 'cnn');
    }
    assert.equal(byKey['cnn/int8/cpu/b2']!.model.conversion!.mode, 'int8-static');
  });

  test('bad input: an unknown INT8 mode, missing calibration data, and a model with nothing to quantize', async () => {
    assertBadInput(await cli(['variants', 'mlp', '--int8-mode', 'fast']), '--int8-mode', 'expected auto, dynamic or static');
    assertBadInput(await cli(['variants', 'mlp', '--calibration', 'nope/']), '--calibration', 'nope', 'no such file or folder');
    await writeFile(path.join(work, 'shape.json'), JSON.stringify([{ x: [1, 2, 3] }]));
    assertBadInput(await cli(['variants', 'mlp', '--calibration', 'shape.json']), 'shape.json[0]', 'input "x"');
    await writeFile(path.join(work, 'relu.onnx'), new GraphBuilder('g').input('x', 'float32', ['N', 4]).node('Relu', ['x'], ['y']).output('y', 'float32', ['N', 4]).build());
    const relu = await cli(['variants', 'relu.onnx', '--precision', 'int8', '--out', 'vcache']);
    assert.equal(relu.code, 2, relu.stderr);
    assert.match(relu.stdout, /int8: not made — .*found no MatMul, Gemm or Conv/);
  });

  test('a .npy calibration folder for static INT8', async () => {
    const folder = path.join(work, 'npy');
    await (await import('node:fs/promises')).mkdir(folder);
    for (let i = 0; i < 3; i++) await writeFile(path.join(folder, `${i}.npy`), encodeNpy(Array.from({ length: 3 * 64 * 64 }, (_, j) => Math.cos(i + j)), [3, 64, 64]));
    const result = await cli(['variants', 'cnn', '--precision', 'int8', '--int8-mode', 'static', '--calibration-method', 'percentile', '--calibration', 'npy', '--out', 'vcache', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const [variant] = JSON.parse(result.stdout).variants;
    assert.equal(variant.mode, 'int8-static');
    assert.equal(variant.fidelity.samples, 3);
    assert.deepEqual(variant.warnings.filter((w: string) => /synthetic/.test(w)), [], 'real calibration data: no synthetic warning');
  });
});
