// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// The nvidia-smi meter against a fake nvidia-smi (test/fixtures/bin/nvidia): probing, the shared stream, ground-truth
// energy, missing values, a tool that dies or hangs, and no process left behind.
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { integrateEnergy } from '../../src/measure/integrate.js';
import { createNvidiaSmiMeterFactory, NvidiaSmiMeter, nvidiaSmiMeterFactory, parseNvidiaSmiValue, type NvidiaSmiOptions } from '../../src/power/nvidia-smi.js';
import type { MeterContext, PowerMeter } from '../../src/power/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fakeDir = path.resolve(here, '..', 'fixtures', 'bin', 'nvidia');
const sourceFile = path.resolve(here, '..', '..', 'src', 'power', 'nvidia-smi.ts');
const context: MeterContext = { cpuTdpWatts: null, baseDir: process.cwd(), settings: { 'powercap-root': '/nonexistent' }, gpus: null };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The fake first on PATH, configured by FAKE_NVSMI_* variables (none inherited from the test's own environment).
function fakeEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${fakeDir}${path.delimiter}${process.env.PATH ?? ''}` };
  for (const key of Object.keys(env)) if (key.startsWith('FAKE_NVSMI_')) delete env[key];
  return { ...env, ...vars };
}

function factory(vars: Record<string, string>, options: NvidiaSmiOptions = {}) {
  return createNvidiaSmiMeterFactory({ env: fakeEnv(vars), ...options });
}

function asNvidia(meter: PowerMeter): NvidiaSmiMeter {
  assert.ok(meter instanceof NvidiaSmiMeter);
  return meter;
}

// Whether `ps` lists the pid as a live process. A zombie counts as gone: it has exited, and only waits for a
// parent that does not reap it (in some containers PID 1 reaps orphans late).
function psShowsAlive(pid: number): Promise<boolean> {
  return new Promise((resolve) =>
    execFile('ps', ['-o', 'stat=', '-p', String(pid)], (_error, stdout) => resolve(stdout.trim() !== '' && !stdout.trim().startsWith('Z'))),
  );
}

async function waitForExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(ms)]);
}

// Run the meters for `windowMs` once their readings flow, and integrate each over exactly that window.
async function measure(meters: PowerMeter[], windowMs: number) {
  for (const meter of meters) await meter.start();
  try {
    await Promise.all(meters.map((meter) => meter.sampleAfter(performance.now()))); // the stream flows
    const t0 = performance.now();
    await sleep(windowMs);
    const t1 = t0 + windowMs;
    await Promise.all(meters.map((meter) => meter.sampleAfter(t1)));
    return meters.map((meter) => ({ meter, window: integrateEnergy(meter.samples(), t0, t1, meter.info.sampleKind), t0, t1 }));
  } finally {
    for (const meter of meters) await meter.stop();
  }
}

describe('parseNvidiaSmiValue', () => {
  test('numbers with or without units, strings, and every bracketed value as missing', () => {
    assert.equal(parseNvidiaSmiValue('631.95'), 631.95);
    assert.equal(parseNvidiaSmiValue(' 631.95 W'), 631.95);
    assert.equal(parseNvidiaSmiValue('1980 MHz'), 1980);
    assert.equal(parseNvidiaSmiValue('100 %'), 100);
    assert.equal(parseNvidiaSmiValue('19818 MiB'), 19818);
    assert.equal(parseNvidiaSmiValue('P0'), 'P0');
    for (const missing of ['[N/A]', '[Not Supported]', '[Unknown Error]', '[Requested functionality has been deprecated]', '[GPU is lost]', '', 'N/A']) {
      assert.equal(parseNvidiaSmiValue(missing), null, missing);
    }
  });
});

describe('nvidia-smi probe', () => {
  test('a missing binary says so and how to fix it', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'joulebench-no-nvsmi-'));
    try {
      const probe = await createNvidiaSmiMeterFactory({ env: { PATH: empty } }).probe(context, null);
      assert.deepEqual(probe, { ok: false, reason: 'nvidia-smi not found on PATH (install the NVIDIA driver)' });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  test("a driver error is reported in the tool's own words", async () => {
    const probe = await factory({ FAKE_NVSMI_NO_DRIVER: '1' }).probe(context, null);
    assert.equal(probe.ok, false);
    assert.match(probe.ok ? '' : probe.reason, /^NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/);
  });

  test('lists the GPUs, driver and the power field; prefers power.draw.instant', async () => {
    const probe = await factory({ FAKE_NVSMI_WATTS: '250,100' }).probe(context, null);
    assert.ok(probe.ok, probe.ok ? '' : probe.reason);
    assert.equal(probe.detail, 'power.draw.instant, 100 ms stream; GPU 0 NVIDIA H100 80GB HBM3, 1 NVIDIA H100 80GB HBM3; driver 590.48.01');
  });

  test('a --gpus index that does not exist is a clear error', async () => {
    const f = factory({ FAKE_NVSMI_WATTS: '250,100' });
    const probe = await f.probe({ ...context, gpus: [0, 3] }, null);
    assert.deepEqual(probe, { ok: false, reason: 'GPU 3 (--gpus) does not exist: nvidia-smi lists GPU 0, 1' });
    await assert.rejects(f.create({ ...context, gpus: [3] }, null), { code: 'NVIDIA_SMI_NO_SUCH_GPU' });
  });

  test('the registry entry keeps its name and group', () => {
    assert.deepEqual(
      { name: nvidiaSmiMeterFactory.name, group: nvidiaSmiMeterFactory.group, hardware: nvidiaSmiMeterFactory.hardware, argument: nvidiaSmiMeterFactory.argument },
      { name: 'nvidia-smi', group: 'nvidia', hardware: true, argument: 'none' },
    );
  });
});

describe('nvidia-smi meter', { timeout: 60_000 }, () => {
  test('constant 250 W: energy / duration = 250 W, the info and context are those of the tool', async (t) => {
    const meters = await factory({ FAKE_NVSMI_WATTS: '250' }).create(context, null);
    assert.equal(meters.length, 1);
    const info = meters[0]!.info;
    assert.deepEqual(
      { id: info.id, kind: info.kind, scope: info.scope, device: info.device, periodMs: info.periodMs, estimated: info.estimated, sampleKind: info.sampleKind, phaseShift: info.phaseShift },
      { id: 'nvidia-smi:0', kind: 'nvidia-smi', scope: 'gpu', device: 'cuda:0', periodMs: 100, estimated: false, sampleKind: 'instant', phaseShift: true },
    );
    assert.equal(
      info.detail,
      'power.draw.instant, 100 ms stream, NVIDIA H100 80GB HBM3 (uuid GPU-5b1c3e0a-7f2d-4c9e-9a1b-3d4e5f6a7b80), driver 590.48.01; A100/H100 sample ~25% of each period',
    );

    const { window, t0, t1 } = (await measure(meters, 1000))[0]!;
    // Constant power: the trapezoids are exact, so energy = 250 W × 1 s.
    t.diagnostic(`constant: ${window.energyJ.toFixed(3)} J over ${((t1 - t0) / 1000).toFixed(3)} s = ${window.meanPowerW} W (expected 250)`);
    assert.ok(Math.abs(window.energyJ / ((t1 - t0) / 1000) - 250) <= 2.5, `mean ${window.meanPowerW} W, expected 250 ± 1%`);
    assert.ok(window.covered, 'samples before t0 and after t1');
    assert.ok(window.samplesInWindow >= 8 && window.samplesInWindow <= 12, `${window.samplesInWindow} samples in 1 s at 100 ms`);
    assert.ok(window.maxGapMs < 250, `largest gap ${window.maxGapMs} ms`);
    const sample = meters[0]!.samples()[0]!;
    assert.deepEqual(sample.context, {
      pstate: 'P0', smClockMhz: 1980, memClockMhz: 2619, gpuUtilizationPct: 100, memoryUtilizationPct: 41,
      temperatureC: 61, memoryUsedMib: 19818, memoryTotalMib: 81559, powerLimitW: 700,
    });
  });

  test('square wave 200/400 W, 250 ms half-period: the mean over 3 s (6 whole cycles) is 300 W', async (t) => {
    // 50 ms stream: 250 ms is 5 periods, so every half-cycle gets 5 samples whatever the phase. (At 100 ms a
    // half-cycle gets 2 or 3 samples depending on the phase and the sampled mean is 280 or 320 W: aliasing.)
    const meters = await factory({ FAKE_NVSMI_SQUARE: '200,400,250' }, { periodMs: 50 }).create(context, null);
    const { window } = (await measure(meters, 3000))[0]!;
    t.diagnostic(`square: ${window.meanPowerW.toFixed(3)} W over 3 s from ${window.samplesInWindow} samples (expected 300)`);
    assert.ok(Math.abs(window.meanPowerW - 300) <= 9, `mean ${window.meanPowerW} W, expected 300 ± 3%`);
    const watts = new Set(meters[0]!.samples().map((s) => s.powerW));
    assert.deepEqual([...watts].sort(), [200, 400]);
  });

  test('two GPUs at 250 and 100 W: one stream, each meter reads its own GPU; --gpus 1 creates one meter', async (t) => {
    const f = factory({ FAKE_NVSMI_WATTS: '250,100' });
    const meters = await f.create(context, null);
    assert.deepEqual(meters.map((m) => [m.info.id, m.info.device]), [['nvidia-smi:0', 'cuda:0'], ['nvidia-smi:1', 'cuda:1']]);
    for (const meter of meters) await meter.start();
    const pids = meters.map((m) => asNvidia(m).streamPid);
    assert.ok(pids[0] !== null && pids[0] === pids[1], `one shared nvidia-smi process, got pids ${pids.join(', ')}`);
    const results = await measure(meters, 1000);
    t.diagnostic(`two GPUs: ${results.map((r) => `${r.meter.info.id} ${r.window.meanPowerW} W`).join(', ')}`);
    assert.ok(Math.abs(results[0]!.window.meanPowerW - 250) <= 2.5, `GPU 0 reads ${results[0]!.window.meanPowerW} W`);
    assert.ok(Math.abs(results[1]!.window.meanPowerW - 100) <= 1, `GPU 1 reads ${results[1]!.window.meanPowerW} W`);
    assert.ok(meters[1]!.samples().every((s) => s.powerW === 100), 'GPU 1 never sees GPU 0 lines');

    const only1 = await f.create({ ...context, gpus: [1] }, null);
    assert.deepEqual(only1.map((m) => m.info.id), ['nvidia-smi:1']);
    const [one] = await measure(only1, 500);
    assert.ok(Math.abs(one!.window.meanPowerW - 100) <= 1, `GPU 1 alone reads ${one!.window.meanPowerW} W`);
  });

  test('an old driver without power.draw.instant: falls back to power.draw and says so', async () => {
    const f = factory({ FAKE_NVSMI_OLD_DRIVER: '1', FAKE_NVSMI_WATTS: '250' });
    const probe = await f.probe(context, null);
    assert.ok(probe.ok && probe.detail.startsWith('power.draw (this driver has no power.draw.instant; 1 s averaged on Ampere and newer)'), JSON.stringify(probe));
    const meters = await f.create(context, null);
    assert.match(meters[0]!.info.detail, /^power\.draw \(this driver has no power\.draw\.instant; 1 s averaged on Ampere and newer\), 100 ms stream/);
    assert.equal(meters[0]!.info.sampleKind, 'instant');
    await meters[0]!.start();
    const args = asNvidia(meters[0]!).streamProcess!.spawnargs.join(' ');
    assert.match(args, /--query-gpu=index,timestamp,power\.draw,pstate,/);
    const [result] = await measure(meters, 500);
    assert.ok(Math.abs(result!.window.meanPowerW - 250) <= 2.5, `mean ${result!.window.meanPowerW} W`);
  });

  test('[N/A] values: no 0 W sample, the power gap is a gap, the context lacks the missing keys', async () => {
    // The fake prints [N/A] for the power on every 4th tick, and for utilisation/temperature; memory.used is [Not Supported].
    const meters = await factory({ FAKE_NVSMI_NA: '1', FAKE_NVSMI_WATTS: '250' }, { periodMs: 50 }).create(context, null);
    const { window } = (await measure(meters, 1000))[0]!;
    const samples = meters[0]!.samples();
    assert.ok(samples.length > 0);
    assert.ok(samples.every((s) => s.powerW === 250), `powers seen: ${[...new Set(samples.map((s) => s.powerW))].join(', ')}`);
    assert.ok(Math.abs(window.meanPowerW - 250) <= 2.5);
    // Every 4th tick is missing: the window holds ~15 of ~20 ticks and the largest gap is two periods.
    assert.ok(window.samplesInWindow >= 12 && window.samplesInWindow <= 17, `${window.samplesInWindow} samples in 1 s`);
    assert.ok(window.maxGapMs >= 80 && window.maxGapMs < 150, `largest gap ${window.maxGapMs} ms`);
    for (const sample of samples) {
      assert.deepEqual(Object.keys(sample.context ?? {}).sort(), ['memClockMhz', 'memoryTotalMib', 'powerLimitW', 'pstate', 'smClockMhz']);
    }
  });

  test('ticks that arrive in one chunk keep their spacing (from the nvidia-smi timestamps), not one arrival time', async () => {
    const meters = await factory({ FAKE_NVSMI_BATCH: '4', FAKE_NVSMI_WATTS: '250' }, { periodMs: 50 }).create(context, null);
    await measure(meters, 800);
    const times = meters[0]!.samples().map((s) => s.tMs);
    const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
    assert.ok(gaps.length >= 12, `${gaps.length + 1} samples`);
    // 4 ticks per write, 200 ms apart: without the correction 3 of every 4 gaps would be ~0 ms.
    assert.ok(gaps[0]! > 35, `smallest gap ${gaps[0]} ms, expected ~50 ms: ${gaps.map((g) => g.toFixed(1)).join(' ')}`);
    // The fake's own timer may slip on a loaded machine; a spread of up to 3 periods is still spacing, not a chunk.
    assert.ok(gaps[gaps.length - 1]! < 150, `largest gap ${gaps[gaps.length - 1]} ms, expected ~50 ms`);
  });

  test('the stream exiting mid-run: failure() names the exit code, sampleAfter returns, restart() brings samples back', async () => {
    const meters = (await factory({ FAKE_NVSMI_EXIT_AFTER_MS: '1500', FAKE_NVSMI_WATTS: '250,100' }).create(context, null)).map(asNvidia);
    for (const meter of meters) await meter.start();
    const first = meters[0]!.streamProcess!;
    const asked = performance.now();
    await meters[0]!.sampleAfter(asked + 5000);
    const waitedMs = performance.now() - asked;
    assert.ok(waitedMs < 2500, `sampleAfter returned after ${waitedMs} ms; the fake exits at 1500 ms`);
    for (const meter of meters) {
      assert.match(meter.failure()?.message ?? '', /^nvidia-smi exited with code 15: fake nvidia-smi: Unable to determine the device handle .*GPU is lost/);
    }
    // A failed meter answers at once.
    const t = performance.now();
    await meters[1]!.sampleAfter(t + 10_000);
    assert.ok(performance.now() - t < 50);

    assert.equal(await meters[0]!.restart(), true);
    assert.equal(await meters[1]!.restart(), true);
    assert.equal(meters[0]!.failure(), null);
    assert.equal(meters[1]!.failure(), null);
    assert.notEqual(meters[0]!.streamPid, first.pid, 'a fresh process');
    assert.equal(meters[0]!.streamPid, meters[1]!.streamPid, 'still one stream for both GPUs');
    const after = performance.now();
    await Promise.all(meters.map((meter) => meter.sampleAfter(after)));
    for (const meter of meters) assert.ok(meter.samples()[meter.samples().length - 1]!.tMs >= after, `${meter.info.id} has a sample after the restart`);
    const second = meters[0]!.streamProcess!;
    for (const meter of meters) await meter.stop();
    assert.ok(second.exitCode !== null || second.signalCode !== null);
  });

  test('a stream that stops printing: "nvidia-smi stopped answering" after 5 periods + 1 s, and the hung process is killed', async () => {
    const meters = (await factory({ FAKE_NVSMI_HANG_AFTER_MS: '400', FAKE_NVSMI_WATTS: '250' }, { periodMs: 50 }).create(context, null)).map(asNvidia);
    await meters[0]!.start();
    const child = meters[0]!.streamProcess!;
    await sleep(500);
    const asked = performance.now();
    await meters[0]!.sampleAfter(asked);
    const waitedMs = performance.now() - asked;
    // Silence limit 5 × 50 + 1000 = 1250 ms from the last line (~400 ms in): about 1150 ms from here.
    assert.ok(waitedMs > 700 && waitedMs < 2000, `waited ${waitedMs} ms`);
    assert.match(meters[0]!.failure()?.message ?? '', /^nvidia-smi stopped answering \(no output for \d+ ms, period 50 ms\)$/);
    await waitForExit(child, 2000);
    assert.ok(child.signalCode === 'SIGTERM', `the hung process was killed (exit ${child.exitCode}, signal ${child.signalCode})`);
    await meters[0]!.stop();
  });

  test('stop() leaves no nvidia-smi process behind; sampleAfter after stop() returns at once', async () => {
    const meters = (await factory({ FAKE_NVSMI_WATTS: '250,100' }).create(context, null)).map(asNvidia);
    for (const meter of meters) await meter.start();
    const child = meters[0]!.streamProcess!;
    const pid = child.pid!;
    assert.equal(await psShowsAlive(pid), true, 'ps sees the stream while it runs');
    await meters[0]!.stop();
    assert.equal(child.exitCode, null, 'the stream keeps running while GPU 1 is still metered');
    assert.equal(child.signalCode, null);
    await meters[1]!.stop();
    assert.ok(child.exitCode !== null || child.signalCode !== null, 'stopped when the last meter stops');
    assert.equal(await psShowsAlive(pid), false, `ps no longer lists pid ${pid}`);
    const t = performance.now();
    await meters[0]!.sampleAfter(t + 10_000);
    assert.ok(performance.now() - t < 50);
  });

  test('a process that exits without stop() takes its nvidia-smi with it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'joulebench-nvsmi-exit-'));
    try {
      const script = path.join(dir, 'leave.mts');
      await writeFile(
        script,
        [
          `import { createNvidiaSmiMeterFactory, NvidiaSmiMeter } from ${JSON.stringify(sourceFile)};`,
          `const [meter] = await createNvidiaSmiMeterFactory({ env: ${JSON.stringify(fakeEnv({ FAKE_NVSMI_WATTS: '250' }))} })`,
          `  .create({ cpuTdpWatts: null, baseDir: '.', settings: { 'powercap-root': '/x' }, gpus: null }, null);`,
          'await meter.start();',
          'console.log((meter as NvidiaSmiMeter).streamPid);',
          'process.exit(0);',
        ].join('\n'),
      );
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--import', 'tsx', script], { cwd: path.resolve(here, '..', '..') }, (error, out) => (error ? reject(error) : resolve(out))),
      );
      const pid = Number(stdout.trim());
      assert.ok(pid > 0, `child printed a pid: ${stdout}`);
      let alive = true;
      for (let i = 0; i < 20 && alive; i++) {
        alive = await psShowsAlive(pid);
        if (alive) await sleep(50);
      }
      assert.equal(alive, false, `nvidia-smi ${pid} outlived the process that started it`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
