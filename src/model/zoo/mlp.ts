// The zoo's multilayer perceptron: four 1024-wide Gemm+Relu layers and a 10-class head (≈17 MB of float32 weights).
import { GraphBuilder } from '../../onnx/builder.js';
import type { ZooModel } from './types.js';
import { normalWeights } from './weights.js';

const inputWidth = 1024;
const hiddenWidth = 1024;
const hiddenLayerCount = 4;
const classCount = 10;
const description = 'Multilayer perceptron: 4 × (Gemm 1024→1024 + Relu), Gemm → 10 classes; float32, ≈4.2 M parameters.';

// Gemm with B stored [out, in] (transB=1), the layout PyTorch's Linear exports.
function linear(g: GraphBuilder, name: string, input: string, output: string, inWidth: number, outWidth: number, weightStd: number): void {
  g.initializer(`${name}.weight`, [outWidth, inWidth], normalWeights(`${name}.weight`, outWidth * inWidth, weightStd));
  g.initializer(`${name}.bias`, [outWidth], normalWeights(`${name}.bias`, outWidth, 0.01));
  g.node('Gemm', [input, `${name}.weight`, `${name}.bias`], [output], { transB: 1 }, name);
}

function build(): Uint8Array {
  const g = new GraphBuilder('joulebench_mlp');
  g.input('x', 'float32', ['N', inputWidth]);
  let previous = 'x';
  let previousWidth = inputWidth;
  for (let layer = 0; layer < hiddenLayerCount; layer++) {
    // He initialisation keeps the activation variance steady through Relu layers.
    linear(g, `fc${layer}`, previous, `fc${layer}.out`, previousWidth, hiddenWidth, Math.sqrt(2 / previousWidth));
    g.node('Relu', [`fc${layer}.out`], [`relu${layer}.out`], {}, `relu${layer}`);
    previous = `relu${layer}.out`;
    previousWidth = hiddenWidth;
  }
  linear(g, 'head', previous, 'logits', previousWidth, classCount, Math.sqrt(1 / previousWidth));
  g.output('logits', 'float32', ['N', classCount]);
  return g.build({ opset: 17, irVersion: 8, docString: description });
}

/** A dense, compute-bound network: input `x` [N, 1024] → `logits` [N, 10]. */
export const mlp: ZooModel = {
  name: 'mlp',
  description,
  inputs: { x: { elemType: 'float32', dims: ['N', inputWidth] } },
  build,
};
