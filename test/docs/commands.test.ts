// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// The docs are tested like code (docs/README.md, "How the docs are tested"): every `sh` block of README.md and
// docs/*.md runs, line by line, through the built CLI and must exit as the line says; `sh no-run` blocks need a
// reason in the text before them; the README fits on a front page; every relative link resolves; every docs page
// is reachable from the README through docs/README.md; docs/commands.md's help blocks are the CLI's own.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureBuilt } from '../cli/helpers.js';
import { allHelps, cliHelp, commandsDoc, helpBlocks, renderHelpBody, repoRoot } from './help-blocks.js';

/** The README must fit on a front page. */
const readmeMaxBytes = 12 * 1024;
/** Each documented command must finish within this (a docs example is not a measurement campaign). */
const commandTimeoutMs = 60_000;
/** Words one of which the text before an `sh no-run` block must contain: why it cannot run here. */
const noRunReasons = /\b(GPU|NVIDIA|CUDA|TensorRT|AMD|ROCm|Slurm|cluster|sudo|root|macOS|Windows|network|internet|self-hosted|clone)\b|not run by the docs test/i;

/** A fenced block: its info string, its lines, the line it opens on, and the prose just before it. */
interface Fence {
  info: string;
  lines: string[];
  line: number;
  before: string;
}

/** One documented command: the shell line, the exit codes it may end with, and where it is written. */
interface DocCommand {
  shell: string;
  exits: number[];
  where: string;
}

function fences(markdown: string): Fence[] {
  const out: Fence[] = [];
  const lines = markdown.split('\n');
  let open: Fence | undefined;
  let marker = '';
  let prose: string[] = [];
  lines.forEach((text, index) => {
    const fence = /^(`{3,}|~{3,})\s*(.*)$/.exec(text);
    if (open) {
      if (fence && text.trim() === marker) {
        out.push(open);
        open = undefined;
        prose = [];
      } else {
        open.lines.push(text);
      }
    } else if (fence) {
      marker = fence[1]!;
      open = { info: fence[2]!.trim(), lines: [], line: index + 1, before: prose.join('\n') };
    } else if (text.trim() === '') {
      if (prose.length > 0 && prose.at(-1) !== '') prose.push('');
    } else {
      // The paragraph (or two) right before a block: what a reader sees just above it.
      prose = [...prose.slice(-12), text];
    }
  });
  return out;
}

/** The shell lines of an `sh` block (continuations joined, blank and comment lines dropped). */
function shellLines(fence: Fence): string[] {
  const joined: string[] = [];
  let pending = '';
  for (const raw of fence.lines) {
    const text = raw.trimEnd();
    if (text.endsWith('\\')) {
      pending += `${text.slice(0, -1)} `;
      continue;
    }
    joined.push(pending + text);
    pending = '';
  }
  return joined.map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

/** `# exit 2` or `# exit 0 or 1` at the end of a line: the exit codes it may end with (default 0). */
function expectedExits(line: string): number[] {
  const match = /#\s*exit\s+(\d+(?:\s*(?:or|\||,)\s*\d+)*)\s*$/.exec(line);
  return match ? match[1]!.split(/\s*(?:or|\||,)\s*/).map(Number) : [0];
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const withoutCode = markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '');
  for (const match of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = match[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    out.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return out;
}

/** Relative link targets of a page, outside code. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z+.-]*:/i.test(target));
}

async function docPages(): Promise<string[]> {
  const docs = (await readdir(path.join(repoRoot, 'docs'))).filter((name) => name.endsWith('.md')).sort();
  return ['README.md', ...docs.map((name) => path.join('docs', name))];
}

function bash(shell: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', shell], { cwd, env, timeout: commandTimeoutMs, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      const killed = error?.killed === true || error?.signal === 'SIGTERM';
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr, killed });
    });
  });
}

describe('the docs', () => {
  let work = '';
  let env: NodeJS.ProcessEnv = {};

  before(async () => {
    await ensureBuilt();
    work = await mkdtemp(path.join(os.tmpdir(), 'joulebench-docs-'));
    // `joulebench` on PATH is the repository's built CLI (what `npm install joulebench` or `npx` would give).
    const binDir = path.join(work, 'bin');
    await mkdir(binDir);
    const shim = path.join(binDir, 'joulebench');
    await writeFile(shim, `#!/bin/sh\nexec "${process.execPath}" "${path.join(repoRoot, 'bin', 'joulebench.js')}" "$@"\n`);
    await chmod(shim, 0o755);
    env = {
      ...process.env,
      PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`,
      NO_COLOR: '1',
      NODE_OPTIONS: '',
      // One variant cache for every page: made once, never the user's own ~/.cache.
      JOULEBENCH_CACHE_DIR: path.join(work, 'cache'),
    };
  });
  after(() => rm(work, { recursive: true, force: true }));

  test(`README.md fits on a front page (≤ ${readmeMaxBytes} bytes)`, async () => {
    const bytes = Buffer.byteLength(await readFile(path.join(repoRoot, 'README.md'), 'utf8'));
    assert.ok(bytes <= readmeMaxBytes, `README.md is ${bytes} bytes: move detail into docs/ (limit ${readmeMaxBytes})`);
  });

  test('every relative link of README.md and docs/*.md points at a file (and heading) that exists', async () => {
    const broken: string[] = [];
    for (const page of await docPages()) {
      const markdown = await readFile(path.join(repoRoot, page), 'utf8');
      for (const link of relativeLinks(markdown)) {
        const [file = '', anchor] = link.split('#');
        const target = file === '' ? path.join(repoRoot, page) : path.resolve(path.dirname(path.join(repoRoot, page)), decodeURIComponent(file));
        if (!existsSync(target)) {
          broken.push(`${page}: ${link} (no such file)`);
        } else if (anchor && target.endsWith('.md') && !anchors(await readFile(target, 'utf8')).has(anchor)) {
          broken.push(`${page}: ${link} (no such heading in ${path.relative(repoRoot, target)})`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  test('every docs page is reachable from the README through docs/README.md', async () => {
    const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
    assert.ok(relativeLinks(readme).some((link) => link.split('#')[0] === 'docs/README.md'), 'README.md links docs/README.md');
    const index = new Set(relativeLinks(await readFile(path.join(repoRoot, 'docs', 'README.md'), 'utf8')).map((link) => link.split('#')[0]));
    const pages = (await readdir(path.join(repoRoot, 'docs'))).filter((name) => name.endsWith('.md') && name !== 'README.md');
    assert.deepEqual(pages.filter((name) => !index.has(name)), [], 'docs/README.md links every docs/*.md page');
  });

  test('every `sh` block holds only joulebench commands and existing npm scripts, and every `sh no-run` block says why', async () => {
    const problems: string[] = [];
    const { scripts } = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const page of await docPages()) {
      for (const fence of fences(await readFile(path.join(repoRoot, page), 'utf8'))) {
        const [language, mode] = fence.info.split(/\s+/);
        if (language !== 'sh') continue;
        if (mode === 'no-run') {
          if (!noRunReasons.test(fence.before)) problems.push(`${page}:${fence.line}: say before this \`sh no-run\` block why it cannot run here (GPU, Slurm cluster, sudo, macOS, network…)`);
          continue;
        }
        if (mode !== undefined) problems.push(`${page}:${fence.line}: unknown block mode "${mode}" (sh or sh no-run)`);
        for (const line of shellLines(fence)) {
          if (/^(npx )?joulebench( |$)/.test(line)) continue;
          // The project's own npm scripts are not run (npm test runs this file) but must exist.
          const script = /^npm (?:run (\S+)|(test))(?:\s|$)/.exec(line);
          if (script) {
            const name = script[1] ?? script[2]!;
            if (!(name in scripts)) problems.push(`${page}:${fence.line}: "${line}": package.json has no script "${name}"`);
            continue;
          }
          problems.push(`${page}:${fence.line}: "${line}" is not a joulebench command or an npm script: put it in an \`sh no-run\` block with the reason, or show it as \`text\``);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test('docs/commands.md shows every command\'s --help as the CLI prints it', async () => {
    const page = await readFile(commandsDoc, 'utf8');
    const blocks = helpBlocks(page);
    const fix = 'run `npx tsc -p tsconfig.build.json && node --import tsx test/docs/help-blocks.ts --write`';
    const helps = await allHelps();
    const missing = [...helps.keys()].filter((command) => !blocks.some((block) => block.command === command));
    assert.deepEqual(missing, [], `commands without a help block in docs/commands.md: ${fix}`);
    for (const block of blocks) {
      const help = helps.get(block.command) ?? await cliHelp(block.command);
      assert.equal(block.body, renderHelpBody(help), `docs/commands.md: the help of "${block.command}" differs from the CLI's: ${fix}`);
    }
  });

  // One test per page, in page order: a page's commands run in order in one fresh folder that holds a copy of
  // the repository's scenarios/, so later commands can read what earlier ones wrote.
  for (const page of ['README.md', ...readdirSyncDocs()]) {
    test(`the commands of ${page} run and exit as written`, async () => {
      const commands: DocCommand[] = [];
      for (const fence of fences(await readFile(path.join(repoRoot, page), 'utf8'))) {
        if (fence.info !== 'sh') continue;
        for (const line of shellLines(fence)) {
          if (/^(npx )?joulebench( |$)/.test(line)) commands.push({ shell: line.replace(/^npx /, ''), exits: expectedExits(line), where: `${page}:${fence.line}` });
        }
      }
      if (commands.length === 0) return;
      const cwd = path.join(work, page.replace(/[/.]/g, '-'));
      await mkdir(cwd, { recursive: true });
      await cp(path.join(repoRoot, 'scenarios'), path.join(cwd, 'scenarios'), { recursive: true });
      for (const command of commands) {
        const result = await bash(command.shell, cwd, env);
        assert.ok(!result.killed, `${command.where}: "${command.shell}" ran longer than ${commandTimeoutMs / 1000} s`);
        assert.ok(command.exits.includes(result.code),
          `${command.where}: "${command.shell}" exited ${result.code}, the docs say ${command.exits.join(' or ')}\n${result.stderr.slice(-2000)}`);
      }
    });
  }
});

/** docs/*.md at load time (node:test needs the list of tests before it runs them). */
function readdirSyncDocs(): string[] {
  const dir = path.join(repoRoot, 'docs');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.md')).sort().map((name) => path.join('docs', name)) : [];
}
