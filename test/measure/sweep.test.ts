import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { Ajv } from 'ajv';
import { prepareModels, scenarioNaming } from '../../src/measure/prepare.js';
import { runSweep, type SweepEvent } from '../../src/measure/sweep.js';
import { resolveMeters } from '../../src/power/registry.js';
import type { RunResult } from '../../src/results/types.js';
import { expandPlan } from '../../src/scenario/expand.js';
import { parseScenario } from '../../src/scenario/schema.js';
import { GraphBuilder } from '../../src/model/onnx-builder.js';
import { fixedBatchModel } from '../fixtures/models.js';

let dir = '';

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jb-sweep-'));
  process.env.JOULEBENCH_MODELS_DIR = path.join(dir, 'models');
  // 40 W, sampled every 10 ms (a window of 0.1 s is then 10 periods).
  const rows = Array.from({ length: 101 }, (_, i) => `${(i * 0.01).toFixed(2)},40`);
  await writeFile(path.join(dir, 'flat.csv'), `t_s,watts\n${rows.join('\n')}\n`);
  await writeFile(path.join(dir, 'fixed.onnx'), fixedBatchModel());
  const broken = new GraphBuilder('g').input('x', 'float32', ['N', 4]).output('y', 'float32', ['N', 4]).node('NoSuchOp', ['x'], ['y']).build();
  await writeFile(path.join(dir, 'broken.onnx'), broken);
});

async function sweep(raw: Record<string, unknown>, onEvent?: (event: SweepEvent) => void, signal?: AbortSignal) {
  const scenario = parseScenario(
    {
      window: { minSeconds: 0.1, minRuns: 3 }, repetitions: 2, idleSeconds: 0.2, warmup: { runs: 1, seconds: 0 },
      meters: ['replay:flat.csv'], out: 'results', ...raw,
    },
    { file: null, baseDir: dir },
  );
  const models = await prepareModels(scenario, scenarioNaming(null));
  const { meters, choices } = await resolveMeters(scenario.meters, { cpuTdpWatts: null, baseDir: dir, powercapRoot: '/nonexistent', gpus: null });
  return runSweep({ scenario, plan: expandPlan(scenario), models, meters, meterChoices: choices, toolVersion: 'test', onEvent, signal });
}

test('a sweep records ok, skipped and failed configurations, and the result matches the published JSON Schema', async () => {
  const savedCounts: number[] = [];
  let resultFile = '';
  const outcome = await sweep(
    {
      models: [{ model: 'mlp' }, { model: './fixed.onnx', name: 'fixed' }, { model: './broken.onnx', name: 'broken' }],
      batchSizes: [1, 4],
      precisions: ['fp32', 'fp16'],
    },
    (event) => {
      if (event.type === 'run-dir') resultFile = path.join(event.runDir, 'result.json');
      // result.json on disk already holds the configuration that just ended (rewritten after every one).
      if (event.type === 'config-end') savedCounts.push((JSON.parse(readFileSync(resultFile, 'utf8')) as RunResult).measurements.length);
    },
  );
  const result = outcome.result;
  assert.equal(outcome.resultPath, resultFile);
  assert.equal(result.status, 'complete');
  const byKey = Object.fromEntries(result.measurements.map((m) => [m.key, m]));
  assert.deepEqual(Object.keys(byKey), [
    'mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b4', 'mlp/fp16/cpu/b1', 'mlp/fp16/cpu/b4',
    'fixed/fp32/cpu/b1', 'fixed/fp32/cpu/b4', 'fixed/fp16/cpu/b1', 'fixed/fp16/cpu/b4',
    'broken/fp32/cpu/b1', 'broken/fp32/cpu/b4', 'broken/fp16/cpu/b1', 'broken/fp16/cpu/b4',
  ]);
  assert.deepEqual(savedCounts, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

  const ok = byKey['mlp/fp32/cpu/b4']!;
  assert.equal(ok.status, 'ok');
  assert.equal(ok.repetitions.length, 2);
  for (const rep of ok.repetitions) {
    assert.equal(rep.samples, rep.runs * 4);
    assert.ok(rep.durationS >= 0.1);
    assert.ok(Math.abs(rep.energyJ - 40 * rep.durationS) < 1e-9, 'a flat 40 W trace gives 40 J per second');
  }
  const samples = ok.repetitions.reduce((s, r) => s + r.samples, 0);
  const joules = ok.repetitions.reduce((s, r) => s + r.energyJ, 0);
  assert.ok(Math.abs(ok.energy!.joulesPerSample - joules / samples) < 1e-15);
  assert.ok(Math.abs(ok.power!.meanWatts - 40) < 1e-9);
  assert.ok(Math.abs(result.idle!.watts.replay! - 40) < 1e-9);
  assert.ok(Math.abs(ok.energy!.netJoulesPerSample!) < 1e-12);
  assert.equal(ok.trace, 'traces/mlp__fp32__cpu__b4.csv');
  const trace = await readFile(path.join(outcome.runDir, ok.trace!), 'utf8');
  assert.match(trace, /^t_s,meter,watts\n[\d.]+,replay,40\.000\n/);

  assert.equal(byKey['mlp/fp16/cpu/b1']!.status, 'skipped');
  assert.equal(byKey['mlp/fp16/cpu/b1']!.error!.code, 'NO_VARIANT');
  assert.equal(byKey['fixed/fp32/cpu/b1']!.status, 'ok');
  assert.equal(byKey['fixed/fp32/cpu/b4']!.status, 'skipped');
  assert.equal(byKey['fixed/fp32/cpu/b4']!.error!.code, 'FIXED_BATCH');
  assert.equal(byKey['broken/fp32/cpu/b1']!.status, 'failed');
  assert.match(byKey['broken/fp32/cpu/b1']!.error!.message, /NoSuchOp/);
  assert.equal(byKey['broken/fp32/cpu/b4']!.status, 'failed', 'the session error is recorded for every batch of the group');

  const schema = JSON.parse(await readFile(new URL('../../schema/result.schema.json', import.meta.url), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  const onDisk = JSON.parse(await readFile(resultFile, 'utf8')) as RunResult;
  assert.ok(validate(onDisk), JSON.stringify(validate.errors, null, 2));
  assert.deepEqual(onDisk.measurements.map((m) => m.key), Object.keys(byKey));
  assert.deepEqual(result.recommendations.map((r) => r.model), ['mlp', 'fixed']);
});

test('an aborted sweep keeps every finished configuration and says it was interrupted', async () => {
  const controller = new AbortController();
  const outcome = await sweep({ models: ['mlp'], batchSizes: [1, 2, 4] }, (event) => {
    if (event.type === 'config-end' && event.index === 1) controller.abort();
  }, controller.signal);
  assert.equal(outcome.result.status, 'interrupted');
  assert.equal(outcome.result.stopReason, 'interrupted by signal');
  assert.deepEqual(outcome.result.measurements.map((m) => m.key), ['mlp/fp32/cpu/b1']);
  const onDisk = JSON.parse(await readFile(outcome.resultPath, 'utf8')) as RunResult;
  assert.equal(onDisk.status, 'interrupted');
  assert.equal(onDisk.measurements.length, 1);
  assert.deepEqual(await readdir(path.join(outcome.runDir, 'traces')), ['mlp__fp32__cpu__b1.csv']);
});
