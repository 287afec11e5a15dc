// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// A real Prometheus (Debian's package) on loopback scrapes the live endpoint serving a hand-made result; the energy it
// stores is the energy result.json says, and every PromQL expression of the Grafana dashboard runs against it. Then
// the same with a real bench run.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ExpositionFormat } from '../../src/metrics/openmetrics.js';
import { resultMetricFamilies } from '../../src/metrics/result-metrics.js';
import { startMetricsServer, type MetricsServer } from '../../src/metrics/server.js';
import type { RunResult } from '../../src/results/types.js';
import { ensureBuilt, fastFlags, removeDir, repoRoot, tempDir } from '../cli/helpers.js';
import { handMadeResult } from './fixture.js';
import { dashboardTargets, substituteVariables, type Dashboard } from './grafana-dashboard.js';
import { freePort, missingTools, poll, startCli, startPrometheus, type PromResponse } from './real-tools.js';

const skip = missingTools('prometheus');

describe('a real Prometheus scraping --metrics-port', { skip, timeout: 120_000 }, () => {
  const result = handMadeResult();
  const served: ExpositionFormat[] = [];
  let server: MetricsServer | undefined;
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;

  before(async () => {
    server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, () => resultMetricFamilies(result), (format) => served.push(format));
    prometheus = await startPrometheus([`127.0.0.1:${server.port}`]);
    const p = prometheus;
    await poll('the first scrape', 60_000, async () => ((await p.query('joulebench_energy_joules_total')).data?.result.length === 2 ? true : undefined), p.output);
  });

  after(async () => {
    await prometheus?.stop();
    await server?.close();
  });

  test('joulebench_energy_joules_total queried back is the energy of result.json (sum of its windows)', async () => {
    const answer = await prometheus!.query('joulebench_energy_joules_total');
    assert.equal(answer.status, 'success');
    const byKey = new Map(answer.data!.result.map((series) => [series.metric.key, series]));
    for (const m of result.measurements.filter((x) => x.status === 'ok')) {
      const series = byKey.get(m.key);
      assert.ok(series, `no series for ${m.key}`);
      assert.equal(Number(series.value[1]), m.repetitions.reduce((sum, r) => sum + r.energyJ, 0));
      assert.equal(series.metric.estimated, String(m.energy!.estimated));
      assert.equal(series.metric.job, 'joulebench');
    }
    // The hand-made numbers: 40 + 60 J measured by RAPL, 10 J estimated.
    assert.equal(byKey.get('mlp/fp32/cpu/b8')!.value[1], '100');
    assert.equal(byKey.get('mlp/int8/cpu/b1')!.value[1], '10');
  });

  test('Prometheus negotiated OpenMetrics and the scrape was whole (up 1, every sample taken)', async () => {
    assert.ok(served.length > 0 && served.every((format) => format === 'openmetrics'), `formats served: ${served.join(', ')}`);
    const up = await prometheus!.query('up{job="joulebench"}');
    assert.equal(up.data!.result[0]!.value[1], '1');
    const scraped = await prometheus!.query('scrape_samples_scraped{job="joulebench"}');
    // 2 configurations × (energy, samples, power, samples/J, 3 quantiles + sum + count, carbon) + 1 idle power.
    assert.equal(scraped.data!.result[0]!.value[1], String(2 * 10 + 1));
  });

  test('every PromQL expression of examples/grafana/joulebench.json runs without error and finds data', async () => {
    const dashboard = JSON.parse(await readFile(path.join(repoRoot, 'examples', 'grafana', 'joulebench.json'), 'utf8')) as Dashboard;
    const targets = dashboardTargets(dashboard);
    assert.ok(targets.length >= 8);
    for (const target of targets) {
      const expr = substituteVariables(target.expr);
      const answer: PromResponse = await prometheus!.query(expr);
      assert.equal(answer.status, 'success', `${target.panel}: ${expr}: ${answer.error ?? ''}`);
      assert.ok(answer.data!.result.length > 0, `${target.panel}: ${expr} returned no series`);
    }
    // Energy per 1,000 inferences, by hand: 1000 × 100 J / 2,000 samples = 50 J; 1000 × 10 J / 500 = 20 J.
    const energy = targets.find((t) => /Energy per 1,000/.test(t.panel))!;
    const values = (await prometheus!.query(substituteVariables(energy.expr))).data!.result.map((s) => [s.metric.precision, Number(s.value[1])]);
    assert.deepEqual(values.sort(), [['fp32', 50], ['int8', 20]]);
  });

  test('the dashboard variables find the hosts and models', async () => {
    const dashboard = JSON.parse(await readFile(path.join(repoRoot, 'examples', 'grafana', 'joulebench.json'), 'utf8')) as Dashboard;
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const match = /^label_values\((.+), (\w+)\)$/.exec(variable.definition ?? '');
      assert.ok(match, `${variable.name}: expected label_values(selector, label), got ${variable.definition}`);
      const url = `${prometheus!.url}/api/v1/label/${match[2]}/values?match[]=${encodeURIComponent(substituteVariables(match[1]!))}`;
      const answer = (await (await fetch(url)).json()) as { status: string; data: string[] };
      assert.equal(answer.status, 'success');
      assert.deepEqual(answer.data, match[2] === 'host' ? ['bench-01'] : ['mlp']);
    }
  });
});

describe('a real Prometheus scraping a real bench run', { skip, timeout: 180_000 }, () => {
  let work = '';
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  before(async () => {
    await ensureBuilt();
    work = await tempDir('metrics-live-run');
  });
  after(async () => {
    await prometheus?.stop();
    await removeDir(work);
  });

  test('the energy Prometheus stored while the run went is the energy result.json says', async () => {
    const port = await freePort();
    prometheus = await startPrometheus([`127.0.0.1:${port}`]);
    // Two seconds of idle baseline after the sweep keep the endpoint up for scrapes after the last configuration.
    const cli = startCli(['bench', 'mlp', '--batch', '1,8', '--meter', 'estimate', '--cpu-tdp-watts', '65', ...fastFlags, '--idle-seconds', '2', '--out', path.join(work, 'results'), '--metrics-port', String(port)], work);
    assert.equal(await cli.done, 0, cli.stderr());
    const runs = await readdir(path.join(work, 'results'));
    const result = JSON.parse(await readFile(path.join(work, 'results', runs[0]!, 'result.json'), 'utf8')) as RunResult;
    // The endpoint closed with the run: its series are stale now, so read the last value scraped.
    const answer = await prometheus.query('last_over_time(joulebench_energy_joules_total[10m])');
    assert.equal(answer.status, 'success');
    const stored = new Map(answer.data!.result.map((series) => [series.metric.key!, Number(series.value[1])]));
    // The first configuration was exposed longest; every series stored must match result.json to the last digit.
    assert.ok(stored.has(result.measurements[0]!.key), `Prometheus stored ${[...stored.keys()].join(', ') || 'nothing'}\n${cli.stderr()}`);
    for (const [key, energyJ] of stored) {
      const m = result.measurements.find((x) => x.key === key)!;
      assert.equal(energyJ, m.repetitions.reduce((sum, r) => sum + r.energyJ, 0), key);
    }
  });
});
