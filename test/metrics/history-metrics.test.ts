// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// `history --openmetrics FILE`: one timestamped point per run and configuration, exact for hand-made runs, accepted by
// promtool check metrics and by Prometheus' backfill (promtool tsdb create-blocks-from openmetrics).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HistoryPoint, HistoryRun } from '../../src/history/store.js';
import { historyMetricFamilies, keyLabels } from '../../src/metrics/history-metrics.js';
import { renderOpenMetrics } from '../../src/metrics/openmetrics.js';
import { assertBadInput, ensureBuilt, removeDir, runCli, tempDir } from '../cli/helpers.js';
import { writeSyntheticResult } from '../fixtures/synthetic-results.js';
import { missingTools, promtoolCheckMetrics } from './real-tools.js';

function run(runNumber: number, createdAt: string): HistoryRun {
  return { runNumber, runId: `night-${runNumber}`, createdAt, recordedAt: createdAt, scenario: null, hostname: 'ci', cpuModel: 'cpu', toolVersion: '0.1.0', onnxruntime: '1.30.0', estimated: false, resultPath: null };
}

function point(runNumber: number, createdAt: string, key: string, samplesPerJoule: number, meanWatts: number, p99Ms: number, status = 'ok'): HistoryPoint {
  return { runNumber, runId: `night-${runNumber}`, createdAt, key, status, modelSha256: null, samplesPerJoule, samplesPerJouleCi95: null, samplesPerSecond: 1000, p99Ms, joulesPerSample: 1 / samplesPerJoule, whPer1kSamples: null, meanWatts, repetitions: 3, estimated: false, valid: true };
}

const t1 = '2026-01-01T00:00:00.000Z'; // 1767225600 s
const t2 = '2026-01-02T00:00:00.400Z'; // 1767312000.4 s → 1767312000

describe('history metrics', () => {
  test('a configuration key as labels; another shape gives none', () => {
    assert.deepEqual(keyLabels('resnet/fp16@builder/tensorrt#1:0/b32/t4'), [['model', 'resnet'], ['precision', 'fp16'], ['ep', 'tensorrt'], ['batch', '32']]);
    assert.deepEqual(keyLabels('org/model/int8/cpu/b1'), [['model', 'org/model'], ['precision', 'int8'], ['ep', 'cpu'], ['batch', '1']]);
    assert.deepEqual(keyLabels('odd-key'), []);
  });

  test('two runs of one configuration: one series per metric, points in time order at each run\'s start (whole seconds)', () => {
    const runs = [run(1, t1), run(2, t2)];
    // Appended out of order, plus a failed configuration that exports nothing.
    const points = [point(2, t2, 'mlp/fp32/cpu/b8', 110, 40, 3), point(1, t1, 'mlp/fp32/cpu/b8', 100, 50, 2.5), point(2, t2, 'mlp/fp16/cpu/b8', 0, 0, 0, 'failed')];
    const labels = 'model="mlp",precision="fp32",ep="cpu",batch="8",host="ci",estimated="false",key="mlp/fp32/cpu/b8"';
    assert.equal(renderOpenMetrics(historyMetricFamilies(runs, points)), [
      '# TYPE joulebench_samples_per_joule gauge',
      '# HELP joulebench_samples_per_joule Samples per joule of gross energy (higher is better), per run.',
      `joulebench_samples_per_joule{${labels}} 100 1767225600`,
      `joulebench_samples_per_joule{${labels}} 110 1767312000`,
      '# TYPE joulebench_power_watts gauge',
      '# UNIT joulebench_power_watts watts',
      '# HELP joulebench_power_watts Mean power of the counted meters during the timed windows, per run.',
      `joulebench_power_watts{${labels}} 50 1767225600`,
      `joulebench_power_watts{${labels}} 40 1767312000`,
      '# TYPE joulebench_latency_seconds summary',
      '# UNIT joulebench_latency_seconds seconds',
      '# HELP joulebench_latency_seconds p99 latency of one run (one batch), per run.',
      `joulebench_latency_seconds{${labels},quantile="0.99"} 0.0025 1767225600`,
      `joulebench_latency_seconds{${labels},quantile="0.99"} 0.003 1767312000`,
      '# EOF',
      '',
    ].join('\n'));
  });
});

describe('joulebench history --openmetrics', { timeout: 120_000 }, () => {
  let work = '';
  before(async () => {
    await ensureBuilt();
    work = await tempDir('history-metrics');
  });
  after(() => removeDir(work));

  test('the file the CLI writes is what the store holds; promtool checks it and backfills it into TSDB blocks', { skip: missingTools('promtool') }, async () => {
    const files = [];
    for (let i = 1; i <= 3; i++) {
      files.push(await writeSyntheticResult(path.join(work, `r${i}.json`), { runId: `r${i}`, createdAt: new Date(Date.UTC(2026, 0, i)).toISOString(), measurements: [{ samplesPerJoule: [100 + i, 100 + i], p99Ms: 2 }, { batch: 8, samplesPerJoule: [300, 300], p99Ms: 4 }] }));
    }
    const file = path.join(work, 'history.om');
    const r = await runCli(['history', path.join(work, 'store'), ...files.flatMap((f) => ['--add', f]), '--openmetrics', file], { cwd: work, modelsDir: path.join(work, 'models') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*history\.om/);
    const text = await readFile(file, 'utf8');
    // 3 runs × 2 configurations × (samples/J, power, p99).
    assert.equal(text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length, 18);
    assert.match(text, /^joulebench_samples_per_joule\{model="mlp",precision="fp32",ep="cpu",batch="1",host="ci-runner",estimated="false",key="mlp\/fp32\/cpu\/b1"\} 103(\.0*\d*)? 1767398400$/m);
    const check = promtoolCheckMetrics(text);
    assert.equal(check.status, 0, check.output);
    assert.equal(check.output, '');
    const blocks = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, path.join(work, 'blocks')], { encoding: 'utf8' });
    assert.equal(blocks.status, 0, `${blocks.stdout}${blocks.stderr}`);
    // Blocks (one per 2 h range: here one per run) holding every point: 3 × 6 samples (column NUM SAMPLES).
    const rows = blocks.stdout.trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/));
    assert.deepEqual(rows.map((row) => Number(row[4])), [6, 6, 6], blocks.stdout);
  });

  test('a .prom name is refused: node_exporter\'s textfile collector takes no timestamps', async () => {
    const r = await runCli(['history', path.join(work, 'store'), '--openmetrics', path.join(work, 'h.prom')], { cwd: work, modelsDir: path.join(work, 'models') });
    assertBadInput(r, /h\.prom: a history export holds one timestamped point per run/);
  });
});
