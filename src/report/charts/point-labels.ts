// Text labels next to chart points (the Pareto chart's configurations), drawn by the same function in the PNG writer
// (chart.js on @napi-rs/canvas) and in the HTML page (inlined as source): a point whose raw data has a string `label`
// gets that text beside it, unless it would overlap a label already drawn. Turned on per chart by
// `options.plugins.joulebenchLabels.display`; what was drawn is kept on `chart.$joulebenchLabels` (the tests read it).

import type { ChartType } from 'chart.js';

/** The plugin id, and the key under `options.plugins` that turns labels on. */
export const pointLabelsId = 'joulebenchLabels';

/** The options a chart spec sets under `options.plugins.joulebenchLabels`. */
export interface PointLabelsOptions {
  display: boolean;
  /** Font size in px (default 12). */
  size?: number;
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface PluginOptionsByType<TType extends ChartType> {
    joulebenchLabels?: PointLabelsOptions;
  }
}

interface Box { left: number; top: number; right: number; bottom: number }
interface LabelChart {
  ctx: CanvasRenderingContext2DLike;
  chartArea: Box;
  data: { datasets: Array<{ data: unknown[] }> };
  isDatasetVisible(index: number): boolean;
  getDatasetMeta(index: number): { data: Array<{ x: number; y: number; skip?: boolean }> };
  $joulebenchLabels?: Array<{ text: string; x: number; y: number }>;
}
interface CanvasRenderingContext2DLike {
  font: string;
  fillStyle: unknown;
  textAlign: string;
  textBaseline: string;
  save(): void;
  restore(): void;
  measureText(text: string): { width: number };
  fillText(text: string, x: number, y: number): void;
}

/**
 * Draw the labels (a chart.js `afterDatasetsDraw` hook). Kept free of imports and closures: the HTML page inlines its
 * source text.
 */
export function drawPointLabels(chart: LabelChart, _args: unknown, options: { display?: boolean; size?: number } | undefined): void {
  if (!options || options.display !== true) return;
  const ctx = chart.ctx;
  const size = typeof options.size === 'number' ? options.size : 12;
  const area = chart.chartArea;
  const drawn: Array<{ text: string; x: number; y: number }> = [];
  const boxes: Array<{ left: number; top: number; right: number; bottom: number }> = [];
  ctx.save();
  ctx.font = `${size}px sans-serif`;
  ctx.fillStyle = '#222222';
  ctx.textBaseline = 'middle';
  chart.data.datasets.forEach((dataset, datasetIndex) => {
    if (!chart.isDatasetVisible(datasetIndex)) return;
    const elements = chart.getDatasetMeta(datasetIndex).data;
    dataset.data.forEach((raw, index) => {
      const label = raw !== null && typeof raw === 'object' ? (raw as { label?: unknown }).label : undefined;
      const element = elements[index];
      if (typeof label !== 'string' || label === '' || !element || element.skip) return;
      const width = ctx.measureText(label).width;
      // Right of the point, or left of it near the right edge; a little above, else below, when that spot is taken.
      const right = element.x + 9 + width <= area.right;
      const left = right ? element.x + 9 : element.x - 9 - width;
      for (const dy of [-size * 0.8, size * 0.8, -size * 1.9, size * 1.9]) {
        const y = element.y + dy;
        const box = { left, top: y - size / 2, right: left + width, bottom: y + size / 2 };
        if (box.top < area.top || box.bottom > area.bottom) continue;
        if (boxes.some((b) => b.left < box.right && box.left < b.right && b.top < box.bottom && box.top < b.bottom)) continue;
        ctx.textAlign = 'left';
        ctx.fillText(label, left, y);
        boxes.push(box);
        drawn.push({ text: label, x: left, y });
        return;
      }
    });
  });
  ctx.restore();
  chart.$joulebenchLabels = drawn;
}
