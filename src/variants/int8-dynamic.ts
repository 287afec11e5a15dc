// FP32 → INT8 with onnxruntime's quantize_dynamic semantics: MatMul with a constant weight becomes
// DynamicQuantizeLinear + MatMulInteger + scale Muls, Conv becomes ConvInteger; weights int8 (symmetric,
// per tensor), activations uint8 quantized at run time. Beyond quantize_dynamic, a plain linear Gemm
// (PyTorch's Linear export: alpha = beta = 1, no transA) is converted the same way, as MatMulInteger + Add,
// because leaving every Gemm in FP32 would make "INT8" a no-op on most MLPs.
import { ModelError } from '../errors.js';
import { inferElemTypes } from '../onnx/elem-types.js';
import { foldConstants, type FoldReport } from './fold-constants.js';
import {
  attributeOf,
  constantInitializers,
  DataType,
  defaultOpset,
  dimsOf,
  dropUnreadInitializers,
  floatTensor,
  intAttribute,
  intTensor,
  makeNode,
  NameScope,
  readFloats,
  subgraphsOf,
  toNumber,
  type Graph,
  type Model,
  type Node,
  type Tensor,
} from '../onnx/proto.js';
import { quantizeSymmetricInt8 } from './quantize-math.js';

/** What the dynamic quantization did. */
export interface Int8DynamicReport {
  /** Nodes quantized, by original op type (main graph and subgraphs). */
  quantized: Record<string, number>;
  /** Nodes of quantizable types left in FP32, with the reason. */
  leftFp32: Array<{ node: string; op: string; reason: string }>;
  /** Constants folded into initializers first (Constant nodes, Transpose/Reshape/… chains). */
  folded: FoldReport;
  /** Nodes quantized inside If / Loop / Scan bodies (also counted in `quantized`). */
  quantizedInSubgraphs: number;
  /** Subgraphs walked (any depth). */
  subgraphs: number;
  /** Bytes of float weights replaced by int8 ones. */
  weightBytesQuantized: number;
}

// A weight quantized once per initializer, even when several nodes read it.
interface QuantizedWeight {
  q: string;
  scale: string;
  zeroPoint: string;
}

function transpose2d(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c]!;
  return out;
}

/** Quantize a decoded FP32 model dynamically, in place (main graph and every If / Loop / Scan body). */
export function quantizeDynamic(model: Model, options: { keepFp32: string[]; perChannel?: boolean } = { keepFp32: [] }): Int8DynamicReport {
  const graph = model.graph!;
  const opset = defaultOpset(model);
  if (opset < 11) {
    throw new ModelError('VARIANT_OPSET_TOO_OLD', `the model's opset ${opset} is older than 11; dynamic INT8 needs DynamicQuantizeLinear (opset 11)`, {
      hint: 'update the model to opset 11 or newer with onnx.version_converter, or pass an INT8 file as the int8 variant',
    });
  }
  const folded = foldConstants(graph);
  const report: Int8DynamicReport = { quantized: {}, leftFp32: [], folded, quantizedInSubgraphs: 0, subgraphs: 0, weightBytesQuantized: 0 };
  quantizeGraphDynamic(graph, { names: new NameScope(graph), keep: new Set(options.keepFp32), perChannel: options.perChannel ?? false, report, weightsCounted: new Set() }, new Map(), new Map(), false);
  return report;
}

/** State shared by every graph of one model's dynamic quantization. */
export interface DynamicContext {
  /** Fresh names, unique over the whole model (subgraphs included). */
  names: NameScope;
  keep: Set<string>;
  /** One weight scale per output channel (onnxruntime's per_channel) instead of one per tensor. */
  perChannel: boolean;
  report: Int8DynamicReport;
  /** Weights whose bytes are already in report.weightBytesQuantized. */
  weightsCounted: Set<string>;
}

/**
 * Quantize one graph's MatMul / Gemm / Conv with constant weights, then (recursively) its subgraphs, which see this
 * graph's constants and types as outer scope (onnxruntime's quantizer walks subgraphs the same way: a weight may live
 * in the subgraph or in any enclosing graph). Quantized weights are added to the graph of the node that reads them.
 */
export function quantizeGraphDynamic(graph: Graph, ctx: DynamicContext, outerConstants: ReadonlyMap<string, Tensor>, outerTypes: ReadonlyMap<string, number>, inSubgraph: boolean): void {
  const { names, keep, report } = ctx;
  const types = inferElemTypes(graph, outerTypes);
  const local = constantInitializers(graph);
  const constant = (name: string) => local.get(name) ?? outerConstants.get(name) ?? null;
  const added: Tensor[] = [];
  const weights = new Map<string, QuantizedWeight>();
  const activations = new Map<string, QuantizedWeight>();
  const out: Node[] = [];

  // Per channel (ctx.perChannel): one scale per output channel, shaped to broadcast over the integer result —
  // Conv [C, 1, …] (output [N, C, spatial…]), MatMul / Gemm [N] along B's last axis; zero points stay 0 (symmetric).
  const quantizeWeight = (tensor: Tensor, transposed: boolean, kind: 'conv' | 'matmul'): QuantizedWeight => {
    const cacheKey = `${tensor.name}${transposed ? '\u0000T' : ''}`;
    const cached = weights.get(cacheKey);
    if (cached) return cached;
    let values = readFloats(tensor);
    let dims = dimsOf(tensor);
    if (transposed) {
      values = transpose2d(values, dims[0]!, dims[1]!);
      dims = [dims[1]!, dims[0]!];
    }
    const axis = !ctx.perChannel || dims.length < 2 ? null : kind === 'conv' ? 0 : dims.length - 1;
    const { quantized, scales } = quantizeSymmetricInt8(values, dims, axis);
    const scaleDims = axis === null ? [] : kind === 'conv' ? [scales.length, ...Array<number>(dims.length - 2).fill(1)] : [scales.length];
    const base = `${tensor.name}${transposed ? '_T' : ''}`;
    const weight: QuantizedWeight = { q: names.fresh(`${base}_quantized`), scale: names.fresh(`${base}_scale`), zeroPoint: names.fresh(`${base}_zero_point`) };
    added.push(intTensor(weight.q, dims, quantized, DataType.INT8));
    added.push(floatTensor(weight.scale, scaleDims, scales));
    added.push(intTensor(weight.zeroPoint, [], [0], DataType.INT8));
    weights.set(cacheKey, weight);
    if (!ctx.weightsCounted.has(tensor.name ?? '')) {
      ctx.weightsCounted.add(tensor.name ?? '');
      report.weightBytesQuantized += values.length * 4;
    }
    return weight;
  };
  const quantizeActivation = (name: string): QuantizedWeight => {
    const cached = activations.get(name);
    if (cached) return cached;
    const activation = { q: names.fresh(`${name}_quantized`), scale: names.fresh(`${name}_scale`), zeroPoint: names.fresh(`${name}_zero_point`) };
    out.push(makeNode('DynamicQuantizeLinear', [name], [activation.q, activation.scale, activation.zeroPoint], names.fresh(`${name}_QuantizeLinear`)));
    activations.set(name, activation);
    return activation;
  };
  // integer result × (activation scale × weight scale) → the node's float output.
  const rescale = (node: Node, integerOp: Node, activation: QuantizedWeight, weight: QuantizedWeight, output: string) => {
    const base = node.name || output;
    const integerOut = integerOp.output![0]!;
    const scaleProduct = names.fresh(`${base}_scales_mul`);
    const asFloat = names.fresh(`${integerOut}_cast`);
    out.push(makeNode('Mul', [activation.scale, weight.scale], [scaleProduct], names.fresh(`${base}_scales_mul_node`)));
    out.push(integerOp);
    out.push(makeNode('Cast', [integerOut], [asFloat], names.fresh(`${base}_cast_node`), [intAttribute('to', DataType.FLOAT)]));
    out.push(makeNode('Mul', [asFloat, scaleProduct], [output], names.fresh(`${base}_output_scale_mul`)));
  };
  const count = (op: string) => {
    report.quantized[op] = (report.quantized[op] ?? 0) + 1;
    if (inSubgraph) report.quantizedInSubgraphs++;
  };
  const leave = (node: Node, reason: string) => {
    report.leftFp32.push({ node: node.name ?? '', op: node.opType ?? '', reason });
    out.push(node);
  };

  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    const inputs = node.input ?? [];
    const isDefault = !node.domain || node.domain === 'ai.onnx';
    const subgraphs = subgraphsOf(node);
    if (subgraphs.length > 0) {
      const innerConstants = new Map([...outerConstants, ...local]);
      for (const sub of subgraphs) {
        report.subgraphs++;
        quantizeGraphDynamic(sub, ctx, innerConstants, types, true);
      }
    }
    if (!isDefault || !['MatMul', 'Gemm', 'Conv'].includes(op)) {
      out.push(node);
      continue;
    }
    if (keep.has(op)) {
      leave(node, 'kept in FP32 by --keep-fp32');
      continue;
    }
    const [a = '', b = '', c = ''] = inputs;
    const weight = constant(b);
    if (types.get(a) !== DataType.FLOAT || !weight || weight.dataType !== DataType.FLOAT) {
      leave(node, weight ? 'input is not float32' : 'no constant weight (two activations): quantize_dynamic leaves it in FP32');
      continue;
    }
    const output = (node.output ?? [])[0] ?? '';
    if (op === 'MatMul') {
      const activation = quantizeActivation(a);
      const w = quantizeWeight(weight, false, 'matmul');
      const integerOut = names.fresh(`${output}_MatMulInteger`);
      rescale(node, makeNode('MatMulInteger', [activation.q, w.q, activation.zeroPoint, w.zeroPoint], [integerOut], names.fresh(`${node.name || output}_quant`)), activation, w, output);
      count(op);
    } else if (op === 'Gemm') {
      const floatAttribute = (name: string) => (attributeOf(node, name) ? attributeOf(node, name)!.f ?? 1 : 1);
      const intAttr = (name: string) => toNumber(attributeOf(node, name)?.i ?? 0);
      if (floatAttribute('alpha') !== 1 || floatAttribute('beta') !== 1 || intAttr('transA') !== 0 || dimsOf(weight).length !== 2) {
        leave(node, 'Gemm with alpha/beta ≠ 1 or transA: left in FP32');
        continue;
      }
      const activation = quantizeActivation(a);
      const w = quantizeWeight(weight, intAttr('transB') === 1, 'matmul');
      const integerOut = names.fresh(`${output}_MatMulInteger`);
      const scaled = c ? names.fresh(`${output}_no_bias`) : output;
      rescale(node, makeNode('MatMulInteger', [activation.q, w.q, activation.zeroPoint, w.zeroPoint], [integerOut], names.fresh(`${node.name || output}_quant`)), activation, w, scaled);
      if (c) out.push(makeNode('Add', [scaled, c], [output], names.fresh(`${node.name || output}_bias_add`)));
      count(op);
    } else {
      const activation = quantizeActivation(a);
      const w = quantizeWeight(weight, false, 'conv');
      const integerOut = names.fresh(`${output}_ConvInteger`);
      const convAttributes = (node.attribute ?? []).filter((attribute) => ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'].includes(attribute.name ?? ''));
      const conv = makeNode('ConvInteger', [activation.q, w.q, activation.zeroPoint, w.zeroPoint], [integerOut], names.fresh(`${node.name || output}_quant`), convAttributes);
      const scaled = c ? names.fresh(`${output}_no_bias`) : output;
      rescale(node, conv, activation, w, scaled);
      if (c) {
        // Bias [C] broadcast over [N, C, spatial…] as [C, 1, …].
        const bias = constant(c);
        const spatialRank = dimsOf(weight).length - 2;
        if (bias) {
          const reshaped = names.fresh(`${c}_reshaped`);
          added.push(floatTensor(reshaped, [dimsOf(bias)[0] ?? 1, ...Array<number>(spatialRank).fill(1)], readFloats(bias)));
          out.push(makeNode('Add', [scaled, reshaped], [output], names.fresh(`${node.name || output}_bias_add`)));
        } else {
          const shape = names.fresh(`${c}_shape`);
          added.push(intTensor(shape, [spatialRank + 1], [-1, ...Array<number>(spatialRank).fill(1)], DataType.INT64));
          const reshaped = names.fresh(`${c}_reshaped`);
          out.push(makeNode('Reshape', [c, shape], [reshaped], names.fresh(`${c}_reshape`)));
          out.push(makeNode('Add', [scaled, reshaped], [output], names.fresh(`${node.name || output}_bias_add`)));
        }
      }
      count(op);
    }
  }
  graph.node = out;
  // Weights now only read in quantized form are dropped (reads from subgraphs count).
  graph.initializer = [...(graph.initializer ?? []), ...added];
  dropUnreadInitializers(graph);
}
