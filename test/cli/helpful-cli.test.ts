// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: a first run prints only joulebench's own words, and a typo gets a did-you-mean, one `joulebench:`
// prefix, a fix line and exit 2.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { meterRegistry } from '../../src/power/registry.js';
import { ensureBuilt, removeDir, runCli, tempDir } from './helpers.js';

describe('a CLI that helps', { timeout: 120_000, concurrency: 2 }, () => {
  let work: string;
  let modelsDir: string;
  const cli = (...args: string[]) => runCli(args, { cwd: work, modelsDir, env: { JOULEBENCH_VERBOSE: '' } });

  before(async () => {
    await ensureBuilt();
    work = await tempDir('helpful-cli');
    modelsDir = path.join(work, 'models');
  });
  after(() => removeDir(work));

  test('devices prints no onnxruntime log line, no Dawn warning and no colour code', async () => {
    const result = await cli('devices');
    assert.equal(result.code, 0, result.stderr);
    const all = result.stdout + result.stderr;
    assert.doesNotMatch(all, /onnxruntime:|\[E:|Vulkan|\x1b\[/, all);
    assert.match(result.stdout, /^host: /);
  });

  test('a mistyped command: did you mean, exit 2', async () => {
    const result = await cli('rnu', 'scenarios/quick.yaml');
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'joulebench: unknown command "rnu" — did you mean "run"?\n  fix: joulebench run scenarios/quick.yaml\n');
    assert.equal(result.stdout, '');
  });

  test('help COMMAND prints that command\'s help', async () => {
    const result = await cli('help', 'inspect');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^joulebench inspect <model\.onnx/);
  });

  test('an unknown command far from every command lists them', async () => {
    const result = await cli('frobnicate');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^joulebench: unknown command "frobnicate"\n {2}fix: one of init, run, bench, inspect, /);
  });

  test('a mistyped flag: one prefix and the flag it meant', async () => {
    const result = await cli('bench', 'mlp', '--preicsion', 'fp16');
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "joulebench: bench: Unknown option '--preicsion' — did you mean --precision?\n  fix: joulebench bench … --precision; joulebench bench --help lists every option\n");
  });

  test('a mistyped built-in model name', async () => {
    const result = await cli('inspect', 'mpl');
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'joulebench: model file not found: mpl — did you mean the built-in model "mlp"?\n  fix: built-in models: mlp, cnn, transformer; anything else is a path to an .onnx file\n');
  });

  test('report on a missing file names it, no raw ENOENT', async () => {
    const result = await cli('report', 'nothere.json');
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "joulebench: nothere.json: no such result file\n  fix: give a run's result.json: results/<runId>/result.json (ls results/ lists the runs)\n");
  });

  test('inspect with a --shape of the wrong rank is bad input (exit 2), not a description', async () => {
    const result = await cli('inspect', 'mlp', '--shape', 'x=N,1024,3');
    assert.equal(result.code, 2, result.stdout);
    assert.equal(result.stderr, 'joulebench: --shape x=N,1024,3: input "x" has rank 2 [N, 1024], the shape given has rank 3\n  fix: give 2 dimensions, with N where the batch goes\n');
    assert.equal(result.stdout, '');
  });

  test('short flags -b, -p, -e reach --batch, --precision, --ep', async () => {
    const batch = await cli('bench', 'mlp', '--meter', 'estimate', '-b', '0');
    assert.equal(batch.code, 2);
    assert.match(batch.stderr, /^joulebench: --batch: expected positive integers separated by commas, got "0"/);
    const ep = await cli('bench', 'mlp', '--meter', 'estimate', '-e', 'foo');
    assert.equal(ep.code, 2);
    assert.match(ep.stderr, /--ep foo: unknown execution provider "foo"/);
    const typo = await cli('bench', 'mlp', '--meter', 'estimate', '-e', 'cpuu');
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /--ep cpuu: unknown execution provider "cpuu"; in this build: cpu\b.* — did you mean "cpu"\?\n/);
    const precision = await cli('bench', 'mlp', '--meter', 'estimate', '-p', 'fp99');
    assert.equal(precision.code, 2);
    assert.match(precision.stderr, /^joulebench: --precision/);
  });

  test('run and bench help list every meter, replay:FILE and --target-ci off, and the short flags', async () => {
    const names = ['auto', ...Object.keys(meterRegistry).filter((name) => name !== 'replay'), 'replay:FILE'];
    for (const command of ['run', 'bench']) {
      const help = await cli(command, '--help');
      assert.equal(help.code, 0);
      for (const name of names) assert.ok(help.stdout.includes(name), `${command} --help lists ${name}`);
      assert.match(help.stdout, /--target-ci P\|off/);
      assert.match(help.stdout, /-o, --out DIR/);
    }
    const bench = await cli('bench', '--help');
    for (const flag of ['-b, --batch', '-p, --precision', '-e, --ep']) assert.ok(bench.stdout.includes(flag), flag);
  });

  test('run: a flag over the scenario is validated by the same schema and the error names the flag', async () => {
    await writeFile(path.join(work, 'plain.yaml'), 'models: [mlp]\nrepetitions: 3\n');
    const result = await cli('run', 'plain.yaml', '-b', '100000');
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'joulebench: --batch: expected a batch size of at most 65536, got 100000\n');
  });

  test('--dry-run prints the plan and exits 0 without a run folder', async () => {
    const result = await cli('bench', 'mlp', '-b', '1,8', '-p', 'fp32,int8', '--max-seconds', '10', '--idle-seconds', '1', '--warmup-seconds', '0.5', '--dry-run', '-o', 'dry');
    assert.equal(result.code, 0, result.stderr);
    // 2 × 1 s idle + 4 configurations × (0.5 s warm-up + 10 s of windows) = 44 s
    assert.match(result.stdout, /^dry run: nothing is measured; this is the plan\.\n4 configuration\(s\):\n {2}mlp\/fp32\/cpu\/b1\n/);
    assert.match(result.stdout, /variants to make \(or reuse from the cache\), each checked against FP32 first: mlp\/int8\n/);
    assert.match(result.stdout, /worst case from the caps: 44 s = idle 2 s \(before and after\) \+ 4 × 10\.5 s\n/);
    assert.equal(existsSync(path.join(work, 'dry')), false);
  });

  test('init writes a scenario that run --dry-run accepts; a second init refuses to overwrite it', async () => {
    const first = await cli('init', 'mlp', '-o', 'mine.yaml');
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'wrote mine.yaml\nnext: joulebench run mine.yaml --dry-run   (the plan), then joulebench run mine.yaml\n');
    const plan = await cli('run', 'mine.yaml', '--dry-run');
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^dry run: nothing is measured; this is the plan\.\n3 configuration\(s\):/);
    const again = await cli('init', 'mlp', '-o', 'mine.yaml');
    assert.equal(again.code, 2);
    assert.equal(again.stderr, 'joulebench: --out mine.yaml: the file exists; init does not overwrite it\n  fix: pass --force to replace it, or -o another.yaml\n');
  });
});
