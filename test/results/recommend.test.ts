import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recommend } from '../../src/results/recommend.js';
import type { Measurement, RaceVerdict } from '../../src/results/types.js';

// A measured configuration whose window r has samples/J spj[r] (1 J per window), measured in rounds 1, 2, …
function measured(key: string, spj: number[], p99: number, options: { valid?: boolean; race?: RaceVerdict; precision?: 'fp32' | 'int8'; batch?: number } = {}): Measurement {
  const samples = spj.reduce((a, b) => a + b, 0);
  const samplesPerJoule = samples / spj.length;
  return {
    key, model: { name: key.split('/')[0]!, path: null, sha256: null, precision: options.precision ?? 'fp32', via: 'model', variantOf: null },
    executionProvider: 'cpu', device: 'cpu', batchSize: options.batch ?? 1, threads: null, status: 'ok', error: null, coldStart: null,
    repetitions: spj.map((value, i) => ({ durationS: 1, runs: value, samples: value, samplesPerSecond: value, meanWatts: 1, energyJ: 1, round: i + 1 })),
    throughput: { samplesPerSecond: { mean: 1, ci95: [1, 1] } }, latencyMs: { mean: p99, p50: p99, p90: p99, p99, max: p99 },
    power: { meanWatts: 1, idleWatts: null, peakWatts: 1, byMeter: {} },
    energy: { joulesPerSample: 1 / samplesPerJoule, netJoulesPerSample: null, samplesPerJoule, samplesPerJouleCi95: [samplesPerJoule, samplesPerJoule], whPer1kSamples: 0, gCO2ePer1kSamples: 0, estimated: false },
    fidelity: null, validity: { valid: options.valid ?? true, reasons: options.valid === false ? ['power was still drifting'] : [] }, trace: null, spanS: null,
    ...(options.race ? { stopping: { rule: 'race' as const, race: options.race, ciHalfWidthPercent: null, method: 'windows' as const, batches: spj.length, betweenWindowsP: null, windows: spj.length, measuredS: spj.length } } : {}),
  };
}

test('the pick states its margin over the closest competitor as one ratio with its 95% CI, paired by round', () => {
  // b8 is exactly twice b1 in every round: the paired log differences are all ln 2, so the CI is [2, 2].
  const recs = recommend([measured('m/fp32/cpu/b1', [100, 110, 105], 2), measured('m/fp32/cpu/b8', [200, 220, 210], 10, { batch: 8 })], 20);
  assert.equal(recs.length, 1);
  const [rec] = recs;
  assert.equal(rec!.key, 'm/fp32/cpu/b8');
  const { ci95, ...rest } = rec!.confidence!;
  assert.deepEqual(rest, { versus: 'm/fp32/cpu/b1', ratio: 2, method: 'paired-rounds', equivalencePercent: 3, verdict: 'better' });
  assert.ok(Math.abs(ci95[0] - 2) < 1e-12 && Math.abs(ci95[1] - 2) < 1e-12, String(ci95));
  assert.equal(rec!.reason, 'most samples per joule (p99 10.0 ms ≤ SLO 20 ms); 2.00× the samples/J of m/fp32/cpu/b1 (95% CI 2.00×–2.00×)');
  assert.equal(rec!.runnerUp!.whyNot, 'm/fp32/cpu/b8 has 2.00× (95% CI 2.00×–2.00×) the samples/J of m/fp32/cpu/b1');
});

test('two configurations within the equivalence margin are indistinguishable: the lower p99 is chosen, and it says so', () => {
  // Per-round ratios 1.01, 0.99, 1.00: mean log ≈ 0, sd ≈ 0.01, t(0.975, 2) = 4.303 → CI ≈ 0.9754–1.0252, inside ±3%.
  const tie = (status: RaceVerdict['status']): RaceVerdict => ({ status, round: null, reason: 'indistinguishable within 3%: …', versus: null, ratio: null });
  const fast = measured('m/int8/cpu/b1', [101, 99, 100], 2, { precision: 'int8', race: tie('tied') });
  const slow = measured('m/int8/cpu/b8', [100, 100, 100], 9, { precision: 'int8', batch: 8, race: tie('tied') });
  const [rec] = recommend([slow, fast], null);
  assert.equal(rec!.key, 'm/int8/cpu/b1');
  assert.equal(rec!.confidence!.verdict, 'indistinguishable');
  assert.match(rec!.reason, /^most samples per joule \(no latency SLO set\); indistinguishable within 3% from m\/int8\/cpu\/b8 \(1\.00× the samples\/J of m\/int8\/cpu\/b8 \(95% CI 0\.98×–1\.03×\)\); chosen for its p99 2\.00 ms$/);
});

test('a race survivor is preferred to an eliminated configuration; noise never makes a configuration invalid', () => {
  const eliminated: RaceVerdict = { status: 'eliminated', round: 3, reason: '…', versus: 'm/int8/cpu/b8', ratio: null };
  const best: RaceVerdict = { status: 'best', round: null, reason: 'every other configuration was eliminated', versus: null, ratio: null };
  // The survivor's windows are noisy (±20%): it stays valid and is recommended with a wide CI.
  const winner = measured('m/int8/cpu/b8', [260, 180, 220], 5, { precision: 'int8', batch: 8, race: best });
  const [rec] = recommend([measured('m/fp32/cpu/b8', [100, 100, 100], 5, { batch: 8, race: eliminated }), winner], null);
  assert.equal(rec!.key, 'm/int8/cpu/b8');
  assert.equal(rec!.confidence!.verdict, 'better');
  assert.equal(rec!.runnerUp!.whyNot.endsWith('; eliminated in round 3'), true);
});

test('a valid measurement is preferred over an unsound one; when none is sound, none is recommended', () => {
  const [preferValid] = recommend([measured('m/fp32/cpu/b1', [100, 100], 2), measured('m/fp32/cpu/b8', [104, 104], 3, { valid: false })], null);
  assert.equal(preferValid!.key, 'm/fp32/cpu/b1');
  assert.equal(preferValid!.runnerUp!.whyNot, 'm/fp32/cpu/b8 has 1.04× (95% CI 1.04×–1.04×) the samples/J of m/fp32/cpu/b1 but its measurement is not valid: power was still drifting');
  // Nothing sound: nothing is recommended; the most efficient is named with why it cannot be trusted.
  const [onlyInvalid] = recommend([measured('m/fp32/cpu/b1', [100, 100], 2, { valid: false }), measured('m/fp32/cpu/b8', [104, 104], 3, { valid: false })], null);
  assert.equal(onlyInvalid!.key, 'm/fp32/cpu/b8');
  assert.equal(onlyInvalid!.valid, false);
  assert.equal(onlyInvalid!.reason, 'none is valid: every measurement of m is unsound (power was still drifting); the most samples/J (m/fp32/cpu/b8) is shown, not recommended');
  assert.equal(onlyInvalid!.summary, 'No valid measurement of m: power was still drifting. Fix that and run again; m/fp32/cpu/b8 had the most samples/J.');
});

test('a valid pick is compared with the closest valid competitor, not with a better but unsound one', () => {
  // b32 measured 1.40× b8 but is not valid: b8 is picked, its margin is over b1 (150/100 per round), and b32 is the
  // runner-up, not valid — never "not yet separated" from a measurement that cannot be trusted.
  const b1 = measured('m/fp32/cpu/b1', [100, 100], 2);
  const b8 = measured('m/fp32/cpu/b8', [150, 150], 5, { batch: 8 });
  const b32 = measured('m/fp32/cpu/b32', [210, 210], 9, { batch: 32, valid: false });
  const [rec] = recommend([b1, b8, b32], null);
  assert.equal(rec!.key, 'm/fp32/cpu/b8');
  assert.equal(rec!.confidence!.versus, 'm/fp32/cpu/b1');
  assert.equal(rec!.confidence!.verdict, 'better');
  assert.equal(rec!.reason, 'most samples per joule (no latency SLO set); 1.50× the samples/J of m/fp32/cpu/b1 (95% CI 1.50×–1.50×)');
  assert.equal(rec!.runnerUp!.whyNot, 'm/fp32/cpu/b32 has 1.40× (95% CI 1.40×–1.40×) the samples/J of m/fp32/cpu/b8 but its measurement is not valid: power was still drifting');
});

test('savings against FP32 batch 1 and units for sustainability reporting', () => {
  const b1 = measured('m/fp32/cpu/b1', [100, 100], 2);
  const b8 = measured('m/fp32/cpu/b8', [250, 250], 12, { batch: 8 });
  const b32 = measured('m/fp32/cpu/b32', [400, 400], 45, { batch: 32 });
  for (const m of [b1, b8, b32]) m.energy!.whPer1kSamples = (m.energy!.joulesPerSample * 1000) / 3600;
  const [rec] = recommend([b1, b8, b32], 20);
  assert.equal(rec!.key, 'm/fp32/cpu/b8');
  assert.equal(rec!.baselineKey, 'm/fp32/cpu/b1');
  // 1 − (1/250)/(1/100) = 60% less energy per sample
  assert.ok(Math.abs(rec!.savingPercent! - 60) < 1e-9);
  assert.ok(Math.abs(rec!.whPer1kSamples! - 1000 / 250 / 3600) < 1e-15);
  assert.ok(Math.abs(rec!.kWhPer1kRequests! - 1000 / 250 / 3600 / 1000) < 1e-18);
  assert.equal(rec!.runnerUp!.whyNot, 'm/fp32/cpu/b32 has 1.60× (95% CI 1.60×–1.60×) the samples/J of m/fp32/cpu/b8 but misses the 20 ms p99 SLO (p99 45.0 ms)');
  assert.equal(rec!.summary, 'Deploy m/fp32/cpu/b8: 250 samples/J, 2.50× (95% CI 2.50×–2.50×) the samples per joule of m/fp32/cpu/b1, p99 12.0 ms ≤ 20 ms SLO.');
  assert.deepEqual(rec!.caveats, []);
});

test('when nothing meets the SLO, none is recommended: the fastest is named and the line says "none meets the SLO"', () => {
  const [rec] = recommend([measured('m/fp32/cpu/b1', [100, 100], 30), measured('m/fp32/cpu/b8', [150, 150], 50)], 20);
  assert.equal(rec!.key, 'm/fp32/cpu/b1');
  assert.equal(rec!.meetsSlo, false);
  assert.match(rec!.reason, /^none meets the SLO: no configuration of m has p99 ≤ 20 ms/);
});

test('a variant outside the fidelity bounds is never recommended; the runner-up line says why', () => {
  const int8 = measured('m/int8/cpu/b8', [300, 300], 2, { precision: 'int8' });
  int8.fidelity = {
    reference: 'fp32 on cpu, 32 synthetic samples', samples: 32, inputs: 'synthetic', maxAbsError: 0.4, rmse: 0.1, cosine: 0.95,
    top1Agreement: 0.9, accuracy: null, referenceAccuracy: null, accuracyRatio: null, nonFiniteValues: 0, withinBounds: false, violations: ['cosine 0.9500 < minCosine 0.99'],
  };
  const [rec] = recommend([int8, measured('m/fp32/cpu/b8', [100, 100], 3)], null);
  assert.equal(rec!.key, 'm/fp32/cpu/b8');
  assert.equal(rec!.runnerUp!.whyNot, 'm/int8/cpu/b8 has 3.00× (95% CI 3.00×–3.00×) the samples/J of m/fp32/cpu/b8 but breaks the fidelity bounds: cosine 0.9500 < minCosine 0.99');
  // Within bounds (or no bounds), the same variant wins.
  int8.fidelity = { ...int8.fidelity, withinBounds: true, violations: [] };
  assert.equal(recommend([int8, measured('m/fp32/cpu/b8', [100, 100], 3)], null)[0]!.key, 'm/int8/cpu/b8');
});

test('a pick at most the margin below its competitor, possibly above, is "not-worse" (what a non-inferiority stop shows)', () => {
  // Per-round ratios 1.06, 1.00, 1.04, 0.99, 1.03: ratio 1.024, sd of the log ratios 0.0282, t(0.975, 4) = 2.776 →
  // CI ≈ 0.989–1.060: below 1 at its low end but not below 1/1.03, above 1.03 at its high end.
  const [rec] = recommend([measured('m/fp32/cpu/b8', [106, 100, 104, 99, 103], 3, { batch: 8 }), measured('m/fp32/cpu/b32', [100, 100, 100, 100, 100], 9, { batch: 32 })], null);
  assert.equal(rec!.key, 'm/fp32/cpu/b8');
  assert.ok(rec!.confidence!.ci95[0] < 1 && rec!.confidence!.ci95[0] >= 1 / 1.03, String(rec!.confidence!.ci95));
  assert.equal(rec!.confidence!.verdict, 'not-worse');
  assert.match(rec!.reason, /: at most 3% below it, possibly better$/);
});
