// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// `joulebench history` end to end: a step found at the right run, exports, concurrent writers, run --history.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { historyFileName } from '../../src/history/store.js';
import { SeededRandom } from '../../src/stats/random.js';
import { assertBadInput, csvRecords, ensureBuilt, fastFlags, removeDir, runCli, tempDir, writeReplayTrace } from '../cli/helpers.js';
import { noisy, writeSyntheticResult } from '../fixtures/synthetic-results.js';

interface HistoryJson {
  runs: Array<{ runId: string; runNumber: number }>;
  points: Array<{ key: string }>;
  series: Array<{ key: string; metric: string; points: unknown[]; changePoints: Array<{ position: number; runId: string; verdict: string; relativeChange: number }> }>;
}

const day = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString();

describe('history', { timeout: 120_000 }, () => {
  let work = '';
  const cli = (args: string[]) => runCli(args, { cwd: work, modelsDir: path.join(work, 'models') });

  before(async () => {
    await ensureBuilt();
    work = await tempDir('history');
  });
  after(() => removeDir(work));

  test('60 nightly runs with a 3% drop in samples per joule from run 30: change point at run 30 ± 1; CSV, JSON and HTML', async () => {
    const random = new SeededRandom(60);
    const files: string[] = [];
    for (let run = 1; run <= 60; run++) {
      // Runs 1–29 at 100 samples/J, runs 30–60 at 97; throughput flat; 1% noise between repetitions.
      const level = run >= 30 ? 97 : 100;
      files.push(await writeSyntheticResult(path.join(work, `night-${run}.json`), {
        runId: `night-${String(run).padStart(2, '0')}`,
        createdAt: day(run),
        measurements: [{ samplesPerJoule: noisy(random, level, 0.01, 3), samplesPerSecond: noisy(random, 1000, 0.01, 3), p99Ms: 2 }],
      }));
    }
    // Appended out of order: the store orders runs by their start time.
    const shuffled = [...files.slice(30), ...files.slice(0, 30)];
    const dir = path.join(work, 'hist');
    const r = await cli(['history', dir, ...shuffled.flatMap((f) => ['--add', f]), '--csv', path.join(work, 'h.csv'), '--json-file', path.join(work, 'h.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^added run night-31 as run number 1$/m);
    assert.match(r.stdout, /history: .*history\.sqlite — 60 run\(s\) \(2026-01-02T00:00:00\.000Z … 2026-03-02T00:00:00\.000Z\), 1 configuration\(s\) × 3 metric\(s\)/);
    assert.match(r.stdout, /^ {2}samples\/J +[▁▂▃▄▅▆▇█]{60} {2}60 run\(s\), last /m);
    const json = JSON.parse(await readFile(path.join(work, 'h.json'), 'utf8')) as HistoryJson;
    assert.equal(json.runs.length, 60);
    assert.equal(json.runs[0]!.runId, 'night-01');
    const spj = json.series.find((s) => s.metric === 'samplesPerJoule')!;
    assert.equal(spj.changePoints.length, 1, JSON.stringify(spj.changePoints));
    const shift = spj.changePoints[0]!;
    assert.ok(Math.abs(shift.position - 30) <= 1, `change point at run ${shift.position}`);
    assert.equal(shift.verdict, 'regressed');
    assert.ok(Math.abs(shift.relativeChange + 0.03) < 0.01);
    assert.match(r.stdout, new RegExp(`✗ change point at run ${shift.position} of 60 \\(${shift.runId}, .*\\): .* \\(−\\d\\.\\d%\\), regressed, p = 0\\.0\\d\\d`));
    assert.deepEqual(json.series.find((s) => s.metric === 'samplesPerSecond')!.changePoints, [], 'throughput did not move');

    const csv = csvRecords(await readFile(path.join(work, 'h.csv'), 'utf8'));
    assert.equal(csv.records.length, 60);
    assert.deepEqual(csv.header.slice(0, 7), ['run_number', 'run_id', 'created_at', 'key', 'status', 'model_sha256', 'samples_per_joule']);
    assert.equal(csv.records[0]!.run_id, 'night-01');
    assert.equal(csv.records[0]!.run_number, '31', 'run numbers follow the order of appending');

    const html = await readFile(path.join(dir, 'history.html'), 'utf8');
    assert.match(html, /<h3>mlp\/fp32\/cpu\/b1 — samples\/J<\/h3>/);
    assert.match(html, new RegExp(`change points: run ${shift.position} \\(${shift.runId}\\): regressed −\\d\\.\\d%`));
    assert.equal(html.match(/<canvas /g)?.length, 3);
    assert.ok(!/<script src=/.test(html), 'self-contained');

    // Adding a run again changes nothing; --key and --json select and print.
    const again = await cli(['history', dir, '--add', files[0]!, '--key', 'mlp/fp32/cpu/b1', '--metric', 'samples-per-joule', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /run night-01 is already in the store \(run number 31\)/);
    const printed = JSON.parse(again.stdout) as HistoryJson;
    assert.equal(printed.runs.length, 60);
    assert.deepEqual(printed.series.map((s) => s.metric), ['samplesPerJoule']);
  });

  test('two writers at once: both succeed and every run is recorded once', async () => {
    const dir = path.join(work, 'concurrent');
    const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'concurrent-writer.ts');
    // Both start appending at the same instant (a second from now, once both processes have loaded).
    const startMs = Date.now() + 1500;
    const spawnWriter = (name: string) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const env = { ...process.env };
        delete env.NODE_TEST_CONTEXT;
        execFile(process.execPath, ['--import', 'tsx', writer, dir, name, '40'], { env }, (error, _stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr }),
        );
      });
    const [a, b] = await Promise.all([spawnWriter('a'), spawnWriter('b')]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const r = await cli(['history', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as HistoryJson;
    assert.equal(json.runs.length, 80);
    assert.equal(new Set(json.runs.map((run) => run.runId)).size, 80);
    assert.deepEqual(json.runs.map((run) => run.runNumber).sort((x, y) => x - y), Array.from({ length: 80 }, (_, i) => i + 1));
    assert.equal(json.points.length, 160, '2 configurations per run');
    // The store is in WAL mode (readers never block the writer): SQLite keeps the mode in the file header.
    const header = (await readFile(path.join(dir, historyFileName))).subarray(18, 20);
    assert.deepEqual([...header], [2, 2], 'file format version bytes 2,2 = WAL');
  });

  test('bench --history appends the run; the scenario\'s history: does the same', async () => {
    await writeReplayTrace(work, 'trace.csv', 20, () => 50);
    const dir = path.join(work, 'from-bench');
    const r = await cli(['bench', 'mlp', '--batch', '1', ...fastFlags, '--meter', 'replay:trace.csv', '--out', 'out', '--history', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^history: appended as run number 1 in .*from-bench\/history\.sqlite$/m);
    const scenario = path.join(work, 'nightly.yaml');
    await writeFile(scenario, 'models: [{model: mlp}]\nbatchSizes: [1]\nrepetitions: 2\nstopping: false\nwindow: {minSeconds: 0.1, minRuns: 3}\nwarmup: {runs: 1, seconds: 0}\nidleSeconds: 0.2\nmeters: ["replay:trace.csv"]\nout: out\nhistory: from-bench\n');
    const s = await cli(['run', scenario]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /^history: appended as run number 2 in /m);
    const h = await cli(['history', dir, '--key', 'mlp/fp32/cpu/b1']);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /2 run\(s\)/);
  });

  test('bad input: no store, not a store, unknown key or metric', async () => {
    assertBadInput(await cli(['history', path.join(work, 'nowhere')]), `no history store at ${path.join(work, 'nowhere', historyFileName)}`);
    const fake = path.join(work, 'fake');
    await writeFile(path.join(work, 'fake.sqlite'), 'not a database at all, just text that is long enough to look like a header');
    assertBadInput(await cli(['history', path.join(work, 'fake.sqlite')]), 'fake.sqlite');
    assertBadInput(await cli(['history', path.join(work, 'hist'), '--key', 'cnn/fp32/cpu/b1']), '--key: no configuration "cnn/fp32/cpu/b1"', 'mlp/fp32/cpu/b1');
    assertBadInput(await cli(['history', path.join(work, 'hist'), '--metric', 'watts']), '--metric: unknown metric "watts"');
    assertBadInput(await cli(['history']), 'expected one history folder');
    void fake;
  });
});
