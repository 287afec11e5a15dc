// Can a session really be created on a provider here? (A bundled provider may still lack a device or driver.)
import * as ort from 'onnxruntime-node';
import { InputError } from '../errors.js';
import { GraphBuilder } from '../model/onnx-builder.js';
import { checkProviderOptions } from './providers/options.js';
import { availableProviderNames, requireProvider } from './providers/registry.js';
import type { ExecutionProvider, ProviderOptions } from './providers/types.js';

let probeModel: Uint8Array | null = null;

// A one-node model (Relu over [1, 4]) every provider can run.
function tinyModel(): Uint8Array {
  probeModel ??= new GraphBuilder('probe').input('x', 'float32', [1, 4]).output('y', 'float32', [1, 4]).node('Relu', ['x'], ['y']).build();
  return probeModel;
}

/** onnxruntime's failure text without its source-file prefix. */
export function conciseOrtMessage(message: string): string {
  const afterAssert = /was false\.\s*(.*)$/s.exec(message);
  return (afterAssert?.[1] ?? message).replace(/\s+/g, ' ').trim();
}

/**
 * Shared libraries a failure message names as missing (`libcudnn.so.9: cannot open shared object file`,
 * `Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.12: …`), in order, once each.
 * The provider's own plugin library is listed last: a library it depends on is the one to install.
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

/** Create and run a tiny session on the provider; resolves to null when it works, else the reason. */
export async function probeProviderSession(provider: ExecutionProvider, options: ProviderOptions = {}): Promise<string | null> {
  try {
    const settings = provider.settings(options);
    const session = await ort.InferenceSession.create(tinyModel(), {
      ...settings.session,
      executionProviders: [settings.provider],
      logSeverityLevel: 4,
    });
    await session.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4]) });
    await session.release();
    return null;
  } catch (error) {
    return conciseOrtMessage(error instanceof Error ? error.message : String(error));
  }
}

/** Check a provider (with its options) before a sweep: unknown, missing, badly configured or unusable here is bad input (exit 2). */
export async function requireWorkingProvider(name: string, options: ProviderOptions, where: string): Promise<ExecutionProvider> {
  const provider = requireProvider(name, where);
  const checked = checkProviderOptions(provider, options, where);
  if (name === 'cpu') return provider;
  const reason = await probeProviderSession(provider, checked);
  if (reason !== null) {
    const missing = missingLibraries(reason);
    throw new InputError(
      'EP_UNUSABLE',
      `${where}: execution provider "${name}" cannot create a session here: ${missing.length > 0 ? `missing ${missing.join(', ')}: ` : ''}${reason}; other providers in this build: ${availableProviderNames().filter((other) => other !== name).join(', ')}`,
      { hint: 'run `joulebench devices` to see which providers can create a session here, and why not; scripts/install-gpu-ep.sh --check lists missing GPU libraries' },
    );
  }
  return provider;
}
