#!/usr/bin/env node
// `npm run test:unit`: the fast tests only — every test/*/*.test.ts whose first line is not `// @integration …`
// (those spawn the CLI or child processes, run sweeps, real tools or a browser, or fuzz thousands of inputs).
// `npm test` runs everything. Extra arguments go to `node --test` (e.g. --test-reporter=dot).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testDir = path.join(root, 'test');
const files = readdirSync(testDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((folder) => readdirSync(path.join(testDir, folder.name)).filter((name) => name.endsWith('.test.ts')).map((name) => path.join('test', folder.name, name)))
  .filter((file) => !readFileSync(path.join(root, file), 'utf8').split('\n', 1)[0].startsWith('// @integration'))
  .sort();
const extra = process.argv.slice(2);
const reporter = extra.some((arg) => arg.startsWith('--test-reporter')) ? [] : ['--test-reporter=spec'];
const args = ['--import', 'tsx', '--test', '--test-concurrency=4', ...reporter, ...extra, ...files];
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exitCode = run.status ?? 1;
