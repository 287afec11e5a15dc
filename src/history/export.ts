// History exports: CSV (one row per run × configuration, units in column names) and JSON.
import type { HistorySeries } from './trend.js';
import type { HistoryPoint, HistoryRun } from './store.js';

/** Schema identifier of the JSON export. */
export const historySchemaId = 'joulebench/history@1';

const columns: Array<[string, (p: HistoryPoint) => string | number | boolean | null]> = [
  ['run_number', (p) => p.runNumber],
  ['run_id', (p) => p.runId],
  ['created_at', (p) => p.createdAt],
  ['key', (p) => p.key],
  ['status', (p) => p.status],
  ['model_sha256', (p) => p.modelSha256],
  ['samples_per_joule', (p) => p.samplesPerJoule],
  ['samples_per_joule_ci95_low', (p) => p.samplesPerJouleCi95?.[0] ?? null],
  ['samples_per_joule_ci95_high', (p) => p.samplesPerJouleCi95?.[1] ?? null],
  ['samples_per_second', (p) => p.samplesPerSecond],
  ['latency_ms_p99', (p) => p.p99Ms],
  ['joules_per_sample', (p) => p.joulesPerSample],
  ['wh_per_1k_samples', (p) => p.whPer1kSamples],
  ['power_w_mean', (p) => p.meanWatts],
  ['repetitions', (p) => p.repetitions],
  ['estimated', (p) => p.estimated],
  ['valid', (p) => p.valid],
  ['kind', (p) => p.kind ?? 'sweep'],
  ['joules_per_request', (p) => p.joulesPerRequest ?? null],
];

const cell = (value: string | number | boolean | null): string => {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** RFC 4180 CSV of every point. */
export function historyCsv(points: HistoryPoint[]): string {
  const lines = [columns.map(([name]) => name).join(',')];
  for (const point of points) lines.push(columns.map(([, get]) => cell(get(point))).join(','));
  return `${lines.join('\n')}\n`;
}

/** The JSON export: runs, every point, and the analysed series with their change points. */
export function historyJson(file: string, runs: HistoryRun[], points: HistoryPoint[], series: HistorySeries[]): unknown {
  return { schema: historySchemaId, store: file, runs, points, series };
}
