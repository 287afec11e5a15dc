// Trends over the history: per configuration key and metric, the series of runs and the change points in it.
import { compareLabels } from '../report/natural-sort.js';
import { detectChangePoints, type ChangePointOptions } from '../stats/changepoint.js';
import type { HistoryPoint, HistoryRun } from './store.js';

/** The metrics the history follows: a sweep's samples/J, samples/s and p99; a load record's J/request and p99. */
export type HistoryMetricId = 'samplesPerJoule' | 'samplesPerSecond' | 'p99Ms' | 'joulesPerRequest';

/** How to read one metric out of a history point. */
export interface HistoryMetric {
  id: HistoryMetricId;
  label: string;
  higherIsBetter: boolean;
  energy: boolean;
  /** The kinds of point it exists for. */
  kinds: ReadonlyArray<'sweep' | 'load'>;
  value(point: HistoryPoint): number | null;
}

/** The metrics in display order. */
export const historyMetrics: HistoryMetric[] = [
  { id: 'samplesPerJoule', label: 'samples/J', higherIsBetter: true, energy: true, kinds: ['sweep'], value: (p) => p.samplesPerJoule },
  { id: 'samplesPerSecond', label: 'samples/s', higherIsBetter: true, energy: false, kinds: ['sweep'], value: (p) => p.samplesPerSecond },
  { id: 'joulesPerRequest', label: 'J/request', higherIsBetter: false, energy: true, kinds: ['load'], value: (p) => p.joulesPerRequest ?? null },
  { id: 'p99Ms', label: 'p99 ms', higherIsBetter: false, energy: false, kinds: ['sweep', 'load'], value: (p) => p.p99Ms },
];

/** Whether a point is a sweep configuration or a load record (points of older exports have no kind: sweep). */
export const kindOf = (point: Pick<HistoryPoint, 'kind'>): 'sweep' | 'load' => point.kind ?? 'sweep';

/** A level shift, named by the run where the new level starts. */
export interface HistoryChangePoint {
  /** 1-based position of that run in this series (oldest = 1). */
  position: number;
  runNumber: number;
  runId: string;
  createdAt: string;
  before: number;
  after: number;
  /** (after − before) ÷ before. */
  relativeChange: number;
  pValue: number;
  verdict: 'improved' | 'regressed';
}

/** One key × metric over time (runs where the configuration was measured, oldest first). */
export interface HistorySeries {
  key: string;
  /** The host of this series when the history holds runs from several hosts (one trend line per host), else null. */
  host: string | null;
  metric: HistoryMetricId;
  label: string;
  higherIsBetter: boolean;
  /** Some run of the series measured power with an estimate meter. */
  estimated: boolean;
  points: Array<{ runNumber: number; runId: string; createdAt: string; value: number; valid: boolean }>;
  changePoints: HistoryChangePoint[];
}

/** Options: which keys and metrics, and the detector's settings. */
export interface TrendOptions {
  key?: string;
  metrics?: HistoryMetricId[];
  detector?: ChangePointOptions;
  /**
   * Smallest level shift reported, as a fraction (default 0.02, compare's noise threshold): with a 5% significance
   * level some series of a large history show a small "significant" shift by chance; one under 2% is not actionable.
   */
  minRelativeChange?: number;
}

/**
 * Series per key and metric, with E-Divisive change points (seeded: the same history gives the same answer). Keys come
 * in natural order (b1, b8, b32, b64). When the points come from several hosts each host gets its own series: a change
 * of machine is not a change of the software, and mixing them would show one as a level shift.
 */
export function analyseTrends(points: HistoryPoint[], options: TrendOptions = {}): HistorySeries[] {
  const metrics = historyMetrics.filter((m) => !options.metrics || options.metrics.includes(m.id));
  const keys = [...new Set(points.map((p) => p.key))].filter((key) => options.key === undefined || key === options.key).sort(compareLabels);
  const hosts = [...new Set(points.map((p) => p.hostname ?? ''))].sort(compareLabels);
  const byHost: Array<string | null> = hosts.length > 1 ? hosts : [null];
  const series: HistorySeries[] = [];
  for (const key of keys) {
    const kind = kindOf(points.find((p) => p.key === key)!);
    for (const host of byHost) {
      const ofKey = points.filter((p) => p.key === key && p.status === 'ok' && (host === null || (p.hostname ?? '') === host));
      if (host !== null && ofKey.length === 0) continue;
      for (const metric of metrics.filter((m) => m.kinds.includes(kind))) series.push(seriesOf(key, host, metric, ofKey, options));
    }
  }
  return series;
}

// One key × host × metric: its values oldest first and the change points among them.
function seriesOf(key: string, host: string | null, metric: HistoryMetric, ofKey: HistoryPoint[], options: TrendOptions): HistorySeries {
  const measured = ofKey.flatMap((p) => {
    const value = metric.value(p);
    return value !== null && Number.isFinite(value) ? [{ runNumber: p.runNumber, runId: p.runId, createdAt: p.createdAt, value, valid: p.valid, estimated: p.estimated }] : [];
  });
  const minRelativeChange = options.minRelativeChange ?? 0.02;
  const found = detectChangePoints(measured.map((p) => p.value), options.detector).filter((c) => Math.abs(c.relativeChange) >= minRelativeChange);
  return {
    key,
    host,
    metric: metric.id,
    label: metric.label,
    higherIsBetter: metric.higherIsBetter,
    estimated: metric.energy && measured.some((p) => p.estimated),
    points: measured.map(({ estimated: _estimated, ...rest }) => rest),
    changePoints: found.map((c) => {
      const at = measured[c.index]!;
      return {
        position: c.index + 1,
        runNumber: at.runNumber,
        runId: at.runId,
        createdAt: at.createdAt,
        before: c.meanBefore,
        after: c.meanAfter,
        relativeChange: c.relativeChange,
        pValue: c.pValue,
        verdict: (c.meanAfter > c.meanBefore) === metric.higherIsBetter ? 'improved' : 'regressed',
      };
    }),
  };
}

/**
 * The warning for a history whose runs come from several hosts, naming them with their run counts; null for one host.
 * "runs from 2 hosts (box-a: 3 runs, box-b: 2 runs): …"
 */
export function mixedHostsWarning(runs: HistoryRun[]): string | null {
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.hostname, (counts.get(run.hostname) ?? 0) + 1);
  if (counts.size <= 1) return null;
  const hosts = [...counts.keys()].sort(compareLabels).map((host) => `${host}: ${counts.get(host)} run${counts.get(host) === 1 ? '' : 's'}`);
  return `runs from ${counts.size} hosts (${hosts.join(', ')}): each host gets its own trend line and change points, since a change of machine is not a regression; record each machine into its own history folder to keep them apart`;
}

const blocks = '▁▂▃▄▅▆▇█';

/** A terminal sparkline of the last `width` values (min → ▁, max → █). */
export function sparkline(values: number[], width = 60): string {
  const shown = values.slice(-width);
  if (shown.length === 0) return '';
  const min = Math.min(...shown);
  const max = Math.max(...shown);
  return shown.map((v) => blocks[max === min ? 3 : Math.round(((v - min) / (max - min)) * (blocks.length - 1))]!).join('');
}
