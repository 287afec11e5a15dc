// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// The exposition text of a hand-made result, byte for byte, in both formats; escaping, numbers, format choice.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeLabelValue, formatForAccept, formatForFile, formatValue, renderOpenMetrics, renderPrometheusText, type MetricFamily } from '../../src/metrics/openmetrics.js';
import { exportedMetricNames, resultMetricFamilies } from '../../src/metrics/result-metrics.js';
import { handMadeOpenMetrics, handMadeResult } from './fixture.js';

describe('result metrics', () => {
  test('OpenMetrics text of a hand-made result, every value computed by hand', () => {
    assert.equal(renderOpenMetrics(resultMetricFamilies(handMadeResult())), handMadeOpenMetrics);
  });

  test('the Prometheus text format names counters by their _total sample in HELP and TYPE, has no UNIT and no EOF', () => {
    const text = renderPrometheusText(resultMetricFamilies(handMadeResult()));
    const metadata = text.split('\n').filter((line) => line.startsWith('#'));
    assert.deepEqual(metadata.filter((line) => line.startsWith('# TYPE')), [
      '# TYPE joulebench_energy_joules_total counter',
      '# TYPE joulebench_samples_total counter',
      '# TYPE joulebench_power_watts gauge',
      '# TYPE joulebench_idle_power_watts gauge',
      '# TYPE joulebench_samples_per_joule gauge',
      '# TYPE joulebench_latency_seconds summary',
      '# TYPE joulebench_carbon_grams_total counter',
    ]);
    assert.equal(metadata.length, 14);
    assert.ok(!text.includes('# EOF') && !text.includes('# UNIT'));
    // The samples are the same lines in both formats.
    const samples = (t: string) => t.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    assert.deepEqual(samples(text), samples(handMadeOpenMetrics));
  });

  test('failed configurations export nothing; a result with none measured is metadata and # EOF only', () => {
    const result = handMadeResult();
    result.measurements = result.measurements.filter((m) => m.status !== 'ok');
    const text = renderOpenMetrics(resultMetricFamilies(result));
    assert.ok(text.endsWith('# EOF\n'));
    assert.deepEqual(text.split('\n').filter((line) => line !== '' && !line.startsWith('#')), []);
  });

  test('every sample name is one of the exported metric names', () => {
    const text = renderOpenMetrics(resultMetricFamilies(handMadeResult()));
    const names = new Set(text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => /^[a-z_]+/.exec(line)![0]));
    assert.deepEqual([...names].sort(), [...exportedMetricNames].sort());
  });
});

describe('exposition details', () => {
  test('label values escape backslash, double quote and line feed', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    const family: MetricFamily = { name: 'x_watts', type: 'gauge', unit: 'watts', help: 'say "hi"\\ \nthere', samples: [{ suffix: '', labels: [['model', 'my "net"\\v2\n']], value: 1.5 }] };
    assert.equal(renderOpenMetrics([family]), '# TYPE x_watts gauge\n# UNIT x_watts watts\n# HELP x_watts say \\"hi\\"\\\\ \\nthere\nx_watts{model="my \\"net\\"\\\\v2\\n"} 1.5\n# EOF\n');
    // Prometheus 0.0.4 HELP escapes only backslash and line feed.
    assert.equal(renderPrometheusText([family]), '# HELP x_watts say "hi"\\\\ \\nthere\n# TYPE x_watts gauge\nx_watts{model="my \\"net\\"\\\\v2\\n"} 1.5\n');
  });

  test('numbers: NaN, +Inf, -Inf, integers without a point, exponents', () => {
    assert.deepEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 42, 0.25, 1e-7, 1.5e21].map(formatValue), ['NaN', '+Inf', '-Inf', '42', '0.25', '1e-7', '1.5e+21']);
  });

  test('timestamps: seconds in OpenMetrics, milliseconds in the Prometheus text', () => {
    const family: MetricFamily = { name: 'g', type: 'gauge', unit: null, help: 'h', samples: [{ suffix: '', labels: [], value: 2, timestampS: 1767225600 }] };
    assert.ok(renderOpenMetrics([family]).includes('\ng 2 1767225600\n'));
    assert.ok(renderPrometheusText([family]).includes('\ng 2 1767225600000\n'));
  });

  test('a .prom file gets the Prometheus text format (what the textfile collector reads), any other name OpenMetrics', () => {
    assert.equal(formatForFile('/var/lib/node_exporter/textfile/joulebench.prom'), 'prometheus');
    assert.equal(formatForFile('JB.PROM'), 'prometheus');
    assert.equal(formatForFile('metrics.om'), 'openmetrics');
    assert.equal(formatForFile('metrics.txt'), 'openmetrics');
  });

  test('Accept negotiation: Prometheus gets OpenMetrics; curl, browsers and text/plain get the 0.0.4 text', () => {
    // The Accept header Prometheus 2.x sends on a scrape (scrape/scrape.go, acceptHeader).
    assert.equal(formatForAccept('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), 'openmetrics');
    assert.equal(formatForAccept('application/openmetrics-text'), 'openmetrics');
    assert.equal(formatForAccept(undefined), 'prometheus');
    assert.equal(formatForAccept('*/*'), 'prometheus');
    assert.equal(formatForAccept('text/plain;version=0.0.4'), 'prometheus');
    assert.equal(formatForAccept('text/plain;q=1,application/openmetrics-text;version=1.0.0;q=0.5'), 'prometheus');
    assert.equal(formatForAccept('application/openmetrics-text;version=0.0.1'), 'prometheus');
    assert.equal(formatForAccept('application/openmetrics-text;q=0'), 'prometheus');
  });
});
