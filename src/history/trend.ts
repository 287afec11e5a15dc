// Trends over the history: per configuration key and metric, the series of runs and the change points in it.
import { detectChangePoints, type ChangePointOptions } from '../stats/changepoint.js';
import type { HistoryPoint } from './store.js';

/** The metrics the history follows. */
export type HistoryMetricId = 'samplesPerJoule' | 'samplesPerSecond' | 'p99Ms';

/** How to read one metric out of a history point. */
export interface HistoryMetric {
  id: HistoryMetricId;
  label: string;
  higherIsBetter: boolean;
  energy: boolean;
  value(point: HistoryPoint): number | null;
}

/** The metrics in display order. */
export const historyMetrics: HistoryMetric[] = [
  { id: 'samplesPerJoule', label: 'samples/J', higherIsBetter: true, energy: true, value: (p) => p.samplesPerJoule },
  { id: 'samplesPerSecond', label: 'samples/s', higherIsBetter: true, energy: false, value: (p) => p.samplesPerSecond },
  { id: 'p99Ms', label: 'p99 ms', higherIsBetter: false, energy: false, value: (p) => p.p99Ms },
];

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

/** Series per key and metric, with E-Divisive change points (seeded: the same history gives the same answer). */
export function analyseTrends(points: HistoryPoint[], options: TrendOptions = {}): HistorySeries[] {
  const metrics = historyMetrics.filter((m) => !options.metrics || options.metrics.includes(m.id));
  const keys = [...new Set(points.map((p) => p.key))].filter((key) => options.key === undefined || key === options.key).sort();
  const series: HistorySeries[] = [];
  for (const key of keys) {
    const ofKey = points.filter((p) => p.key === key && p.status === 'ok');
    for (const metric of metrics) {
      const measured = ofKey.flatMap((p) => {
        const value = metric.value(p);
        return value !== null && Number.isFinite(value) ? [{ runNumber: p.runNumber, runId: p.runId, createdAt: p.createdAt, value, valid: p.valid, estimated: p.estimated }] : [];
      });
      const minRelativeChange = options.minRelativeChange ?? 0.02;
      const found = detectChangePoints(measured.map((p) => p.value), options.detector).filter((c) => Math.abs(c.relativeChange) >= minRelativeChange);
      series.push({
        key,
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
      });
    }
  }
  return series;
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
