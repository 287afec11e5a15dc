// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// A publisher's FP16 and INT8 files listed under `variants:` next to the FP32 original are measured with fidelity
// against it; a reduced file given as the FP32 source is said to be one, and is never reduced again.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { prepareModels, scenarioNaming, type PrepareEvent } from '../../src/measure/prepare.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { parseScenario } from '../../src/scenario/schema.js';
import { convertToFloat16, defaultFp16Options } from '../../src/variants/fp16.js';
import { quantizeDynamic } from '../../src/variants/int8-dynamic.js';
import { decodeModel, encodeModel } from '../../src/onnx/proto.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jb-published-'));
  const weights = Float32Array.from({ length: 256 }, (_, i) => Math.sin(i) / 4);
  const fp32 = new GraphBuilder('g')
    .input('x', 'float32', ['N', 16])
    .initializer('W', [16, 16], weights)
    .node('MatMul', ['x', 'W'], ['y'], {}, 'mm')
    .output('y', 'float32', ['N', 16])
    .build({ opset: 13 });
  await writeFile(path.join(dir, 'model.onnx'), fp32);
  const half = decodeModel(fp32, 'model.onnx');
  convertToFloat16(half, defaultFp16Options);
  await writeFile(path.join(dir, 'model.fp16.onnx'), encodeModel(half));
  const int8 = decodeModel(fp32, 'model.onnx');
  quantizeDynamic(int8, { keepFp32: [] });
  await writeFile(path.join(dir, 'model.int8.onnx'), encodeModel(int8));
});
after(async () => rm(dir, { recursive: true, force: true }));

async function prepare(model: Record<string, unknown>, precisions: string[]) {
  const events: PrepareEvent[] = [];
  const scenario = parseScenario({ models: [model], precisions, batchSizes: [1], out: 'results' }, { file: null, baseDir: dir });
  const [prepared] = await prepareModels(scenario, scenarioNaming(null), { toolVersion: 'test', cacheDir: path.join(dir, 'cache'), onEvent: (event) => events.push(event) });
  return { prepared: prepared!, warnings: events.flatMap((event) => (event.type === 'warning' ? [event.message] : [])) };
}

test("the publisher's FP16 and INT8 files are measured against the FP32 original, each detected as what it is", async () => {
  const { prepared, warnings } = await prepare({ model: 'model.onnx', variants: { fp16: 'model.fp16.onnx', int8: 'model.int8.onnx' } }, ['fp32', 'fp16', 'int8']);
  assert.deepEqual(warnings, []);
  assert.equal(prepared.variants.fp32!.info.detectedPrecision, 'fp32');
  assert.equal(prepared.variants.fp16!.info.detectedPrecision, 'fp16');
  assert.equal(prepared.variants.int8!.info.detectedPrecision, 'int8');
  assert.equal(prepared.variants.fp16!.made, null, 'the listed file, not one joulebench made');
  assert.ok(prepared.variants.fp16!.fidelity!.cosine > 0.999);
  assert.ok(prepared.variants.int8!.fidelity!.cosine > 0.98);
});

test('an FP16 file given as the FP32 source: a warning, and no FP16 variant made from it (skipped, with what to do)', async () => {
  const { prepared, warnings } = await prepare({ model: 'model.fp16.onnx' }, ['fp32', 'fp16']);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /listed as the FP32 source, is already fp16 .*list the FP32 original as the source and this file under variants\.fp16/);
  assert.equal(prepared.variantErrors.fp16!.code, 'VARIANT_SOURCE_ALREADY_REDUCED');
  assert.match(prepared.variantErrors.fp16!.message, /is already fp16/);
});

test('a file listed under the wrong precision is named in a warning', async () => {
  const { warnings } = await prepare({ model: 'model.onnx', variants: { int8: 'model.fp16.onnx' } }, ['fp32', 'int8']);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /listed under variants\.int8, is fp16 by its graph/);
});
