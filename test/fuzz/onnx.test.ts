// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// Fuzz: thousands of mutated ONNX files through the loader, the inspector and the batch-axis resolver. Every input
// must either load or fail with one of joulebench's typed errors; anything else (a TypeError, a RangeError, a hang)
// is a bug. Seeded: JOULEBENCH_FUZZ_SEED and JOULEBENCH_FUZZ_ITERATIONS reproduce or extend a run.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import onnxProto from 'onnx-proto';
import { JoulebenchError } from '../../src/errors.js';
import { dimsAt, resolveBatchLayout } from '../../src/onnx/batch-axis.js';
import { describeModel, inspectModelFile } from '../../src/model/inspect.js';
import { zoo } from '../../src/model/zoo/index.js';
import { SeededRandom } from '../../src/stats/random.js';
import { fixedBatchModel, recurrentStateModel, scalarFeedModel, symbolicImageModel, tokenModel, unknownDimModel } from '../fixtures/models.js';
import { mutateBytes } from './mutate.js';

const { onnx } = onnxProto;
const seed = Number(process.env.JOULEBENCH_FUZZ_SEED ?? 20240808);
const iterations = Number(process.env.JOULEBENCH_FUZZ_ITERATIONS ?? 4000);

// The zoo's models with their weights cut to a few bytes: the structure (nodes, attributes, shapes) is what the
// loader parses; megabytes of floats would only slow each iteration down.
function slim(bytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  for (const tensor of model.graph?.initializer ?? []) {
    tensor.rawData = tensor.rawData?.subarray(0, 8) ?? null;
    tensor.floatData = tensor.floatData?.slice(0, 2) ?? null;
  }
  return onnx.ModelProto.encode(model).finish();
}

// A model whose weight lives in weights.bin next to it (exercises the external-data checks).
function externalModel(): Uint8Array {
  const value = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 4 }] } } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ version: 17 }],
    graph: {
      name: 'g', input: [value('x')], output: [value('y')],
      node: [{ opType: 'Add', input: ['x', 'W'], output: ['y'] }],
      initializer: [{
        name: 'W', dims: [4], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: '0' }, { key: 'length', value: '16' }],
      }],
    },
  }).finish();
}

let dir = '';
let corpus: Array<{ name: string; bytes: Uint8Array }> = [];
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'joulebench-fuzz-onnx-'));
  await writeFile(path.join(dir, 'weights.bin'), new Uint8Array(16));
  corpus = [
    ...Object.entries(zoo).map(([name, model]) => ({ name: `zoo:${name}`, bytes: slim(model.build()) })),
    { name: 'zoo:cnn (full)', bytes: zoo.cnn.build() },
    { name: 'symbolicImage', bytes: symbolicImageModel() },
    { name: 'recurrentState', bytes: recurrentStateModel() },
    { name: 'scalarFeed', bytes: scalarFeedModel() },
    { name: 'fixedBatch', bytes: fixedBatchModel() },
    { name: 'token', bytes: tokenModel() },
    { name: 'unknownDim', bytes: unknownDimModel() },
    { name: 'external', bytes: externalModel() },
  ];
});
after(() => rm(dir, { recursive: true, force: true }));

const weirdStrings = ['', 'N', 'batch', 'unk__1', '../weights.bin', '/etc/passwd', 'weights.bin', 'a/../../b', 'C:\\x', '\u0000', '..', '.', 'x'.repeat(300), '__proto__'];
const weirdNumbers = [0, -1, 1, 3, 2 ** 31, -(2 ** 31), 2 ** 53, Number.MAX_SAFE_INTEGER, 1e15];

// Structure-aware mutation: decode a valid model and damage one field the way a broken exporter (or an attacker)
// would, then encode it again. Reaches the code after protobuf decoding far more often than byte noise.
function mutateStructure(random: SeededRandom, bytes: Uint8Array): { bytes: Uint8Array; how: string } {
  // Decoded protobuf objects, poked at loosely: any field may be damaged, which is the point.
  const model = onnx.ModelProto.decode(bytes) as any;
  const graph = model.graph as any;
  const pick = <T = any>(list: T[]): T | undefined => (list.length === 0 ? undefined : list[random.int(0, list.length)]);
  const weirdString = () => pick(weirdStrings)!;
  const weirdNumber = () => pick(weirdNumbers)!;
  const valueInfos: any[] = [...graph.input, ...graph.output];
  const how = random.int(0, 12);
  switch (how) {
    case 0: { const dim = pick(pick(valueInfos)?.type?.tensorType?.shape?.dim ?? []); if (dim) { dim.dimValue = weirdNumber(); dim.dimParam = ''; } break; }
    case 1: { const dim = pick(pick(valueInfos)?.type?.tensorType?.shape?.dim ?? []); if (dim) { dim.dimParam = weirdString(); } break; }
    case 2: { const info = pick(valueInfos); if (info?.type?.tensorType) info.type.tensorType.elemType = random.int(-2, 30); break; }
    case 3: { const info = pick(valueInfos); if (info) info.type = null; break; }
    case 4: { const info = pick(valueInfos); if (info?.type?.tensorType) info.type.tensorType.shape = null; break; }
    case 5: { const tensor = pick(graph.initializer); if (tensor) tensor.dims = tensor.dims.map(() => weirdNumber()); break; }
    case 6: {
      const tensor = pick(graph.initializer);
      if (tensor) {
        tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
        tensor.externalData = [{ key: pick(['location', 'offset', 'length', ''])!, value: weirdString() }];
      }
      break;
    }
    case 7: { const node = pick(graph.node); if (node) node.opType = pick(['Gather', 'If', 'Loop', '', 'Constant'])!; break; }
    case 8: {
      const node = pick(graph.node);
      if (node) node.attribute.push(onnx.AttributeProto.create({ name: pick(['axis', 'value', 'then_branch'])!, i: weirdNumber(), type: random.int(0, 15), g: random.next() < 0.5 ? { name: 'sub', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }], initializer: graph.initializer.slice(0, 1) } : null }));
      break;
    }
    case 9: { const input = pick(graph.input); if (input) input.name = pick([weirdString(), graph.initializer[0]?.name ?? 'W'])!; break; }
    case 10: { graph.input.push(...graph.input); break; }
    default: { model.irVersion = weirdNumber(); model.opsetImport = random.next() < 0.5 ? [] : [{ domain: weirdString(), version: weirdNumber() }]; }
  }
  return { bytes: onnx.ModelProto.encode(model).finish(), how: `structure #${how}` };
}

const names = { shape: (input: string) => `--shape ${input}=` };

// What the CLI does with a model file before onnxruntime sees it.
function load(bytes: Uint8Array): void {
  const info = describeModel(bytes, path.join(dir, 'fuzzed.onnx'));
  const layout = resolveBatchLayout(info, {}, names);
  for (const input of layout.inputs) dimsAt(input, 4);
  JSON.stringify(info); // what `inspect --json` prints
}

test('the corpus itself loads (every seed input is a valid model)', () => {
  for (const { name, bytes } of corpus) {
    try {
      load(bytes);
    } catch (error) {
      // Models with symbolic non-batch dims need --shape: a typed error, still valid for the corpus.
      assert.ok(error instanceof JoulebenchError, `${name}: ${String(error)}`);
    }
  }
});

test(`${iterations} mutated ONNX files: only typed errors (seed ${seed})`, { timeout: 60_000 }, () => {
  const random = new SeededRandom(seed);
  const outcomes = { loaded: 0, typed: new Map<string, number>() };
  for (let i = 0; i < iterations; i++) {
    const base = corpus[random.int(0, corpus.length)]!;
    const other = corpus[random.int(0, corpus.length)]!;
    // Mutations stack: one to three in a row.
    let bytes = base.bytes;
    const hows: string[] = [];
    const structured = random.next() < 0.4;
    for (let n = random.int(1, 4); n > 0; n--) {
      let mutated;
      try {
        mutated = structured ? mutateStructure(random, bytes) : mutateBytes(random, bytes, other.bytes);
      } catch {
        break; // an earlier byte mutation left nothing decodable to restructure
      }
      bytes = mutated.bytes;
      hows.push(mutated.how);
    }
    try {
      load(bytes);
      outcomes.loaded++;
    } catch (error) {
      if (!(error instanceof JoulebenchError)) {
        assert.fail(`iteration ${i} (JOULEBENCH_FUZZ_SEED=${seed}): ${base.name} after ${hows.join(', ')} threw ${error instanceof Error ? error.stack : String(error)}`);
      }
      outcomes.typed.set(error.code, (outcomes.typed.get(error.code) ?? 0) + 1);
    }
  }
  // The mutator must reach past the first parse, or the fuzz tests little.
  assert.ok(outcomes.loaded > iterations / 20, `only ${outcomes.loaded} of ${iterations} mutants parsed`);
  assert.ok(outcomes.typed.size >= 3, `only ${[...outcomes.typed.keys()].join(', ')} errors were reached`);
});

test('mutated files on disk through inspectModelFile: only typed errors', async () => {
  const random = new SeededRandom(seed + 1);
  const file = path.join(dir, 'disk.onnx');
  for (let i = 0; i < 200; i++) {
    const base = corpus[random.int(0, corpus.length)]!;
    const { bytes, how } = mutateBytes(random, base.bytes, corpus[random.int(0, corpus.length)]!.bytes);
    await writeFile(file, bytes);
    try {
      await inspectModelFile(file);
    } catch (error) {
      assert.ok(error instanceof JoulebenchError, `iteration ${i}: ${base.name} after ${how} threw ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
});
