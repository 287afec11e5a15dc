// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// history.html: self-contained (chart.js inlined, nothing fetched), names are escaped, and in a real browser every
// chart is drawn without errors.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { renderHistoryHtml } from '../../src/history/html.js';
import type { HistoryPoint, HistoryRun } from '../../src/history/store.js';
import { analyseTrends } from '../../src/history/trend.js';
import { SeededRandom } from '../../src/stats/random.js';

const chromiumPath = '/usr/bin/chromium';
const hostileKey = '<script>alert(1)</script>/fp32/cpu/b1';

function history(): { runs: HistoryRun[]; points: HistoryPoint[] } {
  const random = new SeededRandom(9);
  const runs: HistoryRun[] = [];
  const points: HistoryPoint[] = [];
  for (let i = 0; i < 40; i++) {
    const createdAt = new Date(Date.UTC(2026, 0, 1 + i)).toISOString();
    runs.push({ runNumber: i + 1, runId: `night-${i + 1}`, createdAt, recordedAt: createdAt, scenario: 'nightly', hostname: 'ci', cpuModel: 'cpu', toolVersion: '0.1.0', onnxruntime: '1.30.0', estimated: true, resultPath: null });
    for (const key of ['mlp/fp32/cpu/b1', hostileKey]) {
      const samplesPerJoule = (i >= 20 ? 95 : 100) + random.normal(0, 0.5);
      points.push({
        runNumber: i + 1, runId: `night-${i + 1}`, createdAt, key, status: 'ok', modelSha256: null, samplesPerJoule, samplesPerJouleCi95: null,
        samplesPerSecond: 1000 + random.normal(0, 5), p99Ms: 2, joulesPerSample: 1 / samplesPerJoule, whPer1kSamples: null, meanWatts: null,
        repetitions: 5, estimated: true, valid: true,
      });
    }
  }
  return { runs, points };
}

test('self-contained, escaped, change points in the table, estimated said', () => {
  const { runs, points } = history();
  const series = analyseTrends(points);
  const html = renderHistoryHtml('h/history.sqlite', runs, series);
  assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i, 'no network src/href');
  assert.equal(html.match(/<script\b/gi)?.length, 3, 'chart.js, the chart JSON, the boot script');
  assert.equal(html.match(/<\/script>/gi)?.length, 3, 'no key closes a script element early');
  assert.ok(!html.includes(hostileKey), 'the key is escaped');
  assert.match(html, /Power is ESTIMATED/);
  assert.equal(html.match(/<tr class="regressed">/g)?.length, 2, 'the samples/J drop of both keys');
  assert.match(html, /<td>21 of 40<\/td><td class="text">night-21<\/td>/);
});

test('in a browser (chromium, offline from file://): no errors, every chart drawn', async (t) => {
  if (!existsSync(chromiumPath)) {
    t.skip('chromium not installed');
    return;
  }
  const { chromium } = await import('playwright-core');
  const dir = await mkdtemp(path.join(tmpdir(), 'jb-history-html-'));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const { runs, points } = history();
    const series = analyseTrends(points);
    const file = path.join(dir, 'history.html');
    await writeFile(file, renderHistoryHtml('h/history.sqlite', runs, series));
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
    await page.waitForSelector(`body[data-charts-ready="${series.length}"]`, { timeout: 10_000 });
    const inked = await page.evaluate<number[]>(`
      [...document.querySelectorAll('canvas')].map((canvas) => {
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let ink = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) ink++;
        return ink;
      })
    `);
    assert.equal(inked.length, series.length);
    for (const ink of inked) assert.ok(ink > 1000, `a chart drew only ${ink} pixels`);
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, []);
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('runs from two hosts: a banner names them, one chart per host, titled with it', () => {
  const { runs, points } = history();
  const host = (runNumber: number) => (runNumber % 2 === 0 ? 'box-b' : 'box-a');
  const mixedRuns = runs.map((run) => ({ ...run, hostname: host(run.runNumber) }));
  const mixedPoints = points.filter((p) => p.key === 'mlp/fp32/cpu/b1').map((p) => ({ ...p, hostname: host(p.runNumber) }));
  const html = renderHistoryHtml('h/history.sqlite', mixedRuns, analyseTrends(mixedPoints, { metrics: ['samplesPerJoule'] }));
  assert.match(html, /<strong>Several hosts<\/strong> — runs from 2 hosts \(box-a: 20 runs, box-b: 20 runs\): each host gets its own trend line/);
  assert.deepEqual([...html.matchAll(/<section class="chart" data-host="([^"]+)"><h3>([^<]+)</g)].map((m) => [m[1], m[2]]), [
    ['box-a', 'mlp/fp32/cpu/b1 @box-a — samples/J '],
    ['box-b', 'mlp/fp32/cpu/b1 @box-b — samples/J '],
  ]);
});
