// Why a provider cannot create a session: which shared library is missing. onnxruntime-node only says
// "Failed to load shared library" to JavaScript (the name goes to its log), so look for ourselves: the provider's
// plugin libraries in the binding folder, then `ldd` on them for the CUDA / cuDNN / TensorRT libraries they need.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

/** Plugin libraries onnxruntime-node loads for a provider (Linux names), by provider name. */
export const providerPluginLibraries: Readonly<Record<string, readonly string[]>> = {
  cuda: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'],
  tensorrt: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so'],
};

/** The folder holding onnxruntime-node's native binding for this platform. */
export function ortBindingDir(): string {
  const main = createRequire(import.meta.url).resolve('onnxruntime-node');
  return path.resolve(path.dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * Shared libraries a text names as missing (`libcudnn.so.9: cannot open shared object file`, ldd's
 * `libcublasLt.so.12 => not found`), in order, once each. Plugin libraries of onnxruntime come last:
 * a library they depend on is the one to install.
 */
export function missingLibraries(message: string): string[] {
  const found: string[] = [];
  for (const match of message.matchAll(/\b(lib[A-Za-z0-9_+-]+\.so(?:\.[0-9]+)*)/g)) {
    const name = match[1]!;
    if (!found.includes(name)) found.push(name);
  }
  const own = (name: string) => name.startsWith('libonnxruntime_providers_');
  return [...found.filter((name) => !own(name)), ...found.filter(own)];
}

/** Libraries ldd reports as `=> not found`. */
export function lddNotFound(lddOutput: string): string[] {
  return missingLibraries(
    lddOutput
      .split('\n')
      .filter((line) => /=>\s*not found/.test(line))
      .join('\n'),
  );
}

/** How to look (injectable for tests). */
export interface DiagnoseOptions {
  bindingDir?: string;
  /** Runs `ldd FILE` and resolves to its stdout; default: the real ldd (absent → no dependency check). */
  ldd?: (file: string) => Promise<string>;
}

const execFileAsync = promisify(execFile);

async function realLdd(file: string): Promise<string> {
  const { stdout } = await execFileAsync('ldd', [file], { timeout: 10_000 });
  return stdout;
}

/** The missing libraries that keep a provider from loading here ([] when none is known to be missing). */
export async function diagnoseMissingLibraries(providerName: string, failure: string, options: DiagnoseOptions = {}): Promise<string[]> {
  const fromMessage = missingLibraries(failure);
  const plugins = providerPluginLibraries[providerName];
  if (!plugins || process.platform !== 'linux') return fromMessage;
  const dir = options.bindingDir ?? ortBindingDir();
  const absent = plugins.filter((lib) => !existsSync(path.join(dir, lib)));
  if (absent.length > 0) return [...new Set([...fromMessage, ...absent])];
  const ldd = options.ldd ?? realLdd;
  const missing = [...fromMessage];
  for (const lib of plugins) {
    let output = '';
    try {
      output = await ldd(path.join(dir, lib));
    } catch {
      continue; // no ldd here: only the message's names are known
    }
    for (const name of lddNotFound(output)) if (!missing.includes(name)) missing.push(name);
  }
  return missingLibraries(missing.join(' '));
}
