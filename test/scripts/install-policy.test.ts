// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// The install stays quiet and keeps skipping onnxruntime-node's CUDA download on current and next npm: the
// install-script policy lives in package.json `allowScripts` (npm 11's documented field), not in an .npmrc key
// npm warns about ("Unknown project config … will stop working in the next major version").
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../cli/helpers.js';

function npm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    execFile('npm', args, { cwd: repoRoot, env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }));
  });
}

test('package.json denies onnxruntime-node\'s install script (the CUDA download) and no .npmrc key is unknown to npm', async () => {
  const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
  assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
  assert.equal(pkg.allowScripts?.['better-sqlite3'], true, 'the SQLite binding may build');
  const npmrc = path.join(repoRoot, '.npmrc');
  if (existsSync(npmrc)) assert.doesNotMatch(await readFile(npmrc, 'utf8'), /onnxruntime-node-install/);
});

test('npm finds no install script allowScripts does not cover, and warns about no project config', async (t) => {
  const version = await npm(['--version']);
  const major = Number(version.stdout.trim().split('.')[0]);
  if (version.code !== 0 || !(major >= 11)) return t.skip(`npm ${version.stdout.trim() || '(none)'} has no install-scripts command`);
  const listed = await npm(['install-scripts', 'ls']);
  if (listed.code !== 0 && /Unknown command/i.test(listed.stderr + listed.stdout)) return t.skip('this npm 11 has no install-scripts command');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /No packages with unreviewed install scripts/);
  assert.doesNotMatch(listed.stderr, /Unknown project config/);
});
