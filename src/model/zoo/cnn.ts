// The zoo's convolutional network: a small ResNet-style classifier over 64×64 RGB images.
import { attr, GraphBuilder } from '../../onnx/builder.js';
import type { ZooModel } from './types.js';
import { normalWeights, uniformWeights } from './weights.js';

const imageSize = 64;
const classCount = 10;
const description =
  'Small ResNet: Conv 3→32 + BN + Relu, MaxPool 2, residual block 32→32, residual block 32→64 (stride 2, 1×1 projection), ' +
  'GlobalAveragePool, Gemm → 10 classes; float32.';

// Conv without bias (the BatchNormalization after it has one), He-initialised, "same" padding for odd kernels.
function conv(g: GraphBuilder, name: string, input: string, output: string, inChannels: number, outChannels: number, kernel: number, stride: number): void {
  const weightStd = Math.sqrt(2 / (inChannels * kernel * kernel));
  const count = outChannels * inChannels * kernel * kernel;
  g.initializer(`${name}.weight`, [outChannels, inChannels, kernel, kernel], normalWeights(`${name}.weight`, count, weightStd));
  const pad = Math.floor(kernel / 2);
  g.node('Conv', [input, `${name}.weight`], [output], { kernel_shape: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad] }, name);
}

// Inference-mode BatchNormalization with plausible trained statistics: scale ≈ 1, small shifts, variance around 1.
function batchNorm(g: GraphBuilder, name: string, input: string, output: string, channels: number): void {
  g.initializer(`${name}.scale`, [channels], uniformWeights(`${name}.scale`, channels, 0.8, 1.2));
  g.initializer(`${name}.bias`, [channels], normalWeights(`${name}.bias`, channels, 0.05));
  g.initializer(`${name}.mean`, [channels], normalWeights(`${name}.mean`, channels, 0.1));
  g.initializer(`${name}.var`, [channels], uniformWeights(`${name}.var`, channels, 0.5, 1.5));
  g.node(
    'BatchNormalization',
    [input, `${name}.scale`, `${name}.bias`, `${name}.mean`, `${name}.var`],
    [output],
    { epsilon: attr.float(1e-5) },
    name,
  );
}

// Conv+BN+Relu+Conv+BN, plus the skip (a strided 1×1 Conv+BN when the shape changes), Add, Relu.
function residualBlock(g: GraphBuilder, name: string, input: string, output: string, inChannels: number, outChannels: number, stride: number): void {
  conv(g, `${name}.conv1`, input, `${name}.conv1.out`, inChannels, outChannels, 3, stride);
  batchNorm(g, `${name}.bn1`, `${name}.conv1.out`, `${name}.bn1.out`, outChannels);
  g.node('Relu', [`${name}.bn1.out`], [`${name}.relu1.out`], {}, `${name}.relu1`);
  conv(g, `${name}.conv2`, `${name}.relu1.out`, `${name}.conv2.out`, outChannels, outChannels, 3, 1);
  batchNorm(g, `${name}.bn2`, `${name}.conv2.out`, `${name}.bn2.out`, outChannels);
  let skip = input;
  if (stride !== 1 || inChannels !== outChannels) {
    conv(g, `${name}.downsample.conv`, input, `${name}.downsample.conv.out`, inChannels, outChannels, 1, stride);
    batchNorm(g, `${name}.downsample.bn`, `${name}.downsample.conv.out`, `${name}.downsample.out`, outChannels);
    skip = `${name}.downsample.out`;
  }
  g.node('Add', [`${name}.bn2.out`, skip], [`${name}.add.out`], {}, `${name}.add`);
  g.node('Relu', [`${name}.add.out`], [output], {}, `${name}.relu2`);
}

function build(): Uint8Array {
  const g = new GraphBuilder('joulebench_cnn');
  g.input('image', 'float32', ['N', 3, imageSize, imageSize]);
  conv(g, 'stem.conv', 'image', 'stem.conv.out', 3, 32, 3, 1);
  batchNorm(g, 'stem.bn', 'stem.conv.out', 'stem.bn.out', 32);
  g.node('Relu', ['stem.bn.out'], ['stem.relu.out'], {}, 'stem.relu');
  g.node('MaxPool', ['stem.relu.out'], ['stem.pool.out'], { kernel_shape: [2, 2], strides: [2, 2] }, 'stem.pool');
  residualBlock(g, 'block1', 'stem.pool.out', 'block1.out', 32, 32, 1);
  residualBlock(g, 'block2', 'block1.out', 'block2.out', 32, 64, 2);
  g.node('GlobalAveragePool', ['block2.out'], ['pool.out'], {}, 'pool');
  g.node('Flatten', ['pool.out'], ['flatten.out'], { axis: 1 }, 'flatten');
  g.initializer('head.weight', [classCount, 64], normalWeights('head.weight', classCount * 64, Math.sqrt(1 / 64)));
  g.initializer('head.bias', [classCount], normalWeights('head.bias', classCount, 0.01));
  g.node('Gemm', ['flatten.out', 'head.weight', 'head.bias'], ['logits'], { transB: 1 }, 'head');
  g.output('logits', 'float32', ['N', classCount]);
  return g.build({ opset: 17, irVersion: 8, docString: description });
}

/** A convolutional, memory-bandwidth-heavy network: input `image` [N, 3, 64, 64] → `logits` [N, 10]. */
export const cnn: ZooModel = {
  name: 'cnn',
  description,
  inputs: { image: { elemType: 'float32', dims: ['N', 3, imageSize, imageSize] } },
  build,
};
