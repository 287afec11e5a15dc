// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// runScenario: the scenario flow as one library call (the CLI, bench/ and these tests use it).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { scenarioNaming } from '../../src/measure/prepare.js';
import { runScenario } from '../../src/measure/run-scenario.js';
import type { SweepEvent } from '../../src/measure/sweep.js';
import type { RunResult } from '../../src/results/types.js';
import { parseScenario } from '../../src/scenario/schema.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jb-run-scenario-'));
  process.env.JOULEBENCH_MODELS_DIR = path.join(dir, 'models');
  process.env.JOULEBENCH_CACHE_DIR = path.join(dir, 'cache');
  // 30 W every 10 ms for 60 s.
  const rows = Array.from({ length: 6001 }, (_, i) => `${(i * 0.01).toFixed(2)},30`);
  await writeFile(path.join(dir, 'flat.csv'), `t_s,watts\n${rows.join('\n')}\n`);
});
after(() => rm(dir, { recursive: true, force: true }));

test('runScenario prepares, meters, races and writes the run folder with its reports; the hooks see each stage in order', async () => {
  const scenario = parseScenario(
    { models: ['mlp'], batchSizes: [1, 8], window: { minSeconds: 0.1, minRuns: 3 }, repetitions: 3, idleSeconds: 0, warmup: { runs: 1, seconds: 0 }, meters: ['replay:flat.csv'], out: 'results', stopping: { rule: 'race', maxSeconds: 2 } },
    { file: null, baseDir: dir },
  );
  const stages: string[] = [];
  const events: SweepEvent['type'][] = [];
  const outcome = await runScenario(scenario, {
    toolVersion: 'test', naming: scenarioNaming(null), isolate: false, meterSettings: { 'powercap-root': '/nonexistent' },
    onPlanned: (plan) => void stages.push(`planned ${plan.length}`),
    onMeters: (choices, estimated) => void stages.push(`meters ${choices.filter((c) => c.chosen).map((c) => c.name).join(',')} estimated=${estimated}`),
    onEvent: (event) => void events.push(event.type),
  });
  assert.deepEqual(stages, ['planned 2', `meters replay:${path.join(dir, 'flat.csv')} estimated=false`]);
  assert.equal(events[0], 'run-dir');
  assert.ok(events.includes('round-end'), 'the race ran in rounds');
  const onDisk = JSON.parse(await readFile(outcome.resultPath, 'utf8')) as RunResult;
  assert.equal(onDisk.status, 'complete');
  assert.deepEqual(onDisk.measurements.map((m) => [m.key, m.status, m.stopping?.rule]), [['mlp/fp32/cpu/b1', 'ok', 'race'], ['mlp/fp32/cpu/b8', 'ok', 'race']]);
  // A flat 30 W meter: every window's energy is 30 W × its duration.
  for (const r of onDisk.measurements.flatMap((m) => m.repetitions)) assert.ok(Math.abs(r.energyJ - 30 * r.durationS) < 1e-9);
  for (const file of ['report.md', 'report.html', 'measurements.csv']) assert.ok(existsSync(path.join(outcome.runDir, file)), file);
});

test('runScenario with reports: false writes result.json only', async () => {
  const scenario = parseScenario(
    { models: ['mlp'], batchSizes: [1], window: { minSeconds: 0.1, minRuns: 3 }, repetitions: 2, idleSeconds: 0, warmup: { runs: 1, seconds: 0 }, meters: ['replay:flat.csv'], out: 'results2', stopping: false },
    { file: null, baseDir: dir },
  );
  const outcome = await runScenario(scenario, { toolVersion: 'test', naming: scenarioNaming(null), isolate: false, reports: false, meterSettings: { 'powercap-root': '/nonexistent' } });
  assert.ok(existsSync(outcome.resultPath));
  assert.equal(existsSync(path.join(outcome.runDir, 'report.md')), false);
  assert.equal(outcome.result.measurements[0]!.repetitions.length, 2);
});
