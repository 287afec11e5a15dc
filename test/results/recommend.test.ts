import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recommend } from '../../src/results/recommend.js';
import type { Measurement } from '../../src/results/types.js';

function measured(key: string, samplesPerJoule: number, ci: [number, number], p99: number, valid = true): Measurement {
  return {
    key, model: { name: key.split('/')[0]!, path: null, sha256: null, precision: 'fp32', via: 'model', variantOf: null },
    executionProvider: 'cpu', device: 'cpu', batchSize: 1, threads: null, status: 'ok', error: null, coldStart: null, repetitions: [],
    throughput: { samplesPerSecond: { mean: 1, ci95: [1, 1] } }, latencyMs: { mean: p99, p50: p99, p90: p99, p99, max: p99 },
    power: { meanWatts: 1, idleWatts: null, peakWatts: 1, byMeter: {} },
    energy: { joulesPerSample: 1 / samplesPerJoule, netJoulesPerSample: null, samplesPerJoule, samplesPerJouleCi95: ci, whPer1kSamples: 0, gCO2ePer1kSamples: 0, estimated: false },
    fidelity: null, validity: { valid, reasons: valid ? [] : ['repetitions disagree'] }, trace: null, spanS: null,
  };
}

test('the most samples per joule within the SLO wins, with its margin over the runner-up', () => {
  const recs = recommend([
    measured('m/fp32/cpu/b1', 100, [95, 105], 2),
    measured('m/fp32/cpu/b8', 150, [145, 155], 10),
    measured('m/fp32/cpu/b32', 200, [190, 210], 40),
  ], 20);
  assert.equal(recs.length, 1);
  assert.equal(recs[0]!.key, 'm/fp32/cpu/b8');
  assert.equal(recs[0]!.reason, 'most samples per joule (p99 10.00 ms ≤ SLO 20 ms); 50.0% more samples/J than m/fp32/cpu/b1');
});

test('overlapping confidence intervals are called noise; an invalid winner is flagged', () => {
  const recs = recommend([measured('m/fp32/cpu/b1', 100, [90, 110], 2), measured('m/fp32/cpu/b8', 104, [95, 113], 3, false)], null);
  assert.equal(recs[0]!.reason, 'most samples per joule (no latency SLO set); 4.0% more samples/J than m/fp32/cpu/b1, within noise (95% CIs overlap) — flagged: repetitions disagree');
});

test('when nothing meets the SLO the fastest configuration is shown and says so', () => {
  const recs = recommend([measured('m/fp32/cpu/b1', 100, [95, 105], 30), measured('m/fp32/cpu/b8', 150, [145, 155], 50)], 20);
  assert.equal(recs[0]!.key, 'm/fp32/cpu/b1');
  assert.match(recs[0]!.reason, /no configuration meets the p99 SLO of 20 ms/);
});
