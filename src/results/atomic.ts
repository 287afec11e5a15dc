// Atomic file writes: a temp file in the same folder, fsync, rename — a crash leaves the old or the new file, never half of one.
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

let counter = 0;

/** Write `data` to `file` atomically. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter++}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
