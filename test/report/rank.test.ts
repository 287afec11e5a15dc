// The ranking every report starts from, and the one-line notes beside it: meters, CI suffix, stopping, fidelity bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ciSuffix, fidelityBoundLine, fidelityMark, isEstimated, meterLine, rankMeasurements, stoppingLine } from '../../src/report/rank.js';
import type { Fidelity, Measurement, RaceVerdict } from '../../src/results/types.js';
import { syntheticResult, type SyntheticMeasurement } from '../fixtures/synthetic-results.js';

const measurements = (specs: SyntheticMeasurement[]): Measurement[] => syntheticResult({ measurements: specs }).measurements;
const keys = (list: Measurement[]) => list.map((m) => m.key);

type Stopping = NonNullable<Measurement['stopping']>;
const stopping = (rule: Stopping['rule'], windows: number, extra: Partial<Stopping> = {}): Stopping => ({
  rule, ciHalfWidthPercent: null, method: 'windows', batches: 0, betweenWindowsP: null, windows, measuredS: windows * 2, ...extra,
});
const race = (status: RaceVerdict['status']): RaceVerdict => ({ status, round: null, reason: 'test', versus: null, ratio: null });

function fidelity(withinBounds: boolean | null): Fidelity {
  return {
    reference: 'fp32 on cpu, 32 synthetic samples', samples: 32, inputs: 'synthetic', maxAbsError: 0.01, rmse: 0.001, cosine: 0.9999,
    top1Agreement: 1, accuracy: null, referenceAccuracy: null, accuracyRatio: null, nonFiniteValues: 0, withinBounds, violations: [],
  };
}

test('rankMeasurements: ok ones by samples per joule, most first; then those that did not run, in plan order', () => {
  const list = measurements([
    { batch: 1, samplesPerJoule: [100] },
    { batch: 2, samplesPerJoule: [1], status: 'failed' },
    { batch: 4, samplesPerJoule: [400] },
    { batch: 8, samplesPerJoule: [1], status: 'skipped' },
    { batch: 16, samplesPerJoule: [250] },
  ]);
  assert.deepEqual(keys(rankMeasurements(list)), ['mlp/fp32/cpu/b4', 'mlp/fp32/cpu/b16', 'mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b2', 'mlp/fp32/cpu/b8']);
  assert.deepEqual(keys(list), ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b2', 'mlp/fp32/cpu/b4', 'mlp/fp32/cpu/b8', 'mlp/fp32/cpu/b16'], 'the input is not reordered');
});

test('rankMeasurements: ties keep plan order; an ok row without energy goes with the unranked', () => {
  const list = measurements([{ batch: 1, samplesPerJoule: [100] }, { batch: 2, samplesPerJoule: [100] }, { batch: 4, samplesPerJoule: [50] }]);
  list[2]!.energy = null;
  assert.deepEqual(keys(rankMeasurements(list)), ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b2', 'mlp/fp32/cpu/b4']);
  assert.deepEqual(rankMeasurements([]), []);
});

test('isEstimated and meterLine: an estimate meter is named ESTIMATED', () => {
  const measured = syntheticResult({ measurements: [] });
  const estimated = syntheticResult({ estimated: true, measurements: [] });
  assert.equal(isEstimated(measured), false);
  assert.equal(isEstimated(estimated), true);
  assert.equal(meterLine(measured), 'rapl: synthetic RAPL');
  assert.equal(meterLine(estimated), 'estimate (ESTIMATED): CPU utilisation × TDP model');
  const both = { ...measured, meters: [...measured.meters, ...estimated.meters] };
  assert.equal(isEstimated(both), true, 'one estimate among hardware meters is enough');
  assert.equal(meterLine(both), 'rapl: synthetic RAPL; estimate (ESTIMATED): CPU utilisation × TDP model');
});

test('ciSuffix: one decimal below 10%, none from 10%; the stopping rule\'s figure for older results', () => {
  const [m] = measurements([{ samplesPerJoule: [100, 100] }]);
  const withCi = (percent: number | null | undefined, stopped?: number | null): Measurement => ({
    ...m!,
    energy: { ...m!.energy!, samplesPerJouleCiPercent: percent },
    stopping: stopped === undefined ? null : stopping('target-ci', 5, { ciHalfWidthPercent: stopped }),
  });
  assert.equal(ciSuffix(withCi(1.94)), ' ±1.9%');
  assert.equal(ciSuffix(withCi(12.4)), ' ±12%');
  assert.equal(ciSuffix(withCi(Number.NaN)), '');
  // null is the result's own "below two windows": the stopping figure is not used instead.
  assert.equal(ciSuffix(withCi(null, 3.25)), '');
  // Absent (an older result): the stopping rule's half-width.
  assert.equal(ciSuffix(withCi(undefined, 3.25)), ' ±3.3%');
  assert.equal(ciSuffix(withCi(undefined)), '');
  assert.equal(ciSuffix({ ...m!, energy: null, stopping: stopping('max-seconds', 3, { ciHalfWidthPercent: 7 }) }), ' ±7.0%');
});

test('stoppingLine: null when no measurement recorded how it stopped', () => {
  assert.equal(stoppingLine([syntheticResult({ measurements: [{ samplesPerJoule: [1] }] })]), null);
  assert.equal(stoppingLine([]), null);
});

test('stoppingLine: fixed windows, the adaptive target met (window range) and the time cap with each capped CI', () => {
  const result = syntheticResult({ measurements: [1, 2, 4, 8, 16].map((batch) => ({ batch, samplesPerJoule: [100] })) });
  result.scenario.resolved = { name: 'synthetic', stopping: { rule: 'target-ci', targetCiPercent: 2, maxSeconds: 60 } };
  const [b1, b2, b4, b8, b16] = result.measurements;
  b1!.stopping = stopping('repetitions', 3);
  b2!.stopping = stopping('target-ci', 8);
  b4!.stopping = stopping('target-ci', 5);
  b8!.stopping = stopping('max-seconds', 30);
  b8!.energy!.samplesPerJouleCiPercent = 3.44;
  b16!.status = 'failed';
  b16!.stopping = stopping('max-seconds', 1);
  assert.equal(
    stoppingLine([result]),
    'Stopping: ± is the 95% CI of samples per joule; 1 measured a fixed number of windows (adaptive stopping off); 2 reached the ±2% target (5–8 windows); 1 stopped at the 60 s cap short of it: mlp/fp32/cpu/b8 ±3.4%.',
  );
  result.scenario.resolved = null;
  assert.match(stoppingLine([result])!, /2 reached the ±\?% target .* 1 stopped at the \? s cap/, 'no settings recorded: a question mark, not a guess');
});

test('stoppingLine: a race per model — the best, a tie, or unresolved at the cap, with the eliminated and excluded counted', () => {
  const result = syntheticResult({
    measurements: [
      ...[1, 8, 32, 64].map((batch) => ({ model: 'mlp', batch, samplesPerJoule: [100] })),
      ...[1, 8].map((batch) => ({ model: 'cnn', batch, samplesPerJoule: [100] })),
      { model: 'vit', batch: 1, samplesPerJoule: [100] },
    ],
  });
  result.scenario.resolved = { name: 'synthetic', stopping: { rule: 'race', equivalencePercent: 5, maxSeconds: 600 } };
  const verdicts: Array<[RaceVerdict['status'], number]> = [['eliminated', 2], ['best', 4], ['eliminated', 3], ['excluded', 1], ['tied', 6], ['tied', 6], ['unresolved', 9]];
  result.measurements.forEach((m, i) => {
    const [status, windows] = verdicts[i]!;
    m.stopping = stopping('race', windows, { race: race(status) });
  });
  assert.equal(
    stoppingLine([result]),
    'Stopping: ± is the 95% CI of samples per joule; raced in rounds (95% confidence, Holm-corrected; ±5% counts as indistinguishable): '
      + 'mlp: mlp/fp32/cpu/b8 best after 4 rounds (2 eliminated, 1 excluded); cnn: cnn/fp32/cpu/b1, cnn/fp32/cpu/b8 indistinguishable after 6 rounds (0 eliminated); '
      + 'vit: vit/fp32/cpu/b1 unresolved at the time cap after 9 rounds (0 eliminated).',
  );
  result.scenario.resolved = { name: 'synthetic' };
  assert.match(stoppingLine([result])!, /±3% counts as indistinguishable/, 'the default equivalence margin');
});

test('fidelityMark: only a variant outside the bound is marked', () => {
  const [m] = measurements([{ precision: 'fp16', samplesPerJoule: [1] }]);
  assert.equal(fidelityMark({ ...m!, fidelity: fidelity(false) }), ' ✗ fidelity');
  assert.equal(fidelityMark({ ...m!, fidelity: fidelity(true) }), '');
  assert.equal(fidelityMark({ ...m!, fidelity: fidelity(null) }), '');
  assert.equal(fidelityMark({ ...m!, fidelity: null }), '');
});

test('fidelityBoundLine: null with no judged variant; the bound, who is outside it, and how to change it', () => {
  const how = 'set `fidelity:` in the scenario (e.g. `fidelity: {minCosine: 0.999}`, or `fidelity: off`) or pass --min-cosine / --accuracy-target';
  const result = syntheticResult({ measurements: [{ precision: 'fp32', samplesPerJoule: [1] }, { precision: 'fp16', samplesPerJoule: [1] }, { precision: 'int8', samplesPerJoule: [1] }] });
  assert.equal(fidelityBoundLine([result]), null);
  const [, fp16, int8] = result.measurements;
  fp16!.fidelity = fidelity(true);
  int8!.fidelity = fidelity(true);
  result.scenario.resolved = { name: 'synthetic', fidelity: { minCosine: 0.995, minTop1Agreement: null } };
  assert.equal(fidelityBoundLine([result]), `Fidelity bound: minCosine 0.995 against FP32 (default: MLPerf's 99% rule, docs/fidelity.md); every variant is within it. To change it, ${how}.`);
  fp16!.fidelity = fidelity(false);
  int8!.fidelity = fidelity(false);
  result.scenario.resolved = { name: 'synthetic', fidelity: { minCosine: null } };
  assert.equal(fidelityBoundLine([result]), `Fidelity bound: finite outputs against FP32 (default: MLPerf's 99% rule, docs/fidelity.md); mlp/fp16, mlp/int8 are outside it (✗ fidelity: measured, never recommended). To change it, ${how}.`);
  // No bound recorded in the scenario (an older result) but a verdict on the variants.
  result.scenario.resolved = { name: 'synthetic' };
  assert.equal(fidelityBoundLine([result]), `Fidelity bound: variants marked ✗ fidelity missed the scenario's bound and are never recommended; to change it, ${how}.`);
});
