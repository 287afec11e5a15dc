// PNG charts: chart.js drawn in Node on @napi-rs/canvas (no browser, no chartjs-node-canvas).
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { createCanvas } from '@napi-rs/canvas';
import Chart from 'chart.js/auto';
import type { ChartConfiguration, ChartItem, Plugin } from 'chart.js';
import { writeFileAtomic } from '../../results/atomic.js';
import type { ReportAnalysis } from '../analysis-types.js';
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
    plugins: [...(config.plugins ?? []), whiteBackground],
  } as ChartConfiguration);
  try {
    chart.draw();
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}

/** Write `dir/charts/<id>.png` for every chart the analysis has data for; returns the paths written. */
export async function writeChartPngs(analysis: ReportAnalysis, dir: string): Promise<string[]> {
  const chartsDir = path.join(dir, 'charts');
  await mkdir(chartsDir, { recursive: true });
  const written: string[] = [];
  for (const spec of buildChartSpecs(analysis)) {
    const file = path.join(chartsDir, `${spec.id}.png`);
    await writeFileAtomic(file, await renderPng(spec));
    written.push(file);
  }
  return written;
}
