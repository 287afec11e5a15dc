// Shared plumbing for the CLI end-to-end tests: build dist/ once, spawn `node bin/joulebench.js`, write replay
// traces, parse the run folder. Every test runs the real CLI in a fresh temp directory.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import type { Measurement, RunResult } from '../../src/results/types.js';

/** The repository root (two levels above test/cli). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const binPath = path.join(repoRoot, 'bin', 'joulebench.js');
const distEntry = path.join(repoRoot, 'dist', 'cli', 'main.js');

/**
 * Flags that keep a sweep to about half a second per configuration: with a 10 ms replay trace the shortest
 * window the sweep allows is 10 periods = 0.1 s, so `--min-seconds 0.1` is the real window floor.
 */
export const fastFlags = [
  '--min-seconds', '0.1', '--min-runs', '3', '--repetitions', '2', '--idle-seconds', '0.2',
  '--warmup-runs', '1', '--warmup-seconds', '0', '--target-ci', 'off',
];

/** Relative tolerance for values that are exact in real arithmetic and only suffer floating-point rounding. */
export const fpRelTol = 1e-9;

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function exec(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, signal: error?.signal ?? null });
    });
  });
}

/**
 * Make sure dist/ holds a build of the current src/ (the CLI's bin imports dist/). Builds when dist is missing or
 * older than any source file; a lock folder keeps test files that run in parallel from building at once.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = path.join(os.tmpdir(), `joulebench-test-build-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}.lock`);
  const stale = () => !existsSync(distEntry) || newestMtimeMs(path.join(repoRoot, 'src')) > statSync(distEntry).mtimeMs;
  const deadline = Date.now() + 120_000;
  while (stale()) {
    try {
      await mkdir(lock);
    } catch {
      // Another test file is building (or a crashed run left the lock): wait, then take it over when old.
      const lockAgeMs = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (Date.now() > deadline || lockAgeMs > 120_000) {
        await rm(lock, { recursive: true, force: true });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      if (!stale()) break;
      const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
      const build = await exec(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: repoRoot });
      // tsc emits even with type errors; only a missing entry point makes the CLI unusable.
      assert.ok(existsSync(distEntry), `building dist/ failed:\n${build.stdout}${build.stderr}`);
      break;
    } finally {
      await rmdir(lock).catch(() => {});
    }
  }
}

/** What a CLI run left behind. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  signal: NodeJS.Signals | null;
}

/** Run `node bin/joulebench.js …args` in `cwd` with JOULEBENCH_MODELS_DIR set; never throws on a non-zero exit. */
export function runCli(args: string[], options: { cwd: string; modelsDir: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  // Variants made by the CLI go next to the models folder, not into the user's ~/.cache.
  const env: NodeJS.ProcessEnv = { JOULEBENCH_CACHE_DIR: path.join(path.dirname(options.modelsDir), 'cache'), ...process.env, JOULEBENCH_MODELS_DIR: options.modelsDir, ...options.env };
  // The test runner's own flags must not leak into the CLI process.
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  return exec(process.execPath, [binPath, ...args], { cwd: options.cwd, env });
}

/** A fresh temp directory (removed by the returned cleanup). */
export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `joulebench-cli-${prefix}-`));
}

/** Remove a temp directory. */
export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/**
 * Write a replay trace `t_s,watts` with a row every 10 ms for `seconds` seconds; `wattsAt(t_s)` gives each row.
 * Returns the file path. Rows use exact decimal times (i/100) so the replay's period is exactly 10 ms.
 */
export async function writeReplayTrace(dir: string, name: string, seconds: number, wattsAt: (tS: number) => number): Promise<string> {
  const lines = ['t_s,watts'];
  const rows = Math.round(seconds * 100);
  for (let i = 0; i < rows; i++) lines.push(`${(i / 100).toFixed(2)},${wattsAt(i / 100)}`);
  const file = path.join(dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** The only run folder under `outDir` (a bench/run writes exactly one). */
export async function onlyRunDir(outDir: string): Promise<string> {
  const entries = (await readdir(outDir, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  assert.equal(entries.length, 1, `expected one run folder in ${outDir}, found ${entries.map((e) => e.name).join(', ') || 'none'}`);
  return path.join(outDir, entries[0]!.name);
}

/** Read a run folder's result.json. */
export async function readResult(runDir: string): Promise<RunResult> {
  return JSON.parse(await readFile(path.join(runDir, 'result.json'), 'utf8')) as RunResult;
}

/** Parse RFC 4180 CSV (quoted fields may hold commas, quotes and newlines) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** CSV text as objects keyed by the header row. */
export function csvRecords(text: string): { header: string[]; records: Array<Record<string, string>> } {
  const [header, ...rows] = parseCsv(text);
  assert.ok(header, 'CSV has no header');
  return {
    header,
    records: rows.map((row) => {
      assert.equal(row.length, header.length, `CSV row has ${row.length} cells, header has ${header.length}: ${row.join(',')}`);
      return Object.fromEntries(header.map((name, i) => [name, row[i]!]));
    }),
  };
}

/** |actual − expected| ≤ rel·|expected| (or ≤ rel when expected is 0). */
export function assertClose(actual: number | null | undefined, expected: number, rel: number, what: string): void {
  assert.equal(typeof actual, 'number', `${what}: expected a number, got ${String(actual)}`);
  const tolerance = rel * Math.max(Math.abs(expected), expected === 0 ? 1 : 0);
  assert.ok(Math.abs(actual! - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual}`);
}

/** Totals of a measurement's repetitions, and the pooled throughput they imply. */
export function repetitionTotals(m: Measurement): { samples: number; seconds: number; joules: number; samplesPerSecond: number } {
  const samples = m.repetitions.reduce((sum, r) => sum + r.samples, 0);
  const seconds = m.repetitions.reduce((sum, r) => sum + r.durationS, 0);
  const joules = m.repetitions.reduce((sum, r) => sum + r.energyJ, 0);
  return { samples, seconds, joules, samplesPerSecond: samples / seconds };
}

/**
 * A bad-input failure as the CLI contract wants it: exit 2, then exactly one `joulebench: …` line (optionally followed
 * by one `  fix: …` line) ending stderr, no stack trace, nothing on stdout. Lines before the error may only be the
 * meter choices (`meter ✓ …`) that `bench`/`run` print before they touch the output folder.
 */
export function assertBadInput(result: CliResult, ...mustMention: Array<string | RegExp>): { message: string; fix: string | null } {
  const context = `exit ${result.code}\n--- stderr ---\n${result.stderr}--- stdout ---\n${result.stdout}`;
  assert.equal(result.code, 2, `expected exit 2\n${context}`);
  assert.ok(!result.stderr.includes('    at '), `stack trace on stderr\n${context}`);
  const lines = result.stderr.replace(/\n$/, '').split('\n');
  const errorLines = lines.filter((line) => line.startsWith('joulebench:'));
  assert.equal(errorLines.length, 1, `expected exactly one "joulebench:" line\n${context}`);
  const at = lines.findIndex((line) => line.startsWith('joulebench:'));
  const tail = lines.slice(at + 1);
  assert.ok(tail.length === 0 || (tail.length === 1 && tail[0]!.startsWith('  fix: ')), `after the error line only one "  fix:" line may follow\n${context}`);
  for (const before of lines.slice(0, at)) assert.match(before, /^meter [✓✗] /, `unexpected stderr line before the error\n${context}`);
  const message = lines[at]!;
  const fix = tail[0] ?? null;
  for (const needle of mustMention) {
    const text = `${message}\n${fix ?? ''}`;
    if (typeof needle === 'string') assert.ok(text.includes(needle), `the error should mention ${JSON.stringify(needle)}\n${context}`);
    else assert.match(text, needle, `the error should match ${needle}\n${context}`);
  }
  assert.equal(result.stdout, '', `nothing should be printed on stdout\n${context}`);
  return { message, fix };
}

/** sha256 of a file, hex. */
export async function sha256OfFile(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}
