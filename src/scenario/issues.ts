// Turns zod issues into the lines users read: "<file>: <field path>: expected X, got <value>".
// Zod's own messages ("Invalid input: expected number, received string") name neither the
// field nor the value, so every schema in schema.ts states its expectation and this file adds
// the path, the value received and, where one is close, the key or name the user meant.
import { z } from 'zod';
import { InputError } from '../errors.js';
import { closest } from '../common/suggest.js';

/** One thing wrong with a scenario: where, what, and (when there is one) how to fix it. */
export interface Problem {
  path: readonly PropertyKey[];
  message: string;
  hint?: string;
  /** Where the problem sits for sorting into file order, when that is not `path` (an unknown key's own path). */
  at?: readonly PropertyKey[];
}

/** How many problems one error lists before it says "…and N more". */
export const maxReportedProblems = 5;

// Unknown-key issues carry the object's valid keys to issuesToProblems through their message;
// zod's final issues keep no reference to the schema that raised them.
const unknownKeysTag = '\u0000unknown-keys:';

interface UnknownKeysInfo {
  keys: string[];
  aliases: Record<string, string>;
}

/**
 * A strict object (unknown keys are errors) whose unknown-key problems name the nearest valid
 * key. `expected` is the message when the value is not a mapping at all; `aliases` maps words
 * people plausibly write (`eps`, `batch`) to the key they mean.
 */
export function strictObject<T extends z.core.$ZodLooseShape>(
  shape: T,
  expected: string,
  aliases: Record<string, string> = {},
) {
  const info: UnknownKeysInfo = { keys: Object.keys(shape), aliases };
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeysTag + JSON.stringify(info) : expected),
  });
}

/** A custom issue for `ctx.addIssue` whose message is already complete (it says what it got). */
export function customIssue(
  message: string,
  input: unknown,
  options: { path?: PropertyKey[]; hint?: string } = {},
): z.core.$ZodRawIssue {
  return {
    code: 'custom',
    message,
    input,
    path: options.path ?? [],
    params: options.hint === undefined ? {} : { hint: options.hint },
  } as z.core.$ZodRawIssue;
}

/** Map zod issues (parsed with `reportInput: true`) to problems, in zod's order. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[] = []): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union') {
      // Report the branch whose type matched (a list with a bad element, a mapping with a bad
      // key) rather than "matched no option"; fall back to the union's own expectation.
      const branch = issue.errors.find((branchIssues) => branchIssues.length > 0 && branchIssues.every(isPastTypeCheck));
      if (branch !== undefined) {
        problems.push(...issuesToProblems(branch, path));
        continue;
      }
    }
    if (issue.message.startsWith(unknownKeysTag) && issue.code === 'unrecognized_keys') {
      const info = JSON.parse(issue.message.slice(unknownKeysTag.length)) as UnknownKeysInfo;
      for (const key of issue.keys) problems.push(unknownKeyProblem(path, key, info));
      continue;
    }
    if (issue.code === 'custom') {
      const hint = (issue.params as { hint?: unknown } | undefined)?.hint;
      problems.push(typeof hint === 'string' ? { path, message: issue.message, hint } : { path, message: issue.message });
      continue;
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      problems.push({ path, message: 'required, got nothing' });
      continue;
    }
    const problem: Problem = { path, message: `${issue.message}, got ${formatValue(issue.input)}` };
    if (issue.code === 'invalid_value' && typeof issue.input === 'string') {
      const options = issue.values.filter((value): value is string => typeof value === 'string');
      const suggestion = closest(issue.input, options);
      if (suggestion !== undefined) problem.hint = `did you mean "${suggestion}"?`;
    }
    problems.push(problem);
  }
  return problems;
}

// An issue that shows the value had the branch's type: a nested problem, a refinement, or an
// unknown key. A root-level type or literal mismatch means "wrong branch".
function isPastTypeCheck(issue: z.core.$ZodIssue): boolean {
  if (issue.code === 'invalid_union') return issue.path.length > 0;
  if (issue.code === 'invalid_type' || issue.code === 'invalid_value') return issue.path.length > 0;
  return true;
}

function unknownKeyProblem(path: readonly PropertyKey[], key: string, info: UnknownKeysInfo): Problem {
  const suggestion = Object.hasOwn(info.aliases, key) ? info.aliases[key] : closest(key, info.keys);
  const valid = `valid keys here: ${info.keys.join(', ')}`;
  if (suggestion !== undefined) {
    return {
      path,
      message: `unknown key ${JSON.stringify(key)} — did you mean ${JSON.stringify(suggestion)}?`,
      hint: valid,
      at: [...path, key],
    };
  }
  const problem: Problem = { path, message: `unknown key ${JSON.stringify(key)} (${valid})`, at: [...path, key] };
  // `{ shape: N,1024 }`: inside braces YAML splits at the comma and 1024 becomes a key.
  if (/^[0-9]+$/.test(key)) problem.hint = 'inside { } a comma starts a new entry: quote the value ("N,1024") or write a list [N, 1024]';
  return problem;
}

/**
 * Problems in the order a reader meets them in the file: zod reports in schema order and puts
 * unknown keys last, but YAML mappings keep their key order in the parsed object, so positions
 * in `raw` give file order. A missing required key sorts before everything at its level.
 */
export function sortByFileOrder(problems: readonly Problem[], raw: unknown): Problem[] {
  const positions = problems.map((problem) => positionOf(problem.at ?? problem.path, raw));
  const order = problems.map((_, index) => index);
  order.sort((a, b) => comparePositions(positions[a] ?? [], positions[b] ?? []) || a - b);
  return order.map((index) => problems[index] as Problem);
}

function positionOf(path: readonly PropertyKey[], raw: unknown): number[] {
  const position: number[] = [];
  let node = raw;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'number') {
      position.push(segment);
      node = node[segment];
    } else if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      const index = Object.keys(node).indexOf(String(segment));
      position.push(index);
      node = index === -1 ? undefined : (node as Record<string, unknown>)[String(segment)];
    } else {
      break;
    }
  }
  return position;
}

function comparePositions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/** A field path as users write it: `models[0].inputs.x.shape`, `inputs["input.1"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${out === '' ? '' : '.'}${key}` : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** A received value as it appears after "got": JSON, shortened; `nothing` for a missing value. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** One InputError listing the first few problems, one per line, each prefixed with the file name. */
export function problemsError(display: string, problems: readonly Problem[], code = 'SCENARIO_INVALID'): InputError {
  const shown = problems.slice(0, maxReportedProblems);
  const lines = shown.map((problem) => {
    const where = formatPath(problem.path);
    return `${display}: ${where === '' ? '' : `${where}: `}${problem.message}`;
  });
  const more = problems.length - shown.length;
  if (more > 0) lines.push(`${display}: …and ${more} more problem${more === 1 ? '' : 's'}`);
  // The hint follows the whole message, so it may only speak about the first line.
  const hint = shown[0]?.hint;
  return new InputError(code, lines.join('\n'), hint === undefined ? {} : { hint });
}
