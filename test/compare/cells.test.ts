// The words and numbers every comparison format shares: percentages, verdicts, the rule, the outcome, the rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ciText, comparisonHeads, comparisonRows, estimatedText, keyStatusLine, metricLabel, outcomeText, percent, pText, ruleText, signedPercent, valuesText, verdictText,
} from '../../src/compare/cells.js';
import { comparedKey, comparison, metricComparison, thresholdP99 } from './helpers.js';

test('signedPercent: one decimal, a real minus sign, a dash for what is not a number', () => {
  assert.equal(signedPercent(0.031), '+3.1%');
  assert.equal(signedPercent(-0.1), '−10.0%');
  assert.equal(signedPercent(0), '+0.0%');
  // −0.04% rounds to "-0.0": still shown as a (tiny) drop, with one minus sign, not "−-0.0%".
  assert.equal(signedPercent(-0.0004), '−0.0%');
  assert.equal(signedPercent(1.5), '+150.0%');
  assert.equal(signedPercent(Number.NaN), '—');
  assert.equal(signedPercent(Number.POSITIVE_INFINITY), '—');
});

test('percent: thresholds without float noise (0.07 × 100 = 7.000000000000001 reads 7%)', () => {
  assert.equal(percent(0.05), '5%');
  assert.equal(percent(0.005), '0.5%');
  assert.equal(percent(0.07), '7%');
  assert.equal(percent(1 - 0.05), '95%');
  assert.equal(percent(0.125), '12.5%');
});

test('metricLabel, ciText, pText, valuesText', () => {
  assert.equal(metricLabel(metricComparison()), 'samples/J');
  assert.equal(metricLabel(metricComparison({ estimated: true })), 'samples/J (estimated)');
  assert.equal(metricLabel(metricComparison({ estimated: true }), true), 'samples/J (est.)');
  assert.equal(ciText(metricComparison()), '−12.0% … −8.0%');
  assert.equal(ciText(thresholdP99()), 'no CI (threshold)');
  assert.equal(pText(metricComparison()), '<0.001');
  assert.equal(pText(metricComparison({ pValue: 0.001 })), '0.001');
  assert.equal(pText(metricComparison({ pValue: 0.0234 })), '0.023');
  assert.equal(pText(thresholdP99()), '—');
  // sig() keeps three significant digits: 2 → "2.00", 2.05 → "2.05", 12345.6 → "12,346".
  assert.deepEqual(valuesText(thresholdP99()), ['2.00', '2.05']);
  assert.deepEqual(valuesText(metricComparison({ baseline: { mean: 12345.6, n: 5 } })), ['12,346', '360']);
});

test('verdictText: failing regressions shouted with the gate, others qualified; threshold judgements say so', () => {
  const c = comparison([]);
  assert.equal(verdictText(metricComparison(), c), 'REGRESSED — fails the 5% gate');
  assert.equal(verdictText(thresholdP99({ verdict: 'regressed', failed: true }), c), 'REGRESSED (by threshold) — fails the 5% gate');
  assert.equal(verdictText(metricComparison({ failed: false, gated: false }), c), 'regressed (not gated)');
  assert.equal(verdictText(metricComparison({ failed: false, change: -0.03 }), c), 'regressed, within the 5% gate');
  assert.equal(verdictText(metricComparison({ failed: false, verdict: 'improved' }), c), 'improved');
  assert.equal(verdictText(thresholdP99(), c), 'no significant change (by threshold)');
  assert.equal(verdictText(metricComparison(), comparison([], { options: { ...c.options, maxRegression: 0.12 } })), 'REGRESSED — fails the 12% gate');
});

test('keyStatusLine: the status, FAILS when it fails the gate, and the notes', () => {
  assert.equal(keyStatusLine({ key: 'mlp/fp32/cpu/b8', status: 'missing in candidate', metrics: [], failed: true, notes: ['failed: OOM', 'exit 3'] }), 'mlp/fp32/cpu/b8: missing in candidate — FAILS the gate (failed: OOM; exit 3)');
  assert.equal(keyStatusLine({ key: 'mlp/int8/cpu/b8', status: 'new in candidate', metrics: [], failed: false, notes: [] }), 'mlp/int8/cpu/b8: new in candidate');
});

test('ruleText: alpha, the confidence it implies, the noise band, the gate and the p99 threshold', () => {
  assert.equal(
    ruleText(comparison([])),
    "A change counts when Welch's t-test on the log values of the repetitions gives p < 0.05 and the whole 95% CI of the change lies beyond ±2%; a regression of 5% or more fails. p99 latency without per-window values, and load records (one value per rate), count beyond ±10% (threshold, no test).",
  );
  // alpha 0.01 → 99% CI; a noise band above the threshold noise wins for p99 too: max(0.15, 0.1) = 15%.
  const c = comparison([]);
  const strict = ruleText(comparison([], { options: { ...c.options, alpha: 0.01, noise: 0.15 } }));
  assert.match(strict, /p < 0\.01 and the whole 99% CI of the change lies beyond ±15%;/);
  assert.match(strict, /count beyond ±15% \(threshold, no test\)\.$/);
});

test('outcomeText: PASS with the tally; FAIL naming each failing metric (short labels) and each missing key', () => {
  const pass = comparison([comparedKey('a', [metricComparison({ failed: false, verdict: 'improved', change: 0.04 }), thresholdP99()])]);
  assert.equal(outcomeText(pass), 'PASS: no regression of 5% or more (1 improved, 0 regressed, 1 with no significant change)');
  const fail = comparison([
    comparedKey('mlp/fp32/cpu/b8', [metricComparison({ estimated: true }), thresholdP99()]),
    { key: 'mlp/fp32/cpu/b1', status: 'missing in candidate', metrics: [], failed: true, notes: [] },
  ]);
  assert.equal(outcomeText(fail), 'FAIL: 2 gated regression(s): mlp/fp32/cpu/b8 samples/J (est.) −10.0%, mlp/fp32/cpu/b1 missing in candidate (0 improved, 1 regressed, 1 with no significant change)');
});

test('estimatedText: null when both sides were measured; which side is the model when only one is', () => {
  const c = comparison([]);
  assert.equal(estimatedText(c), null);
  const estimated = (baseline: boolean, candidate: boolean) => estimatedText({ ...c, estimated: true, baseline: { ...c.baseline, estimated: baseline }, candidate: { ...c.candidate, estimated: candidate } });
  assert.equal(estimated(true, true), 'Power is ESTIMATED in the baseline and candidate (no hardware meter): samples/J changes are estimates, labelled "estimated".');
  assert.match(estimated(true, false)!, /^ESTIMATED vs MEASURED: power in the baseline is ESTIMATED \(no hardware meter\), in the candidate it is measured,/);
  assert.match(estimated(false, true)!, /^ESTIMATED vs MEASURED: power in the candidate is ESTIMATED \(no hardware meter\), in the baseline it is measured,/);
});

test('comparisonHeads name the CI level', () => {
  const c = comparison([]);
  assert.deepEqual(comparisonHeads(c), ['configuration', 'metric', 'baseline', 'candidate', 'change', '95% CI', 'p', 'verdict']);
  assert.equal(comparisonHeads(comparison([], { options: { ...c.options, alpha: 0.1 } }))[5], '90% CI');
});

test('comparisonRows: one row per compared key × metric; keys not compared and key notes become notes, in key order', () => {
  const c = comparison([
    comparedKey('mlp/fp32/cpu/b8', [metricComparison({ estimated: true }), thresholdP99()], ['candidate window 3 invalid']),
    { key: 'mlp/fp32/cpu/b1', status: 'missing in candidate', metrics: [], failed: true, notes: ['failed: OOM'] },
    { key: 'mlp/int8/cpu/b1', status: 'new in candidate', metrics: [], failed: false, notes: [] },
  ]);
  const { rows, notes } = comparisonRows(c);
  assert.deepEqual(rows.map((r) => r.cells), [
    ['mlp/fp32/cpu/b8', 'samples/J (estimated)', '400', '360', '−10.0%', '−12.0% … −8.0%', '<0.001', 'REGRESSED — fails the 5% gate'],
    ['mlp/fp32/cpu/b8', 'p99 ms', '2.00', '2.05', '+2.5%', 'no CI (threshold)', '—', 'no significant change (by threshold)'],
  ]);
  assert.equal(rows[0]!.metric, c.keys[0]!.metrics[0], 'the metric rides along for decoration');
  assert.deepEqual(notes, [
    'mlp/fp32/cpu/b8: candidate window 3 invalid',
    'mlp/fp32/cpu/b1: missing in candidate — FAILS the gate (failed: OOM)',
    'mlp/int8/cpu/b1: new in candidate',
  ]);
  assert.equal(comparisonRows(c, true).rows[0]!.cells[1], 'samples/J (est.)');
  assert.deepEqual(comparisonRows(comparison([])), { rows: [], notes: [] });
});
