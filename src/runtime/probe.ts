// Can a session really be created on a provider here? (A bundled provider may still lack a device or driver.)
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { ortLogSeverity, ortVerboseRequested } from '../onnx/ort-logging.js';
import { InputError } from '../errors.js';
import { GraphBuilder } from '../onnx/builder.js';
import { diagnoseMissingLibraries, type DiagnoseOptions } from './providers/diagnose.js';
import { checkProviderOptions } from './providers/options.js';
import { availableProviderNames, listBackends, requireProvider } from './providers/registry.js';
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

/** Create and run a tiny session on the provider; resolves to null when it works, else the reason. */
export async function probeProviderSession(provider: ExecutionProvider, options: ProviderOptions = {}): Promise<string | null> {
  try {
    const settings = provider.settings(options);
    if (provider.name === 'webgpu' && !ortVerboseRequested()) return await probeInChild(settings);
    const session = await ort.InferenceSession.create(tinyModel(), {
      ...settings.session,
      executionProviders: [settings.provider],
      logSeverityLevel: ortLogSeverity(),
    });
    await session.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4]) });
    await session.release();
    return null;
  } catch (error) {
    return conciseOrtMessage(error instanceof Error ? error.message : String(error));
  }
}

// Dawn (the WebGPU implementation) writes its own warnings ("Couldn't load Vulkan") straight to stderr, past
// onnxruntime's log level; probing in a child process with stderr captured keeps the first run quiet.
const childProbe = `const ort = require(process.argv[1]); ort.env.logLevel = process.argv[5];
const settings = JSON.parse(process.argv[3]);
ort.InferenceSession.create(Buffer.from(process.argv[2], 'base64'), { ...settings.session, executionProviders: [settings.provider], logSeverityLevel: Number(process.argv[4]) })
  .then((s) => s.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4]) }).then(() => s.release()))
  .then(() => process.stdout.write('\\n' + JSON.stringify(null)), (e) => process.stdout.write('\\n' + JSON.stringify(String(e && e.message || e))));`;

async function probeInChild(settings: { session: object; provider: unknown }): Promise<string | null> {
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const args = ['-e', childProbe, ortPath, Buffer.from(tinyModel()).toString('base64'), JSON.stringify(settings), String(ortLogSeverity()), ort.env.logLevel ?? 'fatal'];
  const stdout = await new Promise<string>((resolve) => {
    execFile(process.execPath, args, { timeout: 60_000 }, (error, out, err) => {
      if (out) return resolve(out);
      if (!error) return resolve(JSON.stringify('the probe process printed nothing'));
      // A crash or a hang of the native code: say so, with the last line it wrote (not the script's text).
      const last = err.trim().split('\n').pop() ?? '';
      resolve(JSON.stringify(`the probe process ${error.killed ? 'timed out after 60 s' : `ended with ${error.signal ?? `exit ${String(error.code)}`}`}${last ? `: ${last}` : ''}`));
    });
  });
  // The verdict is the last line (native code may have written to stdout before it).
  const verdict = stdout.trim().split('\n').pop() ?? '';
  let reason: string | null;
  try {
    reason = JSON.parse(verdict) as string | null;
  } catch {
    reason = `unexpected probe output: ${verdict}`;
  }
  return reason === null ? null : conciseOrtMessage(reason);
}

/** Check a provider (with its options) before a sweep: unknown, missing, badly configured or unusable here is bad input (exit 2). */
export async function requireWorkingProvider(name: string, options: ProviderOptions, where: string): Promise<ExecutionProvider> {
  const provider = requireProvider(name, where);
  const checked = checkProviderOptions(provider, options, where);
  if (name === 'cpu') return provider;
  const reason = await probeProviderSession(provider, checked);
  if (reason !== null) {
    const missing = await diagnoseMissingLibraries(name, reason);
    throw new InputError(
      'EP_UNUSABLE',
      `${where}: execution provider "${name}" cannot create a session here: ${missing.length > 0 ? `missing ${missing.join(', ')}: ` : ''}${reason}; other providers in this build: ${availableProviderNames().filter((other) => other !== name).join(', ')}`,
      { hint: 'run `joulebench devices` to see which providers can create a session here, and why not; scripts/install-gpu-ep.sh --check lists missing GPU libraries' },
    );
  }
  return provider;
}

/** Whether a provider can create a session here, and if not why and which shared libraries are missing. */
export interface ProviderCheck {
  name: string;
  available: boolean;
  reason: string | null;
  missingLibraries: string[];
}

/** How to check (injectable for tests). */
export interface CheckOptions extends DiagnoseOptions {
  backends?: ReadonlyArray<{ name: string; bundled: boolean }>;
  probe?: (provider: ExecutionProvider) => Promise<string | null>;
}

const gpuFix: Readonly<Record<string, string>> = {
  cuda: 'scripts/install-gpu-ep.sh installs the provider libraries and --check-only lists what else is missing',
  tensorrt: 'scripts/install-gpu-ep.sh --tensorrt installs the provider libraries and --check-only lists what else is missing',
};

/**
 * Really try a provider: a provider this build does not have is reported as such; any other (bundled or not) gets a
 * one-node session, and a failure names the missing libraries (plugin libraries first checked on disk, then ldd).
 */
export async function checkProviderHere(provider: ExecutionProvider, options: CheckOptions = {}): Promise<ProviderCheck> {
  const backends = options.backends ?? listBackends();
  if (!backends.some((backend) => backend.name === provider.name)) {
    const availability = provider.availability(backends);
    return { name: provider.name, available: false, reason: availability.ok ? null : availability.reason, missingLibraries: [] };
  }
  const failure = await (options.probe ?? ((candidate) => probeProviderSession(candidate)))(provider);
  if (failure === null) return { name: provider.name, available: true, reason: null, missingLibraries: [] };
  const missing = await diagnoseMissingLibraries(provider.name, failure, options);
  const fix = gpuFix[provider.name];
  const reason = `no session can be created: ${missing.length > 0 ? `missing ${missing.join(', ')} (${failure})` : failure}${fix ? `; ${fix}` : ''}`;
  return { name: provider.name, available: false, reason, missingLibraries: missing };
}
