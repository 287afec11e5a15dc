// The nvidia-smi meter (being implemented; probes as unavailable until then).
import type { MeterFactory } from './types.js';

/** Registry entry for the nvidia-smi meter. */
export const nvidiaSmiMeterFactory: MeterFactory = {
  name: 'nvidia-smi',
  description: 'nvidia-smi (not implemented yet)',
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
