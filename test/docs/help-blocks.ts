// docs/commands.md carries each command's `--help` verbatim between `<!-- help: CMD -->` and `<!-- /help -->`
// markers, so its option lists are the CLI's own and cannot drift. test/docs/commands.test.ts checks them;
// `node --import tsx test/docs/help-blocks.ts --write` rewrites them from the built CLI (build first:
// `npx tsc -p tsconfig.build.json`), and adds a section for a command the page does not have yet.
import { execFile } from 'node:child_process';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (two levels above test/docs). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The page whose help blocks are generated. */
export const commandsDoc = path.join(repoRoot, 'docs', 'commands.md');
/** The marker name of the top-level `joulebench --help`. */
export const topLevel = '(top)';

const markerPattern = /<!-- help: (\S+) -->\n([\s\S]*?)<!-- \/help -->/g;

/** One help block of the page: the command it shows and what the page holds for it now. */
export interface HelpBlock {
  command: string;
  body: string;
}

/** Every help block of a page, in order. */
export function helpBlocks(markdown: string): HelpBlock[] {
  return [...markdown.matchAll(markerPattern)].map((match) => ({ command: match[1]!, body: match[2]! }));
}

/** What the page should hold between a command's markers for this help text. */
export function renderHelpBody(help: string): string {
  return `\`\`\`text\n${help.replace(/\s+$/, '')}\n\`\`\`\n`;
}

/** Run the built CLI (no colour, no onnxruntime logs) and return its exit code and stdout. */
export function runCli(args: string[], bin = path.join(repoRoot, 'bin', 'joulebench.js')): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '' }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** `joulebench CMD --help` (or `joulebench --help` for the top level). */
export async function cliHelp(command: string, bin?: string): Promise<string> {
  const result = await runCli(command === topLevel ? ['--help'] : [...command.split(' '), '--help'], bin);
  if (result.code !== 0) throw new Error(`joulebench ${command} --help exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/**
 * Every help the CLI has: the top level, then each command its usage lists (`  run <scenario.yaml>   …` → run)
 * whose `--help` works, in usage order.
 */
export async function allHelps(bin?: string): Promise<Map<string, string>> {
  const usage = await cliHelp(topLevel, bin);
  const helps = new Map([[topLevel, usage]]);
  const names = [...new Set([...usage.matchAll(/^ {2}([a-z][a-z-]*)(?=[ |]|$)/gm)].map((match) => match[1]!))];
  const results = await Promise.all(names.map((name) => runCli([name, '--help'], bin)));
  names.forEach((name, i) => {
    if (results[i]!.code === 0) helps.set(name, results[i]!.stdout);
  });
  return helps;
}

/** The page with every help block rewritten from the CLI, and a new section for each command it lacks. */
export async function updatedPage(markdown: string, bin?: string): Promise<string> {
  let page = markdown;
  const present = new Set(helpBlocks(page).map((block) => block.command));
  const helps = await allHelps(bin);
  for (const command of helps.keys()) {
    if (!present.has(command)) page = `${page.replace(/\s+$/, '')}\n\n## \`joulebench ${command}\`\n\n<!-- help: ${command} -->\n<!-- /help -->\n`;
  }
  for (const block of helpBlocks(page)) {
    if (!helps.has(block.command)) helps.set(block.command, await cliHelp(block.command, bin));
  }
  return page.replace(markerPattern, (_whole, command: string) => `<!-- help: ${command} -->\n${renderHelpBody(helps.get(command)!)}<!-- /help -->`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv.includes('--write')) {
  const binFlag = process.argv.indexOf('--bin');
  const bin = binFlag > 0 ? path.resolve(process.argv[binFlag + 1]!) : undefined;
  const page = await readFile(commandsDoc, 'utf8');
  const updated = await updatedPage(page, bin);
  // Refuse to write over an edit made while the CLI was being asked (another writer), and never leave half a page.
  if (await readFile(commandsDoc, 'utf8') !== page) throw new Error(`${commandsDoc} changed while its help blocks were being made: run again`);
  const temp = `${commandsDoc}.${process.pid}.tmp`;
  await writeFile(temp, updated);
  await rename(temp, commandsDoc);
  process.stdout.write(`rewrote the help blocks of ${path.relative(process.cwd(), commandsDoc)}\n`);
}
