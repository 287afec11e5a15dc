// NVIDIA CUDA provider: needs onnxruntime-node's CUDA 12 libraries (scripts/install-gpu-ep.sh), CUDA 12 and cuDNN 9.
import { backendAvailability, commonOptions, commonSessionOptions, deviceIdOf, gpuInstallHint, notForwarded } from './options.js';
import type { ExecutionProvider, OptionSpec, ProviderOptions, ProviderSettings } from './types.js';

const options = {
  ...commonOptions,
  device_id: { type: 'integer', target: 'provider', forwarded: true, description: 'CUDA device index (as nvidia-smi numbers it when CUDA_DEVICE_ORDER=PCI_BUS_ID)' },
  cudnn_conv_algo_search: {
    type: 'enum',
    values: ['EXHAUSTIVE', 'HEURISTIC', 'DEFAULT'],
    target: 'provider',
    forwarded: false,
    description: 'how cuDNN picks convolution algorithms (EXHAUSTIVE benchmarks them at the first run)',
  },
  enable_cuda_graph: { type: 'boolean', target: 'provider', forwarded: false, description: 'capture the run as a CUDA graph (static shapes, all nodes on CUDA)' },
  gpu_mem_limit: { type: 'integer', target: 'provider', forwarded: false, description: 'arena limit in bytes' },
} satisfies Record<string, OptionSpec>;

function settings(given: ProviderOptions): ProviderSettings {
  // onnxruntime's own option names and string forms, next to the deviceId the binding reads.
  const provider: Record<string, string | number> & { name: 'cuda'; deviceId: number } = { name: 'cuda', deviceId: deviceIdOf(given) };
  if (given.device_id !== undefined) provider.device_id = String(given.device_id);
  if (given.cudnn_conv_algo_search !== undefined) provider.cudnn_conv_algo_search = String(given.cudnn_conv_algo_search);
  if (given.enable_cuda_graph !== undefined) provider.enable_cuda_graph = given.enable_cuda_graph === true ? '1' : '0';
  if (given.gpu_mem_limit !== undefined) provider.gpu_mem_limit = String(given.gpu_mem_limit);
  return { provider, session: commonSessionOptions(given), notForwarded: notForwarded(options, given) };
}

/** onnxruntime's CUDA execution provider. */
export const cudaProvider: ExecutionProvider = {
  name: 'cuda',
  description: 'NVIDIA CUDA provider (CUDA 12, cuDNN 9)',
  options,
  availability: backendAvailability('cuda', gpuInstallHint),
  settings,
  device: (given) => `cuda:${deviceIdOf(given)}`,
};
