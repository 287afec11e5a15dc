// Checking provider options against a provider's option table, and the options every provider shares.
import { InputError } from '../../errors.js';
import type { ExecutionProvider, OptionSpec, ProviderOptions } from './types.js';

/** The `precision_via` option: fp16/int8 from model variants (`model`, the default), the provider's builder flags, or both. */
export const precisionViaValues = ['model', 'builder', 'both'] as const;
export type PrecisionViaChoice = (typeof precisionViaValues)[number];

/** Session options any provider accepts. */
export const commonOptions = {
  graph_optimization_level: {
    type: 'enum',
    values: ['disabled', 'basic', 'extended', 'layout', 'all'],
    target: 'session',
    forwarded: true,
    description: 'onnxruntime graph optimisation level (default all)',
  },
  enable_mem_pattern: { type: 'boolean', target: 'session', forwarded: true, description: 'memory pattern optimisation (default on)' },
} satisfies Record<string, OptionSpec>;

/** `deviceId` → `device_id`, `trtFp16Enable` → `trt_fp16_enable`; snake_case names pass unchanged. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * Validate options against the provider's table: names (camelCase accepted), types and enum values.
 * Returns them with snake_case names; throws InputError naming the option, the provider and the valid names.
 */
export function checkProviderOptions(provider: ExecutionProvider, options: ProviderOptions, where: string): ProviderOptions {
  const checked: ProviderOptions = {};
  const valid = Object.keys(provider.options).sort();
  for (const [written, value] of Object.entries(options)) {
    const name = snakeCase(written);
    const spec = provider.options[name];
    if (!spec) {
      throw new InputError('EP_OPTION_UNKNOWN', `${where}: unknown option "${written}" for execution provider "${provider.name}"; valid options: ${valid.join(', ')}`, {
        hint: 'docs/gpu.md ("Providers and their options") says what each option does',
      });
    }
    if (name in checked) {
      throw new InputError('EP_OPTION_INVALID', `${where}: option "${name}" of execution provider "${provider.name}" is given twice (as "${written}" too)`);
    }
    checked[name] = checkValue(provider.name, name, spec, value, where);
  }
  return checked;
}

function checkValue(providerName: string, name: string, spec: OptionSpec, value: string | number | boolean, where: string): string | number | boolean {
  const bad = (expected: string) =>
    new InputError('EP_OPTION_INVALID', `${where}: option "${name}" of execution provider "${providerName}" expects ${expected}, got ${JSON.stringify(value)}`);
  switch (spec.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === '1' || value === 'true') return true;
      if (value === 0 || value === '0' || value === 'false') return false;
      throw bad('true or false');
    case 'integer': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number === 'number' && Number.isInteger(number) && number >= 0) return number;
      throw bad('a non-negative integer');
    }
    case 'enum': {
      const values = spec.values ?? [];
      const match = values.find((allowed) => allowed.toLowerCase() === String(value).toLowerCase());
      if (match !== undefined) return match;
      throw bad(`one of ${values.join(', ')}`);
    }
    case 'string':
      if (typeof value === 'string' && value !== '') return value;
      throw bad('a non-empty string');
  }
}

/** Session options from the common options. */
export function commonSessionOptions(options: ProviderOptions): { graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all'; enableMemPattern?: boolean } {
  const session: { graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all'; enableMemPattern?: boolean } = {};
  if (options.graph_optimization_level !== undefined) session.graphOptimizationLevel = options.graph_optimization_level as 'all';
  if (options.enable_mem_pattern !== undefined) session.enableMemPattern = options.enable_mem_pattern === true;
  return session;
}

/** Names of options given here that onnxruntime-node does not pass on. */
export function notForwarded(table: Readonly<Record<string, OptionSpec>>, options: ProviderOptions): string[] {
  return Object.keys(options).filter((name) => table[name]?.target === 'provider' && table[name]?.forwarded === false);
}

/** Availability of a provider listed by onnxruntime-node's listSupportedBackends(). */
export function backendAvailability(name: string, installHint: string) {
  return (backends: ReadonlyArray<{ name: string; bundled: boolean }>) => {
    const backend = backends.find((candidate) => candidate.name === name);
    if (!backend) return { ok: false as const, reason: `this onnxruntime-node build (${process.platform}-${process.arch}) has no ${name} provider` };
    if (!backend.bundled) return { ok: false as const, reason: `${name} needs extra libraries: ${installHint}` };
    return { ok: true as const };
  };
}

/** The GPU install hint shared by cuda and tensorrt. */
export const gpuInstallHint = 'run scripts/install-gpu-ep.sh (needs an NVIDIA driver, CUDA 12 and cuDNN 9; TensorRT 10 for tensorrt)';

/** device_id as a number (0 when not given). */
export function deviceIdOf(options: ProviderOptions): number {
  return Number(options.device_id ?? options.deviceId ?? 0);
}
