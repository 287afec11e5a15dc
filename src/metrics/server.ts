// The live metrics endpoint of a run (`--metrics-port`): GET /metrics answers the current metrics, as OpenMetrics when
// the Accept header asks for it (Prometheus does), else the Prometheus text format 0.0.4.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../errors.js';
import { contentTypes, formatForAccept, renderExposition, type ExpositionFormat, type MetricFamily } from './openmetrics.js';

/** A listening endpoint. */
export interface MetricsServer {
  /** `http://host:port/metrics` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Where to listen: the host (default loopback) and port (0: any free port). */
export interface MetricsListen {
  host: string;
  port: number;
}

/** The InputError for a failed listen (port in use, no privileges, not an address here), naming the flag. */
export function listenError(error: NodeJS.ErrnoException, { host, port }: MetricsListen): Error {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (error.code === 'EADDRINUSE') {
    return new InputError('METRICS_PORT_IN_USE', `--metrics-port ${port}: ${where} is already in use`, {
      hint: 'choose another port, or --metrics-port 0 for any free one (the address is printed)',
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new InputError('METRICS_PORT_DENIED', `--metrics-port ${port}: not allowed to listen on ${where} (ports below 1024 need privileges)`, {
      hint: 'choose a port from 1024 to 65535',
      cause: error,
    });
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return new InputError('METRICS_HOST_INVALID', `--metrics-host ${host}: not an address of this machine`, {
      hint: 'use 127.0.0.1 (the default), ::1, or an address this machine has (0.0.0.0 for every one)',
      cause: error,
    });
  }
  return error;
}

/** Listen on `listen` and answer GET /metrics with `families()` as it is at each request (`onServe`: each format served). */
export function startMetricsServer(listen: MetricsListen, families: () => MetricFamily[], onServe?: (format: ExpositionFormat) => void): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('joulebench serves its metrics at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
      return;
    }
    const format = formatForAccept(request.headers.accept);
    const body = renderExposition(families(), format);
    onServe?.(format);
    response.writeHead(200, { 'Content-Type': contentTypes[format], 'Content-Length': Buffer.byteLength(body), Vary: 'Accept' });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error as NodeJS.ErrnoException, listen)));
    server.listen({ host: listen.host, port: listen.port }, () => {
      const port = (server.address() as AddressInfo).port;
      const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
      resolve({
        url: `http://${host}:${port}/metrics`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
