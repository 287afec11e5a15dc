import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeWritten, renderReports, reportFormats, writeReports } from '../../src/report/formats.js';
import { singleRunAnalysis } from '../fixtures/results/analysis.js';

test('one registry: every format renders bytes, the chart PNGs are entries of it', async () => {
  assert.deepEqual(Object.keys(reportFormats), ['html', 'markdown', 'csv', 'charts']);
  const files = await renderReports(singleRunAnalysis());
  assert.deepEqual(files.map((f) => [f.format, f.path]), [
    ['html', 'report.html'],
    ['markdown', 'report.md'],
    ['csv', 'measurements.csv'],
    ['charts', 'charts/samples-per-joule.png'],
    ['charts', 'charts/throughput-latency.png'],
    ['charts', 'charts/pareto.png'],
    ['charts', 'charts/power-over-time.png'],
  ]);
  for (const f of files) assert.ok(f.bytes.byteLength > 100, `${f.path} has bytes`);
  assert.equal(Buffer.from(files[1]!.bytes).toString('utf8').slice(0, 13), '# joulebench:');
  assert.deepEqual([...files[3]!.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'PNG signature');
  // Only the named formats when asked.
  assert.deepEqual((await renderReports(singleRunAnalysis(), ['csv'])).map((f) => f.path), ['measurements.csv']);
});

test('writeReports writes what the formats render and returns it; describeWritten lists it for the terminal', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'jb-formats-'));
  try {
    const written = await writeReports(singleRunAnalysis(), dir);
    assert.deepEqual(written.map((w) => path.relative(dir, w.file)), [
      'report.html', 'report.md', 'measurements.csv',
      path.join('charts', 'samples-per-joule.png'), path.join('charts', 'throughput-latency.png'), path.join('charts', 'pareto.png'), path.join('charts', 'power-over-time.png'),
    ]);
    for (const w of written) assert.equal((await readFile(w.file)).byteLength, w.byteLength, w.file);
    const show = (file: string) => path.relative(dir, file);
    assert.equal(
      describeWritten(written, show),
      `report.html (open in a browser), report.md, measurements.csv, ${path.join('charts', '*.png')} (4 charts)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
