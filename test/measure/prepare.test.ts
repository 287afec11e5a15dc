// @integration — loads onnxruntime-node (the provider check before preparing); no session is created on this path
// Before anything is measured (src/measure/prepare.ts): which variant errors mean "skipped", how settings are named in
// messages, and prepareModels on FP32-only scenarios: built-ins and files read and laid out, bad input (an unknown
// provider, a missing file, duplicate names, labels without data) refused up front, a variant file that cannot be read
// recorded as data. Making and searching variants: test/measure/prepare-search.test.ts and test/variants/.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExitCode, ModelError } from '../../src/errors.js';
import { prepareModels, scenarioNaming, variantErrorIsSkip, type PrepareEvent } from '../../src/measure/prepare.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { parseScenario } from '../../src/scenario/schema.js';
import type { Scenario } from '../../src/scenario/types.js';
import { rejectedInputError } from '../fixtures/errors.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jb-prepare-'));
const savedModelsDir = process.env.JOULEBENCH_MODELS_DIR;
const tiny = path.join(dir, 'tiny.onnx');
before(() => {
  process.env.JOULEBENCH_MODELS_DIR = path.join(dir, 'models');
  writeFileSync(tiny, new GraphBuilder('tiny').input('x', 'float32', ['N', 4]).node('Relu', ['x'], ['y'], {}, 'relu').output('y', 'float32', ['N', 4]).build());
});
after(() => {
  if (savedModelsDir === undefined) delete process.env.JOULEBENCH_MODELS_DIR;
  else process.env.JOULEBENCH_MODELS_DIR = savedModelsDir;
  rmSync(dir, { recursive: true, force: true });
});

const scenario = (raw: Record<string, unknown>): Scenario => parseScenario({ precisions: ['fp32'], ...raw }, { file: null, baseDir: dir });
const options = { toolVersion: 'test', cacheDir: path.join(dir, 'cache') };

test('variantErrorIsSkip: "does not apply to this model" codes are skips; anything else is a failure', () => {
  for (const code of ['VARIANT_NOTHING_TO_CONVERT', 'VARIANT_NOTHING_TO_QUANTIZE', 'VARIANT_OPSET_TOO_OLD', 'VARIANT_OPSET_UPGRADE', 'VARIANT_SOURCE_ALREADY_REDUCED']) {
    assert.equal(variantErrorIsSkip(code), true, code);
  }
  for (const code of ['MODEL_NOT_FOUND', 'OUT_OF_MEMORY', 'VARIANT_TENSOR_TYPE', '']) assert.equal(variantErrorIsSkip(code), false, code);
});

test('scenarioNaming: scenario fields, prefixed with the file when there is one', () => {
  const bare = scenarioNaming(null);
  assert.equal(bare.model(0).shape('x'), 'models[0].inputs.x.shape: ');
  assert.equal(bare.executionProvider(2), 'executionProviders[2]');
  const named = scenarioNaming('sweep.yaml');
  assert.equal(named.model(1).shape('input_ids'), 'sweep.yaml: models[1].inputs.input_ids.shape: ');
  assert.equal(named.executionProvider(0), 'sweep.yaml: executionProviders[0]');
});

describe('prepareModels, FP32 only', () => {
  test('a file and a built-in: read, laid out, no fidelity and nothing made; no events', async () => {
    const events: PrepareEvent[] = [];
    const models = await prepareModels(scenario({ models: [{ name: 'tiny', model: tiny }, 'cnn'] }), scenarioNaming(null), { ...options, onEvent: (event) => events.push(event) });
    assert.deepEqual(models.map((model) => [model.spec.name, model.builtin]), [['tiny', null], ['cnn', 'cnn']]);
    const fp32 = models[0]!.variants.fp32!;
    assert.equal(fp32.precision, 'fp32');
    assert.equal(fp32.path, tiny);
    assert.deepEqual(fp32.info.inputs.map((input) => input.name), ['x']);
    assert.equal(fp32.layout.fixedBatch, null);
    assert.equal(fp32.fidelity, null);
    assert.equal(fp32.made, null);
    assert.deepEqual(models[0]!.variantErrors, {});
    assert.deepEqual(Object.keys(models[0]!.variants), ['fp32']);
    assert.equal(models[1]!.variants.fp32!.path, path.join(dir, 'models', 'cnn.onnx'), 'the built-in written to JOULEBENCH_MODELS_DIR');
    assert.deepEqual(events, []);
  });

  test('an unknown provider is refused before any model is read, named by its scenario field', async () => {
    const missing = path.join(dir, 'never-read.onnx');
    const error = await rejectedInputError(prepareModels(scenario({ models: [{ name: 'm', model: missing }], executionProviders: ['cpu', 'cdua'] }), scenarioNaming('sweep.yaml'), options));
    assert.equal(error.code, 'EP_UNKNOWN');
    assert.match(error.message, /^sweep\.yaml: executionProviders\[1\]: unknown execution provider "cdua"; .* did you mean "cuda"\?$/);
  });

  test('a missing model file: MODEL_NOT_FOUND naming it', async () => {
    const missing = path.join(dir, 'gone.onnx');
    await assert.rejects(prepareModels(scenario({ models: [{ name: 'gone', model: missing }] }), scenarioNaming(null), options), (error: unknown) => {
      assert.ok(error instanceof ModelError);
      assert.equal(error.code, 'MODEL_NOT_FOUND');
      assert.equal(error.message, `model file not found: ${missing}`);
      return true;
    });
  });

  test('two models of one name: MODEL_NAME_DUPLICATE, with the fix', async () => {
    const parsed = scenario({ models: [{ name: 'tiny', model: tiny }, { name: 'other', model: tiny }] });
    const twice: Scenario = { ...parsed, models: parsed.models.map((spec) => ({ ...spec, name: 'tiny' })) };
    const error = await rejectedInputError(prepareModels(twice, scenarioNaming(null), options));
    assert.equal(error.code, 'MODEL_NAME_DUPLICATE');
    assert.equal(error.exitCode, ExitCode.badInput);
    assert.equal(error.message, 'two models are named "tiny": give one a different name');
  });
});

describe('prepareModels with a reduced precision', () => {
  test('labels without calibration data to label: LABELS_WITHOUT_DATA naming the field and the flag', async () => {
    const labels = path.join(dir, 'labels.txt');
    writeFileSync(labels, '0\n1\n2\n3\n');
    const parsed = scenario({ models: [{ name: 'tiny', model: tiny }], precisions: ['fp32', 'fp16'] });
    const withLabels: Scenario = { ...parsed, models: [{ ...parsed.models[0]!, labels }] };
    const error = await rejectedInputError(prepareModels(withLabels, scenarioNaming(null), options));
    assert.equal(error.code, 'LABELS_WITHOUT_DATA');
    assert.equal(error.message, 'models[0].labels needs calibration data to label (models[0].calibration / --calibration)');
  });

  test('a variant file that cannot be read is data: recorded under its precision, with an event; FP32 still prepared', async () => {
    const missing = path.join(dir, 'tiny.fp16.onnx');
    const events: PrepareEvent[] = [];
    const [model] = await prepareModels(
      scenario({ models: [{ name: 'tiny', model: tiny, variants: { fp16: missing } }], precisions: ['fp32', 'fp16'] }),
      scenarioNaming(null),
      { ...options, onEvent: (event) => events.push(event) },
    );
    assert.deepEqual(Object.keys(model!.variants), ['fp32']);
    assert.deepEqual(model!.variantErrors, { fp16: { code: 'MODEL_NOT_FOUND', message: `model file not found: ${missing}` } });
    assert.deepEqual(events, [{ type: 'variant-failed', model: 'tiny', precision: 'fp16', code: 'MODEL_NOT_FOUND', message: `model file not found: ${missing}` }]);
  });
});
