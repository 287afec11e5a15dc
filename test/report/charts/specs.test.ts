// specs.ts helpers and configs beyond test/report/charts.test.ts: slugs, colours, the Pareto front's edge cases, panel
// ids when model names collide, no chart without an ok measurement, and two configs read value by value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildChartSpecs, chartSlug, colour, palette, paretoFront, type ChartSpec } from '../../../src/report/charts/specs.js';
import { singleRunAnalysis } from '../../fixtures/results/analysis.js';

type Dataset = { label: string; yAxisID?: string; data: Array<{ x: unknown; y: unknown; note?: string }>; borderColor: string; borderDash?: number[] };
const datasets = (spec: ChartSpec) => spec.config.data.datasets as unknown as Dataset[];
const options = (spec: ChartSpec) => spec.config.options as unknown as { scales: Record<string, { type: string; position?: string; beginAtZero?: boolean; title: { text: string } }> };

describe('chartSlug', () => {
  it('keeps letters, digits, _ . -; squeezes any other run into one dash; trims dashes', () => {
    assert.equal(chartSlug('resnet50_v1.5-int8'), 'resnet50_v1.5-int8');
    assert.equal(chartSlug('my model / v2'), 'my-model-v2');
    assert.equal(chartSlug('--édition--'), 'dition');
  });

  it('nothing left: "model"', () => {
    assert.equal(chartSlug('日本語'), 'model');
    assert.equal(chartSlug(''), 'model');
  });
});

describe('colour', () => {
  it('the Okabe–Ito palette in order, cycling after eight', () => {
    assert.equal(palette.length, 8);
    assert.deepEqual([colour(0), colour(1), colour(7), colour(8), colour(17)], ['#E69F00', '#56B4E9', '#000000', '#E69F00', '#56B4E9']);
  });
});

describe('paretoFront', () => {
  it('keeps the points no other beats on both axes, sorted by x then y', () => {
    // (3,1) and (1,3) and (2,2) beat nothing of each other; (3,3) is beaten by (2,2).
    assert.deepEqual(paretoFront([{ x: 3, y: 3 }, { x: 3, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 2 }]), [{ x: 1, y: 3 }, { x: 2, y: 2 }, { x: 3, y: 1 }]);
  });

  it('a tie on one axis does not beat (strictly less on both is needed); duplicates both stay', () => {
    // (1,5) vs (1,4): equal x, so neither beats the other.
    assert.deepEqual(paretoFront([{ x: 1, y: 5 }, { x: 1, y: 4 }]), [{ x: 1, y: 4 }, { x: 1, y: 5 }]);
    assert.deepEqual(paretoFront([{ x: 2, y: 2 }, { x: 2, y: 2 }]), [{ x: 2, y: 2 }, { x: 2, y: 2 }]);
  });

  it('no points, no front; one point is its own front; extra fields are kept', () => {
    assert.deepEqual(paretoFront([]), []);
    assert.deepEqual(paretoFront([{ x: 1, y: 1, name: 'only' }]), [{ x: 1, y: 1, name: 'only' }]);
  });
});

describe('buildChartSpecs', () => {
  it('models whose slugs collide get -2; the panels come model by model, in order of first appearance', () => {
    const analysis = singleRunAnalysis();
    const [b1, b8] = analysis.runs[0]!.measurements;
    b1!.model.name = 'a b';
    b8!.model.name = 'a-b';
    const specs = buildChartSpecs(analysis);
    assert.deepEqual(specs.filter((s) => s.kind === 'samples-per-joule').map((s) => [s.id, s.model, s.title]), [
      ['samples-per-joule-a-b', 'a b', 'Samples per joule by batch size — a b'],
      ['samples-per-joule-a-b-2', 'a-b', 'Samples per joule by batch size — a-b'],
      ['samples-per-joule-mlp', 'mlp', 'Samples per joule by batch size — mlp'],
    ]);
    assert.equal(specs.find((s) => s.kind === 'power-over-time')!.model, null, 'the power chart is per run, not per model');
  });

  it('no measurement that ran: no chart at all', () => {
    const analysis = singleRunAnalysis();
    for (const m of analysis.runs[0]!.measurements) m.status = 'failed';
    assert.deepEqual(buildChartSpecs(analysis), []);
  });

  it('samples per joule: a category axis of batch sizes, one dashed estimated line, the invalid point named', () => {
    const spec = buildChartSpecs(singleRunAnalysis())[0]!;
    assert.deepEqual([spec.id, spec.kind, spec.model, spec.config.type, spec.config.data.labels], ['samples-per-joule', 'samples-per-joule', null, 'line', ['1', '8', '32']]);
    const [line] = datasets(spec);
    assert.equal(line!.label, 'mlp/fp32/cpu (estimated) — invalid: b8');
    assert.deepEqual([line!.borderColor, line!.borderDash], ['#E69F00', [8, 5]]);
    // 1 ÷ 0.0175 J = 57.1, 1 ÷ 0.00533 J = 187.5, 1 ÷ 0.0034375 J = 290.9 samples/J (the fixture's samplesPerJoule).
    assert.deepEqual(line!.data.map((p) => [p.x, Math.round((p.y as number) * 10) / 10, p.note]), [
      ['1', 57.1, 'mlp/fp32/cpu/b1'],
      ['8', 187.5, 'INVALID: window 0.4 s is shorter than 10× the meter period'],
      ['32', 290.9, 'mlp/fp32/cpu/b32'],
    ]);
    assert.deepEqual(Object.fromEntries(Object.entries(options(spec).scales).map(([axis, s]) => [axis, [s.type, s.title.text]])), {
      x: ['category', 'batch size (samples per run)'], y: ['linear', 'samples / J'],
    });
    assert.equal(options(spec).scales.y!.beginAtZero, true);
  });

  it('throughput and latency: throughput on the left axis, p99 on the right, each point\'s CI in its note', () => {
    const spec = buildChartSpecs(singleRunAnalysis())[1]!;
    const [throughput, p99] = datasets(spec);
    assert.deepEqual([throughput!.label, throughput!.yAxisID, p99!.label, p99!.yAxisID], ['mlp/fp32/cpu throughput (samples/s)', 'y', 'mlp/fp32/cpu p99 latency (ms)', 'y1']);
    assert.deepEqual(throughput!.data.map((p) => p.y), [2000, 9000, 16000]);
    assert.equal(throughput!.data[0]!.note, 'mlp/fp32/cpu/b1; 95% CI 1.90e+3–2.10e+3 samples/s');
    assert.deepEqual(p99!.data.map((p) => p.y), [0.9, 1.6, 4.2]);
    const scales = options(spec).scales;
    assert.deepEqual([scales.y!.position, scales.y1!.position], ['left', 'right']);
    assert.match(scales.y1!.title.text, /^p99 latency \(ms\)/);
  });
});
