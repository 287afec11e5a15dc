// `--openmetrics FILE`, `--metrics-port PORT`, `--metrics-host HOST`: the dashboard exports of run and bench
// (docs/metrics.md).
import { InputError } from '../errors.js';
import type { RunExportOptions } from '../metrics/run-exporter.js';

/** parseArgs options of the metrics flags (spread into sweepFlagOptions). */
export const metricsFlagOptions = {
  openmetrics: { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
} as const;

/** Help lines for the metrics flags, descriptions starting at column `column`. */
export function metricsFlagHelp(column: number): string {
  const pad = (flag: string) => (`  ${flag}`.length < column ? `  ${flag}`.padEnd(column) : `  ${flag} `);
  const more = ' '.repeat(column);
  return [
    `${pad('--openmetrics FILE')}metrics for dashboards, rewritten after every configuration: FILE.prom in the Prometheus`,
    `${more}text format (node_exporter's textfile collector), any other name OpenMetrics (docs/metrics.md)`,
    `${pad('--metrics-port PORT')}serve the metrics at http://HOST:PORT/metrics while the run goes (0: any free port)`,
    `${pad('--metrics-host HOST')}address to serve them on (default 127.0.0.1, this machine only)`,
  ].join('\n');
}

type MetricsFlagValues = { openmetrics?: string; 'metrics-port'?: string; 'metrics-host'?: string };

/** The export the flags ask for, or undefined when none. */
export function metricsFromFlags(values: MetricsFlagValues): RunExportOptions | undefined {
  const portText = values['metrics-port'];
  const host = values['metrics-host'];
  if (host !== undefined && portText === undefined) {
    throw new InputError('FLAG_CONFLICT', `--metrics-host ${host} needs --metrics-port`, { hint: `add --metrics-port 9464 (or 0 for any free port)` });
  }
  if (host !== undefined && host.trim() === '') throw new InputError('FLAG_INVALID', '--metrics-host: expected an address like 127.0.0.1, got ""');
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (portText.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw new InputError('FLAG_INVALID', `--metrics-port: expected a port from 0 to 65535, got "${portText}"`, { hint: '--metrics-port 9464, or 0 for any free port' });
    }
  }
  if (values.openmetrics === undefined && port === undefined) return undefined;
  if (values.openmetrics !== undefined && values.openmetrics.trim() === '') throw new InputError('FLAG_INVALID', '--openmetrics: expected a file name, got ""');
  return {
    ...(values.openmetrics !== undefined ? { file: values.openmetrics } : {}),
    ...(port !== undefined ? { listen: { host: host ?? '127.0.0.1', port } } : {}),
  };
}

/** The metrics flags as execute options (`{}` when none is given). */
export function metricsFlags(values: MetricsFlagValues): { metrics?: RunExportOptions } {
  const metrics = metricsFromFlags(values);
  return metrics ? { metrics } : {};
}
