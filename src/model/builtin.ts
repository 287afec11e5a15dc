// Built-in models on disk: built from the zoo's code on first use, rebuilt when the file does not match.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../common/cache-dir.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../common/atomic.js';
import { isZooName, zoo, zooNames, type ZooName } from './zoo/index.js';

/** The package root (two levels above src/model or dist/model). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where built-in models are written: $JOULEBENCH_MODELS_DIR, else the package's models/ folder. */
export function modelsDir(): string {
  return process.env.JOULEBENCH_MODELS_DIR ?? path.join(packageRoot, 'models');
}

/** A built-in model written to disk. */
export interface BuiltModel {
  name: ZooName;
  path: string;
  sha256: string;
  sizeBytes: number;
  /** False when an identical file was already there. */
  written: boolean;
}

async function sha256OfFile(file: string): Promise<string | null> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex');
  } catch {
    return null;
  }
}

/** Build one built-in model into `dir` (default modelsDir(), falling back to ~/.cache when that is read-only). */
export async function ensureBuiltinModel(name: string, dir = modelsDir()): Promise<BuiltModel> {
  if (!isZooName(name)) {
    throw new InputError('BUILTIN_UNKNOWN', `unknown built-in model "${name}"`, { hint: `built-ins: ${zooNames.join(', ')}` });
  }
  const bytes = zoo[name].build();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  for (const folder of [dir, cacheDir('models')]) {
    const file = path.join(folder, `${name}.onnx`);
    if ((await sha256OfFile(file)) === sha256) return { name, path: file, sha256, sizeBytes: bytes.length, written: false };
    try {
      await mkdir(folder, { recursive: true });
      await writeFileAtomic(file, bytes);
      return { name, path: file, sha256, sizeBytes: bytes.length, written: true };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Not writable here: permissions, a read-only file system, or a file where the folder (or a folder above it) should be.
      if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM' && code !== 'ENOTDIR' && code !== 'EEXIST') throw error;
    }
  }
  throw new InputError('MODELS_DIR_UNWRITABLE', `cannot write built-in model ${name}: neither ${dir} nor ${cacheDir('models')} is writable`, {
    hint: 'set JOULEBENCH_MODELS_DIR to a writable folder',
  });
}

/** Build every built-in model. */
export async function buildAllBuiltinModels(dir = modelsDir()): Promise<BuiltModel[]> {
  const built: BuiltModel[] = [];
  for (const name of zooNames) built.push(await ensureBuiltinModel(name, dir));
  return built;
}
