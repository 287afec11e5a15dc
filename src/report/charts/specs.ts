// Chart specifications: plain chart.js configurations (JSON only, no functions) shared by the PNG and HTML writers.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { Measurement, RunResult } from '../../results/types.js';
import type { ReportAnalysis } from '../analysis-types.js';
import { compareLabels } from '../natural-sort.js';
import './point-labels.js';

/** What a chart shows; charts of one kind drawn per model sit side by side as panels. */
export type ChartKind = 'samples-per-joule' | 'throughput-latency' | 'pareto' | 'power-over-time' | 'fidelity-vs-saving' | 'machines';

/** One chart: `id` is the file stem (`charts/<id>.png`) and the HTML anchor. */
export interface ChartSpec {
  id: string;
  title: string;
  kind: ChartKind;
  /** The model of a per-model panel (each model gets its own axes: a fast model would flatten the others), else null. */
  model: string | null;
  config: ChartConfiguration;
}

/**
 * A data point; `note` is extra tooltip text (configuration key, "INVALID: reason") the HTML shows on hover, `label`
 * the text drawn beside the point where the chart turns labels on (the Pareto chart).
 */
export interface ChartPoint {
  x: number | string;
  y: number | null;
  note?: string;
  label?: string;
}

/** Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
export const palette = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#000000'] as const;

/** The colour for series `index` (cycles through the palette). */
export const colour = (index: number): string => palette[index % palette.length]!;

type OkMeasurement = Measurement & {
  energy: NonNullable<Measurement['energy']>;
  throughput: NonNullable<Measurement['throughput']>;
  latencyMs: NonNullable<Measurement['latencyMs']>;
  power: NonNullable<Measurement['power']>;
};

interface Row {
  run: RunResult;
  runIndex: number;
  machine: string;
  runEstimated: boolean;
  m: OkMeasurement;
}

const isOk = (m: Measurement): m is OkMeasurement =>
  m.status === 'ok' && m.energy !== null && m.throughput !== null && m.latencyMs !== null && m.power !== null;

function okRows(analysis: ReportAnalysis): Row[] {
  const rows: Row[] = [];
  analysis.runs.forEach((run, runIndex) => {
    const machine = analysis.machines.find((x) => x.runId === run.runId)?.label ?? run.runId;
    const runEstimated = run.meters.some((meter) => meter.estimated);
    for (const m of run.measurements) if (isOk(m)) rows.push({ run, runIndex, machine, runEstimated, m });
  });
  return rows;
}

/** A line per model × precision × EP (× threads), and × machine when several runs are shown. */
function seriesKey(row: Row, multiRun: boolean): string {
  const { m } = row;
  const base = `${m.model.name}/${m.model.precision}/${m.executionProvider}${m.threads !== null ? `/t${m.threads}` : ''}`;
  return multiRun ? `${base} · ${row.machine}` : base;
}

function groupSeries(rows: Row[], multiRun: boolean): Array<{ label: string; rows: Row[] }> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = seriesKey(row, multiRun);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups].map(([label, members]) => ({ label, rows: members.sort((a, b) => a.m.batchSize - b.m.batchSize) }));
}

const estimatedRow = (row: Row) => row.runEstimated || row.m.energy.estimated;

const axisTitle = (text: string) => ({ display: true, text });

function baseOptions(title: string) {
  return {
    responsive: false,
    animation: false as const,
    plugins: { title: { display: true, text: title }, legend: { position: 'bottom' as const } },
  };
}

function batchLabels(rows: Row[]): string[] {
  return [...new Set(rows.map((row) => row.m.batchSize))].sort((a, b) => a - b).map(String);
}

function invalidNote(m: Measurement): string | undefined {
  return m.validity.valid ? undefined : `INVALID: ${m.validity.reasons.join('; ') || 'no reason recorded'}`;
}

function point(x: number | string, y: number | null, note: string | undefined): ChartPoint {
  return note === undefined ? { x, y } : { x, y, note };
}

function samplesPerJouleChart(analysis: ReportAnalysis, rows: Row[]): ChartSpec | null {
  if (rows.length === 0) return null;
  const title = 'Samples per joule by batch size';
  const datasets = groupSeries(rows, analysis.multiRun).map((series, i) => {
    const estimated = series.rows.some(estimatedRow);
    const invalid = series.rows.filter((row) => !row.m.validity.valid).map((row) => `b${row.m.batchSize}`);
    const label = `${series.label}${estimated ? ' (estimated)' : ''}${invalid.length > 0 ? ` — invalid: ${invalid.join(', ')}` : ''}`;
    return {
      type: 'line' as const,
      label,
      data: series.rows.map((row) => point(String(row.m.batchSize), row.m.energy.samplesPerJoule, invalidNote(row.m) ?? row.m.key)),
      borderColor: colour(i),
      backgroundColor: colour(i),
      borderWidth: 2,
      borderDash: estimated ? [8, 5] : [],
      pointStyle: series.rows.map((row) => (row.m.validity.valid ? 'circle' : 'crossRot')),
      pointRadius: series.rows.map((row) => (row.m.validity.valid ? 4 : 10)),
      pointBorderWidth: series.rows.map((row) => (row.m.validity.valid ? 1 : 3)),
    };
  });
  return {
    id: 'samples-per-joule',
    title,
    kind: 'samples-per-joule',
    model: null,
    config: {
      type: 'line',
      data: { labels: batchLabels(rows), datasets: datasets as unknown as ChartDataset<'line'>[] },
      options: {
        ...baseOptions(title),
        scales: {
          x: { type: 'category', title: axisTitle('batch size (samples per run)') },
          y: { type: 'linear', beginAtZero: true, title: axisTitle('samples / J') },
        },
      },
    },
  };
}

function throughputLatencyChart(analysis: ReportAnalysis, rows: Row[]): ChartSpec | null {
  if (rows.length === 0) return null;
  const title = 'Throughput and p99 latency by batch size';
  const datasets = groupSeries(rows, analysis.multiRun).flatMap((series, i) => [
    {
      type: 'line' as const,
      label: `${series.label} throughput (samples/s)`,
      yAxisID: 'y',
      data: series.rows.map((row) => {
        const ci = row.m.throughput.samplesPerSecond.ci95;
        return point(String(row.m.batchSize), row.m.throughput.samplesPerSecond.mean, `${row.m.key}; 95% CI ${ci[0].toPrecision(3)}–${ci[1].toPrecision(3)} samples/s`);
      }),
      borderColor: colour(i),
      backgroundColor: colour(i),
      borderWidth: 2,
      pointStyle: 'circle',
      pointRadius: 4,
    },
    {
      type: 'line' as const,
      label: `${series.label} p99 latency (ms)`,
      yAxisID: 'y1',
      data: series.rows.map((row) => point(String(row.m.batchSize), row.m.latencyMs.p99, row.m.key)),
      borderColor: colour(i),
      backgroundColor: colour(i),
      borderWidth: 2,
      borderDash: [3, 3],
      pointStyle: 'triangle',
      pointRadius: 6,
    },
  ]);
  return {
    id: 'throughput-latency',
    title,
    kind: 'throughput-latency',
    model: null,
    config: {
      type: 'line',
      data: { labels: batchLabels(rows), datasets: datasets as unknown as ChartDataset<'line'>[] },
      options: {
        ...baseOptions(title),
        scales: {
          x: { type: 'category', title: axisTitle('batch size (samples per run)') },
          y: { type: 'linear', position: 'left', beginAtZero: true, title: axisTitle('throughput (samples/s) — solid lines, circles') },
          y1: { type: 'linear', position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: axisTitle('p99 latency (ms) — dashed lines, triangles') },
        },
      },
    },
  };
}

/** Points no other point beats on both energy per sample and p99 latency, by increasing energy per sample. */
export function paretoFront<T extends { x: number; y: number }>(points: T[]): T[] {
  const front = points.filter((p) => !points.some((q) => q.x < p.x && q.y < p.y));
  return front.sort((a, b) => a.x - b.x || a.y - b.y);
}

function paretoChart(analysis: ReportAnalysis, rows: Row[]): ChartSpec | null {
  if (rows.length === 0) return null;
  const title = 'Energy per sample against p99 latency (lower-left is better)';
  const chosen = new Set(
    analysis.recommendations.filter((r) => r.chosen).map((r) => `${r.runId ?? ''}\u0000${r.chosen!.key}`),
  );
  const isChosen = (row: Row) =>
    chosen.has(`${row.run.runId}\u0000${row.m.key}`) ||
    analysis.recommendations.some((r) => r.chosen?.key === row.m.key && r.runId === null);
  const points = rows.map((row) => ({
    x: row.m.energy.joulesPerSample,
    y: row.m.latencyMs.p99,
    note: `${row.m.key}${analysis.multiRun ? ` · ${row.machine}` : ''}${estimatedRow(row) ? ' (estimated)' : ''}${row.m.validity.valid ? '' : ` · ${invalidNote(row.m)}`}`,
    row,
  }));
  const front = paretoFront(points);
  // Estimated and measured points side by side: the estimated ones say so in their label.
  const mixed = rows.some(estimatedRow) && rows.some((row) => !estimatedRow(row));
  // Text beside each point: every point of a small panel, else the front and the recommended ones.
  const labelled = new Set(points.length <= 12 ? points : [...front, ...points.filter((p) => isChosen(p.row))]);
  const strip = (p: { x: number; y: number; note: string; row: Row }): ChartPoint =>
    labelled.has(p as (typeof points)[number]) ? { x: p.x, y: p.y, note: p.note, label: pointLabel(p.row, analysis.multiRun, mixed) } : { x: p.x, y: p.y, note: p.note };
  const line = ({ x, y, note }: { x: number; y: number; note: string }): ChartPoint => ({ x, y, note });
  const datasets: Array<Record<string, unknown>> = [
    {
      type: 'scatter',
      label: 'configurations',
      data: points.filter((p) => !isChosen(p.row)).map(strip),
      backgroundColor: colour(1),
      borderColor: colour(4),
      pointStyle: points.filter((p) => !isChosen(p.row)).map((p) => (p.row.m.validity.valid ? 'circle' : 'crossRot')),
      pointRadius: points.filter((p) => !isChosen(p.row)).map((p) => (p.row.m.validity.valid ? 5 : 9)),
      pointBorderWidth: points.filter((p) => !isChosen(p.row)).map((p) => (p.row.m.validity.valid ? 1 : 3)),
    },
    {
      type: 'scatter',
      label: 'Pareto front',
      data: front.map(line),
      borderColor: colour(5),
      backgroundColor: colour(5),
      borderWidth: 2,
      pointRadius: 0,
      showLine: true,
      fill: false,
    },
  ];
  const chosenPoints = points.filter((p) => isChosen(p.row));
  if (chosenPoints.length > 0) {
    datasets.push({
      type: 'scatter',
      label: 'recommended',
      data: chosenPoints.map(strip),
      backgroundColor: colour(0),
      borderColor: '#000000',
      borderWidth: 3,
      pointRadius: 10,
      pointHoverRadius: 12,
    });
  }
  if (analysis.sloP99Ms !== null) {
    const xs = points.map((p) => p.x);
    datasets.push({
      type: 'scatter',
      label: `SLO: p99 ≤ ${analysis.sloP99Ms} ms`,
      data: [
        { x: Math.min(...xs), y: analysis.sloP99Ms },
        { x: Math.max(...xs), y: analysis.sloP99Ms },
      ],
      borderColor: '#000000',
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 0,
      showLine: true,
      fill: false,
    });
  }
  return {
    id: 'pareto',
    title,
    kind: 'pareto',
    model: null,
    config: {
      type: 'scatter',
      data: { datasets: datasets as unknown as ChartDataset<'scatter'>[] },
      options: {
        ...baseOptions(title),
        plugins: { ...baseOptions(title).plugins, joulebenchLabels: { display: true } },
        scales: {
          x: { type: 'linear', title: axisTitle('energy per sample (J)') },
          y: { type: 'linear', beginAtZero: true, title: axisTitle('p99 latency (ms)') },
        },
      },
    },
  };
}

function powerOverTimeChart(analysis: ReportAnalysis, run: RunResult, runIndex: number, rows: Row[]): ChartSpec | null {
  const spans = rows.filter((row) => row.run === run && row.m.spanS !== null).sort((a, b) => a.m.spanS!.start - b.m.spanS!.start);
  if (spans.length === 0) return null;
  const machine = rows.find((row) => row.run === run)?.machine ?? run.runId;
  const title = analysis.multiRun ? `Mean power per configuration over the run — ${machine}` : 'Mean power per configuration over the run';
  const meterIds = [...new Set(spans.flatMap((row) => Object.keys(row.m.power.byMeter)))];
  const estimated = run.meters.some((meter) => meter.estimated);
  const datasets: Array<Record<string, unknown>> = [];
  if (meterIds.length <= 1) {
    // One segment per configuration, labelled with its key, so the legend names each span.
    spans.forEach((row, i) => {
      const { start, end } = row.m.spanS!;
      datasets.push({
        type: 'line',
        label: `${row.m.key}${estimated ? ' (estimated)' : ''}`,
        data: [point(start, row.m.power.meanWatts, row.m.key), point(end, row.m.power.meanWatts, row.m.key)],
        borderColor: colour(i),
        backgroundColor: colour(i),
        borderWidth: 3,
        borderDash: estimated ? [8, 5] : [],
        pointRadius: 0,
        pointHitRadius: 6,
      });
    });
  } else {
    // Several meters: one line per meter and one for the attributed total, null between configurations.
    const segments = (watts: (row: Row) => number | undefined): ChartPoint[] =>
      spans.flatMap((row) => {
        const w = watts(row);
        if (w === undefined) return [];
        const { start, end } = row.m.spanS!;
        return [point(start, w, row.m.key), point(end, w, row.m.key), { x: end, y: null }];
      });
    datasets.push({
      type: 'line',
      label: `attributed total${estimated ? ' (estimated)' : ''}`,
      data: segments((row) => row.m.power.meanWatts),
      borderColor: colour(7),
      backgroundColor: colour(7),
      borderWidth: 3,
      pointRadius: 0,
      spanGaps: false,
    });
    meterIds.forEach((id, i) => {
      const meterEstimated = run.meters.find((meter) => meter.id === id)?.estimated ?? false;
      datasets.push({
        type: 'line',
        label: `${id}${meterEstimated ? ' (estimated)' : ''}`,
        data: segments((row) => row.m.power.byMeter[id]),
        borderColor: colour(i),
        backgroundColor: colour(i),
        borderWidth: 2,
        borderDash: meterEstimated ? [8, 5] : [],
        pointRadius: 0,
        spanGaps: false,
      });
    });
  }
  if (run.idle) {
    const idleWatts = Object.values(run.idle.watts).reduce((sum, w) => sum + w, 0);
    const end = Math.max(...spans.map((row) => row.m.spanS!.end));
    datasets.push({
      type: 'line',
      label: `idle baseline (${idleWatts.toPrecision(3)} W)`,
      data: [
        { x: 0, y: idleWatts },
        { x: end, y: idleWatts },
      ],
      borderColor: '#777777',
      backgroundColor: '#777777',
      borderDash: [2, 4],
      borderWidth: 1.5,
      pointRadius: 0,
    });
  }
  return {
    id: analysis.multiRun ? `power-over-time-${runIndex + 1}` : 'power-over-time',
    title,
    kind: 'power-over-time',
    model: null,
    config: {
      type: 'line',
      data: { datasets: datasets as unknown as ChartDataset<'line'>[] },
      options: {
        ...baseOptions(title),
        scales: {
          x: { type: 'linear', min: 0, title: axisTitle('time since run start (s)') },
          y: { type: 'linear', beginAtZero: true, title: axisTitle('mean power (W)') },
        },
      },
    },
  };
}

const numberField = (record: object | null, field: string): number | null => {
  const value = (record as Record<string, unknown> | null)?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};

function fidelityChart(analysis: ReportAnalysis, rows: Row[]): ChartSpec | null {
  const withFidelity = rows.filter((row) => row.m.fidelity !== null);
  if (withFidelity.length === 0) return null;
  const metric = withFidelity.some((row) => numberField(row.m.fidelity, 'cosine') !== null) ? 'cosine' : 'top1Agreement';
  const fp32 = (row: Row) =>
    rows.find(
      (other) =>
        other.run === row.run &&
        other.m.model.name === row.m.model.name &&
        other.m.model.precision === 'fp32' &&
        other.m.executionProvider === row.m.executionProvider &&
        other.m.batchSize === row.m.batchSize &&
        other.m.threads === row.m.threads,
    );
  const groups = new Map<string, ChartPoint[]>();
  for (const row of withFidelity) {
    const fidelity = numberField(row.m.fidelity, metric);
    const reference = fp32(row);
    if (fidelity === null || !reference) continue;
    const savingPercent = (1 - row.m.energy.joulesPerSample / reference.m.energy.joulesPerSample) * 100;
    const label = `${row.m.model.name}/${row.m.model.precision}${analysis.multiRun ? ` · ${row.machine}` : ''}`;
    groups.set(label, [...(groups.get(label) ?? []), { x: savingPercent, y: fidelity, note: row.m.key }]);
  }
  if (groups.size === 0) return null;
  const title = 'Fidelity against energy saved versus FP32';
  const datasets = [...groups].map(([label, data], i) => ({
    type: 'scatter' as const,
    label,
    data,
    backgroundColor: colour(i),
    borderColor: colour(i),
    pointRadius: 6,
  }));
  return {
    id: 'fidelity-vs-saving',
    title,
    kind: 'fidelity-vs-saving',
    model: null,
    config: {
      type: 'scatter',
      data: { datasets: datasets as unknown as ChartDataset<'scatter'>[] },
      options: {
        ...baseOptions(title),
        scales: {
          x: { type: 'linear', title: axisTitle('energy saving per sample vs FP32, same batch (%)') },
          y: {
            type: 'linear',
            title: axisTitle(metric === 'cosine' ? 'fidelity: cosine similarity to FP32 outputs (1 = identical)' : 'fidelity: top-1 agreement with FP32 (fraction, 1 = all)'),
          },
        },
      },
    },
  };
}

function machinesChart(analysis: ReportAnalysis, rows: Row[]): ChartSpec | null {
  if (!analysis.multiRun || rows.length === 0) return null;
  const keys = [...new Set(rows.map((row) => row.m.key))].sort(compareLabels);
  const title = 'Samples per joule by machine';
  const datasets = analysis.runs.map((run, i) => {
    const machine = analysis.machines.find((x) => x.runId === run.runId);
    const estimated = machine?.estimated ?? run.meters.some((meter) => meter.estimated);
    return {
      type: 'bar' as const,
      label: `${machine?.label ?? run.runId}${estimated ? ' (estimated)' : ''}`,
      data: keys.map((key) => rows.find((row) => row.run === run && row.m.key === key)?.m.energy.samplesPerJoule ?? null),
      backgroundColor: colour(i),
      borderColor: estimated ? '#000000' : colour(i),
      borderWidth: estimated ? 2 : 1,
      borderDash: estimated ? [4, 3] : [],
    };
  });
  return {
    id: 'machines',
    title,
    kind: 'machines',
    model: null,
    config: {
      type: 'bar',
      data: { labels: keys, datasets: datasets as unknown as ChartDataset<'bar'>[] },
      options: {
        ...baseOptions(title),
        scales: {
          x: { type: 'category', title: axisTitle('configuration (model/precision/EP/batch)') },
          y: { type: 'linear', beginAtZero: true, title: axisTitle('samples / J') },
        },
      },
    },
  };
}

// "fp32/cpu/b32" (the panel names the model), with the machine's host name when several machines are shown and
// "(est.)" when estimated points sit beside measured ones.
function pointLabel(row: Row, multiRun: boolean, mixed: boolean): string {
  const { m } = row;
  const text = `${m.model.precision}/${m.executionProvider}/b${m.batchSize}${m.threads !== null ? `/t${m.threads}` : ''}`;
  return `${multiRun ? `${text} @${row.run.environment.host.hostname}` : text}${mixed && estimatedRow(row) ? ' (est.)' : ''}`;
}

/** A file-name-safe form of a model name for chart ids. */
export function chartSlug(model: string): string {
  return model.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
}

// Make a chart one model's panel: its id and title name the model, in the page and in the PNG.
function asPanel(spec: ChartSpec, model: string, slug: string): ChartSpec {
  const title = `${spec.title} — ${model}`;
  const options = spec.config.options as { plugins?: { title?: { text?: string } } } | undefined;
  if (options?.plugins?.title) options.plugins.title.text = title;
  return { ...spec, id: `${spec.id}-${slug}`, title, model };
}

/**
 * Every chart the analysis has data for, in reading order; only `ok` measurements are plotted. With several models,
 * the charts that compare configurations (samples per joule, throughput and latency, Pareto, machines) are drawn once
 * per model, each on its own axes.
 */
export function buildChartSpecs(analysis: ReportAnalysis): ChartSpec[] {
  const rows = okRows(analysis);
  const models = [...new Set(rows.map((row) => row.m.model.name))];
  const slugs = new Map<string, string>();
  for (const model of models) {
    const base = chartSlug(model);
    let slug = base;
    for (let n = 2; [...slugs.values()].includes(slug); n++) slug = `${base}-${n}`;
    slugs.set(model, slug);
  }
  const perModel = (build: (rowsOfModel: Row[]) => ChartSpec | null): Array<ChartSpec | null> => {
    if (models.length <= 1) return [build(rows)];
    return models.map((model) => {
      const spec = build(rows.filter((row) => row.m.model.name === model));
      return spec && asPanel(spec, model, slugs.get(model)!);
    });
  };
  const specs = [
    ...perModel((of) => samplesPerJouleChart(analysis, of)),
    ...perModel((of) => throughputLatencyChart(analysis, of)),
    ...perModel((of) => paretoChart(analysis, of)),
    ...analysis.runs.map((run, i) => powerOverTimeChart(analysis, run, i, rows)),
    fidelityChart(analysis, rows),
    ...perModel((of) => machinesChart(analysis, of)),
  ];
  return specs.filter((spec): spec is ChartSpec => spec !== null);
}
