// The rapl meter (being implemented; probes as unavailable until then).
import type { MeterFactory } from './types.js';

/** Registry entry for the rapl meter. */
export const raplMeterFactory: MeterFactory = {
  name: 'rapl',
  description: 'rapl (not implemented yet)',
  hardware: true,
  group: 'cpu',
  argument: 'none',
  async probe() {
    return { ok: false, reason: 'not implemented yet' };
  },
  async create() {
    return [];
  },
};
