// History analysis without a database: series per key and metric, change points named by run, exports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historyCsv } from '../../src/history/export.js';
import { seriesChartConfig } from '../../src/history/html.js';
import type { HistoryPoint } from '../../src/history/store.js';
import { analyseTrends, mixedHostsWarning, sparkline } from '../../src/history/trend.js';
import { SeededRandom } from '../../src/stats/random.js';

function point(i: number, samplesPerJoule: number, extra: Partial<HistoryPoint> = {}): HistoryPoint {
  return {
    runNumber: i + 1, runId: `r${i + 1}`, createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(), hostname: 'ci', key: 'mlp/fp32/cpu/b1', status: 'ok',
    modelSha256: null, samplesPerJoule, samplesPerJouleCi95: null, samplesPerSecond: 1000, p99Ms: 2, joulesPerSample: 1 / samplesPerJoule,
    whPer1kSamples: null, meanWatts: null, repetitions: 3, estimated: false, valid: true, ...extra,
  };
}

test('sparkline: min → ▁, max → █, linear in between; flat series in the middle', () => {
  assert.equal(sparkline([1, 2, 3, 4, 5, 6, 7, 8]), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([0, 7, 14]), '▁▅█', '7/14 × 7 = 3.5 rounds to index 4 (▅)');
  assert.equal(sparkline([5, 5, 5]), '▄▄▄');
  assert.equal(sparkline(Array.from({ length: 100 }, (_, i) => i)).length, 60, 'the last 60 values');
  assert.equal(sparkline([]), '');
});

test('a step at run 30 of 60 is named by run (position, id, date) with its verdict; failed runs are left out', () => {
  const random = new SeededRandom(3030);
  const points = Array.from({ length: 60 }, (_, i) => point(i, (i >= 29 ? 103 : 100) + random.normal(0, 1)));
  points.push(point(60, 0, { status: 'failed', samplesPerJoule: null, key: 'mlp/fp32/cpu/b1' }));
  const [spj, sps, p99] = analyseTrends(points);
  assert.equal(spj!.points.length, 60);
  assert.equal(spj!.changePoints.length, 1);
  const c = spj!.changePoints[0]!;
  assert.ok(Math.abs(c.position - 30) <= 1, `run ${c.position}`);
  assert.equal(c.runId, `r${c.position}`);
  assert.equal(c.verdict, 'improved', 'more samples per joule');
  assert.deepEqual(sps!.changePoints, []);
  assert.deepEqual(p99!.changePoints, []);
  // The level line steps at the change point.
  const config = seriesChartConfig(spj!) as { data: { datasets: Array<{ data: number[] }> } };
  const level = config.data.datasets[1]!.data;
  assert.equal(level[c.position - 2], c.before);
  assert.equal(level[c.position - 1], c.after);
});

test('shifts under the noise threshold are not reported', () => {
  const random = new SeededRandom(5);
  const points = Array.from({ length: 60 }, (_, i) => point(i, (i >= 30 ? 101 : 100) + random.normal(0, 0.1)));
  assert.equal(analyseTrends(points, { metrics: ['samplesPerJoule'] })[0]!.changePoints.length, 0, '1% < 2%');
  assert.equal(analyseTrends(points, { metrics: ['samplesPerJoule'], minRelativeChange: 0.005 })[0]!.changePoints[0]!.position, 31);
});

test('CSV export: header, one row per run × configuration, quoting', () => {
  const csv = historyCsv([point(0, 100, { runId: 'night, "1"' })]).split('\n');
  assert.equal(csv[0], 'run_number,run_id,created_at,key,status,model_sha256,samples_per_joule,samples_per_joule_ci95_low,samples_per_joule_ci95_high,samples_per_second,latency_ms_p99,joules_per_sample,wh_per_1k_samples,power_w_mean,repetitions,estimated,valid,kind,joules_per_request');
  assert.equal(csv[1], '1,"night, ""1""",2026-01-01T00:00:00.000Z,mlp/fp32/cpu/b1,ok,,100,,,1000,2,0.01,,,3,false,true,sweep,');
});

test('configurations come in natural order: b1, b8, b32, b64 (not b1, b32, b64, b8)', () => {
  const points = [64, 8, 32, 1].flatMap((batch) => [0, 1].map((i) => point(i, 100, { key: `mlp/fp32/cpu/b${batch}` })));
  assert.deepEqual([...new Set(analyseTrends(points, { metrics: ['samplesPerJoule'] }).map((s) => s.key))], ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b8', 'mlp/fp32/cpu/b32', 'mlp/fp32/cpu/b64']);
});

test('two hosts in one store: one series per host, so a change of machine is no change point; a warning names the hosts', () => {
  // Runs alternate between a slow host (100 samples/J) and a fast one (300): mixed, they would look like noise or shifts.
  const points = Array.from({ length: 40 }, (_, i) => point(i, i % 2 === 0 ? 100 : 300, { hostname: i % 2 === 0 ? 'box-b' : 'box-a' }));
  const series = analyseTrends(points, { metrics: ['samplesPerJoule'] });
  assert.deepEqual(series.map((s) => [s.host, s.points.length, s.changePoints.length]), [['box-a', 20, 0], ['box-b', 20, 0]]);
  assert.deepEqual(series.map((s) => s.points[0]!.value), [300, 100]);
  const run = (n: number, hostname: string) => ({ runNumber: n, runId: `r${n}`, createdAt: '', recordedAt: '', scenario: null, hostname, cpuModel: '', toolVersion: '', onnxruntime: '', estimated: false, resultPath: null });
  assert.equal(mixedHostsWarning([run(1, 'box-b'), run(2, 'box-a'), run(3, 'box-b')]), 'runs from 2 hosts (box-a: 1 run, box-b: 2 runs): each host gets its own trend line and change points, since a change of machine is not a regression; record each machine into its own history folder to keep them apart');
  assert.equal(mixedHostsWarning([run(1, 'ci'), run(2, 'ci')]), null);
  // One host: series are not split and carry no host.
  assert.deepEqual(analyseTrends(points.map((p) => ({ ...p, hostname: 'ci' })), { metrics: ['samplesPerJoule'] }).map((s) => s.host), [null]);
});

test('load records: a J/request and a p99 series per rate, none of samples/J; a rise in J/request is a regression', () => {
  const random = new SeededRandom(77);
  // 40 nights at 20 req/s: 0.25 J/request, then 0.30 from night 21 (+20%); p99 steady at 12 ms.
  const load = Array.from({ length: 40 }, (_, i) =>
    point(i, 0, {
      kind: 'load', key: 'mlp/fp32/cpu/mb8-w5/s1@20', samplesPerJoule: null, samplesPerSecond: null, joulesPerSample: null,
      joulesPerRequest: (i >= 20 ? 0.3 : 0.25) * (1 + random.normal(0, 0.005)), p99Ms: 12,
    }));
  const sweep = Array.from({ length: 40 }, (_, i) => point(i, 100));
  const series = analyseTrends([...sweep, ...load]);
  assert.deepEqual(series.map((s) => [s.key, s.metric]), [
    ['mlp/fp32/cpu/b1', 'samplesPerJoule'], ['mlp/fp32/cpu/b1', 'samplesPerSecond'], ['mlp/fp32/cpu/b1', 'p99Ms'],
    ['mlp/fp32/cpu/mb8-w5/s1@20', 'joulesPerRequest'], ['mlp/fp32/cpu/mb8-w5/s1@20', 'p99Ms'],
  ]);
  const joules = series[3]!;
  assert.equal(joules.label, 'J/request');
  assert.equal(joules.points.length, 40);
  assert.deepEqual(joules.changePoints.map((c) => [c.position, c.verdict]), [[21, 'regressed']]);
  assert.ok(Math.abs(joules.changePoints[0]!.relativeChange - 0.2) < 0.01, String(joules.changePoints[0]!.relativeChange));
  assert.deepEqual(series[4]!.changePoints, []);
});
