// `joulebench history <DIR>`: the trend of every configuration over the runs in a history store, change points
// named by run, a terminal sparkline, history.html, and CSV / JSON exports. `--add` appends result files first.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readResultFile } from '../results/read.js';
import { ExitCode, InputError, type ExitCodeValue } from '../errors.js';
import { historyCsv, historyJson } from '../history/export.js';
import { historyMetricFamilies } from '../metrics/history-metrics.js';
import { formatForFile, renderOpenMetrics } from '../metrics/openmetrics.js';
import { renderHistoryHtml } from '../history/html.js';
import { HistoryStore } from '../history/store.js';
import { analyseTrends, mixedHostsWarning, sparkline, type HistoryMetricId, type HistorySeries } from '../history/trend.js';
import { sig } from '../common/format-number.js';
import { writeFileAtomic } from '../common/atomic.js';
import type { RunResult } from '../results/types.js';
import { exportFlag, withUsage, words } from './args.js';
import { displayPath } from './paths.js';

/** Help text for `history`. */
export const historyHelp = `joulebench history <DIR> [options]

The trend of every configuration over the runs recorded in DIR (by run/bench --history DIR or the scenario's
history:, or --add; load runs add energy per request and p99 per rate), with change points — E-Divisive means with
a permutation test — naming the run where the level shifted. Writes DIR/history.html (a chart per configuration
and metric).

  --key KEY          only this configuration (e.g. mlp/fp32/cpu/b8)
  --metric LIST      samples-per-joule, samples-per-second, p99, joules-per-request (default: all)
  --add FILE         append a result.json to the store first (repeatable; creates the store): backfill old runs
  --alpha A          significance level of the change-point test (default 0.05)
  --noise P          report level shifts of at least P (default 2%)
  --export-html FILE where to write the chart page (default DIR/history.html; alias --html)
  --export-csv FILE  export every run × configuration as CSV (alias --csv)
  --export-json FILE export runs, points and change points as JSON (alias --json-file)
  --openmetrics FILE export samples/J, power and p99 per run as timestamped OpenMetrics, for Prometheus'
                     backfill: promtool tsdb create-blocks-from openmetrics FILE DIR (docs/metrics.md)
  --json             print that JSON on stdout instead of the table
  -h, --help         this help`;

const metricNames: Record<string, HistoryMetricId> = {
  'samples-per-joule': 'samplesPerJoule',
  samplesPerJoule: 'samplesPerJoule',
  spj: 'samplesPerJoule',
  'samples-per-second': 'samplesPerSecond',
  samplesPerSecond: 'samplesPerSecond',
  throughput: 'samplesPerSecond',
  p99: 'p99Ms',
  p99Ms: 'p99Ms',
  'joules-per-request': 'joulesPerRequest',
  joulesPerRequest: 'joulesPerRequest',
};

/** Append a finished run to the history store in `dir` (used by run and bench). */
export async function appendToHistory(dir: string, result: RunResult, resultPath: string): Promise<{ runNumber: number; added: boolean; file: string }> {
  const store = HistoryStore.open(dir, { create: true });
  try {
    return { ...store.append(result, resultPath), file: store.file };
  } finally {
    store.close();
  }
}

function renderSeries(all: HistorySeries[]): string {
  const lines: string[] = [];
  let lastKey = '';
  // One trend line per host when the store mixes hosts: "samples/J @box-a".
  const labelOf = (s: HistorySeries) => `${s.label}${s.host ? ` @${s.host}` : ''}${s.estimated ? ' (est.)' : ''}`;
  const labelWidth = Math.max(...all.map((s) => labelOf(s).length));
  for (const s of all) {
    if (s.key !== lastKey) {
      lines.push('', s.key);
      lastKey = s.key;
    }
    const label = labelOf(s).padEnd(labelWidth);
    const values = s.points.map((p) => p.value);
    if (values.length === 0) {
      lines.push(`  ${label}  (never measured)`);
      continue;
    }
    const shown = values.length > 60 ? ` (last 60 of ${values.length})` : '';
    lines.push(`  ${label}  ${sparkline(values)}  ${values.length} run(s)${shown}, last ${sig(values[values.length - 1])} (range ${sig(Math.min(...values))} – ${sig(Math.max(...values))})${s.changePoints.length === 0 ? ', no change point' : ''}`);
    for (const c of s.changePoints) {
      const pct = `${c.relativeChange >= 0 ? '+' : '−'}${Math.abs(c.relativeChange * 100).toFixed(1)}%`;
      lines.push(`    ${c.verdict === 'regressed' ? '✗' : '✓'} change point at run ${c.position} of ${s.points.length} (${c.runId}, ${c.createdAt}): ${sig(c.before)} → ${sig(c.after)} (${pct}), ${c.verdict}, p = ${c.pValue.toFixed(3)}`);
    }
  }
  return lines.join('\n');
}

async function writeOut(file: string, text: string): Promise<string> {
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFileAtomic(target, text);
  return displayPath(target);
}

/** Entry point of `history`. */
export async function historyCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('history', historyHelp, () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        key: { type: 'string' },
        metric: { type: 'string' },
        add: { type: 'string', multiple: true },
        alpha: { type: 'string' },
        noise: { type: 'string' },
        'export-html': { type: 'string' },
        'export-csv': { type: 'string' },
        'export-json': { type: 'string' },
        html: { type: 'string' },
        csv: { type: 'string' },
        'json-file': { type: 'string' },
        openmetrics: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    }),
  );
  if (positionals.length !== 1) {
    throw new InputError('USAGE', `history: expected one history folder, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, {
      hint: 'joulebench history results/history',
    });
  }
  let metrics: HistoryMetricId[] | undefined;
  if (values.metric !== undefined) {
    metrics = words(values.metric).map((name) => {
      const id = metricNames[name];
      if (!id) throw new InputError('FLAG_INVALID', `--metric: unknown metric "${name}"`, { hint: 'use samples-per-joule, samples-per-second, p99 or joules-per-request' });
      return id;
    });
  }
  const alpha = values.alpha === undefined ? 0.05 : Number(values.alpha);
  if (!(alpha > 0 && alpha < 0.5)) throw new InputError('FLAG_INVALID', `--alpha: expected a significance level between 0 and 0.5, like 0.05, got "${values.alpha}"`);
  const noiseText = values.noise?.trim().replace(/%$/, '');
  const noise = noiseText === undefined ? 0.02 : Number(noiseText) / 100;
  if (noiseText === '' || !(noise >= 0 && noise < 1)) throw new InputError('FLAG_INVALID', `--noise: expected a percentage like 2 or 2%, got "${values.noise}"`);
  if (values.openmetrics !== undefined && formatForFile(values.openmetrics) === 'prometheus') {
    throw new InputError('FLAG_INVALID', `--openmetrics ${values.openmetrics}: a history export holds one timestamped point per run, which node_exporter's textfile collector (*.prom) refuses`, {
      hint: 'name it .om and backfill it: promtool tsdb create-blocks-from openmetrics FILE DIR (docs/metrics.md)',
    });
  }
  const dir = path.resolve(positionals[0]!);
  const adds: RunResult[] = [];
  const addFiles = (values.add ?? []).map((file) => path.resolve(file));
  for (const file of addFiles) adds.push(await readResultFile(file, 'result'));
  const store = HistoryStore.open(dir, { create: adds.length > 0 });
  const messages: string[] = [];
  let runs;
  let points;
  try {
    adds.forEach((result, index) => {
      const { runNumber, added } = store.append(result, addFiles[index]!);
      messages.push(added ? `added run ${result.runId} as run number ${runNumber}` : `run ${result.runId} is already in the store (run number ${runNumber})`);
    });
    runs = store.runs();
    points = [...store.points(), ...store.loadPoints()];
  } finally {
    store.close();
  }
  if (values.key !== undefined && !points.some((p) => p.key === values.key)) {
    const keys = [...new Set(points.map((p) => p.key))];
    throw new InputError('HISTORY_NO_KEY', `--key: no configuration "${values.key}" in ${displayPath(store.file)}`, {
      hint: keys.length > 0 ? `keys here: ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}` : 'the store has no runs yet',
    });
  }
  const series = analyseTrends(points, {
    ...(values.key !== undefined ? { key: values.key } : {}),
    ...(metrics ? { metrics } : {}),
    detector: { alpha },
    minRelativeChange: noise,
  });
  const json = historyJson(store.file, runs, values.key !== undefined ? points.filter((p) => p.key === values.key) : points, series);
  const written: string[] = [];
  const csv = exportFlag(values, 'export-csv', 'csv');
  const jsonFile = exportFlag(values, 'export-json', 'json-file');
  written.push(await writeOut(exportFlag(values, 'export-html', 'html') ?? path.join(path.dirname(store.file), 'history.html'), renderHistoryHtml(displayPath(store.file), runs, series)));
  if (csv) written.push(await writeOut(csv, historyCsv(values.key !== undefined ? points.filter((p) => p.key === values.key) : points)));
  if (jsonFile) written.push(await writeOut(jsonFile, `${JSON.stringify(json, null, 2)}\n`));
  if (values.openmetrics) written.push(await writeOut(values.openmetrics, renderOpenMetrics(historyMetricFamilies(runs, values.key !== undefined ? points.filter((p) => p.key === values.key) : points))));

  const out = values.json ? process.stderr : process.stdout;
  for (const message of messages) out.write(`${message}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else {
    const first = runs[0];
    const last = runs[runs.length - 1];
    const estimated = series.some((s) => s.estimated) ? '\nPower is ESTIMATED in some runs (no hardware meter): their samples/J and J/request are estimates, marked (est.).' : '';
    const hosts = mixedHostsWarning(runs);
    const mixed = hosts ? `\nwarning: ${hosts}.` : '';
    const span = first && last ? ` (${first.createdAt} … ${last.createdAt})` : '';
    const shifts = series.reduce((sum, s) => sum + s.changePoints.length, 0);
    const metricsShown = metrics?.length ?? new Set(series.map((s) => s.metric)).size;
    process.stdout.write(`history: ${displayPath(store.file)} — ${runs.length} run(s)${span}, ${new Set(series.map((s) => s.key)).size} configuration(s) × ${metricsShown} metric(s), ${shifts} change point(s)${estimated}${mixed}\n${renderSeries(series)}\n\nwrote ${written.join(', ')}\n`);
  }
  return ExitCode.ok;
}
