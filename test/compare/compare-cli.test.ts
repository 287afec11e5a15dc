// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// `joulebench compare` end to end: exit codes, refusals, and the Markdown / JUnit / JSON files.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Comparison } from '../../src/compare/types.js';
import { assertBadInput, ensureBuilt, removeDir, runCli, tempDir } from '../cli/helpers.js';
import { writeSyntheticResult, type SyntheticMeasurement } from '../fixtures/synthetic-results.js';

let work = '';
const cli = (args: string[]) => runCli(['compare', ...args], { cwd: work, modelsDir: path.join(work, 'models') });

// Two configurations, 5 repetitions each; b8 loses 10% samples per joule in the "regressed" candidate.
const steady: SyntheticMeasurement[] = [
  { batch: 1, samplesPerJoule: [100, 101, 99, 100.5, 99.5], samplesPerSecond: [1000, 1005, 995, 1002, 998], p99Ms: 2 },
  { batch: 8, samplesPerJoule: [400, 404, 396, 402, 398], samplesPerSecond: [8000, 8040, 7960, 8020, 7980], p99Ms: 5 },
];
const regressed: SyntheticMeasurement[] = [
  steady[0]!,
  { ...steady[1]!, samplesPerJoule: steady[1]!.samplesPerJoule.map((v) => v * 0.9) },
];

let baseline = '';
let same = '';
let worse = '';
before(async () => {
  await ensureBuilt();
  work = await tempDir('compare');
  baseline = await writeSyntheticResult(path.join(work, 'baseline.json'), { runId: 'night-1', measurements: steady });
  same = await writeSyntheticResult(path.join(work, 'same.json'), { runId: 'night-2', measurements: steady.map((m) => ({ ...m, samplesPerJoule: m.samplesPerJoule.map((v, i) => v * (1 + (i % 2 ? 0.002 : -0.002))) })) });
  worse = await writeSyntheticResult(path.join(work, 'worse.json'), { runId: 'night-3', measurements: regressed });
});
after(async () => removeDir(work));

test('no change: exit 0, a table with a verdict per configuration and metric, PASS', async () => {
  const r = await cli([baseline, same]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^configuration\s+metric\s+baseline\s+candidate\s+change\s+95% CI\s+p\s+verdict$/m);
  assert.match(r.stdout, /^mlp\/fp32\/cpu\/b8\s+samples\/J\s+400\s+400\s+.*no significant change$/m);
  assert.match(r.stdout, /^mlp\/fp32\/cpu\/b1\s+p99 ms\s+2\.00\s+2\.00\s+\+0\.0%\s+no CI \(threshold\)\s+—\s+no significant change \(by threshold\)$/m);
  assert.match(r.stdout, /^PASS: no regression of 5% or more \(0 improved, 0 regressed, 6 with no significant change\)$/m);
  assert.equal(r.stderr, '');
});

test('a 10% drop in samples per joule: exit 1, named in the table, Markdown, JUnit and JSON', async () => {
  const md = path.join(work, 'out', 'summary.md');
  const junit = path.join(work, 'out', 'junit.xml');
  const json = path.join(work, 'out', 'compare.json');
  const r = await cli([baseline, worse, '--markdown', md, '--junit', junit, '--json-file', json]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^mlp\/fp32\/cpu\/b8\s+samples\/J\s+400\s+360\s+−10\.0%\s+−1\d\.\d% … −\d\.\d%\s+<0\.001\s+REGRESSED — fails the 5% gate$/m);
  assert.match(r.stdout, /^FAIL: 1 gated regression\(s\): mlp\/fp32\/cpu\/b8 samples\/J −10\.0% \(0 improved, 1 regressed, 5 with no significant change\)$/m);
  assert.match(r.stdout, /wrote .*summary\.md, .*junit\.xml, .*compare\.json/);

  const markdown = await readFile(md, 'utf8');
  assert.match(markdown, /^## joulebench compare: ❌ regression$/m);
  assert.match(markdown, /^\| mlp\/fp32\/cpu\/b8 \| samples\/J \| 400 \| 360 \| −10\.0% \| .* \| <0\.001 \| ❌ \*\*REGRESSED — fails the 5% gate\*\* \|$/m);
  assert.match(markdown, /^\| configuration \| metric \| baseline \| candidate \| change \| 95% CI \| p \| verdict \|$/m);
  assert.equal(markdown.match(/^\| mlp\//gm)?.length, 6, 'one row per key × metric');

  const xml = await readFile(junit, 'utf8');
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="joulebench" tests="6" failures="1" skipped="0">/);
  assert.equal(xml.match(/<testcase /g)?.length, 6);
  assert.equal(xml.match(/<failure /g)?.length, 1);
  assert.match(xml, /<testcase classname="mlp\/fp32\/cpu\/b8" name="samples\/J">\n\s+<failure message="samples\/J: 400 → 360 \(−10\.0%/);
  assert.match(xml, /<testcase classname="mlp\/fp32\/cpu\/b1" name="p99 ms">/);
  assert.equal(xml.match(/<testsuite /g)?.length, 1);
  assert.ok(xml.trimEnd().endsWith('</testsuites>'));

  const comparison = JSON.parse(await readFile(json, 'utf8')) as Comparison;
  assert.equal(comparison.schema, 'joulebench/compare@1');
  assert.equal(comparison.failed, true);
  assert.equal(comparison.keys.length, 2);
  const failed = comparison.keys.flatMap((k) => k.metrics.filter((m) => m.failed).map((m) => `${k.key} ${m.metric}`));
  assert.deepEqual(failed, ['mlp/fp32/cpu/b8 samplesPerJoule']);
});

test('--max-regression above the drop: the regression is reported but passes (exit 0); --json prints JSON only', async () => {
  const r = await cli([baseline, worse, '--max-regression', '12%']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /regressed, within the 12% gate/);
  const j = await cli([baseline, worse, '--json', '--max-regression', '12']);
  assert.equal(j.code, 0);
  const parsed = JSON.parse(j.stdout) as Comparison;
  assert.equal(parsed.options.maxRegression, 0.12);
  assert.equal(parsed.counts.regressed, 1);
});

test('--gate: a regression of an ungated metric is reported, not failed', async () => {
  const r = await cli([baseline, worse, '--gate', 'samples-per-second,p99']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^mlp\/fp32\/cpu\/b8\s+samples\/J\s+400\s+360\s+−10\.0%.*regressed \(not gated\)$/m);
  assertBadInput(await cli([baseline, worse, '--gate', 'watts']), '--gate: unknown metric "watts"');
});

test('estimated meters: every output says "estimated"', async () => {
  const a = await writeSyntheticResult(path.join(work, 'est-a.json'), { estimated: true, measurements: steady });
  const b = await writeSyntheticResult(path.join(work, 'est-b.json'), { estimated: true, measurements: regressed });
  const md = path.join(work, 'est.md');
  const junit = path.join(work, 'est.xml');
  const r = await cli([a, b, '--markdown', md, '--junit', junit]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Power is ESTIMATED in the baseline and candidate/);
  assert.match(r.stdout, /^mlp\/fp32\/cpu\/b8\s+samples\/J \(est\.\)/m);
  assert.match(await readFile(md, 'utf8'), /> \*\*Warning:\*\* Power is ESTIMATED.*\n[\s\S]*\| samples\/J \(estimated\) \|/);
  assert.match(await readFile(junit, 'utf8'), /name="samples\/J \(estimated\)"/);
});

test('refusals: another model file or another host is exit 2 naming the difference; --allow-host-change compares anyway', async () => {
  const otherModel = await writeSyntheticResult(path.join(work, 'model.json'), { measurements: steady.map((m) => ({ ...m, sha256: 'f'.repeat(64) })) });
  const m = assertBadInput(await cli([baseline, otherModel]), 'refusing to compare', 'mlp/fp32/cpu/b1: the model file differs (sha256 aaaaaaaaaaaa… → ffffffffffff…)');
  assert.match(m.fix!, /new baseline/);
  const otherHost = await writeSyntheticResult(path.join(work, 'host.json'), { cpuModel: 'AMD EPYC 9654', measurements: steady });
  const h = assertBadInput(await cli([baseline, otherHost]), 'host CPU "Synthetic CPU 9000" → "AMD EPYC 9654"');
  assert.match(h.fix!, /--allow-host-change/);
  const allowed = await cli([baseline, otherHost, '--allow-host-change']);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /^host changed \(--allow-host-change\): host CPU "Synthetic CPU 9000" → "AMD EPYC 9654"$/m);
});

test('bad input: missing, corrupt and foreign files are exit 2 naming the file; usage errors too', async () => {
  assertBadInput(await cli([baseline, path.join(work, 'nope.json')]), `the candidate ${path.join(work, 'nope.json')}: no such result file`);
  const corrupt = path.join(work, 'corrupt.json');
  await writeFile(corrupt, '{"schema": "joulebench/result@1", "measurements": [');
  assertBadInput(await cli([corrupt, baseline]), `the baseline ${corrupt}: cut short (51 bytes)`);
  const foreign = path.join(work, 'package.json');
  await writeFile(foreign, '{"name": "x"}');
  assertBadInput(await cli([baseline, foreign]), `${foreign}: not a joulebench result`);
  assertBadInput(await cli([baseline]), 'expected two result files');
  assertBadInput(await cli([baseline, same, '--noise', 'lots']), '--noise: expected a percentage', '"lots"');
  assertBadInput(await cli([baseline, same, '--alpha', '2']), '--alpha');
  assertBadInput(await cli([baseline, same, '--bogus']), "Unknown option '--bogus'");
});

test('a configuration that failed in the candidate fails the gate; Markdown is appended to $GITHUB_STEP_SUMMARY', async () => {
  const broken = await writeSyntheticResult(path.join(work, 'broken.json'), { measurements: [steady[0]!, { ...steady[1]!, status: 'failed' }] });
  const summary = path.join(work, 'step-summary.md');
  await writeFile(summary, '# earlier step output\n');
  const saved = process.env.GITHUB_STEP_SUMMARY;
  process.env.GITHUB_STEP_SUMMARY = summary;
  try {
    const r = await cli([baseline, broken, '--markdown', summary, '--junit', path.join(work, 'broken.xml')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^mlp\/fp32\/cpu\/b8: missing in candidate — FAILS the gate \(candidate failed: synthetic failure\)$/m);
  } finally {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
  }
  const text = await readFile(summary, 'utf8');
  assert.ok(text.startsWith('# earlier step output\n## joulebench compare: ❌ regression'), text.slice(0, 200));
  const xml = await readFile(path.join(work, 'broken.xml'), 'utf8');
  assert.match(xml, /<testcase classname="mlp\/fp32\/cpu\/b8" name="measured">\n\s+<failure message="mlp\/fp32\/cpu\/b8: missing in candidate/);
});
