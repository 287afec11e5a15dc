// The "Serving under load" section of report.md (runs of `joulebench load`): per configuration and rate, what was
// served, how fast, what each request cost and how much of it was idle; per rate, the recommendation.
import type { LoadRecord } from '../results/load-types.js';
import type { RunResult } from '../results/types.js';
import { sig } from '../common/format-number.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const percent = (share: number | null) => (share === null || Number.isNaN(share) ? '–' : `${(share * 100).toFixed(1)}%`);

/** Markdown lines of the load section (none when no run has load records). */
export function loadSectionMarkdown(runs: RunResult[]): string[] {
  const records = runs.flatMap((run) => run.load ?? []);
  if (records.length === 0) return [];
  const est = records.some((record) => record.estimated) ? ' (est.)' : '';
  const lines = [
    '## Serving under load', '',
    `| configuration | target req/s | achieved req/s | p50 ms | p99 ms | mean batch | utilisation | mean W${est} | J/request${est} | kWh/1k requests | idle share | flat-out J/sample | × flat-out | verdict |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of records) {
    if (r.status !== 'ok') {
      lines.push(`| \`${r.key}\` | ${r.targetRate} | | | | | | | | | | | | **failed**: ${cell(r.error?.message ?? '')} |`);
      continue;
    }
    const verdict = !r.valid ? `invalid: ${r.reasons[0] ?? ''}` : r.overCapacity ? `over capacity: ${r.reasons[0] ?? ''}` : 'valid';
    lines.push(`| \`${r.key}\` | ${r.targetRate} | ${r.achievedRate.toFixed(2)} | ${sig(r.p50Ms)} | ${sig(r.p99Ms)} | ${r.meanBatchSize.toFixed(2)} | ${percent(r.utilisation)} | ${sig(r.meanWatts)} | ${sig(r.joulesPerRequest)} | ${sig(r.kWhPer1kRequests)} | ${percent(r.idleShare)} | ${sig(r.flatOutJoulesPerSample)} | ${r.vsFlatOut === null ? '–' : `${r.vsFlatOut.toFixed(1)}×`} | ${cell(verdict)} |`);
  }
  lines.push('');
  const recommendations = runs.flatMap((run) => run.loadRecommendations ?? []);
  for (const entry of recommendations) lines.push(`- **${entry.targetRate} req/s** — ${entry.key ? `\`${entry.key}\`: ` : 'nothing to recommend: '}${cell(entry.reason)}`);
  if (recommendations.length > 0) lines.push('');
  lines.push(
    'Latency runs from a request\'s scheduled arrival to its result (batching wait and queueing included). J/request is all the energy the counted meters saw over the rate\'s span, idle time between batches included; the idle share is idle power × idle time ÷ that energy. × flat-out compares it with the energy per sample of the same configuration run back to back at its max batch (docs/load.md).',
    '',
  );
  return lines;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The same section as HTML (empty when no run has load records). */
export function loadSectionHtml(runs: RunResult[]): string {
  const records = runs.flatMap((run) => run.load ?? []);
  if (records.length === 0) return '';
  const est = records.some((record) => record.estimated) ? ' (est.)' : '';
  const head = ['configuration', 'target req/s', 'achieved req/s', 'p50 ms', 'p99 ms', 'mean batch', 'utilisation', `mean W${est}`, `J/request${est}`, 'kWh/1k requests', 'idle share', 'flat-out J/sample', '× flat-out', 'verdict'];
  const rows = records.map((r) => {
    if (r.status !== 'ok') return [r.key, String(r.targetRate), '', '', '', '', '', '', '', '', '', '', '', `failed: ${r.error?.message ?? ''}`];
    const verdict = !r.valid ? `invalid: ${r.reasons[0] ?? ''}` : r.overCapacity ? `over capacity: ${r.reasons[0] ?? ''}` : 'valid';
    return [r.key, String(r.targetRate), r.achievedRate.toFixed(2), sig(r.p50Ms), sig(r.p99Ms), r.meanBatchSize.toFixed(2), percent(r.utilisation), sig(r.meanWatts), sig(r.joulesPerRequest), sig(r.kWhPer1kRequests), percent(r.idleShare), sig(r.flatOutJoulesPerSample), r.vsFlatOut === null ? '–' : `${r.vsFlatOut.toFixed(1)}×`, verdict];
  });
  const recommendations = runs.flatMap((run) => run.loadRecommendations ?? []);
  return `<section id="load"><h2>Serving under load</h2>
<table><thead><tr>${head.map((title) => `<th>${escape(title)}</th>`).join('')}</tr></thead>
<tbody>
${rows.map((row) => `<tr>${row.map((value, i) => `<td>${i === 0 ? `<code>${escape(value)}</code>` : escape(value)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>
<figure>${loadChartsHtml(records)}</figure>
<ul>${recommendations.map((entry) => `<li><strong>${entry.targetRate} req/s</strong> — ${entry.key ? `<code>${escape(entry.key)}</code>: ` : 'nothing to recommend: '}${escape(entry.reason)}</li>`).join('')}</ul>
<p>Latency runs from a request's scheduled arrival to its result (batching wait and queueing included). J/request is all the energy the counted meters saw over the rate's span, idle time between batches included; the idle share is idle power × idle time ÷ that energy.</p>
</section>`;
}

/** One line of a chart: a configuration's points and, optionally, a horizontal floor. */
interface Series {
  label: string;
  points: Array<[number, number]>;
  floor: number | null;
}

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/**
 * A small log–log line chart as inline SVG (no script): one line per series, its floor dashed in the same colour.
 * Energy per request against load falls towards the flat-out floor as idle time is spread over more requests.
 */
export function loadChartSvg(title: string, yLabel: string, series: Series[]): string {
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => [...s.points.map(([, y]) => y), ...(s.floor !== null ? [s.floor] : [])]).filter((y) => y > 0 && Number.isFinite(y));
  if (xs.length === 0 || ys.length === 0) return '';
  const [width, height, left, right, top, bottom] = [520, 300, 70, 20, 30, 45];
  const logRange = (values: number[]) => {
    const lo = Math.log10(Math.min(...values));
    const hi = Math.log10(Math.max(...values));
    return hi - lo < 1e-9 ? [lo - 0.5, hi + 0.5] : [lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)];
  };
  const [x0, x1] = logRange(xs);
  const [y0, y1] = logRange(ys);
  const px = (x: number) => left + ((Math.log10(x) - x0!) / (x1! - x0!)) * (width - left - right);
  const py = (y: number) => height - bottom - ((Math.log10(y) - y0!) / (y1! - y0!)) * (height - top - bottom);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escape(title)}">`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${escape(title)}</text>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#888"/><line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#888"/>`,
    `<text x="${width / 2}" y="${height - 8}" text-anchor="middle" font-size="11">requests per second (log)</text>`,
    `<text x="14" y="${height / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 14 ${height / 2})">${escape(yLabel)} (log)</text>`];
  for (const x of [...new Set(xs)]) parts.push(`<text x="${px(x).toFixed(1)}" y="${height - bottom + 14}" text-anchor="middle" font-size="10">${sig(x)}</text>`);
  for (const y of [Math.pow(10, y0!), Math.pow(10, y1!)]) parts.push(`<text x="${left - 4}" y="${(py(y) + 3).toFixed(1)}" text-anchor="end" font-size="10">${sig(y)}</text>`);
  series.forEach((s, i) => {
    const colour = palette[i % palette.length]!;
    const sorted = [...s.points].filter(([, y]) => y > 0).sort((a, b) => a[0] - b[0]);
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${sorted.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of sorted) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${colour}"/>`);
    if (s.floor !== null && s.floor > 0) parts.push(`<line x1="${left}" x2="${width - right}" y1="${py(s.floor).toFixed(1)}" y2="${py(s.floor).toFixed(1)}" stroke="${colour}" stroke-dasharray="5 4"/>`);
    parts.push(`<text x="${width - right - 4}" y="${top + 14 + 13 * i}" text-anchor="end" font-size="10" fill="${colour}">${escape(s.label)}${s.floor !== null ? ' (dashed: flat out)' : ''}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** The two load charts (energy per request against load with the flat-out floor; mean power against load). */
export function loadChartsHtml(records: LoadRecord[]): string {
  const ok = records.filter((r) => r.status === 'ok');
  const labels = [...new Set(ok.map((r) => r.key.replace(/@[^@]*$/, '')))];
  const series = (value: (r: LoadRecord) => number, floor: boolean): Series[] => labels.map((label) => {
    const mine = ok.filter((r) => r.key.replace(/@[^@]*$/, '') === label);
    return { label, points: mine.map((r) => [r.targetRate, value(r)] as [number, number]), floor: floor ? (mine[0]?.flatOutJoulesPerSample ?? null) : null };
  });
  return [
    loadChartSvg('Energy per request against load', 'J/request', series((r) => r.joulesPerRequest, true)),
    loadChartSvg('Mean power against load', 'W', series((r) => r.meanWatts, false)),
  ].join('\n');
}
