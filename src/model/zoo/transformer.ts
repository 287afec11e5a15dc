// The zoo's transformer: two pre-LayerNorm encoder layers over already-embedded tokens, in plain opset-17 ops.
import { attr, GraphBuilder } from '../../onnx/builder.js';
import type { ZooModel } from './types.js';
import { normalWeights } from './weights.js';

const sequenceLength = 128;
const hiddenWidth = 256;
const headCount = 4;
const headWidth = hiddenWidth / headCount;
const ffnWidth = 1024;
const layerCount = 2;
const description =
  'Transformer encoder: 2 pre-LayerNorm layers, hidden 256, 4 heads, FFN 1024 with erf GELU; ' +
  'input already embedded, seq 128; float32, ≈1.6 M parameters.';

// Shared constants. Reshape targets use 0 ("copy this dim") so batch and sequence stay dynamic.
function addConstants(g: GraphBuilder): void {
  g.initializer('const.split_heads_shape', [4], BigInt64Array.of(0n, 0n, BigInt(headCount), BigInt(headWidth)));
  g.initializer('const.merge_heads_shape', [3], BigInt64Array.of(0n, 0n, BigInt(hiddenWidth)));
  g.initializer('const.attention_scale', [], Float32Array.of(1 / Math.sqrt(headWidth)));
  g.initializer('const.sqrt2', [], Float32Array.of(Math.SQRT2));
  g.initializer('const.one', [], Float32Array.of(1));
  g.initializer('const.half', [], Float32Array.of(0.5));
}

// MatMul by a [in, out] weight plus a bias Add, Xavier-style initialised.
function linear(g: GraphBuilder, name: string, input: string, output: string, inWidth: number, outWidth: number): void {
  g.initializer(`${name}.weight`, [inWidth, outWidth], normalWeights(`${name}.weight`, inWidth * outWidth, Math.sqrt(1 / inWidth)));
  g.initializer(`${name}.bias`, [outWidth], normalWeights(`${name}.bias`, outWidth, 0.01));
  g.node('MatMul', [input, `${name}.weight`], [`${name}.matmul.out`], {}, `${name}.matmul`);
  g.node('Add', [`${name}.matmul.out`, `${name}.bias`], [output], {}, `${name}.add`);
}

function layerNorm(g: GraphBuilder, name: string, input: string, output: string): void {
  g.initializer(`${name}.scale`, [hiddenWidth], normalWeights(`${name}.scale`, hiddenWidth, 0.02, 1));
  g.initializer(`${name}.bias`, [hiddenWidth], normalWeights(`${name}.bias`, hiddenWidth, 0.02));
  g.node('LayerNormalization', [input, `${name}.scale`, `${name}.bias`], [output], { axis: -1, epsilon: attr.float(1e-5) }, name);
}

// [N, S, 256] → [N, S, 4, 64] → [N, 4, S, 64] (or [N, 4, 64, S] for keys, so Q·Kᵀ is a plain MatMul).
function splitHeads(g: GraphBuilder, name: string, input: string, output: string, perm: number[]): void {
  g.node('Reshape', [input, 'const.split_heads_shape'], [`${name}.reshape.out`], {}, `${name}.reshape`);
  g.node('Transpose', [`${name}.reshape.out`], [output], { perm }, `${name}.transpose`);
}

function selfAttention(g: GraphBuilder, name: string, input: string, output: string): void {
  linear(g, `${name}.q`, input, `${name}.q.out`, hiddenWidth, hiddenWidth);
  linear(g, `${name}.k`, input, `${name}.k.out`, hiddenWidth, hiddenWidth);
  linear(g, `${name}.v`, input, `${name}.v.out`, hiddenWidth, hiddenWidth);
  splitHeads(g, `${name}.q_heads`, `${name}.q.out`, `${name}.q_heads.out`, [0, 2, 1, 3]);
  splitHeads(g, `${name}.k_heads`, `${name}.k.out`, `${name}.k_heads.out`, [0, 2, 3, 1]);
  splitHeads(g, `${name}.v_heads`, `${name}.v.out`, `${name}.v_heads.out`, [0, 2, 1, 3]);
  g.node('MatMul', [`${name}.q_heads.out`, `${name}.k_heads.out`], [`${name}.scores.out`], {}, `${name}.scores`);
  g.node('Mul', [`${name}.scores.out`, 'const.attention_scale'], [`${name}.scaled.out`], {}, `${name}.scale`);
  g.node('Softmax', [`${name}.scaled.out`], [`${name}.probs.out`], { axis: -1 }, `${name}.softmax`);
  g.node('MatMul', [`${name}.probs.out`, `${name}.v_heads.out`], [`${name}.context.out`], {}, `${name}.context`);
  g.node('Transpose', [`${name}.context.out`], [`${name}.merge.transpose.out`], { perm: [0, 2, 1, 3] }, `${name}.merge.transpose`);
  g.node('Reshape', [`${name}.merge.transpose.out`, 'const.merge_heads_shape'], [`${name}.merge.out`], {}, `${name}.merge.reshape`);
  linear(g, `${name}.out`, `${name}.merge.out`, output, hiddenWidth, hiddenWidth);
}

// GELU as 0.5·x·(1 + erf(x/√2)): the Gelu op only exists from opset 20.
function gelu(g: GraphBuilder, name: string, input: string, output: string): void {
  g.node('Div', [input, 'const.sqrt2'], [`${name}.div.out`], {}, `${name}.div`);
  g.node('Erf', [`${name}.div.out`], [`${name}.erf.out`], {}, `${name}.erf`);
  g.node('Add', [`${name}.erf.out`, 'const.one'], [`${name}.add.out`], {}, `${name}.add`);
  g.node('Mul', [input, 'const.half'], [`${name}.half.out`], {}, `${name}.half`);
  g.node('Mul', [`${name}.half.out`, `${name}.add.out`], [output], {}, `${name}.mul`);
}

function encoderLayer(g: GraphBuilder, name: string, input: string, output: string): void {
  layerNorm(g, `${name}.ln1`, input, `${name}.ln1.out`);
  selfAttention(g, `${name}.attn`, `${name}.ln1.out`, `${name}.attn.out`);
  g.node('Add', [input, `${name}.attn.out`], [`${name}.residual1.out`], {}, `${name}.residual1`);
  layerNorm(g, `${name}.ln2`, `${name}.residual1.out`, `${name}.ln2.out`);
  linear(g, `${name}.ffn1`, `${name}.ln2.out`, `${name}.ffn1.out`, hiddenWidth, ffnWidth);
  gelu(g, `${name}.gelu`, `${name}.ffn1.out`, `${name}.gelu.out`);
  linear(g, `${name}.ffn2`, `${name}.gelu.out`, `${name}.ffn2.out`, ffnWidth, hiddenWidth);
  g.node('Add', [`${name}.residual1.out`, `${name}.ffn2.out`], [output], {}, `${name}.residual2`);
}

function build(): Uint8Array {
  const g = new GraphBuilder('joulebench_transformer');
  g.input('x', 'float32', ['N', sequenceLength, hiddenWidth]);
  addConstants(g);
  let previous = 'x';
  for (let layer = 0; layer < layerCount; layer++) {
    const output = layer === layerCount - 1 ? 'hidden' : `layer${layer}.out`;
    encoderLayer(g, `layer${layer}`, previous, output);
    previous = output;
  }
  g.output('hidden', 'float32', ['N', sequenceLength, hiddenWidth]);
  return g.build({ opset: 17, irVersion: 8, docString: description });
}

/** An attention network: input `x` [N, 128, 256] (embedded tokens) → `hidden` [N, 128, 256]. */
export const transformer: ZooModel = {
  name: 'transformer',
  description,
  inputs: { x: { elemType: 'float32', dims: ['N', sequenceLength, hiddenWidth] } },
  build,
};
