// Can a session really be created on a provider here? (A bundled provider may still lack a device or driver.)
import * as ort from 'onnxruntime-node';
import { InputError } from '../errors.js';
import { GraphBuilder } from '../model/onnx-builder.js';
import { availableProviderNames, requireProvider } from './providers/registry.js';
import type { ExecutionProvider } from './providers/types.js';

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

/** Create and run a tiny session on the provider; resolves to null when it works, else the reason. */
export async function probeProviderSession(
  provider: ExecutionProvider,
  options: Record<string, string | number | boolean> = {},
): Promise<string | null> {
  try {
    const session = await ort.InferenceSession.create(tinyModel(), {
      executionProviders: [provider.sessionProvider(options)],
      logSeverityLevel: 4,
    });
    await session.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4]) });
    await session.release();
    return null;
  } catch (error) {
    return conciseOrtMessage(error instanceof Error ? error.message : String(error));
  }
}

/** Check a provider (with its options) before a sweep: unknown, missing or unusable here is bad input (exit 2). */
export async function requireWorkingProvider(
  name: string,
  options: Record<string, string | number | boolean>,
  where: string,
): Promise<ExecutionProvider> {
  const provider = requireProvider(name, where);
  if (name === 'cpu') return provider;
  const reason = await probeProviderSession(provider, options);
  if (reason !== null) {
    throw new InputError('EP_UNUSABLE', `${where}: execution provider "${name}" cannot create a session here: ${reason}; other providers in this build: ${availableProviderNames().filter((other) => other !== name).join(', ')}`, {
      hint: 'run `joulebench devices` to see which providers can create a session here, and why not',
    });
  }
  return provider;
}
