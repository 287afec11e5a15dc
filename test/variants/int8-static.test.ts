// @integration — imports src/variants/int8-static.ts, which loads onnxruntime-node when imported (no session is created)
// int8-static.ts's graph-only helper foldBatchNorms, by hand on tiny Conv → BatchNormalization graphs (no session is run):
// the folded weight and bias, the fresh names, and every case it must leave alone. Calibration and the QDQ graph are
// covered by test/variants/int8.test.ts and subgraphs.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attr, GraphBuilder } from '../../src/onnx/builder.js';
import { decodeModel, readFloats, type Graph } from '../../src/onnx/proto.js';
import { defaultInt8StaticOptions, foldBatchNorms } from '../../src/variants/int8-static.js';

// x[1,1,2,2] → Conv(W [2,1,1,1] = [2, −1], B = [1, 0.5]) → c → BatchNormalization(γ [3, 2], β [0.5, −1], mean [1, 2],
// var [3.5, 0.5], ε 0.5) → y. Factors γ/√(var+ε): 3/√4 = 1.5 and 2/√1 = 2.
function convBn(options: { convBias?: boolean; epsilon?: number; extraReader?: boolean; bnOutputs?: string[]; meanAsInput?: boolean } = {}): Graph {
  const builder = new GraphBuilder('g').input('x', 'float32', [1, 1, 2, 2]);
  if (options.meanAsInput) builder.input('mean', 'float32', [2]);
  builder
    .initializer('W', [2, 1, 1, 1], Float32Array.from([2, -1]))
    .initializer('gamma', [2], Float32Array.from([3, 2]))
    .initializer('beta', [2], Float32Array.from([0.5, -1]))
    .initializer('var', [2], Float32Array.from([3.5, 0.5]));
  if (!options.meanAsInput) builder.initializer('mean', [2], Float32Array.from([1, 2]));
  if (options.convBias !== false) builder.initializer('B', [2], Float32Array.from([1, 0.5]));
  builder.node('Conv', options.convBias === false ? ['x', 'W'] : ['x', 'W', 'B'], ['c'], {}, 'conv');
  builder.node('BatchNormalization', ['c', 'gamma', 'beta', 'mean', 'var'], options.bnOutputs ?? ['y'], { epsilon: attr.float(options.epsilon ?? 0.5) }, 'bn');
  builder.output('y', 'float32', [1, 2, 2, 2]);
  if (options.extraReader) builder.node('Relu', ['c'], ['r'], {}, 'relu').output('r', 'float32', [1, 2, 2, 2]);
  return decodeModel(builder.build(), 'g.onnx').graph!;
}

const initializer = (graph: Graph, name: string) => graph.initializer!.find((t) => t.name === name);

describe('foldBatchNorms', () => {
  it('folds γ/√(var+ε) into the weight and (b − mean)·factor + β into the bias', () => {
    const graph = convBn();
    assert.equal(foldBatchNorms(graph), 1);
    assert.deepEqual(graph.node!.map((n) => [n.opType, n.input, n.output]), [['Conv', ['x', 'W_bn_folded', 'conv_bias_bn_folded'], ['y']]]);
    // W: [2 × 1.5, −1 × 2] = [3, −2]; B: [(1 − 1) × 1.5 + 0.5, (0.5 − 2) × 2 − 1] = [0.5, −4].
    assert.deepEqual(Array.from(readFloats(initializer(graph, 'W_bn_folded')!)), [3, -2]);
    assert.deepEqual(initializer(graph, 'W_bn_folded')!.dims!.map(Number), [2, 1, 1, 1]);
    assert.deepEqual(Array.from(readFloats(initializer(graph, 'conv_bias_bn_folded')!)), [0.5, -4]);
  });

  it('a Conv without a bias starts from 0: B = −mean·factor + β', () => {
    const graph = convBn({ convBias: false });
    assert.equal(foldBatchNorms(graph), 1);
    // [−1 × 1.5 + 0.5, −2 × 2 − 1] = [−1, −5].
    assert.deepEqual(Array.from(readFloats(initializer(graph, 'conv_bias_bn_folded')!)), [-1, -5]);
  });

  it('the parameters nothing reads any more are dropped', () => {
    const graph = convBn();
    foldBatchNorms(graph);
    assert.deepEqual(graph.initializer!.map((t) => t.name).sort(), ['W_bn_folded', 'conv_bias_bn_folded']);
  });

  it('ε defaults to 1e-5 when the node has none', () => {
    const graph = convBn({ epsilon: 0 });
    // Drop the attribute to stand for a node written without one.
    graph.node!.find((n) => n.opType === 'BatchNormalization')!.attribute = [];
    foldBatchNorms(graph);
    // Channel 1: factor 2/√(0.5 + 1e-5); the float32 of 2 × (−1) × that.
    assert.equal(readFloats(initializer(graph, 'W_bn_folded')!)[1], Math.fround(-2 / Math.sqrt(0.5 + 1e-5)));
  });

  it('a fresh name when the folded name is taken', () => {
    const graph = convBn();
    graph.initializer!.push({ ...initializer(graph, 'gamma')!, name: 'W_bn_folded' });
    graph.node!.push({ opType: 'Identity', input: ['W_bn_folded'], output: ['keep'], name: 'id' });
    foldBatchNorms(graph);
    const conv = graph.node!.find((n) => n.opType === 'Conv')!;
    assert.notEqual(conv.input![1], 'W_bn_folded');
    assert.match(conv.input![1]!, /^W_bn_folded/);
  });

  it('left alone: the Conv output read by another node too, non-constant parameters, a training-mode BatchNormalization', () => {
    for (const options of [{ extraReader: true }, { meanAsInput: true }, { bnOutputs: ['y', 'runningMean', 'runningVar'] }]) {
      const graph = convBn(options);
      const before = graph.node!.map((n) => n.opType);
      assert.equal(foldBatchNorms(graph), 0, JSON.stringify(options));
      assert.deepEqual(graph.node!.map((n) => n.opType), before);
      assert.ok(initializer(graph, 'W'), 'the weight kept');
    }
  });

  it('a graph without BatchNormalization: 0, nothing changed', () => {
    const graph = decodeModel(new GraphBuilder('g').input('x', 'float32', [1]).node('Relu', ['x'], ['y']).output('y', 'float32', [1]).build(), 'g.onnx').graph!;
    assert.equal(foldBatchNorms(graph), 0);
    assert.equal(graph.node!.length, 1);
  });
});

describe('defaultInt8StaticOptions', () => {
  it('MinMax, 99.99th percentile when asked, per-channel weights, nothing kept in FP32', () => {
    assert.deepEqual(defaultInt8StaticOptions, { method: 'minmax', percentile: 99.99, perChannel: true, keepFp32: [] });
  });
});
