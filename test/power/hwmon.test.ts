// The hwmon meter's discovery, selection and reading against fake /sys/class/hwmon trees.
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { MeterError } from '../../src/errors.js';
import { Metering } from '../../src/measure/metering.js';
import { channelKey, counterDeltaUj, createHwmonMeterFactory, discoverHwmon, hwmonMeterFactory, openHwmonMeters, planHwmon, readChannels, readInteger } from '../../src/power/hwmon.js';
import { integrateEnergy } from '../../src/measure/integrate.js';
import type { PowerMeter } from '../../src/power/types.js';
import { denyingReader } from '../fixtures/powercap.js';
import { createFakeHwmon, jetsonOrinNano, type FakeHwmon, type FakeHwmonChip } from '../fixtures/hwmon.js';
import { SimClock } from './sim-clock.js';

let fakes: FakeHwmon[] = [];
const fake = (chips: FakeHwmonChip[], clock?: () => number) => {
  const f = createFakeHwmon(chips, clock);
  fakes.push(f);
  return f;
};
afterEach(() => {
  for (const f of fakes) f.close();
  fakes = [];
});

const keys = (f: FakeHwmon, selection: string[] | null = null) => {
  const chips = discoverHwmon(f.root);
  const plan = planHwmon(f.root, chips, selection);
  return { counted: plan.counted.map((c) => channelKey(c, chips)), skipped: plan.skipped.map((s) => `${channelKey(s.channel, chips)}: ${s.why}`) };
};

describe('hwmon discovery', () => {
  test('each chip offers its best kind of channel: energy, else power input, else average, else rails', () => {
    const f = fake([
      { name: 'i915', channels: [{ kind: 'energy', index: 1, watts: 20 }, { kind: 'power', index: 1, watts: 20 }] },
      { name: 'amdgpu', channels: [{ kind: 'power', index: 1, label: 'PPT', watts: 150 }, { kind: 'average', index: 1, watts: 150 }] },
      { name: 'power_meter', channels: [{ kind: 'average', index: 1, watts: 300, intervalMs: 1000 }] },
      jetsonOrinNano(5, 1, 1.5),
      { name: 'nvme', channels: [] },
    ]);
    const chips = discoverHwmon(f.root);
    assert.deepEqual(chips.map((c) => [c.id, c.name, c.channels.map((ch) => `${ch.source}:${ch.label}`)]), [
      ['hwmon0', 'i915', ['energy:energy1']],
      ['hwmon1', 'amdgpu', ['power-input:PPT']],
      ['hwmon2', 'power_meter', ['power-average:power1']],
      ['hwmon3', 'ina3221', ['rail:VDD_IN', 'rail:VDD_CPU_GPU_CV', 'rail:VDD_SOC']],
      ['hwmon4', 'nvme', []],
    ]);
    assert.equal(chips[2]!.channels[0]!.averageIntervalMs, 1000);
    // ina3221.rst: curr4 is a sum and in4 a shunt voltage in µV: never paired into a rail.
    assert.ok(!chips[3]!.channels.some((c) => c.index === 4));
    assert.deepEqual(chips[3]!.channels[0]!.files.map((file) => path.basename(file)), ['curr1_input', 'in1_input']);
  });

  test('attributes in hwmonN/device/ (older drivers) are found too', () => {
    const f = fake([{ name: 'ina226', layout: 'device', channels: [{ kind: 'power', index: 1, watts: 4 }] }]);
    const [chip] = discoverHwmon(f.root);
    assert.equal(chip!.name, 'ina226');
    assert.equal(chip!.channels[0]!.files[0], path.join(f.root, 'hwmon0', 'device', 'power1_input'));
  });

  test('no root, or an empty one: no chips', () => {
    assert.deepEqual(discoverHwmon('/nonexistent/hwmon'), []);
  });
});

describe('hwmon default plan: nothing counted twice', () => {
  test('a Jetson: VDD_IN alone, its sub-rails named as such', () => {
    const f = fake([jetsonOrinNano(7, 2, 1.5)]);
    assert.deepEqual(keys(f), {
      counted: ['ina3221/VDD_IN'],
      skipped: ['ina3221/VDD_CPU_GPU_CV: a sub-rail of VDD_IN, the board input', 'ina3221/VDD_SOC: a sub-rail of VDD_IN, the board input'],
    });
  });

  test('no board input: every connected rail, NC skipped', () => {
    const f = fake([{ name: 'ina3221', channels: [
      { kind: 'rail', index: 1, label: 'VDD_GPU_SOC', watts: 3 },
      { kind: 'rail', index: 2, label: 'VDD_CPU_CV', watts: 1 },
      { kind: 'rail', index: 3, label: 'NC', watts: 0 },
    ] }]);
    assert.deepEqual(keys(f), { counted: ['ina3221/VDD_GPU_SOC', 'ina3221/VDD_CPU_CV'], skipped: ['ina3221/NC: not connected (labelled NC)'] });
  });

  test('an ACPI system meter is the total: a board rail inside it is not added', () => {
    const f = fake([
      { name: 'power_meter', channels: [{ kind: 'average', index: 1, watts: 300 }] },
      { name: 'ina226', channels: [{ kind: 'power', index: 1, watts: 12 }] },
    ]);
    assert.deepEqual(keys(f), { counted: ['power_meter/power1'], skipped: ['ina226/power1: inside the ACPI system power meter (power_meter)'] });
  });

  test('GPUs and unknown chips are found but wait for --hwmon; xe counts its card, not the package inside it', () => {
    const f = fake([
      { name: 'xe', channels: [{ kind: 'energy', index: 1, label: 'card', watts: 60 }, { kind: 'energy', index: 2, label: 'pkg', watts: 50 }] },
      { name: 'i915', channels: [{ kind: 'energy', index: 1, watts: 20 }] },
      { name: 'i915_gt0', channels: [{ kind: 'energy', index: 1, watts: 15 }] },
      { name: 'amdgpu', channels: [{ kind: 'power', index: 1, label: 'PPT', watts: 150 }] },
      { name: 'acme_psu', channels: [{ kind: 'power', index: 1, watts: 400 }] },
    ]);
    assert.deepEqual(keys(f), {
      counted: [],
      skipped: [
        'xe/card: a GPU, not the board or system (count it with --hwmon xe)',
        'xe/pkg: a GPU, not the board or system (count it with --hwmon xe)',
        'i915/energy1: a GPU, not the board or system (count it with --hwmon i915)',
        'i915_gt0/energy1: a GT inside the i915 device total',
        'amdgpu/PPT: a GPU, not the board or system (count it with --hwmon amdgpu)',
        'acme_psu/power1: unknown sensor (count it with --hwmon acme_psu)',
      ],
    });
    assert.deepEqual(keys(f, ['xe', 'i915', 'amdgpu']).counted, ['xe/card', 'i915/energy1', 'amdgpu/PPT']);
  });

  test('two chips of one name are told apart by their folder', () => {
    const f = fake([{ name: 'ina226', channels: [{ kind: 'power', index: 1, watts: 10 }] }, { name: 'ina226', channels: [{ kind: 'power', index: 1, watts: 9 }] }]);
    assert.deepEqual(keys(f).counted, ['ina226@hwmon0/power1', 'ina226@hwmon1/power1']);
  });
});

describe('hwmon --hwmon selection', () => {
  const chips: FakeHwmonChip[] = [
    jetsonOrinNano(7, 2, 1.5),
    { name: 'acme_psu', channels: [{ kind: 'power', index: 1, watts: 400 }, { kind: 'power', index: 2, watts: 10 }] },
  ];

  test('a chip name takes its default channels; an unknown chip named explicitly counts in full', () => {
    const f = fake(chips);
    assert.deepEqual(keys(f, ['ina3221']).counted, ['ina3221/VDD_IN']);
    assert.deepEqual(keys(f, ['acme_psu']).counted, ['acme_psu/power1', 'acme_psu/power2']);
    assert.deepEqual(keys(f, ['hwmon1']).counted, ['acme_psu/power1', 'acme_psu/power2']);
  });

  test('sub-rails by label (bare or CHIP/LABEL, any case) without the board input', () => {
    const f = fake(chips);
    assert.deepEqual(keys(f, ['vdd_cpu_gpu_cv', 'ina3221/VDD_SOC']).counted, ['ina3221/VDD_CPU_GPU_CV', 'ina3221/VDD_SOC']);
  });

  test('the board input together with a sub-rail is refused: it would count that power twice', () => {
    const f = fake(chips);
    assert.throws(() => keys(f, ['VDD_IN', 'VDD_SOC']), (error: unknown) => {
      assert.ok(error instanceof MeterError);
      assert.equal(error.code, 'HWMON_SELECTION');
      assert.match(error.message, /VDD_IN is the board input and already contains VDD_SOC/);
      return true;
    });
  });

  test('a sensor that is not there: a named error listing what was found', () => {
    const f = fake(chips);
    assert.throws(() => keys(f, ['amdgpu']), /--hwmon amdgpu: no hwmon sensor under .* matches; found: ina3221 \(hwmon0: VDD_IN, VDD_CPU_GPU_CV, VDD_SOC\); acme_psu/);
  });
});

describe('hwmon reading', () => {
  test('units: µW → W, mA × mV → W, µJ as is', () => {
    const f = fake([
      { name: 'amdgpu', channels: [{ kind: 'power', index: 1, watts: 151.25 }] },
      { name: 'ina226', channels: [{ kind: 'rail', index: 1, watts: 7.5, voltageMv: 12000 }] },
      { name: 'i915', channels: [{ kind: 'energy', index: 1, watts: 20, startUj: 123_456 }] },
    ]);
    const chips = discoverHwmon(f.root);
    const reading = readChannels(f.readText, chips.flatMap((c) => c.channels));
    assert.deepEqual(reading.powerW, [151.25, (625 * 12000) / 1e6, null]);
    assert.deepEqual(reading.energyUj, [null, null, 123_456]);
  });

  test('a signed 32-bit counter past 2^31 reads as its unsigned value', () => {
    const f = fake([{ name: 'i915', channels: [{ kind: 'energy', index: 1, watts: 0, startUj: 2 ** 32 - 5, wrapUj: 2 ** 32, signed32: true }] }]);
    const reading = readChannels(f.readText, discoverHwmon(f.root)[0]!.channels);
    assert.deepEqual(reading.energyUj, [2 ** 32 - 5]);
  });

  test('not a number, a vanished file, no permission: named errors with the file', () => {
    const f = fake([{ name: 'amdgpu', channels: [{ kind: 'power', index: 1, watts: 100 }] }]);
    const file = path.join(f.root, 'hwmon0', 'power1_input');
    f.freeze(0, 1, 'N/A');
    assert.throws(() => readInteger(f.readText, file), (e: unknown) => e instanceof MeterError && e.code === 'HWMON_NOT_A_NUMBER' && e.message === `${file}: expected an integer, got "N/A"`);
    f.restore(0, 1);
    f.remove(0, 1);
    assert.throws(() => readInteger(f.readText, file), (e: unknown) => e instanceof MeterError && e.code === 'HWMON_VANISHED' && e.message.startsWith(`${file} disappeared (ENOENT)`));
    f.restore(0, 1);
    assert.throws(() => readInteger(denyingReader(/power1_input/), file), (e: unknown) => e instanceof MeterError && e.code === 'HWMON_PERMISSION' && /run as root/.test(e.hint ?? ''));
  });
});

describe('hwmon counter deltas', () => {
  test('a forward step is the energy; one 32-bit wrap is unwrapped', () => {
    assert.equal(counterDeltaUj(1_000, 6_000, 100, 500), 5_000);
    // 2^32 − 1 000 → 4 000: 5 000 µJ across the wrap in 100 ms = 50 mW.
    assert.equal(counterDeltaUj(2 ** 32 - 1_000, 4_000, 100, 500), 5_000);
  });

  test('a reset (back by more than a wrap explains, or an impossible power) is no energy at all', () => {
    assert.equal(counterDeltaUj(2 ** 40, 5, 100, 500), null);
    assert.equal(counterDeltaUj(5_000_000, 10, 100, 500), null, 'a wrap would mean 42 kW');
    assert.equal(counterDeltaUj(0, 10 ** 9, 100, 500), null, '1 kJ in 100 ms is 10 kW');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The meter on simulated time: the fake tree follows the SimClock, the meter polls on it.

const startMeters = async (f: FakeHwmon, clock: SimClock, selection: string[] | null = null) => {
  const meters = openHwmonMeters(f.root, selection, { clock, readText: f.readText, periodMs: 100 });
  const started = Promise.all(meters.map((meter) => meter.start()));
  await clock.advance(10);
  await started;
  opened.push(...meters);
  return meters;
};
let opened: PowerMeter[] = [];
afterEach(async () => {
  for (const meter of opened) await meter.stop();
  opened = [];
});

// Energy a meter saw over [t0, t1] once it has a sample past t1 (advancing simulated time until it does).
async function energyJ(meter: PowerMeter, clock: SimClock, t0Ms: number, t1Ms: number): Promise<number> {
  await clock.advance(Math.max(0, t1Ms - clock.now()));
  const after = meter.sampleAfter(t1Ms);
  await clock.advance(5);
  await after;
  return integrateEnergy(meter.samples(), t0Ms, t1Ms, meter.info.sampleKind).energyJ;
}

const within = (actual: number, expected: number, fraction: number) =>
  assert.ok(Math.abs(actual - expected) <= fraction * expected, `${actual} is not within ${fraction * 100}% of ${expected}`);

describe('hwmon meter on simulated time', () => {
  test('constant power from an energy counter: within 1%', async () => {
    const clock = new SimClock(0);
    const f = fake([{ name: 'i915', channels: [{ kind: 'energy', index: 1, watts: 25 }] }], () => clock.now());
    const [meter] = await startMeters(f, clock, ['i915']);
    assert.equal(meter!.info.id, 'hwmon:i915');
    assert.equal(meter!.info.sampleKind, 'interval-average');
    within(await energyJ(meter!, clock, 1000, 9000), 25 * 8, 0.01);
  });

  test('constant power from a power input and from an averaged ACPI meter: within 1%; the average bounds the window', async () => {
    const clock = new SimClock(0);
    const f = fake([
      { name: 'ina226', channels: [{ kind: 'power', index: 1, watts: 12.5 }] },
      { name: 'acme_psu', channels: [{ kind: 'average', index: 1, watts: 300, intervalMs: 1000 }] },
    ], () => clock.now());
    const [rail, psu] = await startMeters(f, clock, ['ina226', 'acme_psu']);
    within(await energyJ(rail!, clock, 1000, 9000), 100, 0.01);
    within(await energyJ(psu!, clock, 1000, 9000), 2400, 0.01);
    // power1_average_interval 1000 ms: the meter's period is the averaging window, so windows are ≥ 10 s.
    assert.equal(psu!.info.periodMs, 1000);
    assert.match(psu!.info.detail, /averaged by the sensor over 1000 ms/);
  });

  test('a square wave on the Jetson board input: within 3%', async () => {
    const clock = new SimClock(0);
    const f = fake([jetsonOrinNano(5, 1, 1)], () => clock.now());
    const [meter] = await startMeters(f, clock);
    // 5 W / 15 W, switching every 337 ms from t = 513 ms: at every phase of the 100 ms poll, as a real load would.
    let expectedJ = 0;
    let watts = 5;
    const t0 = 513;
    const t1 = 10_513;
    await clock.advance(t0 - clock.now());
    for (let t = t0; t < t1; t += 337) {
      watts = watts === 5 ? 15 : 5;
      f.setWatts(0, 1, watts);
      const stepMs = Math.min(337, t1 - t);
      expectedJ += (watts * stepMs) / 1000;
      await clock.advance(stepMs);
    }
    within(await energyJ(meter!, clock, t0, t1), expectedJ, 0.03);
  });

  test('an energy counter that wraps (a 32-bit long) mid-window: within 0.5%', async () => {
    const clock = new SimClock(0);
    const wrapUj = 2 ** 32;
    const f = fake([{ name: 'i915', channels: [{ kind: 'energy', index: 1, watts: 50, startUj: wrapUj - 100e6, wrapUj, signed32: true }] }], () => clock.now());
    const [meter] = await startMeters(f, clock, ['i915']);
    // 100 J before the wrap, 500 J over the window: the counter passes 2^32 µJ at t ≈ 2 s.
    within(await energyJ(meter!, clock, 1000, 11_000), 500, 0.005);
    assert.ok(meter!.samples().every((s) => s.powerW > 49 && s.powerW < 51), 'no sample shows the wrap as a spike or a dip');
  });

  test('the rail sum does not double-count VDD_IN and its sub-rails', async () => {
    const clock = new SimClock(0);
    const f = fake([jetsonOrinNano(7, 2, 1.5)], () => clock.now());
    const [board] = await startMeters(f, clock);
    assert.equal(board!.info.scope, 'board');
    within(await energyJ(board!, clock, 1000, 5000), 7 * 4, 0.01);
    assert.deepEqual(Object.keys(board!.samples()[0]!.context ?? {}), ['VDD_IN']);
    await board!.stop();
    const [rails] = await startMeters(f, clock, ['VDD_CPU_GPU_CV', 'VDD_SOC']);
    within(await energyJ(rails!, clock, 6000, 9000), 3.5 * 3, 0.01);
  });
});

describe('hwmon meter: bad input mid-run', () => {
  test('a sysfs file that disappears: named failure, the window marked, no 0 W, restarted once it is back', async () => {
    const clock = new SimClock(0);
    const f = fake([jetsonOrinNano(6, 2, 1)], () => clock.now());
    const [meter] = await startMeters(f, clock);
    await clock.advance(1000);
    f.remove(0, 1);
    await clock.advance(500);
    const failure = meter!.failure();
    assert.ok(failure instanceof MeterError && failure.code === 'HWMON_VANISHED', String(failure));
    assert.match(failure.message, /curr1_input disappeared \(ENOENT\)/);
    assert.ok(meter!.samples().every((s) => s.powerW === 6), 'never a 0 W sample for a file that could not be read');
    // The sweep marks the window and restarts the meter once; with the file back, samples resume.
    const metering = new Metering([meter!]);
    f.restore(0, 1);
    const span = metering.energyOver(500, clock.now(), [meter!]);
    await clock.advance(20);
    const result = await span;
    assert.ok(result.notes.some((n) => n.startsWith('incomplete: meter hwmon:ina3221 failed during this window') && n.endsWith('it was restarted')), result.notes.join('\n'));
    assert.equal(metering.fatalMeter, null);
    assert.equal(meter!.failure(), null);
  });

  test('a file that stays gone: the restart fails and the meter is fatal (the run stops, no guessed energy)', async () => {
    const clock = new SimClock(0);
    const f = fake([{ name: 'i915', channels: [{ kind: 'energy', index: 1, watts: 20 }] }], () => clock.now());
    const [meter] = await startMeters(f, clock, ['i915']);
    await clock.advance(300);
    f.remove(0, 1);
    await clock.advance(200);
    const metering = new Metering([meter!]);
    const span = metering.energyOver(100, clock.now(), [meter!]);
    await clock.advance(20);
    const result = await span;
    assert.ok(result.notes.some((n) => /incomplete: meter hwmon:i915 failed during this window \(.*energy1_input disappeared/.test(n)), result.notes.join('\n'));
    assert.equal(metering.fatalMeter, meter);
  });

  test('a value that is not a number, and a counter reset: named failures, never 0 W', async () => {
    const clock = new SimClock(0);
    const f = fake([{ name: 'ina226', channels: [{ kind: 'power', index: 1, watts: 9 }] }, { name: 'i915', channels: [{ kind: 'energy', index: 1, watts: 20, startUj: 5e9 }] }], () => clock.now());
    const meters = await startMeters(f, clock, ['ina226', 'i915']);
    await clock.advance(300);
    f.freeze(0, 1, 'N/A');
    await clock.advance(300);
    assert.equal((meters[0]!.failure() as MeterError).code, 'HWMON_NOT_A_NUMBER');
    assert.ok(meters.every((m) => m.samples().every((s) => s.powerW > 0)));

    const clock2 = new SimClock(0);
    const g = fake([{ name: 'i915', channels: [{ kind: 'energy', index: 1, watts: 20, startUj: 5e9 }] }], () => clock2.now());
    const [counter] = await startMeters(g, clock2, ['i915']);
    await clock2.advance(300);
    g.freeze(0, 1, '12345');
    await clock2.advance(300);
    const failure = counter!.failure() as MeterError;
    assert.equal(failure.code, 'HWMON_COUNTER_JUMP');
    assert.match(failure.message, /the counter was reset/);
    assert.ok(counter!.samples().every((s) => Math.abs(s.powerW - 20) < 0.1));
  });

  test('no permission at the start: the factory says so and how to fix it', async () => {
    const f = fake([jetsonOrinNano(6, 2, 1)]);
    const factory = createHwmonMeterFactory({ readText: denyingReader(/curr1_input/) });
    const probe = await factory.probe({ cpuTdpWatts: null, baseDir: '.', gpus: null, settings: { 'hwmon-root': f.root } }, null);
    assert.equal(probe.ok, false);
    assert.match(probe.ok ? '' : probe.reason, /curr1_input: permission denied \(EACCES\).*run as root, or grant read access with a udev rule/);
    await assert.rejects(factory.create({ cpuTdpWatts: null, baseDir: '.', gpus: null, settings: { 'hwmon-root': f.root } }, null), (e: unknown) => e instanceof MeterError && e.code === 'HWMON_PERMISSION');
  });

  test('probe: what was found and why it does (not) count', async () => {
    const f = fake([jetsonOrinNano(6, 2, 1), { name: 'amdgpu', channels: [{ kind: 'power', index: 1, label: 'PPT', watts: 40 }] }, { name: 'tegra_thermal', channels: [] }]);
    const context = { cpuTdpWatts: null, baseDir: '.', gpus: null, settings: { 'hwmon-root': f.root } };
    const probe = await hwmonMeterFactory.probe(context, null);
    assert.ok(probe.ok);
    assert.equal(probe.detail, `hwmon sensors under ${f.root}: ina3221 = VDD_IN; not counted: ina3221/VDD_CPU_GPU_CV (a sub-rail of VDD_IN, the board input), ina3221/VDD_SOC (a sub-rail of VDD_IN, the board input), amdgpu/PPT (a GPU, not the board or system (count it with --hwmon amdgpu)); chips without power readings: tegra_thermal`);
    const none = await hwmonMeterFactory.probe({ ...context, settings: { 'hwmon-root': '/nonexistent' } }, null);
    assert.deepEqual(none, { ok: false, reason: 'no hwmon chips under /nonexistent (no Linux hwmon sysfs here, or a container without /sys/class/hwmon: mount it and pass --hwmon-root)' });
    const gpuOnly = fake([{ name: 'amdgpu', channels: [{ kind: 'power', index: 1, label: 'PPT', watts: 40 }] }]);
    const gpu = await hwmonMeterFactory.probe({ ...context, settings: { 'hwmon-root': gpuOnly.root } }, null);
    assert.match(gpu.ok ? '' : gpu.reason, /^no hwmon power sensor to count under .*; found amdgpu\/PPT \(a GPU, not the board or system \(count it with --hwmon amdgpu\)\)$/);
    assert.ok((await hwmonMeterFactory.probe({ ...context, settings: { 'hwmon-root': gpuOnly.root, hwmon: 'amdgpu' } }, null)).ok);
  });
});
