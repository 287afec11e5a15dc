// Estimated FLOPs per sample: shapes come from one batch-1 run with every MatMul/Gemm/Conv input and output
// exposed as graph outputs (no shape-inference rules to get wrong); FLOPs = 2 × multiply-accumulates of those ops.
// Subgraph bodies (If / Loop / Scan) are counted by running each body on its own as a model, fed with the values
// the enclosing graph computed (its outer-scope reads, the node's inputs): an If counts its larger branch, a Loop or
// Scan one iteration of its body (the trip count is data; the estimate says "per iteration").
import * as ort from 'onnxruntime-node';
import { ortLogSeverity } from '../onnx/ort-logging.js';
import { describeError, RuntimeFailure } from '../errors.js';
import { synthesiseFeeds } from '../onnx/feeds.js';
import { inferElemTypes } from '../onnx/elem-types.js';
import { attributeOf, DataType, decodeModel, dimsOf, encodeModel, outerScopeReads, readFloats, readInts, toNumber, type Graph, type Model, type Node, type Tensor } from '../onnx/proto.js';
import type { BatchLayout } from '../onnx/batch-axis.js';
import { describeModel, requireRunnableIo } from './inspect.js';

const counted = new Set(['MatMul', 'Gemm', 'Conv', 'MatMulInteger', 'ConvInteger', 'ConvTranspose', 'LSTM', 'GRU', 'RNN']);
const controlFlow = new Set(['If', 'Loop', 'Scan']);

/** A control-flow node whose body was counted, and how. */
export interface SubgraphFlops {
  node: string;
  op: 'If' | 'Loop' | 'Scan';
  /** FLOPs per sample added to the total (If: the larger branch; Loop / Scan: one iteration); null when the body could not be run on its own. */
  flops: number | null;
  /** In words: which branch, "per iteration", or why it could not be counted. */
  note: string;
}

/** FLOPs per sample by op type and in total (multiply and add counted separately, as papers do). */
export interface FlopsEstimate {
  perSample: number;
  byOp: Record<string, number>;
  /** Present when the graph has If / Loop / Scan nodes: what their bodies added. */
  subgraphs?: SubgraphFlops[];
}

const product = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);
const defaultDomain = (node: Node) => !node.domain || node.domain === 'ai.onnx';

// ort tensor type → TensorProto.DataType.
const elemCodes: Record<string, number> = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8, bool: 9, float16: 10, float64: 11, uint32: 12, uint64: 13,
};

interface Counted {
  byOp: Record<string, number>;
  subgraphs: SubgraphFlops[];
}

const total = (byOp: Record<string, number>) => Object.values(byOp).reduce((sum, flops) => sum + flops, 0);
const nodeName = (node: Node, index: number) => node.name || `${node.opType}_${index}`;

// MACs of one counted node from the shapes of its inputs and output.
function macsOf(node: Node, shapeOf: (name: string) => readonly number[] | undefined): number | null {
  const op = node.opType ?? '';
  const [a = '', b = ''] = node.input ?? [];
  const output = shapeOf((node.output ?? [])[0] ?? '');
  const aShape = shapeOf(a);
  const bShape = shapeOf(b);
  if (op === 'LSTM' || op === 'GRU' || op === 'RNN') {
    // X [seq, batch, input], W [dirs, gates·H, input], R [dirs, gates·H, H]: per step and direction gates·H·(input + H).
    const rShape = shapeOf((node.input ?? [])[2] ?? '');
    if (!aShape || !bShape || !rShape) return null;
    const layout = toNumber(attributeOf(node, 'layout')?.i ?? 0);
    const steps = layout === 1 ? aShape[1]! : aShape[0]!;
    const batch = layout === 1 ? aShape[0]! : aShape[1]!;
    return steps * batch * bShape[0]! * bShape[1]! * ((bShape[2] ?? 0) + (rShape[2] ?? 0));
  }
  if (!output || !aShape || !bShape) return null;
  if (op === 'MatMul' || op === 'MatMulInteger') return product(output) * (aShape[aShape.length - 1] ?? 1);
  if (op === 'Gemm') {
    const transA = toNumber(attributeOf(node, 'transA')?.i ?? 0) === 1;
    return product(output) * (transA ? aShape[0]! : aShape[1]!);
  }
  // Conv: every output element sums (C_in / group) × kernel elements; bShape = [C_out, C_in/group, k…].
  return op === 'ConvTranspose' ? product(aShape) * product(bShape.slice(1)) : product(output) * product(bShape.slice(1));
}

// Run `graph` (with `outer` initializers it may read) as a model of its own on `feeds`, exposing `expose`.
async function runGraph(model: Model, graph: Graph, feeds: Record<string, ort.Tensor>, expose: string[]): Promise<Map<string, ort.Tensor>> {
  const types = inferElemTypes(graph);
  const existing = new Set((graph.output ?? []).map((output) => output.name ?? ''));
  const extra = expose.filter((name) => !existing.has(name) && types.get(name) !== undefined);
  const copy: Model = {
    ...model,
    irVersion: Math.max(toNumber(model.irVersion ?? 0), 4),
    graph: { ...graph, output: [...(graph.output ?? []), ...extra.map((name) => ({ name, type: { tensorType: { elemType: types.get(name)! } } }))] },
  };
  const session = await ort.InferenceSession.create(encodeModel(copy), { executionProviders: ['cpu'], logSeverityLevel: ortLogSeverity() });
  try {
    const out = await session.run(feeds);
    return new Map([...Object.entries(feeds), ...Object.entries(out)]);
  } finally {
    await session.release();
  }
}

// The body as a graph of its own: formal inputs first, then the outer names it reads (fed, or copied initializers).
function standalone(body: Graph, outerValues: Map<string, ort.Tensor>, outerInitializers: Map<string, Tensor>, formal: Array<[string, ort.Tensor]>): { graph: Graph; feeds: Record<string, ort.Tensor> } | string {
  const feeds: Record<string, ort.Tensor> = {};
  const inputs: Graph['input'] = [];
  const initializer = [...(body.initializer ?? [])];
  const add = (name: string, value: ort.Tensor) => {
    feeds[name] = value;
    inputs.push({ name, type: { tensorType: { elemType: elemCodes[value.type] ?? 1, shape: { dim: value.dims.map((d) => ({ dimValue: d })) } } } });
  };
  for (const [name, value] of formal) add(name, value);
  for (const name of outerScopeReads(body)) {
    if (name in feeds) continue;
    const constant = outerInitializers.get(name);
    const value = outerValues.get(name);
    if (constant) initializer.push(constant);
    else if (value) add(name, value);
    else return `the value of "${name}" it reads from the enclosing graph is not known`;
  }
  return { graph: { ...body, input: inputs, initializer }, feeds };
}

// An initializer as a feed (the loop-carried start value of a Loop may be one); undefined for types not needed here.
function tensorValue(tensor: Tensor): ort.Tensor | undefined {
  const dims = dimsOf(tensor);
  switch (tensor.dataType) {
    case DataType.FLOAT: return new ort.Tensor('float32', readFloats(tensor), dims);
    case DataType.INT64: return new ort.Tensor('int64', BigInt64Array.from(readInts(tensor).map(BigInt)), dims);
    case DataType.INT32: return new ort.Tensor('int32', Int32Array.from(readInts(tensor)), dims);
    default: return undefined;
  }
}

// Index 0 of a tensor along `axis` (one Scan iteration's slice of a scan input).
function firstSlice(tensor: ort.Tensor, axis: number): ort.Tensor {
  const dims = [...tensor.dims];
  const rank = dims.length;
  const a = axis < 0 ? axis + rank : axis;
  const inner = product(dims.slice(a + 1));
  const outer = product(dims.slice(0, a));
  const stride = (dims[a] ?? 1) * inner;
  const data = tensor.data as unknown as { slice(start: number, end: number): ArrayLike<unknown>; constructor: new (n: number) => { set(values: ArrayLike<unknown>, offset: number): void } };
  const out = new data.constructor(outer * inner);
  for (let o = 0; o < outer; o++) out.set(data.slice(o * stride, o * stride + inner), o * inner);
  return new ort.Tensor(tensor.type, out as never, dims.filter((_, i) => i !== a));
}

// Count one graph: its own counted nodes from one run, then each control-flow node's bodies.
async function countGraph(model: Model, graph: Graph, feeds: Record<string, ort.Tensor>, outerInitializers: Map<string, Tensor>, batchSize: number): Promise<Counted> {
  const initializers = new Map([...outerInitializers, ...(graph.initializer ?? []).map((tensor): [string, Tensor] => [tensor.name ?? '', tensor])]);
  const nodes = (graph.node ?? []).filter((node) => counted.has(node.opType ?? '') && defaultDomain(node));
  const flowNodes = (graph.node ?? []).map((node, index) => ({ node, index })).filter(({ node }) => controlFlow.has(node.opType ?? '') && defaultDomain(node));
  const expose = new Set<string>();
  for (const node of nodes) {
    const [a = '', b = '', c = ''] = node.input ?? [];
    const recurrent = ['LSTM', 'GRU', 'RNN'].includes(node.opType ?? '');
    for (const name of [a, b, recurrent ? c : '', (node.output ?? [])[0] ?? '']) if (name && !initializers.has(name) && !(name in feeds)) expose.add(name);
  }
  for (const { node } of flowNodes) {
    for (const name of node.input ?? []) if (name && !initializers.has(name) && !(name in feeds)) expose.add(name);
    for (const a of node.attribute ?? []) {
      for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) for (const name of outerScopeReads(sub)) if (!initializers.has(name) && !(name in feeds)) expose.add(name);
    }
  }
  const values = await runGraph(model, graph, feeds, [...expose]);
  const shapeOf = (name: string): readonly number[] | undefined => values.get(name)?.dims ?? initializers.get(name)?.dims?.map(toNumber);
  const valueOf = (name: string): ort.Tensor | undefined => values.get(name) ?? (initializers.has(name) ? tensorValue(initializers.get(name)!) : undefined);
  const byOp: Record<string, number> = {};
  const addFlops = (op: string, flops: number) => (byOp[op] = (byOp[op] ?? 0) + flops);
  for (const node of nodes) {
    const macs = macsOf(node, shapeOf);
    if (macs !== null) addFlops(node.opType!, (2 * macs) / batchSize);
  }
  const subgraphs: SubgraphFlops[] = [];
  for (const { node, index } of flowNodes) {
    const name = nodeName(node, index);
    const op = node.opType as SubgraphFlops['op'];
    const body = async (g: Graph, formal: Array<[string, ort.Tensor]>): Promise<Counted | string> => {
      const made = standalone(g, values, initializers, formal);
      if (typeof made === 'string') return made;
      try {
        return await countGraph(model, made.graph, made.feeds, new Map(), batchSize);
      } catch (error) {
        return describeError(error).message;
      }
    };
    const merge = (sub: Counted) => {
      for (const [key, flops] of Object.entries(sub.byOp)) addFlops(key, flops);
      subgraphs.push(...sub.subgraphs);
    };
    let result: Counted | string;
    let note: string;
    if (op === 'If') {
      const branches = await Promise.all(['then_branch', 'else_branch'].map(async (key) => {
        const g = attributeOf(node, key)?.g;
        return g ? body(g, []) : 'no branch';
      }));
      const [then, otherwise] = branches;
      const flopsOf = (r: Counted | string | undefined) => (typeof r === 'object' ? total(r.byOp) : -1);
      const thenLarger = flopsOf(then) >= flopsOf(otherwise);
      result = (thenLarger ? then : otherwise) ?? 'no branch';
      const other = thenLarger ? otherwise : then;
      note = `larger branch (${thenLarger ? 'then' : 'else'}) counted; the other ${typeof other === 'object' ? `has ${formatFlops(total(other.byOp))}` : `could not be run on its own (${(other ?? '').slice(0, 160)})`}`;
    } else {
      const g = attributeOf(node, 'body')?.g;
      const formalNames = (g?.input ?? []).map((input) => input.name ?? '');
      const formal: Array<[string, ort.Tensor]> = [];
      if (op === 'Loop') {
        // Body inputs: iteration number, condition, then the loop-carried values (the Loop's inputs from the third on).
        formal.push([formalNames[0]!, new ort.Tensor('int64', BigInt64Array.from([0n]), [])], [formalNames[1]!, new ort.Tensor('bool', [true], [])]);
        (node.input ?? []).slice(2).forEach((input, i) => formal.push([formalNames[i + 2]!, valueOf(input)!]));
      } else {
        // Scan: state variables as they are, then one slice of each scan input along its scan axis.
        const scanInputs = toNumber(attributeOf(node, 'num_scan_inputs')?.i ?? 0);
        const inputs = node.input ?? [];
        const states = inputs.length - scanInputs;
        const axes = (attributeOf(node, 'scan_input_axes')?.ints ?? []).map(toNumber);
        inputs.forEach((input, i) => {
          const value = valueOf(input);
          if (value) formal.push([formalNames[i]!, i < states ? value : firstSlice(value, axes[i - states] ?? 0)]);
        });
      }
      result = g && formal.every(([, value]) => value !== undefined) ? await body(g, formal) : 'its inputs are not known';
      note = 'one iteration (per iteration)';
    }
    if (typeof result === 'string') subgraphs.push({ node: name, op, flops: null, note: `not counted: ${result}` });
    else {
      subgraphs.push({ node: name, op, flops: total(result.byOp), note });
      merge(result);
    }
  }
  return { byOp, subgraphs };
}

/** A FLOP count with an SI prefix (`1.23 GFLOP`). */
export function formatFlops(flops: number): string {
  const units: Array<[number, string]> = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  const [scale, unit] = units.find(([s]) => flops >= s) ?? [1, ''];
  return `${(flops / scale).toPrecision(3)} ${unit}FLOP`;
}

/** Run the model once at batch 1 (or its fixed batch) and count the MACs of its MatMul, Gemm and Conv nodes, subgraph bodies included. */
export async function estimateFlops(bytes: Uint8Array, file: string, layout: BatchLayout): Promise<FlopsEstimate> {
  requireRunnableIo(describeModel(bytes, file));
  const model = decodeModel(bytes, file);
  const batchSize = layout.fixedBatch ?? 1;
  const feeds = synthesiseFeeds(layout.inputs, batchSize, 1);
  let result: Counted;
  try {
    result = await countGraph(model, model.graph!, feeds, new Map(), batchSize);
  } catch (error) {
    throw new RuntimeFailure('FLOPS_PROBE_FAILED', `${file}: could not run the model once to count FLOPs: ${describeError(error).message}`, { cause: error });
  }
  const byOp = Object.fromEntries(Object.entries(result.byOp).sort(([a], [b]) => a.localeCompare(b)));
  return { perSample: total(byOp), byOp, ...(result.subgraphs.length > 0 ? { subgraphs: result.subgraphs } : {}) };
}
