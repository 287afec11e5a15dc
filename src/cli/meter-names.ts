// The `--meter` values help texts list, from the meter registry (so a new meter shows up in every help).
import { meterRegistry } from '../power/registry.js';

/** `auto, nvml, nvidia-smi, …, replay:FILE`: every value `--meter` takes. */
export const meterNames = ['auto', ...Object.keys(meterRegistry).map((name) => (name === 'replay' ? 'replay:FILE' : name))].join(', ');
