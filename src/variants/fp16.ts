// FP32 → FP16, with the semantics of onnxconverter-common's convert_float_to_float16: float initializers and
// Constant tensors become FLOAT16 (values clamped into ±[1e-7, 1e4]), ops on the block list stay FP32 with Casts
// around them, graph inputs/outputs stay FP32 (Casts at the edges) unless fp16Io.
// Like float16.py (its queue pushes each AttributeProto's g and graphs and converts their initializers), it recurses
// into If / Loop / Scan bodies: their weights are converted, a body reads an outer name in the type the outer graph
// left it (with a Cast inside the body where it wants the other one). Unlike float16.py, which also retypes body
// inputs and outputs to FLOAT16, each body's inputs and outputs stay FP32, so the If / Loop / Scan node's declared
// types hold without rewriting the node. Constants are folded into
// initializers first (fold-constants.ts).
import { ModelError } from '../errors.js';
import { toFloat16Bits } from '../onnx/float16.js';
import { inferElemTypes } from '../onnx/elem-types.js';
import { foldConstants, type FoldReport } from './fold-constants.js';
import {
  attributeOf,
  AttributeType,
  DataType,
  defaultOpset,
  elementBytes,
  elementCount,
  intAttribute,
  makeNode,
  NameScope,
  readFloats,
  subgraphsOf,
  type Attribute,
  type Graph,
  type Model,
  type Node,
  type Tensor,
} from '../onnx/proto.js';

/** onnxconverter-common's DEFAULT_OP_BLOCK_LIST: no FP16 kernel, or numerically fragile in FP16. */
export const defaultFp16BlockList = [
  'ArrayFeatureExtractor', 'Binarizer', 'CastMap', 'CategoryMapper', 'DictVectorizer', 'FeatureVectorizer', 'Imputer',
  'LabelEncoder', 'LinearClassifier', 'LinearRegressor', 'Normalizer', 'OneHotEncoder', 'RandomUniformLike',
  'SVMClassifier', 'SVMRegressor', 'Scaler', 'TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'ZipMap',
  'NonMaxSuppression', 'TopK', 'RoiAlign', 'Resize', 'Range', 'CumSum', 'Min', 'Max', 'Upsample',
] as const;

// Quantization ops take float32 only; a model that already has them keeps them as they are.
const float32OnlyOps = new Set(['DynamicQuantizeLinear', 'QuantizeLinear', 'DequantizeLinear', 'MatMulInteger', 'ConvInteger', 'QLinearConv', 'QLinearMatMul']);
// Sequences and optionals keep their element type: an FP16 tensor inserted into an FP32 sequence is a type error.
const containerOps = new Set([
  'SequenceConstruct', 'SequenceEmpty', 'SequenceInsert', 'SequenceErase', 'SequenceAt', 'SequenceLength', 'SplitToSequence',
  'ConcatFromSequence', 'SequenceMap', 'Optional', 'OptionalGetElement', 'OptionalHasElement',
]);
// No FP16 kernel in onnxruntime's CPU provider (found by converting ONNX's backend test models, libonnx-testdata 1.12):
// the variant would not load where fidelity is measured. ScatterND / ScatterElements lack one only with a reduction.
const noCpuFp16Ops = new Set(['Celu', 'IsInf', 'EyeLike', 'MeanVarianceNormalization']);

/** Options of the FP16 conversion. */
export interface Fp16Options {
  /** Extra op types to keep in FP32 (`--keep-fp32`). */
  keepFp32: string[];
  /** Graph inputs and outputs become FLOAT16 too (no Casts at the edges). */
  fp16Io: boolean;
  /** Non-zero magnitudes below this become ±minPositive (onnxconverter-common: 1e-7). */
  minPositive: number;
  /** Finite magnitudes above this become ±maxFinite (onnxconverter-common: 1e4). */
  maxFinite: number;
  /** Node names kept in FP32 whatever their op (the mixed-precision search; unnamed nodes: see node-names.ts). */
  keepNodes?: ReadonlySet<string>;
}

/** The defaults of onnxconverter-common. */
export const defaultFp16Options: Fp16Options = { keepFp32: [], fp16Io: false, minPositive: 1e-7, maxFinite: 1e4 };

/** What the conversion did. */
export interface Fp16Report {
  /** Float values moved into ±[minPositive, maxFinite] (each one loses more than float16 rounding). */
  clampedValues: number;
  /** Float values converted (initializers and constants). */
  convertedValues: number;
  /** Nodes computing in FP16 (those with a float input or output). */
  convertedNodes: number;
  /** Nodes kept in FP32 by op type (block list, --keep-fp32, other domains, subgraphs). */
  keptFp32: Record<string, number>;
  /** Cast nodes inserted. */
  castsInserted: number;
  /** Constants folded into initializers first (Constant nodes, Transpose/Reshape/… chains). */
  folded: FoldReport;
  /** Nodes computing in FP16 inside If / Loop / Scan bodies (also counted in convertedNodes). */
  convertedInSubgraphs: number;
  /** Subgraphs walked (any depth). */
  subgraphs: number;
  /** Bytes of float weights (initializers and constants) converted to FP16. */
  weightBytesConverted: number;
  /** Nodes kept FP32 because a weight they read has finite values beyond FP16's ±65504 (clamping would change the result). */
  keptForRange: string[];
}

/** The largest finite value of FP16. */
export const float16MaxFinite = 65504;

// Float initializers of the graph and its subgraphs with a finite value beyond ±65504 (e.g. Paddle's BatchNormalization
// variances of 1e8): clamping those to 1e4 (onnxconverter-common) changes what the node computes, so it keeps FP32.
function beyondHalfRange(graph: Graph, found = new Set<string>()): Set<string> {
  for (const tensor of graph.initializer ?? []) {
    if (tensor.dataType !== FLOAT && tensor.dataType !== DataType.DOUBLE) continue;
    const raw = tensor.rawData;
    const view = tensor.dataType === FLOAT && raw && raw.length > 0 ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
    const values = view ? null : readFloats(tensor);
    const count = view ? view.byteLength / 4 : values!.length;
    for (let i = 0; i < count; i++) {
      const magnitude = Math.abs(view ? view.getFloat32(i * 4, true) : values![i]!);
      if (magnitude > float16MaxFinite && Number.isFinite(magnitude)) {
        found.add(tensor.name ?? '');
        break;
      }
    }
  }
  for (const node of graph.node ?? []) for (const sub of subgraphsOf(node)) beyondHalfRange(sub, found);
  return found;
}

const FLOAT = DataType.FLOAT;
const FLOAT16 = DataType.FLOAT16;

// Convert float values to float16 bits, clamping as onnxconverter-common does (Inf and NaN are kept).
function toHalfArray(values: Float32Array | DataView, options: Fp16Options, report: Fp16Report): Uint16Array {
  const count = values instanceof DataView ? values.byteLength / 4 : values.length;
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    let value = values instanceof DataView ? values.getFloat32(i * 4, true) : values[i]!;
    const magnitude = Math.abs(value);
    if (magnitude > 0 && magnitude < options.minPositive) {
      value = Math.sign(value) * options.minPositive;
      report.clampedValues++;
    } else if (magnitude > options.maxFinite && Number.isFinite(magnitude)) {
      value = Math.sign(value) * options.maxFinite;
      report.clampedValues++;
    }
    out[i] = toFloat16Bits(value);
  }
  report.convertedValues += count;
  return out;
}

function halfTensor(source: Tensor, name: string, options: Fp16Options, report: Fp16Report): Tensor {
  // Little-endian raw FLOAT data is read in place (no float32 copy of a large weight).
  const raw = source.rawData;
  const view = source.dataType === FLOAT && raw && raw.length > 0 ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  const bits = toHalfArray(view ?? readFloats(source), options, report);
  report.weightBytesConverted += elementCount(source) * elementBytes(source.dataType ?? FLOAT);
  const tensor: Tensor = { name, dims: source.dims ?? [], dataType: FLOAT16, rawData: new Uint8Array(bits.buffer) };
  if (source.docString) tensor.docString = source.docString;
  return tensor;
}

/** Convert a decoded FP32 model to FP16 in place; returns what changed. Throws ModelError for graphs it cannot convert. */
export function convertToFloat16(model: Model, options: Fp16Options = defaultFp16Options): Fp16Report {
  const graph = model.graph!;
  if (defaultOpset(model) < 7) {
    throw new ModelError('VARIANT_OPSET_TOO_OLD', `the model's opset ${defaultOpset(model)} is older than 7; FP16 conversion needs opset 7 or newer`, {
      hint: 'update the model to a newer opset with onnx.version_converter, or pass an FP16 file as the fp16 variant',
    });
  }
  const folded = foldConstants(graph);
  const report: Fp16Report = { clampedValues: 0, convertedValues: 0, convertedNodes: 0, keptFp32: {}, castsInserted: 0, folded, convertedInSubgraphs: 0, subgraphs: 0, weightBytesConverted: 0, keptForRange: [] };
  const blockList = new Set<string>([...defaultFp16BlockList, ...options.keepFp32, ...[...(options.keepNodes ?? [])].map(keptNodeKey)]);
  convertGraph(graph, { options, report, names: new NameScope(graph), blockList, outOfRange: beyondHalfRange(graph) }, null);
  return report;
}

// State shared by every graph of one model's conversion.
interface Fp16Context {
  options: Fp16Options;
  report: Fp16Report;
  /** Fresh names, unique over the whole model (subgraphs included). */
  names: NameScope;
  blockList: Set<string>;
  /** Float initializers (any graph) holding finite values beyond FP16's ±65504: their readers stay FP32. */
  outOfRange: ReadonlySet<string>;
}

// What a subgraph sees of its enclosing scopes: each name's original type, the type it has after conversion, and
// FP16 copies of initializers that stayed FP32 there.
interface OuterView {
  original: ReadonlyMap<string, number>;
  final: ReadonlyMap<string, number>;
  fp16Alias: ReadonlyMap<string, string>;
}

// A node computes in FP16 unless it holds subgraphs (If / Loop / Scan: their bodies are converted instead, their
// own inputs and outputs stay FP32), belongs to another domain, or is on the block list.
function computesFp16(node: Node, blockList: Set<string>, outOfRange: ReadonlySet<string> = new Set()): boolean {
  if ((node.input ?? []).some((name) => outOfRange.has(name))) return false;
  const otherDomain = Boolean(node.domain) && node.domain !== 'ai.onnx';
  const op = node.opType ?? '';
  const keptByName = Boolean(node.name) && blockList.has(keptNodeKey(node.name!));
  const reduces = (op === 'ScatterND' || op === 'ScatterElements') && (attributeOf(node, 'reduction')?.s?.length ?? 0) > 0 && new TextDecoder().decode(attributeOf(node, 'reduction')!.s!) !== 'none';
  return subgraphsOf(node).length === 0 && !otherDomain && !blockList.has(op) && !float32OnlyOps.has(op) && !containerOps.has(op) && !noCpuFp16Ops.has(op) && !reduces && !keptByName;
}

// Node names of `keepNodes` ride in the block list under a prefix no op type has.
const keptNodeKey = (name: string) => `node:${name}`;

// The types that nodes of `graph` (any depth) want for the names they read from outside it.
function outerWants(graph: Graph, blockList: Set<string>, outOfRange: ReadonlySet<string>): Map<string, Set<number>> {
  const defined = new Set<string>([...(graph.input ?? []).map((info) => info.name ?? ''), ...(graph.initializer ?? []).map((tensor) => tensor.name ?? '')]);
  const wants = new Map<string, Set<number>>();
  const want = (name: string, type: number) => {
    if (!name || defined.has(name)) return;
    wants.set(name, (wants.get(name) ?? new Set<number>()).add(type));
  };
  for (const node of graph.node ?? []) {
    const type = computesFp16(node, blockList, outOfRange) ? FLOAT16 : FLOAT;
    for (const name of node.input ?? []) want(name, type);
    for (const sub of subgraphsOf(node)) for (const [name, types] of outerWants(sub, blockList, outOfRange)) for (const t of types) want(name, t);
    for (const name of node.output ?? []) defined.add(name);
  }
  for (const output of graph.output ?? []) want(output.name ?? '', FLOAT);
  return wants;
}

// Convert one graph, then its subgraphs. `view` is null for the main graph.
function convertGraph(graph: Graph, ctx: Fp16Context, view: OuterView | null): void {
  const { options, report, names, blockList } = ctx;
  const top = view === null;
  const types = inferElemTypes(graph, view?.original);
  const isFloat = (name: string) => types.get(name) === FLOAT;
  const nodes = graph.node ?? [];
  const holders = nodes.filter((node) => subgraphsOf(node).length > 0);

  // Which nodes compute in FP16.
  const converted = new Set<Node>();
  for (const node of nodes) {
    if (subgraphsOf(node).length > 0) continue;
    // An input of unknown element type (an untyped Loop body input, a sequence element) could be a float this pass
    // would not cast: such a node stays FP32.
    const unknownInput = (node.input ?? []).some((name) => name && !types.has(name));
    if (computesFp16(node, blockList, ctx.outOfRange) && !unknownInput) {
      converted.add(node);
    } else {
      if ((node.input ?? []).some((name) => ctx.outOfRange.has(name))) report.keptForRange.push(node.name || (node.output ?? [])[0] || '');
      const op = node.opType ?? '';
      const label = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${op}` : op;
      report.keptFp32[label] = (report.keptFp32[label] ?? 0) + 1;
    }
  }
  // What subgraphs want of this graph's names.
  const subWants = new Map<string, Set<number>>();
  for (const holder of holders) {
    for (const sub of subgraphsOf(holder)) {
      for (const [name, wanted] of outerWants(sub, blockList, ctx.outOfRange)) subWants.set(name, new Set([...(subWants.get(name) ?? []), ...wanted]));
    }
  }
  const ioType = top && options.fp16Io ? FLOAT16 : FLOAT;
  // A constant read only by FP32 consumers stays FP32 (no round trip through a Cast).
  const readers = new Map<string, Node[]>();
  for (const node of nodes) for (const name of node.input ?? []) if (name) readers.set(name, [...(readers.get(name) ?? []), node]);
  const graphOutputs = new Set((graph.output ?? []).map((output) => output.name ?? ''));
  for (const node of nodes) {
    if (node.opType !== 'Constant' && node.opType !== 'ConstantOfShape') continue;
    const outputName = (node.output ?? [])[0] ?? '';
    if (!isFloat(outputName)) continue;
    const consumers = readers.get(outputName) ?? [];
    const anyFp16 = consumers.some((consumer) => converted.has(consumer)) || subWants.get(outputName)?.has(FLOAT16) || (graphOutputs.has(outputName) && ioType === FLOAT16);
    if (!anyFp16 && converted.delete(node)) report.keptFp32[node.opType] = (report.keptFp32[node.opType] ?? 0) + 1;
  }
  // Names that must keep a given type: graph outputs (a subgraph's outputs stay FP32, as its If / Loop / Scan declares).
  const pinned = new Map<string, number>();
  for (const output of graph.output ?? []) if (isFloat(output.name ?? '')) pinned.set(output.name ?? '', ioType);

  // The type each float tensor is produced in, and who produces it.
  const producedType = new Map<string, number>();
  const producer = new Map<string, Node>();
  const initializers = new Map<string, Tensor>();
  const graphInputs = new Set((graph.input ?? []).map((input) => input.name ?? ''));
  for (const tensor of graph.initializer ?? []) if (!graphInputs.has(tensor.name ?? '')) initializers.set(tensor.name ?? '', tensor);
  for (const name of graphInputs) if (isFloat(name)) producedType.set(name, ioType);
  for (const node of nodes) {
    (node.output ?? []).forEach((name, index) => {
      if (!name || !isFloat(name)) return;
      producer.set(name, node);
      // LayerNormalization's Mean/InvStdDev follow stash_type (float32), not T.
      const stays32 = node.opType === 'LayerNormalization' && index > 0;
      producedType.set(name, converted.has(node) && !stays32 ? FLOAT16 : FLOAT);
    });
  }

  // What each consumer wants (this graph's nodes and, through outer-scope reads, its subgraphs' nodes).
  const wanted = (node: Node) => (converted.has(node) ? FLOAT16 : FLOAT);
  const initializerWants = new Map<string, Set<number>>();
  for (const node of nodes) {
    for (const name of node.input ?? []) {
      if (name && initializers.has(name) && isFloat(name)) initializerWants.set(name, (initializerWants.get(name) ?? new Set<number>()).add(wanted(node)));
    }
  }
  for (const [name, wants] of subWants) {
    if (initializers.has(name) && isFloat(name)) initializerWants.set(name, new Set([...(initializerWants.get(name) ?? []), ...wants]));
  }

  // Initializers: converted in place when only FP16 consumers read them, duplicated when both kinds do.
  const initializerAlias = new Map<string, Map<number, string>>();
  const newInitializers: Tensor[] = [];
  for (const tensor of graph.initializer ?? []) {
    const name = tensor.name ?? '';
    const wants = initializerWants.get(name);
    if (!wants || !isFloat(name) || graphInputs.has(name)) {
      newInitializers.push(tensor);
      continue;
    }
    const keep32 = wants.has(FLOAT) || pinned.get(name) === FLOAT;
    if (!keep32) {
      newInitializers.push(halfTensor(tensor, name, options, report));
      producedType.set(name, FLOAT16);
    } else {
      newInitializers.push(tensor);
      producedType.set(name, FLOAT);
      if (wants.has(FLOAT16)) {
        const alias = names.fresh(`${name}_fp16`);
        newInitializers.push(halfTensor(tensor, alias, options, report));
        initializerAlias.set(name, new Map([[FLOAT16, alias]]));
      }
    }
  }
  graph.initializer = newInitializers;

  const producedName = new Map<string, string>();
  const castsAfter = new Map<Node | null, Node[]>(); // null = at the start of the graph
  const castCache = new Map<string, string>();
  const addCast = (from: string, to: string, toType: number, at: Node | null) => {
    const list = castsAfter.get(at) ?? [];
    list.push(makeNode('Cast', [from], [to], names.fresh(`${to}_cast`), [intAttribute('to', toType)]));
    castsAfter.set(at, list);
    report.castsInserted++;
  };
  // The type a name has here before any Cast: produced in this graph, or as the enclosing scope left it.
  const availableType = (name: string): number | undefined => producedType.get(name) ?? view?.final.get(name);

  // The name under which tensor `name` is available as `type`, inserting a Cast the first time it is needed.
  const nameAs = (name: string, type: number): string => {
    const alias = initializerAlias.get(name)?.get(type) ?? (type === FLOAT16 && !producedType.has(name) ? view?.fp16Alias.get(name) : undefined);
    if (alias) return alias;
    const produced = availableType(name);
    if (produced === undefined || produced === type) return producedName.get(name) ?? name;
    if (pinned.get(name) === type) return name;
    const key = `${name}\u0000${type}`;
    const cached = castCache.get(key);
    if (cached) return cached;
    const castName = names.fresh(`${name}_${type === FLOAT16 ? 'fp16' : 'fp32'}`);
    addCast(producedName.get(name) ?? name, castName, type, producer.get(name) ?? null);
    castCache.set(key, castName);
    return castName;
  };

  // A float tensor pinned to another type than it is produced in: the producer writes a renamed tensor and a Cast
  // gives the pinned name its type. A subgraph output with no producer here (an outer name or a subgraph input) is
  // cast under a fresh name, and the output renamed (subgraph outputs are matched by position).
  const renamedFrom = new Set<string>();
  for (const [name, type] of pinned) {
    const produced = availableType(name);
    const node = producer.get(name);
    if (produced === undefined || produced === type) continue;
    if (node) {
      const renamed = names.fresh(`${name}_${produced === FLOAT16 ? 'fp16' : 'fp32'}`);
      node.output = (node.output ?? []).map((output) => (output === name ? renamed : output));
      producedName.set(name, renamed);
      renamedFrom.add(renamed);
      addCast(renamed, name, type, node);
    } else if (!top) {
      const castName = nameAs(name, type);
      for (const output of graph.output ?? []) if (output.name === name) output.name = castName;
      pinned.delete(name);
      pinned.set(castName, type);
    }
  }

  for (const node of nodes) {
    // Counted when it computes on floats (an Identity of a bool changes nothing); outputs renamed above map back.
    const touchesFloat = (node.input ?? []).some((name) => name && isFloat(name)) || (node.output ?? []).some((name) => name && (isFloat(name) || renamedFrom.has(name)));
    node.input = (node.input ?? []).map((name) => (name && isFloat(name) ? nameAs(name, wanted(node)) : name));
    if (converted.has(node)) {
      if (touchesFloat) {
        report.convertedNodes++;
        if (!top) report.convertedInSubgraphs++;
      }
      convertNodeAttributes(node, options, report);
    }
  }

  // Reassemble: casts of graph inputs and outer names first, each other cast right after its producer.
  const ordered: Node[] = [...(castsAfter.get(null) ?? [])];
  for (const node of nodes) ordered.push(node, ...(castsAfter.get(node) ?? []));
  graph.node = ordered;

  // Declared types follow.
  const finalType = (name: string): number | undefined => pinned.get(name) ?? availableType(name);
  for (const info of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) {
    const tensorType = info.type?.tensorType;
    if (!tensorType || tensorType.elemType !== FLOAT) continue;
    const type = finalType(info.name ?? '');
    if (type !== undefined) tensorType.elemType = type;
  }
  // value_info of renamed tensors would now describe the pinned name's type: drop stale entries for safety.
  graph.valueInfo = (graph.valueInfo ?? []).filter((info) => !producedName.has(info.name ?? '') || finalType(info.name ?? '') === info.type?.tensorType?.elemType);

  // Subgraphs see this graph's names with their types after conversion.
  if (holders.length === 0) return;
  const final = new Map(view?.final ?? []);
  for (const [name, type] of types) if (type === FLOAT && !view?.original.has(name)) final.set(name, finalType(name) ?? FLOAT);
  const fp16Alias = new Map(view?.fp16Alias ?? []);
  for (const [name, aliases] of initializerAlias) if (aliases.has(FLOAT16)) fp16Alias.set(name, aliases.get(FLOAT16)!);
  for (const holder of holders) {
    for (const sub of subgraphsOf(holder)) {
      report.subgraphs++;
      convertGraph(sub, ctx, { original: types, final, fp16Alias });
    }
  }
}

// Inside a node that now computes in FP16: Constant tensors, ConstantOfShape values, Cast targets and dtype attributes.
function convertNodeAttributes(node: Node, options: Fp16Options, report: Fp16Report): void {
  const op = node.opType ?? '';
  const attributes: Attribute[] = [];
  for (const attribute of node.attribute ?? []) {
    if (attribute.t && attribute.t.dataType === FLOAT) {
      attributes.push({ ...attribute, t: halfTensor(attribute.t, attribute.t.name ?? '', options, report) });
    } else if (op === 'Constant' && (attribute.name === 'value_float' || attribute.name === 'value_floats')) {
      const values = attribute.name === 'value_float' ? [attribute.f ?? 0] : (attribute.floats ?? []);
      const bits = toHalfArray(Float32Array.from(values), options, report);
      report.weightBytesConverted += values.length * 4;
      const dims = attribute.name === 'value_float' ? [] : [values.length];
      attributes.push({ name: 'value', type: AttributeType.TENSOR, t: { dims, dataType: FLOAT16, rawData: new Uint8Array(bits.buffer) } });
    } else if ((op === 'Cast' && attribute.name === 'to') || (attribute.name === 'dtype' && /^(RandomNormal|RandomUniform|RandomNormalLike|EyeLike)$/.test(op))) {
      attributes.push(Number(attribute.i) === FLOAT ? { ...attribute, i: FLOAT16 } : attribute);
    } else {
      attributes.push(attribute);
    }
  }
  // Defaults that mean float32 when the attribute is absent.
  const has = (name: string) => attributes.some((attribute) => attribute.name === name);
  if (op === 'ConstantOfShape' && !has('value')) {
    attributes.push({ name: 'value', type: AttributeType.TENSOR, t: { dims: [1], dataType: FLOAT16, rawData: new Uint8Array(2) } });
  }
  if ((op === 'RandomNormal' || op === 'RandomUniform') && !has('dtype')) attributes.push(intAttribute('dtype', FLOAT16));
  node.attribute = attributes;
}
