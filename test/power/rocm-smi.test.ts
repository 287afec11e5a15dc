// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { AmdGpuMeter, initialPeriodMargin, PollParseError } from '../../src/power/amd-common.js';
import { integrateEnergy } from '../../src/measure/integrate.js';
import { createRocmSmiMeterFactory, parseRocmSmiJson } from '../../src/power/rocm-smi.js';
import type { MeterContext, PowerMeter } from '../../src/power/types.js';

const fakeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'bin', 'amd');
const context = (gpus: number[] | null = null): MeterContext => ({ cpuTdpWatts: null, baseDir: os.tmpdir(), settings: { 'powercap-root': '/nonexistent' }, gpus });
const fakeEnv = (vars: Record<string, string>): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${fakeDir}${path.delimiter}${process.env.PATH ?? ''}`, ...vars });
const tmp = () => mkdtemp(path.join(os.tmpdir(), 'jb-rocm-'));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// Meters a test started, stopped after it even when an assertion fails (a running poll loop would keep the test alive).
const running: PowerMeter[] = [];
afterEach(async () => {
  for (const meter of running.splice(0)) await meter.stop();
});
async function started(meter: PowerMeter): Promise<void> {
  running.push(meter);
  await meter.start();
}

// Mean power over a window of `seconds` that starts once the meters run, after the meters caught up with its end.
async function meanOver(meters: PowerMeter[], seconds: number): Promise<number[]> {
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const t1 = performance.now();
  await Promise.all(meters.map((meter) => meter.sampleAfter(t1)));
  return meters.map((meter) => {
    const window = integrateEnergy(meter.samples(), t0, t1, meter.info.sampleKind);
    assert.ok(window.covered, `${meter.info.id} should cover the window`);
    return window.meanPowerW;
  });
}

test('parses both power keys, skips nothing silently, and keeps GPU use as context', () => {
  const current = parseRocmSmiJson('{"card0": {"Current Socket Graphics Package Power (W)": "312.5", "GPU use (%)": "97"}}');
  assert.deepEqual(current, [{
    index: 0, label: 'card0', powerW: 312.5, powerField: 'Current Socket Graphics Package Power (W)', missing: null, context: { 'GPU use (%)': 97 },
  }]);
  const older = parseRocmSmiJson('{"card1": {"Average Graphics Package Power (W)": "35.0"}, "card0": {"Average Graphics Package Power (W)": "N/A (Secondary die)"}}');
  assert.deepEqual(older.map((r) => [r.index, r.powerW, r.missing]), [[0, null, 'N/A (Secondary die)'], [1, 35, null]]);
  // A warning line before the JSON is tolerated; 0 W is "unreadable", never a reading.
  const warned = parseRocmSmiJson('WARNING: 1 GPU(s) are in low-power state\n{"card0": {"Current Socket Graphics Package Power (W)": "0.0"}}');
  assert.equal(warned[0]!.powerW, null);
  assert.throws(() => parseRocmSmiJson('Traceback (most recent call last): rsmi_init failed'), (e: unknown) => e instanceof PollParseError && /not JSON: "Traceback \(most recent call last\): rsmi_init failed"/.test(e.message));
  assert.throws(() => parseRocmSmiJson('{"system": {"Driver version": "6.8"}}'), /listed no cards/);
});

test('a constant 300 W card reads 300 W (within 1%) over 2 s, as rocm-smi:0 on rocm:0', async () => {
  const meters = await createRocmSmiMeterFactory({ env: fakeEnv({ FAKE_ROCM_WATTS: '300' }), targetPeriodMs: 100 }).create(context(), null);
  assert.deepEqual(meters.map((m) => [m.info.id, m.info.device, m.info.kind, m.info.scope, m.info.sampleKind, m.info.estimated]), [['rocm-smi:0', 'rocm:0', 'rocm-smi', 'gpu', 'instant', false]]);
  const [meter] = meters as [PowerMeter];
  await started(meter);
  try {
    const [mean] = await meanOver(meters, 2);
    assert.ok(Math.abs(mean! - 300) <= 3, `mean ${mean} W`);
    assert.ok(meter.samples().every((s) => s.powerW === 300 && s.context?.['GPU use (%)'] === 45));
    assert.ok(meter.samples().length >= 10, `${meter.samples().length} samples in ~2 s at a 100 ms target`);
  } finally {
    await meter.stop();
  }
});

test('two cards share one poll loop and each meter reads its own card', async () => {
  const dir = await tmp();
  const counter = path.join(dir, 'calls');
  try {
    const meters = await createRocmSmiMeterFactory({ env: fakeEnv({ FAKE_ROCM_WATTS: '300,150', FAKE_ROCM_USE: '90,10', FAKE_ROCM_COUNTER: counter }), targetPeriodMs: 100 }).create(context(), null);
    assert.deepEqual(meters.map((m) => [m.info.id, m.info.device]), [['rocm-smi:0', 'rocm:0'], ['rocm-smi:1', 'rocm:1']]);
    for (const meter of meters) await started(meter);
    const means = await meanOver(meters, 1.2);
    for (const meter of meters) await meter.stop();
    assert.ok(Math.abs(means[0]! - 300) <= 3 && Math.abs(means[1]! - 150) <= 1.5, `means ${means.join(', ')}`);
    assert.equal(meters[1]!.samples()[0]!.context?.['GPU use (%)'], 10);
    // One spawn per poll for both meters (plus the discovery poll of create()).
    const spawns = (await readFile(counter, 'utf8')).trim().split('\n').length;
    assert.equal(meters[0]!.samples().length, meters[1]!.samples().length);
    assert.equal(spawns, 1 + meters[0]!.samples().length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an MI250 secondary die gets no meter and the detail says why; --gpus picks indices', async () => {
  const env = fakeEnv({ FAKE_ROCM_WATTS: '300,300', FAKE_ROCM_SECONDARY: '1', FAKE_ROCM_KEY: 'average' });
  const factory = createRocmSmiMeterFactory({ env });
  const probe = await factory.probe(context(), null);
  assert.ok(probe.ok && /card0 300\.0 W/.test(probe.detail) && /"Average Graphics Package Power \(W\)"/.test(probe.detail) && /card1 reports "N\/A \(Secondary die\)"/.test(probe.detail), JSON.stringify(probe));
  const meters = await factory.create(context(), null);
  assert.deepEqual(meters.map((m) => m.info.id), ['rocm-smi:0']);
  assert.match(meters[0]!.info.detail, /skipped \(no meter\): card1 reports "N\/A \(Secondary die\)"/);

  const two = createRocmSmiMeterFactory({ env: fakeEnv({ FAKE_ROCM_WATTS: '300,150' }) });
  assert.deepEqual((await two.create(context([1]), null)).map((m) => m.info.id), ['rocm-smi:1']);
  assert.deepEqual(await two.probe(context([5]), null), { ok: false, reason: '--gpus 5: rocm-smi lists only card0, card1' });
  // Asking only for the secondary die: nothing to meter.
  const onlySecondary = await factory.probe(context([1]), null);
  assert.ok(!onlySecondary.ok && /no power for any GPU \(card1: N\/A \(Secondary die\)\)/.test(onlySecondary.reason), JSON.stringify(onlySecondary));
});

test('a slow rocm-smi stretches the period: the achieved period is measured and recorded', async () => {
  const delayMs = 150;
  const meters = await createRocmSmiMeterFactory({ env: fakeEnv({ FAKE_ROCM_DELAY_MS: String(delayMs) }), targetPeriodMs: 100 }).create(context(), null);
  const meter = meters[0] as AmdGpuMeter;
  // Before the first spacing is known, periodMs over-estimates: 1.25 × the discovery poll's duration (> the target).
  assert.ok(meter.info.periodMs >= initialPeriodMargin * delayMs, `initial periodMs ${meter.info.periodMs}`);
  assert.match(meter.info.detail, /target period 100 ms, first poll took \d+ ms/);
  await started(meter);
  await sleep(1500);
  await meter.stop();
  const achieved = meter.achievedPeriodMs()!;
  const samples = meter.samples();
  const spacingMs = (samples[samples.length - 1]!.tMs - samples[0]!.tMs) / (samples.length - 1);
  assert.ok(achieved >= delayMs, `achieved ${achieved} ms < the tool's ${delayMs} ms delay`);
  assert.ok(Math.abs(spacingMs - achieved) <= 0.15 * achieved, `sample spacing ${spacingMs} ms vs achieved ${achieved} ms`);
  assert.equal(meter.info.periodMs, achieved);
  assert.match(meter.info.detail, new RegExp(`achieved ${achieved.toFixed(1)} ms \\(mean spacing of ${samples.length} polls\\)`));
});

test('a tool that slows down mid-run is reported by diagnostics() with the window it needs', async () => {
  const dir = await tmp();
  const delayFile = path.join(dir, 'delay');
  try {
    const [meter] = (await createRocmSmiMeterFactory({ env: fakeEnv({ FAKE_ROCM_DELAY_FILE: delayFile }), targetPeriodMs: 100 }).create(context(), null)) as [AmdGpuMeter];
    const assumedMs = meter.info.periodMs;
    await started(meter);
    await writeFile(delayFile, '250');
    await sleep(1500);
    await meter.stop();
    const achieved = meter.achievedPeriodMs()!;
    assert.ok(achieved > assumedMs && meter.info.periodMs === achieved, `achieved ${achieved} ms, assumed ${assumedMs} ms`);
    assert.deepEqual(meter.diagnostics(), [
      `rocm-smi:0: rocm-smi polls came every ${achieved.toFixed(0)} ms on average (target 100 ms), slower than the ${assumedMs.toFixed(0)} ms assumed when sizing windows: keep windows ≥ ${((10 * achieved) / 1000).toFixed(1)} s (--min-seconds)`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('probe says precisely why rocm-smi cannot be used', async () => {
  const dir = await tmp();
  try {
    const missing = await createRocmSmiMeterFactory({ env: { ...process.env, PATH: dir } }).probe(context(), null);
    assert.ok(!missing.ok && /rocm-smi is not (installed|on PATH)/.test(missing.reason), JSON.stringify(missing));

    await writeFile(path.join(dir, 'rocm-smi'), '#!/bin/sh\necho {}\n');
    await chmod(path.join(dir, 'rocm-smi'), 0o644);
    const forbidden = await createRocmSmiMeterFactory({ env: { ...process.env, PATH: dir } }).probe(context(), null);
    assert.ok(!forbidden.ok && forbidden.reason === `permission denied: ${path.join(dir, 'rocm-smi')} is not executable by this user`, JSON.stringify(forbidden));

    const garbage = await createRocmSmiMeterFactory({ env: fakeEnv({ FAKE_ROCM_FAIL: '1' }) }).probe(context(), null);
    assert.ok(!garbage.ok, 'garbage must not probe ok');
    assert.equal(garbage.reason, 'rocm-smi --showpower --showuse --json: rocm-smi exited with code 1; rocm-smi printed output that is not JSON: "Traceback (most recent call last):\\n  File \\"/opt/rocm/bin/rocm-smi\\", line 1\\nrsmi_"…'); // 80 characters quoted
    await assert.rejects(createRocmSmiMeterFactory({ env: fakeEnv({ FAKE_ROCM_FAIL: '1' }) }).create(context(), null), /exited with code 1/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('three failed polls in a row set failure(); restart() revives the meter', async () => {
  const dir = await tmp();
  const failFlag = path.join(dir, 'fail');
  try {
    const [meter] = (await createRocmSmiMeterFactory({ env: fakeEnv({ FAKE_ROCM_FAIL_IF_EXISTS: failFlag }), targetPeriodMs: 50 }).create(context(), null)) as [PowerMeter];
    await started(meter);
    assert.equal(meter.failure(), null);
    await writeFile(failFlag, '');
    const before = meter.samples().length;
    await meter.sampleAfter(performance.now() + 10_000); // returns as soon as the meter fails
    assert.match(meter.failure()?.message ?? 'none', /^3 rocm-smi polls in a row failed; the last: rocm-smi exited with code 1; .*not JSON: "Traceback/);
    assert.ok(meter.samples().length <= before + 1, 'no samples from failed polls');
    await meter.sampleAfter(performance.now()); // a failed meter does not hold the sweep up
    await rm(failFlag);
    assert.equal(await meter.restart(), true);
    assert.equal(meter.failure(), null);
    assert.ok(meter.diagnostics!().some((w) => /^rocm-smi:0: 3 of \d+ rocm-smi polls failed \(last: rocm-smi exited with code 1; .*not JSON/.test(w)), JSON.stringify(meter.diagnostics!()));
    const t = performance.now();
    await meter.sampleAfter(t);
    assert.ok(meter.samples()[meter.samples().length - 1]!.tMs >= t);
    await meter.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a hung rocm-smi: sampleAfter times out with failure() and the child is killed; stop() leaves no child', async () => {
  const dir = await tmp();
  const hangFlag = path.join(dir, 'hang');
  const pidFile = path.join(dir, 'pid');
  try {
    const env = fakeEnv({ FAKE_ROCM_HANG_IF_EXISTS: hangFlag, FAKE_ROCM_PIDFILE: pidFile });
    const [meter] = (await createRocmSmiMeterFactory({ env, targetPeriodMs: 50, sampleTimeoutMs: 400 }).create(context(), null)) as [PowerMeter];
    await started(meter);
    await writeFile(hangFlag, '');
    await sleep(300); // a poll is now stuck
    const pid = Number(await readFile(pidFile, 'utf8'));
    assert.ok(alive(pid));
    const t = performance.now();
    await meter.sampleAfter(t);
    assert.ok(performance.now() - t >= 390, 'waited for the timeout');
    assert.match(meter.failure()?.message ?? 'none', /no rocm-smi poll completed within 400 ms/);
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(20);
    assert.ok(!alive(pid), 'the hung rocm-smi was killed');

    // Revive it, hang it again, and stop while a poll is in flight.
    await rm(hangFlag);
    assert.equal(await meter.restart(), true);
    await writeFile(hangFlag, '');
    await sleep(300);
    const pid2 = Number(await readFile(pidFile, 'utf8'));
    assert.ok(pid2 !== pid && alive(pid2));
    await meter.stop();
    assert.ok(!alive(pid2), 'stop() killed the poll in flight');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
