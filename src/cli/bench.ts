// `joulebench bench <model.onnx|builtin>`: a sweep from flags, no scenario file.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InputError, type ExitCodeValue } from '../errors.js';
import { parseScenario, scenarioDefaults } from '../scenario/schema.js';
import path from 'node:path';
import { feedValues, gpuIndices, nonNegativeNumber, pairs, isolationFlags, stoppingFromFlags, sweepFlagOptions, positiveInteger, positiveIntegers, shapeDims, withUsage, words } from './args.js';
import { meterNames } from './meter-names.js';
import { conversionFieldFlags, conversionFlagHelp, conversionFlagOptions, conversionFromFlags } from './conversion-flags.js';
import { withFlagBudgets } from './budgets.js';
import { carbonFlagHelp, withCarbonFlags } from './carbon-flags.js';
import { executeScenario } from './execute.js';
import { quickened } from './run.js';

/** Help text for `bench`. */
export const benchHelp = `joulebench bench <model.onnx | mlp | cnn | transformer> [options]

Sweep one model over batch sizes, precisions and execution providers.

  -b, --batch 1,8,32         batch sizes (default 1,8,32)
  -p, --precision LIST       fp32,fp16,int8 (default fp32); fp16/int8 variants are made from the model and cached,
                             and their fidelity to FP32 is measured before the sweep
  --variant fp16=FILE        a ready-made variant of the model instead (repeatable)
${conversionFlagHelp}
  -e, --ep cpu,cuda          execution providers (default cpu); see joulebench devices
  --threads 1,2              intra-op thread counts to sweep (default: onnxruntime's choice)
  --shape NAME=DIMS          full input shape, N = batch: --shape x=N,3,224,224 (repeatable)
  --feed NAME=VALUE          fill an input with a value instead of random data: --feed sr=16000 (repeatable)
  --range NAME=LO,HI         draw integer inputs from [LO, HI): --range input_ids=0,30522 (repeatable)
  --meter LIST               power meter(s), comma-separated (default auto): ${meterNames}
  --cpu-tdp-watts W          TDP for the estimate meter
  --gpus 0,1                 GPUs to use: cuda/tensorrt/dml run on each in turn, only these are metered, each
                             configuration counts its own GPU (default: providers as given, every GPU metered)
  --powercap-root DIR        RAPL powercap folder (default $JOULEBENCH_POWERCAP_ROOT or /sys/class/powercap)
  --min-seconds S            minimum window length (default 1; never below 10 meter periods)
  --min-runs N               minimum runs per window (default 10)
  --repetitions R            windows per configuration (default 3)
  --equivalence P            race (the default stopping rule): configurations within ±P% are indistinguishable
                             (default 3)
  --target-ci P|off          stop each configuration when the 95% CI of its samples/J is within ±P% instead of
                             racing; off: exactly --repetitions windows each
  --max-seconds S            adaptive stopping: at most S seconds of windows per configuration (default 60)
  --warmup-runs N / --warmup-seconds S   warm-up before the windows (default 5 runs and 0.5 s)
  --idle-seconds S           idle baseline before the sweep (default 2; 0 disables net energy)
  --slo-p99-ms MS            latency SLO for the recommendation
  --grid-intensity G         grid carbon intensity, gCO2e/kWh (default 475, world average)
  --pue P                    data-centre PUE (default 1.0)
${carbonFlagHelp(29)}
  --quick                    short windows for a smoke test
  -o, --out DIR              output folder (default results/)
  --resume RUN_DIR           finish an interrupted run: measure only its unfinished configurations (same flags)
  --json                     print result.json to stdout instead of the table
  --baseline FILE            fail (exit 1) when a configuration regresses against this result.json
  --max-regression P         the regression that fails (default 5%; see joulebench compare)
  --history DIR              append this run to the history store in DIR (see joulebench history)
  --config-timeout S         kill a configuration's group (its child process) after S seconds; recorded as failed
  --no-isolate               run every group in this process (debugging; a native crash then ends the whole run)
  -h, --help                 this help`;

// Scenario fields that bench fills from flags: a schema error must name the flag the user typed.
const fieldFlags: Array<[RegExp, (match: RegExpExecArray) => string]> = [
  [/^models\[0\]\.model\b/, () => 'model'],
  [/^models\[0\]\.inputs(?:\.|\[")([^.\]"]+)"?\]?\.shape/, (m) => `--shape ${m[1]}=`],
  [/^models\[0\]\.inputs(?:\.|\[")([^.\]"]+)"?\]?\.feed/, (m) => `--feed ${m[1]}=`],
  [/^models\[0\]\.inputs(?:\.|\[")([^.\]"]+)"?\]?\.range/, (m) => `--range ${m[1]}=`],
  [/^models\[0\]\.variants/, () => '--variant'],
  [/^batchSizes/, () => '--batch'],
  [/^precisions/, () => '--precision'],
  [/^executionProviders/, () => '--ep'],
  [/^threads/, () => '--threads'],
  [/^meters/, () => '--meter'],
  [/^cpuTdpWatts/, () => '--cpu-tdp-watts'],
  [/^devices/, () => '--gpus'],
  [/^window\.minSeconds/, () => '--min-seconds'],
  [/^window\.minRuns/, () => '--min-runs'],
  [/^warmup\.runs/, () => '--warmup-runs'],
  [/^warmup\.seconds/, () => '--warmup-seconds'],
  [/^repetitions/, () => '--repetitions'],
  [/^stopping\.targetCiPercent/, () => '--target-ci'],
  [/^stopping\.maxSeconds/, () => '--max-seconds'],
  [/^stopping\.equivalencePercent/, () => '--equivalence'],
  [/^idleSeconds/, () => '--idle-seconds'],
  [/^slo\.p99Ms/, () => '--slo-p99-ms'],
  [/^carbon\.gridIntensityGPerKWh/, () => '--grid-intensity'],
  [/^carbon\.pue/, () => '--pue'],
  [/^out\b/, () => '--out'],
  ...conversionFieldFlags,
];

/** Rewrite `scenario: carbon.pue: …` lines into `--pue: …` (the flag that set the field). */
export function renameFieldsToFlags(error: InputError): InputError {
  const message = error.message
    .split('\n')
    .map((line) =>
      line.replace(/^scenario: ([^:]+): /, (whole, field: string) => {
        for (const [pattern, flag] of fieldFlags) {
          const match = pattern.exec(field);
          if (match) return `${flag(match)}: `;
        }
        return whole;
      }),
    )
    .join('\n');
  // Hints written for scenario files (YAML syntax, "the scenario's folder") do not fit flags.
  const yamlHint = error.hint !== undefined && /scenario|e\.g\. [A-Za-z]+:|\w+: \[/.test(error.hint);
  const hint = !yamlHint ? error.hint : message.startsWith('model: ') ? 'give a built-in model name (mlp, cnn, transformer) or a path to an .onnx file' : undefined;
  return new InputError(error.code, message, { hint, cause: error });
}

/** Entry point of `bench`. */
export async function benchCommand(argv: string[]): Promise<ExitCodeValue> {
  const { values, positionals } = withUsage('bench', benchHelp, () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...sweepFlagOptions,
        ...conversionFlagOptions,
        batch: { type: 'string', short: 'b' },
        precision: { type: 'string', short: 'p' },
        variant: { type: 'string', multiple: true },
        ep: { type: 'string', short: 'e' },
        threads: { type: 'string' },
        shape: { type: 'string', multiple: true },
        feed: { type: 'string', multiple: true },
        range: { type: 'string', multiple: true },
        'min-seconds': { type: 'string' },
        'min-runs': { type: 'string' },
        repetitions: { type: 'string' },
        'warmup-runs': { type: 'string' },
        'warmup-seconds': { type: 'string' },
        'idle-seconds': { type: 'string' },
        'grid-intensity': { type: 'string' },
        pue: { type: 'string' },
      },
    }),
  );
  if (positionals.length !== 1) {
    throw new InputError('USAGE', `bench: expected one model (a .onnx path or a built-in name), got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, {
      hint: 'joulebench bench mlp --batch 1,8,32',
    });
  }
  const source = positionals[0]!;
  // A file that exists is a path even without a slash or the .onnx extension.
  const model = existsSync(source) && !source.includes('/') ? `./${source}` : source;

  const inputs: Record<string, Record<string, unknown>> = {};
  const input = (name: string) => (inputs[name] ??= {});
  for (const [name, dims] of pairs('--shape', values.shape)) {
    if (input(name).shape) throw new InputError('FLAG_INVALID', `--shape ${name}=${dims}: the shape of "${name}" is given twice`);
    input(name).shape = shapeDims('--shape', name, dims);
  }
  for (const [name, number] of feedValues(values.feed)) input(name).feed = number;
  for (const [name, value] of pairs('--range', values.range)) {
    const bounds = value.split(',').map(Number);
    if (bounds.length !== 2 || !bounds.every(Number.isInteger) || bounds[0]! >= bounds[1]!) {
      throw new InputError('FLAG_INVALID', `--range ${name}=${value}: expected two integers LO,HI with LO < HI`);
    }
    input(name).range = bounds;
  }
  const variants: Record<string, string> = {};
  for (const [precision, file] of pairs('--variant', values.variant)) variants[precision] = file;

  const conversionFlags = conversionFromFlags(values);
  const raw: Record<string, unknown> = {
    name: 'bench',
    models: [{ model, inputs, ...(Object.keys(variants).length > 0 ? { variants } : {}), ...conversionFlags.model }],
    ...conversionFlags.scenario,
  };
  if (values.batch !== undefined) raw.batchSizes = positiveIntegers('--batch', values.batch);
  if (values.precision !== undefined) raw.precisions = words(values.precision);
  if (values.ep !== undefined) raw.executionProviders = words(values.ep);
  if (values.threads !== undefined) raw.threads = positiveIntegers('--threads', values.threads);
  if (values.meter !== undefined) raw.meters = words(values.meter);
  if (values.gpus !== undefined) raw.devices = gpuIndices(values.gpus);
  const tdp = nonNegativeNumber('--cpu-tdp-watts', values['cpu-tdp-watts']);
  if (tdp !== undefined) raw.cpuTdpWatts = tdp;
  const window: Record<string, number> = {};
  const minSeconds = nonNegativeNumber('--min-seconds', values['min-seconds']);
  if (minSeconds !== undefined) window.minSeconds = minSeconds;
  const minRuns = positiveInteger('--min-runs', values['min-runs']);
  if (minRuns !== undefined) window.minRuns = minRuns;
  if (Object.keys(window).length > 0) raw.window = window;
  const warmup: Record<string, number> = {};
  const warmupRuns = nonNegativeNumber('--warmup-runs', values['warmup-runs']);
  if (warmupRuns !== undefined) warmup.runs = warmupRuns;
  const warmupSeconds = nonNegativeNumber('--warmup-seconds', values['warmup-seconds']);
  if (warmupSeconds !== undefined) warmup.seconds = warmupSeconds;
  if (Object.keys(warmup).length > 0) raw.warmup = warmup;
  const stopping = stoppingFromFlags(values, null, scenarioDefaults.stopping);
  if (stopping !== undefined) raw.stopping = stopping;
  const repetitions = positiveInteger('--repetitions', values.repetitions);
  if (repetitions !== undefined) raw.repetitions = repetitions;
  const idleSeconds = nonNegativeNumber('--idle-seconds', values['idle-seconds']);
  if (idleSeconds !== undefined) raw.idleSeconds = idleSeconds;
  const slo = nonNegativeNumber('--slo-p99-ms', values['slo-p99-ms']);
  if (slo !== undefined) raw.slo = { p99Ms: slo };
  const carbon: Record<string, number> = {};
  const intensity = nonNegativeNumber('--grid-intensity', values['grid-intensity']);
  if (intensity !== undefined) carbon.gridIntensityGPerKWh = intensity;
  const pue = nonNegativeNumber('--pue', values.pue);
  if (pue !== undefined) carbon.pue = pue;
  if (Object.keys(carbon).length > 0) raw.carbon = carbon;
  if (values.out !== undefined) raw.out = values.out;

  let scenario;
  try {
    scenario = parseScenario(raw, { file: null, baseDir: process.cwd() });
  } catch (error) {
    throw error instanceof InputError ? renameFieldsToFlags(error) : error;
  }
  // --quick measures fixed repetitions unless --target-ci/--max-seconds ask otherwise.
  if (values.quick) scenario = { ...quickened(scenario), ...(stopping ? { stopping } : {}) };
  scenario = withFlagBudgets(scenario, values);
  scenario = withCarbonFlags(scenario, values);
  return executeScenario(
    scenario,
    { model: () => ({ shape: (name) => `--shape ${name}=` }), executionProvider: () => `--ep ${scenario.executionProviders.map((ep) => ep.name).join(',')}` },
    {
      json: values.json ?? false,
      ...isolationFlags(values),
      ...(values.resume ? { resume: path.resolve(values.resume) } : {}),
      ...(values['powercap-root'] ? { powercapRoot: path.resolve(values['powercap-root']) } : {}),
      ...(values.baseline ? { baseline: values.baseline } : {}),
      ...(values.history ? { historyDir: values.history } : {}),
    },
  );
}

