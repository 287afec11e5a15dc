// Flag parsing helpers: every error names the flag and the value received.
import path from 'node:path';
import { InputError } from '../errors.js';
import { meterFlags } from '../power/registry.js';
import type { MeterSettings } from '../power/types.js';
import { carbonFlagOptions } from './carbon-flags.js';
import { metricsFlagOptions } from './metrics-flags.js';
import { scenarioLimits } from '../scenario/schema.js';
import { closest } from '../common/suggest.js';

/**
 * Join `--flag -1` into `--flag=-1`: parseArgs refuses a value that starts with a dash, and the flag's own check
 * then names the value ("--batch: expected positive integers, got "-1"").
 */
export function joinNegativeValues(argv: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (/^--[a-z0-9-]+$/.test(arg) && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

/** The `--flags` a command's help text lists (the candidates for "did you mean"). */
export function helpFlags(help: string): string[] {
  return [...new Set(help.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? [])];
}

/**
 * Run node:util parseArgs (inside `parse`) with joulebench's error wording: an unknown flag is exit 2 naming it and,
 * when the command's help lists a flag one typo away, suggesting that one (`--preicsion` → `--precision`).
 */
export function withUsage<T>(command: string, help: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '').split('\n')[0]!;
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    const suggestion = unknown?.startsWith('--') ? closest(unknown.slice(2), helpFlags(help).map((flag) => flag.slice(2))) : undefined;
    throw new InputError('USAGE', `${command}: ${message}${suggestion ? ` — did you mean --${suggestion}?` : ''}`, {
      hint: suggestion ? `joulebench ${command} … --${suggestion}; joulebench ${command} --help lists every option` : `joulebench ${command} --help lists every option`,
    });
  }
}

/** A comma list of positive integers (`--batch 1,8,32`). */
export function positiveIntegers(flag: string, value: string): number[] {
  return value.split(',').map((part) => {
    const text = part.trim();
    const number = Number(text);
    if (text === '' || !Number.isInteger(number) || number <= 0) {
      throw new InputError('FLAG_INVALID', `${flag}: expected positive integers separated by commas, got "${text}" in "${value}"`);
    }
    return number;
  });
}

/** A non-negative number (`--min-seconds 0.5`). */
export function nonNegativeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw new InputError('FLAG_INVALID', `${flag}: expected a non-negative number, got "${value}"`);
  }
  return number;
}

/** A positive integer (`--repetitions 3`). */
export function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return positiveIntegers(flag, value)[0];
}

/** A comma list of words (`--ep cpu,cuda`). */
export function words(value: string): string[] {
  return value.split(',').map((part) => part.trim()).filter(Boolean);
}

/** `NAME=VALUE` pairs from a repeatable flag. */
export function pairs(flag: string, values: string[] | undefined): Array<[string, string]> {
  return (values ?? []).map((entry) => {
    const equals = entry.indexOf('=');
    if (equals <= 0 || equals === entry.length - 1) {
      throw new InputError('FLAG_INVALID', `${flag}: expected NAME=VALUE, got "${entry}"`);
    }
    return [entry.slice(0, equals), entry.slice(equals + 1)];
  });
}

/** `--feed NAME=VALUE` pairs as numbers (bench and inspect share it). */
export function feedValues(values: string[] | undefined): Array<[string, number]> {
  return pairs('--feed', values).map(([name, value]) => {
    const number = Number(value);
    if (!Number.isFinite(number)) throw new InputError('FLAG_INVALID', `--feed ${name}=${value}: expected a number`);
    return [name, number];
  });
}

/** A shape like `N,3,224,224` (N = the batch). */
export function shapeDims(flag: string, name: string, value: string): Array<number | 'N'> {
  const dims = value.split(',').map((part): number | 'N' => {
    const text = part.trim();
    if (text === 'N' || text === 'n') return 'N';
    const number = Number(text);
    if (!Number.isInteger(number) || number <= 0) {
      throw new InputError('FLAG_INVALID', `${flag} ${name}=${value}: each dimension must be a positive integer or N (the batch), got "${text}"`);
    }
    return number;
  });
  if (dims.filter((dim) => dim === 'N').length > 1) throw new InputError('FLAG_INVALID', `${flag} ${name}=${value}: at most one N`);
  return dims;
}

/** GPU indices (`--gpus 0,1`): non-negative integers up to the scenario's limit, each once. */
export function gpuIndices(value: string): number[] {
  const indices: number[] = [];
  for (const part of value.split(',')) {
    const text = part.trim();
    const number = Number(text);
    if (text === '' || !/^\d+$/.test(text) || number > scenarioLimits.maxGpuIndex) {
      throw new InputError('FLAG_INVALID', `--gpus: expected GPU indices from 0 to ${scenarioLimits.maxGpuIndex} separated by commas, got "${text}" in "${value}"`);
    }
    if (indices.includes(number)) {
      throw new InputError('FLAG_INVALID', `--gpus: GPU ${number} is listed twice in "${value}"`, { hint: 'each GPU is measured once; remove the repeat' });
    }
    indices.push(number);
  }
  return indices;
}

/** A percentage given as `2` or `2%` (`--target-ci`). */
export function percentage(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value.trim().replace(/%$/, ''));
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new InputError('FLAG_INVALID', `${flag}: expected a positive percentage like 2 or 2%${flag === '--target-ci' ? ', or off' : ''}, got "${value}"`);
  }
  return number;
}

/**
 * Flags `run` and `bench` share that set no scenario field (those are rows of scenario-flags.ts), as node:util
 * parseArgs options.
 */
export const sweepFlagOptions = {
  quick: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  'export-json': { type: 'string' },
  'export-csv': { type: 'string' },
  'export-markdown': { type: 'string' },
  resume: { type: 'string' },
  json: { type: 'boolean', default: false },
  baseline: { type: 'string' },
  'max-regression': { type: 'string' },
  history: { type: 'string' },
  'config-timeout': { type: 'string' },
  'no-isolate': { type: 'boolean', default: false },
  ...carbonFlagOptions,
  ...metricsFlagOptions,
} as const;

/** The flags the meters declare (`--powercap-root`, `--hwmon`, …), as parseArgs options. */
export function meterFlagOptions(): Record<string, { type: 'string' }> {
  return Object.fromEntries(meterFlags().map(({ flag }) => [flag.name, { type: 'string' as const }]));
}

/** Help lines of the meters' flags, descriptions starting at `column`. */
export function meterFlagHelp(column: number): string {
  return meterFlags()
    .map(({ flag }) => `  --${flag.name} ${flag.value}`.padEnd(column) + flag.help)
    .join('\n');
}

/** The meter flags given, checked by their meter, as the meters' settings (folders resolved against the cwd). */
export function meterSettingsFlags(values: Record<string, unknown>): MeterSettings {
  const settings: Record<string, string> = {};
  for (const { flag } of meterFlags()) {
    const text = values[flag.name];
    if (typeof text !== 'string' || text === '') continue;
    flag.check?.(`--${flag.name}`, text);
    settings[flag.name] = flag.path ? path.resolve(text) : text;
  }
  return settings;
}

/**
 * A warning for each meter flag given whose meter is not among those chosen (it then has no effect). Folder flags
 * are left out: they say where a meter would look, which is no mistake on a machine without it.
 */
export function unusedMeterFlags(settings: MeterSettings, chosen: readonly string[]): string[] {
  return meterFlags()
    .filter(({ meter, flag }) => settings[flag.name] !== undefined && !flag.path && !chosen.includes(meter))
    .map(({ meter, flag }) => `--${flag.name} has no effect: the ${meter} meter is not among the chosen meters (add it: --meter auto,${meter})`);
}

/** `--no-isolate` and `--config-timeout S` as execute options (a time limit needs a process to kill). */
export function isolationFlags(values: { 'no-isolate'?: boolean; 'config-timeout'?: string }): { isolate: boolean; configTimeoutS?: number } {
  const isolate = values['no-isolate'] !== true;
  const timeoutS = nonNegativeNumber('--config-timeout', values['config-timeout']);
  if (timeoutS !== undefined && timeoutS <= 0) throw new InputError('FLAG_INVALID', `--config-timeout: expected a positive number of seconds, got "${values['config-timeout']}"`);
  if (timeoutS !== undefined && !isolate) {
    throw new InputError('FLAG_CONFLICT', '--config-timeout needs isolation: a hung configuration can only be stopped by killing its process', {
      hint: 'drop --no-isolate, or drop --config-timeout',
    });
  }
  return { isolate, ...(timeoutS !== undefined ? { configTimeoutS: timeoutS } : {}) };
}

/**
 * `--export-json FILE` and friends (hyperfine's names) with the older name each command had kept as an alias:
 * the value given under either name; both with different values is FLAG_CONFLICT naming both.
 */
export function exportFlag(values: Record<string, unknown>, name: string, alias?: string): string | undefined {
  const preferred = values[name] as string | undefined;
  const old = alias === undefined ? undefined : (values[alias] as string | undefined);
  if (preferred !== undefined && old !== undefined && preferred !== old) {
    throw new InputError('FLAG_CONFLICT', `--${name} ${preferred} and --${alias} ${old} name two files for one export`, { hint: `give --${name} only (--${alias} is its older name)` });
  }
  return preferred ?? old;
}
