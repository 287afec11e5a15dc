// Reading Linux sysfs attributes (powercap, hwmon): small text files of one integer each, and energy counters that
// wrap. The reader and the folder listing are injectable: tests fake EACCES (root cannot provoke it with chmod)
// and whole trees in memory.
import { readdirSync, readFileSync } from 'node:fs';

/** Reads a small sysfs file as text. */
export type ReadText = (file: string) => string;

/** Lists a folder. */
export type ListDir = (dir: string) => string[];

export const readTextSync: ReadText = (file) => readFileSync(file, 'utf8');
export const listDirSync: ListDir = (dir) => readdirSync(dir);

/** The errno code of a failed read (`EACCES`, `ENOENT`), when it has one. */
export function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** A file's trimmed text, or null when it cannot be read. */
export function tryRead(readText: ReadText, file: string): string | null {
  try {
    return readText(file).trim();
  } catch {
    return null;
  }
}

/** A folder's entries, or none when it cannot be listed. */
export function tryList(listDir: ListDir, dir: string): string[] {
  try {
    return listDir(dir);
  } catch {
    return [];
  }
}

/**
 * The energy between two reads of a counter that wraps at `rangeUj`, unwrapping one wrap. Null when no single wrap
 * explains the reading (the counter went back: a reset, a driver reload, hotplug) or when the energy implies more
 * than `maxPowerW` over `dtMs`: a span without a trustworthy energy, never a guessed one.
 */
export function counterDeltaUj(previousUj: number, currentUj: number, dtMs: number, maxPowerW: number, rangeUj: number): number | null {
  const deltaUj = currentUj >= previousUj ? currentUj - previousUj : previousUj < rangeUj ? currentUj + rangeUj - previousUj : Number.NaN;
  return dtMs > 0 && deltaUj / dtMs / 1000 <= maxPowerW ? deltaUj : null;
}
