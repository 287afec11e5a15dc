// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// `bench --openmetrics FILE --metrics-port 0` through the real CLI: the endpoint answers while the run goes, the file
// is what result.json says, promtool passes it, and a real node_exporter's textfile collector reads it; a port in use
// is exit 2 before anything is measured.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { renderPrometheusText } from '../../src/metrics/openmetrics.js';
import { resultMetricFamilies } from '../../src/metrics/result-metrics.js';
import type { RunResult } from '../../src/results/types.js';
import { assertBadInput, ensureBuilt, fastFlags, removeDir, runCli, tempDir } from '../cli/helpers.js';
import { missingTools, poll, promtoolCheckMetrics, startCli, startNodeExporter } from './real-tools.js';

const benchArgs = ['bench', 'mlp', '--batch', '1,8', '--meter', 'estimate', '--cpu-tdp-watts', '65', ...fastFlags];

describe('bench --openmetrics --metrics-port', { timeout: 180_000 }, () => {
  let work = '';
  before(async () => {
    await ensureBuilt();
    work = await tempDir('metrics-cli');
  });
  after(() => removeDir(work));

  test('the live endpoint answers during the run; the .prom file is result.json\'s metrics; promtool and node_exporter take it', async () => {
    const textfileDir = path.join(work, 'textfile');
    await mkdir(textfileDir);
    const file = path.join(textfileDir, 'joulebench.prom');
    const cli = startCli([...benchArgs, '--out', path.join(work, 'results'), '--openmetrics', file, '--metrics-port', '0'], work);
    const url = await poll('the metrics address on stderr', 60_000, async () => /metrics: serving (http:\/\/127\.0\.0\.1:\d+\/metrics) while the run goes/.exec(cli.stderr())?.[1], cli.stderr);
    const plain = await fetch(url);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const duringRun = await plain.text();
    const om = await fetch(url, { headers: { Accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
    assert.equal(om.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.ok((await om.text()).endsWith('# EOF\n'));
    assert.equal(await cli.done, 0, cli.stderr());
    // The server is gone with the run.
    await assert.rejects(fetch(url));

    const runs = await readdir(path.join(work, 'results'));
    const result = JSON.parse(await readFile(path.join(work, 'results', runs[0]!, 'result.json'), 'utf8')) as RunResult;
    const text = await readFile(file, 'utf8');
    assert.equal(text, renderPrometheusText(resultMetricFamilies(result)));
    for (const m of result.measurements) {
      const energyJ = m.repetitions.reduce((sum, r) => sum + r.energyJ, 0);
      assert.ok(text.includes(`key="${m.key}"} ${energyJ}\n`), `${m.key}: ${energyJ} J not in\n${text}`);
      // The estimate meter: never passes as measured.
      assert.ok(text.includes(`batch="${m.batchSize}",meter="estimate",host="${result.environment.host.hostname}",estimated="true"`));
    }
    if (!missingTools('promtool')) {
      for (const exposition of [text, duringRun]) {
        const check = promtoolCheckMetrics(exposition);
        assert.equal(check.status, 0, check.output);
      }
    }
    if (!missingTools('prometheus-node-exporter')) {
      const exporter = await startNodeExporter(textfileDir);
      try {
        const scraped = await (await fetch(exporter.url)).text();
        assert.match(scraped, /^node_textfile_scrape_error 0$/m);
        for (const m of result.measurements) {
          const energyJ = m.repetitions.reduce((sum, r) => sum + r.energyJ, 0);
          const line = scraped.split('\n').find((l) => l.startsWith('joulebench_energy_joules_total{') && l.includes(`key="${m.key}"`));
          assert.ok(line, `node_exporter lost ${m.key}\n${scraped}`);
          assert.equal(Number(line.split(' ').pop()), energyJ);
        }
      } finally {
        await exporter.stop();
      }
    }
  });

  test('a port in use: exit 2 naming it, before anything is measured (no run folder)', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const out = path.join(work, 'refused');
      const r = await runCli([...benchArgs, '--out', out, '--metrics-port', String(port)], { cwd: work, modelsDir: path.join(work, 'models') });
      assertBadInput(r, `--metrics-port ${port}: 127.0.0.1:${port} is already in use`);
      await assert.rejects(readdir(out), { code: 'ENOENT' });
    } finally {
      holder.close();
    }
  });

  test('flag checks: a port out of range, --metrics-host without a port', async () => {
    const run = (args: string[]) => runCli(['bench', 'mlp', ...args], { cwd: work, modelsDir: path.join(work, 'models') });
    assertBadInput(await run(['--metrics-port', '70000']), '--metrics-port: expected a port from 0 to 65535, got "70000"');
    assertBadInput(await run(['--metrics-host', '0.0.0.0']), '--metrics-host 0.0.0.0 needs --metrics-port');
  });
});

describe('the OpenMetrics file and promtool', { skip: missingTools('promtool') }, () => {
  test('promtool check metrics (which parses the Prometheus text format 0.0.4) reports only the known counter difference on OpenMetrics', async () => {
    const { handMadeOpenMetrics } = await import('./fixture.js');
    // OpenMetrics names a counter family without _total (`# TYPE joulebench_energy_joules counter`); promtool 2.42
    // reads that as an empty family and the _total samples as untyped ones without HELP. Nothing else differs.
    const check = promtoolCheckMetrics(handMadeOpenMetrics);
    assert.deepEqual(check.output.split('\n').sort(), ['joulebench_carbon_grams_total no help text', 'joulebench_energy_joules_total no help text', 'joulebench_samples_total no help text']);
  });
});
