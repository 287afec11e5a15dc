// The meter registry and `--meter` resolution, with explicit meters that run on any machine (the estimate, a replay
// trace). `auto` probes this machine's hardware, so it is left to tests with fake trees and tools.
// (test/power/replay.test.ts covers replay's own probe failure and the known-meters hint.)
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MeterError } from '../../src/errors.js';
import { autoGroups, describeAutoOrder, meterRegistry, resolveMeters } from '../../src/power/registry.js';
import type { MeterContext } from '../../src/power/types.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'joulebench-registry-'));
  await writeFile(path.join(dir, 'trace.csv'), 't_s,watts\n0,5\n0.25,7\n');
});
after(() => rm(dir, { recursive: true, force: true }));

const context = (): MeterContext => ({ cpuTdpWatts: 40, baseDir: dir, gpus: null });

/** The MeterError resolveMeters rejects with, for its code and message. */
async function rejection(specs: string[]): Promise<MeterError> {
  try {
    await resolveMeters(specs, context());
  } catch (error) {
    assert.ok(error instanceof MeterError, String(error));
    return error;
  }
  assert.fail(`resolveMeters(${JSON.stringify(specs)}) resolved`);
}

describe('looking up a --meter spec', () => {
  test('an unknown name is METER_UNKNOWN, quoting the spec and suggesting the closest name', async () => {
    const typo = await rejection(['nvidia-smy']);
    assert.equal(typo.code, 'METER_UNKNOWN');
    assert.equal(typo.message, 'unknown meter "nvidia-smy" — did you mean "nvidia-smi"?');
    assert.equal(typo.exitCode, 2);
    assert.equal(typo.hint, `known meters: auto, ${Object.keys(meterRegistry).join(', ')} (replay takes a file: replay:trace.csv)`);
    // The whole spec is quoted; the suggestion is for the name before the colon.
    assert.equal((await rejection(['rapll:x'])).message, 'unknown meter "rapll:x" — did you mean "rapl"?');
  });

  test('a name close to nothing gets no suggestion', async () => {
    const far = await rejection(['wattmeter']);
    assert.equal(far.code, 'METER_UNKNOWN');
    assert.equal(far.message, 'unknown meter "wattmeter"');
    // Names of Object.prototype are no meters either (they used to reach `factory.probe is not a function`).
    for (const name of ['constructor', 'toString', '__proto__']) assert.equal((await rejection([name])).code, 'METER_UNKNOWN', name);
  });

  test('a missing or an extra argument is METER_ARGUMENT', async () => {
    for (const spec of ['replay', 'replay:']) {
      const missing = await rejection([spec]);
      assert.equal(missing.code, 'METER_ARGUMENT', spec);
      assert.equal(missing.message, 'meter "replay" needs an argument: replay:FILE', spec);
    }
    const extra = await rejection(['estimate:65']);
    assert.equal(extra.code, 'METER_ARGUMENT');
    assert.equal(extra.message, 'meter "estimate" takes no argument, got "estimate:65"');
  });
});

describe('the auto order, derived from the registry', () => {
  test('autoGroups: per group its hardware meters in registry order, and the CPU\'s fallback', () => {
    const groups = autoGroups().map(({ group, hardware, fallback }) => ({ group, hardware: hardware.map((f) => f.name), fallback: fallback?.name ?? null }));
    assert.deepEqual(groups, [
      { group: 'nvidia', hardware: ['nvml', 'nvidia-smi'], fallback: null },
      { group: 'amd', hardware: ['amd-smi', 'rocm-smi'], fallback: null },
      { group: 'cpu', hardware: ['rapl', 'hwmon', 'tegrastats', 'powermetrics'], fallback: 'estimate' },
    ]);
    // replay (group `other`, not hardware, no fallback) is never taken by auto.
    assert.ok(!autoGroups().some(({ group }) => group === 'other'));
  });

  test('describeAutoOrder reads the same order as one line', () => {
    assert.equal(describeAutoOrder(), 'NVIDIA: nvml, nvidia-smi; AMD: amd-smi, rocm-smi; CPU: rapl, hwmon, tegrastats, powermetrics, else the estimate');
  });
});

describe('resolveMeters with explicit meters', () => {
  test('each spec gives its meters and a choice, in the order given', async () => {
    const { meters, choices } = await resolveMeters(['estimate', 'replay:trace.csv'], context());
    assert.deepEqual(meters.map((m) => m.info.id), ['estimate', 'replay']);
    assert.equal(meters[0]!.info.detail, 'ESTIMATED: 40 W TDP × (0.1 + 0.9 × CPU utilisation) — TDP given by --cpu-tdp-watts / cpuTdpWatts');
    assert.deepEqual(choices, [
      { name: 'estimate', chosen: true, why: 'TDP given by --cpu-tdp-watts / cpuTdpWatts' },
      { name: 'replay:trace.csv', chosen: true, why: 'trace trace.csv' },
    ]);
  });

  test('no specs: no meters', async () => {
    assert.deepEqual(await resolveMeters([], context()), { meters: [], choices: [] });
  });

  test('the same meter twice is METER_DUPLICATE', async () => {
    const twice = await rejection(['estimate', 'estimate']);
    assert.equal(twice.code, 'METER_DUPLICATE');
    assert.equal(twice.message, 'meter "estimate" is listed twice');
    // Two replay files are two specs but one meter id.
    assert.equal((await rejection(['replay:trace.csv', 'replay:trace.csv'])).message, 'meter "replay" is listed twice');
  });

  test('a meter auto takes and also listed on its own is one meter, in either order (--meter auto,hwmon)', async () => {
    // No CPU sensor can work here (powercap and hwmon roots that do not exist; tegrastats and powermetrics are not
    // this machine's), so auto's CPU group falls back to the estimate — the meter also listed explicitly.
    const noCpuSensor: MeterContext = { ...context(), settings: { 'powercap-root': '/nonexistent', 'hwmon-root': '/nonexistent' } };
    for (const specs of [['auto', 'estimate'], ['estimate', 'auto']]) {
      const { meters, choices } = await resolveMeters(specs, noCpuSensor);
      assert.deepEqual(meters.filter((meter) => meter.info.kind === 'estimate').map((meter) => meter.info.id), ['estimate'], specs.join(','));
      assert.equal(choices.filter((choice) => choice.name === 'estimate' && choice.chosen).length, 1, specs.join(','));
    }
  });
});
