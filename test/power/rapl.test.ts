// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// The rapl meter against fake powercap trees whose power is known by construction.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { MeterError } from '../../src/errors.js';
import { integrateEnergy } from '../../src/measure/integrate.js';
import { createRaplMeterFactory, openRaplMeter, planRaplZones, raplMeterFactory, type RaplMeter } from '../../src/power/rapl.js';
import type { MeterContext } from '../../src/power/types.js';
import { createFakePowercap, denyingReader, type FakePowercap } from '../fixtures/powercap.js';
import { SimClock } from './sim-clock.js';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const contextFor = (root: string): MeterContext => ({ cpuTdpWatts: null, baseDir: process.cwd(), settings: { 'powercap-root': root }, gpus: null });

// Every fake and meter opened in a test is closed when that test ends, even when an assertion fails (a real-time
// fake left running rewrites its files every 5 ms and would slow the tests after it).
let fakes: FakePowercap[] = [];
let meters: RaplMeter[] = [];
const fake = (options: Parameters<typeof createFakePowercap>[0]) => {
  const f = createFakePowercap(options);
  fakes.push(f);
  return f;
};
afterEach(async () => {
  for (const meter of meters) await meter.stop();
  for (const f of fakes) f.close();
  fakes = [];
  meters = [];
});

// A meter on a manual-clock fake: start() reads the baseline, the fake moves 10 ms, the first sample lands.
async function startManual(f: FakePowercap, periodMs = 100): Promise<RaplMeter> {
  const meter = openRaplMeter(f.root, { now: f.nowMs, periodMs });
  meters.push(meter);
  const started = meter.start();
  f.advance(10);
  await started;
  return meter;
}

// Step the virtual clock and take a sample at each step (as the sweep's sampleAfter does at window ends).
async function stepAndSample(f: FakePowercap, meter: RaplMeter, steps: number, stepMs: number): Promise<void> {
  for (let i = 0; i < steps; i++) {
    f.advance(stepMs);
    await meter.sampleAfter(f.nowMs());
  }
}

describe('which zones are counted', () => {
  test('package + dram counted; core inside the package and the MMIO duplicate skipped (sysfs, nested and flat layouts)', () => {
    for (const layout of ['sysfs', 'nested', 'flat'] as const) {
      const f = fake({ layout, clock: 'manual' });
      const plan = planRaplZones(f.root);
      assert.deepEqual(plan.counted.map((z) => [z.id, z.label]), [['intel-rapl:0', 'package-0'], ['intel-rapl:0:1', 'dram-0']], layout);
      assert.deepEqual(plan.skipped.map((s) => [s.zone.id, s.why]), [
        ['intel-rapl-mmio:0', 'duplicates package-0 through MMIO'],
        ['intel-rapl:0:0', 'inside package-0'],
      ], layout);
      assert.equal(plan.scope, 'cpu-package+dram');
    }
  });

  test('psys is skipped beside packages, and used alone when no package zone exists', () => {
    const both = fake({ clock: 'manual', packages: [{ watts: 30 }, { watts: 25 }], psysWatts: 70 });
    const plan = planRaplZones(both.root);
    assert.deepEqual(plan.counted.map((z) => z.label), ['package-0', 'package-1']);
    assert.deepEqual(plan.skipped.find((s) => s.zone.name === 'psys')?.why, 'platform total that already contains the packages');
    assert.equal(plan.scope, 'cpu-package');

    const psysOnly = fake({ clock: 'manual', packages: [], psysWatts: 12 });
    const only = planRaplZones(psysOnly.root);
    assert.deepEqual(only.counted.map((z) => z.label), ['psys']);
    assert.equal(only.scope, 'psys');
  });

  test('AMD Zen (package + core, no dram), multi-die names, and MMIO alone when the MSR zones are missing', () => {
    const amd = planRaplZones(fake({ clock: 'manual', mmio: false, packages: [{ watts: 90, coreWatts: 60 }, { watts: 80, coreWatts: 50 }] }).root);
    assert.deepEqual(amd.counted.map((z) => z.label), ['package-0', 'package-1']);
    assert.equal(amd.scope, 'cpu-package');
    const dies = planRaplZones(fake({ clock: 'manual', mmio: false, packages: [
      { name: 'package-0-die-0', watts: 50, dramWatts: 4 }, { name: 'package-0-die-1', watts: 50, dramWatts: 4 },
    ] }).root);
    assert.deepEqual(dies.counted.map((z) => z.label), ['package-0-die-0', 'package-0-die-1', 'dram-0-die-0', 'dram-0-die-1']);

    const mmioOnly = fake({ clock: 'manual', packages: [{ watts: 15 }] });
    for (const entry of ['intel-rapl:0']) rmSync(path.join(mmioOnly.root, entry), { recursive: true });
    const plan = planRaplZones(mmioOnly.root);
    assert.deepEqual(plan.counted.map((z) => [z.id, z.label]), [['intel-rapl-mmio:0', 'package-0']]);
  });
});

describe('counter arithmetic (virtual clock, exact)', () => {
  test('40 W wrapping at 40 J: every sample is 40 W across four wraps; the period is lowered below the wrap time', async () => {
    // 40 J range at a 500 W bound wraps in 80 ms, so the meter polls every 40 ms; the fake wraps for real every 1 s.
    const f = fake({ clock: 'manual', packages: [{ watts: 40 }], mmio: false, maxEnergyRangeUj: 40_000_000, startUj: 39_500_000 });
    const meter = await startManual(f);
    assert.equal(meter.info.periodMs, 40);
    assert.match(meter.info.detail, /lowered from 100 ms: intel-rapl:0 wraps at 40000000 µJ, every 80 ms at 500 W/);
    const t0 = f.nowMs();
    await stepAndSample(f, meter, 40, 100); // 4 s: the counter passes 40 J four times
    const samples = meter.samples();
    assert.equal(samples.length, 41);
    for (const s of samples) assert.ok(Math.abs(s.powerW - 40) < 1e-6, `sample ${s.powerW} W`);
    const window = integrateEnergy(samples, t0, f.nowMs(), 'interval-average');
    assert.ok(Math.abs(window.energyJ - 160) < 1e-6, `160 J expected, got ${window.energyJ}`);
    assert.equal(window.covered, true);
    // 100 ms between reads is longer than the 80 ms a 500 W draw would need to wrap 40 J: say so after the run.
    assert.deepEqual(meter.diagnostics(), [
      'rapl: two counter reads were 100 ms apart, longer than the 80 ms in which a counter can wrap at 500 W: if the CPU drew that much, a wrap may have gone unseen and energy be undercounted',
    ]);
  });

  test('package 30 W + dram 5 W + core 20 W + MMIO duplicate 30 W → 35 W, per zone in context', async () => {
    const f = fake({ clock: 'manual' });
    const meter = await startManual(f);
    assert.equal(meter.info.scope, 'cpu-package+dram');
    await stepAndSample(f, meter, 5, 100);
    const last = meter.samples().at(-1)!;
    assert.ok(Math.abs(last.powerW - 35) < 1e-6, `${last.powerW} W`);
    assert.deepEqual(last.context, { 'package-0': 30, 'dram-0': 5 });
    assert.deepEqual(meter.diagnostics(), [], 'a real-size counter range cannot wrap in 100 ms');
  });

  test('two packages 30 W + 25 W → 55 W', async () => {
    const f = fake({ clock: 'manual', packages: [{ watts: 30, coreWatts: 10 }, { watts: 25, coreWatts: 10 }], psysWatts: 80 });
    const meter = await startManual(f);
    await stepAndSample(f, meter, 5, 100);
    const last = meter.samples().at(-1)!;
    assert.ok(Math.abs(last.powerW - 55) < 1e-6, `${last.powerW} W`);
    assert.deepEqual(last.context, { 'package-0': 30, 'package-1': 25 });
  });

  test('a power step shows up in the interval that contains it', async () => {
    const f = fake({ clock: 'manual', packages: [{ watts: 10 }], mmio: false });
    const meter = await startManual(f);
    f.advance(50);
    f.setWatts('intel-rapl:0', 50);
    f.advance(50);
    await meter.sampleAfter(f.nowMs());
    // Half of the 100 ms interval at 10 W and half at 50 W.
    assert.ok(Math.abs(meter.samples().at(-1)!.powerW - 30) < 1e-6);
  });

  test('a counter that vanishes mid-run fails the meter with no 0 W sample; restart() re-reads the baseline', async () => {
    const f = fake({ clock: 'manual', packages: [{ watts: 20, dramWatts: 2 }], mmio: false });
    const meter = await startManual(f);
    await stepAndSample(f, meter, 2, 100);
    const before = meter.samples().length;
    f.removeCounter('intel-rapl:0:0');
    await stepAndSample(f, meter, 2, 100);
    assert.equal(meter.samples().length, before, 'no sample while a counter cannot be read');
    const failure = meter.failure();
    assert.ok(failure instanceof MeterError);
    assert.match(failure.message, /cannot read .*intel-rapl:0:0\/energy_uj: ENOENT/);
    assert.equal(await meter.restart(), false, 'still missing: cannot revive');

    f.restoreCounter('intel-rapl:0:0');
    const restarted = meter.restart();
    f.advance(10);
    assert.equal(await restarted, true);
    assert.equal(meter.failure(), null);
    await stepAndSample(f, meter, 3, 100);
    for (const s of meter.samples().slice(before)) assert.ok(Math.abs(s.powerW - 22) < 1e-6, `${s.powerW} W after restart`);
  });

  test('a counter reset (not a wrap) fails the meter instead of reporting an impossible power', async () => {
    const f = fake({ clock: 'manual', packages: [{ watts: 20 }], mmio: false, startUj: 5_000_000_000 });
    const meter = await startManual(f);
    f.advance(100);
    f.setCounter('intel-rapl:0', 1_000);
    await meter.sampleAfter(f.nowMs());
    assert.equal(meter.failure()?.message.includes('the counter was reset'), true, meter.failure()?.message);
    assert.ok(meter.samples().every((s) => Math.abs(s.powerW - 20) < 1e-6));
  });

  test('frozen counters (0 W for a whole second) fail the meter rather than report 0 W', async () => {
    const f = fake({ clock: 'manual', packages: [{ watts: 20 }], mmio: false });
    const meter = await startManual(f);
    f.setWatts('intel-rapl:0', 0);
    await stepAndSample(f, meter, 12, 100);
    assert.ok(meter.samples().every((s) => s.powerW > 0), 'no 0 W sample');
    assert.match(meter.failure()?.message ?? '', /did not move|moved for 1\d\d\d ms|frozen/);
  });
});

describe('probe', () => {
  test('missing or empty root: a reason that says what to mount and pass', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'joulebench-empty-powercap-'));
    try {
      for (const root of ['/nonexistent/powercap', empty]) {
        const probe = await raplMeterFactory.probe(contextFor(root), null);
        assert.deepEqual(probe, {
          ok: false,
          reason: `no RAPL zones under ${root} (not an Intel/AMD CPU with powercap, or a container without /sys/class/powercap: mount it and pass --powercap-root)`,
        });
      }
      await assert.rejects(raplMeterFactory.create(contextFor(empty), null), (e: unknown) => e instanceof MeterError && e.code === 'RAPL_NO_ZONES');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('EACCES on energy_uj: the reason names the file, CVE-2020-8694 and the grant script', async () => {
    const f = fake({});
    const factory = createRaplMeterFactory({ readText: denyingReader(/energy_uj$/) });
    const probe = await factory.probe(contextFor(f.root), null);
    assert.equal(probe.ok, false);
    const reason = probe.ok ? '' : probe.reason;
    assert.ok(reason.includes(path.join(f.root, 'intel-rapl:0', 'energy_uj')), reason);
    assert.match(reason, /permission denied \(EACCES\)/);
    assert.match(reason, /Linux 5\.10/);
    assert.match(reason, /CVE-2020-8694/);
    assert.match(reason, /grant-rapl-access\.sh --user \$USER/);
    assert.match(reason, /udev rule/);
    assert.match(reason, /run as root/);
    assert.ok(!reason.includes('\n'), 'one line');
    await assert.rejects(factory.create(contextFor(f.root), null), (e: unknown) => e instanceof MeterError && e.code === 'RAPL_PERMISSION' && /grant-rapl-access\.sh/.test(e.hint ?? ''));
  });

  test('frozen counters do not probe ok', async () => {
    const f = fake({ clock: 'manual' });
    const probe = await raplMeterFactory.probe(contextFor(f.root), null);
    assert.equal(probe.ok, false);
    assert.match(probe.ok ? '' : probe.reason, /did not move in 250 ms/);
  });

  test('ok detail lists the zones counted and skipped', async () => {
    const f = fake({ packages: [{ watts: 30, coreWatts: 20, dramWatts: 5 }], psysWatts: 60 });
    const probe = await raplMeterFactory.probe(contextFor(f.root), null);
    assert.equal(probe.ok, true, probe.ok ? '' : probe.reason);
    assert.equal(
      probe.ok && probe.detail,
      `RAPL energy counters under ${f.root}: package-0 (intel-rapl:0) + dram-0 (intel-rapl:0:1); not counted: ` +
        'package-0 (intel-rapl-mmio:0, duplicates package-0 through MMIO), ' +
        'psys (intel-rapl:1, platform total that already contains the packages), ' +
        'core (intel-rapl:0:0, inside package-0); polled every 100 ms',
    );
  });
});

describe('over time (simulated clock: the meter and a manual-clock fake move together)', () => {
  // A meter on a manual-clock fake whose timers run on simulated time; clock.advance() moves the fake too.
  const simulated = (options: Parameters<typeof createFakePowercap>[0]) => {
    const f = fake({ ...options, clock: 'manual' });
    return { f, clock: new SimClock(f.nowMs(), (ms) => f.advance(ms)) };
  };

  test('40 W wrapping every second, over 3 s: mean within 2% of 40 W', async () => {
    const shape = { packages: [{ watts: 40 }], mmio: false, maxEnergyRangeUj: 40_000_000, startUj: 39_000_000 };
    // The probe checks that counters move on the wall clock: a real-time fake.
    const probe = await raplMeterFactory.probe(contextFor(fake(shape).root), null);
    assert.equal(probe.ok, true, probe.ok ? '' : probe.reason);
    const { f, clock } = simulated(shape);
    const [meter] = (await createRaplMeterFactory({ clock }).create(contextFor(f.root), null)) as RaplMeter[];
    meters.push(meter!);
    assert.deepEqual({ ...meter!.info, detail: '' }, {
      id: 'rapl', kind: 'rapl', scope: 'cpu-package', device: 'cpu', periodMs: 40, estimated: false, sampleKind: 'interval-average', detail: '',
    });
    const started = meter!.start();
    await clock.advance(10);
    await started;
    const t0 = clock.now();
    await clock.advance(3200);
    const t1 = clock.now();
    await meter!.sampleAfter(t1);
    await meter!.stop();
    const window = integrateEnergy(meter!.samples(), t0, t1, 'interval-average');
    assert.equal(window.covered, true);
    assert.ok(Math.abs(window.meanPowerW - 40) <= 0.8, `mean ${window.meanPowerW} W over ${((t1 - t0) / 1000).toFixed(2)} s`);
    // One sample per ~40 ms (the timer may slip a little under load).
    assert.ok(window.samplesInWindow >= 50, `${window.samplesInWindow} samples`);
    assert.equal(meter!.failure(), null);
  });

  test('sampleAfter(t) for a future t waits and returns a sample at or after t', async () => {
    const { f, clock } = simulated({ packages: [{ watts: 15 }], mmio: false });
    const meter = openRaplMeter(f.root, { periodMs: 1000, clock });
    meters.push(meter);
    const started = meter.start();
    await clock.advance(10);
    await started;
    const t = clock.now() + 120;
    const waited = meter.sampleAfter(t);
    await clock.advance(120);
    await waited;
    const last = meter.samples().at(-1)!;
    assert.ok(last.tMs >= t);
    assert.ok(Math.abs(last.powerW - 15) < 1.5, `${last.powerW} W`);
    await meter.stop();
  });
});

describe('scripts/grant-rapl-access.sh', () => {
  const script = path.join(repoRoot, 'scripts', 'grant-rapl-access.sh');

  test('parses (bash -n) and --dry-run prints the rule and commands without changing anything', async () => {
    await run('bash', ['-n', script]);
    const f = fake({ packages: [{ watts: 30, coreWatts: 20, dramWatts: 5 }] });
    const { stdout } = await run('bash', [script, '--dry-run', '--group', 'raplreaders', '--user', 'alice', '--powercap-root', f.root, '--rules-file', path.join(f.root, 'x.rules')]);
    assert.match(stdout, /would run: groupadd --system raplreaders/);
    assert.match(stdout, /would run: usermod -a -G raplreaders alice/);
    assert.match(stdout, /SUBSYSTEM=="powercap", KERNEL=="intel-rapl\*"/);
    assert.match(stdout, /chgrp raplreaders \/sys%p\/energy_uj/);
    for (const id of ['intel-rapl:0', 'intel-rapl:0:0', 'intel-rapl:0:1', 'intel-rapl-mmio:0']) {
      assert.ok(stdout.includes(`chgrp raplreaders ${path.join(f.root, id)}/energy_uj`) || stdout.includes(`${id}/energy_uj`), `${id} in\n${stdout}`);
    }
    assert.match(stdout, /would run: chmod g\+r /);
    // Nothing was written.
    await assert.rejects(run('test', ['-e', path.join(f.root, 'x.rules')]));
  });

  test('refuses politely without root (and without --dry-run)', async (t) => {
    if (process.getuid?.() !== 0) {
      const result = await run('bash', [script]).then(() => null, (e: { code: number; stderr: string }) => e);
      assert.equal(result?.code, 1);
      assert.match(result?.stderr ?? '', /needs root/);
      return;
    }
    // Running as root here: fake a non-root id through the script's test hook instead.
    const result = await run('bash', [script], { env: { ...process.env, GRANT_RAPL_UID: '1000' } }).then(() => null, (e: { code: number; stderr: string }) => e);
    assert.equal(result?.code, 1, 'exit 1');
    assert.match(result?.stderr ?? '', /needs root: run it with sudo/);
    t.diagnostic('root here: non-root simulated with GRANT_RAPL_UID');
  });

  test('rejects unknown options with usage', async () => {
    const result = await run('bash', [script, '--grup', 'x']).then(() => null, (e: { code: number; stderr: string }) => e);
    assert.equal(result?.code, 2);
    assert.match(result?.stderr ?? '', /unknown option "--grup"/);
  });
});
