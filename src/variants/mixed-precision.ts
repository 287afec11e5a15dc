// When plain FP16 (or static INT8) misses the fidelity bound: find the nodes responsible and keep them in FP32
// (FP16: Casts at the boundaries; INT8: onnxruntime's nodes_to_exclude), with a bounded number of fidelity checks.
//
// onnxconverter-common's auto_convert_mixed_precision starts from "everything FP32" and bisects the node list,
// converting the largest untried segment and splitting it when validation fails; it has no bound on the number of
// validations (about k·log2(n) for k culprits, plus one per segment). This search instead:
//   1. tries the known-sensitive nodes first (FP16 overflow/precision hazards: Exp, Pow, large reductions,
//      LayerNorm and the variance pattern, inputs of Softmax/Sigmoid, producers of graph outputs); when keeping them
//      is enough, a prefix bisection over them (most suspicious first) keeps the fewest;
//   2. otherwise bisects the remaining nodes in graph order from both ends: the shortest prefix that meets the bound
//      ends at a culprit, the shortest suffix of that prefix starts at one, so the kept region is [first, last]
//      culprit (or just the two ends when they suffice): 2·⌈log2 n⌉ checks;
//   (static INT8 has no suspects: its candidates are bisected most sensitive first, from one run of FP32 and the
//   plain INT8 variant with every candidate's input and output exposed: the error each node adds to its input's);
//   3. never spends more than ⌊2·log2(n)⌋ + 5 checks: the set it returns is one that was checked and met the bound
//      (a cut-short bisection returns its last passing bound, so the result is coarser, never wrong).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ortLogSeverity } from '../onnx/ort-logging.js';
import { writeFileAtomic } from '../common/atomic.js';
import type { Fidelity } from '../results/types.js';
import type { FidelityBounds } from '../scenario/types.js';
import { judgeFidelity } from './bounds.js';
import type { CalibrationSet } from './calibration-data.js';
import { inferElemTypes } from '../onnx/elem-types.js';
import { measureFidelity, type FidelityOptions } from './fidelity.js';
import { convertToFloat16, defaultFp16BlockList } from './fp16.js';
import { foldBatchNorms, quantizeStatic } from './int8-static.js';
import { makeVariant, type MadeVariant, type MakeVariantOptions } from './make.js';
import type { PrecisionSearch } from './precision-search.js';
import { upgradeForVariant } from './opset-upgrade.js';
import { nameUnnamedNodes } from './node-names.js';
import { attributeOf, DataType, decodeModel, encodeModel, inlineExternalData, readInts, toNumber, type Graph, type Model, type Node } from '../onnx/proto.js';

/** A node the search may keep: its name (after nameUnnamedNodes) and op type. */
export interface Candidate {
  name: string;
  op: string;
}

/** The most fidelity checks a search over n candidates may spend: ⌊2·log2(n)⌋ + 5. */
export const searchBudget = (candidates: number): number => Math.floor(2 * Math.log2(Math.max(1, candidates))) + 5;

// Integers above 2048 are not all representable in FP16 (11-bit significand), so a sum or mean over more terms
// loses precision; the same size marks a "large" reduction.
const largeReduction = 2048;
const reductions = new Set(['ReduceSum', 'ReduceMean', 'ReduceSumSquare', 'ReduceL2', 'ReduceL1', 'ReduceLogSumExp', 'ReduceProd']);
const sensitiveOps = new Set(['Exp', 'Pow', 'LayerNormalization', 'ReduceLogSumExp', 'ReduceSumSquare', 'Softplus']);

function shapeOf(graph: Graph): Map<string, Array<number | null>> {
  const shapes = new Map<string, Array<number | null>>();
  for (const info of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const dims = info.type?.tensorType?.shape?.dim;
    if (!dims || !info.name) continue;
    shapes.set(info.name, dims.map((dim) => (dim.dimValue !== undefined && dim.dimValue !== null && !dim.dimParam ? toNumber(dim.dimValue) : null)));
  }
  for (const tensor of graph.initializer ?? []) shapes.set(tensor.name ?? '', (tensor.dims ?? []).map(toNumber));
  return shapes;
}

// Elements one output value of a reduction sums over, when the input's shape is known (null: unknown).
function reducedElements(node: Node, graph: Graph, shapes: Map<string, Array<number | null>>): number | null {
  const dims = shapes.get((node.input ?? [])[0] ?? '');
  if (!dims) return null;
  let axes = (attributeOf(node, 'axes')?.ints ?? []).map(toNumber);
  const axesInput = (node.input ?? [])[1];
  if (axesInput) {
    const tensor = (graph.initializer ?? []).find((t) => t.name === axesInput);
    if (!tensor) return null;
    axes = readInts(tensor);
  }
  const chosen = axes.length > 0 ? axes.map((axis) => (axis < 0 ? axis + dims.length : axis)) : dims.map((_, index) => index);
  let count = 1;
  for (const axis of chosen) {
    const dim = dims[axis];
    if (dim === null || dim === undefined) return null;
    count *= dim;
  }
  return count;
}

/** Nodes the FP16 conversion would compute in FP16 (the search's candidates), in graph order; names must be set. */
export function fp16Candidates(graph: Graph, keepFp32: readonly string[]): Candidate[] {
  const types = inferElemTypes(graph);
  const blocked = new Set<string>([...defaultFp16BlockList, ...keepFp32, 'Constant', 'ConstantOfShape', 'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear']);
  const out: Candidate[] = [];
  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    const otherDomain = Boolean(node.domain) && node.domain !== 'ai.onnx';
    const hasSubgraph = (node.attribute ?? []).some((attribute) => attribute.g || (attribute.graphs ?? []).length > 0);
    if (otherDomain || hasSubgraph || blocked.has(op)) continue;
    const touchesFloat = [...(node.input ?? []), ...(node.output ?? [])].some((name) => name && types.get(name) === DataType.FLOAT);
    if (touchesFloat) out.push({ name: node.name ?? '', op });
  }
  return out;
}

/** Nodes static INT8 would quantize (Conv, MatMul, Gemm of the default domain), in graph order. */
export function int8Candidates(graph: Graph, keepFp32: readonly string[]): Candidate[] {
  const keep = new Set(keepFp32);
  return (graph.node ?? [])
    .filter((node) => (!node.domain || node.domain === 'ai.onnx') && ['Conv', 'MatMul', 'Gemm'].includes(node.opType ?? '') && !keep.has(node.opType ?? ''))
    .map((node) => ({ name: node.name ?? '', op: node.opType ?? '' }));
}

/** A suspicion: why a node is tried first, and how strongly (tier 0 is tried before tier 1, then 2). */
export interface Suspicion {
  reason: string;
  tier: 0 | 1 | 2;
}

/**
 * FP16's known-sensitive nodes: overflow-prone ops (Exp, Pow: FP16's largest finite value is 65504), reductions over
 * ≥ 2048 elements, LayerNormalization and the variance pattern ReduceMean→Sub→Pow→ReduceMean→Add→Sqrt(→Div), the
 * inputs of Softmax and Sigmoid (logits, score maps), and the producers of graph outputs.
 */
export function fp16Suspects(graph: Graph): Map<string, Suspicion> {
  const nodes = graph.node ?? [];
  const shapes = shapeOf(graph);
  const producer = new Map<string, Node>();
  const readers = new Map<string, Node[]>();
  for (const node of nodes) {
    for (const name of node.output ?? []) if (name) producer.set(name, node);
    for (const name of node.input ?? []) if (name) readers.set(name, [...(readers.get(name) ?? []), node]);
  }
  const suspects = new Map<string, Suspicion>();
  const mark = (node: Node | undefined, reason: string, tier: Suspicion['tier']) => {
    if (!node?.name) return;
    const known = suspects.get(node.name);
    if (!known || known.tier > tier) suspects.set(node.name, { reason, tier });
  };
  const only = (name: string, op: string) => (readers.get(name) ?? []).find((reader) => reader.opType === op);
  for (const node of nodes) {
    const op = node.opType ?? '';
    if (sensitiveOps.has(op)) mark(node, `sensitive op: ${op}`, 0);
    if (reductions.has(op)) {
      const count = reducedElements(node, graph, shapes);
      if (count !== null && count >= largeReduction) mark(node, `sensitive op: ${op} over ${count} elements`, 0);
    }
    // Variance: Sub(x, ReduceMean(x)) → Pow(·, 2) or Mul(d, d) → ReduceMean → Add(ε) → Sqrt (→ Div / Reciprocal).
    if (op === 'Sub' && producer.get((node.input ?? [])[1] ?? '')?.opType === 'ReduceMean') {
      const diff = (node.output ?? [])[0] ?? '';
      const square = (readers.get(diff) ?? []).find((reader) => reader.opType === 'Pow' || (reader.opType === 'Mul' && reader.input?.[0] === reader.input?.[1]));
      const mean2 = square ? only((square.output ?? [])[0] ?? '', 'ReduceMean') : undefined;
      const epsilon = mean2 ? only((mean2.output ?? [])[0] ?? '', 'Add') : undefined;
      const root = epsilon ? only((epsilon.output ?? [])[0] ?? '', 'Sqrt') : undefined;
      if (root) {
        const reason = 'variance pattern (LayerNorm): ReduceMean→Sub→Pow→ReduceMean→Add→Sqrt→Div';
        const divide = [...(readers.get((root.output ?? [])[0] ?? '') ?? [])].filter((reader) => reader.opType === 'Div' || reader.opType === 'Reciprocal');
        for (const member of [producer.get((node.input ?? [])[1] ?? ''), node, square, mean2, epsilon, root, ...divide]) mark(member, reason, 0);
      }
    }
    if (op === 'Softmax' || op === 'LogSoftmax' || op === 'Sigmoid') mark(producer.get((node.input ?? [])[0] ?? ''), `feeds ${op}`, 1);
  }
  for (const output of graph.output ?? []) mark(producer.get(output.name ?? ''), 'produces a graph output', 2);
  return suspects;
}

/** Options of searchKeepSet. */
export interface SearchOptions {
  kind: PrecisionSearch['kind'];
  /** The bound, in words (for the record). */
  bound: string;
  /** Seconds on a monotonic clock (injected in tests). */
  clock?: () => number;
  /** The plain variant (nothing kept) was already checked by the caller and missed the bound: counted, not rerun. */
  plainMissed?: boolean;
  /** Why a bisected (non-suspect) node was kept (default "bisection"). */
  bisectionReason?: (name: string) => string;
}

/** Whether keeping these node names (in FP32 / out of INT8) meets the bound: one fidelity check. */
export type KeepEvaluator = (keep: ReadonlySet<string>) => Promise<boolean>;

/** Find a small set of candidates to keep so that `evaluate` passes, in at most searchBudget(n) checks. */
export async function searchKeepSet(candidates: readonly Candidate[], suspects: ReadonlyMap<string, Suspicion>, evaluate: KeepEvaluator, options: SearchOptions): Promise<PrecisionSearch> {
  const clock = options.clock ?? (() => performance.now() / 1000);
  const started = clock();
  const budget = searchBudget(candidates.length);
  let evaluations = 0;
  const check = async (keep: Iterable<string>): Promise<boolean> => {
    evaluations++;
    return evaluate(new Set(keep));
  };
  const left = () => budget - evaluations;
  const opOf = new Map(candidates.map((candidate) => [candidate.name, candidate.op]));
  // Keeping every candidate is the FP32 model again, not a variant: that is not meeting the bound.
  const finish = (met: boolean, kept: Array<[string, string]>): PrecisionSearch => ({
    kind: options.kind,
    met: met && (kept.length < candidates.length || candidates.length === 0),
    kept: kept.length < candidates.length ? kept.map(([node, reason]) => ({ node, op: opOf.get(node) ?? '?', reason })) : [],
    candidates: candidates.length,
    evaluations,
    budget,
    seconds: clock() - started,
    bound: options.bound,
  });

  if (options.plainMissed) evaluations++;
  else if (await check([])) return finish(true, []);

  const index = new Map(candidates.map((candidate, position) => [candidate.name, position]));
  const suspected = candidates
    .filter((candidate) => suspects.has(candidate.name))
    .sort((a, b) => suspects.get(a.name)!.tier - suspects.get(b.name)!.tier || index.get(a.name)! - index.get(b.name)!)
    .map((candidate) => candidate.name);
  const rest = candidates.map((candidate) => candidate.name).filter((name) => !suspects.has(name));
  const why = (name: string) => suspects.get(name)?.reason ?? options.bisectionReason?.(name) ?? 'bisection';

  // 1. The suspects alone.
  if (suspected.length > 0 && left() > 0 && (await check(suspected))) {
    const kept = await narrow(suspected, [], check, left);
    return finish(true, kept.map((name) => [name, why(name)]));
  }
  // 2. Everything else as well: if even that misses, keeping nodes cannot meet the bound.
  if (rest.length === 0 || left() <= 0 || !(await check([...suspected, ...rest]))) return finish(false, []);
  const found = await narrow(rest, suspected, check, left);
  // The suspects were needed only if the bisected nodes alone miss the bound.
  const suspectsNeeded = suspected.length > 0 && !(left() > 0 && (await check(found)));
  return finish(true, [...(suspectsNeeded ? suspected : []), ...found].map((name) => [name, why(name)]));
}

/**
 * `list` in order, with `must ∪ list` known to pass and `must` known to miss: the part of `list` to keep. The
 * shortest passing prefix ends at a culprit c1; if {c1} alone misses, the shortest passing suffix of that prefix
 * starts at a culprit c0, and {c0, c1} is tried before the whole range c0..c1. Stops early when the budget is spent,
 * returning the last range that passed.
 */
async function narrow(list: readonly string[], must: readonly string[], check: (keep: Iterable<string>) => Promise<boolean>, left: () => number): Promise<string[]> {
  const passes = (keep: readonly string[]) => check([...must, ...keep]);
  let lo = 0; // must ∪ list[0, lo) misses
  let hi = list.length; // must ∪ list[0, hi) passes
  while (hi - lo > 1 && left() > 0) {
    const mid = (lo + hi) >> 1;
    if (await passes(list.slice(0, mid))) hi = mid;
    else lo = mid;
  }
  if (hi - lo > 1) return list.slice(0, hi);
  const last = list[hi - 1]!;
  if (hi === 1) return [last];
  if (left() <= 0) return list.slice(0, hi);
  if (await passes([last])) return [last];
  let start = 0; // list[start, hi) passes
  let end = hi - 1; // list[end, hi) misses
  while (end - start > 1 && left() > 0) {
    const mid = (start + end) >> 1;
    if (await passes(list.slice(mid, hi))) start = mid;
    else end = mid;
  }
  const range = list.slice(start, hi);
  if (end - start > 1 || range.length <= 2 || left() <= 0) return range;
  return (await passes([list[start]!, last])) ? [list[start]!, last] : range;
}

/** Whether a made variant's recipe can be repaired by the search (FP16, static INT8). */
export const searchable = (made: MadeVariant): boolean => made.sidecar.mode === 'fp16' || made.sidecar.mode === 'int8-static';

/** The bounds in words, e.g. "minCosine 0.99, minTop1Agreement 0.99". */
export function describeBounds(bounds: FidelityBounds): string {
  const parts = Object.entries(bounds).filter(([, value]) => value !== null).map(([key, value]) => `${key} ${value}`);
  return parts.length > 0 ? parts.join(', ') : 'no NaN or Inf';
}

/** Arguments of repairVariant. */
export interface RepairOptions {
  /** The plain variant that missed the bound. */
  plain: MadeVariant;
  /** What made it (the repaired variant is made the same way, plus the kept nodes). */
  make: MakeVariantOptions;
  /** The FP32 model the fidelity is measured against. */
  referencePath: string;
  evaluation: CalibrationSet;
  bounds: FidelityBounds;
  fidelity: FidelityOptions;
  clock?: () => number;
}

/** The search's outcome: the repaired variant and its fidelity, or null when no kept set met the bound. */
export interface Repair {
  search: PrecisionSearch;
  /** True when the search result came from the cache next to the plain variant (no fidelity check spent). */
  searchReused: boolean;
  made: MadeVariant | null;
  fidelity: Fidelity | null;
}

interface CachedSearch {
  schema: 'joulebench/precision-search@1';
  key: string;
  search: PrecisionSearch;
  /** Fidelity of the kept set as the search measured it (null when not met). */
  fidelity: Fidelity | null;
}

const sha256 = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');

/** Bumped whenever the search's choices change for the same inputs (invalidates cached searches). */
export const searchVersion = 2;

// The search depends on the plain recipe, the bound and the evaluation inputs; its result is kept next to the variant.
function searchCacheFile(plain: MadeVariant, options: RepairOptions): { file: string; key: string } {
  const key = sha256(JSON.stringify({ searchVersion, paramsHash: plain.sidecar.paramsHash, bounds: options.bounds, evaluation: options.evaluation.sha256, labels: options.fidelity.labels ?? null })).slice(0, 16);
  return { file: path.join(path.dirname(plain.path), `${plain.precision}-${plain.sidecar.paramsHash}.search-${key}.json`), key };
}

async function readCachedSearch(file: string, key: string): Promise<CachedSearch | null> {
  try {
    const cached = JSON.parse(await readFile(file, 'utf8')) as CachedSearch;
    return cached.schema === 'joulebench/precision-search@1' && cached.key === key ? cached : null;
  } catch {
    return null;
  }
}

// One candidate's bytes: the source converted with `keep` kept in FP32 / excluded from INT8.
async function candidateBytes(sourceBytes: Uint8Array, options: RepairOptions, keep: ReadonlySet<string>): Promise<Uint8Array> {
  const { make } = options;
  const model: Model = decodeModel(sourceBytes, make.sourcePath);
  inlineExternalData(model, make.sourcePath);
  nameUnnamedNodes(model.graph!);
  // The same opset lift makeVariant does (named nodes keep their names through it).
  upgradeForVariant(model, options.plain.sidecar.mode, make.conversion.perChannel);
  if (options.plain.sidecar.mode === 'fp16') {
    convertToFloat16(model, { keepFp32: make.conversion.keepFp32, fp16Io: make.conversion.fp16Io, minPositive: 1e-7, maxFinite: 1e4, keepNodes: keep });
  } else {
    const { conversion } = make;
    await quantizeStatic(model, make.calibration!.batches, { method: conversion.calibrationMethod, percentile: conversion.percentile, perChannel: conversion.perChannel, keepFp32: conversion.keepFp32, excludeNodes: keep }, { file: path.resolve(make.sourcePath), bytes: sourceBytes });
  }
  return encodeModel(model);
}

/**
 * A plain FP16 / static INT8 variant missed the bound: search for the nodes to keep in FP32 (reusing a cached search),
 * then make the variant with them kept. Null `made` when even keeping every candidate misses the bound.
 */
export async function repairVariant(options: RepairOptions): Promise<Repair> {
  const { plain } = options;
  const { file, key } = searchCacheFile(plain, options);
  const cached = await readCachedSearch(file, key);
  let search: PrecisionSearch;
  let fidelity: Fidelity | null;
  if (cached) {
    ({ search, fidelity } = cached);
  } else {
    const sourceBytes = await readFile(options.make.sourcePath);
    const model = decodeModel(sourceBytes, options.make.sourcePath);
    nameUnnamedNodes(model.graph!);
    const fp16 = plain.sidecar.mode === 'fp16';
    const clock = options.clock ?? (() => performance.now() / 1000);
    const started = clock();
    let candidates = fp16 ? fp16Candidates(model.graph!, options.make.conversion.keepFp32) : int8Candidates(model.graph!, options.make.conversion.keepFp32);
    const suspects = fp16 ? fp16Suspects(model.graph!) : new Map<string, Suspicion>();
    // INT8: bisect the nodes most sensitive first (the error each adds to its input's), not in graph order.
    let sensitivity: Map<string, NodeError> | null = null;
    if (!fp16 && candidates.length > 1) {
      sensitivity = await int8Sensitivity(sourceBytes, await candidateBytes(sourceBytes, options, new Set()), candidates, options);
      const added = (name: string) => sensitivity!.get(name)?.added ?? 0;
      candidates = [...candidates].sort((a, b) => added(b.name) - added(a.name));
    }
    const passed = new Map<string, Fidelity>();
    const evaluate: KeepEvaluator = async (keep) => {
      const bytes = await candidateBytes(sourceBytes, options, keep);
      const metrics = await measureFidelity(options.referencePath, bytes, options.evaluation.batches, options.fidelity);
      const judged = judgeFidelity(metrics, options.bounds);
      if (judged.withinBounds) passed.set([...keep].sort().join('\u0000'), judged);
      return judged.withinBounds === true;
    };
    search = await searchKeepSet(candidates, suspects, evaluate, {
      kind: fp16 ? 'fp16-keep-fp32' : 'int8-exclude',
      bound: describeBounds(options.bounds),
      plainMissed: true,
      clock,
      ...(sensitivity ? { bisectionReason: (name: string) => sensitivityReason(sensitivity!.get(name)) } : {}),
    });
    search = { ...search, seconds: clock() - started };
    fidelity = search.met ? (passed.get(search.kept.map((kept) => kept.node).sort().join('\u0000')) ?? null) : null;
    const record: CachedSearch = { schema: 'joulebench/precision-search@1', key, search, fidelity };
    await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
  }
  if (!search.met || search.kept.length === 0) return { search, searchReused: Boolean(cached), made: null, fidelity: null };
  const made = await makeVariant({ ...options.make, keepNodes: search.kept.map((kept) => kept.node), search });
  if (!fidelity) {
    const metrics = await measureFidelity(options.referencePath, made.path, options.evaluation.batches, options.fidelity);
    fidelity = judgeFidelity(metrics, options.bounds);
  }
  return { search, searchReused: Boolean(cached), made, fidelity };
}

/** "3 nodes kept in FP32 (Exp, ReduceSum, MatMul), 7 fidelity evaluations, 2.1 s": the search in one line. */
export function describeSearch(search: PrecisionSearch, reused = false): string {
  const what = search.kind === 'fp16-keep-fp32' ? 'kept in FP32' : 'left out of INT8';
  const ops = [...new Set(search.kept.map((kept) => kept.op))].join(', ');
  const spent = `${search.evaluations} fidelity evaluations (at most ${search.budget}), ${search.seconds.toFixed(1)} s`;
  const cost = reused ? `search reused from the cache (it took ${spent})` : spent;
  if (!search.met) return `no set of nodes ${what}, short of all ${search.candidates}, meets the bound (${search.bound}); ${cost}`;
  const noun = search.kept.length === 1 ? 'node' : 'nodes';
  return `${search.kept.length} ${noun} ${what}${ops ? ` (${ops})` : ''} to meet ${search.bound}; ${cost}`;
}

/** How much error a node's INT8 output carries against FP32, and how much of it the node added to its input's. */
export interface NodeError {
  /** Relative RMS error ‖int8 − fp32‖ / ‖fp32‖ of the node's output, and of its first input. */
  output: number;
  input: number;
  /** output − input (≥ 0): the error this node's quantization added. */
  added: number;
}

const relativeError = (reference: Float32Array, other: Float32Array): number => {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < reference.length; i++) {
    const a = reference[i]!;
    const b = other[i]!;
    if (!Number.isFinite(a)) continue;
    diff += Number.isFinite(b) ? (a - b) ** 2 : a * a + 1;
    norm += a * a;
  }
  return norm > 0 ? Math.sqrt(diff / norm) : diff > 0 ? 1 : 0;
};

// Tensors a graph computes or takes as input (the names that can be exposed as outputs).
const producedNames = (graph: Graph): Set<string> => new Set([...(graph.input ?? []).map((input) => input.name ?? ''), ...(graph.node ?? []).flatMap((node) => node.output ?? [])]);

// Run `model` with `tensors` exposed as outputs on one batch; returns each tensor's values.
async function exposedValues(model: Model, tensors: readonly string[], feeds: Record<string, ort.Tensor>): Promise<Map<string, Float32Array>> {
  const graph = model.graph!;
  const outputs = new Set((graph.output ?? []).map((output) => output.name ?? ''));
  graph.output = [...(graph.output ?? []), ...tensors.filter((name) => !outputs.has(name)).map((name) => ({ name, type: { tensorType: { elemType: DataType.FLOAT } } }))];
  const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['cpu'], logSeverityLevel: ortLogSeverity() });
  try {
    const out = await session.run(feeds, [...tensors]);
    return new Map(tensors.flatMap((name) => (out[name]?.type === 'float32' ? [[name, out[name]!.data as Float32Array] as const] : [])));
  } finally {
    await session.release();
  }
}

/**
 * Per-node sensitivity of a static INT8 variant: each candidate's output and first input in FP32 and in the plain
 * INT8 variant over the first evaluation batch (its QDQ keeps the original tensor names, so both expose the same
 * names; the reference has its Conv→BatchNormalization pairs folded as quantizeStatic does, so a folded Conv's output
 * has the same name in both). The error a node adds is its output's relative error minus its input's.
 */
export async function int8Sensitivity(sourceBytes: Uint8Array, int8Bytes: Uint8Array, candidates: readonly Candidate[], options: RepairOptions): Promise<Map<string, NodeError>> {
  const source = decodeModel(sourceBytes, options.make.sourcePath);
  inlineExternalData(source, options.make.sourcePath);
  nameUnnamedNodes(source.graph!);
  foldBatchNorms(source.graph!);
  const quantizedModel = decodeModel(int8Bytes, options.make.sourcePath);
  const inBoth = producedNames(quantizedModel.graph!);
  const inSource = producedNames(source.graph!);
  const byName = new Map((source.graph!.node ?? []).map((node) => [node.name ?? '', node]));
  const ends = candidates.map((candidate) => {
    const node = byName.get(candidate.name);
    return { name: candidate.name, input: (node?.input ?? [])[0] ?? '', output: (node?.output ?? [])[0] ?? '' };
  });
  const tensors = [...new Set(ends.flatMap((end) => [end.input, end.output]).filter((name) => name && inSource.has(name) && inBoth.has(name)))];
  const feeds = options.evaluation.batches[0];
  if (!feeds || tensors.length === 0) return new Map();
  const reference = await exposedValues(source, tensors, feeds);
  const quantized = await exposedValues(quantizedModel, tensors, feeds);
  const errorOf = (name: string) => {
    const a = reference.get(name);
    const b = quantized.get(name);
    return a && b && a.length === b.length ? relativeError(a, b) : 0;
  };
  return new Map(ends.map((end) => {
    const output = errorOf(end.output);
    const input = errorOf(end.input);
    return [end.name, { output, input, added: Math.max(0, output - input) }];
  }));
}

const percent = (value: number) => `${value >= 0.1 ? (value * 100).toFixed(0) : (value * 100).toPrecision(2)}%`;
const sensitivityReason = (error: NodeError | undefined): string =>
  error ? `sensitivity: INT8 output error ${percent(error.output)} vs ${percent(error.input)} at its input` : 'bisection';
