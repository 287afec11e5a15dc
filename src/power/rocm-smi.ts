// The rocm-smi meter (being implemented; probes as unavailable until then).
import type { MeterFactory } from './types.js';

/** Registry entry for the rocm-smi meter. */
export const rocmSmiMeterFactory: MeterFactory = {
  name: 'rocm-smi',
  description: 'rocm-smi (not implemented yet)',
  hardware: true,
  group: 'amd',
  argument: 'none',
  async probe() {
    return { ok: false, reason: 'not implemented yet' };
  },
  async create() {
    return [];
  },
};
