// report.md over the hand-built analyses of test/fixtures/results/analysis.ts: every section in order, the numbers as
// written, tables whose rows have as many cells as their heads, pipes escaped, and the optional sections left out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReportAnalysis } from '../../src/report/analysis-types.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { multiRunAnalysis, singleRunAnalysis } from '../fixtures/results/analysis.js';

const lines = (analysis: ReportAnalysis) => renderMarkdown(analysis).split('\n');
// Cells of a table line: the pipes that are not escaped, less one.
const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length - 2;

// Each table (a head, its |---| rule, its rows): every row has the head's cell count.
function assertTablesRectangular(text: string): number {
  const all = text.split('\n');
  let tables = 0;
  for (let i = 0; i + 1 < all.length; i++) {
    if (!all[i]!.startsWith('|') || !/^\|-{3}|^\|-+:\|/.test(all[i + 1]!)) continue;
    tables++;
    const width = cells(all[i]!);
    assert.equal(cells(all[i + 1]!), width, all[i + 1]);
    for (let j = i + 2; j < all.length && all[j]!.startsWith('|'); j++) assert.equal(cells(all[j]!), width, all[j]);
  }
  return tables;
}

describe('one estimated run', () => {
  const md = lines(singleRunAnalysis());

  it('the heading, the ESTIMATED banner and the recommendation with its figures, runner-up and caveat', () => {
    assert.deepEqual(md.slice(0, 10), [
      '# joulebench: fixture',
      '',
      '> **Power is ESTIMATED** — no hardware power meter was used. Energy figures marked (est.) are modelled, not measured: compare them with each other, not with other machines.',
      '',
      '## Recommendation',
      '',
      '- **mlp** — Deploy mlp/fp32/cpu/b32: 5.0× the samples per joule of fp32 b1 (−80% energy), p99 4.2 ms ≤ 20 ms SLO',
      '  - saves 80.1% energy per sample against `mlp/fp32/cpu/b1` · 0.000955 Wh per 1,000 samples (est.) · 9.55e-7 kWh per 1,000 requests · 0.000454 gCO2e per 1,000 samples',
      '  - why not the runner-up: fewer samples per joule, and its window was invalid <short>',
      '  - ⚠ Power is estimated from CPU utilisation, not measured.',
    ]);
  });

  it('the run header: id, time, status, host, meters, idle baseline', () => {
    const start = md.indexOf('Run `20261120-100000Z-fixture-aaaa` · 2026-11-20T10:00:00.000Z · status **complete**');
    assert.ok(start > 0);
    assert.deepEqual(md.slice(start + 2, start + 7), [
      // 32 GiB = 34359738368 bytes → "32.0 GiB".
      'Host: AMD EPYC 7B13 (8 logical CPUs), 32.0 GiB, Debian GNU/Linux 12; Node 20.20.2, onnxruntime 1.30.0', '',
      'Meters: estimate (ESTIMATED): CPU utilisation × TDP model (65 W TDP)', '',
      'Idle baseline: estimate 20.0 W over 5.00 s',
    ]);
  });

  it('the ranked table: every energy head marked (est.), ranked rows by samples/J, the failed row last with "–"', () => {
    const head = md.indexOf('## Ranked by samples per joule');
    assert.deepEqual(md.slice(head + 2, head + 8), [
      '| # | configuration | samples/J (est.) | J/sample (est.) | net J/sample (est.) | samples/s (95% CI) | p50 ms | p99 ms | mean W (est.) | Wh/1k (est.) | gCO2e/1k (est.) | valid |',
      '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
      '| 1 | `mlp/fp32/cpu/b32` | 291 (est.) | 0.00344 (est.) | 0.00219 (est.) | 16,000 (15,200–16,800) | 1.94 | 4.20 | 55.0 (est.) | 0.000955 (est.) | 0.000454 (est.) | yes |',
      '| 2 | `mlp/fp32/cpu/b8` | 188 (est.) | 0.00533 (est.) | 0.00311 (est.) | 9,000 (8,550–9,450) | 0.862 | 1.60 | 48.0 (est.) | 0.00148 (est.) | 0.000704 (est.) | **no**: window 0.4 s is shorter than 10× the meter period |',
      '| 3 | `mlp/fp32/cpu/b1` | 57.1 (est.) | 0.0175 (est.) | 0.00750 (est.) | 2,000 (1,900–2,100) | 0.485 | 0.900 | 35.0 (est.) | 0.00486 (est.) | 0.00231 (est.) | yes |',
      '| – | `mlp/fp32/cpu/b64` | **failed** | RUNTIME_ERROR: session.run failed: <script>alert(1)</script> & "quotes" | | | | | | | | |',
    ]);
  });

  it('carbon by region, cold start and the carbon basis, in that order', () => {
    const region = md.indexOf('## Carbon by region (chosen configurations, gCO2e per 1,000 samples)');
    const cold = md.indexOf('## Cold start and cost');
    const carbon = md.findIndex((line) => line.startsWith('Carbon: '));
    assert.ok(region > 0 && cold > region && carbon > cold);
    assert.deepEqual(md.slice(region + 2, region + 6), [
      '| region | gCO2e/kWh | `mlp/fp32/cpu/b32` | source |', '|---|---:|---:|---|',
      '| world | 475 | 0.000454 | given by the user |', '| FR | 56.0 | 0.0000535 | given by the user |',
    ]);
    assert.equal(md[cold + 4], '| `mlp/fp32/cpu/b32` | 18.5 | 0.800 (est.) | 0.00340 (est.) | 233 |');
    assert.equal(md[carbon], 'Carbon: 475 gCO2e/kWh × PUE 1, region world (defaults: pue, region) — source not recorded (result from an older joulebench). Net J/sample subtracts the idle baseline.');
  });

  it('every table is rectangular', () => {
    assert.equal(assertTablesRectangular(renderMarkdown(singleRunAnalysis())), 3);
  });
});

describe('two machines side by side', () => {
  const md = lines(multiRunAnalysis());

  it('the heading counts the runs; each run gets a section named by its machine', () => {
    assert.equal(md[0], '# joulebench: fixture — 2 runs side by side');
    assert.match(md[2]!, /^> \*\*Estimated and measured energy are ranked together\*\* — power on AMD EPYC 7B13 \(laptop\) is ESTIMATED/);
    const laptop = md.indexOf('## AMD EPYC 7B13 (laptop)');
    const server = md.indexOf('## Intel Xeon Gold 6338 (gpu-box)');
    assert.ok(laptop > 0 && server > laptop);
    assert.equal(md[server + 6], 'Meters: replay: replay of fixtures/h100.csv');
  });

  it('one table with a machine column; heads unmarked, only the estimated rows say (est.)', () => {
    const head = md.indexOf('## Ranked by samples per joule');
    assert.equal(md[head + 2], '| # | machine | configuration | samples/J | J/sample | net J/sample | samples/s (95% CI) | p50 ms | p99 ms | mean W | Wh/1k | gCO2e/1k | valid |');
    const rows = md.slice(head + 4, head + 11);
    // Ranked by samples/J across both machines: 417 > 291 > 222 > 188 > 57.1 > 50.0, then the failed row.
    assert.deepEqual(rows.map((row) => row.split(' | ').slice(0, 4).join(' | ')), [
      '| 1 | Intel Xeon Gold 6338 (gpu-box) | `mlp/fp32/cpu/b32` | 417',
      '| 2 | AMD EPYC 7B13 (laptop) | `mlp/fp32/cpu/b32` | 291 (est.)',
      '| 3 | Intel Xeon Gold 6338 (gpu-box) | `mlp/fp32/cpu/b8` | 222',
      '| 4 | AMD EPYC 7B13 (laptop) | `mlp/fp32/cpu/b8` | 188 (est.)',
      '| 5 | AMD EPYC 7B13 (laptop) | `mlp/fp32/cpu/b1` | 57.1 (est.)',
      '| 6 | Intel Xeon Gold 6338 (gpu-box) | `mlp/fp32/cpu/b1` | 50.0',
      '| – | AMD EPYC 7B13 (laptop) | `mlp/fp32/cpu/b64` | **failed**',
    ]);
  });

  it('the cold-start table names the machine; every table is rectangular', () => {
    assert.ok(md.includes('| configuration | machine | session create ms | cold-start J | J/sample | break-even samples |'));
    assert.ok(md.includes('| `mlp/fp32/cpu/b32` | AMD EPYC 7B13 (laptop) | 18.5 | 0.800 (est.) | 0.00340 (est.) | 233 |'));
    assert.equal(assertTablesRectangular(renderMarkdown(multiRunAnalysis())), 3);
  });
});

describe('variations', () => {
  it('a measured run without recommendations, regions or cold starts: none of those sections, no banner', () => {
    const analysis = multiRunAnalysis();
    const bare: ReportAnalysis = { ...analysis, runs: [analysis.runs[1]!], machines: [analysis.machines[1]!], multiRun: false, recommendations: [], carbonByRegion: [], coldStart: [] };
    const text = renderMarkdown(bare);
    for (const absent of ['## Recommendation', '## Carbon by region', '## Cold start', '> **']) assert.ok(!text.includes(absent), absent);
    assert.deepEqual(text.split('\n').slice(0, 3), ['# joulebench: fixture', '', 'Run `20261120-110000Z-fixture-bbbb` · 2026-11-20T10:00:00.000Z · status **complete**']);
    assert.ok(text.includes('| # | configuration | samples/J | J/sample |'));
  });

  it('a saving that is a cost says "costs"; none against the chosen configuration itself', () => {
    const analysis = singleRunAnalysis();
    analysis.recommendations[0]!.savingPercent = -12.34;
    assert.match(renderMarkdown(analysis), /^ {2}- costs 12\.3% energy per sample against `mlp\/fp32\/cpu\/b1` · /m);
    analysis.recommendations[0]!.baselineKey = 'mlp/fp32/cpu/b32';
    assert.match(renderMarkdown(analysis), /^ {2}- 0\.000955 Wh per 1,000 samples \(est\.\) · /m);
  });

  it('an interrupted run says why; meter and idle warnings and the idle after the sweep are quoted', () => {
    const analysis = singleRunAnalysis();
    const run = analysis.runs[0]!;
    Object.assign(run, { status: 'interrupted', stopReason: 'SIGINT', meterWarnings: ['RAPL period 50 ms, asked 10 ms'] });
    run.idle = { durationS: 5, watts: { estimate: 20 }, after: { durationS: 5, watts: { estimate: 23 } }, warnings: ['idle rose 15% over the sweep'] };
    const md = lines(analysis);
    assert.ok(md.includes('Run `20261120-100000Z-fixture-aaaa` · 2026-11-20T10:00:00.000Z · status **interrupted** (SIGINT)'));
    assert.ok(md.includes('> ⚠ RAPL period 50 ms, asked 10 ms'));
    assert.ok(md.includes('Idle baseline: estimate 20.0 W over 5.00 s; after the sweep: estimate 23.0 W'));
    assert.ok(md.includes('> ⚠ idle rose 15% over the sweep'));
  });

  it('pipes and line breaks in an error, a reason or a machine label are escaped so rows keep their cells', () => {
    const analysis = multiRunAnalysis();
    analysis.machines[0]!.label = 'lab | rack 2';
    const laptop = analysis.runs[0]!;
    laptop.measurements.find((m) => m.status === 'failed')!.error = { code: 'RUNTIME_ERROR', message: 'a | b\nc' };
    laptop.measurements.find((m) => !m.validity.valid)!.validity.reasons = ['x | y', 'z'];
    const text = renderMarkdown(analysis);
    assert.ok(text.includes('| – | lab \\| rack 2 | `mlp/fp32/cpu/b64` | **failed** | RUNTIME_ERROR: a \\| b c |'));
    assert.ok(text.includes('| **no**: x \\| y; z |'));
    assert.equal(assertTablesRectangular(text), 3);
  });

  it('ends with a newline', () => {
    assert.ok(renderMarkdown(singleRunAnalysis()).endsWith('\n'));
  });
});
