// compare of a measured run with an estimated one (allowed with --allow-host-change): the banner comes first in the
// terminal text and right under the outcome in Markdown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareRuns } from '../../src/compare/compare.js';
import { estimatedText } from '../../src/compare/cells.js';
import { renderComparisonMarkdown } from '../../src/compare/markdown.js';
import { renderComparisonText } from '../../src/compare/text.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

const measured = syntheticResult({ measurements: [{ samplesPerJoule: [100, 101, 99] }] });
const estimated = syntheticResult({ estimated: true, runId: 'cand', measurements: [{ samplesPerJoule: [120, 121, 119] }] });

test('estimated against measured: refused without --allow-host-change, and with it a banner before anything else', () => {
  assert.throws(() => compareRuns({ result: measured, file: 'base.json' }, { result: estimated, file: 'cand.json' }), /power meters/);
  const comparison = compareRuns({ result: measured, file: 'base.json' }, { result: estimated, file: 'cand.json' }, { allowHostChange: true });
  const banner = 'ESTIMATED vs MEASURED: power in the candidate is ESTIMATED (no hardware meter), in the baseline it is measured, so the samples/J change compares a model with a measurement, not like for like; compare runs measured with the same meters.';
  assert.equal(estimatedText(comparison), banner);
  const text = renderComparisonText(comparison).split('\n');
  assert.equal(text[0], `WARNING: ${banner}`);
  const md = renderComparisonMarkdown(comparison).split('\n');
  assert.equal(md[4], `> **Warning:** ${banner}`, 'right under the outcome line');
  assert.equal(md.filter((line) => line.includes('ESTIMATED vs MEASURED')).length, 1, 'said once');
});

test('both estimated: the plain estimated note, after the runs', () => {
  const both = compareRuns({ result: syntheticResult({ estimated: true, measurements: [{ samplesPerJoule: [100, 101, 99] }] }), file: 'a' }, { result: estimated, file: 'b' });
  assert.equal(estimatedText(both), 'Power is ESTIMATED in the baseline and candidate (no hardware meter): samples/J changes are estimates, labelled "estimated".');
  assert.equal(renderComparisonText(both).split('\n')[2], estimatedText(both));
});
