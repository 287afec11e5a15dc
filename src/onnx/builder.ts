// A small, deterministic ONNX graph builder over onnx-proto: the model zoo and the test fixtures are written with it.
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { ModelError } from '../errors.js';

// onnx-proto is CommonJS (`module.exports = $root`); Node's ESM loader only exposes it as the default export.
const { onnx } = onnxProto;

/** A tensor dimension: a number is a dim_value, a string a symbolic dim_param, null an unknown dim (neither set). */
export type DimLike = number | string | null;

/** Element types the builder can declare for inputs, outputs and initializers. */
export type ElemType = 'float32' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool' | 'float64';

/** Typed arrays accepted as tensor data; Uint16Array carries float16 bit patterns, Uint8Array also carries bool. */
export type TensorData =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Int8Array
  | Uint8Array
  | Uint16Array;

const DataType = onnx.TensorProto.DataType;
const onnxElemTypes: Record<ElemType, number> = {
  float32: DataType.FLOAT,
  uint8: DataType.UINT8,
  int8: DataType.INT8,
  int32: DataType.INT32,
  int64: DataType.INT64,
  bool: DataType.BOOL,
  float16: DataType.FLOAT16,
  float64: DataType.DOUBLE,
};

/** The TensorProto.DataType enum value of an element type (FLOAT=1, UINT8=2, INT8=3, INT32=6, INT64=7, BOOL=9, FLOAT16=10, DOUBLE=11). */
export function elemTypeToOnnx(t: ElemType): number {
  return onnxElemTypes[t];
}

/** A tensor value for a TENSOR attribute (e.g. Constant's `value`). */
export interface TensorValue {
  dims: number[];
  data: TensorData;
  elemType?: ElemType;
}

/** An attribute whose ONNX type is stated explicitly; build these with `attr`. */
export type TaggedAttribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorValue };

/**
 * A node attribute. Plain values are inferred: an integer number is INT, any other number FLOAT; an array of
 * integers (or an empty array) is INTS, otherwise FLOATS; a string is STRING. Use `attr.float(1)` for a
 * whole-number FLOAT (e.g. Gemm's alpha) and `attr.tensor(...)` for TENSOR.
 */
export type AttributeValue = number | number[] | string | TaggedAttribute;

/** Helpers that tag an attribute value with its exact ONNX type. */
export const attr = {
  int: (value: number): TaggedAttribute => ({ kind: 'int', value }),
  float: (value: number): TaggedAttribute => ({ kind: 'float', value }),
  ints: (value: number[]): TaggedAttribute => ({ kind: 'ints', value: [...value] }),
  floats: (value: number[]): TaggedAttribute => ({ kind: 'floats', value: [...value] }),
  string: (value: string): TaggedAttribute => ({ kind: 'string', value }),
  tensor: (dims: number[], data: TensorData, elemType?: ElemType): TaggedAttribute => ({
    kind: 'tensor',
    value: elemType === undefined ? { dims: [...dims], data } : { dims: [...dims], data, elemType },
  }),
};

/** Options of GraphBuilder.build. */
export interface BuildOptions {
  /** Opset of the default ('' / ai.onnx) domain; 17 unless given. */
  opset?: number;
  /** ModelProto.ir_version; 8 unless given. */
  irVersion?: number;
  /** ModelProto.producer_name; 'joulebench' unless given. */
  producerName?: string;
  docString?: string;
  /** Opset versions of other domains used by nodes (e.g. { 'com.microsoft': 1 }); 1 for any domain not listed. */
  domainOpsets?: Record<string, number>;
}

const AttributeType = onnx.AttributeProto.AttributeType;

// Bytes per element and the typed arrays that may carry each element type.
const elemLayouts: Record<ElemType, { bytes: number; arrays: string[] }> = {
  float32: { bytes: 4, arrays: ['Float32Array'] },
  float64: { bytes: 8, arrays: ['Float64Array'] },
  float16: { bytes: 2, arrays: ['Uint16Array'] },
  int64: { bytes: 8, arrays: ['BigInt64Array'] },
  int32: { bytes: 4, arrays: ['Int32Array'] },
  int8: { bytes: 1, arrays: ['Int8Array'] },
  uint8: { bytes: 1, arrays: ['Uint8Array'] },
  bool: { bytes: 1, arrays: ['Uint8Array'] },
};

// The typed array kind of some data (a Buffer counts as a Uint8Array), and the element type it carries by default.
function arrayKindOf(data: TensorData): { kind: string; defaultType: ElemType } {
  if (data instanceof Float32Array) return { kind: 'Float32Array', defaultType: 'float32' };
  if (data instanceof Float64Array) return { kind: 'Float64Array', defaultType: 'float64' };
  if (data instanceof Uint16Array) return { kind: 'Uint16Array', defaultType: 'float16' };
  if (data instanceof BigInt64Array) return { kind: 'BigInt64Array', defaultType: 'int64' };
  if (data instanceof Int32Array) return { kind: 'Int32Array', defaultType: 'int32' };
  if (data instanceof Int8Array) return { kind: 'Int8Array', defaultType: 'int8' };
  return { kind: 'Uint8Array', defaultType: 'uint8' };
}

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function buildError(message: string, hint?: string): ModelError {
  return new ModelError('MODEL_BUILD_INVALID', message, hint === undefined ? {} : { hint });
}

// ONNX raw_data is always little-endian; on a little-endian host that is the typed array's own bytes.
function littleEndianBytes(data: TensorData, bytesPerElement: number): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (hostIsLittleEndian || bytesPerElement === 1) return bytes;
  for (let offset = 0; offset < bytes.length; offset += bytesPerElement) {
    bytes.subarray(offset, offset + bytesPerElement).reverse();
  }
  return bytes;
}

function makeTensor(name: string, dims: number[], data: TensorData, elemType?: ElemType): proto.ITensorProto {
  const { kind: arrayKind, defaultType } = arrayKindOf(data);
  const type = elemType ?? defaultType;
  const layout = elemLayouts[type];
  if (!layout.arrays.includes(arrayKind)) {
    throw buildError(
      `tensor '${name}': element type ${type} cannot be filled from a ${arrayKind}`,
      `pass a ${layout.arrays.join(' or ')}`,
    );
  }
  for (const dim of dims) {
    if (!Number.isInteger(dim) || dim < 0) throw buildError(`tensor '${name}': bad dimension ${dim} in [${dims.join(', ')}]`);
  }
  const elementCount = dims.reduce((product, dim) => product * dim, 1);
  if (elementCount !== data.length) {
    throw buildError(`tensor '${name}': dims [${dims.join(', ')}] hold ${elementCount} elements but the data has ${data.length}`);
  }
  return {
    name,
    dims: [...dims],
    dataType: elemTypeToOnnx(type),
    rawData: littleEndianBytes(data, layout.bytes),
  };
}

function makeValueInfo(name: string, elemType: ElemType, dims: DimLike[]): proto.IValueInfoProto {
  const dim = dims.map((d): proto.TensorShapeProto.IDimension => {
    if (d === null) return {};
    if (typeof d === 'string') {
      if (d === '') throw buildError(`value '${name}': an empty dim_param; use null for an unknown dimension`);
      return { dimParam: d };
    }
    if (!Number.isInteger(d) || d < 0) throw buildError(`value '${name}': bad dimension ${d}`);
    return { dimValue: d };
  });
  return { name, type: { tensorType: { elemType: elemTypeToOnnx(elemType), shape: { dim } } } };
}

function makeAttribute(nodeName: string, name: string, value: AttributeValue): proto.IAttributeProto {
  const tagged: TaggedAttribute =
    typeof value === 'number'
      ? Number.isInteger(value) ? attr.int(value) : attr.float(value)
      : typeof value === 'string'
        ? attr.string(value)
        : Array.isArray(value)
          ? value.every((v) => Number.isInteger(v)) ? attr.ints(value) : attr.floats(value)
          : value;
  switch (tagged.kind) {
    case 'int':
      if (!Number.isInteger(tagged.value)) throw buildError(`node '${nodeName}': INT attribute '${name}' is ${tagged.value}`);
      return { name, type: AttributeType.INT, i: tagged.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: tagged.value };
    case 'ints':
      if (!tagged.value.every((v) => Number.isInteger(v))) {
        throw buildError(`node '${nodeName}': INTS attribute '${name}' has a non-integer in [${tagged.value.join(', ')}]`);
      }
      return { name, type: AttributeType.INTS, ints: [...tagged.value] };
    case 'floats':
      return { name, type: AttributeType.FLOATS, floats: [...tagged.value] };
    case 'string':
      return { name, type: AttributeType.STRING, s: new TextEncoder().encode(tagged.value) };
    case 'tensor':
      return {
        name,
        type: AttributeType.TENSOR,
        t: makeTensor(`${nodeName}.${name}`, tagged.value.dims, tagged.value.data, tagged.value.elemType),
      };
  }
}

/** Builds one ONNX graph in insertion order and encodes it as a ModelProto, byte-for-byte the same every time. */
export class GraphBuilder {
  private readonly name: string;
  private readonly inputs: proto.IValueInfoProto[] = [];
  private readonly outputs: proto.IValueInfoProto[] = [];
  private readonly initializers: proto.ITensorProto[] = [];
  private readonly nodes: proto.INodeProto[] = [];
  private readonly nodeNames = new Set<string>();

  constructor(name: string) {
    this.name = name;
  }

  /** Declares a graph input. */
  input(name: string, elemType: ElemType, dims: DimLike[]): this {
    this.inputs.push(makeValueInfo(name, elemType, dims));
    return this;
  }

  /** Declares a graph output. */
  output(name: string, elemType: ElemType, dims: DimLike[]): this {
    this.outputs.push(makeValueInfo(name, elemType, dims));
    return this;
  }

  /** Adds a constant tensor; its data is copied into raw_data (little-endian). The element type defaults from the array kind. */
  initializer(name: string, dims: number[], data: TensorData, elemType?: ElemType): this {
    this.initializers.push(makeTensor(name, dims, data, elemType));
    return this;
  }

  /** Adds a node; unnamed nodes are called `${opType}_${index}` with index its position in the graph. Use '' for an omitted optional input. */
  node(
    opType: string,
    inputs: string[],
    outputs: string[],
    attributes: Record<string, AttributeValue> = {},
    name?: string,
    domain?: string,
  ): this {
    const nodeName = name ?? `${opType}_${this.nodes.length}`;
    if (this.nodeNames.has(nodeName)) throw buildError(`graph '${this.name}': two nodes are named '${nodeName}'`);
    this.nodeNames.add(nodeName);
    const node: proto.INodeProto = {
      input: [...inputs],
      output: [...outputs],
      name: nodeName,
      opType,
      attribute: Object.entries(attributes).map(([key, value]) => makeAttribute(nodeName, key, value)),
    };
    if (domain !== undefined && domain !== '') node.domain = domain;
    this.nodes.push(node);
    return this;
  }

  /** Checks the graph (names defined once, used after being defined) and returns the encoded ModelProto. */
  build(options: BuildOptions = {}): Uint8Array {
    this.validate();
    const domains = [...new Set(this.nodes.map((node) => node.domain ?? ''))].filter((d) => d !== '').sort();
    const opsetImport: proto.IOperatorSetIdProto[] = [
      { domain: '', version: options.opset ?? 17 },
      ...domains.map((domain) => ({ domain, version: options.domainOpsets?.[domain] ?? 1 })),
    ];
    const model: proto.IModelProto = {
      irVersion: options.irVersion ?? 8,
      opsetImport,
      producerName: options.producerName ?? 'joulebench',
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    if (options.docString !== undefined) model.docString = options.docString;
    const encoded = onnx.ModelProto.encode(model).finish();
    // In Node the writer returns a Buffer that may share a pooled ArrayBuffer; hand back a plain, owned copy.
    return new Uint8Array(encoded);
  }

  private validate(): void {
    const defined = new Set<string>();
    const define = (name: string, what: string): void => {
      if (name === '') throw buildError(`graph '${this.name}': a ${what} has an empty name`);
      if (defined.has(name)) throw buildError(`graph '${this.name}': '${name}' is defined twice (again as a ${what})`);
      defined.add(name);
    };
    for (const input of this.inputs) define(input.name ?? '', 'graph input');
    for (const tensor of this.initializers) define(tensor.name ?? '', 'initializer');
    for (const node of this.nodes) {
      for (const input of node.input ?? []) {
        if (input !== '' && !defined.has(input)) {
          throw buildError(
            `graph '${this.name}': node '${node.name}' reads '${input}' before anything defines it`,
            'add nodes in topological order and declare inputs and initializers first',
          );
        }
      }
      for (const output of node.output ?? []) if (output !== '') define(output, `output of node '${node.name}'`);
    }
    if (this.outputs.length === 0) throw buildError(`graph '${this.name}': no graph outputs declared`);
    for (const output of this.outputs) {
      if (!defined.has(output.name ?? '')) throw buildError(`graph '${this.name}': graph output '${output.name}' is never produced`);
    }
  }
}
