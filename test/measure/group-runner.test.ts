// @integration — loads onnxruntime-node and runs a one-node model in this process (isolate: false)
// One (model variant, provider) group (src/measure/group-runner.ts): the record of a configuration that did not run,
// why a configuration cannot run (no meter, no variant, a fixed batch, builder flags onnxruntime-node drops, a session
// that failed to open), and a configuration begun, measured in windows and summarised against a constant 10 W meter.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { emptyMeasurement, failureOf, GroupRunner, Interrupted, type LiveConfig } from '../../src/measure/group-runner.js';
import { Metering } from '../../src/measure/metering.js';
import type { PreparedModel, PreparedVariant } from '../../src/measure/prepare.js';
import { describeModel } from '../../src/model/inspect.js';
import { resolveBatchLayout } from '../../src/onnx/batch-axis.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import type { PowerMeter, PowerSample } from '../../src/power/types.js';
import type { Measurement } from '../../src/results/types.js';
import { builtinProviders, registerExecutionProvider } from '../../src/runtime/providers/catalog.js';
import { expandPlan } from '../../src/scenario/expand.js';
import { parseScenario } from '../../src/scenario/schema.js';
import type { PlannedConfig } from '../../src/scenario/types.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jb-group-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// x [batch, 4] → Relu → y; `batch` 'N' (dynamic) or a number (fixed).
function tinyModel(name: string, batch: string | number): { path: string; variant: PreparedVariant } {
  const bytes = new GraphBuilder('tiny').input('x', 'float32', [batch, 4]).node('Relu', ['x'], ['y'], {}, 'relu').output('y', 'float32', [batch, 4]).build();
  const file = path.join(dir, `${name}.onnx`);
  writeFileSync(file, bytes);
  const info = describeModel(bytes, file);
  return { path: file, variant: { precision: 'fp32', path: file, info, layout: resolveBatchLayout(info, {}, { shape: (input) => `--shape ${input}=` }), fidelity: null, made: null } };
}

const dynamic = tinyModel('tiny', 'N');
const fixed = tinyModel('fixed', 2);

function scenarioFor(source: string) {
  return parseScenario(
    { models: [{ name: 'tiny', model: source }], batchSizes: [1, 4], precisions: ['fp32', 'fp16'], window: { minSeconds: 0.05, minRuns: 2 }, warmup: { runs: 1, seconds: 0 }, repetitions: 1, idleSeconds: 0, stopping: false, out: 'results' },
    { file: null, baseDir: dir },
  );
}

function prepared(scenario: ReturnType<typeof scenarioFor>, variant: PreparedVariant, variantErrors: PreparedModel['variantErrors'] = {}): PreparedModel[] {
  return [{ spec: scenario.models[0]!, builtin: null, variants: { fp32: variant }, variantErrors }];
}

// A 10 W CPU meter sampling every 10 ms, its samples made up to just past whatever time is asked for.
class TenWatts implements PowerMeter {
  readonly info = { id: 'ten', kind: 'fake', scope: 'test', device: 'cpu', periodMs: 10, estimated: false, sampleKind: 'instant' as const, detail: 'constant 10 W' };
  private readonly recorded: PowerSample[] = [{ tMs: performance.now() - 1000, powerW: 10 }];
  async start() {}
  async stop() {}
  samples() { return this.recorded; }
  async sampleAfter(tMs: number) {
    for (let t = this.recorded.at(-1)!.tMs + 10; t < tMs + 10; t += 10) this.recorded.push({ tMs: t, powerW: 10 });
  }
  failure() { return null; }
  async restart() { return true; }
}

function runnerFor(configs: PlannedConfig[], scenario: ReturnType<typeof scenarioFor>, models: PreparedModel[], meters: PowerMeter[], stopped = () => false) {
  return new GroupRunner(configs, { scenario, models, metering: new Metering(meters), isolate: false, configTimeoutS: null, stopped });
}

const byKey = (plan: PlannedConfig[], key: string) => plan.find((config) => config.key === key)!;

describe('emptyMeasurement', () => {
  const scenario = scenarioFor(dynamic.path);
  const plan = expandPlan(scenario);

  test('with its variant: the file, its hash and detected precision; every measured block null; skipped', () => {
    const config = byKey(plan, 'tiny/fp32/cpu/b1');
    const measurement = emptyMeasurement(config, dynamic.variant, 'cpu');
    assert.deepEqual(measurement, {
      key: 'tiny/fp32/cpu/b1',
      model: { name: 'tiny', path: dynamic.path, sha256: dynamic.variant.info.sha256, precision: 'fp32', via: 'model', variantOf: null, conversion: null, detectedPrecision: 'fp32' },
      executionProvider: 'cpu', device: 'cpu', batchSize: 1, threads: null,
      status: 'skipped', error: null, coldStart: null, repetitions: [], throughput: null, latencyMs: null, power: null, energy: null,
      fidelity: null, validity: { valid: false, reasons: [] }, trace: null, spanS: null,
    } satisfies Measurement);
  });

  test('without a variant: the planned path, no hash, no detected precision; a reduced precision is a variant of its model', () => {
    const config = byKey(plan, 'tiny/fp16/cpu/b4');
    const measurement = emptyMeasurement(config, undefined, null);
    assert.deepEqual(measurement.model, { name: 'tiny', path: config.modelPath, sha256: null, precision: 'fp16', via: 'model', variantOf: 'tiny', conversion: null });
    assert.equal(measurement.device, null);
    assert.equal(measurement.batchSize, 4);
  });
});

describe('failureOf', () => {
  const meter = (failure: Error | null): PowerMeter => ({ ...new TenWatts(), info: new TenWatts().info, failure: () => failure }) as PowerMeter;

  test('an interrupt caused by a dead meter: METER_FAILED naming the meter and its failure', () => {
    assert.deepEqual(failureOf(new Interrupted('interrupted'), meter(new Error('nvidia-smi exited with code 15'))), {
      code: 'METER_FAILED', message: 'meter ten failed during this configuration and could not be restarted: nvidia-smi exited with code 15',
    });
    assert.equal(failureOf(new Interrupted('interrupted'), meter(null)).message, 'meter ten failed during this configuration and could not be restarted: no reason given');
  });

  test('anything else: the error as described, a typed one keeping its code', () => {
    assert.deepEqual(failureOf(new InputError('EP_UNKNOWN', 'unknown provider'), meter(new Error('x'))), { code: 'EP_UNKNOWN', message: 'unknown provider' });
    assert.deepEqual(failureOf(new Interrupted('interrupted before the configuration finished'), null), { code: 'RUNTIME_ERROR', message: 'interrupted before the configuration finished' });
    assert.deepEqual(failureOf(new Error('Failed to allocate memory'), null), { code: 'OUT_OF_MEMORY', message: 'Failed to allocate memory' });
  });
});

describe('configurations that cannot run', () => {
  test('no meter measures the device: failed, NO_METER with the flags that fix it', async () => {
    const scenario = scenarioFor(dynamic.path);
    const plan = expandPlan(scenario);
    const runner = runnerFor(plan.filter((c) => c.precision === 'fp32'), scenario, prepared(scenario, dynamic.variant), []);
    const record = (await runner.begin(byKey(plan, 'tiny/fp32/cpu/b1'), 1)) as Measurement;
    assert.equal(record.status, 'failed');
    assert.deepEqual(record.error, { code: 'NO_METER', message: 'no meter measures cpu: add a CPU meter (--meter auto, rapl or estimate) or count a GPU with --gpus' });
    assert.equal(record.spanS, null);
    assert.equal(record.cooldownS, null);
    await runner.close();
  });

  test('no variant of a precision: skipped with NO_VARIANT, or the reason it could not be made (skipped or failed by its code)', async () => {
    const scenario = scenarioFor(dynamic.path);
    const plan = expandPlan(scenario);
    const fp16 = plan.filter((c) => c.precision === 'fp16');
    const cases: Array<[PreparedModel['variantErrors'], Measurement['status'], NonNullable<Measurement['error']>]> = [
      [{}, 'skipped', { code: 'NO_VARIANT', message: 'no fp16 variant of tiny: give one in the scenario (models[].variants.fp16: file.onnx)' }],
      [{ fp16: { code: 'VARIANT_NOTHING_TO_CONVERT', message: 'no float32 tensors' } }, 'skipped', { code: 'VARIANT_NOTHING_TO_CONVERT', message: 'no float32 tensors' }],
      [{ fp16: { code: 'VARIANT_WRITE_FAILED', message: 'disk full' } }, 'failed', { code: 'VARIANT_WRITE_FAILED', message: 'disk full' }],
    ];
    for (const [variantErrors, status, error] of cases) {
      const runner = runnerFor(fp16, scenario, prepared(scenario, dynamic.variant, variantErrors), [new TenWatts()]);
      const record = (await runner.begin(fp16[0]!, 1)) as Measurement;
      assert.equal(record.status, status, error.code);
      assert.deepEqual(record.error, error);
      await runner.close();
    }
  });

  test('a model whose batch is fixed: other batch sizes are skipped with FIXED_BATCH', async () => {
    const scenario = scenarioFor(fixed.path);
    const plan = expandPlan(scenario);
    const runner = runnerFor(plan.filter((c) => c.precision === 'fp32'), scenario, prepared(scenario, fixed.variant), [new TenWatts()]);
    const record = (await runner.begin(byKey(plan, 'tiny/fp32/cpu/b4'), 2)) as Measurement;
    assert.equal(record.status, 'skipped');
    assert.deepEqual(record.error, {
      code: 'FIXED_BATCH',
      message: 'the model\'s batch is fixed at 2 (no input has a dynamic batch dimension), so batch 4 cannot run; re-export it with a dynamic batch axis',
    });
    await runner.close();
  });

  test('a builder precision whose flags onnxruntime-node does not pass on: skipped, not measured as FP32 under an FP16 label', async () => {
    const builder = {
      ...builtinProviders.cpu,
      name: 'builder-ep',
      options: { ...builtinProviders.cpu.options, fast_fp16: { type: 'boolean', target: 'provider', forwarded: false, description: 'build FP16' } },
      settings: (options) => ({ provider: { name: 'cpu' }, session: {}, notForwarded: Object.keys(options).filter((name) => name === 'fast_fp16') }),
      builderPrecisions: { via: 'builder-ep-builder', flags: { fp16: { fast_fp16: true } } },
    } satisfies typeof builtinProviders.cpu & { builderPrecisions: unknown };
    const undo = registerExecutionProvider(builder);
    try {
      const scenario = scenarioFor(dynamic.path);
      const base = byKey(expandPlan(scenario), 'tiny/fp32/cpu/b1');
      const config: PlannedConfig = { ...base, key: 'tiny/fp16@builder/builder-ep/b1', precision: 'fp16', via: 'builder-ep-builder', executionProvider: { name: 'builder-ep', options: { fast_fp16: true } } };
      const runner = runnerFor([config], scenario, prepared(scenario, dynamic.variant), [new TenWatts()]);
      const record = (await runner.begin(config, 1)) as Measurement;
      assert.equal(record.status, 'skipped');
      assert.deepEqual(record.error, {
        code: 'EP_OPTION_NOT_FORWARDED',
        message: 'this onnxruntime-node passes only device_id to builder-ep, not fast_fp16: the builder would make an FP32 engine, so fp16 via builder-ep-builder cannot be measured here; measure a fp16 model variant instead (precision_via: model)',
      });
      assert.equal(record.model.path, dynamic.path, 'a builder precision runs the FP32 file');
      await runner.close();
    } finally {
      undo();
    }
  });

  test('a session that fails to open: that configuration failed with the reason, the rest of the group with the same one', async () => {
    const broken = path.join(dir, 'broken.onnx');
    writeFileSync(broken, 'not a model');
    const scenario = scenarioFor(dynamic.path);
    const plan = expandPlan(scenario).filter((c) => c.precision === 'fp32');
    const runner = runnerFor(plan, scenario, prepared(scenario, { ...dynamic.variant, path: broken }), [new TenWatts()]);
    const first = (await runner.begin(plan[0]!, 1)) as Measurement;
    assert.equal(first.status, 'failed');
    assert.ok(first.error && first.error.message.length > 0);
    const second = (await runner.begin(plan[1]!, 2)) as Measurement;
    assert.equal(second.status, 'failed');
    assert.deepEqual(second.error, first.error);
    await runner.close();
  });
});

describe('a configuration measured', () => {
  test('begin, windows at 10 W, rewarm and summary; the second configuration shares the session', async () => {
    const scenario = scenarioFor(dynamic.path);
    const plan = expandPlan(scenario).filter((c) => c.precision === 'fp32');
    const runner = runnerFor(plan, scenario, prepared(scenario, dynamic.variant), [new TenWatts()]);
    try {
      assert.equal(runner.device, 'cpu');
      assert.equal(runner.attributionNote, 'ten for cpu');
      const live = (await runner.begin(plan[0]!, 1)) as LiveConfig;
      assert.equal(live.config, plan[0]);
      assert.equal(live.index, 1);
      assert.equal(live.coldStart.sessionShared, false);
      assert.ok(live.coldStart.energyJ > 0 && live.coldStart.firstRunMs >= 0 && live.coldStart.sessionCreateMs >= 0);

      const record = await runner.window(live, 0);
      // minRuns 2; at least 10 meter periods of 10 ms = 0.1 s, above the scenario's 0.05 s.
      assert.ok(record.runs >= 2);
      assert.ok(record.durationS >= 0.1, `${record.durationS} s`);
      // 10 W all along: energy = 10 W × the window's duration.
      assert.ok(Math.abs(record.energyJByMeter.ten! - 10 * record.durationS) < 1e-9, `${record.energyJByMeter.ten} J over ${record.durationS} s`);
      assert.equal(record.peakWatts, 10);
      assert.deepEqual(record.coverageNotes, []);
      assert.equal(record.round, 0);
      assert.ok((record.p99Ms ?? -1) >= 0);
      assert.equal(live.latencies.length, record.runs);
      const unrounded = await runner.window(live, null);
      assert.equal('round' in unrounded, false);
      assert.equal(live.windows.length, 2);
      await runner.rewarm(live);

      const summary = runner.summarise(live, null);
      assert.deepEqual(summary.coldStart, live.coldStart);
      assert.ok(summary.energy, 'an energy block');

      const second = (await runner.begin(plan[1]!, 2)) as LiveConfig;
      assert.equal(second.coldStart.sessionShared, true);
      assert.equal(second.coldStart.sessionCreateMs, live.coldStart.sessionCreateMs, 'the session\'s creation, not a new one');
    } finally {
      await runner.close();
    }
  });

  test('stopped: no window is started, and begin throws Interrupted (the configuration is dropped, to be re-run whole on resume)', async () => {
    const scenario = scenarioFor(dynamic.path);
    const plan = expandPlan(scenario).filter((c) => c.precision === 'fp32');
    let stopped = false;
    const runner = runnerFor(plan, scenario, prepared(scenario, dynamic.variant), [new TenWatts()], () => stopped);
    try {
      const live = (await runner.begin(plan[0]!, 1)) as LiveConfig;
      stopped = true;
      await assert.rejects(runner.window(live, 0), Interrupted);
      assert.equal(live.windows.length, 0);
      await assert.rejects(runner.begin(plan[1]!, 2), Interrupted);
    } finally {
      await runner.close();
    }
  });
});
