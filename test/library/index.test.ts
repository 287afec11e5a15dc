// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// The package's library entry point (src/index.ts): what a program embedding joulebench imports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as joulebench from '../../src/index.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

test('the library exports the sweep, comparison, budgets, history, variants and the stopping CI', () => {
  for (const name of [
    'parseScenario', 'expandPlan', 'prepareModels', 'runSweep', 'resolveMeters', 'writeReports', 'registerExecutionProvider',
    'compareRuns', 'readResultFile', 'renderComparisonMarkdown', 'renderComparisonJunit', 'resolveBudgets', 'evaluateBudgets',
    'HistoryStore', 'analyseTrends', 'makeVariant', 'measureFidelity', 'windowedCi', 'batchMeansCi',
  ] as const) {
    assert.equal(typeof joulebench[name], 'function', name);
  }
});

test('through the library: a 20% drop in samples per joule is a failed comparison; the stopping CI is the hand-computed one', () => {
  const baseline = syntheticResult({ measurements: [{ samplesPerJoule: [100, 101, 99] }] });
  const candidate = syntheticResult({ runId: 'cand', measurements: [{ samplesPerJoule: [80, 81, 79] }] });
  const comparison = joulebench.compareRuns({ result: baseline, file: 'a.json' }, { result: candidate, file: 'b.json' });
  assert.equal(comparison.failed, true);
  assert.equal(comparison.keys[0]!.metrics[0]!.verdict, 'regressed');
  assert.match(joulebench.renderComparisonMarkdown(comparison), /regressed/);
  // Two windows of two batches (see test/stats/batch-means.test.ts): pooled, t(3) = 3.182 → 25.98%.
  const ci = joulebench.windowedCi([[{ samples: 10, energyJ: 5 }, { samples: 12, energyJ: 5 }], [{ samples: 8, energyJ: 5 }, { samples: 10, energyJ: 5 }]]);
  assert.ok(Math.abs(ci.halfWidthPercent - ((3.182 * Math.sqrt(2 / 75)) / 2) * 100) < 1e-9);
});
