// The terminal summary of `joulebench report`: with one machine only the costs, with several the banner, every
// recommendation, its cost and caveats, then the prices.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cost, ReportAnalysis } from '../../src/report/analysis-types.js';
import { renderReportSummary } from '../../src/report/summary.js';
import { loadRun, multiRunAnalysis, singleRunAnalysis } from '../fixtures/results/analysis.js';

// 0.25 per million: electricity 0.000333 (estimated on the laptop) + hardware 0.25.
const cost: Cost = { perMillionSamples: 0.250333, electricity: 0.000333, hardware: 0.25 };
const cheaper: Cost = { perMillionSamples: 0.1, electricity: 0.0001, hardware: 0.0999 };
const prices = { electricityPerKWh: 0.3, perHour: { laptop: 0.9 } };
const pricesLine = 'Cost at electricity 0.3 per kWh; hardware per hour: laptop 0.9 (currency of the prices given; --electricity-price, --price-per-hour).';

function priced(analysis: ReportAnalysis, withCheapest: boolean): ReportAnalysis {
  const [r] = analysis.recommendations;
  const cheapest = withCheapest ? { key: 'mlp/fp32/cpu/b64', machine: null, estimated: false, cost: cheaper } : null;
  return { ...analysis, prices, recommendations: [{ ...r!, cost, cheapest }] };
}

test('one machine without prices: nothing to add to its own table (not even its caveats or banner)', () => {
  const analysis = singleRunAnalysis();
  assert.ok(analysis.recommendations[0]!.caveats.length > 0 && analysis.estimatedOnly);
  assert.deepEqual(renderReportSummary(analysis), []);
});

test('one machine with prices: the cost of the chosen configuration, the cheaper one, then the prices', () => {
  // sig(0.250333) = "0.250", sig(0.000333) = "0.000333", sig(0.1) = "0.100", sig(0.0001) = "0.000100", sig(0.0999) = "0.0999".
  assert.deepEqual(renderReportSummary(priced(singleRunAnalysis(), true)), [
    'Cost of mlp/fp32/cpu/b32: 0.250 per 1M inferences (electricity 0.000333 (est.) + hardware 0.250)',
    '  cheaper per 1M inferences: mlp/fp32/cpu/b64 at 0.100 per 1M inferences (electricity 0.000100 + hardware 0.0999)',
    pricesLine,
  ]);
  assert.deepEqual(renderReportSummary(priced(singleRunAnalysis(), false)), ['Cost of mlp/fp32/cpu/b32: 0.250 per 1M inferences (electricity 0.000333 (est.) + hardware 0.250)', pricesLine]);
});

test('one machine: nothing chosen names the model; prices but no recommendation with a cost add nothing', () => {
  const analysis = priced(singleRunAnalysis(), false);
  analysis.recommendations[0]!.chosen = null;
  assert.equal(renderReportSummary(analysis)[0], 'Cost of mlp: 0.250 per 1M inferences (electricity 0.000333 (est.) + hardware 0.250)');
  analysis.recommendations[0]!.cost = null;
  assert.deepEqual(renderReportSummary(analysis), []);
});

test('several machines: the banner in capitals, a blank line, then per model its answer and caveats', () => {
  assert.deepEqual(renderReportSummary(multiRunAnalysis()), [
    'ESTIMATED AND MEASURED ENERGY ARE RANKED TOGETHER: power on AMD EPYC 7B13 (laptop) is ESTIMATED (no hardware meter); on Intel Xeon Gold 6338 (gpu-box) it is measured. Rows marked (est.) are modelled, so ranking them against measured rows compares a model with a measurement: measure AMD EPYC 7B13 (laptop) with a hardware meter before choosing between these machines.',
    '',
    'mlp: Deploy mlp/fp32/cpu/b32: 5.0× the samples per joule of fp32 b1 (−80% energy), p99 4.2 ms ≤ 20 ms SLO',
    '  ⚠ Power is estimated from CPU utilisation, not measured.',
  ]);
});

test('several machines with prices: cost and cheaper option under the answer, before the caveats; prices last', () => {
  const lines = renderReportSummary(priced(multiRunAnalysis(), true));
  assert.deepEqual(lines.slice(2), [
    'mlp: Deploy mlp/fp32/cpu/b32: 5.0× the samples per joule of fp32 b1 (−80% energy), p99 4.2 ms ≤ 20 ms SLO',
    '  cost: 0.250 per 1M inferences (electricity 0.000333 (est.) + hardware 0.250)',
    '  cheaper per 1M inferences: mlp/fp32/cpu/b64 at 0.100 per 1M inferences (electricity 0.000100 + hardware 0.0999)',
    '  ⚠ Power is estimated from CPU utilisation, not measured.',
    pricesLine,
  ]);
});

test('several machines, all measured: no banner, the first line is the answer', () => {
  const server = loadRun('replay-server');
  const analysis = { ...multiRunAnalysis(), runs: [server, { ...server, runId: 'second' }] };
  analysis.recommendations = analysis.recommendations.map((r) => ({ ...r, caveats: [] }));
  assert.deepEqual(renderReportSummary(analysis), ['mlp: Deploy mlp/fp32/cpu/b32: 5.0× the samples per joule of fp32 b1 (−80% energy), p99 4.2 ms ≤ 20 ms SLO']);
});
