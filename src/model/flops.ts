// Estimated FLOPs per sample: shapes come from one batch-1 run with every MatMul/Gemm/Conv input and output
// exposed as graph outputs (no shape-inference rules to get wrong); FLOPs = 2 × multiply-accumulates of those ops.
import * as ort from 'onnxruntime-node';
import { describeError, RuntimeFailure } from '../errors.js';
import { synthesiseFeeds } from '../runtime/inputs.js';
import { inferElemTypes } from '../variants/elem-types.js';
import { attributeOf, decodeModel, encodeModel, toNumber } from '../variants/proto.js';
import type { BatchLayout } from './batch-axis.js';
import { describeModel, requireRunnableIo } from './inspect.js';

const counted = new Set(['MatMul', 'Gemm', 'Conv', 'MatMulInteger', 'ConvInteger', 'ConvTranspose']);

/** FLOPs per sample by op type and in total (multiply and add counted separately, as papers do). */
export interface FlopsEstimate {
  perSample: number;
  byOp: Record<string, number>;
}

const product = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/** Run the model once at batch 1 (or its fixed batch) and count the MACs of its MatMul, Gemm and Conv nodes. */
export async function estimateFlops(bytes: Uint8Array, file: string, layout: BatchLayout): Promise<FlopsEstimate> {
  requireRunnableIo(describeModel(bytes, file));
  const model = decodeModel(bytes, file);
  const graph = model.graph!;
  const types = inferElemTypes(graph);
  const initializers = new Map((graph.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]));
  const nodes = (graph.node ?? []).filter((node) => counted.has(node.opType ?? '') && (!node.domain || node.domain === 'ai.onnx'));
  const exposed = new Set<string>();
  for (const node of nodes) {
    const [a = '', b = ''] = node.input ?? [];
    for (const name of [a, b, (node.output ?? [])[0] ?? '']) if (name && !initializers.has(name)) exposed.add(name);
  }
  const existing = new Set((graph.output ?? []).map((output) => output.name ?? ''));
  const inputNames = new Set((graph.input ?? []).map((input) => input.name ?? ''));
  const extra = [...exposed].filter((name) => !existing.has(name) && !inputNames.has(name) && types.get(name) !== undefined);
  graph.output = [...(graph.output ?? []), ...extra.map((name) => ({ name, type: { tensorType: { elemType: types.get(name)! } } }))];
  const batchSize = layout.fixedBatch ?? 1;
  const feeds = synthesiseFeeds(layout.inputs, batchSize, 1);
  let shapes: Map<string, readonly number[]>;
  let session: ort.InferenceSession | null = null;
  try {
    session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['cpu'], logSeverityLevel: 3 });
    const out = await session.run(feeds);
    shapes = new Map(Object.entries(out).map(([name, tensor]) => [name, tensor.dims]));
    for (const [name, tensor] of Object.entries(feeds)) shapes.set(name, tensor.dims);
  } catch (error) {
    throw new RuntimeFailure('FLOPS_PROBE_FAILED', `${file}: could not run the model once to count FLOPs: ${describeError(error).message}`, { cause: error });
  } finally {
    await session?.release();
  }
  const shapeOf = (name: string): readonly number[] | undefined => shapes.get(name) ?? initializers.get(name)?.dims?.map(toNumber);
  const byOp: Record<string, number> = {};
  for (const node of nodes) {
    const op = node.opType ?? '';
    const [a = '', b = ''] = node.input ?? [];
    const output = shapeOf((node.output ?? [])[0] ?? '');
    const aShape = shapeOf(a);
    const bShape = shapeOf(b);
    if (!output || !aShape || !bShape) continue;
    let macs = 0;
    if (op === 'MatMul' || op === 'MatMulInteger') {
      macs = product(output) * (aShape[aShape.length - 1] ?? 1);
    } else if (op === 'Gemm') {
      const transA = toNumber(attributeOf(node, 'transA')?.i ?? 0) === 1;
      macs = product(output) * (transA ? aShape[0]! : aShape[1]!);
    } else {
      // Conv: every output element sums (C_in / group) × kernel elements; bShape = [C_out, C_in/group, k…].
      macs = op === 'ConvTranspose' ? product(aShape) * product(bShape.slice(1)) : product(output) * product(bShape.slice(1));
    }
    byOp[op] = (byOp[op] ?? 0) + (2 * macs) / batchSize;
  }
  return { perSample: Object.values(byOp).reduce((sum, flops) => sum + flops, 0), byOp };
}
