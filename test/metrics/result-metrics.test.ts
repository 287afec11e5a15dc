// A result as metric families: names, labels and values from the hand-made result of test/metrics/fixture.ts, checked
// here without rendering (test/metrics/openmetrics.test.ts checks the exposition text, as an integration test).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricFamily } from '../../src/metrics/openmetrics.js';
import { configurationLabels, exportedMetricNames, latencyQuantiles, resultMetricFamilies, seconds, type MetricsSource } from '../../src/metrics/result-metrics.js';
import { handMadeResult } from './fixture.js';

const b8 = 'mlp/fp32/cpu/b8';
const int8 = 'mlp/int8/cpu/b1';

// family name → [key label (+ quantile when there is one) and sample suffix, value].
function valuesOf(families: MetricFamily[], name: string): Array<[string, number]> {
  const family = families.find((f) => f.name === name);
  assert.ok(family, `no family ${name}`);
  return family.samples.map((s) => {
    const labels = new Map(s.labels);
    const quantile = labels.get('quantile');
    return [`${labels.get('key')}${s.suffix}${quantile ? `{${quantile}}` : ''}`, s.value];
  });
}

test('the labels of a configuration: model, precision, ep, batch, counted meters, host, estimated, key', () => {
  const result = handMadeResult();
  assert.deepEqual(configurationLabels(result.measurements[0]!, result), [
    ['model', 'mlp'], ['precision', 'fp32'], ['ep', 'cpu'], ['batch', '8'], ['meter', 'rapl'], ['host', 'bench-01'], ['estimated', 'false'], ['key', b8],
  ]);
  assert.deepEqual(new Map(configurationLabels(result.measurements[1]!, result)).get('estimated'), 'true');
});

test('the meter label: the meters counted for the configuration, sorted; else every meter of the run', () => {
  const result = handMadeResult();
  const m = result.measurements[0]!;
  const meter = (measurement: typeof m, source: MetricsSource = result) => new Map(configurationLabels(measurement, source)).get('meter');
  assert.equal(meter({ ...m, power: { ...m.power!, byMeter: { rapl: 30, 'nvidia-smi:0': 20 } } }), 'nvidia-smi:0+rapl');
  assert.equal(meter({ ...m, power: { ...m.power!, byMeter: {} } }), 'rapl+estimate', 'in the run\'s meter order');
  assert.equal(meter({ ...m, power: null }), 'rapl+estimate');
  // No run yet (the live exporter before the first configuration): no host.
  assert.equal(new Map(configurationLabels(m, { ...result, environment: null })).get('host'), '');
  assert.equal(new Map(configurationLabels({ ...m, energy: null }, result)).get('estimated'), 'false');
});

test('seconds: milliseconds ÷ 1000 without binary noise', () => {
  // 0.485 / 1000 is 0.00048499999999999997 in floating point; 15 significant digits give 0.000485.
  assert.equal(seconds(0.485), 0.000485);
  assert.equal(seconds(16 * 250), 4);
  assert.equal(seconds(0), 0);
});

test('seven families in a fixed order, with their types and base units', () => {
  const families = resultMetricFamilies(handMadeResult());
  assert.deepEqual(families.map((f) => [f.name, f.type, f.unit]), [
    ['joulebench_energy_joules', 'counter', 'joules'],
    ['joulebench_samples', 'counter', null],
    ['joulebench_power_watts', 'gauge', 'watts'],
    ['joulebench_idle_power_watts', 'gauge', 'watts'],
    ['joulebench_samples_per_joule', 'gauge', null],
    ['joulebench_latency_seconds', 'summary', 'seconds'],
    ['joulebench_carbon_grams', 'counter', 'grams'],
  ]);
  const sampleNames = new Set(families.flatMap((f) => f.samples.map((s) => `${f.name}${s.suffix}`)));
  assert.deepEqual([...sampleNames].sort(), [...exportedMetricNames].sort(), 'every exported name is used, and only those');
  assert.ok(families.every((f) => f.help.length > 0));
});

test('the values, by hand, for the two measured configurations; the failed one exports nothing', () => {
  const families = resultMetricFamilies(handMadeResult());
  // b8: windows of 40 J + 60 J = 100 J and 800 + 1200 = 2000 samples. int8: one window of 10 J and 500 samples.
  assert.deepEqual(valuesOf(families, 'joulebench_energy_joules'), [[`${b8}_total`, 100], [`${int8}_total`, 10]]);
  assert.deepEqual(valuesOf(families, 'joulebench_samples'), [[`${b8}_total`, 2000], [`${int8}_total`, 500]]);
  assert.deepEqual(valuesOf(families, 'joulebench_power_watts'), [[b8, 50], [int8, 10]]);
  // int8 has no idle baseline (idleWatts null): no sample rather than a 0.
  assert.deepEqual(valuesOf(families, 'joulebench_idle_power_watts'), [[b8, 20]]);
  assert.deepEqual(valuesOf(families, 'joulebench_samples_per_joule'), [[b8, 20], [int8, 50]]);
  // Quantiles in seconds (15 ms → 0.015 …); sum = mean × runs: b8 16 ms × (100 + 150) runs = 4 s; int8 2 ms × 500 = 1 s.
  assert.deepEqual(valuesOf(families, 'joulebench_latency_seconds'), [
    [`${b8}{0.5}`, 0.015], [`${b8}{0.9}`, 0.02], [`${b8}{0.99}`, 0.025], [`${b8}_sum`, 4], [`${b8}_count`, 250],
    [`${int8}{0.5}`, 0.002], [`${int8}{0.9}`, 0.0025], [`${int8}{0.99}`, 0.004], [`${int8}_sum`, 1], [`${int8}_count`, 500],
  ]);
  // gCO2e per 1,000 samples × samples ÷ 1000: 6 × 2000 / 1000 = 12 g; 0.5 × 500 / 1000 = 0.25 g.
  assert.deepEqual(valuesOf(families, 'joulebench_carbon_grams'), [[`${b8}_total`, 12], [`${int8}_total`, 0.25]]);
  assert.deepEqual(latencyQuantiles.map(([q]) => q), ['0.5', '0.9', '0.99']);
});

test('an ok configuration without latency or power still exports energy, samples, samples/J and carbon', () => {
  const result = handMadeResult();
  result.measurements = [{ ...result.measurements[0]!, latencyMs: null, power: null }];
  const families = resultMetricFamilies(result);
  const counts = Object.fromEntries(families.map((f) => [f.name, f.samples.length]));
  assert.deepEqual(counts, {
    joulebench_energy_joules: 1, joulebench_samples: 1, joulebench_power_watts: 0, joulebench_idle_power_watts: 0,
    joulebench_samples_per_joule: 1, joulebench_latency_seconds: 0, joulebench_carbon_grams: 1,
  });
});

test('nothing measured (or ok without an energy block): the families with no samples', () => {
  const result = handMadeResult();
  result.measurements = [{ ...result.measurements[0]!, energy: null }, result.measurements[2]!];
  const families = resultMetricFamilies(result);
  assert.equal(families.length, 7);
  assert.ok(families.every((f) => f.samples.length === 0));
  assert.ok(resultMetricFamilies({ measurements: [], meters: [], environment: null }).every((f) => f.samples.length === 0));
});
