// The report-format seam: one file per format, one registry line each; every run folder gets all of them.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../results/atomic.js';
import type { ReportAnalysis } from './analysis-types.js';
import { writeChartPngs } from './charts/png.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

/** A report format: the file it writes into a run folder and how to render it. */
export interface ReportFormat {
  file: string;
  render(analysis: ReportAnalysis): string;
}

/** Every format, by name. */
export const reportFormats = {
  markdown: { file: 'report.md', render: renderMarkdown },
  csv: { file: 'measurements.csv', render: renderCsv },
  html: { file: 'report.html', render: renderHtml },
} satisfies Record<string, ReportFormat>;

/** Write every report format into `dir`, and the charts into `dir/charts/`; returns the paths written. */
export async function writeReports(analysis: ReportAnalysis, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const format of Object.values(reportFormats) as ReportFormat[]) {
    const file = path.join(dir, format.file);
    await writeFileAtomic(file, format.render(analysis));
    written.push(file);
  }
  // The same charts as the HTML's, as PNGs for pull requests and slides.
  written.push(...(await writeChartPngs(analysis, dir)));
  return written;
}
