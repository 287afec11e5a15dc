// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: `joulebench bench --meter hwmon --hwmon-root` and `devices` against a fake Jetson hwmon tree.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertBadInput, assertClose, ensureBuilt, onlyRunDir, readResult, removeDir, runCli, tempDir } from '../cli/helpers.js';
import { createFakeHwmon, jetsonOrinNano, type FakeHwmon } from '../fixtures/hwmon.js';

describe('hwmon meter through the CLI', { timeout: 120_000 }, () => {
  let work: string;
  let modelsDir: string;
  let fake: FakeHwmon;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('hwmon');
    modelsDir = path.join(work, 'models');
    // A Jetson's INA3221: VDD_IN 7 W contains VDD_CPU_GPU_CV 2 W and VDD_SOC 1.5 W. Ground truth: 7 W, not 10.5 W.
    fake = createFakeHwmon([jetsonOrinNano(7, 2, 1.5)]);
  });
  after(async () => {
    fake?.close();
    await removeDir(work);
  });

  test('bench mlp --meter hwmon --hwmon-root: the board input alone, 7 W', async () => {
    const cli = await runCli([
      'bench', 'mlp', '--batch', '1', '--meter', 'hwmon', '--hwmon-root', fake.root,
      '--min-seconds', '1', '--min-runs', '3', '--repetitions', '2', '--target-ci', 'off', '--idle-seconds', '1', '--warmup-runs', '1', '--warmup-seconds', '0',
      '--out', 'out', '--json',
    ], { cwd: work, modelsDir });
    assert.equal(cli.code, 0, `bench failed (exit ${cli.code}):\n${cli.stderr}`);
    assert.match(cli.stderr, /meter ✓ hwmon: hwmon sensors under .*: ina3221 = VDD_IN; not counted: ina3221\/VDD_CPU_GPU_CV \(a sub-rail of VDD_IN, the board input\)/);
    const result = await readResult(await onlyRunDir(path.join(work, 'out')));
    assert.equal(result.meters.length, 1);
    const meter = result.meters[0]!;
    assert.equal(meter.id, 'hwmon:ina3221');
    assert.equal(meter.kind, 'hwmon');
    assert.equal(meter.scope, 'board');
    assert.equal(meter.device, null);
    assert.equal(meter.sampleKind, 'instant');
    for (const m of result.measurements) {
      assert.equal(m.status, 'ok', `${m.key}: ${m.error?.message}`);
      assertClose(m.power?.byMeter['hwmon:ina3221'], 7, 0.01, `${m.key} power.byMeter`);
    }
  });

  test('--hwmon naming a sensor that is not there: exit 2, what was found', async () => {
    const cli = await runCli(['bench', 'mlp', '--batch', '1', '--meter', 'hwmon', '--hwmon-root', fake.root, '--hwmon', 'amdgpu', '--out', 'out-missing'], { cwd: work, modelsDir });
    assertBadInput(cli, 'meter "hwmon" cannot run here: --hwmon amdgpu: no hwmon sensor under', 'found: ina3221');
  });

  test('devices --json with JOULEBENCH_HWMON_ROOT lists hwmon ok, tegrastats and powermetrics with their reasons', async () => {
    const saved = process.env.JOULEBENCH_HWMON_ROOT;
    process.env.JOULEBENCH_HWMON_ROOT = fake.root;
    try {
      const cli = await runCli(['devices', '--json'], { cwd: work, modelsDir });
      assert.equal(cli.code, 0, cli.stderr);
      const { meters } = JSON.parse(cli.stdout) as { meters: Array<{ name: string; ok: boolean; detail: string; hardware: boolean }> };
      const byName = (name: string) => meters.find((m) => m.name === name)!;
      assert.equal(byName('hwmon').ok, true, byName('hwmon').detail);
      assert.ok(byName('hwmon').detail.startsWith(`hwmon sensors under ${fake.root}: ina3221 = VDD_IN`), byName('hwmon').detail);
      assert.equal(byName('tegrastats').hardware, true);
      assert.ok(byName('powermetrics').detail.length > 0);
    } finally {
      if (saved === undefined) delete process.env.JOULEBENCH_HWMON_ROOT;
      else process.env.JOULEBENCH_HWMON_ROOT = saved;
    }
  });
});
