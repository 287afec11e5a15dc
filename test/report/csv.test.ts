// measurements.csv: one row per configuration of every run, units in column names, RFC 4180 quoting — read back with
// an independent parser (test/fixtures/parse-csv.ts), never with the writer's own code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportAnalysis } from '../../src/report/analysis-types.js';
import { renderCsv } from '../../src/report/csv.js';
import type { RunResult } from '../../src/results/types.js';
import { csvRecords, parseCsv } from '../fixtures/parse-csv.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

// renderCsv reads only the runs; the rest of the analysis is empty.
function analysisOf(runs: RunResult[]): ReportAnalysis {
  return { runs, machines: [], multiRun: runs.length > 1, estimatedOnly: false, sloP99Ms: null, recommendations: [], carbonByRegion: [], coldStart: [] };
}

// b1 ok at 100 samples/J over two windows, b8 failed.
function oneRun(runId = 'night-1'): RunResult {
  return syntheticResult({ runId, measurements: [{ batch: 1, samplesPerJoule: [100, 100] }, { batch: 8, samplesPerJoule: [100, 100], status: 'failed' }] });
}

test('the oracle parser is strict: stray quotes, bare CR and a missing final newline are refused', () => {
  assert.deepEqual(parseCsv('a,"b,""c""\nd",\n'), [['a', 'b,"c"\nd', '']]);
  assert.throws(() => parseCsv('a"b\n'), /quote inside an unquoted field/);
  assert.throws(() => parseCsv('"a"b\n'), /after a closing quote/);
  assert.throws(() => parseCsv('a\rb\n'), /bare carriage return/);
  assert.throws(() => parseCsv('a,b'), /does not end with a newline/);
});

test('a header of 42 unit-named columns and one row per measurement, all the same width', () => {
  const text = renderCsv(analysisOf([oneRun()]));
  const [header, ...rows] = parseCsv(text);
  // One column per entry of the table in src/report/csv.ts (lines 7–48): 42.
  assert.equal(header!.length, 42);
  assert.deepEqual(header!.slice(0, 4), ['run_id', 'key', 'model', 'precision']);
  assert.ok(header!.includes('energy_j_per_sample') && header!.includes('power_w_mean') && header!.includes('latency_ms_p99'));
  assert.equal(rows.length, 2);
  assert.ok(rows.every((row) => row.length === 42));
  assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'));
});

test('an ok row: the synthetic numbers, by hand', () => {
  const [ok] = csvRecords(renderCsv(analysisOf([oneRun()])));
  // Each window: 1000 samples/s × 2 s = 2000 samples, 2000 ÷ 100 samples/J = 20 J; two windows: 4000 samples, 40 J.
  assert.equal(ok!.run_id, 'night-1');
  assert.equal(ok!.key, 'mlp/fp32/cpu/b1');
  assert.equal(ok!.batch_size, '1');
  assert.equal(ok!.threads, '');
  assert.equal(ok!.status, 'ok');
  assert.equal(ok!.error_code, '');
  // 40 J ÷ 4000 samples = 0.01 J/sample; 1 ÷ 0.01 = 100 samples/J.
  assert.equal(ok!.energy_j_per_sample, '0.01');
  assert.equal(ok!.samples_per_joule, '100');
  assert.equal(ok!.net_energy_j_per_sample, '');
  // 0.01 J × 1000 ÷ 3600 J/Wh = 0.0027777… Wh per 1,000 samples.
  assert.ok(Math.abs(Number(ok!.wh_per_1k_samples) - 10 / 3600) < 1e-15);
  // 40 J ÷ (2 s × 2 windows) = 10 W.
  assert.equal(ok!.power_w_mean, '10');
  assert.equal(ok!.power_w_idle, '');
  // p99 2 ms: mean = p99 ÷ 2 = 1, p90 = 0.8 × 2 = 1.6, max = 1.5 × 2 = 3.
  assert.deepEqual([ok!.latency_ms_mean, ok!.latency_ms_p90, ok!.latency_ms_p99, ok!.latency_ms_max], ['1', '1.6', '2', '3']);
  assert.equal(ok!.samples_per_second, '1000');
  assert.equal(ok!.grid_gco2e_per_kwh, '475');
  assert.equal(ok!.carbon_region, 'world');
  assert.equal(ok!.carbon_source, 'source not recorded (result from an older joulebench)');
  assert.equal(ok!.carbon_year, '');
  assert.equal(ok!.energy_estimated, 'false');
  assert.equal(ok!.valid, 'true');
  assert.equal(ok!.repetitions, '2');
  assert.equal(ok!.session_create_ms, '');
  assert.equal(ok!.model_sha256, 'a'.repeat(64));
});

test('a failed row: empty numbers, no validity verdict, no grid intensity, the error kept', () => {
  const [, failed] = csvRecords(renderCsv(analysisOf([oneRun()])));
  assert.equal(failed!.status, 'failed');
  assert.equal(failed!.error_code, 'RUNTIME_ERROR');
  assert.equal(failed!.error_message, 'synthetic failure');
  for (const column of ['samples_per_second', 'latency_ms_p99', 'power_w_mean', 'energy_j_per_sample', 'samples_per_joule', 'grid_gco2e_per_kwh', 'valid', 'energy_estimated']) {
    assert.equal(failed![column], '', column);
  }
  assert.equal(failed!.repetitions, '0');
  assert.equal(failed!.carbon_region, 'world', 'run-level columns are filled on every row');
});

test('commas, double quotes, line feeds and carriage returns are quoted and read back unchanged', () => {
  const run = oneRun('night, "2"');
  const failed = run.measurements[1]!;
  failed.error = { code: 'SHAPE', message: 'input "x": expected [1, 3]\ngot [1,4]' };
  run.measurements[0]!.validity = { valid: false, reasons: ['cv 12% > 5%', 'thermal\rdrift'] };
  run.measurements[0]!.trace = 'traces/mlp__fp32.csv';
  const text = renderCsv(analysisOf([run]));
  // The raw text quotes exactly the fields that need it, doubling inner quotes.
  assert.ok(text.includes('"night, ""2"""'));
  assert.ok(text.includes('"input ""x"": expected [1, 3]\ngot [1,4]"'));
  assert.ok(text.includes('"cv 12% > 5%; thermal\rdrift"'));
  assert.ok(text.includes(',traces/mlp__fp32.csv\n'), 'a plain value is not quoted');
  const [ok, bad] = csvRecords(text);
  assert.equal(ok!.run_id, 'night, "2"');
  assert.equal(ok!.valid, 'false');
  assert.equal(ok!.validity_reasons, 'cv 12% > 5%; thermal\rdrift');
  assert.equal(bad!.error_message, 'input "x": expected [1, 3]\ngot [1,4]');
});

test('NaN and infinite numbers become empty cells, not "NaN" or "Infinity"', () => {
  const run = oneRun();
  const m = run.measurements[0]!;
  m.throughput = { samplesPerSecond: { mean: Number.NaN, ci95: [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY] } };
  const [ok] = csvRecords(renderCsv(analysisOf([run])));
  assert.deepEqual([ok!.samples_per_second, ok!.samples_per_second_ci95_low, ok!.samples_per_second_ci95_high], ['', '', '']);
});

test('hourly carbon: each configuration\'s own intensity, the intensity file named as source, no year', () => {
  const run = oneRun();
  run.measurements.push(syntheticResult({ measurements: [{ batch: 4, samplesPerJoule: [50] }] }).measurements[0]!);
  run.carbon = {
    ...run.carbon,
    year: 2025,
    intensityFile: { path: '/data/grid, 2026.csv', use: 'timeline', rows: 24, firstAt: '2026-01-01T00:00:00Z', lastAt: '2026-01-01T23:00:00Z' },
    hourly: { energyKWh: 1e-5, durationS: 4, gCO2e: 0.003, meanGPerKWh: 300, byConfiguration: { 'mlp/fp32/cpu/b1': 312.5 } },
  };
  const [b1, , b4] = csvRecords(renderCsv(analysisOf([run])));
  assert.equal(b1!.grid_gco2e_per_kwh, '312.5');
  // b4 has energy but no hourly entry: the run's yearly intensity (475) stands in.
  assert.equal(b4!.grid_gco2e_per_kwh, '475');
  assert.equal(b1!.carbon_source, 'intensity file /data/grid, 2026.csv (timeline)');
  assert.equal(b1!.carbon_year, '');
});

test('yearly bundled carbon: provenance line and year', () => {
  const run = oneRun();
  run.carbon = { ...run.carbon, basis: 'user', year: 2025 };
  const [ok] = csvRecords(renderCsv(analysisOf([run])));
  assert.equal(ok!.carbon_source, 'given by the user');
  assert.equal(ok!.carbon_year, '2025');
});

test('several runs: every run\'s rows in run order, then plan order', () => {
  const records = csvRecords(renderCsv(analysisOf([oneRun('a'), oneRun('b')])));
  assert.deepEqual(records.map((r) => `${r.run_id} ${r.key}`), ['a mlp/fp32/cpu/b1', 'a mlp/fp32/cpu/b8', 'b mlp/fp32/cpu/b1', 'b mlp/fp32/cpu/b8']);
});

test('no runs: the header line alone', () => {
  const rows = parseCsv(renderCsv(analysisOf([])));
  assert.equal(rows.length, 1);
});
