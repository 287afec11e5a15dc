// The inputs of `joulebench merge`: run folders, result.json files, or folders holding run folders, each read whole
// and checked before anything is written.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { resultSchemaId, type RunResult } from '../results/types.js';

/** One result to merge and where it was read. */
export interface MergeInput {
  /** Absolute path of its result.json. */
  file: string;
  result: RunResult;
}

// How deep a folder is searched for run folders (results/ → <runId>/result.json is one level; a Slurm job's
// results/<jobId>/<runId>/result.json two).
const maxDepth = 3;

/**
 * Every result.json the paths name: a file itself, a run folder's, or those found in the folders under a folder (a
 * previous merge's output among them is left out later, by its `merge` record).
 */
export async function resultFilesOf(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const given of paths) {
    const absolute = path.resolve(given);
    const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
      throw new InputError('MERGE_INPUT_NOT_FOUND', `merge: ${given}: no such file or folder`, { hint: 'give run folders, their result.json files, or a folder holding run folders (results/)', cause: error });
    });
    const found = info.isFile() ? [absolute] : await findResults(absolute, 0);
    if (found.length === 0) {
      throw new InputError('MERGE_INPUT_NOT_FOUND', `merge: ${given}: no result.json in this folder or the folders under it`, { hint: 'give the folder a sharded run wrote its run folders into (its --out)' });
    }
    for (const file of found) if (!files.includes(file)) files.push(file);
  }
  return files;
}

async function findResults(dir: string, depth: number): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.some((entry) => entry.isFile() && entry.name === 'result.json')) return [path.join(dir, 'result.json')];
  if (depth >= maxDepth) return [];
  const found: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
    found.push(...(await findResults(path.join(dir, entry.name), depth + 1)));
  }
  return found;
}

/**
 * Read one result.json whole: a file cut short or not JSON is MERGE_INPUT_CORRUPT, JSON that is not a joulebench
 * result MERGE_INPUT_NOT_RESULT — both before anything is written.
 */
export async function readMergeInput(file: string): Promise<MergeInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError('MERGE_INPUT_NOT_FOUND', `merge: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const where = /position (\d+)/.exec((error as Error).message)?.[1];
    // A file cut short fails at its last character ("Unexpected end of JSON input", or "Expected ',' … at position N").
    const truncated = /end of (JSON )?input|Unterminated/i.test((error as Error).message) || text.trim() === '' || (where !== undefined && Number(where) >= text.trimEnd().length - 1);
    throw new InputError('MERGE_INPUT_CORRUPT', `merge: ${file}: ${truncated ? `cut short (${text.length} bytes)` : `not JSON${where ? ` (syntax error at character ${where})` : ''}`}; nothing was merged or written`, {
      hint: 'run that shard again (joulebench run … --shard I/N), or leave this file out of the merge',
      cause: error,
    });
  }
  const result = parsed as Partial<RunResult> | null;
  if (result?.schema !== resultSchemaId) {
    throw new InputError('MERGE_INPUT_NOT_RESULT', `merge: ${file}: not a joulebench result (schema is not "${resultSchemaId}"); nothing was merged or written`, { hint: 'give only run folders joulebench wrote' });
  }
  const missing = (['runId', 'createdAt', 'status', 'environment', 'scenario', 'measurements', 'tool'] as const).filter((field) => result[field] === undefined || result[field] === null);
  if (missing.length > 0 || !Array.isArray(result.measurements)) {
    throw new InputError('MERGE_INPUT_CORRUPT', `merge: ${file}: the result lacks ${missing.length > 0 ? missing.join(', ') : 'a measurements list'}; nothing was merged or written`, {
      hint: 'run that shard again, or leave this file out of the merge',
    });
  }
  return { file, result: result as RunResult };
}
