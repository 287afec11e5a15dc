// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PollParseError } from '../../src/power/amd-common.js';
import { createAmdSmiMeterFactory, parseAmdSmiJson } from '../../src/power/amd-smi.js';
import { integrateEnergy } from '../../src/measure/integrate.js';
import type { MeterContext, PowerMeter } from '../../src/power/types.js';

const fakeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'bin', 'amd');
const context = (gpus: number[] | null = null): MeterContext => ({ cpuTdpWatts: null, baseDir: os.tmpdir(), settings: { 'powercap-root': '/nonexistent' }, gpus });
const fakeEnv = (vars: Record<string, string>): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${fakeDir}${path.delimiter}${process.env.PATH ?? ''}`, ...vars });

// Meters a test started, stopped after it even when an assertion fails (a running poll loop would keep the test alive).
const running: PowerMeter[] = [];
afterEach(async () => {
  for (const meter of running.splice(0)) await meter.stop();
});
async function started(meter: PowerMeter): Promise<void> {
  running.push(meter);
  await meter.start();
}

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

const entry = (gpu: number, socketPower: unknown) => ({
  gpu,
  power: { socket_power: socketPower, gfx_voltage: { value: 812, unit: 'mV' }, throttle_status: 'N/A', power_management: 'ENABLED' },
  usage: { gfx_activity: { value: 45, unit: '%' }, umc_activity: { value: 12, unit: '%' }, mm_activity: 'N/A' },
});

test('parses the ROCm 6 list and the ROCm 7 gpu_data wrapper alike, with usage as context', () => {
  const list = [entry(0, { value: 350, unit: 'W' }), entry(1, { value: 120, unit: 'W' })];
  const rocm6 = parseAmdSmiJson(JSON.stringify(list, null, 4));
  const rocm7 = parseAmdSmiJson(JSON.stringify({ gpu_data: list }));
  assert.deepEqual(rocm6, rocm7);
  assert.deepEqual(rocm6.map((r) => [r.index, r.powerW, r.powerField]), [[0, 350, 'power.socket_power'], [1, 120, 'power.socket_power']]);
  assert.deepEqual(rocm6[0]!.context, {
    'gfx_activity (%)': 45, 'umc_activity (%)': 12, 'gfx_voltage (mV)': 812, power_management: 'ENABLED',
  });
});

test('socket power as a bare number, a numeric string, or in mW; "N/A" is no reading, never 0 W', () => {
  const power = (socketPower: unknown) => parseAmdSmiJson(JSON.stringify([entry(0, socketPower)]))[0]!;
  assert.equal(power(300).powerW, 300);
  assert.equal(power('300.5').powerW, 300.5);
  assert.equal(power({ value: 300_000, unit: 'mW' }).powerW, 300);
  assert.equal(power({ value: '300', unit: 'W' }).powerW, 300);
  assert.deepEqual([power('N/A').powerW, power('N/A').missing], [null, 'N/A']);
  assert.deepEqual([power({ value: 'N/A', unit: 'W' }).powerW, power({ value: 'N/A', unit: 'W' }).missing], [null, 'N/A']);
  assert.equal(power(0).powerW, null);
  assert.equal(power({ value: 3, unit: 'kJ' }).powerW, null);
  // Older amd-smi named the field current_socket_power.
  assert.equal(parseAmdSmiJson(JSON.stringify([{ gpu: 2, power: { current_socket_power: { value: 90, unit: 'W' } } }]))[0]!.powerW, 90);
  assert.throws(() => parseAmdSmiJson('<html>amd-smi exploded</html>'), (e: unknown) => e instanceof PollParseError && /not JSON: "<html>amd-smi exploded<\/html>"/.test(e.message));
  assert.throws(() => parseAmdSmiJson('{"gpus": []}'), /neither a list of GPUs nor \{"gpu_data": \[\.\.\.\]\}/);
  assert.throws(() => parseAmdSmiJson('[]'), /listed no GPUs/);
});

test('a constant 300 W GPU reads 300 W (within 1%) over 2 s with the ROCm 7 shape, as amd-smi:0 on rocm:0', async () => {
  const meters = await createAmdSmiMeterFactory({ env: fakeEnv({ FAKE_AMDSMI_WATTS: '300', FAKE_AMDSMI_SHAPE: 'rocm7' }), targetPeriodMs: 100 }).create(context(), null);
  assert.deepEqual(meters.map((m) => [m.info.id, m.info.device, m.info.kind, m.info.sampleKind]), [['amd-smi:0', 'rocm:0', 'amd-smi', 'instant']]);
  const [meter] = meters as [PowerMeter];
  await started(meter);
  try {
    const [mean] = await meanOver(meters, 2);
    assert.ok(Math.abs(mean! - 300) <= 3, `mean ${mean} W`);
    assert.equal(meter.samples()[0]!.context?.['gfx_activity (%)'], 45);
  } finally {
    await meter.stop();
  }
});

test('two GPUs at 300 and 150 W: each meter reads its own, in both output shapes and in mW', async () => {
  const variants: Array<Record<string, string>> = [{ FAKE_AMDSMI_SHAPE: 'rocm6' }, { FAKE_AMDSMI_SHAPE: 'rocm7', FAKE_AMDSMI_UNIT: 'mW' }, { FAKE_AMDSMI_FORM: 'string' }];
  for (const vars of variants) {
    const meters = await createAmdSmiMeterFactory({ env: fakeEnv({ FAKE_AMDSMI_WATTS: '300,150', ...vars }), targetPeriodMs: 100 }).create(context(), null);
    assert.deepEqual(meters.map((m) => m.info.id), ['amd-smi:0', 'amd-smi:1']);
    for (const meter of meters) await started(meter);
    const means = await meanOver(meters, 0.6);
    for (const meter of meters) await meter.stop();
    assert.ok(Math.abs(means[0]! - 300) <= 3 && Math.abs(means[1]! - 150) <= 1.5, `${JSON.stringify(vars)}: means ${means.join(', ')}`);
  }
  const only1 = await createAmdSmiMeterFactory({ env: fakeEnv({ FAKE_AMDSMI_WATTS: '300,150' }) }).create(context([1]), null);
  assert.deepEqual(only1.map((m) => [m.info.id, m.info.device]), [['amd-smi:1', 'rocm:1']]);
});

test('N/A polls leave gaps, never 0 W samples; an all-N/A GPU does not probe ok', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jb-amdsmi-'));
  const counter = path.join(dir, 'calls');
  try {
    const [meter] = (await createAmdSmiMeterFactory({ env: fakeEnv({ FAKE_AMDSMI_NA: 'alternate', FAKE_AMDSMI_COUNTER: counter }), targetPeriodMs: 50 }).create(context(), null)) as [PowerMeter];
    await started(meter);
    const [mean] = await meanOver([meter], 1);
    await meter.stop();
    const polls = (await readFile(counter, 'utf8')).trim().split('\n').length - 1; // minus the discovery poll
    const samples = meter.samples();
    assert.ok(samples.every((s) => s.powerW === 300), 'only real readings are samples');
    assert.ok(Math.abs(samples.length - polls / 2) <= 1, `${samples.length} samples from ${polls} polls, every second one N/A`);
    assert.ok(Math.abs(mean! - 300) < 1e-9, `mean ${mean} W`);
    assert.ok(meter.diagnostics!().some((w) => /^amd-smi:0: \d+ of \d+ amd-smi polls gave no power for this GPU \("N\/A"\); those instants are gaps, not 0 W$/.test(w)), JSON.stringify(meter.diagnostics!()));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const na = await createAmdSmiMeterFactory({ env: fakeEnv({ FAKE_AMDSMI_NA: '1', FAKE_AMDSMI_WATTS: '300,150' }) }).probe(context(), null);
  assert.deepEqual(na, { ok: false, reason: 'amd-smi reports no power for any GPU (gpu 0: N/A; gpu 1: N/A)' });
});

test('probe: ok with a detail; permission and garbage give precise reasons', async () => {
  const ok = await createAmdSmiMeterFactory({ env: fakeEnv({ FAKE_AMDSMI_WATTS: '300,150' }) }).probe(context(), null);
  assert.ok(ok.ok && /^amd-smi: 2 GPUs \(gpu 0 300\.0 W, gpu 1 150\.0 W\) via power\.socket_power; one poll took \d+ ms$/.test(ok.detail), JSON.stringify(ok));
  const permission = await createAmdSmiMeterFactory({ env: fakeEnv({ FAKE_AMDSMI_PERMISSION: '1' }) }).probe(context(), null);
  assert.ok(!permission.ok && /^amd-smi metric --power --usage --json: permission denied: amd-smi exited with code 13: "ERROR:root:Unable to open \/dev\/kfd: Permission denied.*render and video groups/.test(permission.reason), JSON.stringify(permission));
  const garbage = await createAmdSmiMeterFactory({ env: fakeEnv({ FAKE_AMDSMI_FAIL: '1' }) }).probe(context(), null);
  assert.deepEqual(garbage, { ok: false, reason: 'amd-smi metric --power --usage --json: amd-smi exited with code 1; amd-smi printed output that is not JSON: "<html>amd-smi exploded</html>"' });
  const missing = await createAmdSmiMeterFactory({ env: { ...process.env, PATH: '/nonexistent' } }).probe(context(), null);
  assert.ok(!missing.ok && /amd-smi is not (installed|on PATH)/.test(missing.reason), JSON.stringify(missing));
});

test('a GPU that turns N/A for good: failure() names it after the timeout, the loop keeps polling, restart() needs a reading', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jb-amdsmi-'));
  const naFlag = path.join(dir, 'na');
  try {
    const [meter] = (await createAmdSmiMeterFactory({ env: fakeEnv({ FAKE_AMDSMI_NA_IF_EXISTS: naFlag }), targetPeriodMs: 50, sampleTimeoutMs: 1500 }).create(context(), null)) as [PowerMeter];
    await started(meter);
    await writeFile(naFlag, '');
    const t = performance.now();
    await meter.sampleAfter(t);
    // 1.5 s leaves room for several polls (each spawns the fake) even on a loaded machine.
    assert.ok(performance.now() - t >= 1490, 'waited for the timeout');
    assert.equal(meter.failure()?.message, 'amd-smi:0: amd-smi polls completed but gave no power for this GPU (it reports "N/A")');
    assert.ok(meter.samples().every((s) => s.powerW === 300));
    assert.equal(await meter.restart(), false, 'still N/A: cannot be revived');
    await rm(naFlag);
    assert.equal(await meter.restart(), true);
    assert.equal(meter.failure(), null);
    await meter.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
