// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuilt, removeDir, repoRoot, runCli, tempDir } from '../cli/helpers.js';

let work = '';
before(async () => {
  await ensureBuilt();
  work = await tempDir('report-cli');
});
after(async () => removeDir(work));

const fixture = (name: string) => path.join(repoRoot, 'test/fixtures/results', name);

test('report of two runs from different machines: one comparison, side by side, with prices', async () => {
  const out = path.join(work, 'cmp');
  const cli = await runCli(
    ['report', fixture('estimated-laptop.json'), fixture('replay-server.json'), '--out', out, '--electricity-price', '0.3', '--slo-p99-ms', '50'],
    { cwd: work, modelsDir: path.join(work, 'models') },
  );
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['charts', 'measurements.csv', 'report.html', 'report.md']);
  assert.ok((await readdir(path.join(out, 'charts'))).includes('machines.png'));
  const md = await readFile(path.join(out, 'report.md'), 'utf8');
  assert.match(md, /2 runs side by side/);
  assert.match(md, /\| # \| machine \| configuration \|/);
  assert.match(md, /## Cold start and cost/);
  assert.match(md, /cost per 1M samples/);
  assert.match(cli.stdout, /^mlp: Deploy /m);
  // The answer first: the estimated-vs-measured banner, then the recommendation with its cost.
  assert.match(cli.stdout, /^ESTIMATED AND MEASURED ENERGY ARE RANKED TOGETHER: power on AMD EPYC 7B13 ×8 is ESTIMATED/);
  assert.match(cli.stdout, /^ {2}cost: [\d.]+ per 1M inferences \(electricity [\d.]+ \+ no hardware price for this machine\)$/m);
  assert.match(md, /\| configuration \| machine \| session create ms \|/);
  // What the writers returned, in registry order, charts as one entry (the files are checked on disk).
  assert.match(cli.stdout, /wrote \S*report\.html \(open in a browser\), \S*report\.md, \S*measurements\.csv, \S*charts\/\*\.png \(6 charts\)\n$/);
  assert.deepEqual((await readdir(path.join(out, 'charts'))).sort(), ['machines.png', 'pareto.png', 'power-over-time-1.png', 'power-over-time-2.png', 'samples-per-joule.png', 'throughput-latency.png']);
  const csv = (await readFile(path.join(out, 'measurements.csv'), 'utf8')).trimEnd().split('\n');
  const runs = new Set(csv.slice(1).map((line) => line.split(',')[0]));
  assert.equal(runs.size, 2, 'rows from both runs');
});
