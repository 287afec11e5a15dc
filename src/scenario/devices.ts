// Pinning execution providers to the scenario's GPUs (`devices: [0, 1]` / `--gpus 0,1`): each provider whose option
// table has `device_id` runs once per listed GPU, one GPU after another, the others idle.
import { InputError } from '../errors.js';
import { takesDeviceId } from '../runtime/providers/catalog.js';
import type { ExecutionProviderSpec } from './types.js';

/** A provider entry as the plan runs it: pinned to one device where the scenario lists devices. */
export interface PinnedProvider {
  spec: ExecutionProviderSpec;
  /** The key label: `cuda`, `cuda#1` (a second cuda entry), and with devices `cuda:0`, `cuda#1:1`, `tensorrt:1`. */
  label: string;
  /** Index of the entry in scenario.executionProviders (for messages). */
  index: number;
}

/** A provider entry whose own device_id is not among the devices. */
export interface DeviceIdOutside {
  index: number;
  /** The option name as written (`device_id` or `deviceId`). */
  option: string;
  deviceId: number;
}

/**
 * Key labels for execution providers: the name, or `name#k` for the k-th further entry with the
 * same name (e.g. `cuda` with device_id 0, then `cuda#1` with device_id 1).
 */
export function labelProviders(providers: readonly ExecutionProviderSpec[]): string[] {
  const counts = new Map<string, number>();
  return providers.map((provider) => {
    const count = counts.get(provider.name) ?? 0;
    counts.set(provider.name, count + 1);
    return count === 0 ? provider.name : `${provider.name}#${count}`;
  });
}

// The device_id an entry sets itself: [option name as written, value], or undefined.
function ownDeviceId(spec: ExecutionProviderSpec): [string, string | number | boolean] | undefined {
  const option = Object.keys(spec.options).find((name) => name === 'device_id' || name === 'deviceId');
  return option === undefined ? undefined : [option, spec.options[option]!];
}

// A device_id as a GPU index; anything else is left to the provider's option check (EP_OPTION_INVALID).
function asIndex(value: string | number | boolean): number | null {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 0 ? number : null;
}

/** Entries that pin themselves (`options.device_id`) to a GPU that `devices` does not list. */
export function deviceIdsOutside(providers: readonly ExecutionProviderSpec[], devices: readonly number[] | null): DeviceIdOutside[] {
  if (devices === null) return [];
  return providers.flatMap((spec, index) => {
    const own = takesDeviceId(spec.name) ? ownDeviceId(spec) : undefined;
    const deviceId = own ? asIndex(own[1]) : null;
    return own && deviceId !== null && !devices.includes(deviceId) ? [{ index, option: own[0], deviceId }] : [];
  });
}

/** The message for an entry pinned outside the devices (without the field path). */
export function deviceIdOutsideMessage(outside: DeviceIdOutside, devices: readonly number[]): string {
  return `GPU ${outside.deviceId} is not among devices [${devices.join(', ')}]`;
}

/** How to fix a device_id outside the devices. */
export const deviceIdOutsideHint = 'add it to devices (or --gpus), or leave device_id out: with devices listed, a GPU provider runs on each of them';

/**
 * The provider entries the plan runs. Without devices: as written. With devices: an entry of a provider that takes
 * `device_id` becomes one entry per device (device_id set), or keeps the device_id it sets itself (which must be
 * listed); its label carries the device even when only one is listed, so keys say which GPU. Other providers (cpu,
 * webgpu: onnxruntime-node gives it no adapter index) stay one entry.
 */
export function pinProviders(providers: readonly ExecutionProviderSpec[], devices: readonly number[] | null): PinnedProvider[] {
  const labels = labelProviders(providers);
  const [outside] = deviceIdsOutside(providers, devices);
  if (outside && devices) {
    throw new InputError('SCENARIO_INVALID', `executionProviders[${outside.index}].options.${outside.option}: ${deviceIdOutsideMessage(outside, devices)}`, {
      hint: deviceIdOutsideHint,
    });
  }
  return providers.flatMap((spec, index): PinnedProvider[] => {
    const label = labels[index] ?? spec.name;
    if (devices === null || !takesDeviceId(spec.name)) return [{ spec, label, index }];
    const own = ownDeviceId(spec);
    if (own) return [{ spec, label: `${label}:${asIndex(own[1]) ?? String(own[1])}`, index }];
    return devices.map((device) => ({ spec: { name: spec.name, options: { ...spec.options, device_id: device } }, label: `${label}:${device}`, index }));
  });
}
