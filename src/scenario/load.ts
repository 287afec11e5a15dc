// Reading scenario files: file errors and YAML errors as InputErrors that name the file.
import { realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { InputError } from '../errors.js';
import { isBuiltinModelName } from './builtins.js';
import { parseScenario } from './schema.js';
import type { Scenario } from './types.js';

/** Scenario files are a few kilobytes; anything past this is not one. */
export const maxScenarioBytes = 1024 * 1024;

/**
 * Alias expansions allowed when turning YAML into values. A scenario needs a handful; a
 * "billion laughs" file nests aliases so the expansion grows exponentially, and the yaml library
 * stops at this count instead of exhausting memory.
 */
export const maxYamlAliasCount = 100;

const readyScenariosHint = 'ready-made scenarios live in scenarios/: quick.yaml, precision-sweep.yaml, nightly.yaml';

/** How a scenario file may be read. */
export interface LoadOptions {
  /** Let model, variant and replay-trace paths point outside the scenario's folder (`--allow-outside-paths`). */
  allowOutsidePaths?: boolean;
  /** Command-line values laid over the file's raw input before validation (src/cli/scenario-flags.ts); the paths they set are the user's own, not checked. */
  overrides?: (raw: unknown) => unknown;
}

/** Read, YAML-parse and validate a scenario file. */
export async function loadScenarioFile(scenarioPath: string, options: LoadOptions = {}): Promise<Scenario> {
  const file = path.resolve(scenarioPath);
  const display = path.basename(file);
  const bytes = await readScenarioBytes(file, display);
  if (bytes.includes(0)) {
    throw new InputError('SCENARIO_NOT_YAML', `${display}: not a YAML file (it contains binary data)`, {
      hint: /\.onnx$/i.test(file)
        ? `to measure a model without a scenario, run: joulebench bench ${scenarioPath}`
        : readyScenariosHint,
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new InputError('SCENARIO_NOT_YAML', `${display}: not valid YAML (the file is not UTF-8 text)`, { cause: error });
  }
  return parseScenarioYaml(text, { file, baseDir: path.dirname(file), ...options });
}

/** YAML-parse and validate scenario text (what loadScenarioFile does after reading the file). */
export function parseScenarioYaml(text: string, context: { file: string | null; baseDir: string } & LoadOptions): Scenario {
  const display = context.file === null ? 'scenario' : path.basename(context.file);
  const lineCounter = new LineCounter();
  let raw: unknown;
  try {
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
    const [error] = doc.errors;
    if (error !== undefined) {
      // Errors found at the end of input (an unclosed bracket) point at the last text, not past it.
      const { line, col } = lineCounter.linePos(Math.min(error.pos[0], text.trimEnd().length));
      throw new InputError(
        'SCENARIO_NOT_YAML',
        `${display}: not valid YAML at line ${line}, column ${col}: ${firstLine(error.message)}`,
        { hint: yamlHint(error.code), cause: error },
      );
    }
    raw = doc.toJS({ maxAliasCount: maxYamlAliasCount });
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof ReferenceError && /excessive alias count/i.test(error.message)) {
      throw new InputError(
        'SCENARIO_NOT_YAML',
        `${display}: YAML aliases expand past ${maxYamlAliasCount} copies; refusing to expand it (a "billion laughs" file looks like this)`,
        { hint: 'write the repeated values out, or use fewer nested aliases (*name)', cause: error },
      );
    }
    // The parser's own failures (e.g. recursion depth on absurd nesting).
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError('SCENARIO_NOT_YAML', `${display}: not valid YAML: ${firstLine(reason)}`, { cause: error });
  }
  const edited = context.overrides ? context.overrides(raw) : raw;
  const scenario = parseScenario(edited, { file: context.file, baseDir: context.baseDir });
  const optedIn = context.allowOutsidePaths === true || (edited as { allowOutsidePaths?: unknown } | null)?.allowOutsidePaths === true;
  if (context.file !== null && !optedIn) checkPathsInside(scenario, display, path.resolve(context.baseDir), changedKeys(raw, edited));
  return scenario;
}

/**
 * A scenario file reads models, variants, calibration data, labels and replay traces. One handed over by someone else must not make joulebench
 * read files elsewhere on the machine (`model: /home/me/.ssh/id_rsa`, `../../secret.onnx`, a symlink out), so every
 * such path must stay inside the scenario's folder, unless the scenario says `allowOutsidePaths: true` or the user
 * passes --allow-outside-paths. `out` is not checked: a run only ever creates a new folder under it.
 */
export function checkPathsInside(scenario: Scenario, display: string, baseDir: string, fromFlags: ReadonlySet<string> = new Set()): void {
  const paths: Array<[string, string]> = [];
  scenario.models.forEach((model, index) => {
    if (!isBuiltinModelName(model.source)) paths.push([`models[${index}].model`, model.source]);
    for (const [precision, file] of Object.entries(model.variants)) {
      if (file) paths.push([`models[${index}].variants.${precision}`, file]);
    }
    if (model.calibration) paths.push([`models[${index}].calibration`, model.calibration]);
    if (model.labels) paths.push([`models[${index}].labels`, model.labels]);
  });
  scenario.meters.forEach((meter, index) => {
    if (meter.startsWith('replay:')) paths.push([`meters[${index}]`, meter.slice('replay:'.length)]);
  });
  let realBase: string | null = null;
  for (const [field, file] of paths) {
    if (fromFlags.has(field.replace(/[[.].*$/, ''))) continue;
    let escapes = !isInside(file, baseDir);
    let where = file;
    if (!escapes) {
      // Inside by name; a symlink may still lead out. Paths that do not exist yet are reported later, by their reader.
      try {
        const real = realpathSync(file);
        realBase ??= realpathSync(baseDir);
        if (!isInside(real, realBase)) {
          escapes = true;
          where = `${file}, a symlink to ${real}`;
        }
      } catch {
        // missing or unreadable: not this check's business
      }
    }
    if (escapes) {
      throw new InputError('SCENARIO_PATH_OUTSIDE', `${display}: ${field}: ${where} is outside the scenario's folder (${baseDir})`, {
        hint: 'move the file next to the scenario, or if you trust this scenario add "allowOutsidePaths: true" to it (or pass --allow-outside-paths)',
      });
    }
  }
}

// Top-level keys whose value the overrides changed.
function changedKeys(raw: unknown, edited: unknown): Set<string> {
  const before = (raw ?? {}) as Record<string, unknown>;
  const after = (edited ?? {}) as Record<string, unknown>;
  if (typeof before !== 'object' || typeof after !== 'object' || raw === edited) return new Set();
  return new Set(Object.keys(after).filter((key) => JSON.stringify(after[key]) !== JSON.stringify(before[key])));
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== '' && !relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative);
}

async function readScenarioBytes(file: string, display: string): Promise<Buffer> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) {
      throw new InputError('SCENARIO_UNREADABLE', `${display}: is a folder, not a scenario file (${file})`, {
        hint: readyScenariosHint,
      });
    }
    if (info.size > maxScenarioBytes) {
      throw new InputError(
        'SCENARIO_UNREADABLE',
        `${display}: ${info.size} bytes is too large for a scenario file (limit ${maxScenarioBytes} bytes)`,
        { hint: 'a scenario lists models by path; it does not contain them' },
      );
    }
    return await readFile(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new InputError('SCENARIO_NOT_FOUND', `${display}: no such file (${file})`, {
        hint: readyScenariosHint,
        cause: error,
      });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new InputError('SCENARIO_UNREADABLE', `${display}: permission denied reading ${file}`, { cause: error });
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError('SCENARIO_UNREADABLE', `${display}: cannot read ${file}: ${reason}`, { cause: error });
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each key may appear once per mapping; merge the two entries';
    case 'TAB_AS_INDENT':
      return 'YAML indents with spaces, not tabs';
    case 'MULTIPLE_DOCS':
      return 'a scenario file holds one document; remove the extra "---"';
    default:
      return undefined;
  }
}
