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

const registered = new Map<string, ExecutionProvider>();

/**
 * Add a provider under its name, or replace the one of that name, in this process; returns a function that undoes it.
 * Sessions of an isolated sweep run in child processes, which know only the built-in providers: a registered provider
 * is for in-process sweeps (`isolate: false`).
 */
export function registerExecutionProvider(provider: ExecutionProvider): () => void {
  const before = registered.get(provider.name);
  registered.set(provider.name, provider);
  return () => {
    if (registered.get(provider.name) !== provider) return;
    if (before) registered.set(provider.name, before);
    else registered.delete(provider.name);
  };
}

/** A provider by name (a registered one first), or undefined. */
export function findProvider(name: string): ExecutionProvider | undefined {
  return registered.get(name) ?? (builtinProviders as Record<string, ExecutionProvider>)[name];
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
