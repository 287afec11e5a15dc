// Typed errors thrown by library code; src/cli/ maps them to a message and an exit code.

/** Exit codes of the CLI contract (docs/design.md "Contracts"). */
export const ExitCode = {
  ok: 0,
  gateFailed: 1,
  badInput: 2,
  runtimeFailure: 3,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: every error joulebench throws on purpose carries a stable code and a hint. */
export class JoulebenchError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  /** How to fix it, in one sentence; printed after the message. */
  readonly hint: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { exitCode?: ExitCodeValue; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.badInput;
    this.hint = options.hint;
  }
}

/** Bad user input: a flag, a scenario field, a model file. Exit 2. */
export class InputError extends JoulebenchError {}

/** A model file that is missing, unreadable, not ONNX or rejected by onnxruntime. Exit 2. */
export class ModelError extends JoulebenchError {}

/** A power meter that cannot be used (missing, forbidden, died). Exit 2 when chosen explicitly. */
export class MeterError extends JoulebenchError {}

/** Something failed while measuring that is not the user's input. Exit 3. */
export class RuntimeFailure extends JoulebenchError {
  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: ExitCode.runtimeFailure });
  }
}

/** A short, single-line description of any thrown value (for result.json error fields). */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof JoulebenchError) return { code: error.code, message: error.message };
  if (error instanceof Error) {
    const message = error.message.split('\n').map((line) => line.trim()).filter(Boolean).join(' ');
    return { code: classifyRuntimeMessage(message), message };
  }
  return { code: 'UNKNOWN', message: String(error) };
}

// onnxruntime reports its failures as plain Errors; their text tells the kind.
function classifyRuntimeMessage(message: string): string {
  if (/bad_alloc|out of memory|Failed to allocate|OOM/i.test(message)) return 'OUT_OF_MEMORY';
  if (/NOT_IMPLEMENTED|Could not find an implementation/i.test(message)) return 'NOT_IMPLEMENTED';
  if (/INVALID_ARGUMENT|Got invalid dimensions|invalid input/i.test(message)) return 'INVALID_ARGUMENT';
  if (/INVALID_GRAPH|INVALID_PROTOBUF|Load model/i.test(message)) return 'MODEL_REJECTED';
  return 'RUNTIME_ERROR';
}
