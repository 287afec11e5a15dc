import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyseRuns } from '../../src/report/analysis.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderCsv } from '../../src/report/csv.js';
import type { Measurement, RunResult } from '../../src/results/types.js';

// A measurement with the numbers that matter here (J/sample, throughput, p99, cold start).
function measurement(key: string, joulesPerSample: number, samplesPerSecond: number, p99: number, cold: { ms: number; j: number; shared: boolean }): Measurement {
  const [model, precision, ep, batch] = key.split('/');
  return {
    key, model: { name: model!, path: null, sha256: null, precision: precision as 'fp32', via: 'model', variantOf: null },
    executionProvider: ep!, device: ep!, batchSize: Number(batch!.slice(1)), threads: null, status: 'ok', error: null,
    coldStart: { sessionCreateMs: cold.ms, firstRunMs: 1, energyJ: cold.j, sessionShared: cold.shared }, repetitions: [],
    throughput: { samplesPerSecond: { mean: samplesPerSecond, ci95: [samplesPerSecond, samplesPerSecond] } },
    latencyMs: { mean: p99, p50: p99, p90: p99, p99, max: p99 },
    power: { meanWatts: joulesPerSample * samplesPerSecond, idleWatts: null, peakWatts: 0, byMeter: {} },
    energy: {
      joulesPerSample, netJoulesPerSample: null, samplesPerJoule: 1 / joulesPerSample,
      samplesPerJouleCi95: [1 / joulesPerSample, 1 / joulesPerSample], whPer1kSamples: (joulesPerSample * 1000) / 3600,
      gCO2ePer1kSamples: (joulesPerSample * 1000) / 3600 / 1000 * 400, estimated: false,
    },
    fidelity: null, validity: { valid: true, reasons: [] }, trace: null, spanS: null,
  };
}

function run(runId: string, cpu: string, gpus: string[], measurements: Measurement[], regions?: Record<string, number>): RunResult {
  return {
    schema: 'joulebench/result@1', runId, createdAt: '2026-11-24T00:00:00.000Z', finishedAt: null, status: 'complete', stopReason: null,
    tool: { name: 'joulebench', version: 'test' }, scenario: { resolved: { name: 'cmp', slo: { p99Ms: 20 } }, file: null, sha256: null },
    environment: {
      host: { os: 'Linux', kernel: '6', arch: 'x64', hostname: runId, cpu: { model: cpu, cores: 8, physicalCores: 4, sockets: 1 }, memoryBytes: 2 ** 34 },
      accelerators: gpus.map((name, index) => ({ vendor: 'nvidia', index, name, uuid: null, driver: null, memoryBytes: null, powerLimitWatts: null })),
      runtime: { node: '20', onnxruntime: '1.30.0', executionProviders: [] },
    },
    meters: [{ id: 'rapl', kind: 'rapl', scope: 'cpu-package', device: 'cpu', periodMs: 100, estimated: false, sampleKind: 'interval-average', detail: '' }],
    meterSelection: [], idle: null,
    carbon: { gridIntensityGPerKWh: 400, pue: 1.2, region: 'home', defaulted: [], ...(regions ? { regions } : {}) },
    measurements, recommendations: [],
  };
}

const a = run('box-a', 'Intel Xeon Gold', [], [
  measurement('m/fp32/cpu/b1', 0.01, 1000, 2, { ms: 50, j: 2, shared: false }),
  measurement('m/fp32/cpu/b8', 0.004, 4000, 10, { ms: 50, j: 0.1, shared: true }),
], { eu: 250, coal: 900 });
const b = run('box-b', 'AMD EPYC', ['NVIDIA H100'], [
  measurement('m/fp32/cpu/b1', 0.008, 1200, 2, { ms: 40, j: 1.6, shared: false }),
  measurement('m/fp32/cpu/b8', 0.002, 6000, 30, { ms: 40, j: 0.1, shared: true }),
]);

test('one run: recommendation within the SLO, saving against fp32 b1, carbon by region, break-even', () => {
  const analysis = analyseRuns([a]);
  assert.equal(analysis.sloP99Ms, 20);
  assert.equal(analysis.multiRun, false);
  const [rec] = analysis.recommendations;
  assert.equal(rec!.chosen!.key, 'm/fp32/cpu/b8');
  assert.ok(Math.abs(rec!.savingPercent! - 60) < 1e-9); // 1 − 0.004/0.01
  assert.ok(Math.abs(rec!.kWhPer1kRequests! - 0.004 / 3600) < 1e-15); // 0.004 J × 1000 / 3.6e6
  // Carbon by region: Wh/1k = 0.004 × 1000 / 3600; × intensity × PUE 1.2 / 1000
  const wh = (0.004 * 1000) / 3600;
  assert.deepEqual(analysis.carbonByRegion.map((r) => r.region), ['home', 'eu', 'coal']);
  assert.ok(Math.abs(analysis.carbonByRegion[2]!.gCO2ePer1kSamples['m/fp32/cpu/b8']! - (wh / 1000) * 900 * 1.2) < 1e-15);
  // Break-even: 2 J of cold start ÷ 0.01 J per sample = 200 samples; the shared-session one pays only its first run.
  assert.deepEqual(analysis.coldStart.map((c) => [c.key, c.sessionCreateMs, c.breakEvenSamples]), [
    ['m/fp32/cpu/b1', 50, 200],
    ['m/fp32/cpu/b8', 0, 25],
  ]);
  assert.equal(analysis.coldStart[0]!.costPerMillionSamples, null, 'no prices, no cost');
});

test('cost per million samples from electricity and hardware prices', () => {
  const analysis = analyseRuns([a], { electricityPricePerKWh: 0.3, pricePerHour: { 'box-a': 3.6 } });
  // b8: 0.004 J × 1e6 = 4000 J = 1/900 kWh → 0.3/900 $; 1e6 samples at 4000/s = 250 s = 1/14.4 h → 3.6/14.4 $ = 0.25 $
  const b8 = analysis.coldStart.find((c) => c.key === 'm/fp32/cpu/b8')!;
  assert.ok(Math.abs(b8.costPerMillionSamples! - (0.3 / 900 + 0.25)) < 1e-12);
});

test('several machines: one recommendation across them, named by machine; one table with a machine column', () => {
  const analysis = analyseRuns([a, b]);
  assert.equal(analysis.multiRun, true);
  assert.deepEqual(analysis.machines.map((m) => m.label), ['Intel Xeon Gold ×8', 'AMD EPYC ×8 · NVIDIA H100']);
  const [rec] = analysis.recommendations;
  // box-b b8 has the most samples/J but p99 30 ms > 20 ms; box-a b8 (250 samples/J) beats box-b b1 (125).
  assert.equal(rec!.runId, 'box-a');
  assert.equal(rec!.chosen!.key, 'm/fp32/cpu/b8');
  assert.match(rec!.summary, /^Deploy m\/fp32\/cpu\/b8 on Intel Xeon Gold ×8: 250 samples\/J/);
  assert.equal(rec!.runnerUp!.whyNot, 'm/fp32/cpu/b8 (run box-b) has 2.00× (too few windows for a CI) the samples/J of m/fp32/cpu/b8 (run box-a) but misses the 20 ms p99 SLO (p99 30.0 ms)');
  const md = renderMarkdown(analysis);
  assert.match(md, /^# joulebench: cmp — 2 runs side by side/);
  assert.match(md, /\| # \| machine \| configuration \|/);
  assert.match(md, /\| 1 \| AMD EPYC ×8 · NVIDIA H100 \| `m\/fp32\/cpu\/b8` \| 500 \|/);
  assert.equal(renderCsv(analysis).trimEnd().split('\n').length, 5, 'header + 4 rows from both runs');
});

test('report.md lists each variant\'s fidelity once, with how it was made and the bounds verdict', () => {
  const fidelity = {
    reference: 'fp32 on cpu, 32 synthetic samples', samples: 32, inputs: 'synthetic' as const, maxAbsError: 0.08, rmse: 0.02, cosine: 0.99912,
    top1Agreement: 0.96875, accuracy: null, referenceAccuracy: null, accuracyRatio: null, nonFiniteValues: 0, withinBounds: false, violations: ['cosine 0.9991 < minCosine 0.9995'],
  };
  const int8 = [1, 8].map((batch) => {
    const m = measurement(`m/int8/cpu/b${batch}`, 0.5, 200, 2, { ms: 5, j: 1, shared: batch > 1 });
    m.model = { ...m.model, precision: 'int8', variantOf: 'm', conversion: { mode: 'int8-dynamic', paramsHash: 'abc', sidecar: '/c/int8-abc.json', reused: false } };
    m.fidelity = fidelity;
    return m;
  });
  const md = renderMarkdown(analyseRuns([run('r', 'Intel Xeon', [], [measurement('m/fp32/cpu/b1', 1, 100, 2, { ms: 5, j: 1, shared: false }), ...int8])]));
  assert.match(md, /## Fidelity of the variants against FP32/);
  const rows = md.split('\n').filter((line) => line.startsWith('| `m/int8`'));
  assert.deepEqual(rows, ['| `m/int8` | int8-dynamic | 0.99912 | 0.0800 | 0.0200 | 96.88% | — | 32 synthetic | **outside**: cosine 0.9991 < minCosine 0.9995 |']);
});

test('report.md says when a variant\'s source opset was lifted', () => {
  const m = measurement('m/int8/cpu/b1', 0.5, 200, 2, { ms: 5, j: 1, shared: false });
  m.model = { ...m.model, precision: 'int8', variantOf: 'm', conversion: { mode: 'int8-dynamic', paramsHash: 'abc', sidecar: '/c/int8-abc.json', reused: false, opsetUpgradedFrom: 9, opsetUpgradedTo: 11 } };
  m.fidelity = {
    reference: 'fp32 on cpu, 32 synthetic samples', samples: 32, inputs: 'synthetic', maxAbsError: 0.08, rmse: 0.02, cosine: 0.99912,
    top1Agreement: null, accuracy: null, referenceAccuracy: null, accuracyRatio: null, nonFiniteValues: 0, withinBounds: null, violations: [],
  };
  const md = renderMarkdown(analyseRuns([run('r', 'Intel Xeon', [], [measurement('m/fp32/cpu/b1', 1, 100, 2, { ms: 5, j: 1, shared: false }), m])]));
  assert.match(md, /\| `m\/int8` \| int8-dynamic \(opset 9 lifted to 11\) \|/);
});
