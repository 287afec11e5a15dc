// @integration — real HTTP requests to a server listening on an ephemeral loopback port
// The live metrics endpoint: GET and HEAD /metrics in the negotiated format with the families as they are at each
// request, 404 and 405 elsewhere, and the typed errors for a port in use, a host this machine lacks, a denied port.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import type { ExpositionFormat, MetricFamily } from '../../src/metrics/openmetrics.js';
import { listenError, startMetricsServer, type MetricsServer } from '../../src/metrics/server.js';
import { rejectedInputError as rejected } from '../fixtures/errors.js';

let energyJ = 1;
const families = (): MetricFamily[] => [
  { name: 'joulebench_energy_joules', type: 'counter', unit: 'joules', help: 'Energy measured', samples: [{ suffix: '_total', labels: [['host', 'h']], value: energyJ }] },
];

describe('serving', () => {
  let server: MetricsServer;
  const served: ExpositionFormat[] = [];
  before(async () => {
    server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, families, (format) => served.push(format));
  });
  after(() => server.close());

  it('listens on a free port and says where', () => {
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}/metrics`);
  });

  it('GET /metrics without an Accept header: the Prometheus text 0.0.4', async () => {
    energyJ = 1;
    const response = await fetch(server.url);
    const body = await response.text();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(response.headers.get('vary'), 'Accept');
    assert.equal(body, '# HELP joulebench_energy_joules_total Energy measured\n# TYPE joulebench_energy_joules_total counter\njoulebench_energy_joules_total{host="h"} 1\n');
    assert.equal(Number(response.headers.get('content-length')), Buffer.byteLength(body));
  });

  it('Accept: OpenMetrics (as Prometheus asks) gets OpenMetrics, ending # EOF; the families are read at each request', async () => {
    energyJ = 2.5;
    const response = await fetch(server.url, { headers: { Accept: 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1' } });
    assert.equal(response.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.equal(await response.text(), '# TYPE joulebench_energy_joules counter\n# UNIT joulebench_energy_joules joules\n# HELP joulebench_energy_joules Energy measured\njoulebench_energy_joules_total{host="h"} 2.5\n# EOF\n');
  });

  it('a query string is ignored; HEAD gets the headers without a body', async () => {
    assert.equal((await fetch(`${server.url}?x=1`)).status, 200);
    const head = await fetch(server.url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.ok(Number(head.headers.get('content-length')) > 0);
    assert.equal(await head.text(), '');
  });

  it('another path is 404 and names /metrics; another method is 405 with Allow', async () => {
    const missing = await fetch(server.url.replace('/metrics', '/'));
    assert.deepEqual([missing.status, await missing.text()], [404, 'joulebench serves its metrics at /metrics\n']);
    const post = await fetch(server.url, { method: 'POST', body: 'x' });
    assert.deepEqual([post.status, post.headers.get('allow'), await post.text()], [405, 'GET, HEAD', 'GET /metrics\n']);
  });

  it('onServe hears each format served, and only for /metrics answers', () => {
    // GET (prometheus), GET OpenMetrics, GET ?x=1, HEAD; the 404 and 405 are not served metrics.
    assert.deepEqual(served, ['prometheus', 'openmetrics', 'prometheus', 'prometheus']);
  });
});

describe('closing', () => {
  it('close() resolves and the port stops answering', async () => {
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0 }, families);
    assert.equal((await fetch(server.url)).status, 200);
    await server.close();
    await assert.rejects(fetch(server.url));
  });
});

describe('errors', () => {
  it('a port in use: METRICS_PORT_IN_USE naming the flag and the address, with --metrics-port 0 as the fix', async () => {
    const holder = await startMetricsServer({ host: '127.0.0.1', port: 0 }, families);
    try {
      const error = await rejected(startMetricsServer({ host: '127.0.0.1', port: holder.port }, families));
      assert.equal(error.code, 'METRICS_PORT_IN_USE');
      assert.equal(error.message, `--metrics-port ${holder.port}: 127.0.0.1:${holder.port} is already in use`);
      assert.match(error.hint!, /--metrics-port 0 for any free one/);
      assert.equal((error.cause as NodeJS.ErrnoException).code, 'EADDRINUSE');
    } finally {
      await holder.close();
    }
  });

  it('an address this machine does not have: METRICS_HOST_INVALID naming --metrics-host', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never assigned to a real interface.
    const error = await rejected(startMetricsServer({ host: '192.0.2.1', port: 0 }, families));
    assert.equal(error.code, 'METRICS_HOST_INVALID');
    assert.equal(error.message, '--metrics-host 192.0.2.1: not an address of this machine');
    assert.match(error.hint!, /127\.0\.0\.1 \(the default\)/);
  });

  it('an IPv6 host is written in brackets, in the URL and in errors', async (t) => {
    const probe = createServer();
    const hasIpv6 = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen({ host: '::1', port: 0 }, () => probe.close(() => resolve(true)));
    });
    if (!hasIpv6) return t.skip('no IPv6 loopback here');
    const server = await startMetricsServer({ host: '::1', port: 0 }, families);
    try {
      assert.equal(server.url, `http://[::1]:${server.port}/metrics`);
      const error = await rejected(startMetricsServer({ host: '::1', port: server.port }, families));
      assert.equal(error.message, `--metrics-port ${server.port}: [::1]:${server.port} is already in use`);
    } finally {
      await server.close();
    }
  });

  it('a privileged port without privileges: METRICS_PORT_DENIED', async () => {
    // Root may listen on any port: there the listen error node gives a user (EACCES) is mapped directly.
    const denied = Object.assign(new Error('listen EACCES: permission denied 127.0.0.1:1'), { code: 'EACCES' });
    const error = process.getuid?.() === 0
      ? (listenError(denied, { host: '127.0.0.1', port: 1 }) as InputError)
      : await rejected(startMetricsServer({ host: '127.0.0.1', port: 1 }, families));
    assert.equal(error.code, 'METRICS_PORT_DENIED');
    assert.equal(error.message, '--metrics-port 1: not allowed to listen on 127.0.0.1:1 (ports below 1024 need privileges)');
    assert.equal(error.hint, 'choose a port from 1024 to 65535');
  });
});
