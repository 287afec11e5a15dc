// Every execution provider joulebench can name, and how to check one before a sweep.
import * as ort from 'onnxruntime-node';
import { InputError } from '../../errors.js';
import type { Availability, ExecutionProvider } from './types.js';

// Providers that onnxruntime-node lists through listSupportedBackends().
function backendAvailability(name: string, installHint: string) {
  return (backends: ReadonlyArray<{ name: string; bundled: boolean }>): Availability => {
    const backend = backends.find((candidate) => candidate.name === name);
    if (!backend) return { ok: false, reason: `this onnxruntime-node build (${process.platform}-${process.arch}) has no ${name} provider` };
    if (!backend.bundled) return { ok: false, reason: `${name} needs extra libraries: ${installHint}` };
    return { ok: true };
  };
}

const gpuInstallHint = 'run scripts/install-gpu-ep.sh (needs an NVIDIA driver, CUDA 12 and cuDNN 9)';

const deviceId = (options: Record<string, string | number | boolean>) => Number(options.device_id ?? options.deviceId ?? 0);

/** The registry, by the name users write. */
export const executionProviders = {
  cpu: {
    name: 'cpu',
    description: 'onnxruntime CPU provider (always present)',
    availability: () => ({ ok: true }),
    sessionProvider: () => ({ name: 'cpu' }),
    device: () => 'cpu',
  },
  cuda: {
    name: 'cuda',
    description: 'NVIDIA CUDA provider',
    availability: backendAvailability('cuda', gpuInstallHint),
    sessionProvider: (options) => ({ name: 'cuda', deviceId: deviceId(options), ...options }),
    device: (options) => `cuda:${deviceId(options)}`,
  },
  tensorrt: {
    name: 'tensorrt',
    description: 'NVIDIA TensorRT provider',
    availability: backendAvailability('tensorrt', gpuInstallHint),
    sessionProvider: (options) => ({ name: 'tensorrt', deviceId: deviceId(options), ...options }),
    device: (options) => `cuda:${deviceId(options)}`,
  },
  webgpu: {
    name: 'webgpu',
    description: 'WebGPU provider (bundled; needs a GPU with a Vulkan/Metal/D3D12 driver)',
    availability: backendAvailability('webgpu', 'not bundled in this build'),
    sessionProvider: (options) => ({ name: 'webgpu', ...options }),
    device: () => 'webgpu',
  },
  coreml: {
    name: 'coreml',
    description: 'Apple Core ML provider (macOS)',
    availability: backendAvailability('coreml', 'only on macOS'),
    sessionProvider: (options) => ({ name: 'coreml', ...options }),
    device: () => 'coreml',
  },
  dml: {
    name: 'dml',
    description: 'DirectML provider (Windows)',
    availability: backendAvailability('dml', 'only on Windows'),
    sessionProvider: (options) => ({ name: 'dml', deviceId: deviceId(options), ...options }),
    device: (options) => `dml:${deviceId(options)}`,
  },
} satisfies Record<string, ExecutionProvider>;

/** A registry name. */
export type ExecutionProviderName = keyof typeof executionProviders;

/** The backends this onnxruntime-node build reports. */
export function listBackends(): ReadonlyArray<{ name: string; bundled: boolean }> {
  return ort.listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }];
}

/** Names of the providers usable here. */
export function availableProviderNames(): string[] {
  const backends = listBackends();
  return Object.values(executionProviders as Record<string, ExecutionProvider>)
    .filter((provider) => provider.availability(backends).ok)
    .map((provider) => provider.name);
}

/** Look a provider up and check it can run here; throws InputError (exit 2) naming the available ones. */
export function requireProvider(name: string, where: string): ExecutionProvider {
  const provider = (executionProviders as Record<string, ExecutionProvider>)[name];
  const available = availableProviderNames().join(', ');
  if (!provider) {
    throw new InputError('EP_UNKNOWN', `${where}: unknown execution provider "${name}"; in this build: ${available}`, {
      hint: `known providers: ${Object.keys(executionProviders).join(', ')}; \`joulebench devices\` shows which can create a session here`,
    });
  }
  const availability = provider.availability(listBackends());
  if (!availability.ok) {
    throw new InputError('EP_UNAVAILABLE', `${where}: execution provider "${name}" is not available here: ${availability.reason}; in this build: ${available}`);
  }
  return provider;
}
