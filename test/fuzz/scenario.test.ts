// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// Fuzz: thousands of mutated scenario files (the shipped ones and test-style ones, spliced together) through the YAML
// parser, the schema, the path checks and the matrix expansion. Only joulebench's typed errors may come out.
// Seeded: JOULEBENCH_FUZZ_SEED and JOULEBENCH_FUZZ_ITERATIONS reproduce or extend a run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { JoulebenchError } from '../../src/errors.js';
import { expandPlan } from '../../src/scenario/expand.js';
import { parseScenarioYaml } from '../../src/scenario/load.js';
import { SeededRandom } from '../../src/stats/random.js';
import { mutateText } from './mutate.js';

const seed = Number(process.env.JOULEBENCH_FUZZ_SEED ?? 20240808);
const iterations = Number(process.env.JOULEBENCH_FUZZ_ITERATIONS ?? 4000);
const scenariosDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scenarios');

const corpus = [
  ...readdirSync(scenariosDir).filter((name) => name.endsWith('.yaml')).map((name) => readFileSync(path.join(scenariosDir, name), 'utf8')),
  [
    'name: everything',
    'models:',
    '  - model: ./net.onnx',
    '    name: net',
    '    inputs:',
    '      x: { shape: [N, 3, 224, 224] }',
    '      sr: { feed: 16000 }',
    '      ids: { range: [0, 30522] }',
    '    variants: { fp16: net.fp16.onnx, int8: net.int8.onnx }',
    'precisions: [fp32, fp16, int8]',
    'executionProviders: [cpu, { name: cuda, options: { device_id: 0 } }]',
    'batchSizes: [1, 8, 32]',
    'threads: [2, 4]',
    'warmup: { runs: 5, seconds: 0.5 }',
    'window: { minSeconds: 1, minRuns: 10 }',
    'repetitions: 3',
    'idleSeconds: 2',
    'meters: [auto, "replay:trace.csv"]',
    'gpus: [0]',
    'cooldown: { maxSeconds: 30, marginPercent: 10 }',
    'order: interleaved',
    'stopping: { targetCiPercent: 2, maxSeconds: 60 }',
    'carbon: { gridIntensityGPerKWh: 475, pue: 1.2, region: eu, regions: { eu: 250 } }',
    'slo: { p99Ms: 50 }',
    'out: results',
    'defaults: &d { runs: 3 }',
  ].join('\n'),
  'base: &b [1, 2]\nmodels: [mlp]\nbatchSizes: *b\n',
];

// Outside the repository, so no path in a mutant can name a real file by accident.
const context = { file: '/nonexistent/scenarios/fuzz.yaml', baseDir: '/nonexistent/scenarios' };

test('the corpus itself parses', () => {
  for (const text of corpus.slice(0, -2)) expandPlan(parseScenarioYaml(text, context));
});

test(`${iterations} mutated scenario files: only typed errors (seed ${seed})`, { timeout: 60_000 }, () => {
  const random = new SeededRandom(seed);
  const outcomes = { parsed: 0, typed: 0 };
  for (let i = 0; i < iterations; i++) {
    const base = corpus[random.int(0, corpus.length)]!;
    let text = base;
    const hows: string[] = [];
    for (let n = random.int(1, 4); n > 0; n--) {
      const mutated = mutateText(random, text, corpus[random.int(0, corpus.length)]!);
      text = mutated.text;
      hows.push(mutated.how);
    }
    try {
      const scenario = parseScenarioYaml(text, context);
      expandPlan(scenario);
      // What result.json will hold must serialise.
      JSON.stringify(scenario);
      outcomes.parsed++;
    } catch (error) {
      if (!(error instanceof JoulebenchError)) {
        assert.fail(`iteration ${i} (JOULEBENCH_FUZZ_SEED=${seed}) after ${hows.join(', ')} threw ${error instanceof Error ? error.stack : String(error)}\n--- text ---\n${text.slice(0, 2000)}`);
      }
      assert.ok(!error.message.includes('\n    at '), `a stack trace in the message: ${error.message}`);
      outcomes.typed++;
    }
  }
  assert.ok(outcomes.parsed > iterations / 20, `only ${outcomes.parsed} of ${iterations} mutants parsed`);
  assert.ok(outcomes.typed > iterations / 5, `only ${outcomes.typed} of ${iterations} mutants were refused`);
});
