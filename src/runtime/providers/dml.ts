// DirectML provider: in onnxruntime-node's Windows build only.
import { backendAvailability, commonOptions, commonSessionOptions, deviceIdOf } from './options.js';
import type { ExecutionProvider, OptionSpec, ProviderOptions, ProviderSettings } from './types.js';

const options = {
  ...commonOptions,
  device_id: { type: 'integer', target: 'provider', forwarded: true, description: 'DXGI adapter index' },
} satisfies Record<string, OptionSpec>;

function settings(given: ProviderOptions): ProviderSettings {
  // DirectML needs memory patterns off and sequential execution (onnxruntime's DirectML notes).
  return { provider: { name: 'dml', deviceId: deviceIdOf(given) }, session: { enableMemPattern: false, executionMode: 'sequential', ...commonSessionOptions(given) }, notForwarded: [] };
}

/** onnxruntime's DirectML execution provider. */
export const dmlProvider: ExecutionProvider = {
  name: 'dml',
  description: 'DirectML provider (Windows)',
  options,
  availability: backendAvailability('dml', 'only on Windows'),
  settings,
  device: (given) => `dml:${deviceIdOf(given)}`,
};
