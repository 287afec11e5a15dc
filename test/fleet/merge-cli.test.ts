// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end through the CLI: a scenario run whole and in two shards, the shards merged; the merge holds the same
// configurations and the same recommendation as the whole run. Bad inputs to merge exit 2 and write nothing.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import type { RunResult } from '../../src/results/types.js';
import { ensureBuilt, onlyRunDir, readResult, removeDir, runCli, tempDir, writeReplayTrace } from '../cli/helpers.js';
import { writeSyntheticResult } from '../fixtures/synthetic-results.js';

// Two models, two configurations each: the whole test stays near half a minute on 2 cores. Power is constant (30 W after a 10 W idle start), so samples per joule follows throughput: batch 8 is far ahead
// of batch 1 and both runs must pick it whatever the noise of a busy machine.
const scenario = `name: fleet
models:
  - { model: mlp, name: mlp-a }
  - { model: mlp, name: mlp-b }
precisions: [fp32]
executionProviders: [cpu]
batchSizes: [1, 8]
threads: [1]
warmup: { runs: 1, seconds: 0 }
window: { minSeconds: 0.1, minRuns: 3 }
repetitions: 2
stopping: false
idleSeconds: 0.1
meters: [replay:trace.csv]
out: results
`;

describe('joulebench merge (CLI)', () => {
  let work: string;
  let modelsDir: string;
  const cli = (args: string[]) => runCli(args, { cwd: work, modelsDir });

  before(async () => {
    await ensureBuilt();
    work = await tempDir('fleet');
    modelsDir = path.join(work, 'models');
    await writeFile(path.join(work, 'fleet.yaml'), scenario);
    await writeReplayTrace(work, 'trace.csv', 300, (tS) => (tS < 0.1 ? 10 : 30));
  });
  after(() => removeDir(work));

  test('plan, two shards, merge: the same configurations and recommendation as the whole run; merging again changes nothing', async () => {
    const plan = await cli(['plan', 'fleet.yaml', '--shards', '2']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /shard 0\/2: 2 configuration\(s\) of mlp-a/);
    assert.match(plan.stdout, /shard 1\/2: 2 configuration\(s\) of mlp-b/);

    const whole = await cli(['run', 'fleet.yaml', '--out', 'whole']);
    assert.equal(whole.code, 0, whole.stderr);
    for (const index of [0, 1]) {
      const shard = await cli(['run', 'fleet.yaml', '--shard', `${index}/2`, '--out', 'shards']);
      assert.equal(shard.code, 0, shard.stderr);
    }
    const shardRuns = await Promise.all((await readdir(path.join(work, 'shards'))).map((dir) => readResult(path.join(work, 'shards', dir))));
    assert.deepEqual(shardRuns.map((run) => run.shard!.index).sort(), [0, 1]);
    for (const run of shardRuns) {
      assert.equal(run.fingerprint!.scenarioSha256, run.scenario.sha256);
      assert.ok(run.idle, 'each shard measures its own idle baseline');
    }

    const merged = await cli(['merge', 'shards', '--out', 'merged']);
    assert.equal(merged.code, 0, merged.stderr);
    const wholeResult = await readResult(await onlyRunDir(path.join(work, 'whole')));
    const mergedResult = await readResult(path.join(work, 'merged'));
    assert.deepEqual(mergedResult.measurements.map((m) => m.key), wholeResult.measurements.map((m) => m.key));
    assert.deepEqual(mergedResult.recommendations.map((r) => r.key), wholeResult.recommendations.map((r) => r.key));
    assert.deepEqual(mergedResult.recommendations.map((r) => r.key), ['mlp-a/fp32/cpu/b8/t1', 'mlp-b/fp32/cpu/b8/t1']);
    for (const file of ['report.md', 'report.html', 'measurements.csv']) assert.ok(existsSync(path.join(work, 'merged', file)), file);
    // The shards' and the merged result.json follow schema/result.schema.json (shard, fingerprint, merge included).
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(await readFile(new URL('../../schema/result.schema.json', import.meta.url), 'utf8')) as object);
    for (const run of [...shardRuns, mergedResult]) assert.ok(validate(run), JSON.stringify(validate.errors));

    const first = await readFile(path.join(work, 'merged', 'result.json'), 'utf8');
    const again = await cli(['merge', 'shards', 'merged', '--out', 'merged']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await readFile(path.join(work, 'merged', 'result.json'), 'utf8'), first);
  });

  test('a truncated result.json among the inputs: exit 2 naming it, nothing written', async () => {
    const shardDir = path.join(work, 'shards', (await readdir(path.join(work, 'shards')))[0]!);
    const text = await readFile(path.join(shardDir, 'result.json'), 'utf8');
    await writeFile(path.join(work, 'broken.json'), text.slice(0, text.length / 2));
    const result = await cli(['merge', 'shards', 'broken.json', '--out', 'broken']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /broken\.json: cut short .*nothing was merged or written/);
    assert.equal(existsSync(path.join(work, 'broken')), false);
  });

  test('results of another scenario: exit 2, nothing written', async () => {
    const shardDir = path.join(work, 'shards', (await readdir(path.join(work, 'shards')))[0]!);
    const other = JSON.parse(await readFile(path.join(shardDir, 'result.json'), 'utf8')) as RunResult;
    other.scenario.sha256 = 'f'.repeat(64);
    await writeFile(path.join(work, 'other.json'), JSON.stringify(other));
    const result = await cli(['merge', 'shards', 'other.json', '--out', 'mixed']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /ran different scenarios/);
    assert.equal(existsSync(path.join(work, 'mixed')), false);
  });

  test('a missing shard: what is there is merged and written, the missing shard and configurations named, exit 3', async () => {
    const shard1 = (await Promise.all((await readdir(path.join(work, 'shards'))).map(async (dir) => ({ dir, run: await readResult(path.join(work, 'shards', dir)) })))).find((entry) => entry.run.shard!.index === 1)!;
    const result = await cli(['merge', path.join('shards', shard1.dir), '--out', 'partial']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /merge incomplete: missing shard 0 of 2; 2 configuration\(s\) not measured: mlp-a\/fp32\/cpu\/b1\/t1, mlp-a\/fp32\/cpu\/b8\/t1/);
    const partial = await readResult(path.join(work, 'partial'));
    assert.equal(partial.status, 'interrupted');
    assert.deepEqual(partial.measurements.map((m) => m.key), ['mlp-b/fp32/cpu/b1/t1', 'mlp-b/fp32/cpu/b8/t1']);
  });

  test('--out one of the inputs\' run folders is refused', async () => {
    const dir = path.join('shards', (await readdir(path.join(work, 'shards')))[0]!);
    const result = await cli(['merge', 'shards', '--out', dir]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /would overwrite a shard's result/);
  });

  test('two machine classes: a run folder each, and the side-by-side reports with machines.json on top', async () => {
    const measurements = [{ model: 'm', batch: 1, samplesPerJoule: [10, 10.5] }, { model: 'm', batch: 8, samplesPerJoule: [20, 20.5] }];
    await mkdir(path.join(work, 'two', 'x'), { recursive: true });
    await mkdir(path.join(work, 'two', 'y'), { recursive: true });
    await writeSyntheticResult(path.join(work, 'two', 'x', 'result.json'), { runId: 'x', cpuModel: 'CPU X', measurements });
    await writeSyntheticResult(path.join(work, 'two', 'y', 'result.json'), { runId: 'y', cpuModel: 'CPU Y', measurements });
    const result = await cli(['merge', 'two', '--out', 'two-merged']);
    assert.equal(result.code, 0, result.stderr);
    const machines = JSON.parse(await readFile(path.join(work, 'two-merged', 'machines.json'), 'utf8')) as Array<{ folder: string; fingerprint: { cpuModel: string } }>;
    assert.deepEqual(machines.map((m) => m.fingerprint.cpuModel).sort(), ['CPU X', 'CPU Y']);
    for (const machine of machines) assert.equal((await readResult(path.join(work, 'two-merged', machine.folder))).measurements.length, 2);
    assert.ok(existsSync(path.join(work, 'two-merged', 'report.md')));
    assert.equal(existsSync(path.join(work, 'two-merged', 'result.json')), false);
  });
});
