// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildChartSpecs } from '../../src/report/charts/specs.js';
import { escapeHtml, renderHtml } from '../../src/report/html.js';
import { analyseRuns } from '../../src/report/analysis.js';
import { multiRunAnalysis, singleRunAnalysis } from '../fixtures/results/analysis.js';
import { procurementRuns } from './procurement-runs.js';

const chromiumPath = '/usr/bin/chromium';
const hostile = '<script>alert(1)</script>';

test('the page is self-contained: chart.js inlined, nothing fetched from the network', () => {
  const html = renderHtml(singleRunAnalysis());
  assert.match(html, /new Chart\(/);
  assert.match(html, /<script>[^]*Chart[^]*<\/script>/);
  assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i, 'no network src/href');
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /@import|url\(\s*["']?https?:/i, 'no network CSS');
  // Every http(s) URL left is inside the inlined chart.js bundle's licence banner/comments, never in our markup.
  const ours = html.replace(/<script>[^]*?<\/script>/g, '');
  assert.doesNotMatch(ours, /https?:\/\//);
  // Exactly three script elements: the JSON specs, chart.js, our boot script — chart.js never closed one early.
  assert.equal(html.match(/<script\b/gi)?.length, 3);
  assert.equal(html.match(/<\/script>/gi)?.length, 3);
});

test('sections come in reading order: header, estimated banner, recommendation, charts, table, carbon, cold start', () => {
  const html = renderHtml(singleRunAnalysis());
  const at = (needle: string) => {
    const index = html.indexOf(needle);
    assert.ok(index >= 0, `missing ${needle}`);
    return index;
  };
  const order = [
    '<h1>joulebench: fixture</h1>',
    'Power is ESTIMATED',
    'id="recommendation"',
    'id="charts"',
    'id="measurements"',
    'id="carbon"',
    'id="cold-start"',
  ].map(at);
  assert.deepEqual(order, [...order].sort((a, b) => a - b));
  assert.match(html, /20261120-100000Z-fixture-aaaa/);
  assert.match(html, /AMD EPYC 7B13 \(laptop\)/);
  assert.match(html, /2026-11-20T10:00:00\.000Z/);
});

test('the recommendation shows summary, saving, Wh/1k, kWh/1k requests, gCO2e/1k, runner-up and caveats (escaped)', () => {
  const html = renderHtml(singleRunAnalysis());
  assert.match(html, /Deploy mlp\/fp32\/cpu\/b32: 5\.0× the samples per joule/);
  assert.match(html, /<strong>80\.1%<\/strong>/);
  assert.match(html, /0\.000955 Wh \/ 1k samples/);
  assert.match(html, /9\.55e-7 kWh \/ 1k requests|0\.000000955 kWh/);
  assert.match(html, /0\.000454 gCO2e \/ 1k samples/);
  assert.match(html, /Runner-up <code>mlp\/fp32\/cpu\/b8<\/code>: fewer samples per joule, and its window was invalid &#60;short&#62;/);
  assert.match(html, /Power is estimated from CPU utilisation/);
});

test('a chart section, a canvas and an embedded JSON spec per chart', () => {
  const analysis = multiRunAnalysis();
  const html = renderHtml(analysis);
  const specs = buildChartSpecs(analysis);
  for (const spec of specs) {
    assert.ok(html.includes(`<canvas id="chart-${spec.id}"`), spec.id);
    assert.ok(html.includes(`<h3>${escapeHtml(spec.title)}</h3>`), spec.title);
  }
  const json = /<script type="application\/json" id="joulebench-chart-specs">([^]*?)<\/script>/.exec(html)?.[1];
  assert.ok(json);
  assert.deepEqual((JSON.parse(json) as Array<{ id: string }>).map((s) => s.id), specs.map((s) => s.id));
});

test('the table: every measurement, invalid rows hatched with their reason, failed rows with their error escaped, (est.) marks', () => {
  const html = renderHtml(singleRunAnalysis());
  assert.ok(!html.includes(hostile), 'hostile error text must never appear raw');
  assert.ok(html.includes(escapeHtml(hostile)));
  assert.match(html, /<tr class="not-ok"><td>–<\/td><td class="key"><code>mlp\/fp32\/cpu\/b64<\/code><\/td><td class="text" colspan="11"><strong>failed<\/strong> RUNTIME_ERROR: session\.run failed: &#60;script&#62;/);
  assert.match(html, /<tr class="invalid">[^\n]*mlp\/fp32\/cpu\/b8[^\n]*invalid: window 0\.4 s is shorter/);
  assert.match(html, /repeating-linear-gradient/);
  assert.match(html, /<span class="est">\(est\.\)<\/span>/);
  // Ranked: b32 (most samples/J) first.
  const rows = [...html.matchAll(/<tr[^>]*><td>(\d+|–)<\/td><td class="key"><code>([^<]+)<\/code>/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(rows, ['1 mlp/fp32/cpu/b32', '2 mlp/fp32/cpu/b8', '3 mlp/fp32/cpu/b1', '– mlp/fp32/cpu/b64']);
  assert.match(html, /<th scope="col">samples\/s \(95% CI\)<\/th>/);
});

test('a measured-only report has no ESTIMATED banner; a mixed one says estimated and measured are ranked together, naming the estimated machine', () => {
  const measured = multiRunAnalysis();
  measured.runs = [measured.runs[1]!];
  measured.machines = [measured.machines[1]!];
  measured.multiRun = false;
  assert.doesNotMatch(renderHtml(measured), /Power is ESTIMATED/);
  const mixed = renderHtml(multiRunAnalysis());
  assert.match(mixed, /Estimated and measured energy are ranked together<\/strong> — power on AMD EPYC 7B13 \(laptop\) is ESTIMATED/);
  assert.match(mixed, /<th scope="col" class="key">machine<\/th>/);
});

test('in a browser (chromium, offline from file://): no errors, every chart drawn', async (t) => {
  if (!existsSync(chromiumPath)) {
    t.skip('chromium not installed');
    return;
  }
  const { chromium } = await import('playwright-core');
  const dir = await mkdtemp(path.join(tmpdir(), 'jb-html-'));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const analysis = multiRunAnalysis();
    const file = path.join(dir, 'report.html');
    await writeFile(file, renderHtml(analysis));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(pathToFileURL(file).href);
    const expected = buildChartSpecs(analysis).length;
    await page.waitForSelector(`body[data-charts-ready="${expected}"]`, { timeout: 10_000 });
    // Runs in the page (this project compiles without the DOM lib, so the browser code is a string).
    const drawn = await page.evaluate<Array<{ id: string; w: number; h: number; ink: number; blank: boolean }>>(`
      [...document.querySelectorAll('canvas')].map((canvas) => {
        const blank = document.createElement('canvas');
        blank.width = canvas.width;
        blank.height = canvas.height;
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let ink = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) ink++;
        return { id: canvas.id, w: canvas.width, h: canvas.height, ink, blank: canvas.toDataURL() === blank.toDataURL() };
      })
    `);
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [], 'the page fetched nothing');
    assert.equal(drawn.length, expected);
    for (const canvas of drawn) {
      assert.ok(canvas.w > 0 && canvas.h > 0, `${canvas.id} has a size`);
      assert.equal(canvas.blank, false, `${canvas.id} is blank`);
      assert.ok(canvas.ink > 1000, `${canvas.id} drew only ${canvas.ink} pixels`);
    }
    // A chart.js instance is attached to each canvas (tooltips and legend toggling are its defaults).
    const instances = await page.evaluate<number>(`[...document.querySelectorAll('canvas')].filter((c) => Chart.getChart(c)).length`);
    assert.equal(instances, expected);
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('two models: one panel (canvas) per model for each comparing chart, grouped under one heading', () => {
  const analysis = analyseRuns(procurementRuns());
  const html = renderHtml(analysis);
  for (const kind of ['samples-per-joule', 'throughput-latency', 'pareto', 'machines']) {
    const group = new RegExp(`<div class="chart-group" id="group-${kind}" data-kind="${kind}">[^]*?</div></div>\\n?</div></div>`).exec(html)?.[0] ?? '';
    assert.deepEqual([...group.matchAll(/data-model="([^"]+)"[^]*?<canvas id="chart-([^"]+)"/g)].map((m) => [m[1], m[2]]), [
      ['mlp', `${kind}-mlp`],
      ['resnet', `${kind}-resnet`],
    ], kind);
  }
});

test('in a browser: each model on its own axes, Pareto points labelled on the canvas and named in the tooltip', async (t) => {
  if (!existsSync(chromiumPath)) {
    t.skip('chromium not installed');
    return;
  }
  const { chromium } = await import('playwright-core');
  const dir = await mkdtemp(path.join(tmpdir(), 'jb-html-panels-'));
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const analysis = analyseRuns(procurementRuns(), { electricityPricePerKWh: 0.3, pricePerHour: { 'gpu-box': 3.6 } });
    const file = path.join(dir, 'report.html');
    await writeFile(file, renderHtml(analysis));
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector(`body[data-charts-ready="${buildChartSpecs(analysis).length}"]`, { timeout: 10_000 });
    // One canvas per model in each group, each with its own y range: mlp reaches 1,600 samples/J, resnet 4.
    const panels = await page.evaluate<Array<{ kind: string; model: string; yMax: number }>>(`
      [...document.querySelectorAll('.chart-group .panel')].map((panel) => ({
        kind: panel.closest('.chart-group').dataset.kind,
        model: panel.dataset.model,
        yMax: Chart.getChart(panel.querySelector('canvas')).scales.y.max,
      }))
    `);
    assert.deepEqual(panels.map((p) => `${p.kind}/${p.model}`), ['samples-per-joule/mlp', 'samples-per-joule/resnet', 'throughput-latency/mlp', 'throughput-latency/resnet', 'pareto/mlp', 'pareto/resnet', 'machines/mlp', 'machines/resnet']);
    const spj = (model: string) => panels.find((p) => p.kind === 'samples-per-joule' && p.model === model)!.yMax;
    assert.ok(spj('mlp') >= 1600 && spj('mlp') <= 2000, `mlp axis up to ${spj('mlp')}`);
    assert.ok(spj('resnet') >= 4 && spj('resnet') <= 5, `resnet axis up to ${spj('resnet')}, not flattened by mlp`);
    // Labels drawn beside the Pareto points (the labelling plugin records what it drew).
    const labels = await page.evaluate<string[]>(`(Chart.getChart(document.getElementById('chart-pareto-resnet')).$joulebenchLabels || []).map((l) => l.text)`);
    assert.ok(labels.includes('fp32/cpu/b8 @gpu-box'), `labels: ${labels.join(', ')}`);
    assert.ok(labels.length >= 6, `${labels.length} labels`);
    // Hovering a point shows its configuration and machine in the tooltip.
    const at = await page.evaluate<{ x: number; y: number }>(`(() => {
      const canvas = document.getElementById('chart-pareto-mlp');
      canvas.scrollIntoView();
      const chart = Chart.getChart(canvas);
      const point = chart.getDatasetMeta(0).data[0];
      const box = canvas.getBoundingClientRect();
      return { x: box.left + point.x, y: box.top + point.y };
    })()`);
    await page.mouse.move(at.x, at.y);
    const tooltip = await page.evaluate<string>(`(() => {
      const tip = Chart.getChart(document.getElementById('chart-pareto-mlp')).tooltip;
      return tip.opacity > 0 ? tip.body.flatMap((b) => [...b.lines, ...b.after]).join(' | ') : '';
    })()`);
    assert.match(tooltip, /mlp\/fp32\/cpu\/b1 · AMD Ryzen 7 7840U ×8 \(estimated\)/);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
});
