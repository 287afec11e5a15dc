import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { scenarioText } from '../../src/cli/init.js';
import { inspectModelFile } from '../../src/model/inspect.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { symbolicImageModel, tokenModel, tokenModelVocabSize } from '../fixtures/models.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jb-init-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('symbolic height and width: N for the batch, flagged guesses, and the file loads back', async () => {
  const model = path.join(dir, 'image.onnx');
  await writeFile(model, symbolicImageModel());
  const { info } = await inspectModelFile(model);
  const { text, layoutProblem, symbolic } = scenarioText(info, './image.onnx', false);
  assert.equal(layoutProblem, null);
  assert.equal(symbolic, 2);
  assert.match(text, /^ {6}"x": {4}# the model says float32 \[batch, 3, height, width\]\n {8}shape: \[N, 3, 224, 224\] {4}# N is the batch\n {8}# symbolic "height" at axis 2: 224 is a guess — set the size you serve\n {8}# symbolic "width" at axis 3: 224 is a guess/m);
  const file = path.join(dir, 'image.yaml');
  await writeFile(file, text);
  const scenario = await loadScenarioFile(file);
  assert.deepEqual(scenario.models[0]!.inputs, { x: { shape: ['N', 3, 224, 224] } });
  assert.equal(scenario.models[0]!.source, model);
});

test('token ids: [N, 128] for seq and the id range read from the embedding table', async () => {
  const model = path.join(dir, 'tokens.onnx');
  await writeFile(model, tokenModel());
  const { info } = await inspectModelFile(model);
  const { text } = scenarioText(info, './tokens.onnx', false);
  const file = path.join(dir, 'tokens.yaml');
  await writeFile(file, text);
  const scenario = await loadScenarioFile(file);
  assert.deepEqual(scenario.models[0]!.inputs.input_ids, { shape: ['N', 128], range: [0, tokenModelVocabSize] });
  assert.match(await readFile(file, 'utf8'), /# symbolic "seq" at axis 1: 128 is a guess/);
});

test('a model outside the folder is written with allowOutsidePaths: true (it loads back)', async () => {
  const model = path.join(dir, 'image.onnx');
  const { info } = await inspectModelFile(model);
  const sub = path.join(dir, 'sub');
  await mkdir(sub);
  const { text } = scenarioText(info, model, true);
  await writeFile(path.join(sub, 's.yaml'), text);
  const scenario = await loadScenarioFile(path.join(sub, 's.yaml'));
  assert.equal(scenario.models[0]!.source, model);
});
