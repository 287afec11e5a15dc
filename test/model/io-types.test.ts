// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// Graph inputs or outputs of a type onnxruntime-node has no tensor for (bfloat16 = 16, complex, float8) are a named
// ModelError on every path, never onnxruntime's "Unsupported data type: 16".
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { resolveBatchLayout } from '../../src/onnx/batch-axis.js';
import { estimateFlops } from '../../src/model/flops.js';
import { describeModel, requireRunnableIo } from '../../src/model/inspect.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { prepareModels, scenarioNaming } from '../../src/measure/prepare.js';
import { parseScenario } from '../../src/scenario/schema.js';
import { decodeModel, encodeModel } from '../../src/onnx/proto.js';

// x (float32) → Cast to bfloat16 → y declared bfloat16; or the input declared bfloat16.
function bf16Model(where: 'input' | 'output'): Uint8Array {
  const model = decodeModel(new GraphBuilder('g').input('x', 'float32', [2]).node('Cast', ['x'], ['y'], { to: where === 'output' ? 16 : 1 }, 'cast').output('y', 'float32', [2]).build({ opset: 13 }), 'm.onnx');
  (where === 'output' ? model.graph!.output! : model.graph!.input!)[0]!.type!.tensorType!.elemType = 16;
  return encodeModel(model);
}

const isIoTypeError = (kind: string, name: string) => (error: Error & { code?: string }) =>
  error.code === 'MODEL_IO_TYPE' && error.message.includes(`graph ${kind} "${name}" has element type bfloat16`);

test('requireRunnableIo names a bfloat16 output and a bfloat16 input', () => {
  assert.throws(() => requireRunnableIo(describeModel(bf16Model('output'), 'm.onnx')), isIoTypeError('output', 'y'));
  assert.throws(() => requireRunnableIo(describeModel(bf16Model('input'), 'm.onnx')), isIoTypeError('input', 'x'));
});

test('the FLOP count (inspect) refuses by name before onnxruntime sees the model', async () => {
  const bytes = bf16Model('output');
  const layout = resolveBatchLayout(describeModel(bytes, 'm.onnx'), {}, { shape: (name) => name });
  await assert.rejects(estimateFlops(bytes, 'm.onnx', layout), isIoTypeError('output', 'y'));
});

test('bench/run preparation refuses by name (exit 2: a ModelError)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jb-bf16-'));
  try {
    await writeFile(path.join(dir, 'bf16.onnx'), bf16Model('output'));
    const scenario = parseScenario({ models: ['bf16.onnx'], batchSizes: [1], out: 'results' }, { file: null, baseDir: dir });
    await assert.rejects(prepareModels(scenario, scenarioNaming(null)), (error: Error & { code?: string; exitCode?: number }) => isIoTypeError('output', 'y')(error) && error.exitCode === 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
