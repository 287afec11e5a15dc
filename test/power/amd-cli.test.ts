// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: `joulebench bench` and `devices` with the fake rocm-smi / amd-smi first on PATH.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { assertClose, ensureBuilt, onlyRunDir, readResult, removeDir, repoRoot, tempDir, type CliResult } from '../cli/helpers.js';

const fakeDir = path.join(repoRoot, 'test', 'fixtures', 'bin', 'amd');
let modelsDir: string;

before(async () => {
  await ensureBuilt();
  modelsDir = await tempDir('amd-models');
});
after(async () => removeDir(modelsDir));

// Like helpers.runCli, with the fake tools first on PATH and their settings in the environment.
function runCli(args: string[], cwd: string, vars: Record<string, string>): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...vars, JOULEBENCH_MODELS_DIR: modelsDir, PATH: `${fakeDir}${path.delimiter}${process.env.PATH ?? ''}` };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'bin', 'joulebench.js'), ...args], { cwd, env, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr, signal: error?.signal ?? null });
    });
  });
}

const benchArgs = (meter: string, out: string) => [
  'bench', 'mlp', '--batch', '1', '--meter', meter, '--gpus', '0', '--min-seconds', '1', '--min-runs', '3', '--repetitions', '2', '--target-ci', 'off',
  '--idle-seconds', '1', '--warmup-runs', '1', '--warmup-seconds', '0', '--out', out, '--json',
];

for (const [meter, vars, watts] of [
  ['amd-smi', { FAKE_AMDSMI_WATTS: '300,150', FAKE_AMDSMI_SHAPE: 'rocm7' }, 300],
  ['rocm-smi', { FAKE_ROCM_WATTS: '250,150', FAKE_ROCM_SECONDARY: '1' }, 250],
] as const) {
  test(`bench --meter ${meter} --gpus 0 counts the fake GPU 0 at ${watts} W`, async () => {
    const dir = await tempDir(`${meter}-bench`);
    try {
      const run = await runCli(benchArgs(meter, path.join(dir, 'out')), dir, vars);
      assert.equal(run.code, 0, `exit ${run.code}\n${run.stderr}`);
      const result = await readResult(await onlyRunDir(path.join(dir, 'out')));
      assert.deepEqual(result.meters.map((m) => [m.id, m.device, m.kind, m.sampleKind]), [[`${meter}:0`, 'rocm:0', meter, 'instant']]);
      const measurement = result.measurements[0]!;
      assert.equal(measurement.status, 'ok', JSON.stringify(measurement.error));
      assertClose(measurement.power?.byMeter[`${meter}:0`], watts, 0.01, `byMeter['${meter}:0']`);
      assertClose(measurement.power?.meanWatts, watts, 0.01, 'meanWatts');
      for (const repetition of measurement.repetitions) assertClose(repetition.meanWatts, watts, 0.01, 'repetition meanWatts');
    } finally {
      await removeDir(dir);
    }
  });
}

test('devices --json lists both AMD meters as working, with the GPUs they found', async () => {
  const dir = await tempDir('amd-devices');
  try {
    const run = await runCli(['devices', '--json'], dir, { FAKE_AMDSMI_WATTS: '300,150', FAKE_ROCM_WATTS: '300,300', FAKE_ROCM_SECONDARY: '1' });
    assert.equal(run.code, 0, run.stderr);
    const meters = (JSON.parse(run.stdout) as { meters: Array<{ name: string; ok: boolean; detail: string }> }).meters;
    const amdSmi = meters.find((m) => m.name === 'amd-smi');
    const rocmSmi = meters.find((m) => m.name === 'rocm-smi');
    assert.ok(amdSmi?.ok && /2 GPUs \(gpu 0 300\.0 W, gpu 1 150\.0 W\)/.test(amdSmi.detail), JSON.stringify(amdSmi));
    assert.ok(rocmSmi?.ok && /1 GPU \(card0 300\.0 W\).*skipped \(no meter\): card1 reports "N\/A \(Secondary die\)"/.test(rocmSmi.detail), JSON.stringify(rocmSmi));

    const broken = await runCli(['devices', '--json'], dir, { FAKE_AMDSMI_FAIL: '1', FAKE_ROCM_FAIL: '1' });
    const brokenMeters = (JSON.parse(broken.stdout) as { meters: Array<{ name: string; ok: boolean; detail: string }> }).meters;
    for (const name of ['amd-smi', 'rocm-smi']) {
      const entry = brokenMeters.find((m) => m.name === name);
      assert.ok(entry && !entry.ok && /exited with code 1; .* printed output that is not JSON: "/.test(entry.detail), JSON.stringify(entry));
    }
  } finally {
    await removeDir(dir);
  }
});
