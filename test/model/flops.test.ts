import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveBatchLayout } from '../../src/onnx/batch-axis.js';
import { estimateFlops } from '../../src/model/flops.js';
import { describeModel } from '../../src/model/inspect.js';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { zoo } from '../../src/model/zoo/index.js';

const flopsOf = (bytes: Uint8Array) => estimateFlops(bytes, 'm.onnx', resolveBatchLayout(describeModel(bytes, 'm.onnx'), {}, { shape: (i) => i }));

test('mlp: 2 × (4 × 1024 × 1024 + 1024 × 10) = 8,409,088 FLOPs per sample', async () => {
  assert.deepEqual(await flopsOf(zoo.mlp.build()), { perSample: 8_409_088, byOp: { Gemm: 8_409_088 } });
});

test('Conv: 2 × output elements × (C_in/group × kernel) from the shapes of one real run; a MatMul of two activations counts too', async () => {
  // x [N,2,8,8] → Conv 3×3, 4 filters, stride 2, pad 1 → [N,4,4,4]: 2 × 64 × (2 × 9) = 2,304.
  const conv = new GraphBuilder('g')
    .input('x', 'float32', ['N', 2, 8, 8])
    .initializer('w', [4, 2, 3, 3], new Float32Array(72).fill(0.1))
    .node('Conv', ['x', 'w'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })
    .output('y', 'float32', ['N', 4, 4, 4])
    .build();
  assert.deepEqual(await flopsOf(conv), { perSample: 2304, byOp: { Conv: 2304 } });
  // [N,5,6] × [N,6,7] → [N,5,7]: 2 × 35 × 6 = 420.
  const matmul = new GraphBuilder('g').input('a', 'float32', ['N', 5, 6]).input('b', 'float32', ['N', 6, 7]).node('MatMul', ['a', 'b'], ['y']).output('y', 'float32', ['N', 5, 7]).build();
  assert.deepEqual(await flopsOf(matmul), { perSample: 420, byOp: { MatMul: 420 } });
});

test('If: the larger branch is counted and said so; outer-scope values and weights reach the branch', async () => {
  const { decodeModel, encodeModel, AttributeType } = await import('../../src/onnx/proto.js');
  // then: x[1,4] × W1[4,8] → 2 × 8 × 4 = 64 FLOPs; else: x × W2[4,2] → 2 × 2 × 4 = 16.
  const model = decodeModel(new GraphBuilder('g')
    .input('x', 'float32', [1, 4])
    .input('cond', 'bool', [])
    .initializer('W1', [4, 8], new Float32Array(32).fill(0.5))
    .initializer('W2', [4, 2], new Float32Array(8).fill(0.5))
    .node('Identity', ['x'], ['x_out'], {}, 'id')
    .output('x_out', 'float32', [1, 4])
    .build({ opset: 13 }), 'if.onnx');
  const branch = (name: string, weight: string) => ({
    name,
    node: [{ opType: 'MatMul', name: `${name}_mm`, input: ['x', weight], output: [`${name}_y`] }],
    output: [{ name: `${name}_y`, type: { tensorType: { elemType: 1 } } }],
  });
  model.graph!.node!.push({ opType: 'If', name: 'gate', input: ['cond'], output: ['y'], attribute: [
    { name: 'then_branch', type: AttributeType.GRAPH, g: branch('then', 'W1') },
    { name: 'else_branch', type: AttributeType.GRAPH, g: branch('else', 'W2') },
  ] });
  model.graph!.output!.push({ name: 'y', type: { tensorType: { elemType: 1 } } });
  assert.deepEqual(await flopsOf(encodeModel(model)), {
    perSample: 64,
    byOp: { MatMul: 64 },
    subgraphs: [{ node: 'gate', op: 'If', flops: 64, note: 'larger branch (then) counted; the other has 16.0 FLOP' }],
  });
});

test('Loop: one iteration of the body is counted, labelled per iteration', async () => {
  const { decodeModel, encodeModel, AttributeType } = await import('../../src/onnx/proto.js');
  // Body: v[1,4] × W[4,4] → 2 × 4 × 4 = 32 FLOPs per iteration; the main graph's MatMul x × W adds 32 more.
  const model = decodeModel(new GraphBuilder('g')
    .input('x', 'float32', [1, 4])
    .initializer('W', [4, 4], new Float32Array(16).fill(0.25))
    .initializer('trips', [], BigInt64Array.from([3n]))
    .initializer('go', [], Uint8Array.from([1]), 'bool')
    .node('MatMul', ['x', 'W'], ['h'], {}, 'mm')
    .output('h', 'float32', [1, 4])
    .build({ opset: 13 }), 'loop.onnx');
  const scalar = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType, shape: { dim: [] } } } });
  const body = {
    name: 'body',
    input: [scalar('i', 7), scalar('c_in', 9), { name: 'v_in', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } } }],
    node: [
      { opType: 'Identity', name: 'keep_going', input: ['c_in'], output: ['c_out'] },
      { opType: 'MatMul', name: 'step', input: ['v_in', 'W'], output: ['v_out'] },
    ],
    output: [scalar('c_out', 9), { name: 'v_out', type: { tensorType: { elemType: 1 } } }],
  };
  model.graph!.node!.push({ opType: 'Loop', name: 'repeat', input: ['trips', 'go', 'h'], output: ['v_final'], attribute: [{ name: 'body', type: AttributeType.GRAPH, g: body }] });
  model.graph!.output!.push({ name: 'v_final', type: { tensorType: { elemType: 1 } } });
  assert.deepEqual(await flopsOf(encodeModel(model)), {
    perSample: 64,
    byOp: { MatMul: 64 },
    subgraphs: [{ node: 'repeat', op: 'Loop', flops: 32, note: 'one iteration (per iteration)' }],
  });
});

test('LSTM: steps × batch × directions × 4H × (input + H) MACs', async () => {
  // X [2 steps, 1, 3], hidden 2: W [1, 8, 3], R [1, 8, 2] → 2 × 1 × 1 × 8 × (3 + 2) = 80 MACs = 160 FLOPs.
  const lstm = new GraphBuilder('g')
    .input('x', 'float32', [2, 'N', 3])
    .initializer('W', [1, 8, 3], new Float32Array(24).fill(0.1))
    .initializer('R', [1, 8, 2], new Float32Array(16).fill(0.1))
    .node('LSTM', ['x', 'W', 'R'], ['y'], { hidden_size: 2 }, 'lstm')
    .output('y', 'float32', [2, 1, 'N', 2])
    .build({ opset: 13 });
  assert.deepEqual(await flopsOf(lstm), { perSample: 160, byOp: { LSTM: 160 } });
});
