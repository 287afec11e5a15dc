// report.html: one self-contained page (chart.js inlined, no network) — recommendation first, then charts, then every number.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { carbonBasisLine, hourlyLines } from '../carbon/describe.js';
import type { Measurement, RunResult } from '../results/types.js';
import type { ReportAnalysis } from './analysis-types.js';
import { drawPointLabels } from './charts/point-labels.js';
import { buildChartSpecs, type ChartSpec } from './charts/specs.js';
import { cheapestText, costText, pricesLine } from './cost.js';
import { estimateBanner, rowEstimated } from './estimates.js';
import { sig } from '../common/format-number.js';
import { ciSuffix, fidelityBoundLine, fidelityMark, meterLine, rankMeasurements, stoppingLine } from './rank.js';
import { loadSectionHtml } from './load-section.js';

/** Text for an HTML text node or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

let chartJsSource: string | undefined;

// The UMD build read once per process. `</script` and `<!--` are neutralised so the bundle can never end its own
// <script> element early (inside JS strings, regexes and comments `<\/` and `<\!--` mean the same as the originals).
function inlineChartJs(): string {
  if (chartJsSource === undefined) {
    // chart.js's `exports` hides dist/, so resolve the package entry (dist/chart.cjs) and take its sibling.
    const file = path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
    chartJsSource = readFileSync(file, 'utf8').replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
  }
  return chartJsSource;
}

// JSON inside <script type="application/json">: escape what HTML parsing could act on.
const scriptJson = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const css = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; margin: 0 auto; max-width: 1280px; padding: 1rem 1.5rem; color: #1a1a1a; line-height: 1.45; }
h1 { margin-bottom: .2rem; } .meta { color: #444; margin: .1rem 0; }
code { font-family: ui-monospace, "Liberation Mono", monospace; font-size: .92em; }
.banner { border: 3px solid #D55E00; background: #fff3e6; padding: .8rem 1rem; margin: 1rem 0; font-size: 1.1rem; }
.banner strong { color: #a33d00; }
.recommendation { border-left: 6px solid #009E73; background: #f0faf6; padding: .6rem 1rem; margin: .8rem 0; }
.recommendation .summary { font-size: 1.15rem; font-weight: 600; }
.recommendation ul { margin: .3rem 0; }
.chart { margin: 1.2rem 0 2rem; } .chart-box { position: relative; height: 480px; }
.panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: .8rem 1.2rem; }
.panel { margin: .2rem 0 1rem; } .panel h4 { margin: .2rem 0; } .panel .chart-box { height: 400px; }
table { border-collapse: collapse; margin: .6rem 0 1.4rem; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: right; vertical-align: top; }
th { background: #f2f2f2; } td.key, th.key, td.text { text-align: left; }
tr.invalid td { background: repeating-linear-gradient(45deg, #fff 0 6px, #fde2cc 6px 12px); }
tr.not-ok td { background: #f4f4f4; color: #555; }
.note { display: block; font-size: .85em; color: #a33d00; text-align: left; }
.est { color: #a33d00; font-size: .85em; }
`;

// Runs after chart.js: builds each chart from its JSON spec, adds the point notes (key, "INVALID: …") to tooltips and
// draws the labels of labelled points (the Pareto chart's configurations) with the PNG writer's own function.
const bootScript = () => `
(function () {
  var drawPointLabels = ${String(drawPointLabels)};
  Chart.register({ id: 'joulebenchLabels', afterDatasetsDraw: drawPointLabels });
  var specs = JSON.parse(document.getElementById('joulebench-chart-specs').textContent);
  Chart.defaults.plugins.tooltip.callbacks.afterLabel = function (ctx) {
    var raw = ctx.raw;
    return raw && typeof raw === 'object' && typeof raw.note === 'string' ? raw.note : '';
  };
  specs.forEach(function (spec) {
    var canvas = document.getElementById('chart-' + spec.id);
    var config = spec.config;
    config.options = Object.assign({}, config.options, { responsive: true, maintainAspectRatio: false, animation: false });
    // The <h3> above the canvas already names the chart.
    config.options.plugins = Object.assign({}, config.options.plugins, { title: { display: false } });
    new Chart(canvas, config);
  });
  document.body.setAttribute('data-charts-ready', String(specs.length));
})();
`;

const machineOf = (analysis: ReportAnalysis, run: RunResult) =>
  analysis.machines.find((x) => x.runId === run.runId)?.label ?? run.environment.host.cpu.model;

function header(analysis: ReportAnalysis): string {
  const parts: string[] = [];
  const first = analysis.runs[0];
  const scenario = first?.scenario.resolved as { name?: string } | null | undefined;
  const name = analysis.multiRun ? `${analysis.runs.length} machines` : (scenario?.name ?? first?.runId ?? 'no runs');
  parts.push(`<h1>joulebench: ${escapeHtml(name)}</h1>`);
  for (const run of analysis.runs) {
    parts.push(
      `<p class="meta">Run <code>${escapeHtml(run.runId)}</code> · ${escapeHtml(machineOf(analysis, run))} · ${escapeHtml(run.createdAt)} · status <strong>${escapeHtml(run.status)}</strong>${run.stopReason ? ` (${escapeHtml(run.stopReason)})` : ''}</p>`,
      `<p class="meta">Meters: ${escapeHtml(meterLine(run))}; onnxruntime ${escapeHtml(run.environment.runtime.onnxruntime)}, Node ${escapeHtml(run.environment.runtime.node)}</p>`,
      `<p class="meta">Carbon: ${escapeHtml(carbonBasisLine(run.carbon))}</p>`,
      ...hourlyLines(run.carbon).map((line) => `<p class="meta">${escapeHtml(line)}</p>`),
    );
  }
  const banner = estimateBanner(analysis);
  if (banner) parts.push(`<div class="banner" role="alert"><strong>${escapeHtml(banner.headline)}</strong> — ${escapeHtml(banner.detail)}</div>`);
  return parts.join('\n');
}

function recommendations(analysis: ReportAnalysis): string {
  const parts = ['<section id="recommendation"><h2>Recommendation</h2>'];
  if (analysis.sloP99Ms !== null) parts.push(`<p>Latency SLO: p99 ≤ ${sig(analysis.sloP99Ms)} ms.</p>`);
  if (analysis.recommendations.length === 0) parts.push('<p>No configuration ran successfully, so there is nothing to recommend.</p>');
  for (const r of analysis.recommendations) {
    const facts: string[] = [];
    if (r.savingPercent !== null && r.baselineKey !== r.chosen?.key) facts.push(`energy saving vs ${r.baselineKey ? `<code>${escapeHtml(r.baselineKey)}</code>` : 'baseline'}: <strong>${sig(r.savingPercent)}%</strong>`);
    if (r.cost) facts.push(`<strong class="cost">cost ${escapeHtml(costText(r.cost, r.estimated))}</strong>`);
    const cheaper = cheapestText(r.cheapest);
    if (cheaper) facts.push(`<span class="cheaper">${escapeHtml(cheaper)}</span>`);
    if (r.whPer1kSamples !== null) facts.push(`${sig(r.whPer1kSamples)} Wh / 1k samples${r.estimated ? ' <span class="est">(est.)</span>' : ''}`);
    if (r.kWhPer1kRequests !== null) facts.push(`${sig(r.kWhPer1kRequests)} kWh / 1k requests`);
    if (r.gCO2ePer1kSamples !== null) facts.push(`${sig(r.gCO2ePer1kSamples)} gCO2e / 1k samples`);
    parts.push(
      `<div class="recommendation"><p class="summary">${escapeHtml(r.model)}: ${escapeHtml(r.summary)}</p>`,
      facts.length > 0 ? `<p>${facts.join(' · ')}</p>` : '',
      r.runnerUp ? `<p>Runner-up <code>${escapeHtml(r.runnerUp.key)}</code>: ${escapeHtml(r.runnerUp.whyNot)}</p>` : '',
      r.caveats.length > 0 ? `<ul>${r.caveats.map((c) => `<li>⚠ ${escapeHtml(c)}</li>`).join('')}</ul>` : '',
      '</div>',
    );
  }
  if (analysis.prices && analysis.recommendations.some((r) => r.cost)) parts.push(`<p class="meta">${escapeHtml(pricesLine(analysis.prices))}</p>`);
  parts.push('</section>');
  return parts.join('\n');
}

const chartBox = (spec: ChartSpec) =>
  `<div class="chart-box"><canvas id="chart-${escapeHtml(spec.id)}" role="img" aria-label="${escapeHtml(spec.title)}"></canvas></div>`;

// Charts of one kind drawn per model sit side by side, one panel each on its own axes, under one heading.
function charts(analysis: ReportAnalysis): { html: string; json: string } {
  const specs = buildChartSpecs(analysis);
  const groups: ChartSpec[][] = [];
  for (const spec of specs) {
    const last = groups[groups.length - 1];
    if (last && spec.model !== null && last[0]!.model !== null && last[0]!.kind === spec.kind) last.push(spec);
    else groups.push([spec]);
  }
  const html = groups
    .map((group) => {
      const first = group[0]!;
      if (first.model === null) return `<div class="chart" id="${escapeHtml(first.id)}"><h3>${escapeHtml(first.title)}</h3>${chartBox(first)}</div>`;
      const title = first.title.slice(0, first.title.length - ` — ${first.model}`.length);
      const panels = group
        .map((spec) => `<div class="chart panel" id="${escapeHtml(spec.id)}" data-model="${escapeHtml(spec.model!)}"><h4>${escapeHtml(spec.model!)}</h4>${chartBox(spec)}</div>`)
        .join('\n');
      return `<div class="chart-group" id="group-${escapeHtml(first.kind)}" data-kind="${escapeHtml(first.kind)}"><h3>${escapeHtml(title)} <small>(one panel per model, each on its own axes)</small></h3><div class="panels">\n${panels}\n</div></div>`;
    })
    .join('\n');
  return { html: `<section id="charts"><h2>Charts</h2>\n${html}\n</section>`, json: scriptJson(specs) };
}

function measurementRow(analysis: ReportAnalysis, run: RunResult, m: Measurement, rank: number | null): string {
  const machineCell = analysis.multiRun ? `<td class="text">${escapeHtml(machineOf(analysis, run))}</td>` : '';
  if (m.status !== 'ok' || !m.energy || !m.throughput || !m.latencyMs || !m.power) {
    const error = m.error ? `${m.error.code}: ${m.error.message}` : '';
    return `<tr class="not-ok"><td>–</td><td class="key"><code>${escapeHtml(m.key)}</code></td>${machineCell}<td class="text" colspan="11"><strong>${escapeHtml(m.status)}</strong> ${escapeHtml(error)}</td></tr>`;
  }
  const est = rowEstimated(m) ? ' <span class="est">(est.)</span>' : '';
  const t = m.throughput.samplesPerSecond;
  const reasons = m.validity.reasons.join('; ') || 'no reason recorded';
  const cells = [
    `${sig(m.energy.samplesPerJoule)}${escapeHtml(ciSuffix(m))}${est}`,
    `${sig(m.energy.joulesPerSample)}${est}`,
    `${sig(m.energy.netJoulesPerSample)}${m.energy.netJoulesPerSample === null ? '' : est}`,
    `${sig(t.mean)} (${sig(t.ci95[0])}–${sig(t.ci95[1])})`,
    sig(m.latencyMs.p50),
    sig(m.latencyMs.p99),
    `${sig(m.power.meanWatts)}${est}`,
    `${sig(m.energy.whPer1kSamples)}${est}`,
    `${sig(m.energy.gCO2ePer1kSamples)}${est}`,
    m.validity.valid ? 'yes' : `<strong>no</strong><span class="note">invalid: ${escapeHtml(reasons)}</span>`,
  ];
  const mark = fidelityMark(m) ? ` <strong class="fidelity-miss" title="${escapeHtml(m.fidelity!.violations.join('; '))}">✗ fidelity</strong>` : '';
  return `<tr${m.validity.valid ? '' : ' class="invalid"'}><td>${rank ?? '–'}</td><td class="key"><code>${escapeHtml(m.key)}</code>${mark}</td>${machineCell}${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

function rankedTable(analysis: ReportAnalysis): string {
  const entries = analysis.runs.flatMap((run) => run.measurements.map((m) => ({ run, m })));
  const order = rankMeasurements(entries.map((e) => e.m));
  const used = new Set<number>();
  const rows: string[] = [];
  let rank = 0;
  for (const m of order) {
    // rankMeasurements returns the same objects: map each back to its run (keys may repeat across runs).
    const index = entries.findIndex((e, i) => !used.has(i) && e.m === m);
    if (index < 0) continue;
    used.add(index);
    const ok = m.status === 'ok' && m.energy !== null && m.throughput !== null && m.latencyMs !== null && m.power !== null;
    rows.push(measurementRow(analysis, entries[index]!.run, m, ok ? ++rank : null));
  }
  const machineHead = analysis.multiRun ? '<th scope="col" class="key">machine</th>' : '';
  const head = [
    'samples/J', 'J/sample', 'net J/sample', 'samples/s (95% CI)', 'p50 ms', 'p99 ms', 'mean W', 'Wh/1k samples', 'gCO2e/1k samples', 'valid',
  ].map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const stopping = stoppingLine(analysis.runs);
  const fidelityBound = fidelityBoundLine(analysis.runs);
  return `<section id="measurements"><h2>Every configuration, ranked by samples per joule</h2>
<table><thead><tr><th scope="col">#</th><th scope="col" class="key">configuration</th>${machineHead}${head}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<p>Net J/sample subtracts the idle baseline. Invalid rows (hatched) did not meet the measurement rules; failed and skipped rows show their error.</p>
${stopping ? `<p>${escapeHtml(stopping)}</p>\n` : ''}${fidelityBound ? `<p>${escapeHtml(fidelityBound)}</p>\n` : ''}</section>`;
}

function carbonTable(analysis: ReportAnalysis): string {
  if (analysis.carbonByRegion.length === 0) return '';
  const keys = [...new Set(analysis.carbonByRegion.flatMap((row) => Object.keys(row.gCO2ePer1kSamples)))];
  const head = keys.map((key) => `<th scope="col"><code>${escapeHtml(key)}</code> gCO2e/1k samples</th>`).join('');
  const body = analysis.carbonByRegion
    .map(
      (row) =>
        `<tr><th scope="row" class="key">${escapeHtml(row.region)}</th><td>${sig(row.gridIntensityGPerKWh)}</td>${keys.map((key) => `<td>${sig(row.gCO2ePer1kSamples[key])}</td>`).join('')}<td class="key">${escapeHtml(row.source)}</td></tr>`,
    )
    .join('\n');
  return `<section id="carbon"><h2>Carbon by region</h2>
<table><thead><tr><th scope="col" class="key">region</th><th scope="col">grid intensity (gCO2e/kWh)</th>${head}<th scope="col" class="key">source</th></tr></thead>
<tbody>
${body}
</tbody></table></section>`;
}

function coldStartTable(analysis: ReportAnalysis): string {
  if (analysis.coldStart.length === 0) return '';
  const withCost = analysis.coldStart.some((row) => row.costPerMillionSamples !== null);
  const partlyPriced = withCost && analysis.coldStart.some((row) => row.cost && row.cost.hardware === null) && analysis.coldStart.some((row) => row.cost && row.cost.hardware !== null);
  const body = analysis.coldStart
    .map((row) => {
      const est = row.estimated ? ' <span class="est">(est.)</span>' : '';
      const machine = analysis.multiRun ? `<td class="text">${escapeHtml(row.machine)}</td>` : '';
      const note = partlyPriced && row.cost && row.cost.hardware === null ? '<span class="note">electricity only: no hardware price</span>' : '';
      return `<tr><td class="key"><code>${escapeHtml(row.key)}</code></td>${machine}<td>${sig(row.sessionCreateMs)}</td><td>${sig(row.coldEnergyJ)}${est}</td><td>${sig(row.joulesPerSample)}${est}</td><td>${row.breakEvenSamples === null ? '—' : sig(row.breakEvenSamples)}</td>${withCost ? `<td>${sig(row.costPerMillionSamples)}${row.cost?.electricity !== null && row.cost?.electricity !== undefined ? est : ''}${note}</td>` : ''}</tr>`;
    })
    .join('\n');
  const machineHead = analysis.multiRun ? '<th scope="col" class="key">machine</th>' : '';
  const prices = withCost && analysis.prices ? `<p class="meta">Cost per 1M samples = J/sample × 1e6 ÷ 3.6e6 J/kWh × electricity price + 1e6 ÷ samples/s ÷ 3600 s/h × hardware price. ${escapeHtml(pricesLine(analysis.prices))}</p>` : '';
  return `<section id="cold-start"><h2>Cold start${withCost ? ' and cost' : ''}</h2>
<table><thead><tr><th scope="col" class="key">configuration</th>${machineHead}<th scope="col">session create (ms)</th><th scope="col">cold-start energy (J)</th><th scope="col">steady J/sample</th><th scope="col">break-even (samples)</th>${withCost ? '<th scope="col">cost per 1M samples</th>' : ''}</tr></thead>
<tbody>
${body}
</tbody></table>${prices}</section>`;
}

/** Render the whole report as one self-contained HTML page that works offline from disk. */
export function renderHtml(analysis: ReportAnalysis): string {
  const chartParts = charts(analysis);
  const title = `joulebench report — ${analysis.runs.map((run) => run.runId).join(', ')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<header>
${header(analysis)}
</header>
<main>
${recommendations(analysis)}
${chartParts.html}
${rankedTable(analysis)}
${loadSectionHtml(analysis.runs)}
${carbonTable(analysis)}
${coldStartTable(analysis)}
</main>
<script type="application/json" id="joulebench-chart-specs">${chartParts.json}</script>
<script>${inlineChartJs()}</script>
<script>${bootScript()}</script>
</body>
</html>
`;
}
