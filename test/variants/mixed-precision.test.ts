// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { GraphBuilder } from '../../src/onnx/builder.js';
import type { ConversionSpec, FidelityBounds } from '../../src/scenario/types.js';
import { judgeFidelity } from '../../src/variants/bounds.js';
import type { CalibrationSet } from '../../src/variants/calibration-data.js';
import { measureFidelity, type FidelityOptions } from '../../src/variants/fidelity.js';
import { makeVariant, type VariantPrecision } from '../../src/variants/make.js';
import { describeSearch, fp16Suspects, repairVariant, searchBudget, searchKeepSet, type Candidate } from '../../src/variants/mixed-precision.js';
import { nameUnnamedNodes } from '../../src/variants/node-names.js';
import { decodeModel } from '../../src/onnx/proto.js';
import { f32 } from './helpers.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'jb-mixed-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const conversion: ConversionSpec = { keepFp32: [], fp16Io: false, int8Mode: 'static', calibrationMethod: 'minmax', percentile: 99.99, perChannel: true };
const bound: FidelityBounds = { minCosine: 0.999, maxAbsError: null, minTop1Agreement: null, accuracyTarget: null };
const fidelityOptions: FidelityOptions = { variantInputTypes: { x: 'float32' }, inputs: 'calibration' };
const set = (rows: number[][], name: string): CalibrationSet => ({ batches: [{ x: f32(rows.flat(), [rows.length, rows[0]!.length]) }], samples: rows.length, source: name, sha256: name });

// A test clock: each reading is one second after the last.
const ticking = () => {
  let now = 0;
  return () => now++;
};

async function plainAndRepair(file: string, precision: VariantPrecision, evaluation: CalibrationSet, calibration: CalibrationSet | null = null) {
  const cacheDir = path.join(dir, 'cache');
  const make = { sourcePath: file, precision, conversion, calibration, opCounts: {}, toolVersion: 'test', cacheDir };
  const plain = await makeVariant(make);
  const plainFidelity = judgeFidelity(await measureFidelity(file, plain.path, evaluation.batches, fidelityOptions), bound);
  const repair = await repairVariant({ plain, make, referencePath: file, evaluation, bounds: bound, fidelity: fidelityOptions, clock: ticking() });
  return { plain, plainFidelity, repair, again: () => repairVariant({ plain, make, referencePath: file, evaluation, bounds: bound, fidelity: fidelityOptions }) };
}

test('search budget: ⌊2·log2(n)⌋ + 5 fidelity checks', () => {
  assert.equal(searchBudget(1), 5);
  assert.equal(searchBudget(4), 9);
  assert.equal(searchBudget(1000), 24, '2·log2(1000) = 19.93');
});

test('bisection finds two culprits among 1000 nodes exactly, within the budget', async () => {
  const candidates: Candidate[] = Array.from({ length: 1000 }, (_, i) => ({ name: `n${i}`, op: 'Add' }));
  const checked: number[] = [];
  const result = await searchKeepSet(candidates, new Map(), async (keep) => {
    checked.push(keep.size);
    return keep.has('n300') && keep.has('n700');
  }, { kind: 'fp16-keep-fp32', bound: 'test', clock: ticking() });
  assert.deepEqual(result.kept, [{ node: 'n300', op: 'Add', reason: 'bisection' }, { node: 'n700', op: 'Add', reason: 'bisection' }]);
  assert.equal(result.met, true);
  assert.equal(result.evaluations, checked.length);
  assert.ok(result.evaluations <= 2 * Math.log2(1000) + 5, `${result.evaluations} checks`);
  assert.equal(result.seconds, 1, 'two clock readings: start and end');
});

test('a suspect that suffices is found without bisecting the rest; a search that cannot meet the bound says so', async () => {
  const candidates: Candidate[] = Array.from({ length: 64 }, (_, i) => ({ name: `n${i}`, op: i === 40 ? 'Exp' : 'Mul' }));
  const suspects = new Map([['n63', { reason: 'produces a graph output', tier: 2 as const }], ['n40', { reason: 'sensitive op: Exp', tier: 0 as const }], ['n10', { reason: 'feeds Softmax', tier: 1 as const }]]);
  const result = await searchKeepSet(candidates, suspects, async (keep) => keep.has('n40'), { kind: 'fp16-keep-fp32', bound: 'test', plainMissed: true });
  assert.deepEqual(result.kept, [{ node: 'n40', op: 'Exp', reason: 'sensitive op: Exp' }]);
  // plain (given) + the three suspects + the first suspect alone (most suspicious first).
  assert.equal(result.evaluations, 3);
  const never = await searchKeepSet(candidates, suspects, async () => false, { kind: 'fp16-keep-fp32', bound: 'test' });
  assert.equal(never.met, false);
  assert.deepEqual(never.kept, []);
  assert.equal(never.evaluations, 3, 'plain, suspects, everything');
  // Only keeping all 64 meets the bound: that is the FP32 model, not a variant.
  const all = await searchKeepSet(candidates, suspects, async (keep) => keep.size === 64, { kind: 'fp16-keep-fp32', bound: 'minCosine 0.999', plainMissed: true });
  assert.deepEqual([all.met, all.kept], [false, []]);
  assert.ok(all.evaluations <= searchBudget(64));
  assert.match(describeSearch(all), /^no set of nodes kept in FP32, short of all 64, meets the bound \(minCosine 0\.999\); \d+ fidelity evaluations \(at most 17\)/);
});

test('suspects: Exp, large reductions, the LayerNorm variance chain, Softmax inputs, graph outputs', () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', [1, 4096])
    .node('ReduceSum', ['x'], ['s'], { keepdims: 1 })
    .node('ReduceMean', ['x'], ['m'], { axes: [1], keepdims: 1 }, 'mean')
    .node('Sub', ['x', 'm'], ['d'], {}, 'centre')
    .node('Mul', ['d', 'd'], ['d2'], {}, 'square')
    .node('ReduceMean', ['d2'], ['v'], { axes: [1], keepdims: 1 }, 'var')
    .initializer('eps', [], Float32Array.from([1e-5]))
    .node('Add', ['v', 'eps'], ['ve'], {}, 'eps_add')
    .node('Sqrt', ['ve'], ['sd'], {}, 'sd')
    .node('Div', ['d', 'sd'], ['n'], {}, 'norm')
    .node('Exp', ['n'], ['e'], {}, 'exp')
    .node('Add', ['e', 's'], ['z'], {}, 'logits')
    .node('Softmax', ['z'], ['y'], { axis: 1 }, 'softmax')
    .output('y', 'float32', [1, 4096])
    .build();
  const graph = decodeModel(bytes, 't.onnx').graph!;
  graph.node![0]!.name = ''; // as many exporters leave it
  assert.equal(nameUnnamedNodes(graph), 1);
  const suspects = fp16Suspects(graph);
  const variance = 'variance pattern (LayerNorm): ReduceMean→Sub→Pow→ReduceMean→Add→Sqrt→Div';
  assert.deepEqual(Object.fromEntries([...suspects].map(([name, s]) => [name, s.reason])), {
    ReduceSum_0: 'sensitive op: ReduceSum over 4096 elements',
    mean: 'sensitive op: ReduceMean over 4096 elements', // x's shape is declared; the first reason found stays
    centre: variance, square: variance, var: variance, eps_add: variance, sd: variance, norm: variance,
    exp: 'sensitive op: Exp',
    logits: 'feeds Softmax',
    softmax: 'produces a graph output',
  });
});

test('unnamed nodes get <op>_<index> names, unique and the same for the same file', () => {
  const bytes = new GraphBuilder('g')
    .input('x', 'float32', ['N', 2])
    .node('Relu', ['x'], ['a'], {}, 'first')
    .node('Relu', ['a'], ['b'], {}, 'second')
    .node('Neg', ['b'], ['y'], {}, 'Relu_1')
    .output('y', 'float32', ['N', 2])
    .build();
  const names = () => {
    const graph = decodeModel(bytes, 't.onnx').graph!;
    graph.node![0]!.name = '';
    graph.node![1]!.name = '';
    assert.equal(nameUnnamedNodes(graph), 2);
    return graph.node!.map((node) => node.name);
  };
  // Index 1's natural name is taken by the Neg: it gets the next free one.
  assert.deepEqual(names(), ['Relu_0', 'Relu_1_1', 'Relu_1']);
  assert.deepEqual(names(), ['Relu_0', 'Relu_1_1', 'Relu_1']);
});

// logits = x + c with c = [2049, 2048, 2048, 2048]: FP16 has an 11-bit significand, so 2049 rounds (to even) to 2048
// and the Softmax loses its preference for class 0. For x = 0: FP32 softmax = [e, 1, 1, 1] / (e + 3), FP16 softmax =
// [¼, ¼, ¼, ¼], cosine (e + 3) / (2·√(e² + 3)) = 0.88706.
test('FP16: the node feeding Softmax is kept in FP32 (a suspect), and only it', async () => {
  const file = path.join(dir, 'softmax.onnx');
  await writeFile(file, new GraphBuilder('g')
    .input('x', 'float32', ['N', 4])
    .node('Relu', ['x'], ['r'], {}, 'relu')
    .node('Neg', ['r'], ['n1'], {}, 'neg1')
    .node('Neg', ['n1'], ['n2'], {}, 'neg2')
    .initializer('c', [4], Float32Array.from([2049, 2048, 2048, 2048]))
    .node('Add', ['n2', 'c'], ['z'], {}, 'logits')
    .node('Softmax', ['z'], ['y'], { axis: 1 }, 'softmax')
    .output('y', 'float32', ['N', 4])
    .build());
  const { plainFidelity, repair, again } = await plainAndRepair(file, 'fp16', set([[0, 0, 0, 0]], 'zeros'));
  assert.ok(Math.abs(plainFidelity.cosine - 0.88706) < 1e-4, `plain FP16 cosine ${plainFidelity.cosine}`);
  assert.equal(plainFidelity.withinBounds, false);
  assert.deepEqual(repair.search.kept, [{ node: 'logits', op: 'Add', reason: 'feeds Softmax' }]);
  // plain (measured by the caller) + {logits, softmax} + {logits}
  assert.equal(repair.search.evaluations, 3);
  assert.ok(repair.search.evaluations <= 2 * Math.log2(repair.search.candidates) + 5);
  assert.equal(repair.fidelity!.withinBounds, true);
  assert.ok(repair.fidelity!.cosine > 0.99999);
  assert.deepEqual(repair.made!.sidecar.options.keepNodes, ['logits']);
  assert.deepEqual(repair.made!.sidecar.search!.kept, repair.search.kept);
  // The ticking clock is read at the repair's start, the search's start and end, and the repair's end: 3 s.
  assert.equal(describeSearch(repair.search), '1 node kept in FP32 (Add) to meet minCosine 0.999; 3 fidelity evaluations (at most 9), 3.0 s');
  // A second run reuses the search and the variant: no fidelity check spent.
  const second = await again();
  assert.equal(second.searchReused, true);
  assert.equal(second.made!.reused, true);
  assert.equal(second.made!.path, repair.made!.path);
});

// y = x·W with W = [[2049, 1], [-2048, 1]]: for x = [t, t], FP32 gives [t, 2t]; FP16 stores 2049 as 2048 and gives
// [0, 2t]: cosine 2t·2t / (√5·t · 2t) = 2/√5 = 0.89443. No suspect is responsible: bisection finds the MatMul.
test('FP16: bisection keeps exactly the MatMul whose weight FP16 cannot hold', async () => {
  const file = path.join(dir, 'matmul.onnx');
  await writeFile(file, new GraphBuilder('g')
    .input('x', 'float32', ['N', 2])
    .node('Relu', ['x'], ['r'], {}, 'relu')
    .initializer('W', [2, 2], Float32Array.from([2049, 1, -2048, 1]))
    .node('MatMul', ['r', 'W'], ['h'], {}, 'mm')
    .node('Neg', ['h'], ['n1'], {}, 'neg1')
    .node('Neg', ['n1'], ['y'], {}, 'neg2')
    .output('y', 'float32', ['N', 2])
    .build());
  const { plainFidelity, repair } = await plainAndRepair(file, 'fp16', set([[1, 1], [0.5, 0.5], [2, 2]], 'diagonal'));
  assert.ok(Math.abs(plainFidelity.cosine - 2 / Math.sqrt(5)) < 1e-4, `plain FP16 cosine ${plainFidelity.cosine}`);
  assert.deepEqual(repair.search.kept, [{ node: 'mm', op: 'MatMul', reason: 'bisection' }]);
  // plain + {neg2} (the suspect) + all four + {neg2, relu} + {neg2, relu, mm} + {neg2, mm} + {mm}
  assert.equal(repair.search.evaluations, 7);
  assert.ok(repair.search.evaluations <= 2 * Math.log2(4) + 5);
  assert.deepEqual(repair.fidelity && [repair.fidelity.withinBounds, repair.fidelity.cosine], [true, 1]);
});

// a = h·[1, 1, 1, 1000]: the activation mm2 reads spans ±1000, so its INT8 scale is 2000/255 ≈ 7.8 and the inputs
// of mm2 that matter (|h| ≤ 1, the 1000-wide column is multiplied by 0) all quantize to zero. Leaving mm2 out of
// INT8 leaves `a` unquantized; mm1 (inputs within ±1) stays INT8.
test('static INT8: the node whose input range is wildly different is left out of quantization', async () => {
  const file = path.join(dir, 'spread.onnx');
  await writeFile(file, new GraphBuilder('g')
    .input('x', 'float32', ['N', 4])
    .initializer('W1', [4, 4], Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]))
    .node('MatMul', ['x', 'W1'], ['h'], {}, 'mm1')
    .initializer('k', [4], Float32Array.from([1, 1, 1, 1000]))
    .node('Mul', ['h', 'k'], ['a'], {}, 'spread')
    .initializer('W2', [4, 2], Float32Array.from([1, 0, 0, 1, 1, 1, 0, 0]))
    .node('MatMul', ['a', 'W2'], ['y'], {}, 'mm2')
    .output('y', 'float32', ['N', 2])
    .build());
  const rows = [[0.5, -0.25, 1, -1], [-1, 0.75, -0.5, 1], [0.25, 0.5, 0.75, 0.5], [1, -1, 0.25, -0.75]];
  const data = set(rows, 'spread-data');
  const { plainFidelity, repair } = await plainAndRepair(file, 'int8', data, data);
  assert.equal(plainFidelity.withinBounds, false, `plain INT8 cosine ${plainFidelity.cosine}`);
  assert.ok(plainFidelity.cosine < 0.9);
  // mm2's INT8 output is all zeros (relative error 100%) from an input within 0.4% of FP32's: the most sensitive node.
  assert.deepEqual(repair.search.kept.map((kept) => [kept.node, kept.op]), [['mm2', 'MatMul']]);
  assert.match(repair.search.kept[0]!.reason, /^sensitivity: INT8 output error 100% vs 0\.\d+% at its input$/);
  assert.equal(repair.search.kind, 'int8-exclude');
  // plain + both left out + {mm2} (bisection in order of sensitivity: mm2 first)
  assert.equal(repair.search.evaluations, 3);
  assert.equal(repair.fidelity!.withinBounds, true, `cosine ${repair.fidelity!.cosine}`);
  assert.deepEqual(repair.made!.sidecar.options.excludeNodes, ['mm2']);
  assert.deepEqual((repair.made!.sidecar.report as { quantized: Record<string, number> }).quantized, { MatMul: 1 });
});
