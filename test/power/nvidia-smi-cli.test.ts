// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: `joulebench bench --meter nvidia-smi` and `joulebench devices` with the fake nvidia-smi first on PATH.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertClose, ensureBuilt, onlyRunDir, readResult, removeDir, repoRoot, tempDir, type CliResult } from '../cli/helpers.js';

const fakeSource = path.join(repoRoot, 'test', 'fixtures', 'bin', 'nvidia', 'nvidia-smi');
const binPath = path.join(repoRoot, 'bin', 'joulebench.js');

describe('nvidia-smi meter through the CLI', { timeout: 120_000 }, () => {
  let work: string;
  let fakeBin: string;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('nvidia-smi');
    // A private copy of the fake, so `ps` can tell this test's nvidia-smi processes from any other test's.
    fakeBin = path.join(work, 'bin');
    await mkdir(fakeBin);
    await copyFile(fakeSource, path.join(fakeBin, 'nvidia-smi'));
  });
  after(() => removeDir(work));

  function cli(args: string[], vars: Record<string, string>): Promise<CliResult> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${fakeBin}${path.delimiter}${process.env.PATH ?? ''}`,
      JOULEBENCH_MODELS_DIR: path.join(work, 'models'),
      ...vars,
    };
    delete env.NODE_OPTIONS;
    delete env.NODE_TEST_CONTEXT;
    return new Promise((resolve) => {
      execFile(process.execPath, [binPath, ...args], { cwd: work, env, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr, signal: error?.signal ?? null });
      });
    });
  }

  // Live (non-zombie) processes running this test's copy of the fake.
  function fakeProcesses(): Promise<string[]> {
    return new Promise((resolve) =>
      execFile('ps', ['-eo', 'stat=,args='], (_error, stdout) =>
        resolve(stdout.split('\n').filter((line) => line.includes(fakeBin) && !line.trim().startsWith('Z'))),
      ),
    );
  }

  test('bench mlp --meter nvidia-smi --gpus 0 at a constant 250 W reads 250 W', async () => {
    const result = await cli(
      [
        'bench', 'mlp', '--batch', '1', '--meter', 'nvidia-smi', '--gpus', '0', '--min-seconds', '1', '--min-runs', '3',
        '--repetitions', '2', '--target-ci', 'off', '--idle-seconds', '1', '--warmup-runs', '1', '--warmup-seconds', '0', '--out', 'out', '--json',
      ],
      { FAKE_NVSMI_WATTS: '250' },
    );
    assert.equal(result.code, 0, `bench failed (exit ${result.code}):\n${result.stderr}`);
    const run = await readResult(await onlyRunDir(path.join(work, 'out')));
    assert.equal(run.meters.length, 1);
    const meter = run.meters[0]!;
    assert.deepEqual([meter.id, meter.kind, meter.device, meter.estimated], ['nvidia-smi:0', 'nvidia-smi', 'cuda:0', false]);
    assert.match(meter.detail, /^power\.draw\.instant, 100 ms stream, NVIDIA H100 80GB HBM3/);
    const measurement = run.measurements[0]!;
    assert.equal(measurement.status, 'ok', measurement.error?.message);
    assertClose(measurement.power!.byMeter['nvidia-smi:0'], 250, 0.01, 'power.byMeter["nvidia-smi:0"]');
    assertClose(measurement.power!.meanWatts, 250, 0.01, 'power.meanWatts');
    for (const [i, repetition] of measurement.repetitions.entries()) {
      assertClose(repetition.meanWatts, 250, 0.01, `repetition ${i} meanWatts`);
      assertClose(repetition.energyJ, 250 * repetition.durationS, 0.01, `repetition ${i} energyJ`);
    }
    assertClose(run.idle?.watts['nvidia-smi:0'], 250, 0.01, 'idle watts');
    // The fake reports 19,818 of 81,559 MiB used above 100 W: the configuration's GPU memory comes from those columns.
    const [memory] = measurement.gpuMemory!;
    assert.deepEqual({ ...memory, samples: memory!.samples > 0 }, { device: 'cuda:0', peakUsedMib: 19818, meanUsedMib: 19818, totalMib: 81559, samples: true });
    assert.deepEqual(await fakeProcesses(), [], 'no nvidia-smi left running after the CLI exits');
  });

  test('devices --json lists nvidia-smi as working, with its power field and GPU', async () => {
    const result = await cli(['devices', '--json'], { FAKE_NVSMI_WATTS: '250,100' });
    assert.equal(result.code, 0, result.stderr);
    const meters = (JSON.parse(result.stdout) as { meters: Array<{ name: string; ok: boolean; detail: string }> }).meters;
    const entry = meters.find((m) => m.name === 'nvidia-smi');
    assert.ok(entry, 'devices lists nvidia-smi');
    assert.equal(entry.ok, true, entry.detail);
    assert.equal(entry.detail, 'power.draw.instant, 100 ms stream; GPU 0 NVIDIA H100 80GB HBM3, 1 NVIDIA H100 80GB HBM3; driver 590.48.01');
  });

  test('devices --json without nvidia-smi on PATH says why', async () => {
    // PATH without any folder that holds an nvidia-smi (this test's fake, or a real one on a GPU machine).
    const pathWithout = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir && !existsSync(path.join(dir, 'nvidia-smi'))).join(path.delimiter);
    const result = await cli(['devices', '--json'], { PATH: pathWithout });
    assert.equal(result.code, 0, result.stderr);
    const entry = (JSON.parse(result.stdout) as { meters: Array<{ name: string; ok: boolean; detail: string }> }).meters.find((m) => m.name === 'nvidia-smi');
    assert.deepEqual(entry && { ok: entry.ok, detail: entry.detail }, { ok: false, detail: 'nvidia-smi not found on PATH (install the NVIDIA driver)' });
  });
});
