// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// examples/grafana/joulebench.json: a dashboard Grafana can import — a Prometheus datasource variable, panels on a grid,
// the views issue 19 asks for, and PromQL that selects only metric names joulebench exports. (The live test runs
// every expression against a real Prometheus.)
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { historyMetricNames } from '../../src/metrics/history-metrics.js';
import { exportedMetricNames } from '../../src/metrics/result-metrics.js';
import { repoRoot } from '../cli/helpers.js';
import { dashboardTargets, metricNamesIn, type Dashboard } from './grafana-dashboard.js';

const dashboard = JSON.parse(await readFile(path.join(repoRoot, 'examples', 'grafana', 'joulebench.json'), 'utf8')) as Dashboard;

describe('examples/grafana/joulebench.json', () => {
  test('a dashboard model: title, uid, schemaVersion, unique panel ids, panels on the 24-column grid without overlap', () => {
    assert.ok(dashboard.title.length > 0 && /^[A-Za-z0-9_-]{1,40}$/.test(dashboard.uid));
    assert.equal(typeof dashboard.schemaVersion, 'number');
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      assert.ok(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0, `${panel.title}: gridPos ${JSON.stringify(panel.gridPos)}`);
      for (let col = x; col < x + w; col++) {
        for (let row = y; row < y + h; row++) {
          assert.ok(!cells.has(`${col},${row}`), `${panel.title} overlaps another panel at ${col},${row}`);
          cells.add(`${col},${row}`);
        }
      }
    }
  });

  test('a Prometheus datasource variable that every panel and query variable uses', () => {
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    assert.ok(variable);
    assert.equal(variable.query, 'prometheus');
    const uid = `\${${variable.name}}`;
    for (const panel of dashboard.panels) {
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid }, panel.title);
      for (const target of panel.targets ?? []) assert.deepEqual(target.datasource, { type: 'prometheus', uid }, `${panel.title} ${target.refId}`);
    }
    for (const query of dashboard.templating.list.filter((v) => v.type === 'query')) assert.deepEqual(query.datasource, { type: 'prometheus', uid }, query.name);
  });

  test('the views of issue 19: samples/J by precision and batch, energy per 1,000 inferences, p99 beside it, gCO2e', () => {
    const panel = (pattern: RegExp) => {
      const found = dashboard.panels.find((p) => pattern.test(p.title));
      assert.ok(found, `no panel titled ${pattern}`);
      return found;
    };
    const spj = panel(/^Samples per joule by precision and batch$/);
    assert.match(spj.targets![0]!.expr, /by \([^)]*precision[^)]*batch[^)]*\) \(joulebench_samples_per_joule/);
    const energy = panel(/^Energy per 1,000 inferences$/);
    assert.equal(energy.fieldConfig?.defaults?.unit, 'joule');
    assert.match(energy.targets![0]!.expr, /^1000 \* sum by .*joulebench_energy_joules_total.* \/ sum by .*joulebench_samples_total/);
    const p99 = panel(/^p99 latency/);
    assert.match(p99.targets![0]!.expr, /joulebench_latency_seconds\{[^}]*quantile="0\.99"/);
    assert.equal(p99.fieldConfig?.defaults?.unit, 's');
    // Beside: the same row, next to each other.
    assert.equal(p99.gridPos.y, energy.gridPos.y);
    assert.equal(Math.abs(p99.gridPos.x - energy.gridPos.x), energy.gridPos.w);
    const carbon = panel(/^gCO2e per 1,000 inferences$/);
    assert.equal(carbon.fieldConfig?.defaults?.unit, 'massg');
    assert.match(carbon.targets![0]!.expr, /joulebench_carbon_grams_total/);
  });

  test('every expression selects only metric names joulebench exports', () => {
    const exported = new Set<string>([...exportedMetricNames, ...historyMetricNames]);
    const targets = dashboardTargets(dashboard);
    for (const target of targets) {
      const names = metricNamesIn(target.expr);
      assert.ok(names.length > 0, `${target.panel}: no metric in ${target.expr}`);
      for (const name of names) assert.ok(exported.has(name), `${target.panel}: ${name} is not a metric joulebench exports (${target.expr})`);
    }
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      for (const name of metricNamesIn((variable.definition ?? '').replace(/^label_values\((.*), \w+\)$/, '$1'))) assert.ok(exported.has(name), `${variable.name}: ${name}`);
    }
  });

  test('the metric-name reader skips labels, strings, groupings and functions', () => {
    assert.deepEqual(metricNamesIn('1000 * sum by (model, batch) (rate(foo_total{a="b c", d=~"x|y"}[5m])) / on (model) group_left bar'), ['foo_total', 'bar']);
  });
});
