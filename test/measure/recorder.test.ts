// The run folder's writer: trace file names, result.json in plan order after every configuration, the synchronous
// emergency write of an interrupted run, and the per-configuration power traces (read back with an independent CSV
// parser). A fake meter and temp folders; no sweep.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { RunRecorder, traceFileName } from '../../src/measure/recorder.js';
import type { MeterInfo, PowerMeter, PowerSample } from '../../src/power/types.js';
import type { RunResult } from '../../src/results/types.js';
import { parseCsv } from '../fixtures/parse-csv.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'jb-recorder-'));
after(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
const runDir = () => {
  const dir = path.join(root, `run-${folders++}`);
  mkdirSync(path.join(dir, 'traces'), { recursive: true });
  return dir;
};
const judging = { sloP99Ms: null, equivalencePercent: 3 };
const readResult = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as RunResult;

// b1 at 100 samples/J, b8 at 300, b32 at 200 (two windows each).
function measured() {
  return syntheticResult({ measurements: [[1, 100], [8, 300], [32, 200]].map(([batch, spj]) => ({ batch, samplesPerJoule: [spj!, spj!] })) });
}
const plan = ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b8', 'mlp/fp32/cpu/b32'];

// A meter that has already recorded `samples` (the recorder only reads info and samples()).
function fakeMeter(id: string, device: string | null, samples: PowerSample[]): PowerMeter {
  const info: MeterInfo = { id, kind: 'fake', scope: 'gpu', device, periodMs: 50, estimated: false, sampleKind: 'instant', detail: 'fake' };
  return {
    info,
    start: async () => {},
    stop: async () => {},
    samples: () => samples,
    sampleAfter: async () => {},
    failure: () => null,
    restart: async () => true,
  };
}

test('traceFileName: one file per key; runs of anything but letters, digits, . _ - become __', () => {
  assert.equal(traceFileName('mlp/fp32/cpu/b8'), 'mlp__fp32__cpu__b8.csv');
  assert.equal(traceFileName('resnet-50.v1/fp16@builder/tensorrt/b8/t4'), 'resnet-50.v1__fp16__builder__tensorrt__b8__t4.csv');
  assert.equal(traceFileName('my model//x'), 'my__model__x.csv');
});

test('save and add: result.json in the plan\'s order whatever order configurations finish in; unplanned keys last', async () => {
  const dir = runDir();
  const source = measured();
  const result: RunResult = { ...source, measurements: [] };
  const recorder = new RunRecorder(dir, result, judging, plan);
  assert.equal(recorder.resultPath, path.join(dir, 'result.json'));
  const [b1, b8, b32] = source.measurements;
  await recorder.add(b32!);
  assert.deepEqual(readResult(dir).measurements.map((m) => m.key), ['mlp/fp32/cpu/b32']);
  await recorder.add({ ...b8!, key: 'mlp/fp32/cpu/b64' });
  await recorder.add(b1!);
  await recorder.add(b8!);
  assert.deepEqual(readResult(dir).measurements.map((m) => m.key), [...plan, 'mlp/fp32/cpu/b64']);
  const text = readFileSync(recorder.resultPath, 'utf8');
  assert.ok(text.endsWith('}\n'));
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(result)), 'the file is the recorder\'s result as it is now');
});

test('writeEmergency: written at once (no await), marked interrupted with the reason, with recommendations from what ran', () => {
  const dir = runDir();
  const result = measured();
  const recorder = new RunRecorder(dir, result, judging, plan);
  recorder.writeEmergency('interrupted by a second Ctrl-C');
  const written = readResult(dir);
  assert.equal(written.status, 'interrupted');
  assert.equal(written.stopReason, 'interrupted by a second Ctrl-C');
  assert.ok(written.finishedAt !== null && !Number.isNaN(Date.parse(written.finishedAt)));
  // b8 has the most samples per joule (300 > 200 > 100) and no SLO is set.
  assert.deepEqual(written.recommendations.map((r) => [r.model, r.key]), [['mlp', 'mlp/fp32/cpu/b8']]);
  assert.equal(result.status, 'complete', 'the recorder\'s own result is left as it was');
  assert.deepEqual(result.recommendations, []);
});

test('writeTrace: every meter\'s samples inside the configuration\'s spans, times relative to the run, context kept', async () => {
  const dir = runDir();
  const recorder = new RunRecorder(dir, measured(), judging, plan);
  const gpu = fakeMeter('nvidia-smi:0', 'cuda:0', [
    { tMs: 1000, powerW: 100 },
    { tMs: 1050, powerW: 150.1234, context: { memoryUsedMib: 512, pstate: 'P0' } },
    { tMs: 1100, powerW: 90 },
    { tMs: 1150, powerW: 300 },
    { tMs: 1200, powerW: 80 },
    { tMs: 1400, powerW: 70 },
  ]);
  const system = fakeMeter('replay', null, [{ tMs: 1100, powerW: 50, context: { vendor: 'Advanced Micro Devices, Inc. [AMD/ATI]', name: 'Radeon "Pro"' } }]);
  // Two spans of the configuration's own wall time: [1000, 1100] and [1200, 1300]; the sample at 1150 falls between them.
  const relative = await recorder.writeTrace('mlp/fp32/cpu/b8', [gpu, system], [[1000, 1100], [1200, 1300]], (tMs) => (tMs - 1000) / 1000);
  assert.equal(relative, 'traces/mlp__fp32__cpu__b8.csv');
  const rows = parseCsv(readFileSync(path.join(dir, relative), 'utf8'));
  assert.deepEqual(rows, [
    ['t_s', 'meter', 'device', 'watts', 'context'],
    // (1000 − 1000) / 1000 = 0 s → "0.0000"; watts with three decimals: 150.1234 → "150.123".
    ['0.0000', 'nvidia-smi:0', 'cuda:0', '100.000', ''],
    ['0.0500', 'nvidia-smi:0', 'cuda:0', '150.123', 'memoryUsedMib=512;pstate=P0'],
    ['0.1000', 'nvidia-smi:0', 'cuda:0', '90.000', ''],
    ['0.2000', 'nvidia-smi:0', 'cuda:0', '80.000', ''],
    // A whole-system meter has no device; its free-text context is quoted and reads back whole.
    ['0.1000', 'replay', '', '50.000', 'vendor=Advanced Micro Devices, Inc. [AMD/ATI];name=Radeon "Pro"'],
  ]);
});

test('writeTrace with no samples in the spans: the header alone', async () => {
  const dir = runDir();
  const recorder = new RunRecorder(dir, measured(), judging, plan);
  const relative = await recorder.writeTrace('mlp/fp32/cpu/b1', [fakeMeter('rapl', 'cpu', [{ tMs: 5000, powerW: 10 }])], [[0, 100]], (tMs) => tMs / 1000);
  assert.equal(readFileSync(path.join(dir, relative), 'utf8'), 't_s,meter,device,watts,context\n');
  assert.ok(!existsSync(path.join(dir, 'result.json')), 'a trace does not write result.json');
});
