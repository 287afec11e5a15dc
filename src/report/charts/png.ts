// PNG charts: chart.js drawn in Node on @napi-rs/canvas (no browser, no chartjs-node-canvas).
import { createCanvas } from '@napi-rs/canvas';
import Chart from 'chart.js/auto';
import type { ChartConfiguration, ChartItem, Plugin } from 'chart.js';
import type { ReportAnalysis } from '../analysis-types.js';
import { drawPointLabels, pointLabelsId } from './point-labels.js';
import { buildChartSpecs, type ChartSpec } from './specs.js';

/** Default PNG size in pixels. */
export const defaultPngSize = { width: 1200, height: 700 } as const;

// PNGs are often viewed on dark backgrounds (GitHub dark mode): paint white behind the chart.
const whiteBackground: Plugin = {
  id: 'joulebench-white-background',
  beforeDraw(chart) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

// A PNG cannot be hovered: the points a chart labels get their text drawn beside them.
const pointLabels: Plugin = {
  id: pointLabelsId,
  afterDatasetsDraw: ((chart: Parameters<typeof drawPointLabels>[0], args: unknown, options: { display?: boolean; size?: number } | undefined) =>
    drawPointLabels(chart, args, options && { ...options, size: options.size ?? 14 })) as unknown as NonNullable<Plugin['afterDatasetsDraw']>,
};

// A static image is read at a distance, not hovered: larger text than chart.js's 12 px default.
Chart.defaults.font.size = 15;

/** Render one chart to PNG bytes. */
export async function renderPng(spec: ChartSpec, size: { width: number; height: number } = defaultPngSize): Promise<Buffer> {
  const canvas = createCanvas(size.width, size.height);
  // The spec is JSON: clone it so chart.js's in-place option resolution never touches the caller's object.
  const config = structuredClone(spec.config) as ChartConfiguration;
  const chart = new Chart(canvas.getContext('2d') as unknown as ChartItem, {
    ...config,
    options: { ...config.options, responsive: false, animation: false, devicePixelRatio: 1 },
    plugins: [...(config.plugins ?? []), whiteBackground, pointLabels],
  } as ChartConfiguration);
  try {
    chart.draw();
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}

/** Every chart the analysis has data for as `charts/<id>.png` bytes (the `charts` entry of the report registry). */
export async function renderChartPngs(analysis: ReportAnalysis): Promise<Array<{ path: string; bytes: Uint8Array }>> {
  const files: Array<{ path: string; bytes: Uint8Array }> = [];
  for (const spec of buildChartSpecs(analysis)) files.push({ path: `charts/${spec.id}.png`, bytes: await renderPng(spec) });
  return files;
}
