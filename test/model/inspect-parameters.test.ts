import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeModel } from '../../src/model/inspect.js';
import { attr, GraphBuilder } from '../../src/onnx/builder.js';
import { AttributeType, decodeModel, encodeModel } from '../../src/onnx/proto.js';

test('parameters count Constant-node weights (as Paddle writes them) and subgraph weights', () => {
  // 6 initializer elements, a Constant [2,3] (6) and a Constant value_floats of 2; an If branch with a 4-element
  // initializer and a Constant of 3.
  const model = decodeModel(new GraphBuilder('g')
    .input('x', 'float32', [1, 3])
    .input('cond', 'bool', [])
    .initializer('w', [3, 2], new Float32Array(6).fill(1))
    .node('Constant', [], ['c'], { value: attr.tensor([2, 3], new Float32Array(6).fill(2)) }, 'const')
    .node('Constant', [], ['f'], { value_floats: attr.floats([1, 2]) }, 'floats')
    .node('MatMul', ['x', 'w'], ['h'], {}, 'mm')
    .output('h', 'float32', [1, 2])
    .build({ opset: 13 }), 'm.onnx');
  const branch = (name: string) => ({
    name,
    initializer: [{ name: `${name}_w`, dims: [4], dataType: 1, rawData: new Uint8Array(16) }],
    node: [{ opType: 'Constant', name: `${name}_c`, output: [`${name}_k`], attribute: [{ name: 'value', type: AttributeType.TENSOR, t: { dims: [3], dataType: 1, rawData: new Uint8Array(12) } }] }],
    output: [{ name: `${name}_w`, type: { tensorType: { elemType: 1 } } }],
  });
  model.graph!.node!.push({ opType: 'If', name: 'if', input: ['cond'], output: ['y'], attribute: [
    { name: 'then_branch', type: AttributeType.GRAPH, g: branch('then') },
    { name: 'else_branch', type: AttributeType.GRAPH, g: branch('else') },
  ] });
  const info = describeModel(encodeModel(model), 'm.onnx');
  assert.deepEqual(info.parametersIn, { initializers: 6, constantNodes: 8, subgraphs: 14 });
  assert.equal(info.parameterCount, 28);
  // 6·4 + 6·4 + 2·4 + 2 × (4·4 + 3·4)
  assert.equal(info.parameterBytes, 24 + 24 + 8 + 56);
  assert.equal(info.detectedPrecision, 'fp32');
});
