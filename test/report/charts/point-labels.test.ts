// drawPointLabels on a fake chart and canvas context (each character 6 px wide): the four spots tried in order, a label
// left out when all are taken or outside the plot, hidden datasets and skipped points, the default size.
// (test/report/charts.test.ts covers right/below/left placement and the labels in a real PNG.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drawPointLabels, pointLabelsId } from '../../../src/report/charts/point-labels.js';

type Chart = Parameters<typeof drawPointLabels>[0];

function fakeChart(points: Array<{ x: number; y: number; label?: unknown; skip?: boolean }>, options: { hidden?: number[]; extra?: Array<{ x: number; y: number; label: string }> } = {}) {
  const calls: string[] = [];
  const texts: Array<[string, number, number]> = [];
  const ctx = {
    font: '', fillStyle: '' as unknown, textAlign: '', textBaseline: '',
    save: () => calls.push('save'), restore: () => calls.push('restore'),
    measureText: (text: string) => ({ width: text.length * 6 }),
    fillText: (text: string, x: number, y: number) => texts.push([text, x, y]),
  };
  const sets = [points, ...(options.extra ? [options.extra] : [])];
  const chart: Chart = {
    ctx, chartArea: { left: 0, top: 0, right: 200, bottom: 200 },
    data: { datasets: sets.map((set) => ({ data: set.map((p) => ('label' in p ? { label: p.label } : {})) })) },
    isDatasetVisible: (index) => !(options.hidden ?? []).includes(index),
    getDatasetMeta: (index) => ({ data: sets[index]!.map((p) => ({ x: p.x, y: p.y, ...('skip' in p ? { skip: p.skip } : {}) })) }),
  };
  return { chart, ctx, texts, calls };
}

describe('drawPointLabels', () => {
  it('the plugin id is the key charts turn labels on with', () => {
    assert.equal(pointLabelsId, 'joulebenchLabels');
  });

  it('five labels on one point at size 10: above, below, higher, lower, then left out', () => {
    // Boxes 10 px tall centred on y = 100 − 8, 100 + 8, 100 − 19, 100 + 19; the fifth finds every spot taken.
    const { chart, texts } = fakeChart(Array.from({ length: 5 }, (_, i) => ({ x: 50, y: 100, label: `p${i}` })));
    drawPointLabels(chart, {}, { display: true, size: 10 });
    assert.deepEqual(texts, [['p0', 59, 92], ['p1', 59, 108], ['p2', 59, 81], ['p3', 59, 119]]);
    assert.deepEqual(chart.$joulebenchLabels, [{ text: 'p0', x: 59, y: 92 }, { text: 'p1', x: 59, y: 108 }, { text: 'p2', x: 59, y: 81 }, { text: 'p3', x: 59, y: 119 }]);
  });

  it('a spot outside the plot area is skipped: a point at the top edge is labelled below it', () => {
    // y = 5 − 8 = −3 would put the box's top at −8, above the plot: the next spot, 5 + 8 = 13.
    const { chart, texts } = fakeChart([{ x: 50, y: 5, label: 'top' }, { x: 50, y: 199, label: 'bottom' }]);
    drawPointLabels(chart, {}, { display: true, size: 10 });
    assert.deepEqual(texts, [['top', 59, 13], ['bottom', 59, 191]]);
  });

  it('a label that fits nowhere vertically is left out', () => {
    const { chart, texts } = fakeChart([{ x: 50, y: 100, label: 'x' }]);
    chart.chartArea = { left: 0, top: 95, right: 200, bottom: 105 };
    drawPointLabels(chart, {}, { display: true, size: 10 });
    assert.deepEqual(texts, []);
    assert.deepEqual(chart.$joulebenchLabels, []);
  });

  it('exactly at the right edge still fits on the right; one pixel more goes left', () => {
    // 'abcd' is 24 px: 167 + 9 + 24 = 200 fits; at 168 the label goes to 168 − 9 − 24 = 135.
    const fits = fakeChart([{ x: 167, y: 100, label: 'abcd' }]);
    drawPointLabels(fits.chart, {}, { display: true, size: 10 });
    const over = fakeChart([{ x: 168, y: 100, label: 'abcd' }]);
    drawPointLabels(over.chart, {}, { display: true, size: 10 });
    assert.deepEqual([fits.texts[0], over.texts[0]], [['abcd', 176, 92], ['abcd', 135, 92]]);
  });

  it('no label, an empty or non-string label, a skipped point or a hidden dataset draws nothing', () => {
    const { chart, texts } = fakeChart(
      [{ x: 10, y: 50 }, { x: 10, y: 100, label: '' }, { x: 10, y: 150, label: 42 }, { x: 100, y: 50, label: 'skipped', skip: true }, { x: 100, y: 150, label: 'shown' }],
      { hidden: [1], extra: [{ x: 100, y: 100, label: 'hidden' }] },
    );
    drawPointLabels(chart, {}, { display: true, size: 10 });
    assert.deepEqual(texts.map(([text]) => text), ['shown']);
  });

  it('labels of a later dataset avoid those already drawn', () => {
    const { chart, texts } = fakeChart([{ x: 50, y: 100, label: 'first' }], { extra: [{ x: 50, y: 100, label: 'second' }] });
    drawPointLabels(chart, {}, { display: true, size: 10 });
    assert.deepEqual(texts, [['first', 59, 92], ['second', 59, 108]]);
  });

  it('default size 12: the font, the colour, and 0.8 × 12 = 9.6 px above; the context saved and restored', () => {
    const { chart, ctx, texts, calls } = fakeChart([{ x: 50, y: 100, label: 'a' }]);
    drawPointLabels(chart, {}, { display: true });
    assert.deepEqual(texts, [['a', 59, 90.4]]);
    assert.deepEqual([ctx.font, ctx.fillStyle, ctx.textBaseline, ctx.textAlign], ['12px sans-serif', '#222222', 'middle', 'left']);
    assert.deepEqual(calls, ['save', 'restore']);
  });

  it('off unless display is true: no options, display false or missing draw nothing and touch nothing', () => {
    for (const options of [undefined, { display: false }, {}]) {
      const { chart, texts, calls } = fakeChart([{ x: 50, y: 100, label: 'a' }]);
      drawPointLabels(chart, {}, options);
      assert.deepEqual([texts, calls, chart.$joulebenchLabels], [[], [], undefined]);
    }
  });
});
