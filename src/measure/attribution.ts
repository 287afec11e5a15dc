// Which meters count for a configuration: CPU and whole-system meters always, a GPU meter only for its own device.
import { parseDevice } from '../power/core/device.js';
import type { PowerMeter } from '../power/types.js';

// `cuda:1` → 1; devices without an index (`webgpu`, `cpu`) → null. Any vendor: ids are open (`{ vendor, index }`).
const gpuIndex = (device: string): number | null => parseDevice(device).index;

/**
 * The meters whose power belongs to a configuration running on `device` (`cpu`, `cuda:0`, `webgpu`, …).
 * - meters of the whole system (device null) and of the CPU packages always count: the host feeds every provider;
 * - with `devices` set (`devices: [0, 1]`, `--gpus 0,1`) only those GPUs count, matched by index (CUDA and the meters
 *   number GPUs alike: joulebench sets CUDA_DEVICE_ORDER=PCI_BUS_ID): a configuration on `cuda:N` counts GPU N only;
 *   a CPU configuration counts every listed GPU (what idle GPUs cost a CPU deployment); so does a GPU provider that
 *   names no index (webgpu: onnxruntime-node passes it no adapter index, so which listed GPU it runs on is unknown);
 * - without devices a GPU meter counts for configurations on that GPU; a GPU provider that names no index counts
 *   every GPU meter, for the same reason.
 */
export function attributeMeters(meters: PowerMeter[], device: string, devices: readonly number[] | null): PowerMeter[] {
  return attributionFor(meters, device, devices).meters;
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
export function attributionFor(meters: PowerMeter[], device: string, devices: readonly number[] | null): Attribution {
  const counted = filterMeters(meters, device, devices);
  const ids = (list: PowerMeter[]) => list.map((meter) => meter.info.id).join(', ');
  if (counted.length > 0) {
    const skipped = meters.filter((meter) => !counted.includes(meter));
    return {
      meters: counted,
      note: `${ids(counted)} for ${device}${why(device, devices)}${renumbered(counted)}${skipped.length > 0 ? `; not counted: ${ids(skipped)} (other devices)` : ''}`,
    };
  }
  return {
    meters,
    note: `no meter measures ${device}; counting every meter given (${ids(meters)}): power of devices this configuration does not run on`,
  };
}

// Under CUDA_VISIBLE_DEVICES, which CUDA device each counted GPU meter is (nvidia-smi numbers GPUs otherwise).
function renumbered(counted: PowerMeter[]): string {
  const moved = counted.filter((meter) => meter.info.cudaOrdinal !== undefined && meter.info.device !== null && meter.info.cudaOrdinal !== gpuIndex(meter.info.device));
  if (moved.length === 0) return '';
  return `; CUDA_VISIBLE_DEVICES: ${moved.map((meter) => `${meter.info.id} is ${meter.info.cudaOrdinal === null ? 'not visible to CUDA' : `cuda:${meter.info.cudaOrdinal}`}`).join(', ')}`;
}

// The reason GPU meters count as they do, for the note.
function why(device: string, devices: readonly number[] | null): string {
  const index = gpuIndex(device);
  if (devices === null) return device === 'cpu' || index !== null ? '' : ` (${device} names no GPU index: every GPU meter counts)`;
  const listed = `devices ${devices.join(',')}`;
  if (device === 'cpu') return ` (${listed}: every listed GPU counts for a CPU configuration)`;
  if (index !== null) return ` (GPU ${index} of ${listed})`;
  return ` (${listed}: ${device} cannot be pinned to one of them, onnxruntime-node passes it no adapter index, so every listed GPU counts)`;
}

// The CUDA device number a GPU meter measures (its CUDA_VISIBLE_DEVICES position for NVIDIA meters), null if none.
function meterOrdinal(meter: PowerMeter): number | null {
  if (meter.info.cudaOrdinal !== undefined) return meter.info.cudaOrdinal;
  return meter.info.device === null ? null : gpuIndex(meter.info.device);
}

function filterMeters(meters: PowerMeter[], device: string, devices: readonly number[] | null): PowerMeter[] {
  const index = gpuIndex(device);
  return meters.filter((meter) => {
    const meterDevice = meter.info.device;
    if (meterDevice === null || meterDevice === 'cpu') return true;
    const ordinal = meterOrdinal(meter);
    if (devices !== null) {
      if (ordinal === null || !devices.includes(ordinal)) return false;
      return index === null || index === ordinal;
    }
    if (device === 'cpu') return false;
    if (index === null) return true;
    return ordinal === index && parseDevice(meterDevice).vendor === parseDevice(device).vendor;
  });
}
