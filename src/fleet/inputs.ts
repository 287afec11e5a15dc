// The inputs of `joulebench merge`: run folders, result.json files, or folders holding run folders, each read whole
// and checked before anything is written.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { readResultFile } from '../results/read.js';
import type { RunResult } from '../results/types.js';

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

/** The merge's code for each of the result reader's failures (src/results/read.ts). */
const mergeCodes: Record<string, string> = {
  RESULT_NOT_FOUND: 'MERGE_INPUT_NOT_FOUND',
  RESULT_IS_DIRECTORY: 'MERGE_INPUT_NOT_FOUND',
  RESULT_UNREADABLE: 'MERGE_INPUT_NOT_FOUND',
  RESULT_NOT_JSON: 'MERGE_INPUT_CORRUPT',
};

/**
 * Read one result.json whole through the one result reader: a file cut short or not JSON is MERGE_INPUT_CORRUPT,
 * JSON that is not a joulebench result MERGE_INPUT_NOT_RESULT, one lacking what every result has
 * MERGE_INPUT_CORRUPT — all before anything is written.
 */
export async function readMergeInput(file: string): Promise<MergeInput> {
  try {
    return { file, result: await readResultFile(file) };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const incomplete = error.code === 'RESULT_SCHEMA' && !error.message.includes('not a joulebench result');
    const code = mergeCodes[error.code] ?? (incomplete ? 'MERGE_INPUT_CORRUPT' : 'MERGE_INPUT_NOT_RESULT');
    const hint = code === 'MERGE_INPUT_NOT_RESULT' ? 'give only run folders joulebench wrote' : 'run that shard again (joulebench run … --shard I/N), or leave this file out of the merge';
    throw new InputError(code, `merge: ${error.message.replace(/; expected a joulebench result\.json$/, '')}; nothing was merged or written`, { hint, cause: error });
  }
}
