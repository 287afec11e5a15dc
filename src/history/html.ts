// history.html: one self-contained page (chart.js inlined, no network) with a trend chart per configuration and
// metric, the level of each segment between change points, and a table naming the runs where the level shifted.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { sig } from '../common/format-number.js';
import { escapeHtml } from '../report/html.js';
import type { HistoryRun } from './store.js';
import { mixedHostsWarning, type HistorySeries } from './trend.js';

// chart.js's UMD build, made safe to inline in a <script> element (as report/html.ts does).
function inlineChartJs(): string {
  const file = path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
  return readFileSync(file, 'utf8').replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const scriptJson = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const percent = (fraction: number) => `${fraction >= 0 ? '+' : '−'}${Math.abs(fraction * 100).toFixed(1)}%`;

/** The chart.js configuration of one series: the values, each segment's mean level, change points ringed in red. */
export function seriesChartConfig(series: HistorySeries): Record<string, unknown> {
  const values = series.points.map((p) => p.value);
  const cuts = [0, ...series.changePoints.map((c) => c.position - 1), values.length];
  const level: number[] = [];
  for (let s = 0; s + 1 < cuts.length; s++) {
    const segment = values.slice(cuts[s]!, cuts[s + 1]!);
    const mean = segment.reduce((sum, v) => sum + v, 0) / segment.length;
    for (let i = 0; i < segment.length; i++) level.push(mean);
  }
  const changeAt = new Set(series.changePoints.map((c) => c.position - 1));
  const est = series.estimated ? ' (estimated)' : '';
  return {
    type: 'line',
    data: {
      labels: series.points.map((p, i) => `${i + 1}`),
      datasets: [
        {
          label: `${series.label}${est}`,
          data: values,
          borderColor: '#0072B2',
          backgroundColor: '#0072B2',
          pointRadius: values.map((_, i) => (changeAt.has(i) ? 7 : 2)),
          pointBackgroundColor: values.map((_, i) => (changeAt.has(i) ? '#D55E00' : '#0072B2')),
          pointBorderColor: values.map((_, i) => (changeAt.has(i) ? '#D55E00' : '#0072B2')),
          borderWidth: 1.5,
        },
        { label: 'level between change points', data: level, borderColor: '#009E73', borderDash: [6, 4], pointRadius: 0, borderWidth: 2, stepped: true },
      ],
    },
    options: {
      scales: { x: { title: { display: true, text: 'run (oldest → newest)' } }, y: { title: { display: true, text: `${series.label}${est}` } } },
      plugins: { legend: { position: 'bottom' } },
    },
  };
}

/** The whole page. */
export function renderHistoryHtml(file: string, runs: HistoryRun[], series: HistorySeries[]): string {
  const estimated = series.some((s) => s.estimated);
  const charts = series.map((s, index) => ({ id: `s${index}`, config: seriesChartConfig(s), runIds: s.points.map((p) => `${p.runId} · ${p.createdAt}`) }));
  const rows = series.flatMap((s) =>
    s.changePoints.map(
      (c) =>
        `<tr class="${c.verdict}"><td class="text">${escapeHtml(s.key)}${s.host ? ` @${escapeHtml(s.host)}` : ''}</td><td class="text">${escapeHtml(s.label)}${s.estimated ? ' <span class="est">(estimated)</span>' : ''}</td><td>${c.position} of ${s.points.length}</td><td class="text">${escapeHtml(c.runId)}</td><td class="text">${escapeHtml(c.createdAt)}</td><td>${sig(c.before)} → ${sig(c.after)}</td><td>${percent(c.relativeChange)}</td><td>${c.pValue.toFixed(3)}</td><td class="text">${c.verdict}</td></tr>`,
    ),
  );
  const first = runs[0];
  const last = runs[runs.length - 1];
  const sections = series
    .map((s, index) => {
      const shifts = s.changePoints.map((c) => `run ${c.position} (${escapeHtml(c.runId)}): ${c.verdict} ${percent(c.relativeChange)}`).join('; ');
      return `<section class="chart"${s.host ? ` data-host="${escapeHtml(s.host)}"` : ''}><h3>${escapeHtml(s.key)}${s.host ? ` @${escapeHtml(s.host)}` : ''} — ${escapeHtml(s.label)}${s.estimated ? ' <span class="est">(estimated)</span>' : ''}</h3><p class="meta">${s.points.length} runs${shifts ? `; change points: ${shifts}` : '; no change point'}</p><div class="chart-box"><canvas id="chart-s${index}" role="img" aria-label="${escapeHtml(`${s.key} ${s.label} over ${s.points.length} runs`)}"></canvas></div></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>joulebench history</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; margin: 0 auto; max-width: 1280px; padding: 1rem 1.5rem; color: #1a1a1a; line-height: 1.45; }
.meta { color: #444; margin: .1rem 0; } .chart { margin: 1rem 0 1.8rem; } .chart-box { position: relative; height: 280px; }
.banner { border: 3px solid #D55E00; background: #fff3e6; padding: .8rem 1rem; margin: 1rem 0; }
table { border-collapse: collapse; margin: .6rem 0 1.4rem; font-size: .9rem; } th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: right; }
th { background: #f2f2f2; } td.text { text-align: left; } tr.regressed td { background: #fde2cc; } tr.improved td { background: #e3f5ec; }
.est { color: #a33d00; font-size: .85em; }
</style></head><body>
<h1>joulebench history</h1>
<p class="meta">${escapeHtml(file)} — ${runs.length} runs${first && last ? `, ${escapeHtml(first.createdAt)} … ${escapeHtml(last.createdAt)}` : ''}</p>
${estimated ? '<div class="banner"><strong>Power is ESTIMATED</strong> in some runs (no hardware meter): their samples/J and J/request are estimates.</div>' : ''}
${mixedHostsWarning(runs) ? `<div class="banner" role="alert"><strong>Several hosts</strong> — ${escapeHtml(mixedHostsWarning(runs)!)}.</div>` : ''}
<h2>Change points</h2>
<p class="meta">E-Divisive means with a permutation test, as MongoDB's and Apache Otava's performance CI use (significance 0.05 and shifts of at least 2% unless <code>--alpha</code> / <code>--noise</code> say otherwise); a change point names the first run of the new level.</p>
${rows.length > 0 ? `<table><thead><tr><th class="text">configuration</th><th class="text">metric</th><th>run</th><th class="text">run id</th><th class="text">started</th><th>level</th><th>change</th><th>p</th><th class="text">verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '<p>No change point in any series.</p>'}
<h2>Trends</h2>
${sections}
<script>${inlineChartJs()}</script>
<script type="application/json" id="joulebench-history-charts">${scriptJson(charts)}</script>
<script>
(function () {
  var charts = JSON.parse(document.getElementById('joulebench-history-charts').textContent);
  charts.forEach(function (chart) {
    var config = chart.config;
    config.options = Object.assign({}, config.options, { responsive: true, maintainAspectRatio: false, animation: false });
    config.options.plugins = Object.assign({}, config.options.plugins, { tooltip: { callbacks: { afterTitle: function (items) { return items.length ? chart.runIds[items[0].dataIndex] : ''; } } } });
    new Chart(document.getElementById('chart-' + chart.id), config);
  });
  document.body.setAttribute('data-charts-ready', String(charts.length));
})();
</script>
</body></html>
`;
}
