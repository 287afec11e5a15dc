// The `--meter` values help texts list, from the meter registry (so a new meter shows up in every help).
import { meterRegistry } from '../power/registry.js';
import type { MeterFactory } from '../power/types.js';

/** `auto, nvml, nvidia-smi, …, replay:FILE`: every value `--meter` takes. */
export const meterNames = ['auto', ...Object.values(meterRegistry as Record<string, MeterFactory>).map((f) => (f.argument === 'required' ? `${f.name}:FILE` : f.name))].join(', ');
