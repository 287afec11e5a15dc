// ModelProto plumbing shared by the precision converters: decode/encode, tensor data in and out, fresh names.
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { ModelError } from '../errors.js';
import { fromFloat16Bits } from './float16.js';

const { onnx } = onnxProto;

/** TensorProto.DataType codes the converters deal with. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

/** Model, graph, node, tensor and value-info types of onnx-proto. */
export type Model = proto.IModelProto;
export type Graph = proto.IGraphProto;
export type Node = proto.INodeProto;
export type Tensor = proto.ITensorProto;
export type ValueInfo = proto.IValueInfoProto;
export type Attribute = proto.IAttributeProto;

export const AttributeType = onnx.AttributeProto.AttributeType;

// protobufjs decodes int64 fields as Long objects or numbers.
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value !== null && typeof value === 'object' && 'toNumber' in value) return (value as { toNumber(): number }).toNumber();
  return Number(value);
}

/** Decode a model; the tensors' raw bytes are views into `bytes` (no copy). */
export function decodeModel(bytes: Uint8Array, file: string): Model {
  try {
    const model = onnx.ModelProto.decode(bytes);
    if (!model.graph) throw new Error('no graph');
    return model;
  } catch (error) {
    throw new ModelError('MODEL_NOT_ONNX', `${file}: not an ONNX model (${(error as Error).message})`, { cause: error });
  }
}

/** Encode a model; the same object gives the same bytes every time. */
export function encodeModel(model: Model): Uint8Array {
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}

/** The opset version of the default domain. */
export function defaultOpset(model: Model): number {
  const entry = (model.opsetImport ?? []).find((opset) => !opset.domain || opset.domain === 'ai.onnx');
  return entry ? toNumber(entry.version ?? 0) : 0;
}

/**
 * Bring external-data tensors into the model (variants are written as one self-contained file). `location` must
 * stay inside the model's folder: absolute paths, `..` and symlinks out of it are refused.
 */
export function inlineExternalData(model: Model, modelFile: string): void {
  const folder = path.dirname(path.resolve(modelFile));
  const cache = new Map<string, Buffer>();
  // Initializers of every graph: If / Loop / Scan bodies may keep their weights as external data too.
  const tensors: Tensor[] = [];
  const collect = (graph: Graph) => {
    tensors.push(...(graph.initializer ?? []));
    for (const node of graph.node ?? []) for (const sub of subgraphsOf(node)) collect(sub);
  };
  if (model.graph) collect(model.graph);
  for (const tensor of tensors) {
    if (tensor.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const entries = new Map((tensor.externalData ?? []).map((entry) => [entry.key ?? '', entry.value ?? '']));
    const location = entries.get('location') ?? '';
    const resolved = path.resolve(folder, location);
    if (!location || path.isAbsolute(location) || location.split(/[\\/]/).includes('..') || !resolved.startsWith(folder + path.sep)) {
      throw new ModelError('MODEL_EXTERNAL_DATA_LOCATION', `${modelFile}: tensor "${tensor.name}" keeps its data at "${location}", outside the model's folder`, {
        hint: 'external data must sit next to the model (a relative path without ..)',
      });
    }
    let data = cache.get(resolved);
    if (!data) {
      let real: string;
      let realFolder: string;
      try {
        real = realpathSync(resolved);
        realFolder = realpathSync(folder);
      } catch (error) {
        throw new ModelError('MODEL_EXTERNAL_DATA_MISSING', `${modelFile}: cannot read external data "${location}" of tensor "${tensor.name}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
      }
      // Inside by name, but a symlink may still lead out (to /etc/shadow, another user's files): refused before reading.
      if (!real.startsWith(realFolder + path.sep)) {
        throw new ModelError('MODEL_EXTERNAL_DATA_LOCATION', `${modelFile}: tensor "${tensor.name}" keeps its data at "${location}", a symlink that leads out of the model's folder (to ${real})`, {
          hint: 'external data must sit next to the model (a relative path without ..)',
        });
      }
      try {
        data = readFileSync(real);
      } catch (error) {
        throw new ModelError('MODEL_EXTERNAL_DATA_MISSING', `${modelFile}: cannot read external data "${location}" of tensor "${tensor.name}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
      }
      cache.set(resolved, data);
    }
    const offset = Number(entries.get('offset') ?? 0);
    const length = entries.has('length') ? Number(entries.get('length')) : data.length - offset;
    if (!(offset >= 0 && length >= 0 && offset + length <= data.length)) {
      throw new ModelError('MODEL_EXTERNAL_DATA_RANGE', `${modelFile}: tensor "${tensor.name}" reads bytes ${offset}..${offset + length} of "${location}", which has ${data.length}`);
    }
    tensor.rawData = new Uint8Array(data.buffer, data.byteOffset + offset, length);
    tensor.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    tensor.externalData = [];
  }
}

/** Element count of a tensor from its dims. */
export function elementCount(tensor: Tensor): number {
  return (tensor.dims ?? []).reduce<number>((product, dim) => product * toNumber(dim), 1);
}

/** The dims of a tensor as plain numbers. */
export function dimsOf(tensor: Tensor): number[] {
  return (tensor.dims ?? []).map(toNumber);
}

function rawView(tensor: Tensor): DataView | null {
  const raw = tensor.rawData;
  return raw && raw.length > 0 ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
}

/** The typed field that holds a tensor's values when it has no raw_data. */
const typedField: Partial<Record<number, 'floatData' | 'doubleData' | 'int32Data' | 'int64Data'>> = {
  [DataType.FLOAT]: 'floatData',
  [DataType.DOUBLE]: 'doubleData',
  [DataType.INT64]: 'int64Data',
  [DataType.FLOAT16]: 'int32Data',
  [DataType.INT32]: 'int32Data',
  [DataType.INT8]: 'int32Data',
  [DataType.UINT8]: 'int32Data',
};

// A tensor whose data holds fewer values than its dims need is damaged: never read past its end or pad it with zeros.
// Only for the types the reader takes (`readable`); the reader refuses the others by name.
function checkLength(tensor: Tensor, count: number, view: DataView | null, readable: readonly number[]): void {
  const field = typedField[tensor.dataType ?? -1];
  if (!field || !readable.includes(tensor.dataType!)) return;
  const available = view ? Math.floor(view.byteLength / elementBytes(tensor.dataType!)) : (tensor[field]?.length ?? 0);
  if (available >= count) return;
  throw new ModelError('MODEL_TENSOR_SHORT', `tensor "${tensor.name}" holds ${available} values but its dims [${dimsOf(tensor).join(', ')}] need ${count}: the model file is damaged`, {
    hint: 're-export or download the model again',
  });
}

/** A FLOAT / FLOAT16 / DOUBLE tensor's values as float32 (little-endian raw_data or the typed fields). */
export function readFloats(tensor: Tensor): Float32Array {
  const count = elementCount(tensor);
  const view = rawView(tensor);
  checkLength(tensor, count, view, [DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16]);
  const out = new Float32Array(count);
  switch (tensor.dataType) {
    case DataType.FLOAT:
      if (view) for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      else out.set((tensor.floatData ?? []).slice(0, count));
      return out;
    case DataType.DOUBLE:
      if (view) for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      else out.set((tensor.doubleData ?? []).slice(0, count));
      return out;
    case DataType.FLOAT16: {
      // float16 bits live in int32_data when raw_data is absent.
      const bits = view ? null : (tensor.int32Data ?? []);
      for (let i = 0; i < count; i++) out[i] = fromFloat16Bits(view ? view.getUint16(i * 2, true) : (bits![i] ?? 0));
      return out;
    }
    default:
      throw new ModelError('VARIANT_TENSOR_TYPE', `tensor "${tensor.name}" has data type ${tensor.dataType}, not a float type`);
  }
}

/** Integer tensor values (INT64 / INT32 / INT8 / UINT8) as numbers. */
export function readInts(tensor: Tensor): number[] {
  const count = elementCount(tensor);
  const view = rawView(tensor);
  checkLength(tensor, count, view, [DataType.INT64, DataType.INT32, DataType.INT8, DataType.UINT8]);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    switch (tensor.dataType) {
      case DataType.INT64: out.push(view ? Number(view.getBigInt64(i * 8, true)) : toNumber((tensor.int64Data ?? [])[i] ?? 0)); break;
      case DataType.INT32: out.push(view ? view.getInt32(i * 4, true) : (tensor.int32Data ?? [])[i] ?? 0); break;
      case DataType.INT8: out.push(view ? view.getInt8(i) : (tensor.int32Data ?? [])[i] ?? 0); break;
      case DataType.UINT8: out.push(view ? view.getUint8(i) : (tensor.int32Data ?? [])[i] ?? 0); break;
      default: throw new ModelError('VARIANT_TENSOR_TYPE', `tensor "${tensor.name}" has data type ${tensor.dataType}, not an integer type`);
    }
  }
  return out;
}

/** A FLOAT tensor with little-endian raw data. */
export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): Tensor {
  const data = Float32Array.from(values);
  return { name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(data.buffer) };
}

/** An INT8 / UINT8 / INT32 / INT64 tensor with little-endian raw data. */
export function intTensor(name: string, dims: number[], values: ArrayLike<number>, dataType: number): Tensor {
  let data: ArrayBufferView;
  switch (dataType) {
    case DataType.INT8: data = values instanceof Int8Array ? values : Int8Array.from(values); break;
    case DataType.UINT8: data = values instanceof Uint8Array ? values : Uint8Array.from(values); break;
    case DataType.INT32: data = Int32Array.from(values); break;
    case DataType.INT64: data = BigInt64Array.from(Array.from(values, (v) => BigInt(v))); break;
    default: throw new Error(`intTensor: unsupported data type ${dataType}`);
  }
  return { name, dims, dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Names unique within a graph: reserve every existing name, then hand out `base`, `base_1`, … */
export class NameScope {
  private readonly used = new Set<string>();

  constructor(graph: Graph) {
    const visit = (g: Graph) => {
      for (const list of [g.input, g.output, g.valueInfo]) for (const info of list ?? []) this.used.add(info.name ?? '');
      for (const tensor of g.initializer ?? []) this.used.add(tensor.name ?? '');
      for (const node of g.node ?? []) {
        this.used.add(node.name ?? '');
        for (const name of [...(node.input ?? []), ...(node.output ?? [])]) this.used.add(name);
        for (const attribute of node.attribute ?? []) {
          if (attribute.g) visit(attribute.g);
          for (const sub of attribute.graphs ?? []) visit(sub);
        }
      }
    };
    visit(graph);
  }

  /** A fresh name starting with `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** Make a node. */
export function makeNode(opType: string, inputs: string[], outputs: string[], name: string, attributes: Attribute[] = []): Node {
  return { opType, input: inputs, output: outputs, name, attribute: attributes };
}

/** An INT attribute. */
export function intAttribute(name: string, value: number): Attribute {
  return { name, type: AttributeType.INT, i: value };
}

/** Count nodes by op type (with the domain prefixed when not ai.onnx). */
export function opHistogram(graph: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of graph.node ?? []) {
    const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : (node.opType ?? '?');
    counts[op] = (counts[op] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Find an attribute of a node. */
export function attributeOf(node: Node, name: string): Attribute | undefined {
  return (node.attribute ?? []).find((attribute) => attribute.name === name);
}

/** Names a subgraph reads from the enclosing scope (not defined inside it), recursively. */
export function outerScopeReads(graph: Graph): Set<string> {
  const defined = new Set<string>();
  for (const info of graph.input ?? []) defined.add(info.name ?? '');
  for (const tensor of graph.initializer ?? []) defined.add(tensor.name ?? '');
  const reads = new Set<string>();
  for (const node of graph.node ?? []) {
    for (const name of node.input ?? []) if (name && !defined.has(name)) reads.add(name);
    for (const attribute of node.attribute ?? []) {
      for (const sub of [attribute.g, ...(attribute.graphs ?? [])]) {
        if (!sub) continue;
        for (const name of outerScopeReads(sub)) if (!defined.has(name)) reads.add(name);
      }
    }
    for (const name of node.output ?? []) defined.add(name);
  }
  for (const info of graph.output ?? []) if (info.name && !defined.has(info.name)) reads.add(info.name);
  return reads;
}

/** The subgraphs a node holds (If's branches, Loop's and Scan's body, any other graph attribute). */
export function subgraphsOf(node: Node): Graph[] {
  const graphs: Graph[] = [];
  for (const attribute of node.attribute ?? []) {
    if (attribute.g) graphs.push(attribute.g);
    for (const sub of attribute.graphs ?? []) graphs.push(sub);
  }
  return graphs;
}

/** Every name a graph reads: node inputs, names its subgraphs read from it (any depth), and its outputs. */
export function namesRead(graph: Graph): Set<string> {
  const read = new Set<string>();
  for (const node of graph.node ?? []) {
    for (const name of node.input ?? []) if (name) read.add(name);
    for (const sub of subgraphsOf(node)) for (const name of outerScopeReads(sub)) read.add(name);
  }
  for (const output of graph.output ?? []) read.add(output.name ?? '');
  return read;
}

/** Drop the initializers nothing reads any more (initializers that are also graph inputs stay: callers may feed them). */
export function dropUnreadInitializers(graph: Graph): void {
  const read = namesRead(graph);
  const graphInputs = new Set((graph.input ?? []).map((input) => input.name ?? ''));
  graph.initializer = (graph.initializer ?? []).filter((tensor) => read.has(tensor.name ?? '') || graphInputs.has(tensor.name ?? ''));
}

/** Initializers that are constants (not overridable graph inputs), by name. */
export function constantInitializers(graph: Graph): Map<string, Tensor> {
  const graphInputs = new Set((graph.input ?? []).map((input) => input.name ?? ''));
  const out = new Map<string, Tensor>();
  for (const tensor of graph.initializer ?? []) if (!graphInputs.has(tensor.name ?? '')) out.set(tensor.name ?? '', tensor);
  return out;
}

/** Bytes per element of the fixed-size types (0 for strings and unknown types). */
export function elementBytes(dataType: number): number {
  switch (dataType) {
    case DataType.DOUBLE: case DataType.INT64: return 8;
    case DataType.FLOAT: case DataType.INT32: return 4;
    case DataType.FLOAT16: return 2;
    case DataType.INT8: case DataType.UINT8: case DataType.BOOL: return 1;
    default: return 0;
  }
}
