// What precision a model file already is: publishers ship FP16 and INT8 files next to (or instead of) FP32 ones.
// INT8: the graph holds the ops onnxruntime's quantizer writes (QDQ pairs, QLinear*, ConvInteger / MatMulInteger,
// DynamicQuantizeLinear, com.microsoft's quantized kernels) or integer weights feeding DequantizeLinear.
// FP16: the float weights are FLOAT16 and the compute is too (weights stored FP16 but cast to FP32 at once are FP32
// compute); mixed: FP16 and FP32 weights each carry a substantial share of the float bytes.
import onnxProto from 'onnx-proto';
import { ModelError } from '../errors.js';

type Graph = onnxProto.onnx.IGraphProto;
type Tensor = onnxProto.onnx.ITensorProto;

/** The detected precision of a model. */
export type DetectedPrecision = 'fp32' | 'fp16' | 'int8' | 'mixed';

/** The verdict with what it rests on. */
export interface PrecisionDetection {
  precision: DetectedPrecision;
  /** In words, for `inspect` and for the refusal to reduce a model twice. */
  reason: string;
  /** Bytes of weight tensors (initializers and Constant nodes, subgraphs included) by element type. */
  weightBytes: { fp32: number; fp16: number; int8: number };
  /** Quantized ops found, by op type. */
  quantizedOps: Record<string, number>;
}

const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const FLOAT16 = 10;
const BFLOAT16 = 16;

// Ops only a quantized graph has (ai.onnx and com.microsoft).
const quantizedOps = new Set([
  'ConvInteger', 'MatMulInteger', 'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear', 'QLinearConv', 'QLinearMatMul',
  'QLinearAdd', 'QLinearMul', 'QLinearAveragePool', 'QLinearGlobalAveragePool', 'QLinearConcat', 'QLinearSigmoid', 'QLinearLeakyRelu',
  'QLinearSoftmax', 'QGemm', 'QAttention', 'DynamicQuantizeMatMul', 'MatMulIntegerToFloat', 'DynamicQuantizeLSTM', 'QOrderedMatMul',
]);

// A share of the float weight bytes counts as "substantial" from 10% (below that: a few norms or biases kept in FP32).
const substantialShare = 0.1;
// Tensors with fewer elements are shapes, scalars and indices rather than weights.
const minWeightElements = 16;

const elementCount = (tensor: Tensor) => (tensor.dims ?? []).reduce<number>((product, dim) => product * Number(dim), 1);
const bytesPer: Record<number, number> = { [FLOAT]: 4, [FLOAT16]: 2, [BFLOAT16]: 2, [INT8]: 1, [UINT8]: 1 };

function eachGraph(graph: Graph, visit: (g: Graph) => void) {
  visit(graph);
  for (const node of graph.node ?? []) for (const a of node.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) eachGraph(sub, visit);
}

/** Detect the precision of a decoded model. */
export function detectPrecision(graph: Graph): PrecisionDetection {
  const weightBytes = { fp32: 0, fp16: 0, int8: 0 };
  const found: Record<string, number> = {};
  const tensors = new Map<string, Tensor>();
  const readers = new Map<string, string[]>();
  let fp16CastToFp32Bytes = 0;
  eachGraph(graph, (g) => {
    for (const tensor of g.initializer ?? []) tensors.set(tensor.name ?? '', tensor);
    for (const node of g.node ?? []) {
      const value = node.opType === 'Constant' ? (node.attribute ?? []).find((a) => a.name === 'value')?.t : undefined;
      if (value && node.output?.[0]) tensors.set(node.output[0], value);
      if (quantizedOps.has(node.opType ?? '')) found[node.opType!] = (found[node.opType!] ?? 0) + 1;
      for (const [index, name] of (node.input ?? []).entries()) {
        const to = node.opType === 'Cast' ? Number((node.attribute ?? []).find((a) => a.name === 'to')?.i ?? 0) : 0;
        (readers.get(name) ?? readers.set(name, []).get(name)!).push(`${node.opType}:${index}:${to}`);
      }
    }
  });
  for (const [name, tensor] of tensors) {
    const count = elementCount(tensor);
    if (count < minWeightElements) continue;
    const bytes = count * (bytesPer[tensor.dataType ?? 0] ?? 0);
    if (tensor.dataType === FLOAT) weightBytes.fp32 += bytes;
    else if (tensor.dataType === FLOAT16 || tensor.dataType === BFLOAT16) {
      weightBytes.fp16 += bytes;
      // FP16 storage, FP32 compute: every reader casts it to FLOAT.
      const uses = readers.get(name) ?? [];
      if (uses.length > 0 && uses.every((use) => use === `Cast:0:${FLOAT}`)) fp16CastToFp32Bytes += bytes;
    } else if (tensor.dataType === INT8 || tensor.dataType === UINT8) {
      const uses = readers.get(name) ?? [];
      if (uses.some((use) => /^(DequantizeLinear:0|ConvInteger:1|MatMulInteger:1|QLinear\w+:\d|QGemm:\d|QAttention:\d):/.test(use))) weightBytes.int8 += bytes;
    }
  }
  const quantized = Object.keys(found).length > 0 || weightBytes.int8 > 0;
  const ops = Object.fromEntries(Object.entries(found).sort(([a], [b]) => a.localeCompare(b)));
  const floatBytes = weightBytes.fp32 + weightBytes.fp16;
  const fp16Compute = weightBytes.fp16 - fp16CastToFp32Bytes;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  if (quantized) {
    const list = Object.entries(ops).map(([op, n]) => `${op}×${n}`).join(', ');
    return { precision: 'int8', reason: `quantized: ${list || 'integer weights feeding DequantizeLinear'}${weightBytes.int8 > 0 ? `; ${mib(weightBytes.int8)} of 8-bit weights` : ''}`, weightBytes, quantizedOps: ops };
  }
  if (floatBytes === 0 || fp16Compute < substantialShare * floatBytes) {
    const storage = fp16CastToFp32Bytes > 0 ? `; ${mib(fp16CastToFp32Bytes)} of FP16 weights are cast to FP32 before use (FP16 storage, FP32 compute)` : '';
    return { precision: 'fp32', reason: `${mib(weightBytes.fp32)} of FP32 weights${storage}`, weightBytes, quantizedOps: ops };
  }
  if (weightBytes.fp32 >= substantialShare * floatBytes) {
    return { precision: 'mixed', reason: `${mib(weightBytes.fp16)} of FP16 and ${mib(weightBytes.fp32)} of FP32 weights`, weightBytes, quantizedOps: ops };
  }
  return { precision: 'fp16', reason: `${mib(weightBytes.fp16)} of FP16 weights${weightBytes.fp32 > 0 ? ` (${mib(weightBytes.fp32)} FP32)` : ''}`, weightBytes, quantizedOps: ops };
}

/** Making FP16 or INT8 from a file that is already reduced is refused: it would reduce it twice and call it a variant. */
export function refuseReducedSource(file: string, detected: { detectedPrecision: DetectedPrecision; precisionReason: string }, target: 'fp16' | 'int8'): void {
  if (detected.detectedPrecision === 'fp32') return;
  const slot = detected.detectedPrecision === 'mixed' ? 'fp16' : detected.detectedPrecision;
  // The suggestion is in the message: a skip records the message only.
  throw new ModelError('VARIANT_SOURCE_ALREADY_REDUCED', `${file} is already ${detected.detectedPrecision} (${detected.precisionReason}); joulebench makes ${target} variants from FP32 models only, so reducing it again is refused: list this file under variants.${slot} with the FP32 original as the model, and it is measured with fidelity against FP32`);
}

/** Warnings for files whose graph says another precision than the slot they are listed in (null when they agree). */
export function precisionMismatch(slot: 'fp32' | 'fp16' | 'int8', file: string, detected: { detectedPrecision: DetectedPrecision; precisionReason: string }): string | null {
  const found = detected.detectedPrecision;
  if (found === slot || (slot === 'fp16' && found === 'mixed')) return null;
  if (slot === 'fp32') {
    return `${file}, listed as the FP32 source, is already ${found} (${detected.precisionReason}): it is measured as fp32 and is the fidelity reference of the other precisions; list the FP32 original as the source and this file under variants.${found === 'mixed' ? 'fp16' : found}`;
  }
  return `${file}, listed under variants.${slot}, is ${found} by its graph (${detected.precisionReason})`;
}
