// The nvml meter (being implemented; probes as unavailable until then).
import type { MeterFactory } from './types.js';

/** Registry entry for the nvml meter. */
export const nvmlMeterFactory: MeterFactory = {
  name: 'nvml',
  description: 'nvml (not implemented yet)',
  hardware: true,
  group: 'nvidia',
  argument: 'none',
  async probe() {
    return { ok: false, reason: 'not implemented yet' };
  },
  async create() {
    return [];
  },
};
