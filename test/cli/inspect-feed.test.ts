import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { inspectCommand } from '../../src/cli/inspect.js';
import { GraphBuilder } from '../../src/onnx/builder.js';

// Run `inspect` in-process and capture what it prints.
async function inspectJson(args: string[]): Promise<Record<string, unknown>> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (chunks.push(chunk), true)) as typeof process.stdout.write;
  try {
    assert.equal(await inspectCommand([...args, '--json']), 0);
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(chunks.join('')) as Record<string, unknown>;
}

test('inspect --feed fills an input the FLOP run needs (a shape given as an input), as bench does', async () => {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'jb-inspect-'));
  try {
    const file = path.join(folder, 'm.onnx');
    // x [1,4] reshaped by the input `shape` to [4], then [4] × W[4,2] = [2]: 2 × 2 × 4 = 16 FLOPs.
    await writeFile(file, new GraphBuilder('g')
      .input('x', 'float32', [1, 4])
      .input('shape', 'int64', [1])
      .initializer('W', [4, 2], new Float32Array(8).fill(0.5))
      .node('Reshape', ['x', 'shape'], ['flat'], {}, 'reshape')
      .node('MatMul', ['flat', 'W'], ['y'], {}, 'mm')
      .output('y', 'float32', [2])
      .build({ opset: 13 }));
    const fed = await inspectJson([file, '--feed', 'shape=4']);
    assert.equal(fed.flopsPerSample, 16);
    assert.equal(fed.detectedPrecision, 'fp32');
    assert.equal(fed.parameterCount, 8);
    await assert.rejects(inspectJson([file, '--feed', 'nope=1']), /no input "nope"/);
    await assert.rejects(inspectJson([file, '--feed', 'shape=four']), /--feed shape=four: expected a number/);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
