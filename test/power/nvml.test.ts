// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// The nvml meter against a fake libnvidia-ml.so.1 built from C at test time, whose energy counter advances at
// exactly the configured watts: every window's ground truth is watts × seconds.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import koffi from 'koffi';
import { MeterError } from '../../src/errors.js';
import { integrateEnergy } from '../../src/measure/integrate.js';
import { createNvmlMeterFactory, NvmlMeter } from '../../src/power/nvml.js';
import type { MeterContext, PowerMeter } from '../../src/power/types.js';
import { buildFakeNvml, withFakeEnv } from '../fixtures/nvml/build.js';

const fake = await buildFakeNvml();
const skip = fake.ok ? false : fake.skip;
const library = fake.ok ? fake.library : '';
const context = (gpus: number[] | null = null): MeterContext => ({ cpuTdpWatts: null, baseDir: process.cwd(), settings: { 'powercap-root': '/nonexistent' }, gpus });
const factory = (periodMs = 100) => createNvmlMeterFactory({ libraryPath: library, periodMs });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The fake's own tally of nvmlInit_v2 / nvmlShutdown calls (same path → same dlopen handle → same counters).
function nvmlCalls(): { inits: number; shutdowns: number } {
  const fakeNvmlCalls = koffi.load(library).func('fakeNvmlCalls', 'void', [koffi.out(koffi.pointer('int')), koffi.out(koffi.pointer('int'))]);
  const inits = [0];
  const shutdowns = [0];
  fakeNvmlCalls(inits, shutdowns);
  return { inits: inits[0]!, shutdowns: shutdowns[0]! };
}

// Start meters, measure one window of `windowMs` the way the sweep does (sampleAfter, then integrate), stop them.
async function measureWindow(meters: PowerMeter[], windowMs: number) {
  for (const meter of meters) await meter.start();
  try {
    await Promise.all(meters.map((meter) => meter.sampleAfter(performance.now()))); // reads are flowing
    const t0 = performance.now();
    // libuv's millisecond timers may fire up to 1 ms before performance.now() says windowMs has passed.
    while (performance.now() - t0 < windowMs) await sleep(Math.max(1, windowMs - (performance.now() - t0)));
    const t1 = performance.now();
    await Promise.all(meters.map((meter) => meter.sampleAfter(t1)));
    const seconds = (t1 - t0) / 1000;
    return meters.map((meter) => {
      const samples = meter.samples();
      assert.ok(samples[samples.length - 1]!.tMs >= t1, `${meter.info.id}: sampleAfter(t1) resolved before a sample at or after t1 existed`);
      return { meter, seconds, window: integrateEnergy(samples, t0, t1, meter.info.sampleKind) };
    });
  } finally {
    for (const meter of meters) await meter.stop();
  }
}

function assertWithin(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: expected ${expected} ± ${rel * 100} %, got ${actual}`);
}

after(async () => {
  if (fake.ok) await rm(fake.dir, { recursive: true, force: true });
});

describe('nvml probe', () => {
  test('a missing library: not ok, and the reason names the library and says there is no NVIDIA driver', async () => {
    const missing = path.join('/nonexistent', 'libnvidia-ml.so.1');
    const probe = await createNvmlMeterFactory({ libraryPath: missing }).probe(context(), null);
    assert.equal(probe.ok, false);
    assert.match(probe.ok ? '' : probe.reason, /^\/nonexistent\/libnvidia-ml\.so\.1 not found \(no NVIDIA driver\): .*No such file/);
    await assert.rejects(createNvmlMeterFactory({ libraryPath: missing }).create(context(), null), (error: unknown) => {
      assert.ok(error instanceof MeterError);
      assert.match(error.message, /libnvidia-ml\.so\.1 not found/);
      return true;
    });
  });

  test('two fake GPUs: ok, and the detail lists both with their energy counter', { skip }, async () => {
    const probe = await withFakeEnv({ FAKE_NVML_COUNT: '2' }, () => factory().probe(context(), null));
    assert.deepEqual(probe, {
      ok: true,
      detail: 'NVML driver 999.99-fake: #0 Fake NVIDIA GPU 0 (energy counter), #1 Fake NVIDIA GPU 1 (energy counter)',
    });
  });

  test('nvmlInit_v2 failing: the reason carries nvmlErrorString', { skip }, async () => {
    const probe = await withFakeEnv({ FAKE_NVML_INIT_ERROR: '9' }, () => factory().probe(context(), null));
    assert.deepEqual(probe, { ok: false, reason: 'nvmlInit_v2 failed: Driver Not Loaded (NVML return 9)' });
  });

  test('no GPU: not ok, "no NVIDIA GPU"', { skip }, async () => {
    const probe = await withFakeEnv({ FAKE_NVML_COUNT: '0' }, () => factory().probe(context(), null));
    assert.equal(probe.ok, false);
    assert.match(probe.ok ? '' : probe.reason, /^no NVIDIA GPU/);
  });

  test('--gpus naming a GPU NVML does not see: not ok, and create throws MeterError naming it', { skip }, async () => {
    await withFakeEnv({ FAKE_NVML_COUNT: '2' }, async () => {
      const probe = await factory().probe(context([5]), null);
      assert.deepEqual(probe, { ok: false, reason: 'GPU 5 (--gpus) does not exist: NVML lists GPU 0, 1' });
      await assert.rejects(factory().create(context([5]), null), { code: 'NVML_NO_SUCH_GPU' });
    });
  });
});

describe('nvml meter', () => {
  test('energy counter at 250 W: a 2 s window integrates to 250 W × seconds within 1 %; power usage rides along', { skip }, async () => {
    await withFakeEnv({ FAKE_NVML_COUNT: '1', FAKE_NVML_WATTS: '250' }, async () => {
      const meters = await factory().create(context(), null);
      assert.equal(meters.length, 1);
      const meter = meters[0]!;
      assert.ok(meter instanceof NvmlMeter);
      assert.deepEqual(
        { id: meter.info.id, kind: meter.info.kind, scope: meter.info.scope, device: meter.info.device, periodMs: meter.info.periodMs, estimated: meter.info.estimated, sampleKind: meter.info.sampleKind, phaseShift: meter.info.phaseShift },
        { id: 'nvml:0', kind: 'nvml', scope: 'gpu', device: 'cuda:0', periodMs: 100, estimated: false, sampleKind: 'interval-average', phaseShift: undefined },
      );
      assert.match(meter.info.detail, /Fake NVIDIA GPU 0 \(GPU-fa4e0000-0000-0000-0000-000000000000\), NVML driver 999\.99-fake: energy-counter deltas/);

      const { window, seconds } = (await measureWindow(meters, 2000))[0]!;
      assert.ok(seconds >= 2, `window lasted ${seconds} s`);
      assert.equal(window.covered, true);
      assertWithin(window.energyJ, 250 * seconds, 0.01, 'energy over the window');
      assert.ok(window.samplesInWindow >= 15, `${window.samplesInWindow} samples in a 2 s window at 100 ms`);

      // Every sample: the counter's mean since the previous read, and power usage (250 W) in context.
      for (const sample of meter.samples()) {
        assert.ok(sample.powerW > 0, 'never 0 W');
        assert.equal(sample.context?.powerUsageW, 250);
      }
      const samples = meter.samples();
      const meanW = samples.reduce((sum, s, i) => (i === 0 ? sum : sum + s.powerW * (s.tMs - samples[i - 1]!.tMs)), 0) / (samples[samples.length - 1]!.tMs - samples[0]!.tMs);
      assertWithin(meanW, 250, 0.01, 'time-weighted mean of the samples');
      // Context from the slower reads (refreshed once a second).
      assert.deepEqual(
        Object.fromEntries(Object.entries(samples[samples.length - 1]!.context!).filter(([key]) => key !== 'powerUsageW')),
        { temperatureC: 60, smClockMHz: 1980, gpuUtilizationPct: 97, memoryUtilizationPct: 41, powerLimitW: 700 },
      );

      const check = meter.crossCheck();
      assert.ok(check, 'a counter meter has a cross-check');
      assertWithin(check.counterW, 250, 0.01, 'crossCheck().counterW');
      assertWithin(check.sampledW, 250, 1e-9, 'crossCheck().sampledW');
      assert.ok(Math.abs(check.differencePct) < 1, `the two series agree: ${check.differencePct} %`);
      assert.ok(meter.overhead().reads > 15, `reads: ${JSON.stringify(meter.overhead())}`);
      assert.equal(meter.failure(), null);
    });
  });

  test('two GPUs at 250 W and 100 W: one meter each, each integrating its own GPU', { skip }, async () => {
    await withFakeEnv({ FAKE_NVML_COUNT: '2', FAKE_NVML_WATTS: '250,100' }, async () => {
      const meters = await factory().create(context(), null);
      assert.deepEqual(meters.map((m) => [m.info.id, m.info.device]), [['nvml:0', 'cuda:0'], ['nvml:1', 'cuda:1']]);
      const [gpu0, gpu1] = await measureWindow(meters, 1000);
      assertWithin(gpu0!.window.energyJ, 250 * gpu0!.seconds, 0.01, 'nvml:0 energy');
      assertWithin(gpu1!.window.energyJ, 100 * gpu1!.seconds, 0.01, 'nvml:1 energy');
    });
  });

  test('--gpus 1: only GPU 1 gets a meter', { skip }, async () => {
    await withFakeEnv({ FAKE_NVML_COUNT: '2', FAKE_NVML_WATTS: '250,100' }, async () => {
      const meters = await factory().create(context([1]), null);
      assert.deepEqual(meters.map((m) => m.info.id), ['nvml:1']);
      const [gpu1] = await measureWindow(meters, 500);
      assertWithin(gpu1!.window.meanPowerW, 100, 0.01, 'nvml:1 mean power');
    });
  });

  test('no energy counter: instant power-usage samples at the fake watts, and the detail says so', { skip }, async () => {
    await withFakeEnv({ FAKE_NVML_WATTS: '250', FAKE_NVML_NO_COUNTER: '1' }, async () => {
      const probe = await factory().probe(context(), null);
      assert.ok(probe.ok && probe.detail.includes('#0 Fake NVIDIA GPU 0 (power usage only: nvmlDeviceGetTotalEnergyConsumption: Not Supported (NVML return 3))'), JSON.stringify(probe));
      const meters = await factory().create(context(), null);
      const meter = meters[0] as NvmlMeter;
      assert.equal(meter.info.sampleKind, 'instant');
      assert.equal(meter.info.phaseShift, true, 'power usage averages part of each period on A100/H100');
      assert.match(meter.info.detail, /NO ENERGY COUNTER \(nvmlDeviceGetTotalEnergyConsumption: Not Supported \(NVML return 3\)\), so instant nvmlDeviceGetPowerUsage readings every 100 ms/);
      const [result] = await measureWindow(meters, 1000);
      assert.ok(meter.samples().length >= 10);
      for (const sample of meter.samples()) assert.equal(sample.powerW, 250);
      assertWithin(result!.window.energyJ, 250 * result!.seconds, 1e-9, 'energy from constant instant samples');
      assert.equal(meter.crossCheck(), null, 'nothing to cross-check without a counter');
    });
  });

  test('power usage 10 % above the counter: crossCheck() shows the disagreement', { skip }, async () => {
    await withFakeEnv({ FAKE_NVML_WATTS: '200', FAKE_NVML_POWER_SCALE: '1.1' }, async () => {
      const meters = await factory().create(context(), null);
      await measureWindow(meters, 500);
      const check = (meters[0] as NvmlMeter).crossCheck()!;
      assertWithin(check.counterW, 200, 0.01, 'counterW');
      assertWithin(check.sampledW, 220, 1e-9, 'sampledW');
      assert.ok(Math.abs(check.differencePct - 10) < 1, `differencePct ${check.differencePct}`);
      const [warning] = (meters[0] as NvmlMeter).diagnostics();
      assert.match(warning!, /^nvml:0: the energy counter \(200\.0 W\) and sampled power usage \(220\.0 W\) disagree by 10\.0% over \d+ s; energies use the counter$/);
    });
  });

  test('NVML failing mid-run: failure() after 3 failed reads, never a 0 W sample, restart() re-initialises', { skip }, async () => {
    await withFakeEnv({ FAKE_NVML_WATTS: '250', FAKE_NVML_FAIL_AFTER_MS: '500' }, async () => {
      const meters = await factory(50).create(context(), null);
      const meter = meters[0]!;
      await meter.start();
      try {
        await sleep(400);
        assert.equal(meter.failure(), null);
        const before = meter.samples().length;
        assert.ok(before >= 5);
        // Past 500 ms every call returns 999; three polls at 50 ms later the meter gives up.
        await sleep(400);
        const failure = meter.failure();
        assert.ok(failure instanceof MeterError, 'failure() is set');
        assert.match(failure.message, /^nvml:0: nvmlDeviceGetTotalEnergyConsumption failed: Unknown Error \(NVML return 999\), 3 reads in a row$/);
        for (const sample of meter.samples()) assertWithin(sample.powerW, 250, 0.05, 'every recorded sample');
        // sampleAfter must not hang on a dead meter.
        const waitStart = performance.now();
        await meter.sampleAfter(performance.now());
        assert.ok(performance.now() - waitStart < 50);

        const inits = nvmlCalls().inits;
        assert.equal(await meter.restart(), true, 'the fake works again after nvmlInit (its failure clock restarts)');
        assert.equal(nvmlCalls().inits, inits + 1, 'restart() called nvmlInit_v2');
        assert.equal(meter.failure(), null);
        const count = meter.samples().length;
        await meter.sampleAfter(performance.now());
        assert.ok(meter.samples().length > count, 'samples resume after restart');
        for (const sample of meter.samples().slice(count)) assertWithin(sample.powerW, 250, 0.05, 'samples after restart');
      } finally {
        await meter.stop();
      }
    });
  });

  test('stop(): nvmlShutdown once, when the last meter stops', { skip }, async () => {
    await withFakeEnv({ FAKE_NVML_COUNT: '2' }, async () => {
      const start = nvmlCalls();
      const meters = await factory().create(context(), null);
      for (const meter of meters) await meter.start();
      await meters[1]!.sampleAfter(performance.now());
      await meters[0]!.stop();
      assert.equal(nvmlCalls().shutdowns, start.shutdowns, 'one meter still runs: no shutdown yet');
      assert.ok(meters[1]!.samples().length >= 1);
      await meters[1]!.stop();
      assert.deepEqual(nvmlCalls(), { inits: start.inits + 1, shutdowns: start.shutdowns + 1 });
    });
  });
});
