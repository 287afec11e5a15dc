// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: inspect, devices, models build and report.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertBadInput, ensureBuilt, fastFlags, onlyRunDir, removeDir, runCli, sha256OfFile, tempDir, writeReplayTrace } from './helpers.js';

/** The slice of `devices --json` these tests read. */
interface DevicesJson {
  environment: { runtime: { executionProviders: Array<{ name: string; available: boolean; reason: string | null }> } };
  meters: Array<{ name: string; ok: boolean; hardware: boolean; detail: string }>;
}

describe('inspect, devices, models, report', { timeout: 120_000 }, () => {
  let work: string;
  let modelsDir: string;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('commands');
    modelsDir = path.join(work, 'models');
  });
  after(() => removeDir(work));

  const cli = (args: string[]) => runCli(args, { cwd: work, modelsDir });

  test('inspect mlp: input x with the batch at axis 0, and the file\'s sha256', async () => {
    const out = await cli(['inspect', 'mlp']);
    assert.equal(out.code, 0, out.stderr);
    const file = path.join(modelsDir, 'mlp.onnx');
    const sha256 = await sha256OfFile(file);
    const lines = out.stdout.split('\n');
    assert.equal(lines[0], file);
    assert.match(out.stdout, new RegExp(`sha256 ${sha256}\\b`));
    assert.match(out.stdout, /^ {4}x: float32 \[N, 1024\] → batch at axis 0 \(/m);
    assert.match(out.stdout, /^ {4}logits: float32 \[N, 10\]$/m);
    assert.match(out.stdout, /batch: dynamic/);
    assert.match(out.stdout, /Gemm×5/);
  });

  test('devices: cpu available, the estimate meter listed and marked as the estimated fallback', async () => {
    const text = await cli(['devices']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ {2}✓ cpu$/m);
    assert.match(text.stdout, /^ {2}✓ estimate \(ESTIMATED, the fallback\) — /m);

    const json = await cli(['devices', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const devices = JSON.parse(json.stdout) as DevicesJson;
    assert.deepEqual(devices.environment.runtime.executionProviders.find((ep) => ep.name === 'cpu'), { name: 'cpu', available: true, reason: null, missingLibraries: [] });
    const estimate = devices.meters.find((meter) => meter.name === 'estimate');
    assert.ok(estimate, 'estimate meter listed');
    assert.equal(estimate.ok, true);
    assert.equal(estimate.hardware, false);
  });

  // A provider bundled in the build is not enough (webgpu is bundled on linux-x64 but needs a GPU adapter): what
  // devices calls available must really run. On a machine with no GPU only cpu qualifies and this loop is empty.
  test('devices: every execution provider marked available can run a sweep', async () => {
    const devices = JSON.parse((await cli(['devices', '--json'])).stdout) as DevicesJson;
    const available = devices.environment.runtime.executionProviders.filter((ep) => ep.available && ep.name !== 'cpu');
    await writeReplayTrace(work, 'ep-trace.csv', 5, () => 10);
    for (const ep of available) {
      const out = await cli(['bench', 'mlp', '--ep', ep.name, '--batch', '1', '--meter', 'replay:ep-trace.csv', '--out', `ep-${ep.name}`, ...fastFlags, '--idle-seconds', '0']);
      assert.equal(out.code, 0, `devices says ${ep.name} is available, but bench --ep ${ep.name} exits ${out.code}:\n${out.stderr.split('\n').filter((l) => l.startsWith('joulebench:')).join('\n')}`);
    }
  });

  test('models build --out DIR writes the three built-ins, byte-identical on a second build', async () => {
    const first = path.join(work, 'build-1');
    const second = path.join(work, 'build-2');
    const one = await cli(['models', 'build', '--out', first]);
    const two = await cli(['models', 'build', '--out', second]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    const names = ['cnn.onnx', 'mlp.onnx', 'transformer.onnx'];
    assert.deepEqual((await readdir(first)).sort(), names);
    assert.deepEqual((await readdir(second)).sort(), names);
    for (const name of names) {
      const sha256 = await sha256OfFile(path.join(first, name));
      assert.equal(await sha256OfFile(path.join(second, name)), sha256, `${name} differs between builds`);
      // The build's own report names the same hash.
      assert.ok(one.stdout.includes(`${path.join(first, name)}`) && one.stdout.includes(`sha256 ${sha256}`), one.stdout);
    }
    const again = await cli(['models', 'build', '--out', first]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.trimEnd().split('\n').filter((line) => line.endsWith('(unchanged)')).length, 3, again.stdout);
  });

  test('report <result.json> --out DIR regenerates report.md and measurements.csv byte for byte', async () => {
    await writeReplayTrace(work, 'trace.csv', 20, () => 35);
    const bench = await cli(['bench', 'mlp', '--batch', '1,2', '--meter', 'replay:trace.csv', '--out', 'runs', ...fastFlags]);
    assert.equal(bench.code, 0, bench.stderr);
    const runDir = await onlyRunDir(path.join(work, 'runs'));
    const rendered = path.join(work, 'rendered');
    const report = await cli(['report', path.join(runDir, 'result.json'), '--out', rendered]);
    assert.equal(report.code, 0, report.stderr);
    for (const file of ['report.md', 'measurements.csv']) {
      assert.equal(await readFile(path.join(rendered, file), 'utf8'), await readFile(path.join(runDir, file), 'utf8'), `${file} differs`);
    }
    assert.match(report.stdout, /mlp\/fp32\/cpu\/b1/);
    assert.match(report.stdout, /mlp\/fp32\/cpu\/b2/);
    assert.ok(report.stdout.includes(path.join(rendered, 'report.md')), report.stdout);
  });

  test('report on a result.json that does not exist: exit 2 naming it', async () => {
    assertBadInput(await cli(['report', 'nothere/result.json']), 'nothere/result.json: no such result file', 'give a run\'s result.json: results/<runId>/result.json');
  });
});
