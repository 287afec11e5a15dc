// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: what `joulebench bench mlp --batch 1,4` leaves on disk and prints, with the default meter and with --json.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/results/types.js';
import {
  csvRecords,
  ensureBuilt,
  fastFlags,
  onlyRunDir,
  readResult,
  removeDir,
  repoRoot,
  runCli,
  sha256OfFile,
  tempDir,
  writeReplayTrace,
  type CliResult,
} from './helpers.js';

const keys = ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b4'];

describe('bench mlp --batch 1,4: the run folder', { timeout: 120_000 }, () => {
  let work: string;
  let modelsDir: string;
  let cli: CliResult;
  let runDir: string;
  let result: RunResult;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('run-folder');
    modelsDir = path.join(work, 'models');
    // No --meter and no --out: the default meter (auto → the estimate on a machine without power sensors) and results/.
    cli = await runCli(['bench', 'mlp', '--batch', '1,4', ...fastFlags], { cwd: work, modelsDir });
    assert.equal(cli.code, 0, `bench failed (exit ${cli.code}):\n${cli.stderr}`);
    runDir = await onlyRunDir(path.join(work, 'results'));
    result = await readResult(runDir);
  });
  after(() => removeDir(work));

  test('result.json: schema, status, keys in plan order, repetitions with samples = runs × batch', async () => {
    const version = (JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(result.schema, 'joulebench/result@1');
    assert.equal(result.status, 'complete');
    assert.equal(result.stopReason, null);
    assert.equal(result.runId, path.basename(runDir));
    assert.deepEqual(result.tool, { name: 'joulebench', version });
    assert.ok(!Number.isNaN(Date.parse(result.createdAt)), `createdAt ${result.createdAt}`);
    assert.deepEqual(result.measurements.map((m) => m.key), keys);
    const mlpSha256 = await sha256OfFile(path.join(modelsDir, 'mlp.onnx'));
    for (const m of result.measurements) {
      assert.equal(m.status, 'ok', `${m.key}: ${m.error?.message}`);
      assert.equal(m.error, null);
      assert.equal(m.executionProvider, 'cpu');
      assert.equal(m.model.name, 'mlp');
      assert.equal(m.model.precision, 'fp32');
      assert.equal(m.model.sha256, mlpSha256);
      assert.equal(m.repetitions.length, 2);
      for (const rep of m.repetitions) {
        assert.ok(Number.isInteger(rep.runs) && rep.runs >= 3, `runs ${rep.runs}`);
        assert.equal(rep.samples, rep.runs * m.batchSize);
      }
      const latency = m.latencyMs!;
      assert.ok(0 < latency.p50 && latency.p50 <= latency.p90 && latency.p90 <= latency.p99 && latency.p99 <= latency.max, JSON.stringify(latency));
    }
    assert.deepEqual(result.measurements.map((m) => m.batchSize), [1, 4]);
  });

  test('the default meter is the estimate, and says so in result.json, the terminal table and report.md', async () => {
    assert.equal(result.meters.length, 1);
    assert.equal(result.meters[0]!.estimated, true);
    for (const m of result.measurements) assert.equal(m.energy!.estimated, true, m.key);
    assert.match(cli.stdout, /ESTIMATED/);
    assert.match(cli.stdout, /samples\/J \(est\.\)/, 'the table header marks estimated columns');
    const report = await readFile(path.join(runDir, 'report.md'), 'utf8');
    assert.match(report, /Power is ESTIMATED/);
    assert.match(report, /samples\/J \(est\.\)/);
  });

  test('the terminal table ranks by samples per joule and points at the run folder', () => {
    const order = [...result.measurements].sort((a, b) => b.energy!.samplesPerJoule - a.energy!.samplesPerJoule).map((m) => m.key);
    const rows = cli.stdout.split('\n').filter((line) => keys.some((key) => line.includes(key)) && /^\s*\d+\s/.test(line));
    assert.deepEqual(rows.map((line) => keys.find((key) => line.includes(key))), order);
    assert.match(rows[0]!, /^\s*1\s/);
    // The run ran with its working directory above results/, so the path is shown relative to it.
    assert.ok(cli.stdout.includes(`result: ${path.join('results', path.basename(runDir), 'result.json')}\n`), cli.stdout);
  });

  test('measurements.csv: a header and one row per configuration matching result.json', async () => {
    const { header, records } = csvRecords(await readFile(path.join(runDir, 'measurements.csv'), 'utf8'));
    for (const column of ['key', 'batch_size', 'status', 'samples_per_second', 'samples_per_joule', 'energy_j_per_sample', 'latency_ms_p50', 'latency_ms_p99', 'power_w_mean', 'wh_per_1k_samples', 'gco2e_per_1k_samples', 'energy_estimated', 'valid', 'trace']) {
      assert.ok(header.includes(column), `column ${column} missing from ${header.join(',')}`);
    }
    assert.equal(records.length, 2);
    assert.deepEqual(records.map((r) => r.key), keys);
    for (const [i, row] of records.entries()) {
      const m = result.measurements[i]!;
      assert.equal(row.status, 'ok');
      assert.equal(Number(row.batch_size), m.batchSize);
      assert.equal(Number(row.samples_per_joule), m.energy!.samplesPerJoule);
      assert.equal(Number(row.latency_ms_p99), m.latencyMs!.p99);
      assert.equal(Number(row.samples_per_second), m.throughput!.samplesPerSecond.mean);
      assert.equal(row.energy_estimated, 'true');
      assert.equal(row.valid, String(m.validity.valid));
      assert.equal(row.trace, m.trace);
    }
  });

  test('report.md: the ranked table header and both configurations', async () => {
    const report = await readFile(path.join(runDir, 'report.md'), 'utf8');
    assert.match(report, /## Ranked by samples per joule/);
    assert.match(report, /^\| # \| configuration \| samples\/J/m);
    for (const key of keys) assert.match(report, new RegExp(`^\\| \\d+ \\| \`${key}\` \\|`, 'm'), `${key} not ranked in report.md`);
  });

  test('traces/: one t_s,meter,device,watts,context file per ok configuration', async () => {
    const files = (await readdir(path.join(runDir, 'traces'))).sort();
    assert.deepEqual(files, ['mlp__fp32__cpu__b1.csv', 'mlp__fp32__cpu__b4.csv']);
    for (const m of result.measurements) {
      assert.equal(m.trace, `traces/${m.key.replaceAll('/', '__')}.csv`);
      const lines = (await readFile(path.join(runDir, m.trace!), 'utf8')).trimEnd().split('\n');
      assert.equal(lines[0], 't_s,meter,device,watts,context');
      assert.ok(lines.length > 1, `${m.trace} has no samples`);
      for (const line of lines.slice(1)) assert.match(line, /^\d+\.\d{4},estimate,cpu,\d+\.\d{3},$/);
    }
  });

  test('--json prints exactly the result on stdout, nothing else', async () => {
    const dir = path.join(work, 'json');
    await mkdir(dir);
    await writeReplayTrace(dir, 'trace.csv', 20, () => 42);
    const json = await runCli(['bench', 'mlp', '--batch', '1,4', '--meter', 'replay:trace.csv', '--json', '--out', 'out', ...fastFlags], { cwd: dir, modelsDir });
    assert.equal(json.code, 0, json.stderr);
    const printed = JSON.parse(json.stdout) as RunResult; // throws if anything but JSON is on stdout
    const jsonRunDir = await onlyRunDir(path.join(dir, 'out'));
    assert.deepEqual(printed, await readResult(jsonRunDir));
    assert.deepEqual(printed.measurements.map((m) => m.key), keys);
    assert.equal(printed.meters[0]!.estimated, false);
    assert.ok(existsSync(path.join(jsonRunDir, 'report.md')) && existsSync(path.join(jsonRunDir, 'measurements.csv')));
    assert.ok(!json.stderr.includes('ESTIMATED'), 'a replayed trace is not an estimate');
  });
});
