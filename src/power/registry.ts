// The meter registry and `--meter` resolution (auto: the hardware meters that work here, else the estimate).
import { closest } from '../common/suggest.js';
import { MeterError } from '../errors.js';
import { amdSmiMeterFactory } from './amd-smi.js';
import { estimateMeterFactory } from './estimate.js';
import { hwmonMeterFactory } from './hwmon.js';
import { nvidiaSmiMeterFactory } from './nvidia-smi.js';
import { nvmlMeterFactory } from './nvml.js';
import { powermetricsMeterFactory } from './powermetrics.js';
import { raplMeterFactory } from './rapl.js';
import { replayMeterFactory } from './replay.js';
import { rocmSmiMeterFactory } from './rocm-smi.js';
import { tegrastatsMeterFactory } from './tegrastats.js';
import type { MeterContext, MeterFactory, MeterFlag, PowerMeter } from './types.js';

/** Every meter joulebench knows, by the name `--meter` takes. Within a group, `auto` probes in this order. */
export const meterRegistry = {
  nvml: nvmlMeterFactory,
  'nvidia-smi': nvidiaSmiMeterFactory,
  'amd-smi': amdSmiMeterFactory,
  'rocm-smi': rocmSmiMeterFactory,
  rapl: raplMeterFactory,
  hwmon: hwmonMeterFactory,
  tegrastats: tegrastatsMeterFactory,
  powermetrics: powermetricsMeterFactory,
  estimate: estimateMeterFactory,
  replay: replayMeterFactory,
} satisfies Record<string, MeterFactory>;

/** A registry name. */
export type MeterName = keyof typeof meterRegistry;

/** Why `auto` took or passed over each meter: printed by the CLI, kept in result.json. */
export interface MeterChoice {
  name: string;
  chosen: boolean;
  why: string;
}

/** Meters ready to start, plus the reasoning behind the choice. */
export interface ResolvedMeters {
  meters: PowerMeter[];
  choices: MeterChoice[];
}

function lookup(spec: string): { factory: MeterFactory; argument: string | null } {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const argument = colon < 0 ? null : spec.slice(colon + 1);
  // Own entries only: `--meter constructor` is an unknown meter, not Object.prototype's function.
  const factory = Object.hasOwn(meterRegistry, name) ? (meterRegistry as Record<string, MeterFactory>)[name] : undefined;
  if (!factory) {
    const meant = closest(name, Object.keys(meterRegistry));
    throw new MeterError('METER_UNKNOWN', `unknown meter "${spec}"${meant ? ` — did you mean "${meant}"?` : ''}`, {
      hint: `known meters: auto, ${Object.keys(meterRegistry).join(', ')}${factories().filter((f) => f.argument === 'required').map((f) => ` (${f.name} takes a file: ${f.name}:trace.csv)`).join('')}`,
    });
  }
  if (factory.argument === 'required' && !argument) {
    throw new MeterError('METER_ARGUMENT', `meter "${name}" needs an argument: ${name}:FILE`);
  }
  if (factory.argument === 'none' && argument) {
    throw new MeterError('METER_ARGUMENT', `meter "${name}" takes no argument, got "${spec}"`);
  }
  return { factory, argument };
}

const factories = () => Object.values(meterRegistry as Record<string, MeterFactory>);

/** Every meter's flags, with the meter's name, in registry order (what `run` and `bench` take and list). */
export function meterFlags(): Array<{ meter: string; flag: MeterFlag }> {
  return factories().flatMap((factory) => (factory.flags ?? []).map((flag) => ({ meter: factory.name, flag })));
}

/** The groups `auto` meters, in registry order, each with its hardware meters and fallback (what help texts list). */
export function autoGroups(): Array<{ group: string; hardware: MeterFactory[]; fallback: MeterFactory | undefined }> {
  const groups = [...new Set(factories().filter((f) => f.hardware).map((f) => f.group))];
  return groups.map((group) => ({
    group,
    hardware: factories().filter((f) => f.hardware && f.group === group),
    fallback: factories().find((f) => !f.hardware && f.group === group && f.fallback),
  }));
}

/** `NVIDIA: nvml, nvidia-smi; AMD: amd-smi, rocm-smi; CPU: rapl, else the estimate`, from the registry. */
export function describeAutoOrder(): string {
  return autoGroups()
    .map(({ group, hardware, fallback }) => `${group.toUpperCase()}: ${hardware.map((f) => f.name).join(', ')}${fallback ? `, else the ${fallback.name}` : ''}`)
    .join('; ');
}

/** Which meters a resolution has created so far, and how: `auto` and an explicit `--meter NAME` share one meter. */
type Created = Map<string, 'auto' | 'explicit'>;

// auto: per group the first hardware meter that works, else the group's fallback (the estimate for the CPU). A meter
// also listed on its own (`--meter hwmon,auto`) is the one auto takes for its group, not a second copy.
async function resolveAuto(context: MeterContext, meters: PowerMeter[], choices: MeterChoice[], created: Created): Promise<void> {
  for (const { hardware, fallback } of autoGroups()) {
    let taken: string | null = null;
    for (const factory of hardware) {
      if (taken) {
        choices.push({ name: factory.name, chosen: false, why: `not needed: ${taken} already meters these devices` });
        continue;
      }
      if (created.has(factory.name)) {
        taken = factory.name;
        continue;
      }
      const probe = await factory.probe(context, null);
      if (!probe.ok) {
        choices.push({ name: factory.name, chosen: false, why: probe.reason });
        continue;
      }
      meters.push(...(await factory.create(context, null)));
      choices.push({ name: factory.name, chosen: true, why: probe.detail });
      created.set(factory.name, 'auto');
      taken = factory.name;
    }
    if (!taken && fallback && !created.has(fallback.name)) {
      created.set(fallback.name, 'auto');
      const probe = await fallback.probe(context, null);
      choices.push({ name: fallback.name, chosen: true, why: `${fallback.fallback} ${probe.ok ? probe.detail : probe.reason}` });
      meters.push(...(await fallback.create(context, null)));
    }
  }
}

/**
 * Turn meter specs into started-ready meters. An explicit meter that cannot run here throws MeterError
 * (exit 2); `auto` takes, per device group, the first hardware meter that probes ok, and the estimate for the CPU
 * when no CPU meter works.
 */
export async function resolveMeters(specs: string[], context: MeterContext): Promise<ResolvedMeters> {
  const meters: PowerMeter[] = [];
  const choices: MeterChoice[] = [];
  const created: Created = new Map();
  for (const spec of specs) {
    if (spec === 'auto') {
      await resolveAuto(context, meters, choices, created);
      continue;
    }
    const { factory, argument } = lookup(spec);
    if (created.get(factory.name) === 'auto') continue; // `--meter auto,hwmon` where auto took hwmon already
    if (factory.argument === 'none') created.set(factory.name, 'explicit');
    const probe = await factory.probe(context, argument);
    if (!probe.ok) throw new MeterError('METER_UNAVAILABLE', `meter "${spec}" cannot run here: ${probe.reason}`);
    choices.push({ name: spec, chosen: true, why: probe.detail });
    meters.push(...(await factory.create(context, argument)));
  }
  const ids = new Set<string>();
  for (const meter of meters) {
    if (ids.has(meter.info.id)) throw new MeterError('METER_DUPLICATE', `meter "${meter.info.id}" is listed twice`);
    ids.add(meter.info.id);
  }
  return { meters, choices };
}
