// Read an ONNX file and describe it: inputs, outputs, symbolic dims, opsets, ops, parameters.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import { ModelError } from '../errors.js';
import type { ModelDim, TensorInfo } from '../onnx/shapes.js';
import { closest } from '../common/suggest.js';
import { zooNames } from './zoo/index.js';
import { detectPrecision, type DetectedPrecision } from './detect-precision.js';
import { checkExternalData, checkModelSize, sniffForeignFormat } from './safety.js';

const { onnx } = onnxProto;

/** What `joulebench inspect` prints and the runner plans with. */
export interface ModelInfo {
  path: string;
  sha256: string;
  sizeBytes: number;
  irVersion: number;
  opsets: Array<{ domain: string; version: number }>;
  producer: string;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  opCounts: Record<string, number>;
  nodeCount: number;
  /** Elements of every weight tensor: initializers, Constant nodes, and those inside If / Loop / Scan bodies. */
  parameterCount: number;
  /** Bytes of those tensors, inline or external. */
  parameterBytes: number;
  /** Where the parameters live (element counts): main-graph initializers, main-graph Constant nodes, subgraphs. */
  parametersIn: { initializers: number; constantNodes: number; subgraphs: number };
  /** What precision the file already is (a publisher's FP16 / INT8 file is not FP32), and why. */
  detectedPrecision: DetectedPrecision;
  precisionReason: string;
  /** Tensors stored outside the .onnx file (external data). */
  externalData: boolean;
  /** For integer inputs used as Gather indices into a constant table: the table's size (valid ids are [0, bound)). */
  indexBounds: Record<string, number>;
}

const elemTypes: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

// Bytes per element by TensorProto.DataType (for tensors stored in the typed fields rather than raw_data).
const elemBytes: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

/** ONNX TensorProto.DataType → joulebench's element type name. */
export function elemTypeName(code: number): string {
  return elemTypes[code] ?? `unsupported:${code}`;
}

// Element types onnxruntime-node can hand over as tensors (its backend's dataTypeStrings); a graph input or output of
// any other type (bfloat16, complex, float8) makes session creation fail with "Unsupported data type: <n>".
const runnableElemTypes = new Set(['float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'float64', 'uint32', 'uint64', 'non-tensor']);

/** Refuse, by name, a model whose graph inputs or outputs have an element type onnxruntime-node cannot feed or read. */
export function requireRunnableIo(info: Pick<ModelInfo, 'path' | 'inputs' | 'outputs'>): void {
  for (const [kind, list] of [['input', info.inputs], ['output', info.outputs]] as const) {
    const bad = list.find((tensor) => !runnableElemTypes.has(tensor.elemType));
    if (!bad) continue;
    throw new ModelError('MODEL_IO_TYPE', `${info.path}: graph ${kind} "${bad.name}" has element type ${bad.elemType}, which onnxruntime-node cannot ${kind === 'input' ? 'feed' : 'read back'}`, {
      hint: `re-export the model with a float32 or float16 ${kind} (e.g. a Cast ${kind === 'input' ? 'after the input' : 'before the output'}); computing in ${bad.elemType} inside the graph is fine`,
    });
  }
}

// protobufjs decodes int64 fields as Long objects or numbers.
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value !== null && typeof value === 'object' && 'toNumber' in value) return (value as { toNumber(): number }).toNumber();
  return Number(value);
}

function describeValueInfo(info: onnxProto.onnx.IValueInfoProto): TensorInfo {
  const tensorType = info.type?.tensorType;
  const shape = tensorType?.shape;
  const dims: ModelDim[] | null = shape
    ? (shape.dim ?? []).map((dim): ModelDim => {
        if (dim.dimParam) return { kind: 'symbolic', name: dim.dimParam };
        if (dim.dimValue !== undefined && dim.dimValue !== null && toNumber(dim.dimValue) > 0) {
          return { kind: 'fixed', size: toNumber(dim.dimValue) };
        }
        return { kind: 'unknown' };
      })
    : null;
  return { name: info.name ?? '', elemType: tensorType ? elemTypeName(tensorType.elemType ?? 0) : 'non-tensor', dims };
}

function tensorSize(tensor: onnxProto.onnx.ITensorProto): { count: number; bytes: number } {
  const count = (tensor.dims ?? []).reduce<number>((product, dim) => product * toNumber(dim), 1);
  const length = (tensor.externalData ?? []).find((entry) => entry.key === 'length');
  return { count, bytes: tensor.rawData?.length ? tensor.rawData.length : length ? Number(length.value) : count * (elemBytes[tensor.dataType ?? 0] ?? 4) };
}

// Weights wherever the exporter put them: initializers, Constant nodes (Paddle writes its weights so), subgraph bodies.
function countParameters(graph: onnxProto.onnx.IGraphProto) {
  const where = { initializers: 0, constantNodes: 0, subgraphs: 0 };
  let bytes = 0;
  let external = false;
  const visit = (g: onnxProto.onnx.IGraphProto, nested: boolean) => {
    const add = (size: { count: number; bytes: number }, kind: 'initializers' | 'constantNodes') => {
      where[nested ? 'subgraphs' : kind] += size.count;
      bytes += size.bytes;
    };
    for (const tensor of g.initializer ?? []) {
      add(tensorSize(tensor), 'initializers');
      if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) external = true;
    }
    for (const node of g.node ?? []) {
      for (const attribute of node.attribute ?? []) {
        if (node.opType === 'Constant' && (!node.domain || node.domain === 'ai.onnx')) {
          if (attribute.t) add(tensorSize(attribute.t), 'constantNodes');
          else if (attribute.floats?.length) add({ count: attribute.floats.length, bytes: 4 * attribute.floats.length }, 'constantNodes');
          else if (attribute.ints?.length) add({ count: attribute.ints.length, bytes: 8 * attribute.ints.length }, 'constantNodes');
        }
        for (const sub of [attribute.g, ...(attribute.graphs ?? [])]) if (sub) visit(sub, true);
      }
    }
  };
  visit(graph, false);
  return { count: where.initializers + where.constantNodes + where.subgraphs, bytes, where, external };
}

/** Parse ONNX bytes (already read) and describe the model; throws ModelError when it is not a usable ONNX model. */
export function describeModel(bytes: Uint8Array, file: string): ModelInfo {
  const fix = 'check that the file is a complete .onnx model (re-export or re-download it)';
  if (bytes.length === 0) throw new ModelError('MODEL_EMPTY', `${file}: the file is empty`, { hint: fix });
  const foreign = sniffForeignFormat(bytes);
  if (foreign) throw new ModelError('MODEL_NOT_ONNX', `${file}: not an ONNX model: it looks like ${foreign}`, { hint: fix });
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new ModelError('MODEL_NOT_ONNX', `${file}: not an ONNX model (protobuf decoding failed: ${(error as Error).message}); the file may be truncated or of another format`, { hint: fix, cause: error });
  }
  const graph = model.graph;
  const irVersion = toNumber(model.irVersion ?? 0);
  if (!graph || irVersion <= 0 || (model.opsetImport ?? []).length === 0 || (graph.output ?? []).length === 0) {
    throw new ModelError('MODEL_NOT_ONNX', `${file}: not an ONNX model (no graph, IR version or opset found)`, { hint: fix });
  }
  // External data is checked before anything (onnxruntime included) opens it.
  const externalBytes = checkExternalData(model, file);
  if (externalBytes > 0) checkModelSize(file, bytes.length + externalBytes, 'total');
  const initializers = new Map<string, onnxProto.onnx.ITensorProto>();
  for (const tensor of graph.initializer ?? []) initializers.set(tensor.name ?? '', tensor);
  // Old exporters list initializers as inputs too; those are not inputs to feed.
  const inputs = (graph.input ?? []).filter((input) => !initializers.has(input.name ?? '')).map(describeValueInfo);
  const outputs = (graph.output ?? []).map(describeValueInfo);

  const opCounts: Record<string, number> = {};
  const indexBounds: Record<string, number> = {};
  const inputNames = new Set(inputs.map((input) => input.name));
  for (const node of graph.node ?? []) {
    const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : (node.opType ?? '?');
    opCounts[op] = (opCounts[op] ?? 0) + 1;
    const [dataName, indicesName] = node.input ?? [];
    if (node.opType === 'Gather' && indicesName && inputNames.has(indicesName) && dataName && initializers.has(dataName)) {
      const axisAttribute = (node.attribute ?? []).find((attribute) => attribute.name === 'axis');
      const data = initializers.get(dataName)!;
      const rank = (data.dims ?? []).length;
      const axis = axisAttribute ? toNumber(axisAttribute.i ?? 0) : 0;
      const size = toNumber((data.dims ?? [])[axis < 0 ? axis + rank : axis] ?? 0);
      if (size > 0) indexBounds[indicesName] = Math.min(indexBounds[indicesName] ?? size, size);
    }
  }
  const parameters = countParameters(graph);
  const precision = detectPrecision(graph);
  return {
    path: file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sizeBytes: bytes.length,
    irVersion,
    opsets: (model.opsetImport ?? []).map((opset) => ({ domain: opset.domain || 'ai.onnx', version: toNumber(opset.version ?? 0) })),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    inputs,
    outputs,
    opCounts,
    nodeCount: (graph.node ?? []).length,
    parameterCount: parameters.count,
    parameterBytes: parameters.bytes,
    parametersIn: parameters.where,
    detectedPrecision: precision.precision,
    precisionReason: precision.reason,
    externalData: parameters.external,
    indexBounds,
  };
}

/** Read and describe an ONNX file; a missing or unreadable file is a ModelError naming it. */
export async function inspectModelFile(file: string): Promise<{ info: ModelInfo; bytes: Uint8Array }> {
  let bytes: Uint8Array;
  try {
    const stats = await stat(file);
    if (stats.isDirectory()) throw new ModelError('MODEL_IS_DIRECTORY', `${file}: is a folder, not an .onnx file`);
    checkModelSize(file, stats.size, 'file');
    bytes = await readFile(file);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      // A bare word is more likely a mistyped built-in name than a file (`mpl` for `mlp`).
      const builtin = /^[\w-]+$/.test(file) ? closest(file, zooNames) : undefined;
      throw new ModelError('MODEL_NOT_FOUND', `model file not found: ${file}${builtin ? ` — did you mean the built-in model "${builtin}"?` : ''}`, {
        hint: builtin ? `built-in models: ${zooNames.join(', ')}; anything else is a path to an .onnx file` : `check the path, or use a built-in model name (${zooNames.join(', ')})`,
      });
    }
    throw new ModelError('MODEL_UNREADABLE', `cannot read model ${file}: ${code ?? String(error)}`, { cause: error });
  }
  return { info: describeModel(bytes, file), bytes };
}
