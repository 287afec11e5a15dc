// Read a result.json for comparison: every failure names the file and what was expected (exit 2).
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { resultSchemaId, type RunResult } from './types.js';

/** Read and check a joulebench result.json (the fields compare and budgets rely on). */
export async function readResultFile(file: string, role = 'result'): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError('RESULT_UNREADABLE', `cannot read the ${role} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (code ?? String(error))}`, {
      hint: code === 'EISDIR' ? `give the result.json inside it: ${file}/result.json` : 'give the path of a result.json from a joulebench run',
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const where = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new InputError('RESULT_NOT_JSON', `the ${role} ${file} is not JSON${where ? ` (syntax error at character ${where})` : ''}; expected a joulebench result.json`, { cause: error });
  }
  const object = parsed as Partial<RunResult> | null;
  if (object === null || typeof object !== 'object' || object.schema !== resultSchemaId) {
    throw new InputError('RESULT_SCHEMA', `the ${role} ${file} is not a joulebench result (its "schema" is not "${resultSchemaId}")`);
  }
  if (!Array.isArray(object.measurements) || !object.environment?.host?.cpu || !Array.isArray(object.meters)) {
    throw new InputError('RESULT_SCHEMA', `the ${role} ${file} is incomplete: it lacks measurements, environment.host or meters`);
  }
  for (const [index, m] of object.measurements.entries()) {
    if (typeof m?.key !== 'string' || !Array.isArray(m.repetitions) || typeof m.model !== 'object' || m.model === null) {
      throw new InputError('RESULT_SCHEMA', `the ${role} ${file} is malformed: measurements[${index}] lacks key, model or repetitions`);
    }
  }
  return object as RunResult;
}
