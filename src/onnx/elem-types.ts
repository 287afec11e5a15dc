// Element types of every tensor of a graph: what the converters need to know which edges carry floats.
// Declared types (inputs, initializers, value_info, outputs) win; otherwise a per-op rule, else "like input 0".
import { attributeOf, DataType, toNumber, type Graph, type Node, type ValueInfo } from './proto.js';

const boolOps = new Set(['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not', 'IsNaN', 'IsInf']);
const int64Ops = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin']);

// A declared tensor's element type; 0 for a declared sequence / optional / map (not a tensor: never float).
function declaredType(info: ValueInfo): number | undefined {
  if (info.type && !info.type.tensorType && (info.type.sequenceType || info.type.optionalType || info.type.mapType)) return 0;
  const type = info.type?.tensorType?.elemType;
  return type ? type : undefined;
}

// Ops whose output is a sequence or an optional: its element type is not a tensor type.
const containerOutputOps = new Set(['SequenceConstruct', 'SequenceEmpty', 'SequenceInsert', 'SequenceErase', 'SplitToSequence', 'Optional']);

function subgraphOutputTypes(node: Node, attributeName: string, skip: number): Array<number | undefined> {
  const graph = attributeOf(node, attributeName)?.g;
  return (graph?.output ?? []).slice(skip).map(declaredType);
}

// Output types of one node given a lookup for its input types.
function outputTypes(node: Node, typeOf: (name: string) => number | undefined): Array<number | undefined> {
  const inputs = node.input ?? [];
  const input = (index: number) => (inputs[index] ? typeOf(inputs[index]) : undefined);
  const dtypeAttribute = (fallback: number | undefined) => {
    const attribute = attributeOf(node, 'dtype');
    return attribute ? toNumber(attribute.i ?? 0) : fallback;
  };
  const op = node.opType ?? '';
  if (node.domain && node.domain !== 'ai.onnx') return (node.output ?? []).map(() => input(0));
  if (boolOps.has(op)) return [DataType.BOOL];
  if (containerOutputOps.has(op)) return (node.output ?? []).map(() => 0);
  if (int64Ops.has(op)) return [DataType.INT64];
  switch (op) {
    case 'Constant': {
      const value = (node.attribute ?? [])[0];
      if (!value) return [undefined];
      if (value.t) return [value.t.dataType ?? undefined];
      if (value.name === 'value_float' || value.name === 'value_floats') return [DataType.FLOAT];
      if (value.name === 'value_int' || value.name === 'value_ints') return [DataType.INT64];
      return [undefined];
    }
    case 'Cast': return [toNumber(attributeOf(node, 'to')?.i ?? 0)];
    case 'CastLike': return [input(1)];
    case 'ConstantOfShape': return [attributeOf(node, 'value')?.t?.dataType ?? DataType.FLOAT];
    case 'TopK': return [input(0), DataType.INT64];
    case 'MaxPool': return [input(0), DataType.INT64];
    case 'Dropout': return [input(0), DataType.BOOL];
    case 'Unique': return [input(0), DataType.INT64, DataType.INT64, DataType.INT64];
    case 'DynamicQuantizeLinear': return [DataType.UINT8, DataType.FLOAT, DataType.UINT8];
    case 'QuantizeLinear': {
      const outputDtype = attributeOf(node, 'output_dtype');
      return [outputDtype ? toNumber(outputDtype.i ?? 0) : (input(2) ?? DataType.UINT8)];
    }
    case 'DequantizeLinear': return [input(1) ?? DataType.FLOAT];
    case 'MatMulInteger':
    case 'ConvInteger': return [DataType.INT32];
    case 'QLinearConv':
    case 'QLinearMatMul': return [input(7)];
    case 'Where': return [input(1)];
    case 'OneHot': return [input(2)];
    case 'RandomNormal':
    case 'RandomUniform': return [dtypeAttribute(DataType.FLOAT)];
    case 'RandomNormalLike':
    case 'RandomUniformLike':
    case 'EyeLike': return [dtypeAttribute(input(0))];
    case 'Multinomial': return [dtypeAttribute(DataType.INT32)];
    case 'LayerNormalization': {
      const stash = attributeOf(node, 'stash_type');
      const stashType = stash ? toNumber(stash.i ?? 0) : DataType.FLOAT;
      return [input(0), stashType, stashType];
    }
    case 'If': return subgraphOutputTypes(node, 'then_branch', 0);
    case 'Loop': return subgraphOutputTypes(node, 'body', 1);
    case 'Scan': return subgraphOutputTypes(node, 'body', 0);
    default: return (node.output ?? []).map(() => input(0));
  }
}

/**
 * Element type (TensorProto.DataType) of every named tensor of the graph, as far as it can be told. For a subgraph,
 * `outer` holds the types of the enclosing scopes' names (what it reads from outside); they are in the result too.
 */
export function inferElemTypes(graph: Graph, outer: ReadonlyMap<string, number> = new Map()): Map<string, number> {
  const types = new Map<string, number>(outer);
  const declared = new Map<string, number>();
  for (const list of [graph.input, graph.valueInfo, graph.output]) {
    for (const info of list ?? []) {
      const type = declaredType(info);
      if (type !== undefined) declared.set(info.name ?? '', type);
    }
  }
  for (const tensor of graph.initializer ?? []) if (tensor.dataType) declared.set(tensor.name ?? '', tensor.dataType);
  for (const [name, type] of declared) types.set(name, type);
  const typeOf = (name: string) => types.get(name);
  for (const node of graph.node ?? []) {
    const inferred = outputTypes(node, typeOf);
    (node.output ?? []).forEach((name, index) => {
      if (!name || declared.has(name)) return;
      const type = inferred[index];
      if (type !== undefined && type !== 0) types.set(name, type);
    });
  }
  return types;
}
