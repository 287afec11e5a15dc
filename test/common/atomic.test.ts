// Atomic writes: the file holds the old or the new content, never part of one, and no temp file is left behind —
// after a success, a failed rename, or a failed write.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/common/atomic.js';

let root: string;
before(async () => (root = await mkdtemp(path.join(os.tmpdir(), 'jb-atomic-'))));
after(() => rm(root, { recursive: true, force: true }));

let folders = 0;
async function folder(): Promise<string> {
  const dir = path.join(root, String(folders++));
  await mkdir(dir);
  return dir;
}

const writers = {
  writeFileAtomic,
  writeFileAtomicSync: async (file: string, data: string | Uint8Array) => writeFileAtomicSync(file, data),
};

for (const [name, write] of Object.entries(writers)) {
  describe(name, () => {
    it('writes a string, then replaces it whole; only the file is left in the folder', async () => {
      const dir = await folder();
      const file = path.join(dir, 'result.json');
      await write(file, '{"a": 1}\n');
      assert.equal(await readFile(file, 'utf8'), '{"a": 1}\n');
      await write(file, 'é');
      assert.deepEqual([...(await readFile(file))], [0xc3, 0xa9]); // UTF-8
      assert.deepEqual(await readdir(dir), ['result.json']);
    });

    it('writes bytes: exactly the view given (a subarray of a larger buffer), and a megabyte in full', async () => {
      const dir = await folder();
      const buffer = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
      await write(path.join(dir, 'view.bin'), buffer.subarray(2, 5));
      assert.deepEqual([...(await readFile(path.join(dir, 'view.bin')))], [2, 3, 4]);
      const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => i % 251);
      await write(path.join(dir, 'big.bin'), big);
      assert.ok((await readFile(path.join(dir, 'big.bin'))).equals(big));
      await write(path.join(dir, 'empty.bin'), new Uint8Array(0));
      assert.equal((await readFile(path.join(dir, 'empty.bin'))).length, 0);
    });

    it('a missing folder fails with ENOENT and creates nothing', async () => {
      const dir = await folder();
      await assert.rejects(write(path.join(dir, 'absent', 'result.json'), 'x'), { code: 'ENOENT' });
      assert.deepEqual(await readdir(dir), []);
    });

    it('a rename that fails (the target is a folder) keeps the folder and removes the temp file', async () => {
      const dir = await folder();
      const target = path.join(dir, 'taken');
      await mkdir(target);
      await writeFile(path.join(target, 'inside'), 'kept');
      await assert.rejects(write(target, 'new'), (error: NodeJS.ErrnoException) => ['EISDIR', 'ENOTEMPTY', 'EEXIST'].includes(error.code ?? ''));
      assert.deepEqual(await readdir(dir), ['taken']);
      assert.equal(await readFile(path.join(target, 'inside'), 'utf8'), 'kept');
    });
  });
}

describe('a failed write leaves the old file and no temp file', () => {
  it('writeFileAtomic: the write fails (a full disk)', async () => {
    const dir = await folder();
    const file = path.join(dir, 'result.json');
    await writeFile(file, 'old');
    // FileHandle is not exported: take its prototype from a handle.
    const probe = await open(file, 'r');
    const prototype = Object.getPrototypeOf(probe) as { writeFile: (...args: unknown[]) => Promise<void> };
    await probe.close();
    const full = mock.method(prototype, 'writeFile', async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    try {
      await assert.rejects(writeFileAtomic(file, 'new'), { code: 'ENOSPC' });
    } finally {
      full.mock.restore();
    }
    assert.equal(full.mock.callCount(), 1);
    assert.equal(await readFile(file, 'utf8'), 'old');
    assert.deepEqual(await readdir(dir), ['result.json']);
  });

  it('writeFileAtomicSync: the write fails (a full disk)', async () => {
    const dir = await folder();
    const file = path.join(dir, 'result.json');
    await writeFile(file, 'old');
    // The module imported writeSync by name: syncBuiltinESMExports carries the mock into that binding (and back).
    const full = mock.method(fs, 'writeSync', () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    syncBuiltinESMExports();
    try {
      assert.throws(() => writeFileAtomicSync(file, 'new'), { code: 'ENOSPC' });
    } finally {
      full.mock.restore();
      syncBuiltinESMExports();
    }
    assert.equal(full.mock.callCount(), 1);
    assert.equal(await readFile(file, 'utf8'), 'old');
    assert.deepEqual(await readdir(dir), ['result.json']);
  });
});

describe('concurrent writers to one file', () => {
  it('each leaves a whole file: the result is one of the contents, never a mix', async () => {
    const dir = await folder();
    const file = path.join(dir, 'result.json');
    const contents = Array.from({ length: 20 }, (_, i) => String(i).repeat(10_000 + i));
    await Promise.all(contents.map((content) => writeFileAtomic(file, content)));
    assert.ok(contents.includes(await readFile(file, 'utf8')));
    assert.deepEqual(await readdir(dir), ['result.json']);
  });
});
