import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseRuns } from '../../src/report/analysis.js';
import { estimateBanner } from '../../src/report/estimates.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderReportSummary } from '../../src/report/summary.js';
import { procurementRuns, run } from './procurement-runs.js';

const prices = { electricityPricePerKWh: 0.3, pricePerHour: { 'gpu-box': 3.6, laptop: 0.5 } };
const near = (actual: number | null | undefined, expected: number, what: string) =>
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);

test('cost per million inferences of the recommendation, by hand: energy at the kWh price plus hardware time at the hour price', () => {
  const analysis = analyseRuns(procurementRuns(), prices);
  const mlp = analysis.recommendations.find((r) => r.model === 'mlp')!;
  // gpu-box mlp b64: 0.01/√64 × 0.5 = 0.000625 J/sample, 2000 × √64 × 4 = 64,000 samples/s, p99 0.5 × 64 / 4 = 8 ms.
  assert.equal(mlp.chosen!.key, 'mlp/fp32/cpu/b64');
  assert.equal(mlp.machine, 'Intel Xeon Gold 6338 ×8');
  assert.equal(mlp.estimated, false);
  // 0.000625 J × 1e6 = 625 J = 625 / 3.6e6 kWh × 0.3 = 0.0000520833…; 1e6 / 64,000 = 15.625 s = 15.625 / 3600 h × 3.6 = 0.015625.
  near(mlp.cost!.electricity, (625 / 3.6e6) * 0.3, 'electricity');
  near(mlp.cost!.hardware, 0.015625, 'hardware');
  near(mlp.cost!.perMillionSamples, (625 / 3.6e6) * 0.3 + 0.015625, 'total');
  // The laptop's b64 is cheaper per inference (its hour costs 0.5): 0.00125 J, 16,000 samples/s →
  // 1250 / 3.6e6 × 0.3 + 62.5 / 3600 × 0.5 = 0.000104166… + 0.0086805… (its energy is estimated).
  assert.equal(mlp.cheapest!.key, 'mlp/fp32/cpu/b64');
  assert.equal(mlp.cheapest!.machine, 'AMD Ryzen 7 7840U ×8');
  assert.equal(mlp.cheapest!.estimated, true);
  near(mlp.cheapest!.cost.perMillionSamples, (1250 / 3.6e6) * 0.3 + (62.5 / 3600) * 0.5, 'cheapest');
  // resnet: b32 and b64 miss the 100 ms SLO on the server (320, 640 ms); b8 (80 ms) is chosen.
  const resnet = analysis.recommendations.find((r) => r.model === 'resnet')!;
  assert.equal(resnet.chosen!.key, 'resnet/fp32/cpu/b8');
  // 4/√8 × 0.5 J = 0.70711 J → 707.11 / 3.6e6 × 0.3; 1e6 / (20 × √8 × 4) s / 3600 × 3.6.
  near(resnet.cost!.perMillionSamples, ((2 / Math.sqrt(8)) * 1e6 / 3.6e6) * 0.3 + (1e6 / (80 * Math.sqrt(8)) / 3600) * 3.6, 'resnet total');
  assert.deepEqual(analysis.prices, { electricityPerKWh: 0.3, perHour: { 'gpu-box': 3.6, laptop: 0.5 } });
});

test('no prices, no cost anywhere', () => {
  const analysis = analyseRuns(procurementRuns());
  assert.equal(analysis.prices, null);
  assert.ok(analysis.recommendations.every((r) => r.cost === null && !r.cheapest));
  assert.ok(analysis.coldStart.every((c) => c.costPerMillionSamples === null));
  assert.doesNotMatch(renderMarkdown(analysis), /per 1M/);
});

test('an estimated machine ranked against a measured one: a banner, a caveat per model, est. only on its own rows', () => {
  const analysis = analyseRuns(procurementRuns(), prices);
  const banner = estimateBanner(analysis)!;
  assert.equal(banner.headline, 'Estimated and measured energy are ranked together');
  assert.match(banner.detail, /^power on AMD Ryzen 7 7840U ×8 is ESTIMATED \(no hardware meter\); on Intel Xeon Gold 6338 ×8 it is measured\./);
  for (const r of analysis.recommendations) {
    assert.ok(r.caveats.includes('ranked across ESTIMATED energy (AMD Ryzen 7 7840U ×8) and measured energy (Intel Xeon Gold 6338 ×8): not like for like'), r.model);
  }
  const md = renderMarkdown(analysis);
  assert.match(md, /^> \*\*Estimated and measured energy are ranked together\*\* — power on AMD Ryzen 7 7840U ×8 is ESTIMATED/m);
  const rows = md.split('\n').filter((line) => /^\| \d+ \| /.test(line));
  assert.equal(rows.length, 16);
  for (const line of rows) {
    if (line.includes('Intel Xeon')) assert.doesNotMatch(line, /est\./, line);
    else assert.match(line, /^\| \d+ \| AMD Ryzen 7 7840U ×8 \| `[^`]+` \| [\d,.]+ \(est\.\) \| [\d.]+ \(est\.\) \| — \|/, line);
  }
  assert.match(md, /\| # \| machine \| configuration \| samples\/J \| J\/sample \|/, 'no (est.) in the heads: it is per row');
  const html = renderHtml(analysis);
  assert.match(html, /<div class="banner" role="alert"><strong>Estimated and measured energy are ranked together<\/strong> — power on AMD Ryzen 7 7840U ×8 is ESTIMATED/);
  const serverRows = html.split('\n').filter((line) => line.startsWith('<tr><td>') && line.includes('Intel Xeon Gold 6338'));
  assert.equal(serverRows.length, 8);
  for (const line of serverRows) assert.doesNotMatch(line, /est\./);
});

test('every row measured: no banner; every row estimated: the plain ESTIMATED banner', () => {
  const [laptop, server] = procurementRuns();
  assert.equal(estimateBanner(analyseRuns([server!])), null);
  assert.doesNotMatch(renderMarkdown(analyseRuns([server!])), /ESTIMATED|est\./);
  const estimated = estimateBanner(analyseRuns([laptop!]))!;
  assert.equal(estimated.headline, 'Power is ESTIMATED');
  assert.match(estimated.detail, /^no hardware power meter was used\. /);
});

test('the cold-start and cost table has a machine column with several machines, (est.) on estimated rows only', () => {
  const analysis = analyseRuns(procurementRuns(), prices);
  assert.deepEqual([...new Set(analysis.coldStart.map((c) => `${c.machine} ${c.estimated}`))], ['AMD Ryzen 7 7840U ×8 true', 'Intel Xeon Gold 6338 ×8 false']);
  const md = renderMarkdown(analysis);
  assert.match(md, /\| configuration \| machine \| session create ms \| cold-start J \| J\/sample \| break-even samples \| cost per 1M samples \|/);
  // gpu-box mlp b64: break-even 2 J ÷ 0.000625 J = 3,200 samples; cost 0.0157.
  assert.match(md, /^\| `mlp\/fp32\/cpu\/b64` \| Intel Xeon Gold 6338 ×8 \| 40\.0 \| 2\.00 \| 0\.000625 \| 3,200 \| 0\.0157 \|$/m);
  assert.match(md, /^\| `mlp\/fp32\/cpu\/b64` \| AMD Ryzen 7 7840U ×8 \| 40\.0 \| 2\.00 \(est\.\) \| 0\.00125 \(est\.\) \| 1,600 \| 0\.00878 \(est\.\) \|$/m);
  const html = renderHtml(analysis);
  assert.match(html, /<section id="cold-start"><h2>Cold start and cost<\/h2>\n<table><thead><tr><th scope="col" class="key">configuration<\/th><th scope="col" class="key">machine<\/th>/);
  assert.match(html, /<tr><td class="key"><code>mlp\/fp32\/cpu\/b64<\/code><\/td><td class="text">Intel Xeon Gold 6338 ×8<\/td><td>40\.0<\/td><td>2\.00<\/td><td>0\.000625<\/td><td>3,200<\/td><td>0\.0157<\/td><\/tr>/);
});

test('cost sits next to the recommendation in Markdown, HTML and the terminal summary, with the cheaper option and the prices', () => {
  const analysis = analyseRuns(procurementRuns(), prices);
  const md = renderMarkdown(analysis);
  assert.match(md, /- \*\*mlp\*\* — Deploy mlp\/fp32\/cpu\/b64 on Intel Xeon Gold 6338 ×8: 1,600 samples\/J/);
  assert.match(md, /\*\*cost 0\.0157 per 1M inferences \(electricity 0\.0000521 \+ hardware 0\.0156\)\*\* · cheaper per 1M inferences: mlp\/fp32\/cpu\/b64 on AMD Ryzen 7 7840U ×8 at 0\.00878 per 1M inferences \(electricity 0\.000104 \(est\.\) \+ hardware 0\.00868\)/);
  assert.match(md, /Cost at electricity 0\.3 per kWh; hardware per hour: gpu-box 3\.6, laptop 0\.5/);
  const html = renderHtml(analysis);
  assert.match(html, /<strong class="cost">cost 0\.0157 per 1M inferences \(electricity 0\.0000521 \+ hardware 0\.0156\)<\/strong>/);
  const lines = renderReportSummary(analysis);
  assert.equal(lines[0], 'ESTIMATED AND MEASURED ENERGY ARE RANKED TOGETHER: power on AMD Ryzen 7 7840U ×8 is ESTIMATED (no hardware meter); on Intel Xeon Gold 6338 ×8 it is measured. Rows marked (est.) are modelled, so ranking them against measured rows compares a model with a measurement: measure AMD Ryzen 7 7840U ×8 with a hardware meter before choosing between these machines.');
  const mlpAt = lines.findIndex((line) => line.startsWith('mlp: Deploy mlp/fp32/cpu/b64 on Intel Xeon Gold 6338 ×8'));
  assert.ok(mlpAt > 0);
  assert.equal(lines[mlpAt + 1], '  cost: 0.0157 per 1M inferences (electricity 0.0000521 + hardware 0.0156)');
  assert.equal(lines[mlpAt + 2], '  cheaper per 1M inferences: mlp/fp32/cpu/b64 on AMD Ryzen 7 7840U ×8 at 0.00878 per 1M inferences (electricity 0.000104 (est.) + hardware 0.00868)');
  assert.equal(lines.at(-1), 'Cost at electricity 0.3 per kWh; hardware per hour: gpu-box 3.6, laptop 0.5 (currency of the prices given; --electricity-price, --price-per-hour).');
});

test('one machine with prices: the terminal summary gives the cost; without prices it adds nothing', () => {
  const [, server] = procurementRuns();
  assert.deepEqual(renderReportSummary(analyseRuns([server!])), []);
  const lines = renderReportSummary(analyseRuns([server!], { electricityPricePerKWh: 0.3 }));
  // electricity only: 625 / 3.6e6 × 0.3 = 0.0000520833.
  assert.equal(lines[0], 'Cost of mlp/fp32/cpu/b64: 0.0000521 per 1M inferences (electricity 0.0000521 + no hardware price for this machine)');
});

test('an hour price for one machine only: the other machine\'s cost says it is electricity only, and is never "cheaper"', () => {
  const partly = analyseRuns(procurementRuns(), { electricityPricePerKWh: 0.3, pricePerHour: { 'gpu-box': 3.6 } });
  assert.ok(partly.recommendations.every((r) => r.cost !== null && !r.cheapest), 'electricity only is not comparable with electricity + hardware');
  const md = renderMarkdown(analyseRuns(procurementRuns(), { electricityPricePerKWh: 0.3, pricePerHour: { 'gpu-box': 3.6 } }));
  assert.match(md, /^\| `mlp\/fp32\/cpu\/b64` \| AMD Ryzen 7 7840U ×8 \| .* \| 0\.000104 \(est\.\) \(electricity only: no hardware price\) \|$/m);
  assert.match(md, /^\| `mlp\/fp32\/cpu\/b64` \| Intel Xeon Gold 6338 ×8 \| .* \| 0\.0157 \|$/m);
});

test('two machines with the same CPU are told apart by host name', () => {
  const [laptop] = procurementRuns();
  const twin = run('laptop-2', 'AMD Ryzen 7 7840U', true, laptop!.measurements);
  assert.deepEqual(analyseRuns([laptop!, twin]).machines.map((m) => m.label), ['AMD Ryzen 7 7840U ×8 (laptop)', 'AMD Ryzen 7 7840U ×8 (laptop-2)']);
});

test('an hour price for a host none of the runs has is refused, naming the hosts there are', () => {
  assert.throws(() => analyseRuns(procurementRuns(), { pricePerHour: { gpubox: 3.6 } }), (error: Error & { code?: string; hint?: string }) => {
    assert.equal(error.code, 'PRICE_UNKNOWN_MACHINE');
    assert.equal(error.message, '--price-per-hour gpubox: no run was measured on a host named "gpubox" (nor has that run id)');
    assert.equal(error.hint, 'name a host of these runs: --price-per-hour laptop=PRICE, --price-per-hour gpu-box=PRICE');
    return true;
  });
  // A run id names its machine too.
  assert.doesNotThrow(() => analyseRuns(procurementRuns(), { pricePerHour: { 'run-gpu-box': 3.6 } }));
});

test('carbon by region with several machines: each chosen configuration is named with its machine', () => {
  const runs = procurementRuns();
  runs[1]!.carbon = { ...runs[1]!.carbon, regions: { FR: 56 } };
  const [home] = analyseRuns(runs).carbonByRegion;
  assert.deepEqual(Object.keys(home!.gCO2ePer1kSamples), ['mlp/fp32/cpu/b64 on Intel Xeon Gold 6338 ×8', 'resnet/fp32/cpu/b8 on Intel Xeon Gold 6338 ×8']);
  // 0.000625 J/sample × 1000 / 3600 Wh per 1,000 samples ÷ 1000 × 400 g/kWh × PUE 1.
  near(home!.gCO2ePer1kSamples['mlp/fp32/cpu/b64 on Intel Xeon Gold 6338 ×8'], (0.625 / 3600 / 1000) * 400, 'gCO2e');
});
