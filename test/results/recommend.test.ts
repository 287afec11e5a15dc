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

test('a valid measurement is preferred over a more efficient invalid one; an invalid winner is flagged', () => {
  const preferValid = recommend([measured('m/fp32/cpu/b1', 100, [90, 110], 2), measured('m/fp32/cpu/b8', 104, [95, 113], 3, false)], null);
  assert.equal(preferValid[0]!.key, 'm/fp32/cpu/b1');
  assert.equal(preferValid[0]!.reason, 'most samples per joule (no latency SLO set); chosen over m/fp32/cpu/b8, which has 4.0% more samples/J but is not valid');
  assert.equal(preferValid[0]!.runnerUp!.whyNot, 'm/fp32/cpu/b8 is 4.0% more efficient but its measurement is not valid: repetitions disagree');
  const onlyInvalid = recommend([measured('m/fp32/cpu/b1', 100, [90, 110], 2, false), measured('m/fp32/cpu/b8', 104, [95, 113], 3, false)], null);
  assert.equal(onlyInvalid[0]!.reason, 'most samples per joule (no latency SLO set); 4.0% more samples/J than m/fp32/cpu/b1, within noise (95% CIs overlap) — flagged: repetitions disagree');
  assert.deepEqual(onlyInvalid[0]!.caveats, [
    'its measurement is not valid: repetitions disagree',
    'within noise of m/fp32/cpu/b1 (95% confidence intervals of samples per joule overlap)',
  ]);
});

test('savings against FP32 batch 1, units for sustainability reporting, and why not the runner-up', () => {
  const b1 = measured('m/fp32/cpu/b1', 100, [95, 105], 2);
  const b8 = measured('m/fp32/cpu/b8', 250, [240, 260], 12);
  const b32 = measured('m/fp32/cpu/b32', 400, [390, 410], 45);
  for (const m of [b1, b8, b32]) m.energy!.whPer1kSamples = (m.energy!.joulesPerSample * 1000) / 3600;
  const [rec] = recommend([b1, b8, b32], 20);
  assert.equal(rec!.key, 'm/fp32/cpu/b8');
  assert.equal(rec!.baselineKey, 'm/fp32/cpu/b1');
  // 1 − (1/250)/(1/100) = 60% less energy per sample
  assert.ok(Math.abs(rec!.savingPercent! - 60) < 1e-9);
  assert.ok(Math.abs(rec!.whPer1kSamples! - 1000 / 250 / 3600) < 1e-15);
  assert.ok(Math.abs(rec!.kWhPer1kRequests! - 1000 / 250 / 3600 / 1000) < 1e-18);
  assert.equal(rec!.runnerUp!.whyNot, 'm/fp32/cpu/b32 is 60.0% more efficient but misses the 20 ms p99 SLO (p99 45.0 ms)');
  assert.equal(rec!.summary, 'Deploy m/fp32/cpu/b8: 250 samples/J, 2.50× the samples per joule of m/fp32/cpu/b1 (−60% energy per sample), p99 12.0 ms ≤ 20 ms SLO.');
  assert.deepEqual(rec!.caveats, []);
});

test('when nothing meets the SLO the fastest configuration is shown and says so', () => {
  const recs = recommend([measured('m/fp32/cpu/b1', 100, [95, 105], 30), measured('m/fp32/cpu/b8', 150, [145, 155], 50)], 20);
  assert.equal(recs[0]!.key, 'm/fp32/cpu/b1');
  assert.match(recs[0]!.reason, /no configuration meets the p99 SLO of 20 ms/);
});

test('a variant outside the fidelity bounds is never recommended; the runner-up line says why', () => {
  const int8 = measured('m/int8/cpu/b8', 300, [290, 310], 2);
  int8.model.precision = 'int8';
  int8.fidelity = {
    reference: 'fp32 on cpu, 32 synthetic samples', samples: 32, inputs: 'synthetic', maxAbsError: 0.4, rmse: 0.1, cosine: 0.95,
    top1Agreement: 0.9, accuracy: null, referenceAccuracy: null, accuracyRatio: null, nonFiniteValues: 0, withinBounds: false, violations: ['cosine 0.9500 < minCosine 0.99'],
  };
  const [rec] = recommend([int8, measured('m/fp32/cpu/b8', 100, [95, 105], 3)], null);
  assert.equal(rec!.key, 'm/fp32/cpu/b8');
  assert.equal(rec!.runnerUp!.whyNot, 'm/int8/cpu/b8 is 200.0% more efficient but breaks the fidelity bounds: cosine 0.9500 < minCosine 0.99');
  // Within bounds (or no bounds), the same variant wins.
  int8.fidelity = { ...int8.fidelity, withinBounds: true, violations: [] };
  assert.equal(recommend([int8, measured('m/fp32/cpu/b8', 100, [95, 105], 3)], null)[0]!.key, 'm/int8/cpu/b8');
});
