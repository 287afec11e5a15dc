// The hwmon meter's discovery, selection and reading against fake /sys/class/hwmon trees.
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { MeterError } from '../../src/errors.js';
import { channelKey, counterDeltaUj, discoverHwmon, planHwmon, readChannels, readInteger } from '../../src/power/hwmon.js';
import { denyingReader } from '../fixtures/powercap.js';
import { createFakeHwmon, jetsonOrinNano, type FakeHwmon, type FakeHwmonChip } from '../fixtures/hwmon.js';

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

  test('an ACPI system meter is the total: GPUs inside it are not added', () => {
    const f = fake([
      { name: 'power_meter', channels: [{ kind: 'average', index: 1, watts: 300 }] },
      { name: 'amdgpu', channels: [{ kind: 'average', index: 1, watts: 150 }] },
    ]);
    assert.deepEqual(keys(f), { counted: ['power_meter/power1'], skipped: ['amdgpu/power1: inside the ACPI system power meter (power_meter)'] });
  });

  test('xe counts the card, not the package inside it; i915 GTs sit inside the device; unknown chips wait for --hwmon', () => {
    const f = fake([
      { name: 'xe', channels: [{ kind: 'energy', index: 1, label: 'card', watts: 60 }, { kind: 'energy', index: 2, label: 'pkg', watts: 50 }] },
      { name: 'i915', channels: [{ kind: 'energy', index: 1, watts: 20 }] },
      { name: 'i915_gt0', channels: [{ kind: 'energy', index: 1, watts: 15 }] },
      { name: 'acme_psu', channels: [{ kind: 'power', index: 1, watts: 400 }] },
    ]);
    assert.deepEqual(keys(f), {
      counted: ['xe/card', 'i915/energy1'],
      skipped: ['xe/pkg: the package, inside the card (energy1)', 'i915_gt0/energy1: a GT inside the i915 device total', 'acme_psu/power1: unknown sensor (count it with --hwmon acme_psu)'],
    });
  });

  test('two chips of one name are told apart by their folder', () => {
    const f = fake([{ name: 'amdgpu', channels: [{ kind: 'power', index: 1, watts: 100 }] }, { name: 'amdgpu', channels: [{ kind: 'power', index: 1, watts: 90 }] }]);
    assert.deepEqual(keys(f).counted, ['amdgpu@hwmon0/power1', 'amdgpu@hwmon1/power1']);
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
