import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadSectionHtml, loadSectionMarkdown } from '../../src/report/load-section.js';
import type { LoadRecord } from '../../src/results/load-types.js';
import type { RunResult } from '../../src/results/types.js';

const record = {
  key: 'mlp/fp32/cpu/mb8-w5/s1@20', targetRate: 20, achievedRate: 20, p50Ms: 6.2, p99Ms: 9.9, meanBatchSize: 1.1, utilisation: 0.05, meanWatts: 10,
  joulesPerRequest: 0.5, kWhPer1kRequests: 0.5 / 3600, idleShare: 0.4, flatOutJoulesPerSample: 0.01, vsFlatOut: 50, valid: true, overCapacity: false,
  reasons: [], estimated: false, status: 'ok', error: null,
} as unknown as LoadRecord;

test('no load records: no section', () => {
  assert.deepEqual(loadSectionMarkdown([{ measurements: [] } as unknown as RunResult]), []);
  assert.equal(loadSectionHtml([{ measurements: [] } as unknown as RunResult]), '');
});

test('a load record: one table row with J/request, idle share and the flat-out ratio; the recommendation under it', () => {
  const run = { load: [record], loadRecommendations: [{ targetRate: 20, key: record.key, joulesPerRequest: 0.5, p99Ms: 9.9, reason: 'least energy per request', estimated: false }] } as unknown as RunResult;
  const text = loadSectionMarkdown([run]).join('\n');
  assert.match(text, /## Serving under load/);
  assert.match(text, /\| `mlp\/fp32\/cpu\/mb8-w5\/s1@20` \| 20 \| 20\.00 \| 6\.20 \| 9\.90 \| 1\.10 \| 5\.0% \| 10\.0 \| 0\.500 \| 0\.000139 \| 40\.0% \| 0\.0100 \| 50\.0× \| valid \|/);
  assert.match(text, /- \*\*20 req\/s\*\* — `mlp\/fp32\/cpu\/mb8-w5\/s1@20`: least energy per request/);
  const html = loadSectionHtml([run]);
  assert.match(html, /<section id="load">[\s\S]*<td>40\.0%<\/td>/);
  // The energy-proportionality chart: the configuration's line and its flat-out floor (dashed).
  assert.match(html, /<svg [^>]*aria-label="Energy per request against load"[\s\S]*stroke-dasharray="5 4"[\s\S]*<\/svg>/);
  assert.match(html, /aria-label="Mean power against load"/);
});
