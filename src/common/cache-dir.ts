// joulebench's one cache root, under which variants, TensorRT engines, fallback built-in models and fetched test
// models live: $JOULEBENCH_CACHE_DIR, else $XDG_CACHE_HOME/joulebench, else ~/.cache/joulebench.
import os from 'node:os';
import path from 'node:path';

/** The cache root (not created here). */
export function cacheRoot(): string {
  if (process.env.JOULEBENCH_CACHE_DIR) return path.resolve(process.env.JOULEBENCH_CACHE_DIR);
  // The XDG spec has a relative $XDG_CACHE_HOME ignored (else the cache would move with the working folder).
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'joulebench');
}

/** A named folder under the cache root (`variants`, `tensorrt-engines`, `models`, …). */
export function cacheDir(name: string): string {
  return path.join(cacheRoot(), name);
}
