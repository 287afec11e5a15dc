// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// The fleet examples as far as this machine can run them: the Kubernetes manifest's structure (parsed with `yaml`)
// and its scenario, the Dockerfile's stages, sources and final-stage commands, and sweep.sbatch's submission against
// a fake sbatch first on PATH (the real cluster run is test/fleet/slurm.test.ts).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { planShards } from '../../src/fleet/shards.js';
import { expandPlan } from '../../src/scenario/expand.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { ensureBuilt, removeDir, repoRoot, runCli, tempDir } from '../cli/helpers.js';

interface Container { name: string; image: string; args: string[]; volumeMounts?: Array<{ name: string; mountPath: string }> }
interface PodSpec { restartPolicy: string; containers: Container[]; volumes: Array<{ name: string; persistentVolumeClaim?: { claimName: string }; configMap?: { name: string } }> }
interface Manifest { kind: string; metadata: { name: string }; spec: Record<string, unknown> & { template?: { spec: PodSpec } }; data?: Record<string, string> }

function exec(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, options, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }));
  });
}

describe('examples/k8s/indexed-job.yaml', () => {
  let docs: Manifest[];
  before(async () => {
    const parsed = parseAllDocuments(await readFile(path.join(repoRoot, 'examples', 'k8s', 'indexed-job.yaml'), 'utf8'));
    for (const doc of parsed) assert.deepEqual(doc.errors, []);
    docs = parsed.map((doc) => doc.toJS() as Manifest);
  });
  const job = (name: string) => docs.find((doc) => doc.kind === 'Job' && doc.metadata.name === name)!;

  test('a results volume, the scenario, an Indexed Job of shards and a merge Job', () => {
    assert.deepEqual(docs.map((doc) => doc.kind), ['PersistentVolumeClaim', 'ConfigMap', 'Job', 'Job']);
    const shards = job('joulebench-shards');
    assert.equal(shards.spec.completionMode, 'Indexed');
    const args = shards.spec.template!.spec.containers[0]!.args;
    assert.equal(args[0], 'run');
    // --shard auto/N with N = completions = parallelism: every index runs at once, each its own shard.
    assert.equal(args[args.indexOf('--shard') + 1], `auto/${shards.spec.completions}`);
    assert.equal(shards.spec.parallelism, shards.spec.completions);
    assert.equal(shards.spec.template!.spec.restartPolicy, 'Never');
    const merge = job('joulebench-merge').spec.template!.spec.containers[0]!;
    assert.deepEqual(merge.args, ['merge', args[args.indexOf('--out') + 1], '--out', '/results/merged']);
    assert.equal(merge.image, shards.spec.template!.spec.containers[0]!.image);
  });

  test('every mount names a volume of its pod; the claim and the ConfigMap exist; the scenario path is mounted', () => {
    const claim = docs.find((doc) => doc.kind === 'PersistentVolumeClaim')!;
    const config = docs.find((doc) => doc.kind === 'ConfigMap')!;
    for (const name of ['joulebench-shards', 'joulebench-merge']) {
      const pod = job(name).spec.template!.spec;
      for (const container of pod.containers) for (const mount of container.volumeMounts ?? []) assert.ok(pod.volumes.some((v) => v.name === mount.name), `${name}: ${mount.name}`);
      for (const volume of pod.volumes) {
        if (volume.persistentVolumeClaim) assert.equal(volume.persistentVolumeClaim.claimName, claim.metadata.name);
        if (volume.configMap) assert.equal(volume.configMap.name, config.metadata.name);
      }
    }
    const shard = job('joulebench-shards').spec.template!.spec.containers[0]!;
    const scenarioMount = shard.volumeMounts!.find((m) => m.name === 'scenario')!;
    assert.equal(shard.args[1], `${scenarioMount.mountPath}/sweep.yaml`);
    assert.ok(config.data?.['sweep.yaml']);
  });

  test('its scenario is valid and every shard has work', async () => {
    const dir = await tempDir('k8s');
    try {
      const config = docs.find((doc) => doc.kind === 'ConfigMap')!;
      await writeFile(path.join(dir, 'sweep.yaml'), config.data!['sweep.yaml']!);
      const scenario = await loadScenarioFile(path.join(dir, 'sweep.yaml'));
      const shards = planShards(expandPlan(scenario), scenario.stopping, job('joulebench-shards').spec.completions as number);
      assert.deepEqual(shards.empty, []);
    } finally {
      await removeDir(dir);
    }
  });
});

// Dockerfile instructions with line continuations joined: [instruction, rest].
function instructions(text: string): Array<[string, string]> {
  return text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#')).map((line) => {
    const space = line.indexOf(' ');
    return [line.slice(0, space).toUpperCase(), line.slice(space + 1).trim()];
  });
}

describe('Dockerfile', () => {
  let steps: Array<[string, string]>;
  before(async () => {
    steps = instructions(await readFile(path.join(repoRoot, 'Dockerfile'), 'utf8'));
  });

  test('two stages; every COPY source of the build context exists and .dockerignore keeps it', async () => {
    assert.deepEqual(steps.filter(([op]) => op === 'FROM').map(([, rest]) => rest), ['node:20-bookworm-slim AS build', 'node:20-bookworm-slim']);
    const ignored = (await readFile(path.join(repoRoot, '.dockerignore'), 'utf8')).split('\n').filter((line) => line && !line.startsWith('#'));
    for (const [op, rest] of steps) {
      if (op !== 'COPY' || rest.startsWith('--from')) continue;
      for (const source of rest.split(/\s+/).slice(0, -1)) {
        assert.ok(existsSync(path.join(repoRoot, source)), `COPY ${source}`);
        assert.ok(!ignored.includes(source), `${source} is in .dockerignore`);
      }
    }
  });

  test('the runtime stage holds everything package.json publishes', async () => {
    const files = (JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { files: string[] }).files;
    const runtime = steps.slice(steps.findLastIndex(([op]) => op === 'FROM'));
    const copied = runtime.filter(([op, rest]) => op === 'COPY' && rest.startsWith('--from=build')).map(([, rest]) => rest.split(/\s+/).at(-1)!.replace(/^\.\//, ''));
    for (const entry of [...files, 'node_modules']) assert.ok(copied.includes(entry), `runtime stage lacks ${entry}`);
    assert.ok(runtime.some(([op, rest]) => op === 'COPY' && rest.includes('/src/package.json')), 'runtime stage lacks package.json');
    assert.deepEqual(runtime.find(([op]) => op === 'ENTRYPOINT')?.[1], '["joulebench"]');
  });

  test('the runtime stage\'s commands run against this checkout\'s build', async () => {
    await ensureBuilt();
    const dir = await tempDir('docker');
    try {
      const modelsDir = path.join(dir, 'models');
      const version = await runCli(['--version'], { cwd: dir, modelsDir });
      assert.equal(version.code, 0, version.stderr);
      const models = await runCli(['models', 'build'], { cwd: dir, modelsDir });
      assert.equal(models.code, 0, models.stderr);
      assert.ok(existsSync(path.join(modelsDir, 'mlp.onnx')));
    } finally {
      await removeDir(dir);
    }
  });
});

describe('examples/slurm/sweep.sbatch', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('sbatch');
    // A fake sbatch: records its arguments and answers job ids 41 then 42 (as --parsable does).
    await mkdir(path.join(dir, 'bin'));
    await writeFile(path.join(dir, 'bin', 'sbatch'), '#!/bin/sh\necho "$@" >> "$SBATCH_LOG"\nn=$(wc -l < "$SBATCH_LOG")\necho $((40 + n))\n');
    await chmod(path.join(dir, 'bin', 'sbatch'), 0o755);
  });
  after(() => removeDir(dir));

  test('submits an array of N shards, then a merge job after it (afterany)', async () => {
    const log = path.join(dir, 'sbatch.log');
    const env = { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, SBATCH_LOG: log };
    const result = await exec(path.join(repoRoot, 'examples', 'slurm', 'sweep.sbatch'), ['s.yaml', '3', 'out'], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    const [shards, merge] = (await readFile(log, 'utf8')).trim().split('\n');
    assert.match(shards!, /^--parsable --exclusive --array=0-2 --export=ALL,JOULEBENCH_ROLE=shard,JOULEBENCH_SCENARIO=s\.yaml,JOULEBENCH_SHARDS=3,JOULEBENCH_OUT=out \S+sweep\.sbatch$/);
    assert.match(merge!, /--dependency=afterany:41 --export=ALL,JOULEBENCH_ROLE=merge,JOULEBENCH_OUT=out /);
    assert.match(result.stdout, /job array 41 \(3 tasks\)/);
  });

  test('a shard task runs `run --shard auto/N`, the merge job `merge`', async () => {
    const env = { ...process.env, JOULEBENCH: 'echo joulebench', JOULEBENCH_SCENARIO: 's.yaml', JOULEBENCH_SHARDS: '3', JOULEBENCH_OUT: 'out' };
    const shard = await exec(path.join(repoRoot, 'examples', 'slurm', 'sweep.sbatch'), [], { cwd: dir, env: { ...env, JOULEBENCH_ROLE: 'shard' } });
    assert.equal(shard.stdout.trim(), 'joulebench run s.yaml --shard auto/3 --out out/shards');
    const merge = await exec(path.join(repoRoot, 'examples', 'slurm', 'sweep.sbatch'), [], { cwd: dir, env: { ...env, JOULEBENCH_ROLE: 'merge' } });
    assert.equal(merge.stdout.trim(), 'joulebench merge out/shards --out out/merged');
  });
});
