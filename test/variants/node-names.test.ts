// Names for unnamed nodes, beyond test/variants/mixed-precision.test.ts (which covers <op>_<index>, a taken node
// name and repeatability): a node without an op type, names taken by tensors or by subgraphs, named nodes left alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Graph, Node } from '../../src/onnx/proto.js';
import { nameUnnamedNodes } from '../../src/variants/node-names.js';

const node = (opType: string, name: string, input: string[] = [], output: string[] = []): Node => ({ opType, name, input, output });

test('a graph without nodes, or with every node named, gets no names', () => {
  assert.equal(nameUnnamedNodes({}), 0);
  const graph: Graph = { node: [node('Relu', 'a'), node('Relu', 'b')] };
  assert.equal(nameUnnamedNodes(graph), 0);
  assert.deepEqual(graph.node!.map((n) => n.name), ['a', 'b']);
});

test('the index is the node\'s position among all nodes, named or not; a node without an op type is node_<index>', () => {
  const graph: Graph = { node: [node('Relu', 'first'), { name: '' }, node('Add', '')] };
  assert.equal(nameUnnamedNodes(graph), 2);
  assert.deepEqual(graph.node!.map((n) => n.name), ['first', 'node_1', 'Add_2']);
});

test('a name taken by a tensor (input, output, initializer, value_info, an edge) gets a suffix', () => {
  const graph: Graph = {
    input: [{ name: 'Relu_0' }],
    initializer: [{ name: 'Mul_1' }],
    valueInfo: [{ name: 'Add_2' }],
    output: [{ name: 'Neg_3' }],
    node: [node('Relu', '', ['Relu_0'], ['r']), node('Mul', '', ['r', 'Mul_1'], ['Sub_4']), node('Add', '', ['Sub_4'], ['Add_2']), node('Neg', '', ['Add_2'], ['Neg_3']), node('Sub', '', ['Neg_3'], ['z'])],
  };
  assert.equal(nameUnnamedNodes(graph), 5);
  assert.deepEqual(graph.node!.map((n) => n.name), ['Relu_0_1', 'Mul_1_1', 'Add_2_1', 'Neg_3_1', 'Sub_4_1']);
});

test('names used inside a subgraph are taken too; the subgraph\'s own unnamed nodes are left alone', () => {
  const body: Graph = { node: [node('Relu', 'If_0'), node('Neg', '')] };
  const graph: Graph = { node: [{ opType: 'If', name: '', input: ['c'], output: ['y'], attribute: [{ name: 'then_branch', g: body }, { name: 'else_branch', g: { node: [] } }] }] };
  assert.equal(nameUnnamedNodes(graph), 1);
  assert.equal(graph.node![0]!.name, 'If_0_1');
  assert.deepEqual(body.node!.map((n) => n.name), ['If_0', '']);
});
