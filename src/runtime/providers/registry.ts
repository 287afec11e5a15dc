// Which execution providers can run here, and how to check one before a sweep (the list of providers: catalog.ts).
import { closest } from '../../common/suggest.js';
import * as ort from 'onnxruntime-node';
import { cacheRoot } from '../../common/cache-dir.js';
import { InputError } from '../../errors.js';
import { allProviders, builtinProviders, findProvider } from './catalog.js';
import { checkProviderOptions } from './options.js';
import type { ExecutionProvider, ProviderContext, ProviderOptions, ProviderSettings } from './types.js';

export { findProvider, registerExecutionProvider } from './catalog.js';

/** The built-in providers, by the name users write (src/runtime/providers/catalog.ts; registered ones come on top). */
export const executionProviders = builtinProviders;

/** The backends this onnxruntime-node build reports. */
export function listBackends(): ReadonlyArray<{ name: string; bundled: boolean }> {
  return ort.listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }];
}

/** Names of the providers usable here. */
export function availableProviderNames(): string[] {
  const backends = listBackends();
  return allProviders()
    .filter((provider) => provider.availability(backends).ok)
    .map((provider) => provider.name);
}

/** Look a provider up and check it can run here; throws InputError (exit 2) naming the available ones. */
export function requireProvider(name: string, where: string): ExecutionProvider {
  const provider = findProvider(name);
  const available = availableProviderNames().join(', ');
  if (!provider) {
    const meant = closest(name, allProviders().map((known) => known.name));
    throw new InputError('EP_UNKNOWN', `${where}: unknown execution provider "${name}"; in this build: ${available}${meant ? ` — did you mean "${meant}"?` : ''}`, {
      hint: `known providers: ${allProviders().map((known) => known.name).join(', ')}; \`joulebench devices\` shows which can create a session here`,
    });
  }
  const availability = provider.availability(listBackends());
  if (!availability.ok) {
    throw new InputError('EP_UNAVAILABLE', `${where}: execution provider "${name}" is not available here: ${availability.reason}; in this build: ${available}`);
  }
  return provider;
}

/** Providers keep what they build (TensorRT engines) under joulebench's cache root (src/common/cache-dir.ts). */
export function defaultProviderContext(): ProviderContext {
  return { cacheDir: cacheRoot() };
}

/**
 * What a scenario's provider entry becomes for onnxruntime: options checked (InputError naming a bad option, the
 * provider and the valid options), then mapped to the provider entry and session options.
 */
export function providerSettings(provider: ExecutionProvider, options: ProviderOptions, where: string, context?: ProviderContext): ProviderSettings {
  return provider.settings(checkProviderOptions(provider, options, where), context);
}

/** The provider options its builder sets for `precision` (TensorRT's trt_fp16_enable, …); [] when it builds none. */
export function builderFlagNames(provider: ExecutionProvider, precision: string): string[] {
  const flags = provider.builderPrecisions?.flags[precision as 'fp16' | 'int8'];
  return flags ? Object.keys(flags) : [];
}
