// The history store as timestamped metric families: one point per run and configuration, at the run's start, so that
// `promtool tsdb create-blocks-from openmetrics FILE DIR` backfills the trend into Prometheus. The store keeps per
// configuration samples/J, mean power and p99 (not energy totals nor the meters), so those three are exported.
import type { HistoryPoint, HistoryRun } from '../history/store.js';
import type { MetricFamily, MetricSample } from './openmetrics.js';
import { seconds } from './result-metrics.js';

/** The metric names a history export holds. */
export const historyMetricNames = ['joulebench_samples_per_joule', 'joulebench_power_watts', 'joulebench_latency_seconds'] as const;

/**
 * A configuration key (`model/precision/ep/bN[/tT]`, src/scenario/expand.ts) as labels: model, precision (without
 * `@builder`), ep (without `#k` or `:device`), batch. A key of another shape gives no labels but `key`.
 */
export function keyLabels(key: string): Array<[string, string]> {
  const parts = key.split('/');
  let index = -1;
  parts.forEach((part, i) => {
    if (/^b\d+$/.test(part)) index = i;
  });
  if (index < 3) return [];
  return [
    ['model', parts.slice(0, index - 2).join('/')],
    ['precision', parts[index - 2]!.replace(/@builder$/, '')],
    ['ep', parts[index - 1]!.replace(/[#:].*$/, '')],
    ['batch', parts[index]!.slice(1)],
  ];
}

// One series of one metric: its labels and its points in time order (one per second at most: a later run wins).
function seriesSamples(points: Array<{ labels: Array<[string, string]>; value: number; timestampS: number }>): MetricSample[] {
  const bySeries = new Map<string, Map<number, MetricSample>>();
  for (const point of points) {
    const id = JSON.stringify(point.labels);
    const series = bySeries.get(id) ?? new Map<number, MetricSample>();
    bySeries.set(id, series);
    series.set(point.timestampS, { suffix: '', labels: point.labels, value: point.value, timestampS: point.timestampS });
  }
  return [...bySeries.values()].flatMap((series) => [...series.values()].sort((a, b) => a.timestampS! - b.timestampS!));
}

/** The timestamped families of a history store's runs and points (points with status ok and numbers only). */
export function historyMetricFamilies(runs: HistoryRun[], points: HistoryPoint[]): MetricFamily[] {
  const runsByNumber = new Map(runs.map((run) => [run.runNumber, run]));
  const spj: Array<{ labels: Array<[string, string]>; value: number; timestampS: number }> = [];
  const watts: typeof spj = [];
  const p99: typeof spj = [];
  for (const point of points) {
    // Load records (energy per request at a rate) are not among these families: a load run exports its own.
    if (point.status !== 'ok' || point.kind === 'load') continue;
    const run = runsByNumber.get(point.runNumber);
    const timestampS = Math.round(Date.parse(point.createdAt) / 1000);
    if (!Number.isFinite(timestampS)) continue;
    const labels: Array<[string, string]> = [...keyLabels(point.key), ['host', run?.hostname ?? ''], ['estimated', String(point.estimated)], ['key', point.key]];
    if (point.samplesPerJoule !== null) spj.push({ labels, value: point.samplesPerJoule, timestampS });
    if (point.meanWatts !== null) watts.push({ labels, value: point.meanWatts, timestampS });
    if (point.p99Ms !== null) p99.push({ labels: [...labels, ['quantile', '0.99']], value: seconds(point.p99Ms), timestampS });
  }
  return [
    { name: 'joulebench_samples_per_joule', type: 'gauge', unit: null, help: 'Samples per joule of gross energy (higher is better), per run.', samples: seriesSamples(spj) },
    { name: 'joulebench_power_watts', type: 'gauge', unit: 'watts', help: 'Mean power of the counted meters during the timed windows, per run.', samples: seriesSamples(watts) },
    { name: 'joulebench_latency_seconds', type: 'summary', unit: 'seconds', help: 'p99 latency of one run (one batch), per run.', samples: seriesSamples(p99) },
  ];
}
