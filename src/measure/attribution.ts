// Which meters count for a configuration: CPU and whole-system meters always, a GPU meter only for its own device.
import type { PowerMeter } from '../power/types.js';

// `cuda:1` → 1; devices without an index (`webgpu`) → null.
function gpuIndex(device: string): number | null {
  const match = /^(cuda|rocm|dml):(\d+)$/.exec(device);
  return match ? Number(match[2]) : null;
}

const isGpuDevice = (device: string) => device !== 'cpu';

/**
 * The meters whose power belongs to a configuration running on `device` (`cpu`, `cuda:0`, `webgpu`, …).
 * - meters of the whole system (device null) and of the CPU packages always count: the host feeds every provider;
 * - with `gpus` set (`--gpus 0,1`) exactly those GPUs count, for every configuration;
 * - otherwise a GPU meter counts for configurations on that GPU; a GPU provider that names no index (webgpu)
 *   counts every GPU meter, since joulebench cannot tell which adapter it chose.
 */
export function attributeMeters(meters: PowerMeter[], device: string, gpus: number[] | null): PowerMeter[] {
  return attributionFor(meters, device, gpus).meters;
}

/** The meters that count for a configuration, and one line on why (recorded as `power.attribution`). */
export interface Attribution {
  meters: PowerMeter[];
  note: string;
}

/**
 * As attributeMeters; when no meter measures the configuration's device but meters were given (e.g.
 * `--meter nvidia-smi` for a CPU model), every given meter counts and the note says so, instead of no energy at all.
 */
export function attributionFor(meters: PowerMeter[], device: string, gpus: number[] | null): Attribution {
  const counted = filterMeters(meters, device, gpus);
  const ids = (list: PowerMeter[]) => list.map((meter) => meter.info.id).join(', ');
  if (counted.length > 0) {
    const skipped = meters.filter((meter) => !counted.includes(meter));
    return {
      meters: counted,
      note: `${ids(counted)} for ${device}${gpus ? ` (--gpus ${gpus.join(',')})` : ''}${skipped.length > 0 ? `; not counted: ${ids(skipped)} (other devices)` : ''}`,
    };
  }
  return {
    meters,
    note: `no meter measures ${device}; counting every meter given (${ids(meters)}): power of devices this configuration does not run on`,
  };
}

function filterMeters(meters: PowerMeter[], device: string, gpus: number[] | null): PowerMeter[] {
  return meters.filter((meter) => {
    const meterDevice = meter.info.device;
    if (meterDevice === null || meterDevice === 'cpu') return true;
    const index = gpuIndex(meterDevice);
    if (gpus !== null) return index !== null && gpus.includes(index);
    if (!isGpuDevice(device)) return false;
    if (gpuIndex(device) === null) return true;
    return meterDevice === device;
  });
}
