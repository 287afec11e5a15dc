import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MeterError } from '../../src/errors.js';
import { integrateEnergy } from '../../src/measure/integrate.js';
import { resolveMeters } from '../../src/power/registry.js';
import { parseReplayCsv, ReplayMeter } from '../../src/power/replay.js';

test('parses seconds or milliseconds and rebases to the first row', () => {
  assert.deepEqual(parseReplayCsv('t_s,watts\n10,5\n10.5,7\n', 'a.csv'), { offsetsMs: [0, 500], powerW: [5, 7] });
  assert.deepEqual(parseReplayCsv('# comment\ntimestamp_ms,power_w\n1000,5\n1010,6\n', 'b.csv'), { offsetsMs: [0, 10], powerW: [5, 6] });
});

test('rejects bad traces with the file and line', () => {
  assert.throws(() => parseReplayCsv('time,power\n0,1\n1,2\n', 'x.csv'), (e: unknown) => e instanceof MeterError && /x\.csv: the header must name/.test(e.message));
  assert.throws(() => parseReplayCsv('t_s,watts\n0,1\n1,abc\n', 'x.csv'), /x\.csv: line 3/);
  assert.throws(() => parseReplayCsv('t_s,watts\n0,1\n0,2\n', 'x.csv'), /times must increase/);
  assert.throws(() => parseReplayCsv('t_s,watts\n0,1\n', 'x.csv'), /at least two rows/);
});

test('replays rows at start + offset and repeats the trace', async () => {
  const meter = new ReplayMeter({ offsetsMs: [0, 100, 200], powerW: [10, 20, 30] }, 'trace.csv');
  assert.equal(meter.info.periodMs, 100);
  await meter.start();
  const start = meter.samples().length === 0 ? performance.now() : 0;
  await meter.sampleAfter(start + 10_000); // far future: the trace repeats every 300 ms
  const samples = meter.samples();
  assert.deepEqual(samples.slice(0, 5).map((s) => s.powerW), [10, 20, 30, 10, 20]);
  const t0 = samples[0]!.tMs;
  assert.deepEqual(samples.slice(0, 5).map((s) => Math.round(s.tMs - t0)), [0, 100, 200, 300, 400]);
  // Over one full cycle [t0, t0 + 300]: trapezoids 15 + 25 + 20 (30 → 10) = 60 W·0.1 s → 6 J
  assert.ok(Math.abs(integrateEnergy(samples, t0, t0 + 300, 'instant').energyJ - 6) < 1e-9);
});

test('an explicit meter that cannot run is a MeterError; unknown meters list the known ones', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jb-replay-'));
  await assert.rejects(resolveMeters(['replay:missing.csv'], { cpuTdpWatts: null, baseDir: dir, settings: { 'powercap-root': '/nonexistent' }, gpus: null }), /cannot run here: cannot read replay trace/);
  await assert.rejects(resolveMeters(['nvidia-smy'], { cpuTdpWatts: null, baseDir: dir, settings: { 'powercap-root': '/nonexistent' }, gpus: null }), (e: unknown) => e instanceof MeterError && /unknown meter "nvidia-smy"/.test(e.message) && /estimate/.test(e.hint ?? ''));
  await writeFile(path.join(dir, 'ok.csv'), 't_s,watts\n0,1\n0.01,1\n');
  const resolved = await resolveMeters(['replay:ok.csv'], { cpuTdpWatts: null, baseDir: dir, settings: { 'powercap-root': '/nonexistent' }, gpus: null });
  assert.equal(resolved.meters[0]!.info.id, 'replay');
  const auto = await resolveMeters(['auto'], { cpuTdpWatts: null, baseDir: dir, settings: { 'powercap-root': '/nonexistent' }, gpus: null });
  assert.equal(auto.meters[0]!.info.estimated, true);
  assert.match(auto.choices.at(-1)!.why, /no CPU power meter works here, so CPU power is ESTIMATED/);
});
