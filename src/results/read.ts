// The one result.json reader: every command that takes a result (report, compare, history, merge, --resume) reads it
// here, and every failure names the file and what would fix it (exit 2).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { resultSchemaId, type RunResult } from './types.js';

/** Top-level fields a result cannot be used without. */
const requiredFields = ['runId', 'createdAt', 'status', 'tool', 'scenario', 'environment', 'meters', 'measurements'] as const;

/**
 * Read and check a joulebench result.json. `role` names it in messages (`the baseline results/a/result.json: …`).
 * Codes: RESULT_NOT_FOUND, RESULT_IS_DIRECTORY, RESULT_UNREADABLE, RESULT_NOT_JSON (also a file cut short),
 * RESULT_SCHEMA (not a joulebench result, or one missing what every result has).
 */
export async function readResultFile(file: string, role?: string): Promise<RunResult> {
  const named = role ? `the ${role} ${file}` : file;
  const bytes = await readResultBytes(file, named);
  return checkResult(parseResult(bytes.toString('utf8'), bytes.length, named), named);
}

async function readResultBytes(file: string, named: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new InputError('RESULT_NOT_FOUND', `${named}: no such result file`, {
        hint: "give a run's result.json: results/<runId>/result.json (ls results/ lists the runs)",
        cause: error,
      });
    }
    if (code === 'EISDIR') {
      throw new InputError('RESULT_IS_DIRECTORY', `${named}: is a folder, not a result.json`, { hint: `give the result.json inside it: ${path.join(file, 'result.json')}`, cause: error });
    }
    throw new InputError('RESULT_UNREADABLE', `cannot read ${named}: ${code ?? String(error)}`, { cause: error });
  }
}

function parseResult(text: string, byteLength: number, named: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const where = /position (\d+)/.exec(message)?.[1];
    // A file cut short fails at its very end ("Unexpected end of JSON input", or a syntax error at position = its length).
    const cutShort = text.trim() === '' || /end of (JSON )?input|Unterminated/i.test(message) || (where !== undefined && Number(where) >= text.trimEnd().length);
    const what = cutShort ? `cut short (${byteLength} bytes)` : `not JSON${where ? ` (syntax error at character ${where})` : ''}`;
    throw new InputError('RESULT_NOT_JSON', `${named}: ${what}; expected a joulebench result.json`, {
      hint: cutShort ? 'the run that wrote it was stopped mid-write or the copy is incomplete: copy it again or run again' : 'give a result.json that joulebench wrote',
      cause: error,
    });
  }
}

function checkResult(parsed: unknown, named: string): RunResult {
  const object = parsed as Partial<RunResult> | null;
  if (object === null || typeof object !== 'object' || object.schema !== resultSchemaId) {
    throw new InputError('RESULT_SCHEMA', `${named}: not a joulebench result (schema is not "${resultSchemaId}")`);
  }
  const missing = requiredFields.filter((field) => object[field] === undefined || object[field] === null);
  if (!object.environment?.host?.cpu) missing.push('environment' as never);
  if (missing.length > 0 || !Array.isArray(object.measurements) || !Array.isArray(object.meters)) {
    const lacks = [...new Set(missing)];
    throw new InputError('RESULT_SCHEMA', `${named}: incomplete: it lacks ${lacks.length > 0 ? lacks.join(', ') : 'a measurements or meters list'}`);
  }
  for (const [index, m] of object.measurements.entries()) {
    if (typeof m?.key !== 'string' || !Array.isArray(m.repetitions) || typeof m.model !== 'object' || m.model === null) {
      throw new InputError('RESULT_SCHEMA', `${named}: malformed: measurements[${index}] lacks key, model or repetitions`);
    }
  }
  return object as RunResult;
}
