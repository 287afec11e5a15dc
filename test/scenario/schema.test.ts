import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { parseScenario, scenarioDefaults } from '../../src/scenario/schema.js';
import type { Scenario } from '../../src/scenario/types.js';

const context = { file: '/work/scenarios/quick.yaml', baseDir: '/work/scenarios' };

// The InputError parseScenario throws for `raw`, or a failure if it accepts it.
function rejection(raw: unknown, ctx: { file: string | null; baseDir: string } = context): InputError {
  try {
    parseScenario(raw, ctx);
  } catch (error) {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    return error;
  }
  assert.fail('parseScenario accepted an invalid scenario');
}

describe('parseScenario: defaults', () => {
  it('fills every default for a scenario that only lists models', () => {
    const scenario = parseScenario({ models: [{ model: 'mlp' }] }, context);
    const expected: Scenario = {
      name: 'quick',
      file: '/work/scenarios/quick.yaml',
      models: [{ name: 'mlp', source: 'mlp', inputs: {}, variants: {} }],
      precisions: ['fp32'],
      executionProviders: [{ name: 'cpu', options: {} }],
      batchSizes: [1, 8, 32],
      threads: [null],
      warmup: { runs: 5, seconds: 0.5 },
      window: { minSeconds: 1, minRuns: 10 },
      repetitions: 3,
      idleSeconds: 2,
      meters: ['auto'],
      cpuTdpWatts: null,
      devices: null,
      order: 'sequential',
      stopping: { rule: 'race', equivalencePercent: 3, maxSeconds: 60 },
      cooldown: null,
      conversion: { keepFp32: [], fp16Io: false, int8Mode: 'auto', calibrationMethod: 'minmax', percentile: 99.99, perChannel: true },
      fidelity: { minCosine: 0.99, maxAbsError: null, minTop1Agreement: 0.99, accuracyTarget: null },
      carbon: {
        gridIntensityGPerKWh: 475,
        pue: 1,
        region: 'world',
        defaulted: ['gridIntensityGPerKWh', 'pue', 'region'],
        zone: null, basis: 'default', source: 'default: world average 475 gCO2e/kWh (CodeCarbon\'s fallback); set carbon.region for your grid', year: null, licence: null, kind: 'average',
      },
      slo: { p99Ms: null },
      outDir: '/work/scenarios/results',
    };
    assert.deepEqual(scenario, expected);
  });

  it('stopping: the race by default; targetCiPercent chooses the ±CI rule; false, off or fixed measure exactly `repetitions` windows', () => {
    const stoppingOf = (stopping: unknown) => parseScenario({ models: ['mlp'], stopping }, context).stopping;
    assert.deepEqual(stoppingOf(undefined), { rule: 'race', equivalencePercent: 3, maxSeconds: 60 });
    assert.deepEqual(stoppingOf(true), { rule: 'race', equivalencePercent: 3, maxSeconds: 60 });
    for (const off of [false, 'off', 'fixed', 'OFF', { enabled: false }]) assert.equal(stoppingOf(off), null, JSON.stringify(off));
    assert.deepEqual(stoppingOf({ targetCiPercent: 1 }), { rule: 'target-ci', targetCiPercent: 1, maxSeconds: 60 });
    assert.deepEqual(stoppingOf({ rule: 'target-ci' }), { rule: 'target-ci', targetCiPercent: 2, maxSeconds: 60 });
    assert.deepEqual(stoppingOf({ equivalencePercent: 5, maxSeconds: 20 }), { rule: 'race', equivalencePercent: 5, maxSeconds: 20 });
    assert.throws(() => stoppingOf('sometimes'), (error: Error) => error.message === 'quick.yaml: stopping: expected false (exactly `repetitions` windows) or a mapping like {rule: race, equivalencePercent: 3, maxSeconds: 60} or {targetCiPercent: 2, maxSeconds: 60}, got "sometimes"');
    // Bad input: a margin outside (0, 50], two rules' settings at once, a cap shorter than one window.
    assert.throws(() => stoppingOf({ equivalencePercent: 0 }), /stopping\.equivalencePercent: expected a positive percentage/);
    assert.throws(() => stoppingOf({ equivalencePercent: 60 }), /stopping\.equivalencePercent: expected a percentage above 0 and at most 50/);
    assert.throws(() => stoppingOf({ rule: 'race', targetCiPercent: 2 }), /stopping\.targetCiPercent: targetCiPercent belongs to rule target-ci, not race/);
    assert.throws(() => stoppingOf({ targetCiPercent: 2, equivalencePercent: 3 }), /stopping\.equivalencePercent: equivalencePercent belongs to rule race, not target-ci/);
    assert.throws(() => parseScenario({ models: ['mlp'], window: { minSeconds: 2 }, stopping: { maxSeconds: 1 } }, context), /stopping\.maxSeconds: maxSeconds 1 is shorter than one window \(window\.minSeconds 2\): not even one round fits/);
    assert.throws(() => stoppingOf({ targetCiPercent: -2 }), /stopping\.targetCiPercent: expected a positive percentage/);
  });

  it('fidelity: MLPerf\'s 99% by default; off, false, none or null turn it off; given fields replace their default', () => {
    const fidelityOf = (fidelity: unknown) => parseScenario({ models: ['mlp'], fidelity }, context).fidelity;
    assert.deepEqual(fidelityOf(undefined), { minCosine: 0.99, maxAbsError: null, minTop1Agreement: 0.99, accuracyTarget: null });
    for (const off of [null, false, 'off', 'OFF', 'none']) assert.equal(fidelityOf(off), null, JSON.stringify(off));
    assert.deepEqual(fidelityOf({ minCosine: 0.999 }), { minCosine: 0.999, maxAbsError: null, minTop1Agreement: 0.99, accuracyTarget: null });
    assert.deepEqual(fidelityOf({ minTop1Agreement: null, accuracyTarget: '99%' }), { minCosine: 0.99, maxAbsError: null, minTop1Agreement: null, accuracyTarget: 0.99 });
    assert.throws(() => fidelityOf('strict'), (error: Error) => error.message === 'quick.yaml: fidelity: expected off, or a mapping like {minCosine: 0.99, minTop1Agreement: 0.99} or {accuracyTarget: 99%}, got "strict"');
    assert.throws(() => fidelityOf({ minCosine: 2 }), /fidelity\.minCosine: expected a cosine similarity from -1 to 1/);
  });

  it('names a scenario without a file "bench" and resolves out against baseDir', () => {
    const scenario = parseScenario({ models: ['cnn'] }, { file: null, baseDir: '/tmp/here' });
    assert.equal(scenario.name, 'bench');
    assert.equal(scenario.file, null);
    assert.equal(scenario.outDir, '/tmp/here/results');
    assert.deepEqual(scenario.models, [{ name: 'cnn', source: 'cnn', inputs: {}, variants: {} }]);
  });

  it('does not share arrays with scenarioDefaults', () => {
    const first = parseScenario({ models: ['mlp'] }, context);
    first.batchSizes.push(64);
    first.executionProviders[0]!.options['x'] = 1;
    const second = parseScenario({ models: ['mlp'] }, context);
    assert.deepEqual(second.batchSizes, [1, 8, 32]);
    assert.deepEqual(second.executionProviders, [{ name: 'cpu', options: {} }]);
    assert.deepEqual(scenarioDefaults.batchSizes, [1, 8, 32]);
  });

  it('treats an empty (null) optional key as left out', () => {
    const scenario = parseScenario({ models: ['mlp'], threads: null, slo: null, carbon: { pue: null } }, context);
    assert.deepEqual(scenario.threads, [null]);
    assert.deepEqual(scenario.slo, { p99Ms: null });
    assert.deepEqual(scenario.carbon.defaulted, ['gridIntensityGPerKWh', 'pue', 'region']);
  });

  it('lists only the carbon keys that took a default', () => {
    const scenario = parseScenario({ models: ['mlp'], carbon: { pue: 1.4 } }, context);
    assert.deepEqual(scenario.carbon, {
      gridIntensityGPerKWh: 475,
      pue: 1.4,
      region: 'world',
      defaulted: ['gridIntensityGPerKWh', 'region'],
      zone: null, basis: 'default', source: 'default: world average 475 gCO2e/kWh (CodeCarbon\'s fallback); set carbon.region for your grid', year: null, licence: null, kind: 'average',
    });
  });

  it('keeps every value that is given, batch sizes in the given order', () => {
    const scenario = parseScenario(
      {
        name: 'full',
        models: [{ model: 'transformer', name: 'tiny-tf' }],
        precisions: ['int8', 'fp32'],
        executionProviders: ['cpu', { name: 'cuda', options: { device_id: 1, enable_cuda_graph: true } }],
        batchSizes: [32, 1, 8],
        threads: [4, 2],
        warmup: { runs: 0, seconds: 0 },
        window: { minSeconds: 2.5, minRuns: 20 },
        repetitions: 7,
        idleSeconds: 0,
        meters: ['rapl', 'estimate'],
        cpuTdpWatts: 65,
        carbon: { gridIntensityGPerKWh: 0, pue: 1.2, region: 'se' },
        slo: { p99Ms: 50 },
        out: '/abs/out',
      },
      context,
    );
    assert.equal(scenario.name, 'full');
    assert.deepEqual(scenario.models, [{ name: 'tiny-tf', source: 'transformer', inputs: {}, variants: {} }]);
    assert.deepEqual(scenario.precisions, ['int8', 'fp32']);
    assert.deepEqual(scenario.executionProviders, [
      { name: 'cpu', options: {} },
      { name: 'cuda', options: { device_id: 1, enable_cuda_graph: true } },
    ]);
    assert.deepEqual(scenario.batchSizes, [32, 1, 8]);
    assert.deepEqual(scenario.threads, [4, 2]);
    assert.deepEqual(scenario.warmup, { runs: 0, seconds: 0 });
    assert.deepEqual(scenario.window, { minSeconds: 2.5, minRuns: 20 });
    assert.equal(scenario.repetitions, 7);
    assert.equal(scenario.idleSeconds, 0);
    assert.deepEqual(scenario.meters, ['rapl', 'estimate']);
    assert.equal(scenario.cpuTdpWatts, 65);
    assert.deepEqual(scenario.carbon, { gridIntensityGPerKWh: 0, pue: 1.2, region: 'se', defaulted: [], zone: null, basis: 'user', source: 'given by the user', year: null, licence: null, kind: 'average' });
    assert.deepEqual(scenario.slo, { p99Ms: 50 });
    assert.equal(scenario.outDir, '/abs/out');
  });
});

describe('parseScenario: models and paths', () => {
  it('resolves model, variant, out and replay paths against baseDir', () => {
    const scenario = parseScenario(
      {
        models: [
          {
            model: '../models/resnet.onnx',
            variants: { fp16: 'resnet.fp16.onnx', int8: '/abs/resnet.int8.onnx' },
          },
          { model: 'sub/dir/encoder' },
        ],
        meters: ['auto', 'replay:traces/run1.csv', 'replay:/abs/trace.csv'],
        out: 'out/runs',
      },
      context,
    );
    assert.deepEqual(scenario.models, [
      {
        name: 'resnet',
        source: '/work/models/resnet.onnx',
        inputs: {},
        variants: { fp16: '/work/scenarios/resnet.fp16.onnx', int8: '/abs/resnet.int8.onnx' },
      },
      { name: 'encoder', source: '/work/scenarios/sub/dir/encoder', inputs: {}, variants: {} },
    ]);
    assert.deepEqual(scenario.meters, ['auto', 'replay:/work/scenarios/traces/run1.csv', 'replay:/abs/trace.csv']);
    assert.equal(scenario.outDir, '/work/scenarios/out/runs');
  });

  it('treats a bare file name ending in .onnx as a path, and makes its stem a valid label', () => {
    const scenario = parseScenario({ models: ['My Model v2.onnx'] }, context);
    assert.deepEqual(scenario.models, [
      { name: 'My-Model-v2', source: '/work/scenarios/My Model v2.onnx', inputs: {}, variants: {} },
    ]);
  });

  it('accepts `- mlp` as shorthand for `- model: mlp`', () => {
    const scenario = parseScenario({ models: ['mlp', { model: 'cnn' }] }, context);
    assert.deepEqual(
      scenario.models.map((model) => [model.name, model.source]),
      [
        ['mlp', 'mlp'],
        ['cnn', 'cnn'],
      ],
    );
  });

  it('parses input settings: shape lists, shape strings, feed and range', () => {
    const scenario = parseScenario(
      {
        models: [
          {
            model: 'speech.onnx',
            inputs: {
              pixel_values: { shape: 'N,3,224,224' },
              'input.1': { shape: ['N', 1024] },
              spaced: { shape: ' N , 80 ' },
              sr: { feed: 16000 },
              ids: { range: [0, 1000] },
              none: {},
            },
          },
        ],
      },
      context,
    );
    assert.deepEqual(scenario.models[0]?.inputs, {
      pixel_values: { shape: ['N', 3, 224, 224] },
      'input.1': { shape: ['N', 1024] },
      spaced: { shape: ['N', 80] },
      sr: { feed: 16000 },
      ids: { range: [0, 1000] },
      none: {},
    });
  });

  it('allows two entries of one provider name with different options', () => {
    const scenario = parseScenario(
      {
        models: ['mlp'],
        executionProviders: [
          { name: 'cuda', options: { device_id: 0 } },
          { name: 'cuda', options: { device_id: 1 } },
        ],
      },
      context,
    );
    assert.equal(scenario.executionProviders.length, 2);
  });
});

describe('parseScenario: error messages', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a word in batchSizes', { models: ['mlp'], batchSizes: [1, 'eight'] }, 'quick.yaml: batchSizes[1]: expected a positive integer, got "eight"'],
    ['a zero batch size', { models: ['mlp'], batchSizes: [0] }, 'quick.yaml: batchSizes[0]: expected a positive integer, got 0'],
    ['a fractional batch size', { models: ['mlp'], batchSizes: [1.5] }, 'quick.yaml: batchSizes[0]: expected a positive integer, got 1.5'],
    ['a batch size over the limit', { models: ['mlp'], batchSizes: [65537] }, 'quick.yaml: batchSizes[0]: expected a batch size of at most 65536, got 65537'],
    ['a repeated batch size', { models: ['mlp'], batchSizes: [8, 1, 8] }, 'quick.yaml: batchSizes[2]: 8 is already listed at batchSizes[0]'],
    ['an empty batch list', { models: ['mlp'], batchSizes: [] }, 'quick.yaml: batchSizes: expected at least one batch size, got []'],
    ['a scalar batch size', { models: ['mlp'], batchSizes: 8 }, 'quick.yaml: batchSizes: expected a list of batch sizes (positive integers), got 8'],
    ['a missing models key', { batchSizes: [1] }, 'quick.yaml: models: required, got nothing'],
    ['an empty models list', { models: [] }, 'quick.yaml: models: expected at least one model, got []'],
    ['an unknown precision', { models: ['mlp'], precisions: ['fp8'] }, 'quick.yaml: precisions[0]: expected one of fp32, fp16, int8, got "fp8"'],
    ['a repeated precision', { models: ['mlp'], precisions: ['fp32', 'fp32'] }, 'quick.yaml: precisions[1]: "fp32" is already listed at precisions[0]'],
    ['a misspelt top-level key', { models: ['mlp'], batchsize: [1] }, 'quick.yaml: unknown key "batchsize" — did you mean "batchSizes"?'],
    ['a snake_case key', { models: ['mlp'], batch_sizes: [1] }, 'quick.yaml: unknown key "batch_sizes" — did you mean "batchSizes"?'],
    ['an alias of a key', { models: ['mlp'], eps: ['cpu'] }, 'quick.yaml: unknown key "eps" — did you mean "executionProviders"?'],
    ['a misspelt nested key', { models: [{ model: 'mlp', inputz: {} }] }, 'quick.yaml: models[0]: unknown key "inputz" — did you mean "inputs"?'],
    ['a misspelt key two levels down', { models: ['mlp'], window: { minSecs: 1 } }, 'quick.yaml: window: unknown key "minSecs" — did you mean "minSeconds"?'],
    [
      'an unknown key with no near match',
      { models: ['mlp'], slo: { colour: 'red' } },
      'quick.yaml: slo: unknown key "colour" (valid keys here: p99Ms)',
    ],
    [
      'a misspelt built-in model',
      { models: [{ model: 'mpl' }] },
      'quick.yaml: models[0].model: unknown built-in model "mpl" — did you mean "mlp"? Built-ins: mlp, cnn, transformer; or give a path to an .onnx file',
    ],
    [
      'an unknown built-in model with no near match',
      { models: [{ model: 'resnet' }] },
      'quick.yaml: models[0].model: unknown built-in model "resnet". Built-ins: mlp, cnn, transformer; or give a path to an .onnx file',
    ],
    ['a missing model key', { models: [{ name: 'a' }] }, 'quick.yaml: models[0].model: required, got nothing'],
    ['a model entry that is a number', { models: [5] }, 'quick.yaml: models[0]: expected a mapping like {model: mlp} or {model: ./my-model.onnx}, got 5'],
    ['an invalid model label', { models: [{ model: 'mlp', name: 'my model' }] }, 'quick.yaml: models[0].name: expected a model label made of letters, digits, ".", "_" or "-", got "my model"'],
    ['two models with one default name', { models: ['mlp', './other/mlp.onnx'] }, 'quick.yaml: models[1]: the model name "mlp" is already used by models[0]'],
    ['two models with one explicit name', { models: [{ model: 'mlp', name: 'm' }, { model: 'cnn', name: 'm' }] }, 'quick.yaml: models[1].name: the model name "m" is already used by models[0]'],
    ['two N in a shape list', { models: [{ model: 'a.onnx', inputs: { x: { shape: ['N', 'N', 3] } } }] }, 'quick.yaml: models[0].inputs.x.shape: expected at most one N (the batch dimension), got ["N","N",3]'],
    ['two N in a shape string', { models: [{ model: 'a.onnx', inputs: { x: { shape: 'N,N' } } }] }, 'quick.yaml: models[0].inputs.x.shape: expected at most one N (the batch dimension), got "N,N"'],
    ['a bad shape string', { models: [{ model: 'a.onnx', inputs: { x: { shape: 'N,3,a' } } }] }, 'quick.yaml: models[0].inputs.x.shape: expected comma-separated positive integers and N, like "N,1024", got "N,3,a"'],
    ['a zero dimension', { models: [{ model: 'a.onnx', inputs: { x: { shape: ['N', 0] } } }] }, 'quick.yaml: models[0].inputs.x.shape[1]: expected a positive integer, got 0'],
    ['a lowercase n dimension', { models: [{ model: 'a.onnx', inputs: { x: { shape: ['n', 3] } } }] }, 'quick.yaml: models[0].inputs.x.shape[0]: expected a positive integer or "N", got "n"'],
    ['a shape that is a number', { models: [{ model: 'a.onnx', inputs: { x: { shape: 5 } } }] }, 'quick.yaml: models[0].inputs.x.shape: expected a list like [N, 1024] or a string like "N,1024", got 5'],
    ['an input name that needs quoting', { models: [{ model: 'a.onnx', inputs: { 'input.1': { feed: 'x' } } }] }, 'quick.yaml: models[0].inputs["input.1"].feed: expected a number, got "x"'],
    ['an empty range', { models: [{ model: 'a.onnx', inputs: { ids: { range: [5, 5] } } }] }, 'quick.yaml: models[0].inputs.ids.range: expected [lo, hi] with lo < hi (hi is excluded), got [5,5]'],
    ['a one-number range', { models: [{ model: 'a.onnx', inputs: { ids: { range: [1] } } }] }, 'quick.yaml: models[0].inputs.ids.range: expected [lo, hi], two integers with lo < hi, got [1]'],
    ['feed and range together', { models: [{ model: 'a.onnx', inputs: { ids: { feed: 1, range: [0, 2] } } }] }, 'quick.yaml: models[0].inputs.ids: give either feed (one fixed value) or range (integers to synthesise), not both'],
    ['a variant for fp32', { models: [{ model: 'a.onnx', variants: { fp32: 'b.onnx' } }] }, 'quick.yaml: models[0].variants: unknown key "fp32" (valid keys here: fp16, int8)'],
    ['an uppercase provider', { models: ['mlp'], executionProviders: ['CUDA'] }, 'quick.yaml: executionProviders[0]: expected a lowercase provider name like "cpu" or "cuda", got "CUDA"'],
    ['a provider option that is a list', { models: ['mlp'], executionProviders: [{ name: 'cuda', options: { device_id: [0] } }] }, 'quick.yaml: executionProviders[0].options.device_id: expected a string, number or boolean, got [0]'],
    ['a provider that is a number', { models: ['mlp'], executionProviders: [5] }, 'quick.yaml: executionProviders[0]: expected a provider name like "cpu" or a mapping like {name: cuda, options: {device_id: 0}}, got 5'],
    ['a repeated provider', { models: ['mlp'], executionProviders: ['cpu', { name: 'cpu', options: {} }] }, 'quick.yaml: executionProviders[1]: {"name":"cpu","options":{}} is already listed at executionProviders[0]'],
    ['zero threads', { models: ['mlp'], threads: [0] }, 'quick.yaml: threads[0]: expected a positive integer, got 0'],
    ['negative warm-up runs', { models: ['mlp'], warmup: { runs: -1 } }, 'quick.yaml: warmup.runs: expected a non-negative integer, got -1'],
    ['a zero window', { models: ['mlp'], window: { minSeconds: 0 } }, 'quick.yaml: window.minSeconds: expected a positive number of seconds, got 0'],
    ['zero minimum runs', { models: ['mlp'], window: { minRuns: 0 } }, 'quick.yaml: window.minRuns: expected a positive integer, got 0'],
    ['a window that is a number', { models: ['mlp'], window: 5 }, 'quick.yaml: window: expected a mapping like {minSeconds: 1, minRuns: 10}, got 5'],
    ['too many repetitions', { models: ['mlp'], repetitions: 101 }, 'quick.yaml: repetitions: expected an integer from 1 to 100, got 101'],
    ['infinite idle time', { models: ['mlp'], idleSeconds: Infinity }, 'quick.yaml: idleSeconds: expected a number of seconds from 0 to 600, got Infinity'],
    ['a long idle time', { models: ['mlp'], idleSeconds: 601 }, 'quick.yaml: idleSeconds: expected a number of seconds from 0 to 600, got 601'],
    ['an empty replay path', { models: ['mlp'], meters: ['replay:'] }, 'quick.yaml: meters[0]: expected replay:<path to a recorded power trace>, got "replay:"'],
    ['an empty meter id', { models: ['mlp'], meters: [''] }, 'quick.yaml: meters[0]: expected a meter id like "auto", "estimate" or "replay:trace.csv", got ""'],
    ['a negative TDP', { models: ['mlp'], cpuTdpWatts: -65 }, 'quick.yaml: cpuTdpWatts: expected a positive number of watts, got -65'],
    ['a PUE under 1', { models: ['mlp'], carbon: { pue: 0.9 } }, 'quick.yaml: carbon.pue: expected a power usage effectiveness of at least 1, got 0.9'],
    ['a negative grid intensity', { models: ['mlp'], carbon: { gridIntensityGPerKWh: -1 } }, 'quick.yaml: carbon.gridIntensityGPerKWh: expected a non-negative number of grams CO2e per kWh, got -1'],
    ['a zero p99 objective', { models: ['mlp'], slo: { p99Ms: 0 } }, 'quick.yaml: slo.p99Ms: expected a positive number of milliseconds, got 0'],
    ['an empty out folder', { models: ['mlp'], out: '' }, 'quick.yaml: out: expected a folder path, got ""'],
    ['a top level that is a list', ['mlp'], 'quick.yaml: expected a mapping of scenario settings at the top level (models:, batchSizes:, …), got ["mlp"]'],
    ['a top level that is a string', 'hello', 'quick.yaml: expected a mapping of scenario settings at the top level (models:, batchSizes:, …), got "hello"'],
    ['an empty scenario', null, 'quick.yaml: the scenario is empty; expected a mapping with at least a models: list'],
  ];
  for (const [what, raw, message] of cases) {
    it(`reports ${what}`, () => {
      const error = rejection(raw);
      assert.equal(error.message, message);
      assert.equal(error.code, 'SCENARIO_INVALID');
      assert.equal(error.exitCode, 2);
    });
  }

  it('says "scenario" when there is no file', () => {
    const error = rejection({ models: ['mlp'], batchSizes: [0] }, { file: null, baseDir: '/tmp' });
    assert.equal(error.message, 'scenario: batchSizes[0]: expected a positive integer, got 0');
  });

  it('hints the nearest precision, and the valid keys next to a suggested key', () => {
    assert.equal(rejection({ models: ['mlp'], precisions: ['FP16'] }).hint, 'did you mean "fp16"?');
    assert.equal(rejection({ models: [{ model: 'mlp', inputz: {} }] }).hint, 'valid keys here: model, name, inputs, variants, calibration, labels');
    assert.equal(rejection({ models: ['mlp'], executionProviders: ['CUDAExecutionProvider'] }).hint, 'write "cuda"');
    assert.equal(
      rejection({ batchSizes: [1] }).hint,
      'list the models to measure, e.g. models: [{ model: mlp }] (built-ins: mlp, cnn, transformer)',
    );
  });

  it('lists several problems in file order, one per line, at most five', () => {
    const error = rejection({
      repetitions: 0,
      models: ['mlp'],
      batchsize: [1],
      batchSizes: ['a', 0],
      idleSeconds: -1,
      meters: [''],
      out: 3,
    });
    assert.equal(
      error.message,
      [
        'quick.yaml: repetitions: expected an integer from 1 to 100, got 0',
        'quick.yaml: unknown key "batchsize" — did you mean "batchSizes"?',
        'quick.yaml: batchSizes[0]: expected a positive integer, got "a"',
        'quick.yaml: batchSizes[1]: expected a positive integer, got 0',
        'quick.yaml: idleSeconds: expected a number of seconds from 0 to 600, got -1',
        'quick.yaml: …and 2 more problems',
      ].join('\n'),
    );
  });

  it('reports a missing required key before other problems', () => {
    const error = rejection({ batchSizes: [0] });
    assert.equal(
      error.message,
      'quick.yaml: models: required, got nothing\nquick.yaml: batchSizes[0]: expected a positive integer, got 0',
    );
  });

  it('shortens long values', () => {
    const error = rejection({ models: ['mlp'], out: { a: 'x'.repeat(100) } });
    assert.equal(error.message, `quick.yaml: out: expected a folder path, got {"a":"${'x'.repeat(51)}…`);
  });
});
