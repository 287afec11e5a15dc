// The scenario format: validation with messages users can act on, documented defaults, resolved paths.
import path from 'node:path';
import { z } from 'zod';
import { resolveCarbon } from '../carbon/resolve.js';
import { budgetsSchema, toBudgetSpecs } from './budget-spec.js';
import { builtinModelNames, isBuiltinModelName } from './builtins.js';
import {
  customIssue,
  formatPath,
  formatValue,
  issuesToProblems,
  problemsError,
  sortByFileOrder,
  strictObject,
  type Problem,
} from './issues.js';
import { loadSection, toLoadSpec } from './load-section.js';
import { deviceIdOutsideHint, deviceIdOutsideMessage, deviceIdsOutside } from './devices.js';
import { defaultEquivalencePercent } from '../stats/interval.js';
import { closest } from '../common/suggest.js';
import type { DimSpec, InputSpec } from '../onnx/shapes.js';
import {
  precisions,
  type CarbonSpec,
  type ExecutionProviderSpec,
  type FidelityBounds,
  type ModelSpec,
  type Scenario,
  type StoppingSpec,
} from './types.js';

/** What a scenario gets for each key it leaves out (the README's table is built from this). */
export const scenarioDefaults = {
  /** Name when there is no file (built from `bench` flags); a file's default name is its stem. */
  name: 'bench',
  precisions: ['fp32'],
  executionProviders: [{ name: 'cpu', options: {} }],
  batchSizes: [1, 8, 32],
  /** `null`: leave intra-op threads to onnxruntime. */
  threads: [null],
  warmup: { runs: 5, seconds: 0.5 },
  window: { minSeconds: 1, minRuns: 10 },
  repetitions: 3,
  idleSeconds: 2,
  meters: ['auto'],
  cpuTdpWatts: null,
  /** `null`: providers as written, every GPU metered, each configuration counting the GPU it runs on. */
  devices: null,
  /** 475 gCO2e/kWh is the world-average grid intensity CodeCarbon falls back to; PUE 1.0 = no facility overhead. */
  carbon: { gridIntensityGPerKWh: 475, pue: 1.0, region: 'world' },
  slo: { p99Ms: null },
  /** Repetitions of one session's batch sizes: all of one then the next, alternating, or shuffled (seeded). */
  order: 'sequential',
  /**
   * Adaptive stopping (on unless `stopping: false`): race the configurations of each model in rounds until one is
   * best with 95% confidence or the rest are within ±3% of it (indistinguishable), at most 60 s of windows each.
   * `targetCiPercent` (no default) switches to the per-configuration ±CI rule.
   */
  stopping: { rule: 'race', equivalencePercent: 3, maxSeconds: 60 } as StoppingSpec,
  /** `null`: no waiting between configurations. Given: wait until power is back within marginPercent of idle. */
  cooldown: null,
  /** Output folder, relative to the scenario file's folder. */
  out: 'results',
  /** How FP16/INT8 variants are made (onnxconverter-common's and onnxruntime's defaults, per-channel weights on). */
  conversion: { keepFp32: [], fp16Io: false, int8Mode: 'auto', calibrationMethod: 'minmax', percentile: 99.99, perChannel: true },
  /**
   * Enforced unless `fidelity: off`. MLPerf Inference accepts a reduced-precision submission only at ≥ 99% (or 99.9%)
   * of the FP32 reference's accuracy; without labels, joulebench holds a variant to the same 99% against FP32 itself:
   * top-1 agreement ≥ 0.99 where the first output is class scores, and cosine ≥ 0.99 for every output (docs/fidelity.md).
   */
  fidelity: { minCosine: 0.99, maxAbsError: null, minTop1Agreement: 0.99, accuracyTarget: null } as FidelityBounds | null,
} as const;

/** Bounds the schema enforces (exported so `bench` flags can share them). */
export const scenarioLimits = {
  maxBatchSize: 65536,
  maxThreads: 1024,
  minRepetitions: 1,
  maxRepetitions: 100,
  maxIdleS: 600,
  /** Upper bounds that catch typos (a window of 1e6 s, a PUE of 120) before hours are spent on them. */
  maxWindowS: 3600,
  maxWindowRuns: 10_000_000,
  maxWarmupRuns: 1_000_000,
  maxWarmupS: 3600,
  maxStoppingS: 86_400,
  /** The race's equivalence margin: above 50% two configurations a third apart would be "indistinguishable". */
  maxEquivalencePercent: 50,
  maxCooldownS: 3600,
  maxPercent: 1000,
  maxPue: 10,
  maxGridIntensity: 5000,
  maxTdpW: 5000,
  maxP99Ms: 3_600_000,
  maxGpuIndex: 1023,
  maxNameLength: 100,
} as const;

/** Model labels (and scenario names) appear in keys and file names, so they stay in this set. */
export const labelPattern = /^[A-Za-z0-9._-]+$/;

/** True when a `model:` value names a file: it ends in .onnx or contains a path separator. */
export function isModelPath(value: string): boolean {
  return /\.onnx$/i.test(value) || /[\\/]/.test(value);
}

/** The label a model gets without `name:`: the built-in name, or the file stem made label-safe. */
export function defaultModelName(model: string): string {
  if (isBuiltinModelName(model)) return model;
  return toLabel(stem(model), 'model');
}

/** Validate a raw (already parsed) scenario object and fill defaults. baseDir resolves relative model paths, variant paths and `out`. */
export function parseScenario(raw: unknown, context: { file: string | null; baseDir: string }): Scenario {
  const file = context.file === null ? null : path.resolve(context.file);
  const display = file === null ? 'scenario' : path.basename(file);
  if (raw === null || raw === undefined) {
    throw problemsError(display, [
      { path: [], message: 'the scenario is empty; expected a mapping with at least a models: list', hint: modelsHint },
    ]);
  }
  const result = scenarioSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw problemsError(display, addHints(sortByFileOrder(issuesToProblems(result.error.issues), raw)));
  }
  return toScenario(result.data, file, path.resolve(context.baseDir));
}

// ---------------------------------------------------------------------------------------------
// Schema. Every leaf states its expectation; issues.ts appends the path and the value received.

const positiveInt = (expected = 'expected a positive integer') => z.int({ error: expected }).positive({ error: expected });
const nonNegativeInt = (expected: string) => z.int({ error: expected }).nonnegative({ error: expected });
const positiveNumber = (expected: string) => z.number({ error: expected }).positive({ error: expected });
const nonNegativeNumber = (expected: string) => z.number({ error: expected }).nonnegative({ error: expected });
const nonEmptyString = (expected: string) => z.string({ error: expected }).min(1, { error: expected });

const label = (what: string) =>
  z
    .string({ error: `expected ${what} made of letters, digits, ".", "_" or "-"` })
    .regex(labelPattern, { error: `expected ${what} made of letters, digits, ".", "_" or "-"` });

// A non-empty list whose values each appear once (each value is one axis point of the sweep).
function uniqueList<T extends z.ZodType>(
  item: T,
  field: string,
  what: { list: string; one: string },
  keyOf: (value: z.output<T>) => string = (value) => JSON.stringify(value),
) {
  return z
    .array(item, { error: `expected a list of ${what.list}` })
    .min(1, { error: `expected at least one ${what.one}` })
    .superRefine((values, ctx) => {
      const seen = new Map<string, number>();
      values.forEach((value, index) => {
        const key = keyOf(value);
        const first = seen.get(key);
        if (first === undefined) seen.set(key, index);
        else {
          ctx.addIssue(
            customIssue(`${formatValue(value)} is already listed at ${field}[${first}]`, value, {
              path: [index],
              hint: `each value of ${field} is measured once; remove the repeat`,
            }),
          );
        }
      });
    });
}

const atMostOneBatchDim = (dims: DimSpec[], input: unknown, ctx: z.core.$RefinementCtx<unknown>): void => {
  if (dims.filter((dim) => dim === 'N').length > 1) {
    ctx.addIssue(
      customIssue(`expected at most one N (the batch dimension), got ${formatValue(input)}`, input, {
        hint: 'N marks where the batch size goes; write the other dimensions as numbers',
      }),
    );
  }
};

const dimension = z.union([positiveInt(), z.literal('N')], { error: 'expected a positive integer or "N"' });

const shapeList = z
  .array(dimension, { error: 'expected a list like [N, 1024]' })
  .superRefine((dims, ctx) => atMostOneBatchDim(dims, dims, ctx));

// "N,3,224,224" — the form `--shape x=N,3,224,224` uses, also accepted in the file.
const shapeText = z.string().transform((text, ctx): DimSpec[] => {
  const dims = parseShapeText(text);
  if (dims === undefined) {
    ctx.addIssue(
      customIssue(`expected comma-separated positive integers and N, like "N,1024", got ${formatValue(text)}`, text),
    );
    return z.NEVER;
  }
  atMostOneBatchDim(dims, text, ctx);
  return dims;
});

const shape = z.union([shapeList, shapeText], { error: 'expected a list like [N, 1024] or a string like "N,1024"' });

const integerRange = z
  .tuple([z.int({ error: 'expected an integer' }), z.int({ error: 'expected an integer' })], {
    error: 'expected [lo, hi], two integers with lo < hi',
  })
  .superRefine(([lo, hi], ctx) => {
    if (lo >= hi) {
      ctx.addIssue(
        customIssue(`expected [lo, hi] with lo < hi (hi is excluded), got ${formatValue([lo, hi])}`, [lo, hi]),
      );
    }
  });

const inputSpec = strictObject(
  {
    shape: shape.nullish(),
    feed: z.number({ error: 'expected a number' }).nullish(),
    range: integerRange.nullish(),
  },
  'expected a mapping with shape, feed or range',
  { dims: 'shape', value: 'feed', fill: 'feed' },
).superRefine((spec, ctx) => {
  if (spec.feed != null && spec.range != null) {
    ctx.addIssue(
      customIssue('give either feed (one fixed value) or range (integers to synthesise), not both', spec, {
        hint: 'feed fills the input with a value; range draws integers from [lo, hi)',
      }),
    );
  }
});

const modelRef = nonEmptyString('expected a built-in model name or a path to an .onnx file').superRefine((value, ctx) => {
  if (isBuiltinModelName(value) || isModelPath(value)) return;
  const suggestion = closest(value, builtinModelNames);
  const guess = suggestion === undefined ? '.' : ` — did you mean "${suggestion}"?`;
  ctx.addIssue(
    customIssue(
      `unknown built-in model ${JSON.stringify(value)}${guess} Built-ins: ${builtinModelNames.join(', ')}; or give a path to an .onnx file`,
      value,
      { hint: `paths are relative to the scenario file's folder, e.g. model: ./${value}.onnx` },
    ),
  );
});

const variantPath = nonEmptyString('expected a path to an .onnx file');

const modelEntry = z.preprocess(
  // `- mlp` is shorthand for `- model: mlp`.
  (value) => (typeof value === 'string' ? { model: value } : value),
  strictObject(
    {
      model: modelRef,
      name: label('a model label').nullish(),
      inputs: z.record(z.string(), inputSpec, { error: 'expected a mapping from input name to {shape, feed, range}' }).nullish(),
      variants: strictObject(
        { fp16: variantPath.nullish(), int8: variantPath.nullish() },
        'expected a mapping like {fp16: model.fp16.onnx, int8: model.int8.onnx}',
      ).nullish(),
      calibration: nonEmptyString('expected a folder of .npy files or a .json list of samples').nullish(),
      labels: nonEmptyString('expected a file of class labels (JSON list or one per line)').nullish(),
    },
    'expected a mapping like {model: mlp} or {model: ./my-model.onnx}',
    { path: 'model', file: 'model', source: 'model', label: 'name', input: 'inputs', variant: 'variants', calibrationData: 'calibration', calib: 'calibration', label_file: 'labels' },
  ),
);

const models = z
  .array(modelEntry, { error: 'expected a list of models, like [{model: mlp}]' })
  .min(1, { error: 'expected at least one model' })
  .superRefine((entries, ctx) => {
    const seen = new Map<string, number>();
    entries.forEach((entry, index) => {
      const name = entry.name ?? defaultModelName(entry.model);
      const first = seen.get(name);
      if (first === undefined) seen.set(name, index);
      else {
        ctx.addIssue(
          customIssue(`the model name ${JSON.stringify(name)} is already used by models[${first}]`, entry, {
            path: entry.name == null ? [index] : [index, 'name'],
            hint: 'give each model a unique name:, e.g. name: mlp-wide',
          }),
        );
      }
    });
  });

const providerName = z.string({ error: 'expected a provider name like "cpu" or "cuda"' }).superRefine((name, ctx) => {
  if (/^[a-z0-9_-]+$/.test(name)) return;
  const lower = name.toLowerCase().replace(/executionprovider$/, '');
  ctx.addIssue(
    customIssue(
      `expected a lowercase provider name like "cpu" or "cuda", got ${formatValue(name)}`,
      name,
      /^[a-z0-9_-]+$/.test(lower) ? { hint: `write "${lower}"` } : {},
    ),
  );
});

const providerEntry = z.union(
  [
    providerName,
    strictObject(
      {
        name: providerName,
        options: z
          .record(
            z.string(),
            z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' }),
            { error: 'expected a mapping of provider options, like {device_id: 0}' },
          )
          .nullish(),
      },
      'expected a mapping like {name: cuda, options: {device_id: 0}}',
      { provider: 'name', ep: 'name', option: 'options', providerOptions: 'options' },
    ),
  ],
  { error: 'expected a provider name like "cpu" or a mapping like {name: cuda, options: {device_id: 0}}' },
);

const meterId = nonEmptyString('expected a meter id like "auto", "estimate" or "replay:trace.csv"').superRefine(
  (id, ctx) => {
    if (id.startsWith('replay:') && id.slice('replay:'.length).trim() === '') {
      ctx.addIssue(customIssue(`expected replay:<path to a recorded power trace>, got ${formatValue(id)}`, id));
    }
  },
);

// GPU indices (`devices:`): each once, as nvidia-smi / NVML / rocm-smi number them.
const gpuIndexList = (field: string) =>
  uniqueList(
    nonNegativeInt('expected a GPU index (a non-negative integer)').max(scenarioLimits.maxGpuIndex, { error: `expected a GPU index from 0 to ${scenarioLimits.maxGpuIndex}` }),
    field,
    { list: 'GPU indices (non-negative integers), like [0, 1]', one: 'GPU index' },
  );

const scenarioObject = strictObject(
  {
    name: label('a scenario name').max(scenarioLimits.maxNameLength, { error: `expected a scenario name of at most ${scenarioLimits.maxNameLength} characters` }).nullish(),
    models,
    precisions: uniqueList(z.enum(precisions, { error: `expected one of ${precisions.join(', ')}` }), 'precisions', { list: 'precisions (fp32, fp16, int8)', one: 'precision' }).nullish(),
    executionProviders: uniqueList(providerEntry, 'executionProviders', { list: 'execution providers', one: 'execution provider' }, (entry) =>
      canonicalProvider(toProviderSpec(entry)),
    ).nullish(),
    batchSizes: uniqueList(
      positiveInt().max(scenarioLimits.maxBatchSize, { error: `expected a batch size of at most ${scenarioLimits.maxBatchSize}` }),
      'batchSizes',
      { list: 'batch sizes (positive integers)', one: 'batch size' },
    ).nullish(),
    threads: uniqueList(
      positiveInt().max(scenarioLimits.maxThreads, { error: `expected at most ${scenarioLimits.maxThreads} threads` }),
      'threads',
      { list: 'thread counts (positive integers)', one: 'thread count' },
    ).nullish(),
    warmup: strictObject(
      {
        runs: nonNegativeInt('expected a non-negative integer').max(scenarioLimits.maxWarmupRuns, { error: `expected an integer from 0 to ${scenarioLimits.maxWarmupRuns}` }).nullish(),
        seconds: nonNegativeNumber('expected a non-negative number of seconds').max(scenarioLimits.maxWarmupS, { error: `expected a number of seconds from 0 to ${scenarioLimits.maxWarmupS}` }).nullish(),
      },
      'expected a mapping like {runs: 5, seconds: 0.5}',
      { minRuns: 'runs', minSeconds: 'seconds' },
    ).nullish(),
    window: strictObject(
      {
        minSeconds: positiveNumber('expected a positive number of seconds').max(scenarioLimits.maxWindowS, { error: `expected a positive number of seconds, at most ${scenarioLimits.maxWindowS}` }).nullish(),
        minRuns: positiveInt().max(scenarioLimits.maxWindowRuns, { error: `expected a positive integer, at most ${scenarioLimits.maxWindowRuns}` }).nullish(),
      },
      'expected a mapping like {minSeconds: 1, minRuns: 10}',
      { seconds: 'minSeconds', runs: 'minRuns' },
    ).nullish(),
    repetitions: z
      .int({ error: 'expected an integer from 1 to 100' })
      .min(scenarioLimits.minRepetitions, { error: 'expected an integer from 1 to 100' })
      .max(scenarioLimits.maxRepetitions, { error: 'expected an integer from 1 to 100' })
      .nullish(),
    idleSeconds: z
      .number({ error: 'expected a number of seconds from 0 to 600' })
      .min(0, { error: 'expected a number of seconds from 0 to 600' })
      .max(scenarioLimits.maxIdleS, { error: 'expected a number of seconds from 0 to 600' })
      .nullish(),
    meters: uniqueList(meterId, 'meters', { list: 'meter ids (auto, estimate, replay:FILE, …)', one: 'meter' }).nullish(),
    cpuTdpWatts: positiveNumber('expected a positive number of watts').max(scenarioLimits.maxTdpW, { error: `expected a positive number of watts, at most ${scenarioLimits.maxTdpW}` }).nullish(),
    devices: gpuIndexList('devices').nullish(),
    /** The older name of `devices` (one concept: both may not be given). */
    gpus: gpuIndexList('gpus').nullish(),
    carbon: strictObject(
      {
        gridIntensityGPerKWh: nonNegativeNumber('expected a non-negative number of grams CO2e per kWh').max(scenarioLimits.maxGridIntensity, { error: `expected grams CO2e per kWh from 0 to ${scenarioLimits.maxGridIntensity}` }).nullish(),
        pue: z
          .number({ error: 'expected a power usage effectiveness of at least 1' })
          .min(1, { error: 'expected a power usage effectiveness of at least 1' })
          .max(scenarioLimits.maxPue, { error: `expected a power usage effectiveness from 1 to ${scenarioLimits.maxPue}` })
          .nullish(),
        region: nonEmptyString('expected a country code, grid zone or cloud region like "FR", "US-CAL-CISO" or "aws:eu-west-3"').nullish(),
        year: z.int({ error: 'expected a year of the bundled data, 2021 to 2025' }).nullish(),
        kind: z.enum(['average', 'marginal'], { error: 'expected average or marginal' }).nullish(),
        regions: z
          .union([
            z.array(nonEmptyString('expected a region name like "DE"'), { error: 'expected a list of region names like [FR, DE, PL]' }).min(1, { error: 'expected at least one region name' }),
            z.record(z.string().min(1), nonNegativeNumber('expected grams CO2e per kWh (a non-negative number)'), {
              error: 'expected a list of region names like [FR, DE] or a mapping of region name → gCO2e/kWh, like {eu: 250, us: 380}',
            }),
          ], { error: 'expected a list of region names like [FR, DE] or a mapping of region name → gCO2e/kWh, like {eu: 250, us: 380}' })
          .nullish(),
        intensityFile: nonEmptyString('expected the path of a CSV of timestamp, gCO2e/kWh').nullish(),
        intensityFileUse: z.enum(['timeline', 'daily-profile'], { error: 'expected timeline or daily-profile' }).nullish(),
        intensityFileOutside: z.enum(['error', 'yearly'], { error: 'expected error or yearly' }).nullish(),
      },
      'expected a mapping like {gridIntensityGPerKWh: 475, pue: 1.0, region: world}',
      { intensity: 'gridIntensityGPerKWh', gridIntensity: 'gridIntensityGPerKWh', gCO2PerKWh: 'gridIntensityGPerKWh' },
    ).nullish(),
    order: z
      .enum(['sequential', 'interleaved', 'random'], { error: 'expected one of sequential, interleaved, random' })
      .nullish(),
    stopping: z
      .preprocess(
        // `stopping: false` (or off/fixed) measures exactly `repetitions` windows; `true` takes the defaults.
        (value) => (value === false || (typeof value === 'string' && /^(off|fixed|none)$/i.test(value)) ? { enabled: false } : value === true ? {} : value),
        strictObject(
          {
            enabled: z.boolean({ error: 'expected true or false' }).nullish(),
            rule: z.enum(['race', 'target-ci'], { error: 'expected race (the default: drop configurations that are worse with 95% confidence) or target-ci (each configuration until its CI is within ±targetCiPercent)' }).nullish(),
            equivalencePercent: positiveNumber('expected a positive percentage (survivors within ±this % of each other are indistinguishable), e.g. 3').max(scenarioLimits.maxEquivalencePercent, { error: `expected a percentage above 0 and at most ${scenarioLimits.maxEquivalencePercent} (survivors within ±this % are indistinguishable), e.g. 3` }).nullish(),
            targetCiPercent: positiveNumber('expected a positive percentage (the CI half-width, e.g. 2 for ±2%)').max(scenarioLimits.maxPercent, { error: `expected a percentage of at most ${scenarioLimits.maxPercent} (the CI half-width, e.g. 2 for ±2%)` }).nullish(),
            maxSeconds: positiveNumber('expected a positive number of seconds').max(scenarioLimits.maxStoppingS, { error: `expected a positive number of seconds, at most ${scenarioLimits.maxStoppingS}` }).nullish(),
          },
          'expected false (exactly `repetitions` windows) or a mapping like {rule: race, equivalencePercent: 3, maxSeconds: 60} or {targetCiPercent: 2, maxSeconds: 60}',
          { targetCi: 'targetCiPercent', target: 'targetCiPercent', seconds: 'maxSeconds', equivalence: 'equivalencePercent', margin: 'equivalencePercent' },
        ),
      )
      .nullish(),
    cooldown: strictObject(
      {
        maxSeconds: positiveNumber('expected a positive number of seconds').max(scenarioLimits.maxCooldownS, { error: `expected a positive number of seconds, at most ${scenarioLimits.maxCooldownS}` }).nullish(),
        marginPercent: positiveNumber('expected a positive percentage').max(scenarioLimits.maxPercent, { error: `expected a positive percentage, at most ${scenarioLimits.maxPercent}` }).nullish(),
      },
      'expected a mapping like {maxSeconds: 30, marginPercent: 10}',
      { seconds: 'maxSeconds', margin: 'marginPercent' },
    ).nullish(),
    slo: strictObject(
      { p99Ms: positiveNumber('expected a positive number of milliseconds').max(scenarioLimits.maxP99Ms, { error: `expected a positive number of milliseconds, at most ${scenarioLimits.maxP99Ms}` }).nullish() },
      'expected a mapping like {p99Ms: 50}',
      { p99: 'p99Ms', p99LatencyMs: 'p99Ms' },
    ).nullish(),
    out: nonEmptyString('expected a folder path').nullish(),
    /** Let model, variant and replay paths leave the scenario's folder (checked by load.ts). */
    allowOutsidePaths: z.boolean({ error: 'expected true or false' }).nullish(),
    conversion: strictObject(
      {
        keepFp32: z.array(nonEmptyString('expected an op type like Resize'), { error: 'expected a list of op types, like [Resize, Softmax]' }).nullish(),
        fp16Io: z.boolean({ error: 'expected true or false' }).nullish(),
        int8Mode: z.enum(['auto', 'dynamic', 'static'], { error: 'expected auto, dynamic or static' }).nullish(),
        calibrationMethod: z.enum(['minmax', 'percentile'], { error: 'expected minmax or percentile' }).nullish(),
        percentile: z.number({ error: 'expected a percentage above 50 and at most 100' }).gt(50, { error: 'expected a percentage above 50 and at most 100' }).max(100, { error: 'expected a percentage above 50 and at most 100' }).nullish(),
        perChannel: z.boolean({ error: 'expected true or false' }).nullish(),
      },
      'expected a mapping like {int8Mode: static, calibrationMethod: minmax}',
      { keep_fp32: 'keepFp32', keepFP32: 'keepFp32', mode: 'int8Mode', method: 'calibrationMethod', calibrate: 'calibrationMethod', per_channel: 'perChannel' },
    ).nullish(),
    // `fidelity: off` (false, none or null) turns the bound off; a mapping's fields replace the defaults one by one.
    fidelity: z.preprocess((value) => (value === false || (typeof value === 'string' && /^(off|none)$/i.test(value)) ? null : value), strictObject(
      {
        minCosine: z.number({ error: 'expected a cosine similarity from -1 to 1' }).min(-1, { error: 'expected a cosine similarity from -1 to 1' }).max(1, { error: 'expected a cosine similarity from -1 to 1' }).nullish(),
        maxAbsError: nonNegativeNumber('expected a non-negative number').nullish(),
        minTop1Agreement: z.number({ error: 'expected a fraction from 0 to 1' }).min(0, { error: 'expected a fraction from 0 to 1' }).max(1, { error: 'expected a fraction from 0 to 1' }).nullish(),
        accuracyTarget: z.union([z.number(), z.string()], { error: 'expected a percentage of FP32 like "99%" or "99.9%"' }).transform((value, ctx) => {
          const fraction = typeof value === 'number' ? (value > 1 ? value / 100 : value) : /^\s*(\d+(\.\d+)?)\s*%\s*$/.test(value) ? Number(value.replace('%', '')) / 100 : Number.NaN;
          if (!(fraction > 0 && fraction <= 1)) {
            ctx.addIssue(customIssue(`expected a percentage of FP32 like "99%" or "99.9%" (MLPerf's targets), got ${formatValue(value)}`, value));
            return z.NEVER;
          }
          return fraction;
        }).nullish(),
      },
      'expected off, or a mapping like {minCosine: 0.99, minTop1Agreement: 0.99} or {accuracyTarget: 99%}',
      { cosine: 'minCosine', top1: 'minTop1Agreement', minTop1: 'minTop1Agreement', accuracy: 'accuracyTarget', target: 'accuracyTarget', maxError: 'maxAbsError' },
    ).nullable()).optional(),
    /** Energy and latency gates checked after the run (src/compare/budget-spec.ts). */
    budgets: budgetsSchema.nullish(),
    /** History store folder: each run is appended (relative to the scenario's folder). */
    history: nonEmptyString('expected a folder path for the history store').nullish(),
    load: loadSection.nullish(),
  },
  'expected a mapping of scenario settings at the top level (models:, batchSizes:, …)',
  {
    ep: 'executionProviders',
    eps: 'executionProviders',
    provider: 'executionProviders',
    providers: 'executionProviders',
    batch: 'batchSizes',
    batches: 'batchSizes',
    bs: 'batchSizes',
    tdp: 'cpuTdpWatts',
    cpuTdp: 'cpuTdpWatts',
    output: 'out',
    outDir: 'out',
    outputDir: 'out',
    reps: 'repetitions',
    idle: 'idleSeconds',
    intraOpThreads: 'threads',
    intraOpNumThreads: 'threads',
    budget: 'budgets',
    historyDir: 'history',
  },
);

// Checks across keys: `devices` and its older name `gpus` not both; a provider's own device_id among the devices.
const scenarioSchema = scenarioObject.superRefine((parsed, ctx) => {
  if (parsed.devices != null && parsed.gpus != null) {
    ctx.addIssue(
      customIssue('give devices or gpus (its older name), not both', parsed.gpus, {
        path: ['gpus'],
        hint: 'keep devices: [0, 1] and remove gpus:',
      }),
    );
    return;
  }
  stoppingIssues(parsed, ctx);
  const devices = parsed.devices ?? parsed.gpus ?? null;
  const providers = (parsed.executionProviders ?? []).map(toProviderSpec);
  for (const outside of deviceIdsOutside(providers, devices)) {
    ctx.addIssue(
      customIssue(deviceIdOutsideMessage(outside, devices!), outside.deviceId, {
        path: ['executionProviders', outside.index, 'options', outside.option],
        hint: deviceIdOutsideHint,
      }),
    );
  }
});

// `stopping:` across its keys and against `window:`: one rule's settings only, and a cap that fits a window.
function stoppingIssues(parsed: z.output<typeof scenarioObject>, ctx: z.RefinementCtx): void {
  const stopping = parsed.stopping;
  if (!stopping || stopping.enabled === false) return;
  const rule = stopping.rule ?? (stopping.targetCiPercent != null ? 'target-ci' : 'race');
  if (rule === 'race' && stopping.targetCiPercent != null) {
    ctx.addIssue(customIssue('targetCiPercent belongs to rule target-ci, not race', stopping.targetCiPercent, {
      path: ['stopping', 'targetCiPercent'], hint: 'remove rule: race to stop on each configuration\'s ±CI, or remove targetCiPercent to race',
    }));
  }
  if (rule === 'target-ci' && stopping.equivalencePercent != null) {
    ctx.addIssue(customIssue('equivalencePercent belongs to rule race, not target-ci', stopping.equivalencePercent, {
      path: ['stopping', 'equivalencePercent'], hint: 'remove targetCiPercent (and rule: target-ci) to race, or remove equivalencePercent',
    }));
  }
  const windowS = parsed.window?.minSeconds ?? scenarioDefaults.window.minSeconds;
  if (stopping.maxSeconds != null && stopping.maxSeconds < windowS) {
    ctx.addIssue(customIssue(`maxSeconds ${stopping.maxSeconds} is shorter than one window (window.minSeconds ${windowS}): not even one round fits`, stopping.maxSeconds, {
      path: ['stopping', 'maxSeconds'], hint: `set stopping.maxSeconds to at least ${windowS} (a few windows: ${3 * windowS} or more)`,
    }));
  }
}

function toStopping(parsed: ParsedScenario['stopping']): StoppingSpec | null {
  if (parsed?.enabled === false) return null;
  const maxSeconds = parsed?.maxSeconds ?? scenarioDefaults.stopping.maxSeconds;
  if (parsed?.rule === 'target-ci' || (parsed?.rule == null && parsed?.targetCiPercent != null)) {
    return { rule: 'target-ci', targetCiPercent: parsed?.targetCiPercent ?? defaultTargetCiPercent, maxSeconds };
  }
  return { rule: 'race', equivalencePercent: parsed?.equivalencePercent ?? defaultEquivalencePercent, maxSeconds };
}

/** The ±CI target of `stopping: {rule: target-ci}` when none is given. */
export const defaultTargetCiPercent = 2;

type ParsedScenario = z.output<typeof scenarioSchema>;
type ParsedModel = ParsedScenario['models'][number];
type ParsedProvider = z.output<typeof providerEntry>;

// ---------------------------------------------------------------------------------------------
// Parsed → Scenario: defaults and absolute paths.

function toScenario(parsed: ParsedScenario, file: string | null, baseDir: string): Scenario {
  const defaults = scenarioDefaults;
  return {
    name: parsed.name ?? (file === null ? defaults.name : toLabel(stem(file), defaults.name)),
    file,
    models: parsed.models.map((entry) => toModelSpec(entry, baseDir)),
    precisions: [...(parsed.precisions ?? defaults.precisions)],
    executionProviders: (parsed.executionProviders ?? defaults.executionProviders).map(toProviderSpec),
    batchSizes: [...(parsed.batchSizes ?? defaults.batchSizes)],
    threads: [...(parsed.threads ?? defaults.threads)],
    warmup: {
      runs: parsed.warmup?.runs ?? defaults.warmup.runs,
      seconds: parsed.warmup?.seconds ?? defaults.warmup.seconds,
    },
    window: {
      minSeconds: parsed.window?.minSeconds ?? defaults.window.minSeconds,
      minRuns: parsed.window?.minRuns ?? defaults.window.minRuns,
    },
    repetitions: parsed.repetitions ?? defaults.repetitions,
    idleSeconds: parsed.idleSeconds ?? defaults.idleSeconds,
    meters: (parsed.meters ?? defaults.meters).map((id) => resolveMeter(id, baseDir)),
    cpuTdpWatts: parsed.cpuTdpWatts ?? defaults.cpuTdpWatts,
    devices: parsed.devices ? [...parsed.devices] : parsed.gpus ? [...parsed.gpus] : null,
    carbon: toCarbon(parsed.carbon, baseDir, file),
    slo: { p99Ms: parsed.slo?.p99Ms ?? defaults.slo.p99Ms },
    order: parsed.order ?? defaults.order,
    stopping: toStopping(parsed.stopping),
    cooldown: parsed.cooldown
      ? { maxSeconds: parsed.cooldown.maxSeconds ?? 30, marginPercent: parsed.cooldown.marginPercent ?? 10 }
      : null,
    outDir: path.resolve(baseDir, parsed.out ?? defaults.out),
    conversion: {
      keepFp32: [...(parsed.conversion?.keepFp32 ?? defaults.conversion.keepFp32)],
      fp16Io: parsed.conversion?.fp16Io ?? defaults.conversion.fp16Io,
      int8Mode: parsed.conversion?.int8Mode ?? defaults.conversion.int8Mode,
      calibrationMethod: parsed.conversion?.calibrationMethod ?? defaults.conversion.calibrationMethod,
      percentile: parsed.conversion?.percentile ?? defaults.conversion.percentile,
      perChannel: parsed.conversion?.perChannel ?? defaults.conversion.perChannel,
    },
    fidelity: toFidelity(parsed.fidelity),
    ...(parsed.budgets ? { budgets: toBudgetSpecs(parsed.budgets, baseDir) } : {}),
    ...(parsed.history ? { historyDir: path.resolve(baseDir, parsed.history) } : {}),
    ...(parsed.load ? { load: toLoadSpec(parsed.load, baseDir) } : {}),
  };
}

// Absent: the defaults; null (off): no bound; a mapping: each given field replaces its default (null: not checked).
function toFidelity(parsed: ParsedScenario['fidelity']): FidelityBounds | null {
  if (parsed === null) return null;
  const base = scenarioDefaults.fidelity!;
  if (parsed === undefined) return { ...base };
  const pick = <K extends keyof FidelityBounds>(key: K): FidelityBounds[K] => (parsed[key] === undefined ? base[key] : (parsed[key] ?? null)) as FidelityBounds[K];
  return { minCosine: pick('minCosine'), maxAbsError: pick('maxAbsError'), minTop1Agreement: pick('minTop1Agreement'), accuracyTarget: pick('accuracyTarget') };
}

function toModelSpec(entry: ParsedModel, baseDir: string): ModelSpec {
  const inputs: Record<string, InputSpec> = {};
  for (const [inputName, spec] of Object.entries(entry.inputs ?? {})) {
    const input: InputSpec = {};
    if (spec.shape != null) input.shape = spec.shape;
    if (spec.feed != null) input.feed = spec.feed;
    if (spec.range != null) input.range = spec.range;
    inputs[inputName] = input;
  }
  const variants: ModelSpec['variants'] = {};
  if (entry.variants?.fp16 != null) variants.fp16 = path.resolve(baseDir, entry.variants.fp16);
  if (entry.variants?.int8 != null) variants.int8 = path.resolve(baseDir, entry.variants.int8);
  const spec: ModelSpec = {
    name: entry.name ?? defaultModelName(entry.model),
    source: isBuiltinModelName(entry.model) ? entry.model : path.resolve(baseDir, entry.model),
    inputs,
    variants,
  };
  if (entry.calibration != null) spec.calibration = path.resolve(baseDir, entry.calibration);
  if (entry.labels != null) spec.labels = path.resolve(baseDir, entry.labels);
  return spec;
}

function toProviderSpec(entry: ParsedProvider | ExecutionProviderSpec): ExecutionProviderSpec {
  if (typeof entry === 'string') return { name: entry, options: {} };
  return { name: entry.name, options: { ...(entry.options ?? {}) } };
}

// Two entries are the same provider when name and options match, whatever the key order.
function canonicalProvider(spec: ExecutionProviderSpec): string {
  const options = Object.entries(spec.options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([spec.name, options]);
}

function toCarbon(carbon: ParsedScenario['carbon'], baseDir: string, file: string | null): CarbonSpec {
  const where = file === null ? '' : `${path.basename(file)}: `;
  return resolveCarbon(carbon, baseDir, { region: `${where}carbon.region`, regions: `${where}carbon.regions`, intensityFile: `${where}carbon.intensityFile` });
}

// `replay:trace.csv` → `replay:/abs/dir/trace.csv`; other meter ids are names, kept as given.
function resolveMeter(id: string, baseDir: string): string {
  if (!id.startsWith('replay:')) return id;
  return `replay:${path.resolve(baseDir, id.slice('replay:'.length).trim())}`;
}

function parseShapeText(text: string): DimSpec[] | undefined {
  const parts = text.split(',').map((part) => part.trim());
  const dims: DimSpec[] = [];
  for (const part of parts) {
    if (part === 'N') dims.push('N');
    else if (/^[0-9]+$/.test(part) && Number(part) > 0 && Number.isSafeInteger(Number(part))) dims.push(Number(part));
    else return undefined;
  }
  return dims;
}

function stem(filePath: string): string {
  const base = filePath.split(/[\\/]/).pop() ?? filePath;
  return path.parse(base).name;
}

function toLabel(text: string, fallback: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return cleaned === '' ? fallback : cleaned;
}

// ---------------------------------------------------------------------------------------------
// Hints for problems whose fix is not obvious from the message.

const modelsHint = 'list the models to measure, e.g. models: [{ model: mlp }] (built-ins: mlp, cnn, transformer)';

const hintsByPath: Record<string, string> = {
  models: modelsHint,
  'models[].model': `name a built-in model (${builtinModelNames.join(', ')}) or an .onnx file, e.g. model: ./my-model.onnx`,
  'models[].inputs.*.shape': 'write N where the batch size goes, e.g. shape: [N, 3, 224, 224] or shape: "N,3,224,224"',
  batchSizes: 'e.g. batchSizes: [1, 8, 32]',
  precisions: 'e.g. precisions: [fp32, fp16, int8]',
  executionProviders: 'e.g. executionProviders: [cpu, {name: cuda, options: {device_id: 0}}]; `joulebench devices` lists what works here',
  threads: 'e.g. threads: [2, 4]; leave threads out to use onnxruntime\'s default',
  meters: 'e.g. meters: [auto]; `joulebench devices` lists the meters that work here',
};

function addHints(problems: Problem[]): Problem[] {
  for (const problem of problems) {
    if (problem.hint !== undefined) continue;
    const hint = hintsByPath[pathPattern(problem.path)];
    if (hint !== undefined) problem.hint = hint;
  }
  return problems;
}

// models[3].inputs["x.1"].shape[2] → models[].inputs.*.shape (element indices of a field are dropped).
function pathPattern(problemPath: readonly PropertyKey[]): string {
  const segments: PropertyKey[] = [];
  problemPath.forEach((segment, index) => {
    if (typeof segment === 'number') {
      if (index === 1 && problemPath[0] === 'models') segments.push(segment);
      return;
    }
    segments.push(index === 3 && problemPath[2] === 'inputs' ? '*' : segment);
  });
  return formatPath(segments).replace(/\[\d+\]/g, '[]').replace(/\["\*"\]/g, '.*');
}
