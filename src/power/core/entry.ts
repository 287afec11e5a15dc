// What every meter's registry entry shares: a probe is the detail line or the reason, never a throw.
import type { MeterContext, MeterFactory, PowerMeter, ProbeResult } from '../types.js';

/** An error's message (or a thrown value as text), for probe reasons and wrapped errors. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** ok with the detail `find` returns, or not ok with the message it throws. */
export async function probeBy(find: () => Promise<string> | string): Promise<ProbeResult> {
  try {
    return { ok: true, detail: await find() };
  } catch (error) {
    return { ok: false, reason: errorText(error) };
  }
}

/** A hardware meter without an argument: `detail` says what it would read (or throws why it cannot), `create` makes its meters. */
export interface HardwareEntry extends Pick<MeterFactory, 'name' | 'description' | 'group' | 'flags'> {
  detail(context: MeterContext): Promise<string> | string;
  create(context: MeterContext): Promise<PowerMeter[]> | PowerMeter[];
}

/** The registry entry of a hardware meter. */
export function hardwareMeter({ name, description, group, flags, detail, create }: HardwareEntry): MeterFactory {
  return {
    name,
    description,
    group,
    ...(flags ? { flags } : {}),
    hardware: true,
    argument: 'none',
    probe: (context) => probeBy(() => detail(context)),
    create: async (context) => create(context),
  };
}
