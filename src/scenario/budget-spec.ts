// The scenario's `budgets:` list: schema (messages in the style of scenario/schema.ts) and resolution to BudgetSpec.
import path from 'node:path';
import { z } from 'zod';
import { customIssue, formatValue, strictObject } from './issues.js';
import type { BudgetLimit, BudgetSpec } from './types.js';

const relativePattern = /^\s*(\d+(?:\.\d+)?)\s*%\s*(below|above)\s+(?:the\s+)?baseline\s*$/i;
const percentPattern = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/;
const matchPattern = /^[A-Za-z0-9._*:#-]+(\/[A-Za-z0-9._*:#-]+)*$/;

const limitExpectation = 'expected a positive number or a limit relative to the baseline like "20% below baseline"';

// A limit: a positive number, or "<N>% below|above baseline".
const limit = z.union([z.number(), z.string()], { error: limitExpectation }).superRefine((value, ctx) => {
  if (typeof value === 'number') {
    if (!(value > 0) || !Number.isFinite(value)) ctx.addIssue(customIssue(`${limitExpectation}, got ${formatValue(value)}`, value));
    return;
  }
  const match = relativePattern.exec(value);
  if (!match) ctx.addIssue(customIssue(`${limitExpectation}, got ${formatValue(value)}`, value, { hint: 'write e.g. maxJoulesPerSample: "20% below baseline" or minSamplesPerJoule: "5% below baseline"' }));
  else if (match[2]!.toLowerCase() === 'below' && Number(match[1]) >= 100) ctx.addIssue(customIssue(`a limit cannot be 100% or more below the baseline, got ${formatValue(value)}`, value));
});

const percent = z.union([z.number(), z.string()], { error: 'expected a percentage like 5 or "5%"' }).superRefine((value, ctx) => {
  const number = typeof value === 'number' ? value : Number(percentPattern.exec(value)?.[1] ?? Number.NaN);
  if (!(number >= 0 && number < 100)) ctx.addIssue(customIssue(`expected a percentage from 0 to 100 like 5 or "5%", got ${formatValue(value)}`, value));
});

const limitKeys = ['maxJoulesPerSample', 'maxWhPer1kSamples', 'minSamplesPerJoule', 'maxP99Ms', 'maxJoulesPerRequest'] as const;

const budgetEntry = strictObject(
  {
    match: z
      .string({ error: 'expected a model name or a key pattern like "mlp", "mlp/int8" or "*"' })
      .regex(matchPattern, { error: 'expected a model name or a key pattern made of letters, digits, ".", "_", "-", ":", "#", "*" and "/", like "mlp/int8" or "mlp/fp16/cuda:1"' })
      .nullish(),
    maxJoulesPerSample: limit.nullish(),
    maxWhPer1kSamples: limit.nullish(),
    minSamplesPerJoule: limit.nullish(),
    maxP99Ms: limit.nullish(),
    /** Load runs (`joulebench load`, docs/load.md): energy per request, idle included; with `rate`, at that rate only. */
    maxJoulesPerRequest: limit.nullish(),
    rate: z.number({ error: 'expected a request rate above 0 (requests per second)' }).positive({ error: 'expected a request rate above 0 (requests per second)' }).nullish(),
    maxRegression: percent.nullish(),
    baseline: z.string({ error: 'expected the path of a baseline result.json' }).min(1, { error: 'expected the path of a baseline result.json' }).nullish(),
  },
  'expected a mapping like {match: mlp, maxJoulesPerSample: 0.002}',
  {
    model: 'match',
    key: 'match',
    pattern: 'match',
    maxJPerSample: 'maxJoulesPerSample',
    joulesPerSample: 'maxJoulesPerSample',
    maxWhPer1k: 'maxWhPer1kSamples',
    samplesPerJoule: 'minSamplesPerJoule',
    minSamplesPerJ: 'minSamplesPerJoule',
    p99Ms: 'maxP99Ms',
    maxP99: 'maxP99Ms',
    maxP99LatencyMs: 'maxP99Ms',
    regression: 'maxRegression',
    baselineFile: 'baseline',
  },
).refine((entry) => limitKeys.some((key) => entry[key] != null) || entry.maxRegression != null, {
  error: 'a budget needs at least one limit',
  params: { hint: `add one of ${limitKeys.join(', ')}, maxRegression` },
  // Only when the entry is otherwise fine: a misspelt limit is already reported as an unknown key.
  when: (payload) => payload.issues.length === 0,
});

/** `budgets:` — a list of budget entries. */
export const budgetsSchema = z
  .array(budgetEntry, { error: 'expected a list of budgets, like [{match: mlp, maxJoulesPerSample: 0.002}]' })
  .min(1, { error: 'expected at least one budget (or leave budgets: out)' });

/** Parsed `budgets:` as zod returns it. */
export type ParsedBudgets = z.output<typeof budgetsSchema>;

function toLimit(value: number | string | null | undefined): BudgetLimit | undefined {
  if (value == null) return undefined;
  if (typeof value === 'number') return { value };
  const match = relativePattern.exec(value)!;
  const fraction = Number(match[1]) / 100;
  return { baselineRelative: match[2]!.toLowerCase() === 'below' ? -fraction : fraction };
}

/** Resolve parsed budgets: relative limits to fractions, baseline paths against the scenario's folder. */
export function toBudgetSpecs(parsed: ParsedBudgets, baseDir: string): BudgetSpec[] {
  return parsed.map((entry) => {
    const spec: BudgetSpec = { match: entry.match ?? '*' };
    for (const key of limitKeys) {
      const resolved = toLimit(entry[key]);
      if (resolved) spec[key] = resolved;
    }
    if (entry.maxRegression != null) {
      spec.maxRegression = (typeof entry.maxRegression === 'number' ? entry.maxRegression : Number(percentPattern.exec(entry.maxRegression)![1])) / 100;
    }
    if (entry.baseline != null) spec.baseline = path.resolve(baseDir, entry.baseline);
    if (entry.rate != null) spec.rate = entry.rate;
    return spec;
  });
}

/** True when a budget's `match` selects `key`: its segments match the key's first segments (`*` = any characters). */
export function budgetMatches(match: string, key: string): boolean {
  const patternSegments = match.split('/');
  const keySegments = key.split('/');
  if (patternSegments.length > keySegments.length) return false;
  return patternSegments.every((segment, index) => globSegment(segment).test(keySegments[index]!));
}

function globSegment(segment: string): RegExp {
  return new RegExp(`^${segment.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
