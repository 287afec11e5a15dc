// Paths as the terminal shows them.
import path from 'node:path';

/** A path relative to the working directory when it lies under it (shorter to read and to copy). */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
