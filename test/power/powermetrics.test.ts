// The powermetrics meter: plist documents as powermetrics writes them (keys cited in src/power/powermetrics.ts).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { MeterError } from '../../src/errors.js';
import { Metering } from '../../src/measure/metering.js';
import { integrateEnergy } from '../../src/measure/integrate.js';
import {
  createPowermetricsMeterFactory,
  openPowermetricsMeter,
  parsePlist,
  powermetricsArgs,
  powermetricsSample,
  splitPlistStream,
  type StreamTool,
} from '../../src/power/powermetrics.js';
import { settle, SimClock } from './sim-clock.js';

const header = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n';

// A sample with power keys (mW), shaped like one captured on macOS 14/15 (elapsed_ns, processor, gpu).
const current = `${header}<plist version="1.0">
<dict>
  <key>is_delta</key><true/>
  <key>elapsed_ns</key><integer>1023685416</integer>
  <key>timestamp</key><date>2026-01-22T21:07:07Z</date>
  <key>thermal_pressure</key><string>Nominal</string>
  <key>processor</key>
  <dict>
    <key>clusters</key><array><dict><key>name</key><string>E-Cluster</string><key>freq_hz</key><real>9.6e+08</real><key>cpus</key><array/></dict></array>
    <key>cpu_power</key><real>2978.45</real>
    <key>gpu_power</key><real>269.614</real>
    <key>ane_power</key><real>0</real>
    <key>combined_power</key><real>3248.06</real>
  </dict>
  <key>gpu</key>
  <dict>
    <key>freq_hz</key><real>338</real>
    <key>idle_ratio</key><real>0.877343</real>
    <key>gpu_energy</key><integer>284</integer>
  </dict>
</dict>
</plist>
`;

// An older macOS sample: energies in mJ over elapsed_ns, no power keys (asitop's first parser read these).
const older = `${header}<plist version="1.0"><dict>
<key>elapsed_ns</key><integer>500000000</integer>
<key>processor</key><dict>
<key>ane_energy</key><integer>12</integer>
<key>cpu_energy</key><integer>640</integer>
<key>gpu_energy</key><integer>305</integer>
</dict></dict></plist>
`;

describe('powermetrics plist', () => {
  test('a sample with power keys: combined power, and its parts', () => {
    const sample = powermetricsSample(parsePlist(current));
    const rounded = Object.fromEntries(Object.entries(sample).map(([key, value]) => [key, Math.round((value as number) * 1e9) / 1e9]));
    assert.deepEqual(rounded, { elapsedMs: 1023.685416, powerW: 3.24806, cpuW: 2.97845, gpuW: 0.269614, aneW: 0 });
  });

  test('an older sample with energies only: mJ over elapsed ms, summed', () => {
    const sample = powermetricsSample(parsePlist(older));
    assert.equal(sample.elapsedMs, 500);
    assert.equal(sample.cpuW, 1.28);
    assert.equal(sample.gpuW, 0.61);
    assert.equal(sample.aneW, 0.024);
    assert.ok(Math.abs(sample.powerW - 1.914) < 1e-12);
  });

  test('a NUL-separated stream splits into documents; an unfinished one stays for the next chunk', () => {
    const stream = `${current}\0${older}\0${current.slice(0, 100)}`;
    const { documents, rest } = splitPlistStream(stream);
    assert.equal(documents.length, 2);
    assert.equal(rest, current.slice(0, 100));
    assert.equal(powermetricsSample(parsePlist(documents[1]!)).elapsedMs, 500);
  });

  test('the stream arguments', () => {
    assert.deepEqual(powermetricsArgs(100), ['--samplers', 'cpu_power,gpu_power,ane_power', '-i', '100', '--format', 'plist']);
  });

  test('not a plist, a broken plist, an Intel Mac sample, a negative power: POWERMETRICS_FORMAT', () => {
    const isFormat = (e: unknown) => e instanceof MeterError && e.code === 'POWERMETRICS_FORMAT';
    assert.throws(() => parsePlist('powermetrics must be invoked as the superuser'), isFormat);
    assert.throws(() => parsePlist(`${header}<plist version="1.0"><dict><key>elapsed_ns</key><integer>12x</integer></dict></plist>`), isFormat);
    assert.throws(() => parsePlist(`${header}<plist version="1.0"><dict><key>a</key><blob>1</blob></dict></plist>`), isFormat);
    const intel = `${header}<plist version="1.0"><dict><key>elapsed_ns</key><integer>1000000000</integer><key>processor</key><dict><key>package_joules</key><real>4.5</real></dict></dict></plist>`;
    assert.throws(() => powermetricsSample(parsePlist(intel)), (e: unknown) => isFormat(e) && /Apple-silicon Macs only/.test((e as Error).message));
    const negative = `${header}<plist version="1.0"><dict><key>processor</key><dict><key>combined_power</key><real>-5</real></dict></dict></plist>`;
    assert.throws(() => powermetricsSample(parsePlist(negative)), isFormat);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The meter: on simulated time through an injected stream, and end to end with the fake tool (and a fake sudo).

const fakeBin = path.join(import.meta.dirname, '..', 'fixtures', 'bin', 'apple');
const withFake = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, ...extra });
const context = { cpuTdpWatts: null, baseDir: '.', settings: { 'powercap-root': '/x' }, gpus: null };

type Handlers = Parameters<StreamTool>[3];
function drivenStream() {
  const state: { handlers: Handlers | null; starts: number; args: string[] } = { handlers: null, starts: 0, args: [] };
  const stream: StreamTool = (command, args, _env, handlers) => {
    state.handlers = handlers;
    state.starts++;
    state.args = [command, ...args];
    return { child: {} as ChildProcess, stderrTail: () => '', stop: async () => {} };
  };
  return { state, stream };
}
// What powermetrics writes for one sample: the document, its NUL, split into lines as the stream delivers them.
const emit = (state: { handlers: Handlers | null }, document: string) =>
  (state.handlers!.onLines as unknown as (lines: string[], receivedMs: number) => void)(`${document}\0`.split('\n'), 0);
const documentFor = (cpuMw: number, gpuMw: number, aneMw: number, elapsedMs = 100) =>
  current.replace('1023685416', String(elapsedMs * 1e6)).replace('2978.45', String(cpuMw)).replace('269.614', String(gpuMw)).replace('<key>ane_power</key><real>0</real>', `<key>ane_power</key><real>${aneMw}</real>`).replace('3248.06', String(cpuMw + gpuMw + aneMw));

async function startDriven() {
  const clock = new SimClock(0);
  const { state, stream } = drivenStream();
  const meter = openPowermetricsMeter({ clock, stream, periodMs: 100, sudo: true });
  const started = meter.start();
  await settle();
  await clock.advance(100);
  emit(state, documentFor(3000, 500, 0));
  await started;
  return { clock, state, meter };
}

const within = (actual: number, expected: number, fraction: number) =>
  assert.ok(Math.abs(actual - expected) <= fraction * expected, `${actual} is not within ${fraction * 100}% of ${expected}`);

describe('powermetrics meter on simulated time', () => {
  test('constant SoC power: within 1%; run through sudo -n with the documented arguments', async () => {
    const { clock, state, meter } = await startDriven();
    assert.deepEqual(state.args, ['sudo', '-n', 'powermetrics', '--samplers', 'cpu_power,gpu_power,ane_power', '-i', '100', '--format', 'plist']);
    while (clock.now() < 10_000) {
      await clock.advance(100);
      emit(state, documentFor(3000, 500, 0));
    }
    within(integrateEnergy(meter.samples(), 1000, 9000, 'interval-average').energyJ, 3.5 * 8, 0.01);
    assert.deepEqual(meter.samples()[1]!.context, { cpuW: 3, gpuW: 0.5, aneW: 0 });
    await meter.stop();
  });

  test('a square wave (the ANE switching on and off): within 3%', async () => {
    const { clock, state, meter } = await startDriven();
    // Each document holds the mean over its 100 ms; the ANE draws 2 W for 300 ms, then rests for 300 ms.
    const aneAt = (tMs: number) => (Math.floor(tMs / 300) % 2 === 0 ? 2000 : 0);
    let expectedJ = 0;
    while (clock.now() < 11_000) {
      const fromMs = clock.now();
      await clock.advance(100);
      const aneMw = aneAt(fromMs + 50);
      if (fromMs >= 1000 && fromMs < 10_000) expectedJ += (3500 + aneMw) / 1e4;
      emit(state, documentFor(3000, 500, aneMw));
    }
    within(integrateEnergy(meter.samples(), 1000, 10_000, 'interval-average').energyJ, expectedJ, 0.03);
    await meter.stop();
  });

  test('a document it cannot read mid-run: named failure, the window marked, no 0 W', async () => {
    const { clock, state, meter } = await startDriven();
    await clock.advance(100);
    emit(state, `${header}<plist version="1.0"><dict><key>processor</key><dict><key>package_joules</key><real>1</real></dict></dict></plist>`);
    assert.equal((meter.failure() as MeterError).code, 'POWERMETRICS_FORMAT');
    assert.ok(meter.samples().every((s) => s.powerW === 3.5));
    const metering = new Metering([meter]);
    const span = metering.energyOver(0, 100, [meter]);
    await settle();
    await settle();
    await clock.advance(100);
    emit(state, documentFor(3000, 500, 0));
    const result = await span;
    assert.ok(result.notes.some((n) => n.startsWith('incomplete: meter powermetrics failed during this window (powermetrics printed a sample without') && n.endsWith('it was restarted')), result.notes.join('\n'));
    await meter.stop();
  });
});

describe('powermetrics meter: a stream that stays silent', () => {
  test('no document within the startup time: POWERMETRICS_SILENT', async () => {
    const clock = new SimClock(0);
    const { stream } = drivenStream();
    const meter = openPowermetricsMeter({ clock, stream, periodMs: 100, sudo: false, startupTimeoutMs: 3000 });
    const rejected = assert.rejects(meter.start(), (e: unknown) => e instanceof MeterError && e.code === 'POWERMETRICS_SILENT');
    await clock.advance(3000);
    await rejected;
  });
});

describe('powermetrics meter with the fake tool', () => {
  const factory = (env: NodeJS.ProcessEnv, sudo = true) => createPowermetricsMeterFactory({ env, sudo, periodMs: 50, platform: 'darwin' });

  test('probe: macOS only; through sudo -n with a NOPASSWD rule; energy-keyed older macOS too', async () => {
    assert.deepEqual(await createPowermetricsMeterFactory({ platform: 'linux' }).probe(context, null), { ok: false, reason: "powermetrics is macOS's tool (this is linux)" });
    assert.deepEqual(await factory(withFake({ FAKE_PM_NEEDS_ROOT: '1' })).probe(context, null), { ok: true, detail: 'sudo -n powermetrics -i 50: Apple-silicon SoC power (CPU + GPU + ANE), interval averages' });
    assert.ok((await factory(withFake({ FAKE_PM_KEYS: 'energy' }), false).probe(context, null)).ok);
  });

  test('no permission: named, with how to grant it', async () => {
    const notRoot = await factory(withFake({ FAKE_PM_NEEDS_ROOT: '1' }), false).probe(context, null);
    assert.match(notRoot.ok ? '' : notRoot.reason, /^powermetrics needs root \("powermetrics must be invoked as the superuser"\): run joulebench with sudo, or .*NOPASSWD: \/usr\/bin\/powermetrics/);
    const noRule = await factory(withFake({ FAKE_SUDO_NEEDS_PASSWORD: '1' })).probe(context, null);
    assert.match(noRule.ok ? '' : noRule.reason, /^powermetrics needs root \("sudo: a password is required"\)/);
    await assert.rejects(factory(withFake({ FAKE_SUDO_NEEDS_PASSWORD: '1' })).create(context, null).then(([meter]) => meter!.start()), (e: unknown) => e instanceof MeterError && e.code === 'POWERMETRICS_PERMISSION');
  });

  test('text instead of plists, an unknown element, a tool that is not there: named errors', async () => {
    const text = await factory(withFake({ FAKE_PM_FORMAT: 'text' }), false).probe(context, null);
    assert.match(text.ok ? '' : text.reason, /printed text, not plist documents \("\*\*\* Sampled system activity/);
    const bad = await factory(withFake({ FAKE_PM_FORMAT: 'badplist' }), false).probe(context, null);
    assert.match(bad.ok ? '' : bad.reason, /cannot read: unknown element <blob>/);
    assert.deepEqual(await factory({ ...process.env, PATH: '/nonexistent' }, false).probe(context, null), { ok: false, reason: 'powermetrics not found on PATH (powermetrics ships with macOS)' });
  });

  test('a stream that exits mid-run: POWERMETRICS_EXITED with its message; samples before it stand', async () => {
    const meter = openPowermetricsMeter({ env: withFake({ FAKE_PM_MW: '4000,0,0', FAKE_PM_EXIT_AFTER_MS: '300' }), sudo: false, periodMs: 50 });
    await meter.start();
    const deadline = performance.now() + 5000;
    while (!meter.failure() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const failure = meter.failure() as MeterError;
    assert.equal(failure.code, 'POWERMETRICS_EXITED');
    assert.match(failure.message, /powermetrics exited \(code 1\): powermetrics: sampler failed/);
    assert.ok(meter.samples().length > 0 && meter.samples().every((s) => s.powerW === 4));
    await meter.stop();
  });
});
