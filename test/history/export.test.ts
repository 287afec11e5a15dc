// History exports: the CSV read back with an independent RFC 4180 parser (test/fixtures/parse-csv.ts), and the JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historyCsv, historyJson, historySchemaId } from '../../src/history/export.js';
import type { HistoryPoint, HistoryRun } from '../../src/history/store.js';
import type { HistorySeries } from '../../src/history/trend.js';
import { csvRecords, parseCsv } from '../fixtures/parse-csv.js';

// Run n of a nightly: 200 samples/J (CI 190–210) at 1000 samples/s, 0.005 J/sample.
function point(runNumber: number, extra: Partial<HistoryPoint> = {}): HistoryPoint {
  return {
    runNumber, runId: `night-${runNumber}`, createdAt: `2026-12-0${runNumber}T02:00:00.000Z`, hostname: 'ci', key: 'mlp/fp32/cpu/b8', status: 'ok',
    modelSha256: 'ab'.repeat(32), samplesPerJoule: 200, samplesPerJouleCi95: [190, 210], samplesPerSecond: 1000, p99Ms: 4.5, joulesPerSample: 0.005,
    // 0.005 J × 1000 ÷ 3600 J/Wh = 0.00138… Wh per 1,000 samples; 0.005 J × 1000 samples/s = 5 W.
    whPer1kSamples: 0.005 / 3.6, meanWatts: 5, repetitions: 5, estimated: false, valid: true, ...extra,
  };
}

const columns = [
  'run_number', 'run_id', 'created_at', 'key', 'status', 'model_sha256', 'samples_per_joule', 'samples_per_joule_ci95_low', 'samples_per_joule_ci95_high',
  'samples_per_second', 'latency_ms_p99', 'joules_per_sample', 'wh_per_1k_samples', 'power_w_mean', 'repetitions', 'estimated', 'valid',
  'kind', 'joules_per_request',
];

test('a header with units in the names, then one row per point in the order given', () => {
  const text = historyCsv([point(2), point(1)]);
  const [header, ...rows] = parseCsv(text);
  assert.deepEqual(header, columns);
  assert.deepEqual(rows.map((r) => r[0]), ['2', '1']);
  assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'));
  assert.deepEqual(parseCsv(historyCsv([])), [columns]);
});

test('a measured point: every number and flag as written', () => {
  const [row] = csvRecords(historyCsv([point(1)]));
  assert.deepEqual(row, {
    run_number: '1', run_id: 'night-1', created_at: '2026-12-01T02:00:00.000Z', key: 'mlp/fp32/cpu/b8', status: 'ok', model_sha256: 'ab'.repeat(32),
    samples_per_joule: '200', samples_per_joule_ci95_low: '190', samples_per_joule_ci95_high: '210', samples_per_second: '1000', latency_ms_p99: '4.5',
    joules_per_sample: '0.005', wh_per_1k_samples: String(0.005 / 3.6), power_w_mean: '5', repetitions: '5', estimated: 'false', valid: 'true',
    kind: 'sweep', joules_per_request: '',
  });
});

test('a load record: kind load, its energy per request and p99, no samples/J', () => {
  const load = point(5, { kind: 'load', key: 'mlp/fp32/cpu/mb8-w5/s1@20', samplesPerJoule: null, samplesPerJouleCi95: null, samplesPerSecond: null, joulesPerSample: null, whPer1kSamples: null, joulesPerRequest: 0.25, p99Ms: 23.5 });
  const [row] = csvRecords(historyCsv([load]));
  assert.deepEqual([row!.kind, row!.joules_per_request, row!.latency_ms_p99, row!.samples_per_joule], ['load', '0.25', '23.5', '']);
});

test('a configuration that did not run: empty cells for its numbers, and no CI either', () => {
  const failed = point(3, {
    status: 'failed', modelSha256: null, samplesPerJoule: null, samplesPerJouleCi95: null, samplesPerSecond: null, p99Ms: null, joulesPerSample: null,
    whPer1kSamples: null, meanWatts: null, repetitions: 0, valid: false, estimated: true,
  });
  const [row] = csvRecords(historyCsv([failed]));
  for (const column of ['model_sha256', 'samples_per_joule', 'samples_per_joule_ci95_low', 'samples_per_joule_ci95_high', 'samples_per_second', 'latency_ms_p99', 'joules_per_sample', 'wh_per_1k_samples', 'power_w_mean']) {
    assert.equal(row![column], '', column);
  }
  assert.deepEqual([row!.status, row!.repetitions, row!.estimated, row!.valid], ['failed', '0', 'true', 'false']);
});

test('commas, double quotes, line feeds and carriage returns are quoted and read back unchanged', () => {
  const odd = point(4, { runId: 'night, "4"', key: 'my model\nv2/fp32/cpu/b1', status: 'failed\r' });
  const text = historyCsv([odd]);
  assert.ok(text.includes(',"night, ""4""",'));
  const [row] = csvRecords(text);
  assert.equal(row!.run_id, 'night, "4"');
  assert.equal(row!.key, 'my model\nv2/fp32/cpu/b1');
  assert.equal(row!.status, 'failed\r');
});

test('the JSON export: the schema id, the store, and runs, points and series passed through', () => {
  const run: HistoryRun = {
    runNumber: 1, runId: 'night-1', createdAt: '2026-12-01T02:00:00.000Z', recordedAt: '2026-12-01T03:00:00.000Z', scenario: 'nightly', hostname: 'ci',
    cpuModel: 'Synthetic CPU 9000', toolVersion: '0.1.0', onnxruntime: '1.30.0', estimated: false, resultPath: null,
  };
  const series: HistorySeries[] = [{
    key: 'mlp/fp32/cpu/b8', host: null, metric: 'samplesPerJoule', label: 'samples/J', higherIsBetter: true, estimated: false,
    points: [{ runNumber: 1, runId: 'night-1', createdAt: run.createdAt, value: 200, valid: true }], changePoints: [],
  }];
  const points = [point(1)];
  assert.equal(historySchemaId, 'joulebench/history@1');
  const json = historyJson('/h/history.sqlite', [run], points, series);
  assert.deepEqual(json, { schema: 'joulebench/history@1', store: '/h/history.sqlite', runs: [run], points, series });
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json, 'plain JSON: nothing lost in serialisation');
});
