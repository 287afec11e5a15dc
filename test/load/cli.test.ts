// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: `joulebench load` with a constant replay meter, so every energy figure is known by hand.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/results/types.js';
import { assertClose, ensureBuilt, onlyRunDir, readResult, removeDir, runCli, tempDir, writeReplayTrace, type CliResult } from '../cli/helpers.js';
import { HistoryStore } from '../../src/history/store.js';

describe('joulebench load with a 8 W replay meter', { timeout: 180_000 }, () => {
  let work: string;
  let cli: CliResult;
  let result: RunResult;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('load');
    const trace = await writeReplayTrace(work, 'eight.csv', 1, () => 8);
    cli = await runCli([
      'load', 'mlp', '--rate', '100', '--requests', '100', '--seconds', '0', '--max-batch', '4', '--max-wait-ms', '2',
      '--flat-out-seconds', '0.2', '--idle-seconds', '0.2', '--warmup-runs', '1', '--meter', `replay:${trace}`,
      '--max-joules-per-request', '100=1e-9', '--out', path.join(work, 'out'), '--history', path.join(work, 'history'),
    ], { cwd: work, modelsDir: path.join(work, 'models') });
    result = await readResult(await onlyRunDir(path.join(work, 'out')));
  });
  after(() => removeDir(work));

  test('one load record per rate, with the fields the schema requires', () => {
    assert.equal(result.status, 'complete', cli.stderr);
    assert.equal(result.load?.length, 1);
    const record = result.load![0]!;
    assert.equal(record.status, 'ok');
    assert.equal(record.key, 'mlp/fp32/cpu/mb4-w2/s1@100');
    assert.equal(record.targetRate, 100);
    assert.equal(record.requests, 100);
    assert.ok(record.achievedRate > 0 && record.p99Ms >= record.p50Ms && record.p50Ms > 0);
    assert.ok(Object.keys(record.batchSizes).every((size) => Number(size) >= 1 && Number(size) <= 4));
    assert.equal(Object.values(record.batchSizes).reduce((sum, n) => sum + n, 0), record.batches);
  });

  test('result.json, load array included, matches schema/result.schema.json', async () => {
    const schema = JSON.parse(await readFile(new URL('../../schema/result.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    assert.ok(validate(result), JSON.stringify(validate.errors, null, 2));
  });

  test('at a constant 8 W: energy = 8 W × span, J/request = energy ÷ requests, idle share = idle time ÷ span', () => {
    const record = result.load![0]!;
    assertClose(record.idleWatts, 8, 1e-9, 'idle watts');
    assertClose(record.energyJ, 8 * record.durationS, 1e-6, 'energy');
    assertClose(record.joulesPerRequest, record.energyJ / 100, 1e-9, 'J/request');
    assertClose(record.kWhPer1kRequests, (record.joulesPerRequest * 1000) / 3.6e6, 1e-9, 'kWh per 1,000 requests');
    assertClose(record.idleShare, record.idleS / record.durationS, 1e-6, 'idle share');
    assert.ok(record.flatOutJoulesPerSample !== null && record.flatOutJoulesPerSample > 0);
  });

  test('100 requests are too few for a stable p99: the rate is invalid, and says why', () => {
    const record = result.load![0]!;
    assert.equal(record.valid, false);
    assert.match(record.reasons.join('\n'), /100 requests: a stable p99 needs at least 1000/);
  });

  test('--history DIR keeps the run rate by rate: its J/request and p99, for joulebench history', () => {
    assert.match(cli.stdout, /history: appended as run number 1 in .*history\.sqlite/);
    const store = HistoryStore.open(path.join(work, 'history'), { create: false });
    try {
      const [point] = store.loadPoints();
      assert.deepEqual([point!.kind, point!.key, point!.runId], ['load', 'mlp/fp32/cpu/mb4-w2/s1@100', result.runId]);
      assert.equal(point!.joulesPerRequest, result.load![0]!.joulesPerRequest);
      assert.equal(point!.p99Ms, result.load![0]!.p99Ms);
    } finally {
      store.close();
    }
  });

  test('a broken J/request gate exits 1 and names the configuration', () => {
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stdout, /budgets: 1 BROKEN, 0 met\n  ✗ mlp\/fp32\/cpu\/mb4-w2\/s1@100: maxJoulesPerRequest BROKEN: [\d.e-]+ J\/request > max 1\.000e-9/);
    assert.equal(result.budgets?.passed, false);
    assert.equal(result.budgets?.verdicts[0]?.budget, 'maxJoulesPerRequest');
    assert.match(cli.stdout, /mlp\/fp32\/cpu\/mb4-w2\/s1@100\s+100\s+/);
  });
});
