import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderRankedTable } from '../../src/cli/terminal.js';
import { analyseRuns } from '../../src/report/analysis.js';
import { escapeHtml, renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { fidelityBoundLine } from '../../src/report/rank.js';
import { recommend } from '../../src/results/recommend.js';
import { scenarioDefaults } from '../../src/scenario/schema.js';
import { judgeFidelity } from '../../src/variants/bounds.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

// The text-detection net: FP16 at cosine 0.026 against FP32, 19% more samples per joule.
const broken = { reference: 'fp32 on cpu, 32 synthetic samples', samples: 32, inputs: 'synthetic' as const, maxAbsError: 3.1, rmse: 0.9, cosine: 0.026, top1Agreement: null, accuracy: null, referenceAccuracy: null, accuracyRatio: null, nonFiniteValues: 0 };

function run() {
  const result = syntheticResult({
    measurements: [
      { model: 'det', precision: 'fp32', samplesPerJoule: [100, 100, 100] },
      { model: 'det', precision: 'fp16', samplesPerJoule: [119, 119, 119] },
    ],
  });
  result.scenario.resolved = { name: 'synthetic', fidelity: scenarioDefaults.fidelity };
  result.measurements[1]!.fidelity = judgeFidelity(broken, scenarioDefaults.fidelity);
  return result;
}

test('default bound: a variant below cosine 0.99 is outside it and never recommended, even when it saves energy', () => {
  const result = run();
  assert.equal(result.measurements[1]!.fidelity!.withinBounds, false);
  const [pick] = recommend(result.measurements, null);
  assert.equal(pick!.key, 'det/fp32/cpu/b1');
  assert.match(pick!.runnerUp!.whyNot, /^det\/fp16\/cpu\/b1 has 1\.19× .* but breaks the fidelity bounds: cosine 0\.0260 < minCosine 0\.99$/);
});

test('default bound: the variant stays in the tables, marked ✗ fidelity, and the report says the bound and how to change it', () => {
  const result = run();
  const table = renderRankedTable(result);
  assert.match(table, /det\/fp16\/cpu\/b1 ✗ fidelity/);
  assert.match(table, /det\/fp16\/cpu\/b1: ✗ fidelity — cosine 0\.0260 < minCosine 0\.99 \(never recommended\)/);
  const line = 'Fidelity bound: minCosine 0.99, minTop1Agreement 0.99 against FP32 (default: MLPerf\'s 99% rule, docs/fidelity.md); det/fp16 is outside it (✗ fidelity: measured, never recommended). To change it, set `fidelity:` in the scenario (e.g. `fidelity: {minCosine: 0.999}`, or `fidelity: off`) or pass --min-cosine / --accuracy-target.';
  assert.equal(fidelityBoundLine([result]), line);
  assert.ok(table.includes(line));
  const markdown = renderMarkdown(analyseRuns([result]));
  assert.match(markdown, /`det\/fp16\/cpu\/b1` \*\*✗ fidelity\*\*/);
  assert.ok(markdown.includes(line));
  const html = renderHtml(analyseRuns([result]));
  assert.ok(html.includes(`<code>det/fp16/cpu/b1</code> <strong class="fidelity-miss" title="${escapeHtml('cosine 0.0260 < minCosine 0.99')}">✗ fidelity</strong>`));
  assert.ok(html.includes(escapeHtml(line)));
});

test('fidelity: off: no verdict, no mark, and the report says the bound is off', () => {
  const result = run();
  result.scenario.resolved = { name: 'synthetic', fidelity: null };
  result.measurements[1]!.fidelity = judgeFidelity(broken, null);
  assert.equal(recommend(result.measurements, null)[0]!.key, 'det/fp16/cpu/b1');
  assert.doesNotMatch(renderRankedTable(result), /✗ fidelity/);
  assert.match(fidelityBoundLine([result])!, /^Fidelity bound: off/);
});
