// A run's metrics as it goes: refreshed from result.json after every recorded configuration (the sweep rewrites it
// atomically before it reports `config-end`), written to `--openmetrics FILE` atomically and served by `--metrics-port`.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, JoulebenchError, RuntimeFailure } from '../errors.js';
import type { SweepEvent } from '../measure/sweep.js';
import { writeFileAtomic } from '../common/atomic.js';
import { readResultFile } from '../results/read.js';
import type { RunResult } from '../results/types.js';
import { formatForFile, renderExposition, type MetricFamily } from './openmetrics.js';
import { resultMetricFamilies } from './result-metrics.js';
import { startMetricsServer, type MetricsListen, type MetricsServer } from './server.js';

/** What to export: a file (format by its extension) and/or a live endpoint. */
export interface RunExportOptions {
  file?: string;
  listen?: MetricsListen;
}

/** Refuse a `--openmetrics` path that cannot be written, before anything is measured. */
export async function checkMetricsFile(file: string): Promise<void> {
  const dir = path.dirname(file);
  const folder = await stat(dir).catch(() => null);
  if (!folder?.isDirectory()) {
    throw new InputError('METRICS_FILE_INVALID', `--openmetrics ${file}: the folder ${dir} does not exist`, { hint: 'create the folder first, or write the file elsewhere' });
  }
  const existing = await stat(file).catch(() => null);
  if (existing?.isDirectory()) {
    throw new InputError('METRICS_FILE_INVALID', `--openmetrics ${file}: is a folder, not a file`, { hint: 'name a file in it, e.g. joulebench.prom' });
  }
}

/** Exports one run's metrics; `handle` takes the sweep's events, `finish` the final result. */
export class RunMetricsExporter {
  private resultPath: string | null = null;
  private writes: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  // `state` is shared with the server, which renders whatever it holds at each request.
  private constructor(private readonly file: string | null, readonly server: MetricsServer | null, private readonly state: { families: MetricFamily[] }) {}

  /** Check the file, bind the port (a port in use is an InputError here, before measuring) and return the exporter. */
  static async start(options: RunExportOptions): Promise<RunMetricsExporter> {
    if (options.file) await checkMetricsFile(options.file);
    const state = { families: resultMetricFamilies({ measurements: [], meters: [], environment: null }) };
    const server = options.listen ? await startMetricsServer(options.listen, () => state.families) : null;
    return new RunMetricsExporter(options.file ?? null, server, state);
  }

  /** The families as they are now. */
  current(): MetricFamily[] {
    return this.state.families;
  }

  /** A sweep event: the run folder, then a refresh from result.json after the idle baseline and each configuration. */
  handle(event: SweepEvent): void {
    if (event.type === 'run-dir') this.resultPath = path.join(event.runDir, 'result.json');
    else if ((event.type === 'config-end' || event.type === 'idle-end') && this.resultPath) {
      const resultPath = this.resultPath;
      this.queue(async () => this.publish(await readResultFile(resultPath)));
    }
  }

  /** The final result (interrupted or complete): publish it, wait for every write; the first write error is thrown. */
  async finish(result: RunResult): Promise<void> {
    this.queue(() => this.publish(result));
    await this.writes;
    if (this.failure !== null) throw this.failure;
  }

  /** Stop serving. */
  async close(): Promise<void> {
    await this.writes;
    await this.server?.close();
  }

  private queue(step: () => Promise<void>): void {
    this.writes = this.writes.then(step).catch((error: unknown) => {
      this.failure ??= error instanceof JoulebenchError ? error : new RuntimeFailure('METRICS_WRITE_FAILED', `--openmetrics ${this.file ?? ''}: could not refresh the metrics: ${(error as Error).message}`, {
        hint: 'result.json holds every finished configuration; check the folder of the metrics file (space, permissions)',
        cause: error,
      });
    });
  }

  private async publish(result: RunResult): Promise<void> {
    this.state.families = resultMetricFamilies(result);
    if (this.file) await writeFileAtomic(this.file, renderExposition(this.state.families, formatForFile(this.file)));
  }
}
