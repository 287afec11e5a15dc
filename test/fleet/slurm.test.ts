// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// examples/slurm/sweep.sbatch on a real single-node Slurm cluster (Debian's slurm-wlm + munge): a 4-task job array
// of shards, then the dependent merge job; every configuration must appear exactly once in the merged result.
// Uses the cluster SLURM_CONF names (.ci/run starts one), else starts one with test/fixtures/slurm/start-cluster.sh
// (as root). Skips, saying why, only when Slurm is not installed.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/results/types.js';
import { ensureBuilt, removeDir, repoRoot, tempDir, writeReplayTrace } from '../cli/helpers.js';

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const installed = has('sbatch') && has('slurmctld') && has('slurmd') && has('munged');
const skip = installed ? false : 'Slurm is not installed (apt-get install slurm-wlm munge; .ci/run does it as root)';

function run(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, maxBuffer: 16 * 2 ** 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

// Four models × two batch sizes = 8 configurations, so each of the 4 shards races one model.
const scenario = `name: slurm
models:
  - { model: mlp, name: mlp-a }
  - { model: mlp, name: mlp-b }
  - { model: mlp, name: mlp-c }
  - { model: mlp, name: mlp-d }
precisions: [fp32]
executionProviders: [cpu]
batchSizes: [1, 8]
threads: [1]
warmup: { runs: 1, seconds: 0 }
window: { minSeconds: 0.1, minRuns: 3 }
repetitions: 2
stopping: { rule: race, equivalencePercent: 3, maxSeconds: 1 }
idleSeconds: 0.1
meters: [replay:trace.csv]
out: results
`;

describe('Slurm job array + merge (examples/slurm/sweep.sbatch)', { skip }, () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  let started: string | null = null;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('slurm');
    env = { ...process.env };
    delete env.NODE_OPTIONS;
    delete env.NODE_TEST_CONTEXT;
    const running = env.SLURM_CONF ? await run('sinfo', ['-h', '-o', '%t'], { cwd: work, env }) : null;
    if (!running || running.code !== 0) {
      const start = await run(path.join(repoRoot, 'test', 'fixtures', 'slurm', 'start-cluster.sh'), [], { cwd: work, env });
      assert.equal(start.code, 0, `could not start the Slurm cluster:\n${start.stderr}`);
      started = /export SLURM_CONF=(\S+)/.exec(start.stdout)![1]!;
      env.SLURM_CONF = started;
    }
    await writeFile(path.join(work, 'sweep.yaml'), scenario);
    await writeReplayTrace(work, 'trace.csv', 300, (tS) => (tS < 0.1 ? 10 : 30));
  });

  after(async () => {
    if (started) await run(path.join(repoRoot, 'test', 'fixtures', 'slurm', 'stop-cluster.sh'), [], { cwd: work, env });
    await removeDir(work);
  });

  test('4 shards then the merge job: every configuration exactly once, the same picks as one unsharded run', { timeout: 300_000 }, async (t) => {
    const jobEnv = { ...env, JOULEBENCH_MODELS_DIR: path.join(work, 'models'), JOULEBENCH_CACHE_DIR: path.join(work, 'cache') };
    // The same scenario unsharded first (it also builds the models the shards then share).
    const wholeStartMs = performance.now();
    const whole = await run(process.execPath, [path.join(repoRoot, 'bin', 'joulebench.js'), 'run', 'sweep.yaml', '--out', 'whole', '--json'], { cwd: work, env: jobEnv });
    const wholeS = (performance.now() - wholeStartMs) / 1000;
    assert.equal(whole.code, 0, whole.stderr);
    const wholeResult = JSON.parse(whole.stdout) as RunResult;

    const slurmStartMs = performance.now();
    const submit = await run(path.join(repoRoot, 'examples', 'slurm', 'sweep.sbatch'), ['sweep.yaml', '4', 'out'], {
      cwd: work,
      // One CPU per shard: this single 2-CPU node runs two shards at a time (a real sweep keeps --exclusive).
      env: { ...jobEnv, JOULEBENCH: `${process.execPath} ${path.join(repoRoot, 'bin', 'joulebench.js')}`, JOULEBENCH_SBATCH_ARGS: '--cpus-per-task=1' },
    });
    assert.equal(submit.code, 0, submit.stderr);
    const arrayId = /job array (\d+)/.exec(submit.stdout)![1]!;
    const mergeId = /job (\d+) after the array/.exec(submit.stdout)![1]!;
    const deadline = Date.now() + 280_000;
    for (;;) {
      const queue = await run('squeue', ['-h', '-j', `${arrayId},${mergeId}`, '-o', '%i %T'], { cwd: work, env });
      if (queue.stdout.trim() === '') break;
      assert.ok(Date.now() < deadline, `the jobs did not finish in time:\n${queue.stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Reported, never asserted (timings depend on the machine): docs/fleet.md quotes a measured pair.
    t.diagnostic(`unsharded run ${wholeS.toFixed(1)} s; 4-shard Slurm array + merge, submission to merge done: ${((performance.now() - slurmStartMs) / 1000).toFixed(1)} s`);
    const logs = (await readdir(work)).filter((name) => name.startsWith('joulebench-') && name.endsWith('.out'));
    const log = (await Promise.all(logs.map(async (name) => `--- ${name}\n${await readFile(path.join(work, name), 'utf8')}`))).join('\n');
    assert.equal(logs.length, 5, `expected 4 shard logs and 1 merge log:\n${log}`);

    const shards = await readdir(path.join(work, 'out', 'shards'));
    assert.equal(shards.length, 4, log);
    const merged = JSON.parse(await readFile(path.join(work, 'out', 'merged', 'result.json'), 'utf8')) as RunResult;
    assert.equal(merged.status, 'complete', `${merged.stopReason}\n${log}`);
    const keys = merged.measurements.map((m) => m.key);
    const expected = ['a', 'b', 'c', 'd'].flatMap((model) => [`mlp-${model}/fp32/cpu/b1/t1`, `mlp-${model}/fp32/cpu/b8/t1`]);
    assert.deepEqual([...keys].sort(), expected);
    assert.equal(new Set(keys).size, keys.length, 'a configuration appears twice');
    assert.deepEqual(merged.merge!.inputs.map((input) => input.shard).sort(), [0, 1, 2, 3]);
    assert.ok(merged.merge!.inputs.every((input) => input.used));
    assert.deepEqual(merged.recommendations.map((r) => r.key).sort(), wholeResult.recommendations.map((r) => r.key).sort());
    assert.deepEqual([...keys].sort(), wholeResult.measurements.map((m) => m.key).sort());
  });
});
