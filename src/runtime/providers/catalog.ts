// Execution providers by name without loading onnxruntime (scenario/ reads their option tables from here): the
// built-in ones, one file each, plus any that a library user registers (an EP of their own, or a stand-in in a test).
import { coremlProvider } from './coreml.js';
import { cpuProvider } from './cpu.js';
import { cudaProvider } from './cuda.js';
import { dmlProvider } from './dml.js';
import { tensorrtProvider } from './tensorrt.js';
import type { ExecutionProvider } from './types.js';
import { webgpuProvider } from './webgpu.js';

/** The built-in providers, by the name users write. */
export const builtinProviders = {
  cpu: cpuProvider,
  cuda: cudaProvider,
  tensorrt: tensorrtProvider,
  webgpu: webgpuProvider,
  coreml: coremlProvider,
  dml: dmlProvider,
} satisfies Record<string, ExecutionProvider>;

interface Registration {
  provider: ExecutionProvider;
  /** The module whose import registers it: isolated children import it before opening a session. */
  module: string | null;
}

/** Per name, the registrations in force, the latest last (it is the one used); undoing one removes it wherever it is. */
const stacks = new Map<string, Registration[]>();
const registered = { get: (name: string) => stacks.get(name)?.at(-1), keys: () => stacks.keys() };

/**
 * Add a provider under its name, or replace the one of that name, in this process; returns a function that undoes it.
 * Sessions of an isolated sweep (the default) run in child processes: give `module` (the registering module's
 * `import.meta.url`, which must register the provider when imported) and each child imports it before opening a
 * session. Without it the provider works only in-process (`isolate: false`), and an isolated sweep says so.
 */
export function registerExecutionProvider(provider: ExecutionProvider, options: { module?: string | URL } = {}): () => void {
  const registration = { provider, module: options.module === undefined ? null : String(options.module) };
  stacks.set(provider.name, [...(stacks.get(provider.name) ?? []), registration]);
  return () => {
    const rest = (stacks.get(provider.name) ?? []).filter((entry) => entry !== registration);
    if (rest.length > 0) stacks.set(provider.name, rest);
    else stacks.delete(provider.name);
  };
}

/** A provider by name (a registered one first), or undefined. */
export function findProvider(name: string): ExecutionProvider | undefined {
  // Own keys only: `--ep constructor` or `toString` must be unknown, not Object.prototype's function.
  const builtin = Object.hasOwn(builtinProviders, name) ? (builtinProviders as Record<string, ExecutionProvider>)[name] : undefined;
  return registered.get(name)?.provider ?? builtin;
}

/**
 * What a child process must import so that `name` means there what it means here: [] for a built-in provider,
 * the registering module for a registered one, null for one registered without its module (in-process only).
 */
export function providerModulesFor(name: string): string[] | null {
  const registration = registered.get(name);
  if (!registration) return [];
  return registration.module === null ? null : [registration.module];
}

/** Every provider known here: the built-in ones (or what replaced them), then the ones registered under new names. */
export function allProviders(): ExecutionProvider[] {
  const names = [...Object.keys(builtinProviders), ...[...registered.keys()].filter((name) => !(name in builtinProviders))];
  return names.map((name) => findProvider(name)!);
}

/** Whether a provider can be pinned to one GPU: its option table has `device_id` (cuda, tensorrt, dml). */
export function takesDeviceId(name: string): boolean {
  return findProvider(name)?.options.device_id !== undefined;
}
