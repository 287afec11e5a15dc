import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveBatchLayout } from '../../src/model/batch-axis.js';
import { estimateFlops } from '../../src/model/flops.js';
import { describeModel } from '../../src/model/inspect.js';
import { GraphBuilder } from '../../src/model/onnx-builder.js';
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
