// Weights wherever the exporter put them: `Constant` nodes become initializers and short constant chains feeding
// a weight (Constant → Transpose / Reshape / Cast / … → MatMul B) are folded into one initializer, in the main
// graph and in every If / Loop / Scan body. onnxruntime's quant_pre_process does the same with onnx's optimizer
// (constant folding) before quantizing; here only a small, exact set of ops is folded (no general evaluator):
// Identity, Cast (between float and integer types), Transpose, Reshape (constant shape), Squeeze / Unsqueeze
// (constant axes), Flatten. DequantizeLinear is never folded: it carries a model's own quantization.
import { toFloat16Bits } from '../onnx/float16.js';
import {
  attributeOf,
  constantInitializers,
  DataType,
  dimsOf,
  elementBytes,
  elementCount,
  floatTensor,
  intTensor,
  namesRead,
  readFloats,
  readInts,
  subgraphsOf,
  toNumber,
  type Graph,
  type Node,
  type Tensor,
} from '../onnx/proto.js';

/** What folding did. */
export interface FoldReport {
  /** Constant nodes turned into initializers. */
  constantsToInitializers: number;
  /** Identity / Cast / Transpose / Reshape / Squeeze / Unsqueeze / Flatten nodes folded away. */
  nodesFolded: number;
  /** Subgraphs visited (any depth). */
  subgraphs: number;
}

/** The op types folded when all their inputs are constants. */
export const foldableOps = ['Identity', 'Cast', 'Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten'] as const;

const floatTypes = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE]);
const intTypes = new Set<number>([DataType.INT64, DataType.INT32, DataType.INT8, DataType.UINT8]);

/** The tensor a Constant node holds (value, value_float(s), value_int(s)); null for sparse or string constants. */
export function constantNodeTensor(node: Node): Tensor | null {
  const name = (node.output ?? [])[0] ?? '';
  const attribute = (node.attribute ?? [])[0];
  if (!attribute || (node.attribute ?? []).length !== 1) return null;
  switch (attribute.name) {
    case 'value': {
      const t = attribute.t;
      if (!t || elementBytes(t.dataType ?? 0) === 0) return null;
      const bytes = tensorBytes(t);
      return bytes ? { name, dims: t.dims ?? [], dataType: t.dataType ?? 0, rawData: bytes } : null;
    }
    case 'value_float': return floatTensor(name, [], [attribute.f ?? 0]);
    case 'value_floats': return floatTensor(name, [(attribute.floats ?? []).length], attribute.floats ?? []);
    case 'value_int': return intTensor(name, [], [toNumber(attribute.i ?? 0)], DataType.INT64);
    case 'value_ints': return intTensor(name, [(attribute.ints ?? []).length], (attribute.ints ?? []).map(toNumber), DataType.INT64);
    default: return null;
  }
}

/** A fixed-size tensor's elements as little-endian bytes, from raw_data or the typed fields; null when it has none. */
export function tensorBytes(tensor: Tensor): Uint8Array | null {
  const type = tensor.dataType ?? 0;
  const size = elementBytes(type);
  const count = elementCount(tensor);
  if (size === 0) return null;
  const raw = tensor.rawData;
  if (raw && raw.length > 0) return raw.length === count * size ? raw : null;
  const out = new Uint8Array(count * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    switch (type) {
      case DataType.FLOAT: view.setFloat32(i * 4, (tensor.floatData ?? [])[i] ?? 0, true); break;
      case DataType.DOUBLE: view.setFloat64(i * 8, (tensor.doubleData ?? [])[i] ?? 0, true); break;
      case DataType.INT64: view.setBigInt64(i * 8, BigInt(toNumber((tensor.int64Data ?? [])[i] ?? 0)), true); break;
      case DataType.INT32: view.setInt32(i * 4, (tensor.int32Data ?? [])[i] ?? 0, true); break;
      case DataType.FLOAT16: view.setUint16(i * 2, (tensor.int32Data ?? [])[i] ?? 0, true); break;
      default: view.setUint8(i, (tensor.int32Data ?? [])[i] ?? 0);
    }
  }
  return out;
}

const withDims = (source: Tensor, name: string, dims: number[], bytes: Uint8Array): Tensor => ({ name, dims, dataType: source.dataType ?? 0, rawData: bytes });

function transposeBytes(source: Tensor, bytes: Uint8Array, perm: number[]): { dims: number[]; bytes: Uint8Array } {
  const dims = dimsOf(source);
  const size = elementBytes(source.dataType ?? 0);
  const outDims = perm.map((axis) => dims[axis]!);
  const inStrides = dims.map((_, axis) => dims.slice(axis + 1).reduce((p, d) => p * d, 1));
  const out = new Uint8Array(bytes.length);
  const count = elementCount(source);
  const index = new Array<number>(outDims.length).fill(0);
  for (let o = 0; o < count; o++) {
    let from = 0;
    for (let axis = 0; axis < perm.length; axis++) from += index[axis]! * inStrides[perm[axis]!]!;
    out.set(bytes.subarray(from * size, (from + 1) * size), o * size);
    for (let axis = outDims.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < outDims[axis]!) break;
      index[axis] = 0;
    }
  }
  return { dims: outDims, bytes: out };
}

function castTensor(source: Tensor, name: string, to: number): Tensor | null {
  const from = source.dataType ?? 0;
  const dims = dimsOf(source);
  if (from === to) return withDims(source, name, dims, tensorBytes(source) ?? new Uint8Array());
  const values: ArrayLike<number> | null = floatTypes.has(from) ? readFloats(source) : intTypes.has(from) ? readInts(source) : null;
  if (!values) return null;
  switch (to) {
    case DataType.FLOAT: return floatTensor(name, dims, values);
    case DataType.DOUBLE: return { name, dims, dataType: to, rawData: new Uint8Array(Float64Array.from(values).buffer) };
    case DataType.FLOAT16: return { name, dims, dataType: to, rawData: new Uint8Array(Uint16Array.from(Array.from(values), toFloat16Bits).buffer) };
    case DataType.INT32:
    case DataType.INT64: return intTensor(name, dims, Array.from(values, Math.trunc), to);
    default: return null;
  }
}

// Axes of Squeeze / Unsqueeze: the attribute (opset < 13) or the second input (opset 13+).
function axesOf(node: Node, lookup: (name: string) => Tensor | undefined): number[] | null | undefined {
  const attribute = attributeOf(node, 'axes');
  if (attribute) return (attribute.ints ?? []).map(toNumber);
  const name = (node.input ?? [])[1];
  if (!name) return undefined;
  const tensor = lookup(name);
  return tensor && intTypes.has(tensor.dataType ?? 0) ? readInts(tensor) : null;
}

/** The folded output of one node whose inputs are all constants, or null when the op or its inputs are not foldable. */
export function foldNode(node: Node, lookup: (name: string) => Tensor | undefined): Tensor | null {
  const inputs = node.input ?? [];
  const name = (node.output ?? [])[0] ?? '';
  const source = lookup(inputs[0] ?? '');
  if (!source) return null;
  const bytes = tensorBytes(source);
  if (!bytes) return null;
  const dims = dimsOf(source);
  switch (node.opType) {
    case 'Identity': return withDims(source, name, dims, bytes);
    case 'Cast': return castTensor(source, name, toNumber(attributeOf(node, 'to')?.i ?? 0));
    case 'Transpose': {
      const perm = attributeOf(node, 'perm')?.ints?.map(toNumber) ?? dims.map((_, axis) => dims.length - 1 - axis);
      if (perm.length !== dims.length) return null;
      const out = transposeBytes(source, bytes, perm);
      return withDims(source, name, out.dims, out.bytes);
    }
    case 'Reshape': {
      const shapeTensor = lookup(inputs[1] ?? '');
      if (!shapeTensor || shapeTensor.dataType !== DataType.INT64) return null;
      const allowZero = toNumber(attributeOf(node, 'allowzero')?.i ?? 0) === 1;
      const shape = readInts(shapeTensor).map((d, axis) => (d === 0 && !allowZero ? (dims[axis] ?? 0) : d));
      const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : elementCount(source) / known) : d));
      if (shape.filter((d) => d === -1).length > 1 || out.reduce((p, d) => p * d, 1) !== elementCount(source)) return null;
      return withDims(source, name, out, bytes);
    }
    case 'Unsqueeze': {
      const axes = axesOf(node, lookup);
      if (!axes) return null;
      const rank = dims.length + axes.length;
      const at = new Set(axes.map((axis) => (axis < 0 ? axis + rank : axis)));
      const out: number[] = [];
      let next = 0;
      for (let axis = 0; axis < rank; axis++) out.push(at.has(axis) ? 1 : dims[next++]!);
      return next === dims.length ? withDims(source, name, out, bytes) : null;
    }
    case 'Squeeze': {
      const axes = axesOf(node, lookup);
      if (axes === null) return null;
      const at = new Set((axes ?? dims.flatMap((d, axis) => (d === 1 ? [axis] : []))).map((axis) => (axis < 0 ? axis + dims.length : axis)));
      if ([...at].some((axis) => dims[axis] !== 1)) return null;
      return withDims(source, name, dims.filter((_, axis) => !at.has(axis)), bytes);
    }
    case 'Flatten': {
      const raw = toNumber(attributeOf(node, 'axis')?.i ?? 1);
      const axis = raw < 0 ? raw + dims.length : raw;
      const product = (list: number[]) => list.reduce((p, d) => p * d, 1);
      return withDims(source, name, [product(dims.slice(0, axis)), product(dims.slice(axis))], bytes);
    }
    default: return null;
  }
}

const isDefaultDomain = (node: Node) => !node.domain || node.domain === 'ai.onnx';

// Fold one graph, then its subgraphs (which see this graph's constants as outer-scope constants).
function foldGraph(graph: Graph, outer: ReadonlyMap<string, Tensor>, report: FoldReport, consumed: Set<string>): void {
  const local = constantInitializers(graph);
  const lookup = (name: string) => local.get(name) ?? outer.get(name);
  const graphOutputs = new Set((graph.output ?? []).map((output) => output.name ?? ''));
  const foldable = new Set<string>(foldableOps);
  const created: Tensor[] = [];
  const kept: Node[] = [];
  for (const node of graph.node ?? []) {
    const outputs = (node.output ?? []).filter(Boolean);
    const single = outputs.length === 1 && !graphOutputs.has(outputs[0]!) && isDefaultDomain(node);
    let tensor: Tensor | null = null;
    if (single && node.opType === 'Constant') {
      tensor = constantNodeTensor(node);
      if (tensor) report.constantsToInitializers++;
    } else if (single && foldable.has(node.opType ?? '') && (node.input ?? []).every((name) => !name || lookup(name))) {
      tensor = foldNode(node, lookup);
      if (tensor) {
        report.nodesFolded++;
        for (const name of node.input ?? []) if (name) consumed.add(name);
      }
    }
    if (tensor) {
      created.push(tensor);
      local.set(tensor.name ?? '', tensor);
    } else {
      kept.push(node);
    }
  }
  graph.node = kept;
  graph.initializer = [...(graph.initializer ?? []), ...created];
  const inner = new Map([...outer, ...local]);
  for (const node of kept) {
    for (const sub of subgraphsOf(node)) {
      report.subgraphs++;
      foldGraph(sub, inner, report, consumed);
    }
  }
  // Constants that only fed folded nodes are gone (here or in a subgraph that read them from this scope).
  const read = namesRead(graph);
  graph.initializer = graph.initializer.filter((tensor) => read.has(tensor.name ?? '') || !consumed.has(tensor.name ?? ''));
}

/** Fold the graph's constants into initializers in place (main graph and every subgraph). */
export function foldConstants(graph: Graph): FoldReport {
  const report: FoldReport = { constantsToInitializers: 0, nodesFolded: 0, subgraphs: 0 };
  foldGraph(graph, new Map(), report, new Set());
  return report;
}
