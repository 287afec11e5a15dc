// The run's exporter: refreshed from result.json after each recorded configuration, the file rewritten each time in the
// format its name asks for, the endpoint serving the same; bad files and a port in use refused before anything runs.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { JoulebenchError } from '../../src/errors.js';
import { renderOpenMetrics, renderPrometheusText } from '../../src/metrics/openmetrics.js';
import { resultMetricFamilies } from '../../src/metrics/result-metrics.js';
import { RunMetricsExporter } from '../../src/metrics/run-exporter.js';
import type { Measurement } from '../../src/results/types.js';
import type { SweepEvent } from '../../src/measure/sweep.js';
import { removeDir, tempDir } from '../cli/helpers.js';
import { handMadeOpenMetrics, handMadeResult } from './fixture.js';

describe('RunMetricsExporter', () => {
  let work = '';
  before(async () => {
    work = await tempDir('run-exporter');
  });
  after(() => removeDir(work));

  test('after each config-end the file holds every configuration recorded so far; finish writes the final result', async () => {
    const runDir = path.join(work, 'run');
    await mkdir(runDir);
    const file = path.join(work, 'node', 'joulebench.prom');
    await mkdir(path.dirname(file));
    const exporter = await RunMetricsExporter.start({ file });
    const full = handMadeResult();
    const partial = { ...full, status: 'running' as const, measurements: full.measurements.slice(0, 1) };
    exporter.handle({ type: 'run-dir', runDir });
    // The sweep saves result.json, then reports config-end.
    await writeFile(path.join(runDir, 'result.json'), JSON.stringify(partial));
    exporter.handle({ type: 'config-end', index: 0, total: 3, measurement: partial.measurements[0]! } as SweepEvent);
    await exporter.finish(partial);
    assert.equal(await readFile(file, 'utf8'), renderPrometheusText(resultMetricFamilies(partial)));
    assert.match(await readFile(file, 'utf8'), /key="mlp\/fp32\/cpu\/b8"\} 100$/m);
    assert.doesNotMatch(await readFile(file, 'utf8'), /mlp\/int8/);
    await writeFile(path.join(runDir, 'result.json'), JSON.stringify(full));
    exporter.handle({ type: 'config-end', index: 1, total: 3, measurement: full.measurements[1] as Measurement } as SweepEvent);
    await exporter.finish(full);
    await exporter.close();
    assert.equal(await readFile(file, 'utf8'), renderPrometheusText(resultMetricFamilies(full)));
    // Atomic writes: no temp file left next to it.
    assert.deepEqual(await readdir(path.dirname(file)), ['joulebench.prom']);
  });

  test('any other name gets OpenMetrics; the endpoint serves what was last published, by Accept', async () => {
    const file = path.join(work, 'metrics.om');
    const exporter = await RunMetricsExporter.start({ file, listen: { host: '127.0.0.1', port: 0 } });
    try {
      const empty = await fetch(exporter.server!.url, { headers: { Accept: 'application/openmetrics-text; version=1.0.0' } });
      assert.equal(empty.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
      assert.deepEqual((await empty.text()).split('\n').filter((line) => line !== '' && !line.startsWith('#')), []);
      await exporter.finish(handMadeResult());
      assert.equal(await readFile(file, 'utf8'), handMadeOpenMetrics);
      const om = await fetch(exporter.server!.url, { headers: { Accept: 'application/openmetrics-text; version=1.0.0' } });
      assert.equal(await om.text(), handMadeOpenMetrics);
      const plain = await fetch(exporter.server!.url);
      assert.equal(plain.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      assert.equal(await plain.text(), renderPrometheusText(resultMetricFamilies(handMadeResult())));
      assert.equal((await fetch(exporter.server!.url.replace('/metrics', '/'))).status, 404);
      assert.equal((await fetch(exporter.server!.url, { method: 'POST' })).status, 405);
    } finally {
      await exporter.close();
    }
    assert.equal(renderOpenMetrics(resultMetricFamilies(handMadeResult())), handMadeOpenMetrics);
  });

  test('a port in use is METRICS_PORT_IN_USE (exit 2), naming the flag, the address and the fix', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      await assert.rejects(RunMetricsExporter.start({ listen: { host: '127.0.0.1', port } }), (error: unknown) => {
        assert.ok(error instanceof JoulebenchError);
        assert.equal(error.code, 'METRICS_PORT_IN_USE');
        assert.equal(error.exitCode, 2);
        assert.equal(error.message, `--metrics-port ${port}: 127.0.0.1:${port} is already in use`);
        assert.match(error.hint!, /--metrics-port 0/);
        return true;
      });
    } finally {
      holder.close();
    }
  });

  test('a host that is not this machine\'s, and an --openmetrics folder that does not exist or a file that is a folder', async () => {
    await assert.rejects(RunMetricsExporter.start({ listen: { host: '192.0.2.1', port: 0 } }), { code: 'METRICS_HOST_INVALID' });
    await assert.rejects(RunMetricsExporter.start({ file: path.join(work, 'missing', 'm.prom') }), { code: 'METRICS_FILE_INVALID', message: /the folder .*missing does not exist/ });
    await assert.rejects(RunMetricsExporter.start({ file: work }), { code: 'METRICS_FILE_INVALID', message: /is a folder, not a file/ });
  });
});
