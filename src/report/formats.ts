// The report-format seam: one file per format, one registry line each; every run folder gets all of them. Each
// format renders bytes (one or several files, paths relative to the report folder); `writeReports` writes them and
// returns what it wrote, so the CLI prints the writers' own list.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../common/atomic.js';
import type { ReportAnalysis } from './analysis-types.js';
import { renderChartPngs } from './charts/png.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

/** One rendered file: where it goes (relative to the report folder, `/`-separated) and its bytes. */
export interface ReportFile {
  path: string;
  bytes: Uint8Array;
}

/** A report format: renders the analysis into one or several files. */
export interface ReportFormat {
  /** What the file is for, as the terminal says it after the path (e.g. "open in a browser"); empty for nothing. */
  note: string;
  render(analysis: ReportAnalysis): ReportFile[] | Promise<ReportFile[]>;
}

const text = (file: string, render: (analysis: ReportAnalysis) => string) => (analysis: ReportAnalysis): ReportFile[] => [
  { path: file, bytes: Buffer.from(render(analysis), 'utf8') },
];

/** Every format, by name, in the order the terminal lists them. */
export const reportFormats = {
  html: { note: 'open in a browser', render: text('report.html', renderHtml) },
  markdown: { note: '', render: text('report.md', renderMarkdown) },
  csv: { note: '', render: text('measurements.csv', renderCsv) },
  // The same charts as the HTML's, as PNGs for pull requests and slides.
  charts: { note: '', render: renderChartPngs },
} satisfies Record<string, ReportFormat>;

/** A format name of the registry. */
export type ReportFormatId = keyof typeof reportFormats;

/** One file `writeReports` wrote. */
export interface WrittenReport {
  format: ReportFormatId;
  /** Absolute path. */
  file: string;
  byteLength: number;
  note: string;
}

/** Render every format (or the named ones) without writing anything. */
export async function renderReports(analysis: ReportAnalysis, formats: ReportFormatId[] = Object.keys(reportFormats) as ReportFormatId[]): Promise<Array<ReportFile & { format: ReportFormatId }>> {
  const files: Array<ReportFile & { format: ReportFormatId }> = [];
  for (const format of formats) {
    for (const file of await (reportFormats[format] as ReportFormat).render(analysis)) files.push({ ...file, format });
  }
  return files;
}

/** Write every report format into `dir` (charts into `dir/charts/`); returns each file written, in registry order. */
export async function writeReports(analysis: ReportAnalysis, dir: string): Promise<WrittenReport[]> {
  const written: WrittenReport[] = [];
  for (const file of await renderReports(analysis)) {
    const target = path.join(dir, ...file.path.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFileAtomic(target, file.bytes);
    written.push({ format: file.format, file: target, byteLength: file.bytes.byteLength, note: (reportFormats[file.format] as ReportFormat).note });
  }
  return written;
}

/**
 * The written files as one line for a terminal: each path (shown by `show`) with its note; files of one folder beyond
 * the first are named by their base name only ("charts/a.png, b.png").
 */
export function describeWritten(written: WrittenReport[], show: (file: string) => string = (file) => file): string {
  const parts = written.filter((entry) => entry.format !== 'charts').map((entry) => `${show(entry.file)}${entry.note ? ` (${entry.note})` : ''}`);
  // Charts as one entry per folder ("charts/*.png (11 charts)"): a list of every PNG would fill a terminal screen.
  const chartDirs = new Map<string, number>();
  for (const entry of written.filter((e) => e.format === 'charts')) chartDirs.set(path.dirname(entry.file), (chartDirs.get(path.dirname(entry.file)) ?? 0) + 1);
  for (const [dir, count] of chartDirs) parts.push(count === 1 ? show(written.find((e) => e.format === 'charts' && path.dirname(e.file) === dir)!.file) : `${path.join(show(dir), '*.png')} (${count} charts)`);
  return parts.join(', ');
}
