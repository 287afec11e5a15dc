// WebGPU provider: bundled with onnxruntime-node on Linux x64 (Dawn over Vulkan), macOS (Metal) and Windows (D3D12).
// The binding rejects option names it does not know, so only the ones it reads are passed, under its camelCase names.
import { backendAvailability, commonOptions, commonSessionOptions } from './options.js';
import type { ExecutionProvider, OptionSpec, ProviderOptions, ProviderSettings } from './types.js';

const options = {
  ...commonOptions,
  preferred_layout: { type: 'enum', values: ['NCHW', 'NHWC'], target: 'provider', forwarded: true, description: 'layout for layout-sensitive ops' },
  validation_mode: { type: 'enum', values: ['disabled', 'wgpuOnly', 'basic', 'full'], target: 'provider', forwarded: true, description: 'WebGPU validation (default basic)' },
  enable_robustness: { type: 'boolean', target: 'provider', forwarded: true, description: 'robust buffer access' },
  force_cpu_node_names: { type: 'string', target: 'provider', forwarded: true, description: 'comma-separated node names to run on the CPU' },
} satisfies Record<string, OptionSpec>;

function settings(given: ProviderOptions): ProviderSettings {
  const provider: { name: 'webgpu'; preferredLayout?: 'NCHW' | 'NHWC'; validationMode?: 'disabled' | 'wgpuOnly' | 'basic' | 'full'; enableRobustness?: boolean; forceCpuNodeNames?: string[] } = { name: 'webgpu' };
  if (given.preferred_layout !== undefined) provider.preferredLayout = given.preferred_layout as 'NCHW';
  if (given.validation_mode !== undefined) provider.validationMode = given.validation_mode as 'basic';
  if (given.enable_robustness !== undefined) provider.enableRobustness = given.enable_robustness === true;
  if (given.force_cpu_node_names !== undefined) {
    provider.forceCpuNodeNames = String(given.force_cpu_node_names).split(',').map((name) => name.trim()).filter(Boolean);
  }
  return { provider, session: commonSessionOptions(given), notForwarded: [] };
}

/** onnxruntime's WebGPU execution provider. */
export const webgpuProvider: ExecutionProvider = {
  name: 'webgpu',
  description: 'WebGPU provider (bundled; needs a GPU with a Vulkan/Metal/D3D12 driver)',
  options,
  availability: backendAvailability('webgpu', 'not bundled in this build'),
  settings,
  device: () => 'webgpu',
};
