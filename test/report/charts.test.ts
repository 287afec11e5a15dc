import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { Measurement } from '../../src/results/types.js';
import type { ReportAnalysis } from '../../src/report/analysis-types.js';
import { buildChartSpecs, palette, paretoFront, type ChartSpec } from '../../src/report/charts/specs.js';
import { renderChartPngs, renderPng } from '../../src/report/charts/png.js';
import { analyseRuns } from '../../src/report/analysis.js';
import { drawPointLabels } from '../../src/report/charts/point-labels.js';
import { loadRun, multiRunAnalysis, singleRunAnalysis } from '../fixtures/results/analysis.js';
import { procurementRuns } from './procurement-runs.js';

type AnyDataset = Record<string, unknown> & { label: string; data: Array<{ x: unknown; y: unknown; note?: string } | number | null> };

const datasets = (spec: ChartSpec) => spec.config.data.datasets as unknown as AnyDataset[];
const spec = (specs: ChartSpec[], id: string) => {
  const found = specs.find((s) => s.id === id);
  assert.ok(found, `no chart ${id} among ${specs.map((s) => s.id).join(', ')}`);
  return found;
};
const scales = (s: ChartSpec) => (s.config.options as { scales: Record<string, { title: { text: string } }> }).scales;

/** A run with four ok points (energy per sample J, p99 ms): (1,10) and (2,5) are the front; (3,12) and (2.5,6) are beaten. */
function fourPointAnalysis(): ReportAnalysis {
  const run = loadRun('replay-server');
  const template = run.measurements[0]!;
  const points: Array<[number, number, number]> = [
    [1, 1, 10],
    [2, 2, 5],
    [4, 3, 12],
    [8, 2.5, 6],
  ];
  run.measurements = points.map(([batch, jPerSample, p99]): Measurement => ({
    ...structuredClone(template),
    key: `mlp/fp32/cpu/b${batch}`,
    batchSize: batch,
    latencyMs: { ...template.latencyMs!, p99 },
    energy: { ...template.energy!, joulesPerSample: jPerSample, samplesPerJoule: 1 / jPerSample },
  }));
  return {
    runs: [run],
    machines: [{ runId: run.runId, label: 'server', estimated: false }],
    multiRun: false,
    estimatedOnly: false,
    sloP99Ms: 8,
    recommendations: [],
    carbonByRegion: [],
    coldStart: [],
  };
}

test('a single estimated run gives the four single-run charts, in order', () => {
  const specs = buildChartSpecs(singleRunAnalysis());
  assert.deepEqual(specs.map((s) => s.id), ['samples-per-joule', 'throughput-latency', 'pareto', 'power-over-time']);
});

test('several runs add one power chart per run and the machines chart', () => {
  const specs = buildChartSpecs(multiRunAnalysis());
  assert.deepEqual(specs.map((s) => s.id), ['samples-per-joule', 'throughput-latency', 'pareto', 'power-over-time-1', 'power-over-time-2', 'machines']);
  const machines = datasets(spec(specs, 'machines'));
  assert.equal(machines.length, 2);
  assert.match(machines[0]!.label, /AMD EPYC 7B13 \(laptop\) \(estimated\)/);
  assert.doesNotMatch(machines[1]!.label, /estimated/);
  assert.deepEqual(spec(specs, 'machines').config.data.labels, ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b8', 'mlp/fp32/cpu/b32']);
});

test('samples per joule: only ok measurements; estimated lines dashed; invalid points crossed and named', () => {
  const [only] = datasets(spec(buildChartSpecs(singleRunAnalysis()), 'samples-per-joule'));
  assert.ok(only);
  assert.equal(only.data.length, 3, 'the failed b64 is not plotted');
  assert.match(only.label, /^mlp\/fp32\/cpu \(estimated\) — invalid: b8$/);
  assert.ok((only.borderDash as number[]).length > 0);
  assert.deepEqual(only.pointStyle, ['circle', 'crossRot', 'circle']);
  const invalidPoint = only.data[1] as { note: string };
  assert.match(invalidPoint.note, /^INVALID: window 0\.4 s/);

  const multi = datasets(spec(buildChartSpecs(multiRunAnalysis()), 'samples-per-joule'));
  assert.equal(multi.length, 2);
  assert.equal(multi[1]!.label, 'mlp/fp32/cpu · Intel Xeon Gold 6338 (gpu-box)');
  assert.deepEqual(multi[1]!.borderDash, []);
});

test('throughput-latency: a throughput and a p99 dataset per series on two axes', () => {
  const s = spec(buildChartSpecs(singleRunAnalysis()), 'throughput-latency');
  assert.deepEqual(datasets(s).map((d) => d.yAxisID), ['y', 'y1']);
  assert.deepEqual(Object.keys(scales(s)).sort(), ['x', 'y', 'y1']);
});

test('pareto: the front holds exactly the two unbeaten points; SLO line and chosen points drawn', () => {
  const specs = buildChartSpecs(fourPointAnalysis());
  const sets = datasets(spec(specs, 'pareto'));
  assert.deepEqual(sets.map((d) => d.label), ['configurations', 'Pareto front', 'SLO: p99 ≤ 8 ms']);
  const front = sets[1]!.data.map((p) => (p as { x: number; y: number }).x);
  assert.deepEqual(front, [1, 2]);
  assert.deepEqual(sets[2]!.data.map((p) => (p as { y: number }).y), [8, 8]);
  assert.deepEqual(paretoFront([{ x: 1, y: 1 }, { x: 1, y: 1 }]).length, 2, 'ties do not beat each other');

  const chosen = datasets(spec(buildChartSpecs(singleRunAnalysis()), 'pareto')).find((d) => d.label === 'recommended');
  assert.ok(chosen);
  assert.equal(chosen.data.length, 1);
  assert.equal(chosen.borderColor, '#000000');
  assert.match((chosen.data[0] as { note: string }).note, /^mlp\/fp32\/cpu\/b32/);
});

test('power over time: a segment per configuration over its span, and the idle baseline', () => {
  const sets = datasets(spec(buildChartSpecs(singleRunAnalysis()), 'power-over-time'));
  assert.deepEqual(sets.map((d) => d.label), [
    'mlp/fp32/cpu/b1 (estimated)',
    'mlp/fp32/cpu/b8 (estimated)',
    'mlp/fp32/cpu/b32 (estimated)',
    'idle baseline (20.0 W)',
  ]);
  assert.deepEqual(sets[0]!.data.map((p) => [(p as { x: number }).x, (p as { y: number }).y]), [[5, 35], [9.5, 35]]);
});

test('power over time: several meters give one null-gapped line per meter plus the total', () => {
  const analysis = singleRunAnalysis();
  for (const m of analysis.runs[0]!.measurements) if (m.power) m.power.byMeter = { 'rapl:0': m.power.meanWatts - 5, 'nvidia-smi:0': 5 };
  const sets = datasets(spec(buildChartSpecs(analysis), 'power-over-time'));
  assert.deepEqual(sets.map((d) => d.label), ['attributed total (estimated)', 'rapl:0', 'nvidia-smi:0', 'idle baseline (20.0 W)']);
  assert.equal(sets[0]!.data.length, 9, 'three configurations × (start, end, gap)');
  assert.equal((sets[0]!.data[2] as { y: unknown }).y, null);
});

test('fidelity vs saving appears only when a measurement has fidelity', () => {
  const analysis = singleRunAnalysis();
  const run = analysis.runs[0]!;
  const fp32 = run.measurements.find((m) => m.key === 'mlp/fp32/cpu/b32')!;
  run.measurements.push({
    ...structuredClone(fp32),
    key: 'mlp/int8/cpu/b32',
    model: { ...fp32.model, precision: 'int8', variantOf: 'mlp' },
    energy: { ...fp32.energy!, joulesPerSample: fp32.energy!.joulesPerSample / 2 },
    fidelity: { reference: 'fp32', samples: 32, inputs: 'synthetic', maxAbsError: 0.01, rmse: 0.001, cosine: 0.998, top1Agreement: 0.97, accuracy: null, referenceAccuracy: null, accuracyRatio: null, nonFiniteValues: 0, withinBounds: null, violations: [] },
  });
  const sets = datasets(spec(buildChartSpecs(analysis), 'fidelity-vs-saving'));
  assert.equal(sets.length, 1);
  const [p] = sets[0]!.data as Array<{ x: number; y: number }>;
  assert.ok(p);
  assert.ok(Math.abs(p.x - 50) < 1e-9, `saving ${p.x}`);
  assert.equal(p.y, 0.998);
  assert.equal(buildChartSpecs(singleRunAnalysis()).some((s) => s.id === 'fidelity-vs-saving'), false);
});

test('every spec is plain JSON, not animated, palette-coloured, with units on every axis title', () => {
  const units = /samples \/ J|samples\/s|\(J\)|\(ms\)|\(W\)|\(s\)|\(%\)|\(samples per run\)|model\/precision\/EP\/batch|1 = /;
  for (const s of [...buildChartSpecs(multiRunAnalysis()), ...buildChartSpecs(fourPointAnalysis())]) {
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s, `${s.id} survives JSON`);
    assert.equal((s.config.options as { animation: unknown }).animation, false);
    for (const [axis, scale] of Object.entries(scales(s))) assert.match(scale.title.text, units, `${s.id} axis ${axis}`);
    for (const d of datasets(s)) {
      const colours = new Set<string>([...palette, '#777777']);
      assert.ok(colours.has(d.borderColor as string), `${s.id} ${d.label} colour ${String(d.borderColor)}`);
    }
  }
});

async function assertChartPng(png: Buffer, label: string) {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const image = await loadImage(png);
  assert.equal(image.width, 1200);
  assert.equal(image.height, 700);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const corner = ctx.getImageData(0, 0, 1, 1).data;
  assert.deepEqual([...corner], [255, 255, 255, 255], 'white background');
  // The plot area (inside the axes) must have drawn something.
  const plot = ctx.getImageData(100, 40, 1050, 540).data;
  let inked = 0;
  for (let i = 0; i < plot.length; i += 4) if (plot[i]! < 200 || plot[i + 1]! < 200 || plot[i + 2]! < 200) inked++;
  assert.ok(inked > 500, `only ${inked} non-white pixels in the plot area of ${label}`);
  // Axis titles: the bottom strip (x title, legend) and left strip (y title) hold text.
  const left = ctx.getImageData(0, 150, 30, 400).data;
  let leftInk = 0;
  for (let i = 0; i < left.length; i += 4) if (left[i]! < 160) leftInk++;
  assert.ok(leftInk > 50, 'y-axis title drawn');
}

test('PNGs: 1200×700, white background, ink in the plot area', async () => {
  const specs = buildChartSpecs(multiRunAnalysis());
  for (const s of specs) await assertChartPng(await renderPng(s), s.id);
});

test('renderChartPngs gives charts/<id>.png bytes for every chart (the registry\'s charts entry)', async () => {
  const files = await renderChartPngs(singleRunAnalysis());
  assert.deepEqual(files.map((f) => f.path), [
    'charts/samples-per-joule.png',
    'charts/throughput-latency.png',
    'charts/pareto.png',
    'charts/power-over-time.png',
  ]);
  await assertChartPng(Buffer.from(files[0]!.bytes), files[0]!.path);
});

test('two models: the comparing charts are drawn once per model, ids and titles name the model', () => {
  const specs = buildChartSpecs(analyseRuns(procurementRuns()));
  assert.deepEqual(specs.map((s) => s.id), [
    'samples-per-joule-mlp', 'samples-per-joule-resnet',
    'throughput-latency-mlp', 'throughput-latency-resnet',
    'pareto-mlp', 'pareto-resnet',
    'machines-mlp', 'machines-resnet',
  ]);
  const resnet = spec(specs, 'samples-per-joule-resnet');
  assert.equal(resnet.title, 'Samples per joule by batch size — resnet');
  assert.equal((resnet.config.options as { plugins: { title: { text: string } } }).plugins.title.text, resnet.title, 'the PNG title names the model too');
  assert.ok(datasets(resnet).every((d) => d.label.startsWith('resnet/')), 'only resnet series on the resnet panel');
  // The machines panel's configurations in natural order.
  assert.deepEqual(spec(specs, 'machines-mlp').config.data.labels, ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b8', 'mlp/fp32/cpu/b32', 'mlp/fp32/cpu/b64']);
});

test('pareto points carry a short label (precision/EP/batch, @host with several machines) and the chart turns labels on', () => {
  const pareto = spec(buildChartSpecs(analyseRuns(procurementRuns())), 'pareto-resnet');
  assert.deepEqual((pareto.config.options as { plugins: Record<string, unknown> }).plugins.joulebenchLabels, { display: true });
  const labels = datasets(pareto).flatMap((d) => d.data.map((p) => (p as { label?: string }).label).filter(Boolean));
  assert.equal(labels.length, 8, 'eight points, all labelled (a small panel)');
  assert.ok(labels.includes('fp32/cpu/b8 @gpu-box'));
  assert.ok(labels.includes('fp32/cpu/b8 @laptop (est.)'), 'estimated points beside measured ones say so');
  const single = datasets(spec(buildChartSpecs(singleRunAnalysis()), 'pareto'));
  assert.deepEqual(single[0]!.data.map((p) => (p as { label?: string }).label), ['fp32/cpu/b1', 'fp32/cpu/b8']);
});

test('drawPointLabels: text beside each labelled point, moved or left out where it would overlap', () => {
  const texts: Array<[string, number, number]> = [];
  const ctx = { font: '', fillStyle: '', textAlign: '', textBaseline: '', save() {}, restore() {}, measureText: (text: string) => ({ width: text.length * 6 }), fillText: (text: string, x: number, y: number) => texts.push([text, x, y]) };
  const chart = {
    ctx, chartArea: { left: 0, top: 0, right: 200, bottom: 200 },
    data: { datasets: [{ data: [{ label: 'a' }, { label: 'bb' }, { label: 'far-right' }, {}] }] },
    isDatasetVisible: () => true,
    getDatasetMeta: () => ({ data: [{ x: 50, y: 100 }, { x: 50, y: 100 }, { x: 190, y: 50 }, { x: 10, y: 10 }] }),
  } as Parameters<typeof drawPointLabels>[0];
  drawPointLabels(chart, {}, { display: true, size: 10 });
  assert.deepEqual(texts, [
    ['a', 59, 92], // right of the point, 0.8 × size above
    ['bb', 59, 108], // the same spot is taken: below instead
    ['far-right', 127, 42], // no room on the right: left of the point (190 − 9 − 54)
  ]);
  assert.deepEqual(chart.$joulebenchLabels!.map((l) => l.text), ['a', 'bb', 'far-right']);
  texts.length = 0;
  drawPointLabels(chart, {}, { display: false });
  assert.deepEqual(texts, [], 'off unless the chart asks');
});

test('the Pareto PNG draws its labels (more ink than the same chart without them)', async () => {
  const pareto = spec(buildChartSpecs(analyseRuns(procurementRuns())), 'pareto-mlp');
  const unlabelled = structuredClone(pareto);
  (unlabelled.config.options as { plugins: Record<string, unknown> }).plugins.joulebenchLabels = { display: false };
  const ink = async (s: ChartSpec) => {
    const image = await loadImage(await renderPng(s));
    const canvas = createCanvas(image.width, image.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0);
    const pixels = ctx.getImageData(0, 0, image.width, image.height).data;
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 100 && pixels[i + 1]! < 100 && pixels[i + 2]! < 100) dark++;
    return dark;
  };
  const [withLabels, without] = [await ink(pareto), await ink(unlabelled)];
  assert.ok(withLabels > without + 500, `${withLabels} dark pixels with labels, ${without} without`);
});
