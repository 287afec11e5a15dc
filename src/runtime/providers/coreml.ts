// Apple Core ML provider: in onnxruntime-node's macOS build only.
import { backendAvailability, commonOptions, commonSessionOptions } from './options.js';
import type { ExecutionProvider, OptionSpec, ProviderOptions, ProviderSettings } from './types.js';

const options = {
  ...commonOptions,
  coreml_flags: { type: 'integer', target: 'provider', forwarded: true, description: 'COREML_FLAG_* bits (0x010 ML program, 0x020 CPU and GPU only)' },
} satisfies Record<string, OptionSpec>;

function settings(given: ProviderOptions): ProviderSettings {
  const provider = given.coreml_flags === undefined ? { name: 'coreml' as const } : { name: 'coreml' as const, coreMlFlags: Number(given.coreml_flags) };
  return { provider, session: commonSessionOptions(given), notForwarded: [] };
}

/** onnxruntime's Core ML execution provider. */
export const coremlProvider: ExecutionProvider = {
  name: 'coreml',
  description: 'Apple Core ML provider (macOS)',
  options,
  availability: backendAvailability('coreml', 'only on macOS'),
  settings,
  device: () => 'coreml',
};
