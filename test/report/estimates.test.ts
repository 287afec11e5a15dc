// Estimated energy said per row, and the banner every report shows when estimated rows are ranked at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportAnalysis } from '../../src/report/analysis-types.js';
import { estimateBanner, estimationByMachine, rowEstimated } from '../../src/report/estimates.js';
import type { Measurement, RunResult } from '../../src/results/types.js';
import { measurement, run } from './procurement-runs.js';

const row = (batch: number, estimated: boolean): Measurement => measurement(`mlp/fp32/cpu/b${batch}`, 0.01, 1000, 2, estimated);

// A hand-made analysis: the banner reads only runs, machine labels and multiRun.
function analysisOf(runs: RunResult[], labels: Record<string, string> = {}): ReportAnalysis {
  return {
    runs,
    machines: runs.filter((r) => labels[r.runId]).map((r) => ({ runId: r.runId, label: labels[r.runId]!, estimated: r.meters.some((m) => m.estimated) })),
    multiRun: runs.length > 1, estimatedOnly: false, sloP99Ms: null, recommendations: [], carbonByRegion: [], coldStart: [],
  };
}

const detailEnd = 'Energy figures marked (est.) are modelled, not measured: compare them with each other, not with other machines.';

test('rowEstimated: only energy from an estimate meter', () => {
  assert.equal(rowEstimated(row(1, true)), true);
  assert.equal(rowEstimated(row(1, false)), false);
  assert.equal(rowEstimated({ ...row(1, true), energy: null }), false);
});

test('estimationByMachine: labels once each; rows that did not run or have no energy do not count; no label → run id', () => {
  const laptop = run('laptop', 'AMD', true, [row(1, true), row(8, true), { ...row(32, false), status: 'failed' }]);
  const server = run('server', 'Intel', false, [row(1, false), { ...row(8, true), energy: null }]);
  assert.deepEqual(estimationByMachine(analysisOf([laptop, server], { 'run-laptop': 'AMD ×8' })), { estimated: ['AMD ×8'], measured: ['run-server'] });
  // A machine with both kinds of rows is in both lists.
  const mixed = run('mixed', 'AMD', true, [row(1, true), row(8, false)]);
  assert.deepEqual(estimationByMachine(analysisOf([mixed])), { estimated: ['run-mixed'], measured: ['run-mixed'] });
});

test('every row measured and no estimate meter: no banner', () => {
  assert.equal(estimateBanner(analysisOf([run('server', 'Intel', false, [row(1, false)])])), null);
  assert.equal(estimateBanner(analysisOf([])), null);
});

test('every row measured but an estimate meter ran beside the hardware meters: "partly ESTIMATED"', () => {
  const server = run('server', 'Intel', false, [row(1, false)]);
  server.meters = [...server.meters, ...run('x', 'x', true, []).meters];
  assert.deepEqual(estimateBanner(analysisOf([server])), {
    headline: 'Power is partly ESTIMATED',
    detail: 'an estimate meter ran beside the hardware meters; rows marked (est.) are modelled, not measured.',
  });
});

test('every row estimated: "Power is ESTIMATED", naming "any machine" only with several', () => {
  const laptop = run('laptop', 'AMD', true, [row(1, true)]);
  assert.deepEqual(estimateBanner(analysisOf([laptop])), { headline: 'Power is ESTIMATED', detail: `no hardware power meter was used. ${detailEnd}` });
  const other = run('laptop-2', 'AMD', true, [row(1, true)]);
  assert.equal(estimateBanner(analysisOf([laptop, other]))!.detail, `no hardware power meter was used on any machine. ${detailEnd}`);
});

test('one machine estimated, another measured: ranked together, telling which machine to measure', () => {
  const analysis = analysisOf([run('laptop', 'AMD', true, [row(1, true)]), run('server', 'Intel', false, [row(1, false)])], { 'run-laptop': 'laptop', 'run-server': 'server' });
  assert.deepEqual(estimateBanner(analysis), {
    headline: 'Estimated and measured energy are ranked together',
    detail: 'power on laptop is ESTIMATED (no hardware meter); on server it is measured. Rows marked (est.) are modelled, so ranking them against measured rows compares a model with a measurement: measure laptop with a hardware meter before choosing between these machines.',
  });
});

test('some rows estimated on one run: "partly ESTIMATED", and with several runs the machines named', () => {
  const tail = 'Rows marked (est.) are modelled, not measured: do not rank them against the measured rows.';
  const mixed = run('mixed', 'AMD', true, [row(1, true), row(8, false)]);
  assert.deepEqual(estimateBanner(analysisOf([mixed])), { headline: 'Power is partly ESTIMATED', detail: `some rows come from an estimate meter. ${tail}` });
  // Several runs, but no machine is estimated only (mixed has measured rows too): not "ranked together".
  const server = run('server', 'Intel', false, [row(1, false)]);
  assert.deepEqual(estimateBanner(analysisOf([mixed, server], { 'run-mixed': 'AMD ×8', 'run-server': 'Intel ×8' })), {
    headline: 'Power is partly ESTIMATED',
    detail: `some rows (on AMD ×8) come from an estimate meter. ${tail}`,
  });
});
