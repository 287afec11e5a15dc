#!/usr/bin/env node
// The test runner behind `npm test` (every test file) and `npm run test:unit` (`--unit`: the fast tests only).
// Test files mirror src/: test/<folder>/<file>.test.ts, or deeper (test/power/core/sampler.test.ts). With --unit,
// files whose first line starts `// @integration` are left out (those spawn the CLI or child processes, run sweeps,
// real tools or a browser, or fuzz thousands of inputs). Other arguments go to `node --test` (e.g. --test-reporter=dot).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const unitOnly = argv.includes('--unit');
const extra = argv.filter((arg) => arg !== '--unit');

// Test files one or more folders below test/ (test/*.test.ts at the top has never been a convention here).
function testFiles(dir, depth) {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(relative, depth + 1);
    return depth > 0 && entry.name.endsWith('.test.ts') ? [relative] : [];
  });
}

const isIntegration = (file) => readFileSync(path.join(root, file), 'utf8').split('\n', 1)[0].startsWith('// @integration');
const files = testFiles('test', 0).filter((file) => !unitOnly || !isIntegration(file)).sort();
const reporter = extra.some((arg) => arg.startsWith('--test-reporter')) ? [] : ['--test-reporter=spec'];
// The fast tests run four files at a time; the full suite keeps node's default (one file per spare core), which the
// integration tests' timing assumes on a 2-core machine.
const concurrency = unitOnly ? ['--test-concurrency=4'] : [];
const args = ['--import', 'tsx', '--test', ...concurrency, ...reporter, ...extra, ...files];
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exitCode = run.status ?? 1;
