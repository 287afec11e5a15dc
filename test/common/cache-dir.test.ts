// The cache root: $JOULEBENCH_CACHE_DIR (resolved), else an absolute $XDG_CACHE_HOME/joulebench, else
// ~/.cache/joulebench; named folders sit under it. Each test sets the three variables it reads and restores them.
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { cacheDir, cacheRoot } from '../../src/common/cache-dir.js';

const names = ['JOULEBENCH_CACHE_DIR', 'XDG_CACHE_HOME', 'HOME'] as const;
let saved: Record<string, string | undefined>;
beforeEach(() => {
  saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  // os.homedir() reads $HOME on POSIX: a fixed one keeps the expected paths exact.
  process.env.HOME = '/home/tester';
  delete process.env.JOULEBENCH_CACHE_DIR;
  delete process.env.XDG_CACHE_HOME;
});
afterEach(() => {
  for (const name of names) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

test('neither variable: ~/.cache/joulebench', () => {
  assert.equal(cacheRoot(), '/home/tester/.cache/joulebench');
});

test('$XDG_CACHE_HOME: <it>/joulebench', () => {
  process.env.XDG_CACHE_HOME = '/var/cache/me';
  assert.equal(cacheRoot(), '/var/cache/me/joulebench');
  process.env.XDG_CACHE_HOME = '/var/cache/me/'; // a trailing slash is normalised away
  assert.equal(cacheRoot(), '/var/cache/me/joulebench');
});

test('an empty or relative $XDG_CACHE_HOME is ignored, as the XDG spec asks', () => {
  process.env.XDG_CACHE_HOME = '';
  assert.equal(cacheRoot(), '/home/tester/.cache/joulebench');
  process.env.XDG_CACHE_HOME = 'cache'; // relative: it would move with the working folder
  assert.equal(cacheRoot(), '/home/tester/.cache/joulebench');
});

test('$JOULEBENCH_CACHE_DIR wins over $XDG_CACHE_HOME, as given (no joulebench/ appended), resolved against the working folder', () => {
  process.env.XDG_CACHE_HOME = '/var/cache/me';
  process.env.JOULEBENCH_CACHE_DIR = '/scratch/jb';
  assert.equal(cacheRoot(), '/scratch/jb');
  process.env.JOULEBENCH_CACHE_DIR = '/scratch/jb/../other/';
  assert.equal(cacheRoot(), '/scratch/other');
  process.env.JOULEBENCH_CACHE_DIR = 'rel/cache';
  assert.equal(cacheRoot(), path.join(process.cwd(), 'rel', 'cache'));
  process.env.JOULEBENCH_CACHE_DIR = ''; // empty: as if unset
  assert.equal(cacheRoot(), '/var/cache/me/joulebench');
});

test('cacheDir(name) is a folder under the root, read from the environment at each call', () => {
  assert.equal(cacheDir('variants'), '/home/tester/.cache/joulebench/variants');
  process.env.JOULEBENCH_CACHE_DIR = '/scratch/jb';
  assert.equal(cacheDir('tensorrt-engines'), '/scratch/jb/tensorrt-engines');
  assert.equal(cacheDir('models'), '/scratch/jb/models');
});
