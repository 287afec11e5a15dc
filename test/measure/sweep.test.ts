// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { Ajv } from 'ajv';
import { prepareModels, scenarioNaming } from '../../src/measure/prepare.js';
import { findProvider } from '../../src/runtime/providers/registry.js';
import { runSweep, type SweepEvent } from '../../src/measure/sweep.js';
import { resolveMeters } from '../../src/power/registry.js';
import type { RunResult } from '../../src/results/types.js';
import type { PowerMeter, PowerSample } from '../../src/power/types.js';
import { expandPlan } from '../../src/scenario/expand.js';
import { parseScenario } from '../../src/scenario/schema.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { fixedBatchModel } from '../fixtures/models.js';

let dir = '';

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jb-sweep-'));
  process.env.JOULEBENCH_MODELS_DIR = path.join(dir, 'models');
  process.env.JOULEBENCH_CACHE_DIR = path.join(dir, 'cache');
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
      meters: ['replay:flat.csv'], out: 'results', stopping: false, ...raw,
    },
    { file: null, baseDir: dir },
  );
  const models = await prepareModels(scenario, scenarioNaming(null));
  const { meters, choices } = await resolveMeters(scenario.meters, { cpuTdpWatts: null, baseDir: dir, settings: { 'powercap-root': '/nonexistent' }, gpus: null });
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
  assert.match(trace, /^t_s,meter,device,watts,context\n[\d.]+,replay,,40\.000,\n/);

  // FP16 variants are made on the fly: mlp's runs, with its fidelity; the broken model's cannot run anywhere.
  const fp16 = byKey['mlp/fp16/cpu/b1']!;
  assert.equal(fp16.status, 'ok');
  assert.equal(fp16.model.conversion?.mode, 'fp16');
  assert.ok(fp16.model.path!.startsWith(path.join(dir, 'cache', 'variants')));
  assert.ok(fp16.fidelity!.cosine >= 0.999, `fp16 cosine ${fp16.fidelity!.cosine}`);
  assert.equal(fp16.fidelity!.withinBounds, true, 'FP16 of the MLP is within the default fidelity bounds');
  assert.equal(byKey['fixed/fp16/cpu/b1']!.status, 'ok');
  assert.equal(byKey['fixed/fp16/cpu/b4']!.error!.code, 'FIXED_BATCH');
  assert.equal(byKey['broken/fp16/cpu/b1']!.status, 'failed');
  assert.equal(byKey['broken/fp16/cpu/b1']!.error!.code, 'FIDELITY_SESSION_FAILED');
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
  // Every window records the p99 of its own runs: between the fastest and the slowest run of the configuration.
  for (const m of onDisk.measurements.filter((x) => x.status === 'ok')) {
    for (const r of m.repetitions) assert.ok(r.p99Ms! > 0 && r.p99Ms! <= m.latencyMs!.max + 1e-9, `${m.key}: window p99 ${r.p99Ms} vs max ${m.latencyMs!.max}`);
  }
});

test('an aborted sweep keeps every finished configuration and says it was interrupted', async () => {
  // Sequential fixed windows: b1 is recorded once its windows are done; the abort then stops b2 before its first
  // window, so b2 (nothing measured) and the second model are left for --resume.
  const controller = new AbortController();
  const outcome = await sweep({ models: ['mlp', 'cnn'], batchSizes: [1, 2] }, (event) => {
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

// A 30 W meter that dies `dieAfterMs` after its first start; restart() succeeds `restarts` times.
class FlakyMeter implements PowerMeter {
  readonly info = { id: 'flaky', kind: 'flaky', scope: 'test', device: 'cpu', periodMs: 10, estimated: false, sampleKind: 'instant' as const, detail: 'test' };
  private readonly recorded: PowerSample[] = [];
  private startedMs = 0;
  private dead: Error | null = null;
  restartCalls = 0;
  constructor(private readonly dieAfterMs: number, private restarts: number) {}
  async start() { this.startedMs = performance.now(); this.dead = null; }
  async stop() {}
  samples() { return this.recorded; }
  async sampleAfter(tMs: number) {
    if (this.dead) return;
    if (this.restartCalls === 0 && performance.now() - this.startedMs > this.dieAfterMs) { this.dead = new Error('tool exited with code 15'); return; }
    const last = this.recorded.at(-1)?.tMs ?? this.startedMs;
    for (let t = last + 10; t < tMs + 10; t += 10) this.recorded.push({ tMs: t, powerW: 30 });
  }
  failure() { return this.dead; }
  async restart() { this.restartCalls++; if (this.restarts-- <= 0) return false; await this.start(); return true; }
}

async function sweepWith(meter: PowerMeter) {
  const scenario = parseScenario(
    { models: ['mlp'], batchSizes: [1, 2, 4], window: { minSeconds: 0.1, minRuns: 3 }, repetitions: 2, idleSeconds: 0, warmup: { runs: 1, seconds: 0 }, out: 'results', stopping: false },
    { file: null, baseDir: dir },
  );
  const models = await prepareModels(scenario, scenarioNaming(null));
  return runSweep({ scenario, plan: expandPlan(scenario), models, meters: [meter], meterChoices: [], toolVersion: 'test' });
}

test('a meter that dies mid-window is restarted once; the window is marked incomplete and the sweep goes on', async () => {
  const meter = new FlakyMeter(150, 1);
  const outcome = await sweepWith(meter);
  assert.equal(meter.restartCalls, 1);
  assert.equal(outcome.result.status, 'complete');
  assert.equal(outcome.result.measurements.length, 3);
  const flagged = outcome.result.measurements.filter((m) => m.validity.reasons.some((r) => r.startsWith('incomplete: meter flaky failed during this window (tool exited with code 15); it was restarted')));
  assert.equal(flagged.length, 1);
  assert.equal(flagged[0]!.validity.valid, false);
});

test('a meter that dies again ends the run: interrupted, the configuration failed, finished ones kept on disk', async () => {
  const meter = new FlakyMeter(150, 0);
  const outcome = await sweepWith(meter);
  assert.equal(outcome.result.status, 'interrupted');
  assert.match(outcome.result.stopReason!, /^meter flaky failed and could not be restarted: tool exited with code 15/);
  const last = outcome.result.measurements.at(-1)!;
  assert.equal(last.status, 'failed');
  assert.equal(last.error!.code, 'METER_FAILED');
  const onDisk = JSON.parse(await readFile(outcome.resultPath, 'utf8')) as RunResult;
  assert.equal(onDisk.status, 'interrupted');
  assert.deepEqual(onDisk.measurements.map((m) => m.status), outcome.result.measurements.map((m) => m.status));
});

test('a configuration that no meter measures counts the meters given and says so', async () => {
  const gpuOnly = new FlakyMeter(1e9, 0);
  Object.assign(gpuOnly.info, { id: 'gpu:0', device: 'cuda:0' });
  const outcome = await sweepWith(gpuOnly);
  assert.deepEqual(outcome.result.measurements.map((m) => m.status), ['ok', 'ok', 'ok']);
  const power = outcome.result.measurements[0]!.power!;
  assert.ok(Math.abs(power.byMeter['gpu:0']! - 30) < 1e-9);
  assert.equal(power.attribution, 'no meter measures cpu; counting every meter given (gpu:0): power of devices this configuration does not run on');
});

// A meter whose power follows a function of the time since start (sampled every 10 ms on demand).
class ShapedMeter extends FlakyMeter {
  constructor(private readonly wattsAt: (sinceStartMs: number) => number) {
    super(1e9, 0);
  }
  override async sampleAfter(tMs: number) {
    const recorded = this.samples() as PowerSample[];
    const startMs = (this as unknown as { startedMs: number }).startedMs;
    const last = recorded.at(-1)?.tMs ?? startMs;
    for (let t = last + 10; t < tMs + 10; t += 10) recorded.push({ tMs: t, powerW: this.wattsAt(t - startMs) });
  }
}

test('cooldown waits between configurations until power is back within the margin of idle', async () => {
  // 20 W idle for the first 0.3 s, then 60 W "heat" until 1.5 s, then 20 W again.
  const meter = new ShapedMeter((ms) => (ms < 300 || ms > 1500 ? 20 : 60));
  const scenario = parseScenario(
    {
      models: ['mlp'], batchSizes: [1, 2], window: { minSeconds: 0.1, minRuns: 3 }, repetitions: 1, stopping: false, idleSeconds: 0.25,
      warmup: { runs: 1, seconds: 0 }, cooldown: { maxSeconds: 5, marginPercent: 10 }, out: 'results',
    },
    { file: null, baseDir: dir },
  );
  assert.deepEqual(scenario.cooldown, { maxSeconds: 5, marginPercent: 10 });
  const models = await prepareModels(scenario, scenarioNaming(null));
  const events: SweepEvent[] = [];
  const outcome = await runSweep({ scenario, plan: expandPlan(scenario), models, meters: [meter], meterChoices: [], toolVersion: 'test', onEvent: (e) => events.push(e) });
  const [first, second] = outcome.result.measurements;
  assert.equal(first!.cooldownS, null, 'no wait before the first configuration');
  assert.ok(second!.cooldownS! > 0 && second!.cooldownS! < 5, `waited ${second!.cooldownS} s`);
  const cooldowns = events.filter((e) => e.type === 'cooldown');
  assert.ok(cooldowns.length >= 1);
  const lastCooldown = cooldowns.at(-1)!;
  assert.ok(lastCooldown.type === 'cooldown' && lastCooldown.watts <= 22 && Math.abs(lastCooldown.targetWatts - 22) < 1e-6, JSON.stringify(lastCooldown));
});

test('order: interleaved alternates the repetitions of one session\'s batch sizes; random is a seeded shuffle', async () => {
  const windowsOf = async (order: string) => {
    const events: SweepEvent[] = [];
    const outcome = await sweep({ models: ['mlp'], batchSizes: [1, 2, 4], repetitions: 2, order }, (event) => events.push(event));
    assert.equal(outcome.result.status, 'complete');
    assert.deepEqual(outcome.result.measurements.map((m) => m.status), ['ok', 'ok', 'ok']);
    for (const m of outcome.result.measurements) assert.equal(m.repetitions.length, 2);
    return events.flatMap((e) => (e.type === 'window' ? [`${e.key.split('/').at(-1)}#${e.repetition}`] : []));
  };
  assert.deepEqual(await windowsOf('sequential'), ['b1#1', 'b1#2', 'b2#1', 'b2#2', 'b4#1', 'b4#2']);
  assert.deepEqual(await windowsOf('interleaved'), ['b1#1', 'b2#1', 'b4#1', 'b1#2', 'b2#2', 'b4#2']);
  const random = await windowsOf('random');
  assert.deepEqual([...random].sort(), ['b1#1', 'b1#2', 'b2#1', 'b2#2', 'b4#1', 'b4#2']);
  assert.deepEqual(await windowsOf('random'), random, 'the shuffle is seeded by the group');
});

test('adaptive stopping: windows are added until the samples-per-joule CI meets the target or the time cap, and the rule is recorded', async () => {
  const fixed = await sweep({ models: ['mlp'], batchSizes: [4], repetitions: 2 });
  assert.equal(fixed.result.measurements[0]!.stopping!.rule, 'repetitions');
  assert.equal(fixed.result.measurements[0]!.repetitions.length, 2);

  // An unreachable target: windows keep coming until 0.5 s of them were measured (each ≥ 0.1 s).
  const capped = await sweep({ models: ['mlp'], batchSizes: [4], repetitions: 2, stopping: { targetCiPercent: 1e-9, maxSeconds: 0.5 } });
  const m = capped.result.measurements[0]!;
  assert.equal(m.stopping!.rule, 'max-seconds');
  const measuredS = m.repetitions.reduce((sum, r) => sum + r.durationS, 0);
  assert.ok(measuredS >= 0.5 && m.repetitions.length >= 3 && m.repetitions.length <= 6, `${m.repetitions.length} windows, ${measuredS} s`);

  // A generous target is met as soon as the floor of 3 windows is reached (t(0.975, 2) = 4.30: ±1000% holds unless
  // windows differ several-fold).
  const met = await sweep({ models: ['mlp'], batchSizes: [4], repetitions: 3, stopping: { targetCiPercent: 1000, maxSeconds: 30 } });
  const n = met.result.measurements[0]!;
  assert.equal(n.stopping!.rule, 'target-ci');
  assert.equal(n.repetitions.length, 3);
  assert.ok(n.stopping!.ciHalfWidthPercent! <= 1000);
  // The record says what the verdict rested on: windows and their seconds (the interval is over windows).
  for (const measurement of [m, n]) {
    assert.equal(measurement.stopping!.windows, measurement.repetitions.length);
    const seconds = measurement.repetitions.reduce((sum, r) => sum + r.durationS, 0);
    assert.ok(Math.abs(measurement.stopping!.measuredS - seconds) < 1e-9, `${measurement.stopping!.measuredS} vs ${seconds}`);
    assert.equal(measurement.stopping!.method, 'windows');
    assert.equal(measurement.stopping!.ciHalfWidthPercent, measurement.energy!.samplesPerJouleCiPercent);
  }
});

test('a meter that cannot start: the error reaches the caller and result.json says why the run stopped', async () => {
  const broken = new FlakyMeter(1e9, 0);
  broken.start = async () => {
    throw new Error('nvidia-smi printed nothing for 15 s');
  };
  let runDir = '';
  const scenario = parseScenario({ models: ['mlp'], batchSizes: [1], idleSeconds: 0, out: 'results' }, { file: null, baseDir: dir });
  const models = await prepareModels(scenario, scenarioNaming(null));
  await assert.rejects(
    runSweep({ scenario, plan: expandPlan(scenario), models, meters: [broken], meterChoices: [], toolVersion: 'test', onEvent: (e) => { if (e.type === 'run-dir') runDir = e.runDir; } }),
    /printed nothing/,
  );
  const onDisk = JSON.parse(await readFile(path.join(runDir, 'result.json'), 'utf8')) as RunResult;
  assert.equal(onDisk.status, 'interrupted');
  assert.equal(onDisk.stopReason, 'meter flaky could not start: nvidia-smi printed nothing for 15 s');
  assert.deepEqual(onDisk.measurements, []);
});

test('a TensorRT builder-flag precision that this onnxruntime-node cannot pass on is recorded, not measured as FP32 under an FP16 label', async () => {
  // Models are prepared for the CPU (no TensorRT here); the plan then targets tensorrt with precision_via: builder.
  const cpu = parseScenario({ models: ['mlp'], batchSizes: [1], meters: ['replay:flat.csv'] }, { file: null, baseDir: dir });
  const models = await prepareModels(cpu, scenarioNaming(null));
  const scenario = parseScenario(
    {
      models: ['mlp'], batchSizes: [1], precisions: ['fp16'], executionProviders: [{ name: 'tensorrt', options: { precision_via: 'builder' } }],
      window: { minSeconds: 0.1, minRuns: 3 }, repetitions: 1, stopping: false, idleSeconds: 0, warmup: { runs: 1, seconds: 0 }, meters: ['replay:flat.csv'], out: 'results',
    },
    { file: null, baseDir: dir },
  );
  const plan = expandPlan(scenario);
  assert.deepEqual(plan.map((config) => [config.key, config.via]), [['mlp/fp16@builder/tensorrt/b1', 'tensorrt-builder']]);
  const { meters, choices } = await resolveMeters(scenario.meters, { cpuTdpWatts: null, baseDir: dir, settings: { 'powercap-root': '/nonexistent' }, gpus: null });
  // Pretend the TensorRT provider is installed: the configuration must stop before any session is created.
  const tensorrt = findProvider('tensorrt')!;
  const availability = tensorrt.availability;
  tensorrt.availability = () => ({ ok: true });
  let result;
  try {
    ({ result } = await runSweep({ scenario, plan, models, meters, meterChoices: choices, toolVersion: 'test' }));
  } finally {
    tensorrt.availability = availability;
  }
  const [m] = result.measurements;
  assert.equal(m!.status, 'skipped');
  assert.equal(m!.error!.code, 'EP_OPTION_NOT_FORWARDED');
  assert.match(m!.error!.message, /passes only device_id to tensorrt, not trt_fp16_enable/);
  assert.equal(m!.model.via, 'tensorrt-builder');
  assert.equal(m!.model.sha256, models[0]!.variants.fp32!.info.sha256, 'the FP32 file is the one a builder configuration runs');
});

test('race (the default): one model\'s configurations run in shuffled rounds; the clearly worse are eliminated with the evidence recorded', async () => {
  // A flat 40 W meter: samples per joule follow throughput, and batch 16 of the MLP does several times more per second than batch 1.
  const events: SweepEvent[] = [];
  // No idle baseline: with a flat meter, load would equal idle and nothing would be valid (nothing recommended).
  const outcome = await sweep({ models: ['mlp'], batchSizes: [1, 16], repetitions: 3, idleSeconds: 0, stopping: { rule: 'race', equivalencePercent: 3, maxSeconds: 3 } }, (event) => events.push(event));
  const [b1, b16] = outcome.result.measurements;
  assert.equal(b1!.stopping!.rule, 'race');
  assert.equal(b16!.stopping!.race!.status, 'best');
  assert.equal(b1!.stopping!.race!.status, 'eliminated');
  assert.equal(b1!.stopping!.race!.versus, 'mlp/fp32/cpu/b16');
  assert.ok(b1!.stopping!.race!.round! >= 3, 'nothing is dropped before every configuration has its 3 windows');
  assert.ok(b1!.stopping!.race!.ratio!.ci95[0] > 1);
  // Every window carries its round, and both configurations ran once in each round until one was dropped.
  assert.deepEqual(b1!.repetitions.map((r) => r.round), b1!.repetitions.map((_, i) => i + 1));
  assert.deepEqual(b16!.repetitions.slice(0, b1!.repetitions.length).map((r) => r.round), b1!.repetitions.map((_, i) => i + 1));
  const rounds = events.flatMap((e) => (e.type === 'window' ? [e.round] : []));
  assert.ok(rounds.every((round) => round !== null));
  const [rec] = outcome.result.recommendations;
  assert.equal(rec!.key, 'mlp/fp32/cpu/b16', JSON.stringify(rec));
  assert.equal(rec!.confidence!.method, 'paired-rounds');
  assert.equal(rec!.confidence!.verdict, 'better');
});

test('sessions that do not fit in free memory are kept alive in the largest groups that do, and the run says so', async () => {
  const { chunkGroups } = await import('../../src/measure/sweep.js');
  const scenario = parseScenario({ models: ['mlp'], precisions: ['fp32', 'fp16'], batchSizes: [1], stopping: false, out: 'results' }, { file: null, baseDir: dir });
  const models = await prepareModels(scenario, scenarioNaming(null));
  const plan = expandPlan(scenario);
  const groups = [...new Set(plan.map((config) => config.groupKey))].map((key) => plan.filter((config) => config.groupKey === key));
  const fp32Bytes = (await import('node:fs')).statSync(models[0]!.variants.fp32!.path).size;
  // In process: a session costs twice its file. Room for both → one chunk; room for one → two.
  assert.equal((await chunkGroups(groups, models, false, 1e12)).length, 1);
  assert.deepEqual((await chunkGroups(groups, models, false, 2 * 2 * fp32Bytes)).map((chunk) => chunk.length), [1, 1]);
});
