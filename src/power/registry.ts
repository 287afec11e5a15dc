// The meter registry and `--meter` resolution (auto: the hardware meters that work here, else the estimate).
import { MeterError } from '../errors.js';
import { estimateMeterFactory } from './estimate.js';
import { replayMeterFactory } from './replay.js';
import type { MeterContext, MeterFactory, PowerMeter } from './types.js';

/** Every meter joulebench knows, by the name `--meter` takes. Hardware meters are listed in probe order. */
export const meterRegistry = {
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
  const factory = (meterRegistry as Record<string, MeterFactory>)[name];
  if (!factory) {
    throw new MeterError('METER_UNKNOWN', `unknown meter "${spec}"`, {
      hint: `known meters: auto, ${Object.keys(meterRegistry).join(', ')} (replay takes a file: replay:trace.csv)`,
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

/**
 * Turn meter specs into started-ready meters. An explicit meter that cannot run here throws MeterError
 * (exit 2); `auto` takes every hardware meter that probes ok and falls back to the estimate.
 */
export async function resolveMeters(specs: string[], context: MeterContext): Promise<ResolvedMeters> {
  const meters: PowerMeter[] = [];
  const choices: MeterChoice[] = [];
  for (const spec of specs) {
    if (spec === 'auto') {
      const hardware = Object.values(meterRegistry as Record<string, MeterFactory>).filter((f) => f.hardware);
      let found = false;
      for (const factory of hardware) {
        const probe = await factory.probe(context, null);
        choices.push({ name: factory.name, chosen: probe.ok, why: probe.ok ? probe.detail : probe.reason });
        if (probe.ok) {
          meters.push(await factory.create(context, null));
          found = true;
        }
      }
      if (!found) {
        const probe = await estimateMeterFactory.probe(context, null);
        choices.push({
          name: 'estimate',
          chosen: true,
          why: `no hardware power meter found${hardware.length === 0 ? ' (none is supported yet)' : ''}; ESTIMATED from ${probe.ok ? probe.detail : 'TDP'}`,
        });
        meters.push(await estimateMeterFactory.create(context, null));
      }
      continue;
    }
    const { factory, argument } = lookup(spec);
    const probe = await factory.probe(context, argument);
    if (!probe.ok) throw new MeterError('METER_UNAVAILABLE', `meter "${spec}" cannot run here: ${probe.reason}`);
    choices.push({ name: spec, chosen: true, why: probe.detail });
    meters.push(await factory.create(context, argument));
  }
  const ids = new Set<string>();
  for (const meter of meters) {
    if (ids.has(meter.info.id)) throw new MeterError('METER_DUPLICATE', `meter "${meter.info.id}" is listed twice`);
    ids.add(meter.info.id);
  }
  return { meters, choices };
}
