// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { describePrepareEvent } from '../../src/cli/terminal.js';
import { prepareModels, scenarioNaming, type PrepareEvent } from '../../src/measure/prepare.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { parseScenario } from '../../src/scenario/schema.js';
import { conversionRecord } from '../../src/variants/make.js';
import { Ajv } from 'ajv';
import { syntheticResult } from '../fixtures/synthetic-results.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jb-prepare-search-'));
  // logits = x + [2049, 2048, 2048, 2048]: FP16 rounds 2049 to 2048 and the Softmax loses class 0's lead
  // (cosine 0.887 at x = 0, test/variants/mixed-precision.test.ts), far below the default minCosine 0.99.
  await writeFile(path.join(dir, 'softmax.onnx'), new GraphBuilder('g')
    .input('x', 'float32', ['N', 4])
    .node('Mul', ['x', 'tiny'], ['small'], {}, 'shrink')
    .initializer('tiny', [], Float32Array.from([0.001]))
    .initializer('c', [4], Float32Array.from([2049, 2048, 2048, 2048]))
    .node('Add', ['small', 'c'], ['z'], {}, 'logits')
    .node('Softmax', ['z'], ['y'], { axis: 1 }, 'softmax')
    .output('y', 'float32', ['N', 4])
    .build());
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const prepare = async (events: PrepareEvent[]) => {
  const scenario = parseScenario({ models: ['softmax.onnx'], precisions: ['fp32', 'fp16'] }, { file: path.join(dir, 's.yaml'), baseDir: dir });
  const [model] = await prepareModels(scenario, scenarioNaming(null), { toolVersion: 'test', cacheDir: path.join(dir, 'cache'), onEvent: (event) => events.push(event) });
  return model!.variants.fp16!;
};

test('prepare: plain FP16 misses the default bound, the search keeps the logits in FP32, and the repaired variant is measured', async () => {
  const events: PrepareEvent[] = [];
  const fp16 = await prepare(events);
  assert.deepEqual(events.map((event) => event.type), ['variant', 'fidelity', 'precision-search', 'fidelity']);
  const [, plain, search] = events as [PrepareEvent, Extract<PrepareEvent, { type: 'fidelity' }>, Extract<PrepareEvent, { type: 'precision-search' }>];
  assert.equal(plain.fidelity.withinBounds, false);
  assert.deepEqual(search.search.kept, [{ node: 'logits', op: 'Add', reason: 'feeds Softmax' }]);
  assert.match(describePrepareEvent(search), /^fp16 softmax: 1 node kept in FP32 \(Add\) to meet minCosine 0\.99, minTop1Agreement 0\.99; 3 fidelity evaluations \(at most 8\), [\d.]+ s → /); // 3 candidates: ⌊2·log2 3⌋ + 5 = 8
  assert.equal(fp16.fidelity!.withinBounds, true);
  assert.equal(fp16.path, search.made!.path);
  assert.deepEqual(conversionRecord(fp16.made!).precisionSearch!.kept, search.search.kept);
  // result.json's model.conversion with the search validates against schema/result.schema.json.
  const result = syntheticResult({ estimated: true, measurements: [{ model: 'softmax', precision: 'fp16', samplesPerJoule: [1, 1] }] });
  result.measurements[0]!.model.conversion = conversionRecord(fp16.made!);
  result.measurements[0]!.fidelity = fp16.fidelity;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(await readFile(new URL('../../schema/result.schema.json', import.meta.url), 'utf8')));
  assert.ok(validate(JSON.parse(JSON.stringify(result))), JSON.stringify(validate.errors, null, 2));

  // Second run: the variant and the search come from the cache.
  const again: PrepareEvent[] = [];
  const cached = await prepare(again);
  const second = again.find((event) => event.type === 'precision-search') as Extract<PrepareEvent, { type: 'precision-search' }>;
  assert.equal(second.reused, true);
  assert.equal(second.made!.reused, true);
  assert.match(describePrepareEvent(second), /search reused from the cache/);
  assert.equal(cached.path, fp16.path);
});
