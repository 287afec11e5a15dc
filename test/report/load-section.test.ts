// The "Serving under load" section (report/load-section.ts) beyond test/load/report-section.test.ts: failed, invalid and
// over-capacity rows, (est.) heads, escaping in Markdown and HTML, and the SVG charts' coordinates by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadChartSvg, loadChartsHtml, loadSectionHtml, loadSectionMarkdown } from '../../src/report/load-section.js';
import type { LoadRecord, LoadRecommendation } from '../../src/results/load-types.js';
import type { RunResult } from '../../src/results/types.js';

// 20 req/s served at 20.00, 0.5 J/request (0.5 ÷ 3600 = 0.000139 kWh per 1,000 requests), 50× the flat-out 0.01 J/sample.
function record(fields: Partial<LoadRecord> = {}): LoadRecord {
  return {
    key: 'mlp/fp32/cpu/mb8-w5/s1@20', targetRate: 20, achievedRate: 20, p50Ms: 6.2, p99Ms: 9.9, meanBatchSize: 1.1, utilisation: 0.05, meanWatts: 10,
    joulesPerRequest: 0.5, kWhPer1kRequests: 0.5 / 3600, idleShare: 0.4, flatOutJoulesPerSample: 0.01, vsFlatOut: 50, valid: true, overCapacity: false,
    reasons: [], estimated: false, status: 'ok', error: null, ...fields,
  } as LoadRecord;
}

const runOf = (load: LoadRecord[], loadRecommendations: LoadRecommendation[] = []) => ({ load, loadRecommendations, measurements: [] }) as unknown as RunResult;
const rowOf = (lines: string[], key: string) => lines.find((line) => line.startsWith(`| \`${key}\``))!;

describe('loadSectionMarkdown', () => {
  it('the heads without (est.) when nothing is estimated, with it when any record is', () => {
    assert.match(loadSectionMarkdown([runOf([record()])])[2]!, /\| mean W \| J\/request \| kWh\/1k requests \|/);
    assert.match(loadSectionMarkdown([runOf([record(), record({ key: 'b@20', estimated: true })])])[2]!, /\| mean W \(est\.\) \| J\/request \(est\.\) \| kWh\/1k requests \|/);
  });

  it('a failed record: its rate and the error, the other cells empty, as many cells as the head', () => {
    const lines = loadSectionMarkdown([runOf([record({ key: 'x@50', targetRate: 50, status: 'failed', error: { code: 'LOAD_FAILED', message: 'session | died\nhard' } })])]);
    assert.equal(rowOf(lines, 'x@50'), '| `x@50` | 50 | | | | | | | | | | | | **failed**: session \\| died hard |');
    const count = (line: string) => line.replace(/\\\|/g, '').split('|').length;
    assert.equal(count(rowOf(lines, 'x@50')), count(lines[2]!));
  });

  it('the verdict: invalid before over capacity, each with its first reason; otherwise valid', () => {
    const lines = loadSectionMarkdown([runOf([
      record({ key: 'a@1', valid: false, overCapacity: true, reasons: ['p99 lag 40 ms > 10 ms', 'second'] }),
      record({ key: 'b@1', overCapacity: true, reasons: ['achieved 15 of 20 req/s'] }),
      record({ key: 'c@1', valid: false, reasons: [] }),
    ])]);
    assert.match(rowOf(lines, 'a@1'), /\| invalid: p99 lag 40 ms > 10 ms \|$/);
    assert.match(rowOf(lines, 'b@1'), /\| over capacity: achieved 15 of 20 req\/s \|$/);
    assert.match(rowOf(lines, 'c@1'), /\| invalid: {2}\|$/);
  });

  it('no idle share (NaN or null) and no flat-out ratio are dashes', () => {
    const row = rowOf(loadSectionMarkdown([runOf([record({ idleShare: Number.NaN, vsFlatOut: null })])]), 'mlp/fp32/cpu/mb8-w5/s1@20');
    assert.match(row, /\| 0\.000139 \| – \| 0\.0100 \| – \| valid \|$/);
    assert.match(rowOf(loadSectionMarkdown([runOf([record({ idleShare: null })])]), 'mlp/fp32/cpu/mb8-w5/s1@20'), /\| 0\.000139 \| – \|/);
  });

  it('records of every run in order; recommendations after the table, "nothing to recommend" without a key', () => {
    const lines = loadSectionMarkdown([
      runOf([record({ key: 'a@20' })], [{ targetRate: 20, key: 'a@20', joulesPerRequest: 0.5, p99Ms: 9.9, reason: 'least | energy', estimated: false }]),
      runOf([record({ key: 'b@40', targetRate: 40 })], [{ targetRate: 40, key: null, joulesPerRequest: null, p99Ms: null, reason: 'every candidate over capacity', estimated: false }]),
    ]);
    assert.ok(lines.indexOf(rowOf(lines, 'a@20')) < lines.indexOf(rowOf(lines, 'b@40')));
    const blank = lines.indexOf('', 4);
    assert.deepEqual(lines.slice(blank + 1, blank + 4), [
      '- **20 req/s** — `a@20`: least \\| energy',
      '- **40 req/s** — nothing to recommend: every candidate over capacity',
      '',
    ]);
    assert.match(lines.at(-2)!, /^Latency runs from a request's scheduled arrival/);
    assert.equal(lines.at(-1), '');
  });

  it('no recommendations: the explanation straight after the table', () => {
    const lines = loadSectionMarkdown([runOf([record()])]);
    assert.deepEqual([lines[5], lines[6]!.slice(0, 13)], ['', 'Latency runs ']);
  });
});

describe('loadSectionHtml', () => {
  it('cells escaped, the key in <code>, a failed row with its message, recommendations as a list', () => {
    const html = loadSectionHtml([runOf(
      [record({ key: 'a<b>@20' }), record({ key: 'f@5', targetRate: 5, status: 'failed', error: { code: 'X', message: 'bad & "worse"' } })],
      [{ targetRate: 20, key: null, joulesPerRequest: null, p99Ms: null, reason: 'p99 > <SLO>', estimated: false }],
    )]);
    assert.ok(html.startsWith('<section id="load"><h2>Serving under load</h2>'));
    assert.ok(html.includes('<td><code>a&lt;b&gt;@20</code></td><td>20</td><td>20.00</td><td>6.20</td><td>9.90</td><td>1.10</td><td>5.0%</td>'));
    assert.ok(html.includes('<td>failed: bad &amp; &quot;worse&quot;</td>'));
    assert.ok(html.includes('<li><strong>20 req/s</strong> — nothing to recommend: p99 &gt; &lt;SLO&gt;</li>'));
    assert.ok(html.endsWith('</section>'));
  });

  it('an estimated record marks the heads', () => {
    assert.ok(loadSectionHtml([runOf([record({ estimated: true })])]).includes('<th>mean W (est.)</th><th>J/request (est.)</th>'));
  });
});

describe('loadChartSvg', () => {
  it('no points, or no positive value: no chart', () => {
    assert.equal(loadChartSvg('t', 'W', []), '');
    assert.equal(loadChartSvg('t', 'W', [{ label: 'a', points: [[10, 0]], floor: null }]), '');
  });

  it('one point: half a decade either side, so it sits in the middle of the plot', () => {
    // x: 70 + 0.5 × (520 − 70 − 20) = 285; y: (300 − 45) − 0.5 × (300 − 30 − 45) = 142.5.
    const svg = loadChartSvg('E & P', 'J/request', [{ label: 'mlp<1>', points: [[20, 0.5]], floor: null }]);
    assert.ok(svg.includes('<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="285.0,142.5"/>'));
    assert.ok(svg.includes('<circle cx="285.0" cy="142.5" r="3" fill="#1f77b4"/>'));
    assert.ok(svg.includes('aria-label="E &amp; P"'));
    assert.ok(svg.includes('>mlp&lt;1&gt;</text>'));
    assert.ok(svg.includes('>J/request (log)</text>'));
  });

  it('two decades of x and y: 5% margins on the log scale, points sorted by rate', () => {
    // log10 x ∈ [1, 2] → [0.95, 2.05]: x(10) = 70 + 0.05/1.1 × 430 = 89.5, x(100) = 70 + 1.05/1.1 × 430 = 480.5.
    // log10 y ∈ [0, 1] → [−0.05, 1.05]: y(1) = 255 − 0.05/1.1 × 225 = 244.8, y(10) = 255 − 1.05/1.1 × 225 = 40.2.
    const svg = loadChartSvg('t', 'W', [{ label: 'a', points: [[100, 10], [10, 1]], floor: null }]);
    assert.ok(svg.includes('points="89.5,244.8 480.5,40.2"'), svg);
    // Tick labels under each rate (three significant figures) and at both ends of the y axis (10^−0.05 = 0.891 at
    // 255 + 3, 10^1.05 = 11.2 at 30 + 3).
    assert.ok(svg.includes('<text x="89.5" y="269" text-anchor="middle" font-size="10">10.0</text>'));
    assert.ok(svg.includes('<text x="480.5" y="269" text-anchor="middle" font-size="10">100</text>'));
    assert.ok(svg.includes('<text x="66" y="258.0" text-anchor="end" font-size="10">0.891</text>'));
    assert.ok(svg.includes('<text x="66" y="33.0" text-anchor="end" font-size="10">11.2</text>'));
  });

  it('a floor is drawn dashed across the plot in the series colour, and counts in the y range', () => {
    // ys 0.5 and the floor 0.25: the floor at the bottom margin (244.8), the point at the top one (40.2).
    const svg = loadChartSvg('t', 'J/request', [{ label: 'a', points: [[20, 0.5]], floor: 0.25 }]);
    assert.ok(svg.includes('<line x1="70" x2="500" y1="244.8" y2="244.8" stroke="#1f77b4" stroke-dasharray="5 4"/>'));
    assert.ok(svg.includes('points="285.0,40.2"'));
    assert.ok(svg.includes('>a (dashed: flat out)</text>'));
  });

  it('each series takes the next colour; a non-positive point is left off its line', () => {
    const svg = loadChartSvg('t', 'W', [{ label: 'a', points: [[1, 1]], floor: null }, { label: 'b', points: [[1, 0], [10, 2]], floor: null }]);
    assert.equal((svg.match(/stroke="#d62728" stroke-width="2" points="[^"]*"/)![0].match(/,/g) ?? []).length, 1, 'one point on b\'s line');
  });
});

describe('loadChartsHtml', () => {
  it('two charts; one line per configuration (the key without its @rate); failed records left out', () => {
    const html = loadChartsHtml([
      record({ key: 'm/mb8@10', targetRate: 10, joulesPerRequest: 1 }),
      record({ key: 'm/mb8@100', targetRate: 100, joulesPerRequest: 0.1 }),
      record({ key: 'm/mb1@10', targetRate: 10 }),
      record({ key: 'broken@10', status: 'failed', error: { code: 'X', message: 'x' } }),
    ]);
    assert.equal((html.match(/<svg /g) ?? []).length, 2);
    assert.ok(html.includes('aria-label="Energy per request against load"') && html.includes('aria-label="Mean power against load"'));
    assert.equal((html.match(/>m\/mb8 \(dashed: flat out\)<\/text>/g) ?? []).length, 1, 'the floor only on the energy chart');
    assert.ok(html.includes('>m/mb1 (dashed: flat out)</text>'));
    assert.ok(!html.includes('broken'));
  });

  it('no records that ran: no charts', () => {
    assert.equal(loadChartsHtml([]), '\n');
  });
});
