// The one table of flags that set scenario fields. `run` lays the flags given over its file's raw input, `bench`
// builds raw input from them alone; both validate it with the scenario schema, and a schema error about a field a
// flag set names the flag (`--batch: expected a batch size of at most 65536, got 100000`).
// To add a flag that sets a scenario field: one row here (name, short, field, parse into the raw input, help).
import path from 'node:path';
import { InputError } from '../errors.js';
import { scenarioDefaults, scenarioLimits } from '../scenario/schema.js';
import { gpuIndices, nonNegativeNumber, pairs, percentage, positiveIntegers, shapeDims, words } from './args.js';
import { meterNames } from './meter-names.js';

/** Commands whose options include scenario flags. */
export type FlagCommand = 'run' | 'bench' | 'variants';

/** Raw (not yet validated) scenario input, as YAML parses it. */
export type RawScenario = Record<string, unknown>;

/** A flag's value as node:util parseArgs returns it. */
export type FlagValue = string | boolean | Array<string | boolean>;

/** One row: a flag and the scenario field it sets. */
export interface ScenarioFlag {
  /** Long name without the dashes. */
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  /** The field it sets, as schema errors print it; `*` stands for the NAME of a NAME=VALUE flag. */
  field: string;
  /** Help: the argument (`1,8,32`) and the description (`\n` starts a continuation line). */
  arg?: string;
  help: string;
  commands: readonly FlagCommand[];
  /** Parse the value (errors name the flag and value) and write it into the raw input. */
  apply: (raw: RawScenario, value: FlagValue) => void;
}

const both: readonly FlagCommand[] = ['run', 'bench'];
const modelOnly: readonly FlagCommand[] = ['bench'];
const conversion: readonly FlagCommand[] = ['run', 'bench', 'variants'];

/** Every flag that sets a scenario field, in help order. */
export const scenarioFlags: readonly ScenarioFlag[] = [
  row('batch', 'batchSizes', '1,8,32', `batch sizes (default ${scenarioDefaults.batchSizes.join(',')})`, both, (v) => positiveIntegers('--batch', v), 'b'),
  row('precision', 'precisions', 'LIST', 'fp32,fp16,int8 (default fp32); fp16/int8 variants are made from the model and cached,\nand their fidelity to FP32 is measured before the sweep', both, words, 'p'),
  {
    name: 'variant', type: 'string', multiple: true, field: 'models[0].variants', arg: 'fp16=FILE', commands: modelOnly,
    help: 'a ready-made variant of the model instead (repeatable)',
    apply: (raw, value) => {
      const variants: Record<string, string> = {};
      for (const [precision, file] of pairs('--variant', value as string[])) variants[precision] = file;
      firstModel(raw).variants = variants;
    },
  },
  row('ep', 'executionProviders', 'cpu,cuda', 'execution providers (default cpu); see joulebench devices', both, words, 'e'),
  row('threads', 'threads', '1,2', "intra-op thread counts to sweep (default: onnxruntime's choice)", both, (v) => positiveIntegers('--threads', v)),
  {
    name: 'shape', type: 'string', multiple: true, field: 'models[0].inputs*.shape', arg: 'NAME=DIMS', commands: ['bench', 'variants'],
    help: 'full input shape, N = batch: --shape x=N,3,224,224 (repeatable)',
    apply: (raw, value) => {
      const seen = new Set<string>();
      for (const [name, dims] of pairs('--shape', value as string[])) {
        if (seen.has(name)) throw new InputError('FLAG_INVALID', `--shape ${name}=${dims}: the shape of "${name}" is given twice`, { hint: `give --shape ${name}=… once` });
        seen.add(name);
        input(raw, name).shape = shapeDims('--shape', name, dims);
      }
    },
  },
  {
    name: 'feed', type: 'string', multiple: true, field: 'models[0].inputs*.feed', arg: 'NAME=VALUE', commands: modelOnly,
    help: 'fill an input with a value instead of random data: --feed sr=16000 (repeatable)',
    apply: (raw, value) => {
      for (const [name, text] of pairs('--feed', value as string[])) {
        const number = Number(text);
        if (text.trim() === '' || !Number.isFinite(number)) throw new InputError('FLAG_INVALID', `--feed ${name}=${text}: expected a number`, { hint: `e.g. --feed ${name}=16000` });
        input(raw, name).feed = number;
      }
    },
  },
  {
    name: 'range', type: 'string', multiple: true, field: 'models[0].inputs*.range', arg: 'NAME=LO,HI', commands: modelOnly,
    help: 'draw integer inputs from [LO, HI): --range input_ids=0,30522 (repeatable)',
    apply: (raw, value) => {
      for (const [name, text] of pairs('--range', value as string[])) {
        const bounds = text.split(',').map(Number);
        if (bounds.length !== 2 || !bounds.every(Number.isInteger) || bounds[0]! >= bounds[1]!) {
          throw new InputError('FLAG_INVALID', `--range ${name}=${text}: expected two integers LO,HI with LO < HI`, { hint: `e.g. --range ${name}=0,30522 (HI is excluded)` });
        }
        input(raw, name).range = bounds;
      }
    },
  },
  // Conversion and fidelity (also `joulebench variants`).
  row('int8-mode', 'conversion.int8Mode', 'auto|dynamic|static', 'INT8 recipe (auto: static QDQ for graphs with Conv, dynamic otherwise)', conversion, String),
  modelRow('calibration', 'calibration', 'PATH', 'calibration/evaluation inputs: a folder of .npy files or a .json list (default: synthetic)'),
  row('calibration-method', 'conversion.calibrationMethod', 'minmax|percentile', 'activation ranges for static INT8 (default minmax)', conversion, String),
  row('percentile', 'conversion.percentile', 'P', 'share of values inside the range for percentile calibration (default 99.99)', conversion, (v) => nonNegativeNumber('--percentile', v)),
  modelRow('labels', 'labels', 'FILE', 'expected class per calibration input: adds task accuracy and its ratio to FP32'),
  row('keep-fp32', 'conversion.keepFp32', 'OP,…', 'op types to keep in FP32 in both conversions (e.g. Softmax,LayerNormalization)', conversion, words),
  flag('fp16-io', 'conversion.fp16Io', 'FP16 variants take and return float16 (no Casts at the graph edges)', conversion, true),
  flag('no-per-channel', 'conversion.perChannel', 'per-tensor weight scales in static INT8', conversion, false),
  row('min-cosine', 'fidelity.minCosine', 'C', 'fidelity bound: variants below this cosine to FP32 are never recommended', conversion, (v) => finite('--min-cosine', v, '0.99')),
  row('accuracy-target', 'fidelity.accuracyTarget', 'P%', 'fidelity bound as a share of FP32 (MLPerf: 99% or 99.9%)', conversion, String),
  row('fidelity', 'fidelity', 'off', "off: no fidelity bound, a variant is recommended however far it is from FP32\n(default on: cosine and top-1 agreement ≥ 0.99 against FP32, docs/fidelity.md)", conversion, (v) => {
    if (!/^(off|none)$/i.test(v.trim())) throw new InputError('FLAG_INVALID', `--fidelity: expected off, got "${v}"`, { hint: 'to change the bound instead, use --min-cosine C or --accuracy-target P%' });
    return 'off';
  }),
  // Meters and devices.
  row('meter', 'meters', 'LIST', `power meter(s), comma-separated (default auto): ${meterNames}`, both, (v) =>
    words(v).map((meter) => (meter.startsWith('replay:') && meter.length > 7 ? `replay:${path.resolve(meter.slice(7))}` : meter))),
  row('cpu-tdp-watts', 'cpuTdpWatts', 'W', 'TDP for the estimate meter (when the CPU is not in its table)', both, (v) => nonNegativeNumber('--cpu-tdp-watts', v)),
  {
    name: 'gpus', type: 'string', field: 'devices', arg: '0,1', commands: both,
    help: 'GPUs to use: cuda/tensorrt/dml run on each in turn, only these are metered, each configuration\ncounts its own GPU (default: providers as given, every GPU metered)',
    apply: (raw, value) => {
      // `gpus:` is the file's older name of `devices:`; the flag replaces either.
      delete raw.gpus;
      raw.devices = gpuIndices(value as string);
    },
  },
  // Windows and stopping.
  row('min-seconds', 'window.minSeconds', 'S', `minimum window length (default ${scenarioDefaults.window.minSeconds}; never below 10 meter periods)`, both, (v) => nonNegativeNumber('--min-seconds', v)),
  row('min-runs', 'window.minRuns', 'N', `minimum runs per window (default ${scenarioDefaults.window.minRuns})`, both, (v) => positiveIntegers('--min-runs', v)[0]),
  row('repetitions', 'repetitions', 'R', `windows per configuration (default ${scenarioDefaults.repetitions})`, both, (v) => positiveIntegers('--repetitions', v)[0]),
  {
    name: 'equivalence', type: 'string', field: 'stopping.equivalencePercent', arg: 'P', commands: both,
    help: `race (the default stopping rule): configurations within ±P% are indistinguishable\n(default ${scenarioDefaults.stopping.rule === 'race' ? scenarioDefaults.stopping.equivalencePercent : 3})`,
    apply: (raw, value) => {
      raw.stopping = { ...without(stoppingObject(raw), 'rule', 'targetCiPercent'), rule: 'race', equivalencePercent: percentage('--equivalence', value as string) };
    },
  },
  {
    name: 'target-ci', type: 'string', field: 'stopping.targetCiPercent', arg: 'P|off', commands: both,
    help: 'stop each configuration when the 95% CI of its samples/J is within ±P% instead of racing;\noff: no adaptive stopping, exactly --repetitions windows each',
    apply: (raw, value) => {
      if (isOff(value as string)) raw.stopping = false;
      else raw.stopping = { ...without(stoppingObject(raw), 'rule', 'equivalencePercent'), rule: 'target-ci', targetCiPercent: percentage('--target-ci', value as string) };
    },
  },
  {
    name: 'max-seconds', type: 'string', field: 'stopping.maxSeconds', arg: 'S', commands: both,
    help: `adaptive stopping: at most S seconds of windows per configuration (default ${scenarioDefaults.stopping.maxSeconds})`,
    apply: (raw, value) => {
      const seconds = Number(String(value).trim());
      if (String(value).trim() === '' || !Number.isFinite(seconds) || seconds <= 0) throw new InputError('FLAG_INVALID', `--max-seconds: expected a positive number of seconds, got "${value}"`, { hint: 'e.g. --max-seconds 60' });
      raw.stopping = { ...stoppingObject(raw), maxSeconds: seconds };
    },
  },
  {
    name: 'warmup-runs', type: 'string', field: 'warmup.runs', arg: 'N', commands: both,
    help: `warm-up runs before the windows (default ${scenarioDefaults.warmup.runs}; with --warmup-seconds S, default ${scenarioDefaults.warmup.seconds} s)`,
    apply: (raw, value) => setField(raw, 'warmup.runs', nonNegativeNumber('--warmup-runs', value as string)),
  },
  row('warmup-seconds', 'warmup.seconds', 'S', 'minimum warm-up time', both, (v) => nonNegativeNumber('--warmup-seconds', v)),
  row('idle-seconds', 'idleSeconds', 'S', `idle baseline before the sweep (default ${scenarioDefaults.idleSeconds}; 0: off, no net energy)`, both, (v) => nonNegativeNumber('--idle-seconds', v)),
  row('slo-p99-ms', 'slo.p99Ms', 'MS', 'latency SLO for the recommendation (p99 in milliseconds)', both, (v) => nonNegativeNumber('--slo-p99-ms', v)),
  row('grid-intensity', 'carbon.gridIntensityGPerKWh', 'G', `grid carbon intensity, gCO2e/kWh (default ${scenarioDefaults.carbon.gridIntensityGPerKWh}, world average)`, both, (v) => nonNegativeNumber('--grid-intensity', v)),
  row('pue', 'carbon.pue', 'P', `data-centre PUE (default ${scenarioDefaults.carbon.pue.toFixed(1)})`, both, (v) => nonNegativeNumber('--pue', v)),
  row('out', 'out', 'DIR', "output folder (default: the scenario's `out`, else results/)", both, (v) => path.resolve(v), 'o'),
  flag('allow-outside-paths', 'allowOutsidePaths', "let the scenario's model, variant and replay paths leave its folder (same as\n`allowOutsidePaths: true` in the scenario; off by default, for scenarios from elsewhere)", ['run'], true),
];

/** The rows a command takes. */
export function flagsOf(command: FlagCommand): ScenarioFlag[] {
  return scenarioFlags.filter((entry) => entry.commands.includes(command));
}

/** node:util parseArgs options of a command's scenario flags. */
export function scenarioFlagOptions(command: FlagCommand): Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const entry of flagsOf(command)) {
    options[entry.name] = { type: entry.type, ...(entry.short ? { short: entry.short } : {}), ...(entry.multiple ? { multiple: true } : {}) };
  }
  return options;
}

/** Help lines of a command's scenario flags, descriptions starting at `column`. */
export function scenarioFlagHelp(command: FlagCommand, column: number): string {
  return flagsOf(command).map((entry) => helpLines(`${entry.short ? `-${entry.short}, ` : ''}--${entry.name}${entry.arg ? ` ${entry.arg}` : ''}`, entry.help, column)).join('\n');
}

/** `  -b, --batch 1,8,32      text` with continuation lines aligned at `column`. */
export function helpLines(left: string, text: string, column: number): string {
  const head = `  ${left}`;
  const pad = head.length < column - 1 ? head.padEnd(column) : `${head}   `;
  const [first, ...rest] = text.split('\n');
  return [`${pad}${first}`, ...rest.map((line) => `${' '.repeat(column)}${line}`)].join('\n');
}

/** The rows of a command whose flag was given (booleans only when true). */
export function givenFlags(command: FlagCommand, values: Record<string, unknown>): ScenarioFlag[] {
  return flagsOf(command).filter((entry) => {
    const value = values[entry.name];
    return entry.type === 'boolean' ? value === true : value !== undefined && !(Array.isArray(value) && value.length === 0);
  });
}

/**
 * Write the given flags into raw scenario input (a copy). `--target-ci off` with `--max-seconds` or `--equivalence`,
 * and `--target-ci P` with `--equivalence`, contradict each other: FLAG_INVALID naming both.
 */
export function applyScenarioFlags(raw: unknown, given: readonly ScenarioFlag[], values: Record<string, unknown>): unknown {
  checkFlagConflicts(values);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw; // the schema says what is wrong
  const copy = structuredClone(raw) as RawScenario;
  for (const entry of given) entry.apply(copy, values[entry.name] as FlagValue);
  return copy;
}

/** True when any stopping flag is given (`--quick` then keeps their rule instead of fixed repetitions). */
export function stoppingFlagsGiven(values: Record<string, unknown>): boolean {
  return ['target-ci', 'equivalence', 'max-seconds'].some((name) => values[name] !== undefined);
}

/**
 * Rewrite `<display>: batchSizes[0]: …` lines of a schema error into `--batch: …` for the fields a flag set (others,
 * from the file, keep their field). `extra` names fields set another way (bench's model argument: `model`).
 */
export function renameFieldsToFlags(error: InputError, display: string, given: readonly ScenarioFlag[], extra: Array<{ field: string; label: string }> = []): InputError {
  const labels = [
    ...extra.map(({ field, label }) => ({ pattern: fieldPattern(field), label: () => label })),
    ...given.map((entry) => ({ pattern: fieldPattern(entry.field), label: (name?: string) => (name === undefined ? `--${entry.name}` : `--${entry.name} ${name}=`) })),
  ];
  const prefix = `${display}: `;
  let renamedFirst = false;
  const message = error.message
    .split('\n')
    .map((line, index) => {
      if (!line.startsWith(prefix)) return line;
      const rest = line.slice(prefix.length);
      const colon = fieldEnd(rest);
      if (colon < 0) return line;
      const field = rest.slice(0, colon);
      for (const { pattern, label } of labels) {
        const match = pattern.exec(field);
        if (match) {
          if (index === 0) renamedFirst = true;
          const name = match[1] ?? (match[2] !== undefined ? JSON.parse(`"${match[2]}"`) as string : undefined);
          return `${label(name)}: ${flagNames(rest.slice(colon + 2), given)}`;
        }
      }
      return line;
    })
    .join('\n');
  if (message === error.message) return error;
  // Hints written for scenario files (YAML syntax, "the scenario's folder") do not fit a flag.
  const yamlHint = error.hint !== undefined && /scenario|e\.g\. [A-Za-z]+:|\w+: \[/.test(error.hint);
  let hint = !renamedFirst || !yamlHint ? error.hint : message.startsWith('model: ') ? 'give a built-in model name (mlp, cnn, transformer) or a path to an .onnx file' : undefined;
  // A hint that names a field a flag set names the flag instead ("set stopping.maxSeconds to …" → "set --max-seconds to …").
  if (renamedFirst && hint !== undefined) hint = flagNames(hint, given);
  return new InputError(error.code, message, { ...(hint !== undefined ? { hint } : {}), cause: error });
}

// ---------------------------------------------------------------------------------------------

// Dotted field paths a flag set, written as the flag (`window.minSeconds 2` → `--min-seconds 2`).
function flagNames(text: string, given: readonly ScenarioFlag[]): string {
  let out = text;
  for (const entry of given) if (entry.field.includes('.') && !entry.field.includes('*') && !entry.field.includes('[')) out = out.split(entry.field).join(`--${entry.name}`);
  return out;
}

function row(name: string, field: string, arg: string, help: string, commands: readonly FlagCommand[], parse: (value: string) => unknown, short?: string): ScenarioFlag {
  return { name, field, arg, help, commands, type: 'string', ...(short ? { short } : {}), apply: (raw, value) => setField(raw, field, parse(value as string)) };
}

function flag(name: string, field: string, help: string, commands: readonly FlagCommand[], fieldValue: boolean): ScenarioFlag {
  return { name, field, help, commands, type: 'boolean', apply: (raw) => setField(raw, field, fieldValue) };
}

// A field of the (only) model, bench and variants' NAME=VALUE and path flags.
function modelRow(name: string, field: string, arg: string, help: string): ScenarioFlag {
  return { name, field: `models[0].${field}`, arg, help, commands: ['bench', 'variants'], type: 'string', apply: (raw, value) => { firstModel(raw)[field] = value; } };
}

function finite(flagName: string, value: string, example: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new InputError('FLAG_INVALID', `${flagName}: expected a number like ${example}, got "${value}"`);
  return number;
}

// `a.b.c` = value, replacing anything that is not a mapping on the way.
function setField(raw: RawScenario, field: string, value: unknown): void {
  const keys = field.split('.');
  let node = raw;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node = node[key] = isMapping(next) ? { ...next } : {};
  }
  node[keys.at(-1)!] = value;
}

function firstModel(raw: RawScenario): RawScenario {
  const models = Array.isArray(raw.models) ? raw.models : (raw.models = [{}]) as unknown[];
  if (!isMapping(models[0])) models[0] = typeof models[0] === 'string' ? { model: models[0] } : {};
  return models[0] as RawScenario;
}

function input(raw: RawScenario, name: string): RawScenario {
  const model = firstModel(raw);
  const inputs = (model.inputs = isMapping(model.inputs) ? model.inputs : {}) as RawScenario;
  return (inputs[name] = isMapping(inputs[name]) ? inputs[name] : {}) as RawScenario;
}

// The file's `stopping:` as a mapping to extend: `false`/`off` (fixed repetitions) turns back into the default rule.
function stoppingObject(raw: RawScenario): RawScenario {
  const stopping = raw.stopping;
  if (!isMapping(stopping) || stopping.enabled === false) return {};
  return { ...stopping };
}

function without(object: RawScenario, ...keys: string[]): RawScenario {
  const copy = { ...object };
  for (const key of keys) delete copy[key];
  return copy;
}

function isMapping(value: unknown): value is RawScenario {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isOff(value: string): boolean {
  return /^(off|fixed|none)$/i.test(value.trim());
}

function checkFlagConflicts(values: Record<string, unknown>): void {
  const targetCi = values['target-ci'] as string | undefined;
  const off = targetCi !== undefined && isOff(targetCi);
  if (off && (values['max-seconds'] !== undefined || values.equivalence !== undefined)) {
    throw new InputError('FLAG_INVALID', `${values['max-seconds'] !== undefined ? '--max-seconds caps' : '--equivalence tunes'} adaptive stopping, which --target-ci off turns off`, {
      hint: 'drop one of the two: --target-ci off measures exactly --repetitions windows',
    });
  }
  if (targetCi !== undefined && !off && values.equivalence !== undefined) {
    throw new InputError('FLAG_INVALID', '--target-ci and --equivalence choose two different stopping rules', {
      hint: 'race with --equivalence P (the default rule), or stop each configuration at ±P% with --target-ci P',
    });
  }
  if (values.fidelity !== undefined && (values['min-cosine'] !== undefined || values['accuracy-target'] !== undefined)) {
    throw new InputError('FLAG_CONFLICT', `--fidelity off and ${values['min-cosine'] !== undefined ? '--min-cosine' : '--accuracy-target'} contradict each other`, { hint: 'drop --fidelity off to keep a bound, or drop the bound' });
  }
  const equivalence = values.equivalence as string | undefined;
  if (equivalence !== undefined && percentage('--equivalence', equivalence)! > scenarioLimits.maxEquivalencePercent) {
    throw new InputError('FLAG_INVALID', `--equivalence: expected a percentage above 0 and at most ${scenarioLimits.maxEquivalencePercent}, got "${equivalence}"`, { hint: 'the default is 3 (survivors within ±3% are indistinguishable)' });
  }
}

// `models[0].inputs*.shape` → a regex over printed fields: `*` is `.name` or `["odd name"]`; a field's own
// elements (`batchSizes[2]`) and sub-fields (`stopping.maxSeconds` under `stopping`) belong to it.
function fieldPattern(field: string): RegExp {
  const escaped = field.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(?:\\.([A-Za-z_][A-Za-z0-9_]*)|\\["((?:[^"\\\\]|\\\\.)*)"\\])');
  return new RegExp(`^${escaped}(?=$|[.[])`);
}

// Where the printed field ends: the first ": " outside a ["quoted"] key.
function fieldEnd(text: string): number {
  let quoted = false;
  for (let i = 0; i < text.length - 1; i++) {
    const char = text[i];
    if (char === '\\' && quoted) i++;
    else if (char === '"') quoted = !quoted;
    else if (!quoted && char === ':' && text[i + 1] === ' ') return i;
  }
  return -1;
}
