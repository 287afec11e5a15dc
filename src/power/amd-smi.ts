// The amd-smi meter (being implemented; probes as unavailable until then).
import type { MeterFactory } from './types.js';

/** Registry entry for the amd-smi meter. */
export const amdSmiMeterFactory: MeterFactory = {
  name: 'amd-smi',
  description: 'amd-smi (not implemented yet)',
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
