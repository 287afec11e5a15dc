// GPU memory used per configuration, from the context columns GPU meters record next to power
// (nvidia-smi: memory.used → context.memoryUsedMib, memory.total → memoryTotalMib).
import type { PowerSample } from '../power/types.js';

/** Memory of one GPU over a span: peak and mean used, total, in MiB (null where no sample had the column). */
export interface GpuMemoryUse {
  device: string;
  peakUsedMib: number | null;
  meanUsedMib: number | null;
  totalMib: number | null;
  samples: number;
}

/**
 * Per-GPU memory over [t0Ms, t1Ms] from each GPU meter's samples (keyed by its device, e.g. `cuda:0`).
 * Only the devices listed count (the GPUs attributed to the configuration); samples without the column are skipped.
 */
export function gpuMemoryUse(
  samplesByDevice: ReadonlyMap<string, readonly PowerSample[]> | Readonly<Record<string, readonly PowerSample[]>>,
  devices: readonly string[],
  t0Ms: number,
  t1Ms: number,
): GpuMemoryUse[] {
  const lookup = (device: string) => (samplesByDevice instanceof Map ? samplesByDevice.get(device) : (samplesByDevice as Record<string, readonly PowerSample[]>)[device]);
  return devices.map((device) => {
    let peak: number | null = null;
    let sum = 0;
    let count = 0;
    let total: number | null = null;
    for (const sample of lookup(device) ?? []) {
      if (sample.tMs < t0Ms || sample.tMs > t1Ms) continue;
      const used = numeric(sample.context?.memoryUsedMib);
      const totalMib = numeric(sample.context?.memoryTotalMib);
      if (totalMib !== null) total = totalMib;
      if (used === null) continue;
      peak = peak === null ? used : Math.max(peak, used);
      sum += used;
      count++;
    }
    return { device, peakUsedMib: peak, meanUsedMib: count > 0 ? sum / count : null, totalMib: total, samples: count };
  });
}

function numeric(value: number | string | undefined): number | null {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : null;
}
