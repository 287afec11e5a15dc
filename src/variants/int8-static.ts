// FP32 → INT8 static QDQ with onnxruntime's quantize_static semantics (QDQ format): QuantizeLinear/DequantizeLinear
// pairs on the activations around Conv, MatMul and Gemm, weights stored int8 (symmetric, per channel where the
// op allows), biases int32 at scale x_scale × w_scale, activation ranges from a calibration pass.
// Before quantizing, constants are folded into initializers (fold-constants.ts) and a BatchNormalization that follows
// a Conv is folded into it, as quant_pre_process does.
// Subgraphs (If / Loop / Scan bodies): onnxruntime's calibrate.py (CalibraterBase.select_tensors_to_calibrate walks
// model.graph.node, skipping initializers) only adds outputs for tensors of the main graph, so
// nothing inside a subgraph has a calibrated range. Their MatMul / Gemm / Conv with constant weights are quantized the
// dynamic way (DynamicQuantizeLinear + MatMulInteger / ConvInteger: ranges taken at run time); below opset 11 they
// stay FP32 with that reason.
import * as ort from 'onnxruntime-node';
import { ortLogSeverity } from '../onnx/ort-logging.js';
import { describeError, ModelError, RuntimeFailure } from '../errors.js';
import { inferElemTypes } from '../onnx/elem-types.js';
import type { FeedBatch } from './fidelity.js';
import { foldConstants, type FoldReport } from './fold-constants.js';
import { quantizeGraphDynamic, type DynamicContext, type Int8DynamicReport } from './int8-dynamic.js';
import {
  attributeOf,
  constantInitializers,
  DataType,
  defaultOpset,
  dimsOf,
  dropUnreadInitializers,
  encodeModel,
  floatTensor,
  intAttribute,
  intTensor,
  makeNode,
  NameScope,
  outerScopeReads,
  readFloats,
  subgraphsOf,
  toNumber,
  type Graph,
  type Model,
  type Node,
  type Tensor,
} from '../onnx/proto.js';
import { minMax, quantizeSymmetricInt8, roundHalfEven, scaleAndZeroPoint } from './quantize-math.js';

/** How activation ranges are taken from the calibration outputs. */
export type CalibrationMethod = 'minmax' | 'percentile';

/** Options of the static quantization. */
export interface Int8StaticOptions {
  method: CalibrationMethod;
  /** For `percentile`: the share of values kept inside the range, in percent (99.99 keeps all but 1 in 10,000). */
  percentile: number;
  /** Per-channel weight scales (Conv: output channels; MatMul/Gemm: output columns); needs opset 13. */
  perChannel: boolean;
  keepFp32: string[];
  /** Node names left in FP32 (onnxruntime's nodes_to_exclude; set by the fidelity search). */
  excludeNodes?: ReadonlySet<string>;
}

/** onnxruntime's defaults, with per-channel weights on. */
export const defaultInt8StaticOptions: Int8StaticOptions = { method: 'minmax', percentile: 99.99, perChannel: true, keepFp32: [] };

/** What the static quantization did. */
export interface Int8StaticReport {
  /** Nodes quantized by original op type (main graph QDQ and subgraph dynamic-style). */
  quantized: Record<string, number>;
  leftFp32: Array<{ node: string; op: string; reason: string }>;
  foldedBatchNorms: number;
  /** Constants folded into initializers first. */
  folded: FoldReport;
  calibratedTensors: number;
  perChannel: boolean;
  /** Nodes quantized inside If / Loop / Scan bodies (dynamic-style; also counted in `quantized`). */
  quantizedInSubgraphs: number;
  /** Subgraphs walked (any depth). */
  subgraphs: number;
  /** Bytes of float weights replaced by int8 ones. */
  weightBytesQuantized: number;
}

const quantizableOps = new Set(['Conv', 'MatMul', 'Gemm']);
// Values kept per tensor for percentile calibration (strided subsample; ranges are robust to it).
const percentileSampleLimit = 200_000;

function isDefaultDomain(node: Node): boolean {
  return !node.domain || node.domain === 'ai.onnx';
}

/** Fold Conv → BatchNormalization (constant parameters, single consumer) into the Conv's weight and bias. */
export function foldBatchNorms(graph: Graph): number {
  const initializers = constantInitializers(graph);
  const readers = new Map<string, number>();
  for (const node of graph.node ?? []) {
    for (const name of node.input ?? []) readers.set(name, (readers.get(name) ?? 0) + 1);
    for (const sub of subgraphsOf(node)) for (const name of outerScopeReads(sub)) readers.set(name, (readers.get(name) ?? 0) + 1);
  }
  for (const output of graph.output ?? []) readers.set(output.name ?? '', (readers.get(output.name ?? '') ?? 0) + 1);
  const producers = new Map<string, Node>();
  for (const node of graph.node ?? []) for (const name of node.output ?? []) producers.set(name, node);
  const removed = new Set<Node>();
  const names = new NameScope(graph);
  let folded = 0;
  for (const bn of graph.node ?? []) {
    if (bn.opType !== 'BatchNormalization' || !isDefaultDomain(bn) || (bn.output ?? []).filter(Boolean).length !== 1) continue;
    const [x = '', scaleName = '', biasName = '', meanName = '', varName = ''] = bn.input ?? [];
    const conv = producers.get(x);
    if (!conv || conv.opType !== 'Conv' || !isDefaultDomain(conv) || readers.get(x) !== 1) continue;
    const params = [scaleName, biasName, meanName, varName].map((name) => initializers.get(name));
    const weight = initializers.get((conv.input ?? [])[1] ?? '');
    const convBiasName = (conv.input ?? [])[2] ?? '';
    const convBias = convBiasName ? initializers.get(convBiasName) : undefined;
    if (params.some((p) => !p || p.dataType !== DataType.FLOAT) || !weight || weight.dataType !== DataType.FLOAT || (convBiasName && !convBias)) continue;
    const epsilon = attributeOf(bn, 'epsilon')?.f ?? 1e-5;
    const [gamma, beta, mean, variance] = params.map((p) => readFloats(p!)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const dims = dimsOf(weight);
    const channels = dims[0]!;
    const perChannel = weight.dims ? readFloats(weight).length / channels : 0;
    const w = readFloats(weight);
    const b = convBias ? readFloats(convBias) : new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const factor = gamma[c]! / Math.sqrt(variance[c]! + epsilon);
      for (let i = 0; i < perChannel; i++) w[c * perChannel + i] = w[c * perChannel + i]! * factor;
      b[c] = (b[c]! - mean[c]!) * factor + beta[c]!;
    }
    const weightName = names.fresh(`${weight.name}_bn_folded`);
    const biasNameNew = names.fresh(`${conv.name || 'conv'}_bias_bn_folded`);
    graph.initializer!.push(floatTensor(weightName, dims, w), floatTensor(biasNameNew, [channels], b));
    conv.input = [(conv.input ?? [])[0] ?? '', weightName, biasNameNew];
    conv.output = [(bn.output ?? [])[0]!];
    removed.add(bn);
    folded++;
  }
  graph.node = (graph.node ?? []).filter((node) => !removed.has(node));
  if (folded > 0) dropUnreadInitializers(graph);
  return folded;
}

// The float activations to calibrate: non-constant float inputs and outputs of the nodes to quantize.
function plan(model: Model, options: Int8StaticOptions) {
  const graph = model.graph!;
  const types = inferElemTypes(graph);
  const initializers = constantInitializers(graph);
  const constant = (name: string) => initializers.get(name) ?? null;
  const keep = new Set(options.keepFp32);
  const nodes: Node[] = [];
  const leftFp32: Int8StaticReport['leftFp32'] = [];
  const activations = new Set<string>();
  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    if (!isDefaultDomain(node) || !quantizableOps.has(op)) continue;
    if (keep.has(op)) {
      leftFp32.push({ node: node.name ?? '', op, reason: 'kept in FP32 by --keep-fp32' });
      continue;
    }
    if (options.excludeNodes?.has(node.name ?? '')) {
      leftFp32.push({ node: node.name ?? '', op, reason: 'excluded by the fidelity search (nodes_to_exclude)' });
      continue;
    }
    const [a = '', b = ''] = node.input ?? [];
    if (types.get(a) !== DataType.FLOAT || (types.get(b) ?? DataType.FLOAT) !== DataType.FLOAT) {
      leftFp32.push({ node: node.name ?? '', op, reason: 'input is not float32' });
      continue;
    }
    if (constant(a)) {
      leftFp32.push({ node: node.name ?? '', op, reason: 'input A is a constant: nothing to calibrate' });
      continue;
    }
    if (op === 'Gemm' && toNumber(attributeOf(node, 'transA')?.i ?? 0) !== 0) {
      leftFp32.push({ node: node.name ?? '', op, reason: 'Gemm with transA: left in FP32' });
      continue;
    }
    if (op !== 'MatMul' && !constant(b)) {
      leftFp32.push({ node: node.name ?? '', op, reason: 'weight is not a constant' });
      continue;
    }
    nodes.push(node);
    for (const name of [a, ...(op === 'MatMul' && !constant(b) ? [b] : [])]) activations.add(name);
    const output = (node.output ?? [])[0];
    if (output && types.get(output) === DataType.FLOAT) activations.add(output);
  }
  return { nodes, leftFp32, activations: [...activations], constant };
}

/** The file a model was decoded from: its weights can be read from there instead of being encoded again. */
export interface ModelSource {
  file: string;
  bytes: Uint8Array;
}

// Initializers whose bytes are a view into the source file's bytes point at the file as external data, so the
// calibration model is a few kilobytes and onnxruntime reads the weights from disk instead of from another copy.
function externalised(graph: Graph, source: ModelSource | undefined): { initializer: Tensor[]; mapped: boolean } {
  const initializer = graph.initializer ?? [];
  if (!source) return { initializer, mapped: false };
  let mapped = false;
  const out = initializer.map((tensor): Tensor => {
    const raw = tensor.rawData;
    if (!raw || raw.length < 1024 || raw.buffer !== source.bytes.buffer) return tensor;
    const offset = raw.byteOffset - source.bytes.byteOffset;
    if (offset < 0 || offset + raw.length > source.bytes.length) return tensor;
    mapped = true;
    return {
      name: tensor.name ?? '', dims: tensor.dims ?? [], dataType: tensor.dataType ?? 0, dataLocation: 1,
      externalData: [{ key: 'location', value: 'joulebench-source.onnx' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(raw.length) }],
    };
  });
  return { initializer: out, mapped };
}

type Ranges = Map<string, { min: number; max: number }>;

// Fold one batch's values of a tensor into its range (and its percentile sample).
function observe(name: string, data: Float32Array, ranges: Ranges, samples: Map<string, number[]>, options: Int8StaticOptions, batches: number): void {
  const { min, max } = minMax(data);
  const range = ranges.get(name);
  ranges.set(name, range ? { min: Math.min(range.min, min), max: Math.max(range.max, max) } : { min, max });
  if (options.method !== 'percentile') return;
  const kept = samples.get(name) ?? [];
  const stride = Math.max(1, Math.ceil((data.length * batches) / percentileSampleLimit));
  for (let i = 0; i < data.length; i += stride) if (Number.isFinite(data[i]!)) kept.push(data[i]!);
  samples.set(name, kept);
}

// "tensor "t" (output of Conv node "conv1")" / "(graph input)": what a calibration failure names.
function describeTensor(graph: Graph, name: string): string {
  const producer = (graph.node ?? []).find((node) => (node.output ?? []).includes(name));
  if (producer) return `tensor "${name}" (output of ${producer.opType} node "${producer.name ?? ''}")`;
  return (graph.input ?? []).some((input) => input.name === name) ? `tensor "${name}" (graph input)` : `tensor "${name}"`;
}

/**
 * Ranges of each activation over the calibration batches. Only main-graph tensors can be fetched (calibrate.py adds
 * outputs for the main graph only). Graph inputs are read from the feeds; the rest are fetched as extra outputs. With
 * nothing to fetch no session is made (onnxruntime refuses an empty fetch list).
 */
export async function calibrate(model: Model, tensors: string[], batches: FeedBatch[], options: Int8StaticOptions, source?: ModelSource): Promise<Ranges> {
  const graph = model.graph!;
  const ranges: Ranges = new Map();
  const samples = new Map<string, number[]>();
  const fed = tensors.filter((name) => batches.length > 0 && batches.every((feeds) => feeds[name] !== undefined));
  const fetched = tensors.filter((name) => !fed.includes(name));
  for (const feeds of batches) {
    for (const name of fed) {
      const data = feeds[name]!.data;
      if (!(data instanceof Float32Array)) throw new RuntimeFailure('CALIBRATION_FAILED', `INT8 calibration: ${describeTensor(graph, name)} is fed as ${feeds[name]!.type}, not float32`);
      observe(name, data, ranges, samples, options, batches.length);
    }
  }
  if (fetched.length > 0) await fetchRanges(model, fetched, batches, options, source, ranges, samples);
  if (options.method === 'percentile') {
    for (const [name, kept] of samples) {
      const values = Float32Array.from(kept).sort();
      const at = (p: number) => values[Math.min(values.length - 1, Math.max(0, Math.round((p / 100) * (values.length - 1))))] ?? 0;
      ranges.set(name, { min: at(100 - options.percentile), max: at(options.percentile) });
    }
  }
  return ranges;
}

// Run the calibration batches with `tensors` exposed as outputs; a failure names the tensor that caused it.
async function fetchRanges(model: Model, tensors: string[], batches: FeedBatch[], options: Int8StaticOptions, source: ModelSource | undefined, ranges: Ranges, samples: Map<string, number[]>): Promise<void> {
  const graph = model.graph!;
  const existing = new Set((graph.output ?? []).map((output) => output.name ?? ''));
  const added = tensors.filter((name) => !existing.has(name));
  const { initializer, mapped } = externalised(graph, source);
  const augmented: Model = { ...model, graph: { ...graph, initializer, output: [...(graph.output ?? []), ...added.map((name) => ({ name, type: { tensorType: { elemType: DataType.FLOAT } } }))] } };
  let session: ort.InferenceSession;
  try {
    // Calibration runs a handful of batches: no weight pre-packing, arena or memory patterns, which would each hold
    // another copy-sized block of memory while the model is being quantized.
    session = await ort.InferenceSession.create(encodeModel(augmented), {
      executionProviders: ['cpu'], logSeverityLevel: ortLogSeverity(), enableCpuMemArena: false, enableMemPattern: false,
      extra: { session: { disable_prepacking: '1' } },
      ...(mapped ? { externalData: [{ path: 'joulebench-source.onnx', data: source!.bytes }] } : {}),
    });
  } catch (error) {
    // onnxruntime's message names the offending output when one is the cause: name it with its node.
    const message = describeError(error).message;
    const named = tensors.filter((name) => message.includes(`(${name})`) || message.includes(`'${name}'`) || message.includes(`"${name}"`));
    const shown = named.length > 0 ? named : tensors.slice(0, 3);
    throw new RuntimeFailure('CALIBRATION_FAILED', `INT8 calibration: onnxruntime cannot load the model with ${named.length > 0 ? '' : `${tensors.length} activation(s) exposed, e.g. `}${shown.map((name) => describeTensor(graph, name)).join(', ')}${named.length === 0 && tensors.length > 3 ? ', …' : ''} exposed as an output: ${message}`, {
      cause: error, hint: 'keep that node in FP32 (--keep-fp32 OP) or use dynamic INT8',
    });
  }
  try {
    for (const feeds of batches) {
      let outputs: ort.InferenceSession.ReturnType;
      try {
        outputs = await session.run(feeds, tensors);
      } catch (error) {
        throw new RuntimeFailure('CALIBRATION_FAILED', `INT8 calibration: running the calibration inputs failed${await culprit(session, feeds, tensors, graph)}: ${describeError(error).message}`, { cause: error });
      }
      for (const name of tensors) {
        const data = outputs[name]?.data;
        if (!(data instanceof Float32Array)) {
          throw new RuntimeFailure('CALIBRATION_FAILED', `INT8 calibration: ${describeTensor(graph, name)} came back ${data ? `as ${outputs[name]!.type}, not float32` : 'empty'}`, {
            hint: `keep that node in FP32 (--keep-fp32 ${(graph.node ?? []).find((node) => (node.output ?? []).includes(name))?.opType ?? 'OP'}) or use dynamic INT8`,
          });
        }
        observe(name, data, ranges, samples, options, batches.length);
      }
    }
  } finally {
    await session.release();
  }
}

// After a failed run: " (the model itself fails …)" when its own outputs fail too, else the first exposed tensor
// that fails on its own (" at tensor … (output of …)"), else "".
async function culprit(session: ort.InferenceSession, feeds: FeedBatch, tensors: string[], graph: Graph): Promise<string> {
  const own = (graph.output ?? []).map((output) => output.name ?? '');
  try {
    await session.run(feeds, own);
  } catch {
    return ` (the model fails on these inputs without any exposed activation: check their shapes against inputs ${(graph.input ?? []).map((input) => `"${input.name}"`).join(', ')})`;
  }
  for (const name of tensors) {
    try {
      await session.run(feeds, [name]);
    } catch {
      return ` at ${describeTensor(graph, name)}`;
    }
  }
  return '';
}

/** Quantize a decoded FP32 model to QDQ INT8 in place, calibrating on `batches`. */
export async function quantizeStatic(model: Model, batches: FeedBatch[], options: Int8StaticOptions = defaultInt8StaticOptions, source?: ModelSource): Promise<Int8StaticReport> {
  const opset = defaultOpset(model);
  if (opset < 10) {
    throw new ModelError('VARIANT_OPSET_TOO_OLD', `the model's opset ${opset} is older than 10; QDQ INT8 needs QuantizeLinear (opset 10)`, {
      hint: 'update the model to opset 13 or newer with onnx.version_converter, or pass an INT8 file as the int8 variant',
    });
  }
  const graph = model.graph!;
  const folded = foldConstants(graph);
  const foldedBatchNorms = foldBatchNorms(graph);
  const perChannel = options.perChannel && opset >= 13;
  const inner = quantizeSubgraphs(graph, options, opset);
  const { nodes, leftFp32, activations, constant } = plan(model, options);
  const report: Int8StaticReport = {
    quantized: { ...inner.quantized }, leftFp32: [...leftFp32, ...inner.leftFp32], foldedBatchNorms, folded, calibratedTensors: activations.length, perChannel,
    quantizedInSubgraphs: inner.quantizedInSubgraphs, subgraphs: inner.subgraphs, weightBytesQuantized: inner.weightBytesQuantized,
  };
  // Nothing to quantize in the main graph: nothing to calibrate either (never a run with an empty fetch list).
  if (nodes.length === 0) return report;
  const ranges = await calibrate(model, activations, batches, options, source);
  const names = new NameScope(graph);
  const added: Tensor[] = [];
  const weightsCounted = new Set<string>();

  // Activations: Q → DQ right after the producer; every reader then reads the dequantized tensor.
  const activationScale = new Map<string, number>();
  const dequantized = new Map<string, string>();
  const qdqAfter = new Map<Node | null, Node[]>();
  const producers = new Map<string, Node>();
  for (const node of graph.node ?? []) for (const name of node.output ?? []) producers.set(name, node);
  for (const name of activations) {
    const range = ranges.get(name) ?? { min: 0, max: 0 };
    const { scale, zeroPoint } = scaleAndZeroPoint(range.min, range.max, 'int8', false);
    const scaleName = names.fresh(`${name}_scale`);
    const zeroName = names.fresh(`${name}_zero_point`);
    added.push(floatTensor(scaleName, [], [scale]), intTensor(zeroName, [], [zeroPoint], DataType.INT8));
    const quantizedName = names.fresh(`${name}_QuantizeLinear_Output`);
    const dequantizedName = names.fresh(`${name}_DequantizeLinear_Output`);
    const at = producers.get(name) ?? null;
    const list = qdqAfter.get(at) ?? [];
    list.push(
      makeNode('QuantizeLinear', [name, scaleName, zeroName], [quantizedName], names.fresh(`${name}_QuantizeLinear`)),
      makeNode('DequantizeLinear', [quantizedName, scaleName, zeroName], [dequantizedName], names.fresh(`${name}_DequantizeLinear`)),
    );
    qdqAfter.set(at, list);
    activationScale.set(name, scale);
    dequantized.set(name, dequantizedName);
  }

  // Weights (int8, symmetric) and biases (int32) of each quantized node.
  const weightDequantized = new Map<string, { name: string; scales: number[] }>();
  const weightNodes: Node[] = [];
  const quantizeWeight = (tensor: Tensor, axis: number | null): { name: string; scales: number[] } => {
    const key = `${tensor.name}\u0000${axis}`;
    const cached = weightDequantized.get(key);
    if (cached) return cached;
    const dims = dimsOf(tensor);
    const values = readFloats(tensor);
    const { quantized, scales } = quantizeSymmetricInt8(values, dims, axis);
    const channels = scales.length;
    const base = tensor.name ?? 'weight';
    const qName = names.fresh(`${base}_quantized`);
    const scaleName = names.fresh(`${base}_scale`);
    const zeroName = names.fresh(`${base}_zero_point`);
    const dqName = names.fresh(`${base}_DequantizeLinear_Output`);
    const scaleDims = axis === null ? [] : [channels];
    added.push(intTensor(qName, dims, quantized, DataType.INT8), floatTensor(scaleName, scaleDims, scales), intTensor(zeroName, scaleDims, new Array<number>(scales.length).fill(0), DataType.INT8));
    weightNodes.push(makeNode('DequantizeLinear', [qName, scaleName, zeroName], [dqName], names.fresh(`${base}_DequantizeLinear`), axis === null ? [] : [intAttribute('axis', axis)]));
    const result = { name: dqName, scales };
    weightDequantized.set(key, result);
    if (!weightsCounted.has(base)) {
      weightsCounted.add(base);
      report.weightBytesQuantized += values.length * 4;
    }
    return result;
  };
  const quantizeBias = (tensor: Tensor, inputScale: number, weightScales: number[]): string => {
    const values = readFloats(tensor);
    const scales = values.length === weightScales.length ? weightScales.map((s) => Math.fround(s * inputScale)) : [Math.fround(weightScales[0]! * inputScale)];
    const quantized = Array.from(values, (value, i) => {
      const scale = scales[scales.length === 1 ? 0 : i]!;
      return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, roundHalfEven(value / scale)));
    });
    const base = tensor.name ?? 'bias';
    const qName = names.fresh(`${base}_quantized`);
    const scaleName = names.fresh(`${base}_scale`);
    const zeroName = names.fresh(`${base}_zero_point`);
    const dqName = names.fresh(`${base}_DequantizeLinear_Output`);
    const scaleDims = scales.length === 1 ? [] : [scales.length];
    added.push(intTensor(qName, dimsOf(tensor), quantized, DataType.INT32), floatTensor(scaleName, scaleDims, scales), intTensor(zeroName, scaleDims, new Array<number>(scales.length).fill(0), DataType.INT32));
    weightNodes.push(makeNode('DequantizeLinear', [qName, scaleName, zeroName], [dqName], names.fresh(`${base}_DequantizeLinear`), scales.length === 1 ? [] : [intAttribute('axis', 0)]));
    return dqName;
  };

  for (const node of nodes) {
    const op = node.opType ?? '';
    const inputs = [...(node.input ?? [])];
    const [a = '', b = '', c = ''] = inputs;
    const weight = constant(b);
    if (weight) {
      const rank = dimsOf(weight).length;
      const transB = op === 'Gemm' && toNumber(attributeOf(node, 'transB')?.i ?? 0) === 1;
      // Output channels: Conv axis 0; MatMul/Gemm the last axis of B (axis 0 when Gemm transposes B).
      const axis = !perChannel ? null : op === 'Conv' ? 0 : op === 'Gemm' ? (transB ? 0 : 1) : rank === 2 ? 1 : null;
      const w = quantizeWeight(weight, axis);
      inputs[1] = w.name;
      const bias = c ? constant(c) : null;
      const inputScale = activationScale.get(a);
      if (bias && inputScale !== undefined && (op === 'Conv' || (op === 'Gemm' && dimsOf(bias).length === 1))) inputs[2] = quantizeBias(bias, inputScale, w.scales);
    }
    node.input = inputs;
    report.quantized[op] = (report.quantized[op] ?? 0) + 1;
  }
  // Every reader of a calibrated activation reads its dequantized form (the Q node itself reads the original).
  const qdqNodes = new Set([...qdqAfter.values()].flat());
  for (const node of graph.node ?? []) {
    if (qdqNodes.has(node)) continue;
    node.input = (node.input ?? []).map((name) => dequantized.get(name) ?? name);
  }
  const ordered: Node[] = [...weightNodes, ...(qdqAfter.get(null) ?? [])];
  for (const node of graph.node ?? []) ordered.push(node, ...(qdqAfter.get(node) ?? []));
  graph.node = ordered;
  graph.initializer = [...(graph.initializer ?? []), ...added];
  dropUnreadInitializers(graph);
  return report;
}

// If / Loop / Scan bodies of the main graph: dynamic-style INT8 (no calibrated ranges exist there), opset 11+.
function quantizeSubgraphs(graph: Graph, options: Int8StaticOptions, opset: number): Int8DynamicReport {
  const report: Int8DynamicReport = { quantized: {}, leftFp32: [], folded: { constantsToInitializers: 0, nodesFolded: 0, subgraphs: 0 }, quantizedInSubgraphs: 0, subgraphs: 0, weightBytesQuantized: 0 };
  const holders = (graph.node ?? []).filter((node) => subgraphsOf(node).length > 0);
  if (holders.length === 0) return report;
  const ctx: DynamicContext = { names: new NameScope(graph), keep: new Set(options.keepFp32), perChannel: options.perChannel, report, weightsCounted: new Set() };
  const constants = constantInitializers(graph);
  const types = inferElemTypes(graph);
  const leave = (sub: Graph) => {
    for (const node of sub.node ?? []) {
      if (isDefaultDomain(node) && quantizableOps.has(node.opType ?? '')) {
        report.leftFp32.push({ node: node.name ?? '', op: node.opType ?? '', reason: `inside a subgraph (no calibrated range there) and the model's opset ${opset} is older than 11, which dynamic INT8 needs` });
      }
      for (const nested of subgraphsOf(node)) {
        report.subgraphs++;
        leave(nested);
      }
    }
  };
  for (const node of holders) {
    for (const sub of subgraphsOf(node)) {
      report.subgraphs++;
      if (opset >= 11) quantizeGraphDynamic(sub, ctx, constants, types, true);
      else leave(sub);
    }
  }
  dropUnreadInitializers(graph);
  return report;
}
