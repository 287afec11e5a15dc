// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: `joulebench bench --meter nvml` and `joulebench devices` with JOULEBENCH_NVML_LIBRARY pointing at the
// fake libnvidia-ml.so.1 (its energy counter advances at exactly FAKE_NVML_WATTS).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertClose, ensureBuilt, onlyRunDir, readResult, removeDir, runCli, tempDir } from '../cli/helpers.js';
import { buildFakeNvml, withFakeEnv } from '../fixtures/nvml/build.js';

const fake = await buildFakeNvml();
const skip = fake.ok ? false : fake.skip;

// Run the CLI with JOULEBENCH_NVML_LIBRARY set (runCli passes this process's environment on).
async function withLibrary<T>(library: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.JOULEBENCH_NVML_LIBRARY;
  if (library === undefined) delete process.env.JOULEBENCH_NVML_LIBRARY;
  else process.env.JOULEBENCH_NVML_LIBRARY = library;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.JOULEBENCH_NVML_LIBRARY;
    else process.env.JOULEBENCH_NVML_LIBRARY = saved;
  }
}

interface DevicesJson {
  meters: Array<{ name: string; ok: boolean; detail: string }>;
}

describe('nvml from the CLI', { timeout: 120_000 }, () => {
  let work: string;
  let modelsDir: string;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('nvml');
    modelsDir = path.join(work, 'models');
  });
  after(async () => {
    await removeDir(work);
    if (fake.ok) await rm(fake.dir, { recursive: true, force: true });
  });

  test('bench mlp --meter nvml --gpus 0 with the fake at 250 W: byMeter["nvml:0"] and meanWatts are 250 W within 1 %', { skip }, async () => {
    const library = fake.ok ? fake.library : '';
    const dir = await mkdtemp(path.join(work, 'bench-'));
    const cli = await withLibrary(library, () =>
      withFakeEnv({ FAKE_NVML_COUNT: '1', FAKE_NVML_WATTS: '250' }, () =>
        runCli(
          ['bench', 'mlp', '--batch', '1', '--meter', 'nvml', '--gpus', '0', '--min-seconds', '1', '--min-runs', '3', '--repetitions', '2', '--target-ci', 'off',
            '--idle-seconds', '1', '--warmup-runs', '1', '--warmup-seconds', '0', '--out', 'out', '--json'],
          { cwd: dir, modelsDir },
        ),
      ),
    );
    assert.equal(cli.code, 0, `bench failed (exit ${cli.code}):\n${cli.stderr}`);
    const result = await readResult(await onlyRunDir(path.join(dir, 'out')));
    assert.deepEqual(result.meters.map((m) => [m.id, m.kind, m.device, m.sampleKind, m.estimated]), [['nvml:0', 'nvml', 'cuda:0', 'interval-average', false]]);
    assert.ok(result.idle, 'idle baseline recorded');
    assertClose(result.idle.watts['nvml:0'], 250, 0.01, 'idle.watts["nvml:0"]');
    assert.ok(result.measurements.length > 0);
    for (const m of result.measurements) {
      assert.equal(m.status, 'ok', `${m.key}: ${m.error?.message}`);
      assertClose(m.power?.byMeter['nvml:0'], 250, 0.01, `${m.key} power.byMeter["nvml:0"]`);
      assertClose(m.power?.meanWatts, 250, 0.01, `${m.key} power.meanWatts`);
      for (const [i, rep] of m.repetitions.entries()) {
        assert.ok(rep.durationS >= 1 - 1e-9, `${m.key} rep ${i}: window ${rep.durationS} s < --min-seconds 1`);
        assertClose(rep.energyJ, 250 * rep.durationS, 0.01, `${m.key} rep ${i} energyJ`);
      }
      assert.equal(m.energy?.estimated, false);
    }
  });

  test('devices --json: nvml not ok on a machine without NVML, with its reason; ok with the fake', async () => {
    const plain = await withLibrary(undefined, () => runCli(['devices', '--json'], { cwd: work, modelsDir }));
    assert.equal(plain.code, 0, plain.stderr);
    const here = (JSON.parse(plain.stdout) as DevicesJson).meters.find((m) => m.name === 'nvml');
    assert.ok(here, 'devices lists the nvml meter');
    // On a machine with an NVIDIA driver NVML works; everywhere else the reason names the library.
    if (!here.ok) assert.match(here.detail, /^libnvidia-ml\.so\.1 not found \(no NVIDIA driver\): /);

    if (!fake.ok) return;
    const library = fake.library;
    const faked = await withLibrary(library, () =>
      withFakeEnv({ FAKE_NVML_COUNT: '2', FAKE_NVML_NO_COUNTER: '1' }, () => runCli(['devices', '--json'], { cwd: work, modelsDir })),
    );
    assert.equal(faked.code, 0, faked.stderr);
    const nvml = (JSON.parse(faked.stdout) as DevicesJson).meters.find((m) => m.name === 'nvml');
    assert.deepEqual(nvml, {
      name: 'nvml',
      ok: true,
      hardware: true,
      detail:
        'NVML driver 999.99-fake: #0 Fake NVIDIA GPU 0 (power usage only: nvmlDeviceGetTotalEnergyConsumption: Not Supported (NVML return 3)), ' +
        '#1 Fake NVIDIA GPU 1 (power usage only: nvmlDeviceGetTotalEnergyConsumption: Not Supported (NVML return 3))',
    });
  });
});
