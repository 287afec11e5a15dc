import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/errors.js';
import { expandPlan } from '../../src/scenario/expand.js';
import { loadScenarioFile, maxScenarioBytes, parseScenarioYaml } from '../../src/scenario/load.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'joulebench-scenario-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string | Uint8Array): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

async function loadError(file: string): Promise<InputError> {
  try {
    await loadScenarioFile(file);
  } catch (error) {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${file} loaded without error`);
}

describe('loadScenarioFile', () => {
  it('reads a file, names the scenario after it and resolves paths against its folder', async () => {
    const file = await write(
      'sub/quick.yaml',
      [
        '# a comment',
        'models:',
        '  - model: mlp',
        '  - model: ../models/net.onnx',
        '    inputs:',
        '      x: { shape: "N,3,224,224" }',
        '      sr: { feed: 16000 }',
        '      ids: { range: [0, 1000] }',
        '    variants: { int8: net.int8.onnx }',
        'meters: [auto, "replay:trace.csv"]',
        'allowOutsidePaths: true',
        '',
      ].join('\n'),
    );
    const scenario = await loadScenarioFile(file);
    assert.equal(scenario.name, 'quick');
    assert.equal(scenario.file, file);
    assert.deepEqual(scenario.models, [
      { name: 'mlp', source: 'mlp', inputs: {}, variants: {} },
      {
        name: 'net',
        source: path.join(dir, 'models/net.onnx'),
        inputs: { x: { shape: ['N', 3, 224, 224] }, sr: { feed: 16000 }, ids: { range: [0, 1000] } },
        variants: { int8: path.join(dir, 'sub/net.int8.onnx') },
      },
    ]);
    assert.deepEqual(scenario.meters, ['auto', `replay:${path.join(dir, 'sub/trace.csv')}`]);
    assert.equal(scenario.outDir, path.join(dir, 'sub/results'));
  });

  it('prefixes validation errors with the file name', async () => {
    const file = await write('quick.yaml', 'models: [mlp]\nbatchSizes: [1, eight]\n');
    const error = await loadError(file);
    assert.equal(error.code, 'SCENARIO_INVALID');
    assert.equal(error.message, 'quick.yaml: batchSizes[1]: expected a positive integer, got "eight"');
  });

  it('reports a missing file', async () => {
    const file = path.join(dir, 'nope.yaml');
    const error = await loadError(file);
    assert.equal(error.code, 'SCENARIO_NOT_FOUND');
    assert.equal(error.message, `nope.yaml: no such file (${file})`);
    assert.equal(error.exitCode, 2);
  });

  it('reports a folder', async () => {
    await mkdir(path.join(dir, 'folder.yaml'), { recursive: true });
    const error = await loadError(path.join(dir, 'folder.yaml'));
    assert.equal(error.code, 'SCENARIO_UNREADABLE');
    assert.equal(error.message, `folder.yaml: is a folder, not a scenario file (${path.join(dir, 'folder.yaml')})`);
  });

  it('refuses a file too large to be a scenario', async () => {
    const file = await write('huge.yaml', `# ${'x'.repeat(maxScenarioBytes)}\n`);
    const error = await loadError(file);
    assert.equal(error.code, 'SCENARIO_UNREADABLE');
    assert.equal(
      error.message,
      `huge.yaml: ${maxScenarioBytes + 3} bytes is too large for a scenario file (limit ${maxScenarioBytes} bytes)`,
    );
  });

  it('refuses a binary file, and points an .onnx file at `bench`', async () => {
    const file = await write('model.onnx', Uint8Array.of(0x08, 0x07, 0x00, 0x12));
    const error = await loadError(file);
    assert.equal(error.code, 'SCENARIO_NOT_YAML');
    assert.equal(error.message, 'model.onnx: not a YAML file (it contains binary data)');
    assert.equal(error.hint, `to measure a model without a scenario, run: joulebench bench ${file}`);
  });

  it('refuses text that is not UTF-8', async () => {
    const file = await write('latin1.yaml', Uint8Array.of(0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a));
    const error = await loadError(file);
    assert.equal(error.code, 'SCENARIO_NOT_YAML');
    assert.equal(error.message, 'latin1.yaml: not valid YAML (the file is not UTF-8 text)');
  });
});

describe('parseScenarioYaml', () => {
  const context = { file: '/work/quick.yaml', baseDir: '/work' };

  function yamlError(text: string): InputError {
    try {
      parseScenarioYaml(text, context);
    } catch (error) {
      assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
      return error;
    }
    assert.fail('parseScenarioYaml accepted invalid text');
  }

  it('reports a YAML syntax error with its line and column', () => {
    const error = yamlError('name: q\nmodels: [mlp]\nbatchSizes: [1, 8, 32\n');
    assert.equal(error.code, 'SCENARIO_NOT_YAML');
    assert.equal(
      error.message,
      'quick.yaml: not valid YAML at line 3, column 22: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
  });

  it('reports tabs used as indentation, with a hint', () => {
    const error = yamlError('models:\n  - model: mlp\n\tname: x\n');
    assert.equal(error.message, 'quick.yaml: not valid YAML at line 3, column 1: Tabs are not allowed as indentation');
    assert.equal(error.hint, 'YAML indents with spaces, not tabs');
  });

  it('reports a key given twice', () => {
    const error = yamlError('models: [mlp]\nbatchSizes: [1]\nbatchSizes: [8]\n');
    assert.equal(error.message, 'quick.yaml: not valid YAML at line 3, column 1: Map keys must be unique');
  });

  it('says so when the top level is not a mapping', () => {
    const error = yamlError('- mlp\n- cnn\n');
    assert.equal(error.code, 'SCENARIO_INVALID');
    assert.equal(
      error.message,
      'quick.yaml: expected a mapping of scenario settings at the top level (models:, batchSizes:, …), got ["mlp","cnn"]',
    );
  });

  it('says so when the file is empty', () => {
    const error = yamlError('# nothing yet\n');
    assert.equal(error.message, 'quick.yaml: the scenario is empty; expected a mapping with at least a models: list');
  });

  it('rejects a "billion laughs" file without expanding it', { timeout: 5000 }, () => {
    const letters = 'abcdefghi';
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < letters.length; i++) {
      const alias = `*${letters[i - 1]}`;
      lines.push(`${letters[i]}: &${letters[i]} [${Array(9).fill(alias).join(',')}]`);
    }
    const error = yamlError(`${lines.join('\n')}\nmodels: [mlp]\n`);
    assert.equal(error.code, 'SCENARIO_NOT_YAML');
    assert.equal(
      error.message,
      'quick.yaml: YAML aliases expand past 100 copies; refusing to expand it (a "billion laughs" file looks like this)',
    );
  });

  it('allows a few aliases and merge keys', () => {
    const scenario = parseScenarioYaml(
      'models:\n  - model: a.onnx\n    inputs: { x: &x { shape: [N, 16] }, y: *x }\nwarmup: { <<: { runs: 1 }, seconds: 0 }\n',
      context,
    );
    assert.deepEqual(scenario.models[0]?.inputs, { x: { shape: ['N', 16] }, y: { shape: ['N', 16] } });
    assert.deepEqual(scenario.warmup, { runs: 1, seconds: 0 });
  });

  it('reads an unquoted shape string in block style', () => {
    const scenario = parseScenarioYaml('models:\n  - model: a.onnx\n    inputs:\n      x:\n        shape: N,1024\n', context);
    assert.deepEqual(scenario.models[0]?.inputs, { x: { shape: ['N', 1024] } });
  });

  it('explains an unquoted shape string inside braces', () => {
    const error = yamlError('models:\n  - model: a.onnx\n    inputs: { x: { shape: N,1024 } }\n');
    assert.equal(error.message, 'quick.yaml: models[0].inputs.x: unknown key "1024" (valid keys here: shape, feed, range)');
    assert.equal(error.hint, 'inside { } a comma starts a new entry: quote the value ("N,1024") or write a list [N, 1024]');
  });
});

describe('shipped scenarios', () => {
  it('quick.yaml loads: 3 built-ins, fp32 and int8, cpu, the race capped at 5 s, 18 configurations', async () => {
    const scenario = await loadScenarioFile(path.join(repoRoot, 'scenarios/quick.yaml'));
    assert.equal(scenario.name, 'quick');
    assert.deepEqual(
      scenario.models.map((model) => model.source),
      ['mlp', 'cnn', 'transformer'],
    );
    assert.deepEqual(scenario.precisions, ['fp32', 'int8']);
    assert.deepEqual(scenario.executionProviders, [{ name: 'cpu', options: {} }]);
    assert.deepEqual(scenario.batchSizes, [1, 8, 32]);
    assert.deepEqual(scenario.window, { minSeconds: 0.5, minRuns: 5 });
    assert.equal(scenario.repetitions, 3);
    assert.equal(scenario.idleSeconds, 2);
    assert.deepEqual(scenario.stopping, { rule: 'race', equivalencePercent: 3, maxSeconds: 5 });
    assert.deepEqual(scenario.meters, ['auto']);
    assert.equal(scenario.outDir, path.join(repoRoot, 'results'));
    assert.equal(expandPlan(scenario).length, 18);
  });

  it('precision-sweep.yaml loads: 3 precisions × 4 batch sizes × 3 models', async () => {
    const scenario = await loadScenarioFile(path.join(repoRoot, 'scenarios/precision-sweep.yaml'));
    assert.deepEqual(scenario.precisions, ['fp32', 'fp16', 'int8']);
    assert.deepEqual(scenario.batchSizes, [1, 8, 32, 128]);
    assert.equal(expandPlan(scenario).length, 36);
  });

  it('nightly.yaml loads with fixed threads and explicit carbon settings', async () => {
    const scenario = await loadScenarioFile(path.join(repoRoot, 'scenarios/nightly.yaml'));
    assert.equal(scenario.name, 'nightly');
    assert.deepEqual(scenario.threads, [4]);
    assert.equal(scenario.repetitions, 5);
    assert.deepEqual(scenario.carbon.defaulted, []);
    assert.equal(scenario.outDir, path.join(repoRoot, 'results/nightly'));
    assert.equal(expandPlan(scenario).every((config) => config.key.endsWith('/t4')), true);
  });
});
