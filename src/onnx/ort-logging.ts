// onnxruntime's own log output, set in one place: quiet unless asked (`--verbose` / JOULEBENCH_VERBOSE=1).
// onnxruntime-node reads `env.logLevel` once, when the first session creates its environment; the provider-bridge
// errors ("Failed to load library libonnxruntime_providers_shared.so") are logged there, before any session option
// applies, so the level has to be set before the first `InferenceSession.create` anywhere in the process.
import * as ort from 'onnxruntime-node';

/** onnxruntime severities: 0 verbose, 1 info, 2 warning, 3 error, 4 fatal. */
export type OrtSeverity = 0 | 1 | 2 | 3 | 4;

const levels = ['verbose', 'info', 'warning', 'error', 'fatal'] as const;

/** Whether the environment asks for onnxruntime's own log lines (the CLI sets it for `--verbose`; children inherit it). */
export function ortVerboseRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes|on)$/i.test(env.JOULEBENCH_VERBOSE ?? '');
}

/** The severity every session is created with: warnings when verbose, else only fatal errors. */
export function ortLogSeverity(): OrtSeverity {
  return ortVerboseRequested() ? 2 : 4;
}

/** Apply the level to onnxruntime's environment (before its first session; later calls still set session levels). */
export function applyOrtLogLevel(): void {
  ort.env.logLevel = levels[ortLogSeverity()];
}

applyOrtLogLevel();
