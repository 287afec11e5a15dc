// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: `joulebench bench --meter rapl` and `devices` against a fake powercap tree at a known power.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertBadInput, assertClose, ensureBuilt, onlyRunDir, readResult, removeDir, runCli, tempDir } from '../cli/helpers.js';
import { createFakePowercap, type FakePowercap } from '../fixtures/powercap.js';

describe('rapl meter through the CLI', { timeout: 120_000 }, () => {
  let work: string;
  let modelsDir: string;
  let fake: FakePowercap;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('rapl');
    modelsDir = path.join(work, 'models');
    // Package 40 W, wrapping every second (40 J range); its core subzone (25 W) and the MMIO duplicate (40 W) must
    // not be added. Ground truth: 40 W.
    fake = createFakePowercap({ packages: [{ watts: 40, coreWatts: 25 }], mmio: true, maxEnergyRangeUj: 40_000_000, startUj: 20_000_000 });
  });
  after(async () => {
    fake?.close();
    await removeDir(work);
  });

  test('bench mlp --meter rapl --powercap-root: every configuration measures 40 W within 2%', async () => {
    const cli = await runCli([
      'bench', 'mlp', '--batch', '1', '--meter', 'rapl', '--powercap-root', fake.root,
      '--min-seconds', '1', '--min-runs', '3', '--repetitions', '2', '--target-ci', 'off', '--idle-seconds', '1', '--warmup-runs', '1', '--warmup-seconds', '0',
      '--out', 'out', '--json',
    ], { cwd: work, modelsDir });
    assert.equal(cli.code, 0, `bench failed (exit ${cli.code}):\n${cli.stderr}`);
    assert.match(cli.stderr, /meter ✓ rapl: RAPL energy counters under .*: package-0 \(intel-rapl:0\); not counted: .*MMIO.*inside package-0/);
    const result = await readResult(await onlyRunDir(path.join(work, 'out')));

    assert.equal(result.meters.length, 1);
    const meter = result.meters[0]!;
    assert.equal(meter.id, 'rapl');
    assert.equal(meter.kind, 'rapl');
    assert.equal(meter.device, 'cpu');
    assert.equal(meter.scope, 'cpu-package');
    assert.equal(meter.estimated, false);
    assert.equal(meter.sampleKind, 'interval-average');
    assert.equal(meter.periodMs, 40, '40 J wraps in 80 ms at the 500 W bound: polled every 40 ms');

    assertClose(result.idle?.watts.rapl, 40, 0.02, 'idle.watts.rapl');
    assert.ok(result.measurements.length > 0);
    for (const m of result.measurements) {
      assert.equal(m.status, 'ok', `${m.key}: ${m.error?.message}`);
      assertClose(m.power?.byMeter.rapl, 40, 0.02, `${m.key} power.byMeter.rapl`);
      assertClose(m.power?.meanWatts, 40, 0.02, `${m.key} power.meanWatts`);
    }
  });

  test('--meter rapl with a powercap root that does not exist: exit 2 and one clear message', async () => {
    const cli = await runCli(['bench', 'mlp', '--batch', '1', '--meter', 'rapl', '--powercap-root', '/nonexistent', '--out', 'out-missing'], { cwd: work, modelsDir });
    assertBadInput(cli, 'meter "rapl" cannot run here: no RAPL zones under /nonexistent', '--powercap-root');
  });

  test('devices --json with JOULEBENCH_POWERCAP_ROOT lists rapl ok', async () => {
    const saved = process.env.JOULEBENCH_POWERCAP_ROOT;
    process.env.JOULEBENCH_POWERCAP_ROOT = fake.root;
    try {
      const cli = await runCli(['devices', '--json'], { cwd: work, modelsDir });
      assert.equal(cli.code, 0, cli.stderr);
      const { meters } = JSON.parse(cli.stdout) as { meters: Array<{ name: string; ok: boolean; detail: string; hardware: boolean }> };
      const rapl = meters.find((m) => m.name === 'rapl');
      assert.ok(rapl, 'rapl listed');
      assert.equal(rapl.ok, true, rapl.detail);
      assert.equal(rapl.hardware, true);
      assert.ok(rapl.detail.startsWith(`RAPL energy counters under ${fake.root}: package-0 (intel-rapl:0)`), rapl.detail);
    } finally {
      if (saved === undefined) delete process.env.JOULEBENCH_POWERCAP_ROOT;
      else process.env.JOULEBENCH_POWERCAP_ROOT = saved;
    }
  });
});
