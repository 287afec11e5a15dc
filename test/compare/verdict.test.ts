// The compare rule on synthetic repetitions with fixed seeds: noise stays green, real shifts are caught.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareDefaults, compareRuns, judgeMetric } from '../../src/compare/compare.js';
import { SeededRandom } from '../../src/stats/random.js';
import { noisy, syntheticResult } from '../fixtures/synthetic-results.js';

const options = compareDefaults;

function verdicts(seed: number, pairs: number, shift: number, cv: number, repetitions: number) {
  const random = new SeededRandom(seed);
  return Array.from({ length: pairs }, (_, i) =>
    judgeMetric({ baseline: noisy(random, 100, cv, repetitions), candidate: noisy(random, 100 * (1 + shift), cv, repetitions), higherIsBetter: true }, options, i + 1),
  );
}

test('20 A/A pairs at 3% CV (5 repetitions each): at most 1 false "regressed"', () => {
  const results = verdicts(20260101, 20, 0, 0.03, 5);
  const regressed = results.filter((r) => r.verdict === 'regressed').length;
  assert.ok(regressed <= 1, `${regressed} false regressions`);
  assert.ok(results.filter((r) => r.failed).length <= 1);
});

test('a 10% drop in samples per joule at 1% CV is "regressed" and fails the 5% gate every time', () => {
  for (const repetitions of [3, 5]) {
    const results = verdicts(20260102 + repetitions, 20, -0.1, 0.01, repetitions);
    for (const r of results) {
      assert.equal(r.verdict, 'regressed', JSON.stringify(r));
      assert.equal(r.failed, true);
      assert.ok(r.changeCi![1] < -options.noise, 'the whole CI lies beyond the noise threshold');
      assert.ok(r.pValue! < options.alpha);
    }
  }
});

test('a 5% drop at 1% CV with 5 repetitions is detected ("regressed") every time', () => {
  const results = verdicts(20260103, 20, -0.05, 0.01, 5);
  for (const r of results) assert.equal(r.verdict, 'regressed', JSON.stringify(r));
  // The gate compares the size (point estimate) with --max-regression: a shift right at 5% fails about half the time.
  const failed = results.filter((r) => r.failed).length;
  assert.ok(failed > 0 && failed < 20, `${failed} of 20 failed the 5% gate`);
  // With the gate below the shift, every one fails.
  const random = new SeededRandom(20260103);
  for (let i = 0; i < 20; i++) {
    const r = judgeMetric({ baseline: noisy(random, 100, 0.01, 5), candidate: noisy(random, 95, 0.01, 5), higherIsBetter: true }, { ...options, maxRegression: 0.03 }, i + 1);
    assert.equal(r.failed, true);
  }
});

test('direction: more latency is a regression, more throughput an improvement', () => {
  const up = { baseline: [100, 101, 99, 100], candidate: [120, 121, 119, 120] };
  assert.equal(judgeMetric({ ...up, higherIsBetter: true }, options, 1).verdict, 'improved');
  const worse = judgeMetric({ ...up, higherIsBetter: false }, options, 1);
  assert.equal(worse.verdict, 'regressed');
  assert.equal(worse.failed, true);
});

test('a significant change inside the noise threshold is "no significant change"', () => {
  // 1% shift, tiny spread: p ≪ 0.05 but the CI (≈ +0.9% … +1.1%) does not clear ±2%.
  const r = judgeMetric({ baseline: [100, 100.1, 99.9, 100], candidate: [101, 101.1, 100.9, 101], higherIsBetter: true }, options, 1);
  assert.ok(r.pValue! < 0.001);
  assert.equal(r.verdict, 'no significant change');
});

test('one value per side (p99, or one repetition): threshold method, no p-value', () => {
  const within = judgeMetric({ baseline: [10], candidate: [10.9], higherIsBetter: false }, options, 1);
  assert.equal(within.method, 'threshold');
  assert.equal(within.pValue, null);
  assert.equal(within.changeCi, null);
  assert.equal(within.verdict, 'no significant change', '+9% is inside the 10% threshold');
  const beyond = judgeMetric({ baseline: [10], candidate: [11.5], higherIsBetter: false }, options, 1);
  assert.equal(beyond.verdict, 'regressed');
  assert.equal(beyond.failed, true);
  assert.ok(Math.abs(beyond.change - 0.15) < 1e-12);
});

test('compareRuns: verdict per key and metric, estimated energy labelled, p99 by threshold', () => {
  const baseline = syntheticResult({ estimated: true, measurements: [{ samplesPerJoule: [100, 101, 99], samplesPerSecond: [1000, 1010, 990], p99Ms: 2 }] });
  const candidate = syntheticResult({ estimated: true, runId: 'cand', measurements: [{ samplesPerJoule: [80, 81, 79], samplesPerSecond: [1000, 1010, 990], p99Ms: 2.1 }] });
  const c = compareRuns({ result: baseline, file: 'a.json' }, { result: candidate, file: 'b.json' });
  assert.equal(c.failed, true);
  assert.equal(c.estimated, true);
  const [spj, sps, p99] = c.keys[0]!.metrics;
  assert.equal(spj!.verdict, 'regressed');
  assert.equal(spj!.estimated, true);
  assert.ok(Math.abs(spj!.change + 0.2) < 1e-12, 'means 100 → 80');
  assert.equal(sps!.verdict, 'no significant change');
  assert.equal(sps!.estimated, false);
  assert.equal(p99!.method, 'threshold');
  assert.match(p99!.note!, /without per-window p99/);
  assert.deepEqual(c.counts, { improved: 0, regressed: 1, unchanged: 2, failed: 1 });
});

test('compareRuns: p99 recorded per window is tested like the other metrics (Welch on log values), not by threshold', () => {
  // Window p99s average 2.0 ms in the baseline and 2.4 ms in the candidate: +20% latency, a regression.
  const spj = [100, 101, 99, 100, 100];
  const baseline = syntheticResult({ measurements: [{ samplesPerJoule: spj, windowP99Ms: [2.0, 2.02, 1.98, 2.01, 1.99] }] });
  const candidate = syntheticResult({ runId: 'cand', measurements: [{ samplesPerJoule: spj, windowP99Ms: [2.4, 2.42, 2.38, 2.41, 2.39] }] });
  const p99 = compareRuns({ result: baseline, file: 'a' }, { result: candidate, file: 'b' }).keys[0]!.metrics.find((m) => m.metric === 'p99Ms')!;
  assert.equal(p99.method, 'log-welch');
  assert.equal(p99.note, null);
  assert.deepEqual([p99.baseline.n, p99.candidate.n], [5, 5]);
  assert.ok(Math.abs(p99.change - 0.2) < 1e-12, `change ${p99.change}`);
  assert.equal(p99.verdict, 'regressed');
  assert.ok(p99.pValue! < 0.001);
  // One side without per-window p99 (an older result): back to the overall p99 by threshold.
  const older = syntheticResult({ measurements: [{ samplesPerJoule: spj, p99Ms: 2 }] });
  const mixed = compareRuns({ result: older, file: 'a' }, { result: candidate, file: 'b' }).keys[0]!.metrics.find((m) => m.metric === 'p99Ms')!;
  assert.equal(mixed.method, 'threshold');
});

test('compareRuns: a configuration the candidate failed fails the gate; a new one is informational', () => {
  const baseline = syntheticResult({ measurements: [{ samplesPerJoule: [100, 100] }, { batch: 8, samplesPerJoule: [200, 200] }] });
  const candidate = syntheticResult({ measurements: [{ samplesPerJoule: [100, 100] }, { batch: 8, samplesPerJoule: [1], status: 'failed' }, { batch: 32, samplesPerJoule: [300, 300] }] });
  const c = compareRuns({ result: baseline, file: 'a' }, { result: candidate, file: 'b' });
  assert.deepEqual(c.keys.map((k) => [k.key, k.status, k.failed]), [
    ['mlp/fp32/cpu/b1', 'compared', false],
    ['mlp/fp32/cpu/b8', 'missing in candidate', true],
    ['mlp/fp32/cpu/b32', 'new in candidate', false],
  ]);
  assert.equal(c.failed, true);
});

test('compareRuns refuses a different model file or host, and says what differs', () => {
  const baseline = syntheticResult({ measurements: [{ samplesPerJoule: [100, 100] }] });
  const otherModel = syntheticResult({ measurements: [{ samplesPerJoule: [100, 100], sha256: 'b'.repeat(64) }] });
  assert.throws(() => compareRuns({ result: baseline, file: 'a' }, { result: otherModel, file: 'b' }), /model file differs \(sha256 aaaaaaaaaaaa… → bbbbbbbbbbbb…\)/);
  assert.throws(() => compareRuns({ result: baseline, file: 'a' }, { result: otherModel, file: 'b' }, { allowHostChange: true }), /model file differs/);
  const otherHost = syntheticResult({ cpuModel: 'Other CPU', measurements: [{ samplesPerJoule: [100, 100] }] });
  assert.throws(() => compareRuns({ result: baseline, file: 'a' }, { result: otherHost, file: 'b' }), /host CPU "Synthetic CPU 9000" → "Other CPU"/);
  const allowed = compareRuns({ result: baseline, file: 'a' }, { result: otherHost, file: 'b' }, { allowHostChange: true });
  assert.deepEqual(allowed.hostChanges, ['host CPU "Synthetic CPU 9000" → "Other CPU"']);
  const otherMeter = syntheticResult({ estimated: true, measurements: [{ samplesPerJoule: [100, 100] }] });
  assert.throws(() => compareRuns({ result: baseline, file: 'a' }, { result: otherMeter, file: 'b' }), /power meters rapl → estimate \(estimated\)/);
});

test('compareRuns: software changes are listed, not refused', () => {
  const baseline = syntheticResult({ measurements: [{ samplesPerJoule: [100, 100] }] });
  const candidate = syntheticResult({ onnxruntime: '1.31.0', measurements: [{ samplesPerJoule: [100, 100] }] });
  const c = compareRuns({ result: baseline, file: 'a' }, { result: candidate, file: 'b' });
  assert.deepEqual(c.changes, ['onnxruntime 1.30.0 → 1.31.0']);
  const interrupted = { ...candidate, status: 'interrupted' as const, stopReason: 'SIGINT' };
  assert.deepEqual(compareRuns({ result: baseline, file: 'a' }, { result: interrupted, file: 'b' }).changes[0], 'the candidate run is interrupted (SIGINT): configurations it did not reach count as missing');
});
