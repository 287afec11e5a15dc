// A run whose every configuration was skipped for a named reason exits 2 (bad input) with the reasons, as one such
// configuration alone does; not 3 (runtime failure).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { executeScenario } from '../../src/cli/execute.js';
import { ExitCode } from '../../src/errors.js';
import { scenarioNaming } from '../../src/measure/prepare.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { parseScenario } from '../../src/scenario/schema.js';
import { writeReplayTrace } from './helpers.js';

test('every configuration skipped (INT8 of a model with nothing to quantize) → exit 2 naming the reason', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jb-skipped-'));
  const stderr: string[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  try {
    await writeFile(path.join(dir, 'relu.onnx'), new GraphBuilder('g').input('x', 'float32', ['N', 4]).node('Relu', ['x'], ['y'], {}, 'relu').output('y', 'float32', ['N', 4]).build({ opset: 13 }));
    await writeReplayTrace(dir, 'flat.csv', 30, () => 40);
    const scenario = parseScenario({
      models: ['relu.onnx'], precisions: ['int8'], batchSizes: [1], conversion: { int8Mode: 'dynamic' },
      meters: ['replay:flat.csv'], out: 'results', idleSeconds: 0, stopping: false, repetitions: 1, window: { minSeconds: 0.1, minRuns: 1 },
    }, { file: null, baseDir: dir });
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await executeScenario(scenario, scenarioNaming(null), { json: false, isolate: false });
    } finally {
      process.stdout.write = writes.out;
      process.stderr.write = writes.err;
    }
    assert.equal(code, ExitCode.badInput);
    assert.match(stderr.join(''), /every configuration was skipped:\n {2}.*nothing to quantize|every configuration was skipped:\n {2}.*found no MatMul/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
