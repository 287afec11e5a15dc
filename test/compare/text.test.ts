// The terminal comparison on hand-made comparisons (test/compare/helpers.ts): the runs, the changes, an aligned table,
// notes, the rule and the outcome last; the estimated warnings in their two places.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderComparisonText } from '../../src/compare/text.js';
import { comparedKey, comparison, metricComparison, missingKey as missing, thresholdP99 } from './helpers.js';

const rule = 'A change counts when Welch\'s t-test on the log values of the repetitions gives p < 0.05 and the whole 95% CI of the change lies beyond ±2%; a regression of 5% or more fails. p99 latency without per-window values, and load records (one value per rate), count beyond ±10% (threshold, no test).';

test('a failing comparison, line by line: runs, changes, table, notes, rule, outcome', () => {
  const c = comparison([comparedKey('mlp/fp32/cpu/b8', [metricComparison(), thresholdP99()], ['baseline not valid: x']), missing], { changes: ['onnxruntime 1.30.0 → 1.31.0'] });
  assert.deepEqual(renderComparisonText(c).split('\n'), [
    'baseline:  base.json  (run base-1, 2026-11-30T00:00:00.000Z, ci)',
    'candidate: cand.json  (run cand-2, 2026-12-01T00:00:00.000Z, ci)',
    'changed: onnxruntime 1.30.0 → 1.31.0',
    '',
    // 400 → 360 is −10.0%, CI −12% … −8%; p99 2.00 → 2.05 ms is +2.5%, inside the 10% threshold.
    'configuration    metric     baseline  candidate  change             95% CI       p  verdict',
    'mlp/fp32/cpu/b8  samples/J       400        360  −10.0%     −12.0% … −8.0%  <0.001  REGRESSED — fails the 5% gate',
    'mlp/fp32/cpu/b8  p99 ms         2.00       2.05   +2.5%  no CI (threshold)       —  no significant change (by threshold)',
    '',
    'mlp/fp32/cpu/b8: baseline not valid: x',
    'mlp/fp32/cpu/b1: missing in candidate — FAILS the gate (candidate failed: boom)',
    '',
    rule,
    '',
    // Two failures: the samples/J regression and the configuration missing in the candidate.
    'FAIL: 2 gated regression(s): mlp/fp32/cpu/b8 samples/J −10.0%, mlp/fp32/cpu/b1 missing in candidate (0 improved, 1 regressed, 1 with no significant change)',
  ]);
});

test('a pass without notes or changes: table, rule and outcome; host changes said when compared anyway', () => {
  const improved = metricComparison({ verdict: 'improved', failed: false, change: 0.1, changeCi: [0.08, 0.12], candidate: { mean: 440, n: 5 } });
  const lines = renderComparisonText(comparison([comparedKey('k', [improved])], { hostChanges: ['host CPU "A" → "B"'] })).split('\n');
  assert.deepEqual(lines, [
    'baseline:  base.json  (run base-1, 2026-11-30T00:00:00.000Z, ci)',
    'candidate: cand.json  (run cand-2, 2026-12-01T00:00:00.000Z, ci)',
    'host changed (--allow-host-change): host CPU "A" → "B"',
    '',
    'configuration  metric     baseline  candidate  change          95% CI       p  verdict',
    'k              samples/J       400        440  +10.0%  +8.0% … +12.0%  <0.001  improved',
    '',
    rule,
    '',
    'PASS: no regression of 5% or more (1 improved, 0 regressed, 0 with no significant change)',
  ]);
});

test('columns line up: numbers right-aligned, text left-aligned, no trailing spaces', () => {
  const c = comparison([comparedKey('a-much-longer-configuration-key', [metricComparison({ baseline: { mean: 12345, n: 5 } })]), comparedKey('b', [thresholdP99()])]);
  const table = renderComparisonText(c).split('\n').slice(3, 6);
  // The metric column starts at the same place in the head and in both rows (left-aligned).
  const metricAt = table[0]!.indexOf('metric');
  assert.deepEqual([table[1]!.indexOf('samples/J'), table[2]!.indexOf('p99 ms')], [metricAt, metricAt], table.join('\n'));
  // The "baseline" column ends at the same place in every row (right-aligned); 12345 is written 12,345.
  const headEnd = table[0]!.indexOf('baseline') + 'baseline'.length;
  assert.equal(table[1]!.slice(headEnd - '12,345'.length, headEnd), '12,345');
  assert.equal(table[2]!.slice(headEnd - '2.00'.length, headEnd), '2.00');
  for (const line of table) assert.equal(line, line.trimEnd());
});

test('estimated on both sides: the plain note right after the runs, short "(est.)" labels in the table', () => {
  const c = comparison([comparedKey('k', [metricComparison({ estimated: true })])], {
    estimated: true,
    baseline: { file: 'base.json', runId: 'base-1', createdAt: '2026-11-30T00:00:00.000Z', status: 'complete', host: 'ci', estimated: true },
    candidate: { file: 'cand.json', runId: 'cand-2', createdAt: '2026-12-01T00:00:00.000Z', status: 'complete', host: 'ci', estimated: true },
  });
  const lines = renderComparisonText(c).split('\n');
  assert.match(lines[2]!, /^Power is ESTIMATED in the baseline and candidate/);
  assert.ok(lines.some((line) => /^k +samples\/J \(est\.\) +400 +360 /.test(line)));
  assert.match(lines.at(-1)!, /^FAIL: 1 gated regression\(s\): k samples\/J \(est\.\) −10\.0%/);
});

test('estimated on one side: the warning first, then a blank line, then the runs', () => {
  const c = comparison([comparedKey('k', [metricComparison({ estimated: true })])], {
    estimated: true,
    baseline: { file: 'base.json', runId: 'base-1', createdAt: '2026-11-30T00:00:00.000Z', status: 'complete', host: 'ci', estimated: true },
  });
  const lines = renderComparisonText(c).split('\n');
  assert.match(lines[0]!, /^WARNING: ESTIMATED vs MEASURED: power in the baseline is ESTIMATED/);
  assert.equal(lines[1], '');
  assert.match(lines[2]!, /^baseline: {2}base\.json/);
  assert.equal(lines.filter((line) => line.includes('ESTIMATED')).length, 1);
});

test('only keys that were not compared: the header row alone, then their lines', () => {
  const c = comparison([missing, { key: 'new/fp32/cpu/b1', status: 'new in candidate', metrics: [], failed: false, notes: [] }]);
  const lines = renderComparisonText(c).split('\n');
  assert.deepEqual(lines.slice(3, 7), [
    'configuration  metric  baseline  candidate  change  95% CI  p  verdict',
    '',
    'mlp/fp32/cpu/b1: missing in candidate — FAILS the gate (candidate failed: boom)',
    'new/fp32/cpu/b1: new in candidate',
  ]);
});
