// The Markdown comparison ($GITHUB_STEP_SUMMARY) on hand-made comparisons: heading and outcome, the runs, an escaped
// table with decorated verdicts, notes, the rule in <sub>, and the estimated warning in its two places.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderComparisonMarkdown } from '../../src/compare/markdown.js';
import { comparedKey, comparison, metricComparison, missingKey as missing, thresholdP99 } from './helpers.js';

const rule = 'A change counts when Welch\'s t-test on the log values of the repetitions gives p < 0.05 and the whole 95% CI of the change lies beyond ±2%; a regression of 5% or more fails. p99 latency without per-window values, and load records (one value per rate), count beyond ±10% (threshold, no test).';
const estimatedRun = (file: string, runId: string) => ({ file, runId, createdAt: '2026-12-01T00:00:00.000Z', status: 'complete' as const, host: 'ci', estimated: true });

test('a failing comparison, line by line', () => {
  const c = comparison([comparedKey('mlp/fp32/cpu/b8', [metricComparison(), thresholdP99()], ['baseline not valid: x']), missing], { changes: ['onnxruntime 1.30.0 → 1.31.0'] });
  assert.deepEqual(renderComparisonMarkdown(c).split('\n'), [
    '## joulebench compare: ❌ regression',
    '',
    '**FAIL: 2 gated regression(s): mlp/fp32/cpu/b8 samples/J −10.0%, mlp/fp32/cpu/b1 missing in candidate (0 improved, 1 regressed, 1 with no significant change)**',
    '',
    '- baseline: `base.json` — run base-1, 2026-11-30T00:00:00.000Z, ci',
    '- candidate: `cand.json` — run cand-2, 2026-12-01T00:00:00.000Z, ci',
    '- changed: onnxruntime 1.30.0 → 1.31.0',
    '',
    '| configuration | metric | baseline | candidate | change | 95% CI | p | verdict |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    // 400 → 360: −10.0%, failing the 5% gate (shouted); p99 2.00 → 2.05: +2.5%, inside ±10% (plain).
    '| mlp/fp32/cpu/b8 | samples/J | 400 | 360 | −10.0% | −12.0% … −8.0% | <0.001 | ❌ **REGRESSED — fails the 5% gate** |',
    '| mlp/fp32/cpu/b8 | p99 ms | 2.00 | 2.05 | +2.5% | no CI (threshold) | — | no significant change (by threshold) |',
    '',
    '- mlp/fp32/cpu/b8: baseline not valid: x',
    '- mlp/fp32/cpu/b1: missing in candidate — FAILS the gate (candidate failed: boom)',
    '',
    `<sub>${rule}</sub>`,
    '',
  ]);
});

test('a pass: the green heading, an improvement ticked, a regression outside the gate left plain, host changes listed', () => {
  const improved = metricComparison({ verdict: 'improved', failed: false, change: 0.1, changeCi: [0.08, 0.12], candidate: { mean: 440, n: 5 } });
  const ungated = metricComparison({ metric: 'samplesPerSecond', label: 'samples/s', failed: false, gated: false });
  const lines = renderComparisonMarkdown(comparison([comparedKey('k', [improved, ungated])], { hostChanges: ['host CPU "A" → "B"'] })).split('\n');
  assert.equal(lines[0], '## joulebench compare: ✅ no regression');
  assert.equal(lines[2], '**PASS: no regression of 5% or more (1 improved, 1 regressed, 0 with no significant change)**');
  assert.ok(lines.includes('- host changed (compared anyway, --allow-host-change): host CPU "A" → "B"'));
  assert.ok(lines.includes('| k | samples/J | 400 | 440 | +10.0% | +8.0% … +12.0% | <0.001 | ✅ improved |'));
  assert.ok(lines.includes('| k | samples/s | 400 | 360 | −10.0% | −12.0% … −8.0% | <0.001 | regressed (not gated) |'));
  assert.ok(!lines.some((line) => line.startsWith('- k:')), 'no notes');
});

test('pipes in names, files and notes are escaped and line breaks flattened, so the table keeps its columns', () => {
  const c = comparison([comparedKey('a|b', [metricComparison()], ['line one\nline two | more'])], {
    baseline: { file: 'runs|old/result.json', runId: 'r|1', createdAt: '2026-11-30T00:00:00.000Z', status: 'complete', host: 'ci', estimated: false },
  });
  const lines = renderComparisonMarkdown(c).split('\n');
  assert.equal(lines[4], '- baseline: `runs\\|old/result.json` — run r\\|1, 2026-11-30T00:00:00.000Z, ci');
  const row = lines.find((line) => line.startsWith('| a\\|b |'))!;
  // 8 cells: 9 unescaped pipes.
  assert.equal(row.replace(/\\\|/g, '').split('|').length - 1, 9);
  assert.ok(lines.includes('- a\\|b: line one line two \\| more'));
  assert.match(lines[2]!, /^\*\*FAIL: 1 gated regression\(s\): a\\\|b samples\/J −10\.0%/);
});

test('estimated on one side: the warning right under the outcome, once', () => {
  const c = comparison([comparedKey('k', [metricComparison({ estimated: true })])], { estimated: true, candidate: estimatedRun('cand.json', 'cand-2') });
  const lines = renderComparisonMarkdown(c).split('\n');
  assert.match(lines[4]!, /^> \*\*Warning:\*\* ESTIMATED vs MEASURED: power in the candidate is ESTIMATED/);
  assert.equal(lines[5], '');
  assert.equal(lines.filter((line) => line.includes('ESTIMATED')).length, 1);
  assert.ok(lines.some((line) => line.startsWith('| k | samples/J (estimated) |')), 'the long label in Markdown');
});

test('estimated on both sides: the plain warning after the runs, before the table', () => {
  const c = comparison([comparedKey('k', [metricComparison({ estimated: true, failed: false, verdict: 'no significant change' })])], {
    estimated: true, baseline: estimatedRun('base.json', 'base-1'), candidate: estimatedRun('cand.json', 'cand-2'),
  });
  const lines = renderComparisonMarkdown(c).split('\n');
  const warning = lines.findIndex((line) => line.startsWith('> **Warning:** Power is ESTIMATED in the baseline and candidate'));
  assert.equal(warning, 7, lines.join('\n'));
  assert.deepEqual(lines.slice(5, 7), ['- candidate: `cand.json` — run cand-2, 2026-12-01T00:00:00.000Z, ci', '']);
  assert.equal(lines[9], '| configuration | metric | baseline | candidate | change | 95% CI | p | verdict |');
});

test('ends with one newline, the rule last', () => {
  const text = renderComparisonMarkdown(comparison([comparedKey('k', [thresholdP99()])]));
  assert.ok(text.endsWith('</sub>\n'));
  assert.ok(!text.endsWith('\n\n'));
});
