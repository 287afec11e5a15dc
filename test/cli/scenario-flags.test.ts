import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { applyScenarioFlags, givenFlags, renameFieldsToFlags, scenarioFlagHelp, scenarioFlagOptions, scenarioFlags } from '../../src/cli/scenario-flags.js';
import { InputError } from '../../src/errors.js';
import { parseScenario } from '../../src/scenario/schema.js';

const overlay = (raw: unknown, values: Record<string, unknown>, command: 'run' | 'bench' = 'run') => applyScenarioFlags(raw, givenFlags(command, values), values);

test('each flag writes its scenario field into raw input; the file\'s other fields stay', () => {
  const file = { models: ['mlp'], batchSizes: [4], repetitions: 5, window: { minRuns: 20 } };
  assert.deepEqual(overlay(file, { batch: '1,8', 'min-seconds': '0.5', precision: 'fp32,fp16', out: 'here' }), {
    models: ['mlp'], batchSizes: [1, 8], repetitions: 5, window: { minRuns: 20, minSeconds: 0.5 }, precisions: ['fp32', 'fp16'], out: path.resolve('here'),
  });
  // The input itself is not changed.
  assert.deepEqual(file.batchSizes, [4]);
});

test('--gpus replaces the file\'s devices or its older name gpus', () => {
  assert.deepEqual(overlay({ models: ['mlp'], gpus: [0] }, { gpus: '1,2' }), { models: ['mlp'], devices: [1, 2] });
});

test('bench\'s model flags fill models[0]: --shape, --feed, --range, --variant', () => {
  const values = { shape: ['x=N,1024'], feed: ['sr=16000'], range: ['ids=0,10'], variant: ['fp16=m.fp16.onnx'] };
  assert.deepEqual(overlay({ models: [{ model: 'm.onnx' }] }, values, 'bench'), {
    models: [{ model: 'm.onnx', inputs: { x: { shape: ['N', 1024] }, sr: { feed: 16000 }, ids: { range: [0, 10] } }, variants: { fp16: 'm.fp16.onnx' } }],
  });
  assert.throws(() => overlay({ models: [{ model: 'm.onnx' }] }, { shape: ['x=N,2', 'x=N,3'] }, 'bench'), /--shape x=N,3: the shape of "x" is given twice/);
});

test('stopping flags: the rule asked for over the file\'s stopping, off for fixed repetitions', () => {
  const race = { models: ['mlp'], stopping: { rule: 'race', equivalencePercent: 5, maxSeconds: 30 } };
  assert.deepEqual((overlay(race, { 'target-ci': '1%' }) as { stopping: unknown }).stopping, { maxSeconds: 30, rule: 'target-ci', targetCiPercent: 1 });
  assert.deepEqual((overlay({ models: ['mlp'], stopping: false }, { 'max-seconds': '15' }) as { stopping: unknown }).stopping, { maxSeconds: 15 });
  assert.deepEqual((overlay({ models: ['mlp'], stopping: { targetCiPercent: 4 } }, { 'max-seconds': '15' }) as { stopping: unknown }).stopping, { targetCiPercent: 4, maxSeconds: 15 });
  assert.deepEqual((overlay({ models: ['mlp'], stopping: { rule: 'target-ci', targetCiPercent: 4, maxSeconds: 20 } }, { equivalence: '5%' }) as { stopping: unknown }).stopping, { maxSeconds: 20, rule: 'race', equivalencePercent: 5 });
  assert.equal((overlay(race, { 'target-ci': 'off' }) as { stopping: unknown }).stopping, false);
  assert.equal((overlay(race, { 'target-ci': 'FIXED' }) as { stopping: unknown }).stopping, false);
  // Validated: --max-seconds 15 over the race of the file keeps the race's margin.
  const parsed = parseScenario(overlay(race, { 'max-seconds': '15' }), { file: null, baseDir: '/tmp' });
  assert.deepEqual(parsed.stopping, { rule: 'race', equivalencePercent: 5, maxSeconds: 15 });
});

test('stopping flags: bad values and contradictions are FLAG_INVALID naming the flag', () => {
  const rejects = (values: Record<string, string>, message: string) =>
    assert.throws(() => overlay({ models: ['mlp'] }, values), (error: unknown) => error instanceof InputError && error.code === 'FLAG_INVALID' && error.message === message);
  rejects({ 'target-ci': 'tight' }, '--target-ci: expected a positive percentage like 2 or 2%, or off, got "tight"');
  rejects({ 'target-ci': '0' }, '--target-ci: expected a positive percentage like 2 or 2%, or off, got "0"');
  rejects({ 'max-seconds': '-5' }, '--max-seconds: expected a positive number of seconds, got "-5"');
  rejects({ 'target-ci': 'off', 'max-seconds': '10' }, '--max-seconds caps adaptive stopping, which --target-ci off turns off');
  rejects({ 'target-ci': 'off', equivalence: '3' }, '--equivalence tunes adaptive stopping, which --target-ci off turns off');
  rejects({ 'target-ci': '2', equivalence: '3' }, '--target-ci and --equivalence choose two different stopping rules');
  rejects({ equivalence: '60' }, '--equivalence: expected a percentage above 0 and at most 50, got "60"');
});

test('a schema error about a field a flag set names the flag; the file\'s own fields keep their name', () => {
  const values = { batch: '100000' };
  const given = givenFlags('run', values);
  const raw = overlay({ models: ['mlp'], repetitions: 0 }, values);
  let caught: unknown;
  try {
    parseScenario(raw, { file: '/tmp/s.yaml', baseDir: '/tmp' });
  } catch (error) {
    caught = renameFieldsToFlags(error as InputError, 's.yaml', given);
  }
  assert.ok(caught instanceof InputError);
  assert.equal(caught.message, 's.yaml: repetitions: expected an integer from 1 to 100, got 0\n--batch: expected a batch size of at most 65536, got 100000');
});

test('--shape NAME= and --max-seconds below a window name the flag', () => {
  const values = { shape: ['x=N,2'], 'max-seconds': '0.5', 'min-seconds': '2' };
  const given = givenFlags('bench', values);
  const error = new InputError('SCENARIO_INVALID', 'scenario: models[0].inputs["x.1"].shape: bad\nscenario: stopping.maxSeconds: maxSeconds 0.5 is shorter than one window');
  assert.equal(renameFieldsToFlags(error, 'scenario', given).message, '--shape x.1=: bad\n--max-seconds: maxSeconds 0.5 is shorter than one window');
});

test('parseArgs options and help come from the same rows (short flags included)', () => {
  const options = scenarioFlagOptions('bench');
  assert.deepEqual(options.batch, { type: 'string', short: 'b' });
  assert.deepEqual(options.shape, { type: 'string', multiple: true });
  assert.equal(scenarioFlagOptions('run').shape, undefined);
  const help = scenarioFlagHelp('bench', 29);
  for (const row of scenarioFlags.filter((entry) => entry.commands.includes('bench'))) assert.match(help, new RegExp(`--${row.name}\\b`));
  assert.match(help, /^ {2}-b, --batch 1,8,32 {9}batch sizes \(default 1,8,32\)$/m);
  assert.match(help, /--target-ci P\|off +stop each configuration .*\n +off: no adaptive stopping/);
});

test('--export-json and its older name: either works, two different files conflict', async () => {
  const { exportFlag } = await import('../../src/cli/args.js');
  assert.equal(exportFlag({ 'json-file': 'a.json' }, 'export-json', 'json-file'), 'a.json');
  assert.equal(exportFlag({ 'export-json': 'b.json' }, 'export-json', 'json-file'), 'b.json');
  assert.throws(() => exportFlag({ 'export-json': 'b.json', 'json-file': 'a.json' }, 'export-json', 'json-file'), (error: unknown) =>
    error instanceof InputError && error.code === 'FLAG_CONFLICT' && error.message === '--export-json b.json and --json-file a.json name two files for one export');
});

test('--fidelity off sets fidelity: off; with a bound flag it is a FLAG_CONFLICT', () => {
  const raw = overlay({ models: ['mlp'], fidelity: { minCosine: 0.999 } }, { fidelity: 'off' }) as { fidelity: unknown };
  assert.equal(raw.fidelity, 'off');
  assert.equal(parseScenario(raw, { file: null, baseDir: '/tmp' }).fidelity, null);
  assert.throws(() => overlay({ models: ['mlp'] }, { fidelity: 'off', 'min-cosine': '0.9' }), (error: unknown) => error instanceof InputError && error.code === 'FLAG_CONFLICT');
  assert.throws(() => overlay({ models: ['mlp'] }, { fidelity: 'on' }), /--fidelity: expected off, got "on"/);
});

test('field paths a flag set are written as the flag in the message and the hint', () => {
  const values = { 'max-seconds': '1', 'min-seconds': '2' };
  const error = new InputError('SCENARIO_INVALID', 'scenario: stopping.maxSeconds: maxSeconds 1 is shorter than one window (window.minSeconds 2)', { hint: 'set stopping.maxSeconds to at least 2' });
  const renamed = renameFieldsToFlags(error, 'scenario', givenFlags('bench', values));
  assert.equal(renamed.message, '--max-seconds: maxSeconds 1 is shorter than one window (--min-seconds 2)');
  assert.equal(renamed.hint, 'set --max-seconds to at least 2');
});

test('run: a --meter replay:FILE outside the scenario\'s folder is the user\'s own path, not refused like the file\'s', async () => {
  const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises');
  const os = await import('node:os');
  const { loadScenarioFile } = await import('../../src/scenario/load.js');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jb-flags-'));
  try {
    await mkdir(path.join(dir, 's'));
    await writeFile(path.join(dir, 's', 'a.yaml'), 'models: [mlp]\n');
    await writeFile(path.join(dir, 's', 'b.yaml'), 'models: [mlp]\nmeters: ["replay:../trace.csv"]\n');
    const values = { meter: `replay:${path.join(dir, 'trace.csv')}` };
    const scenario = await loadScenarioFile(path.join(dir, 's', 'a.yaml'), { overrides: (raw) => overlay(raw, values) });
    assert.deepEqual(scenario.meters, [`replay:${path.join(dir, 'trace.csv')}`]);
    await assert.rejects(loadScenarioFile(path.join(dir, 's', 'b.yaml')), /meters\[0\]: .* is outside the scenario's folder/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
