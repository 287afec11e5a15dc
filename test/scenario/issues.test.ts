// How zod issues become the lines users read: "<file>: <field path>: expected X, got <value>", the nearest valid key
// or value as a hint, file order, and one InputError for the lot. A tiny schema here, so the rules are seen apart
// from the scenario schema (test/scenario/schema.test.ts checks the real messages end to end).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { ExitCode, InputError } from '../../src/errors.js';
import {
  customIssue, formatPath, formatValue, issuesToProblems, maxReportedProblems, problemsError, sortByFileOrder, strictObject, type Problem,
} from '../../src/scenario/issues.js';

const input = strictObject(
  { shape: z.array(z.number({ error: 'expected an integer' })), feed: z.number({ error: 'expected a number' }).optional() },
  'expected a mapping with shape (and feed)',
);
const schema = strictObject(
  {
    models: z.array(z.string({ error: 'expected a model name' })),
    mode: z.enum(['fast', 'slow'], { error: 'expected fast or slow' }).optional(),
    repetitions: z.number({ error: 'expected a number' }).optional(),
    inputs: z.record(z.string(), input).optional(),
    batch: z.union([z.number(), z.array(z.number({ error: 'expected a batch size' }))], { error: 'expected a batch size or a list of them' }).optional(),
  },
  'expected a mapping of settings',
  { reps: 'repetitions' },
).superRefine((value, ctx) => {
  if (value.mode === 'slow' && value.repetitions === 1) ctx.addIssue(customIssue('slow mode needs at least 2 repetitions, got 1', 1, { path: ['repetitions'], hint: 'raise repetitions or use mode: fast' }));
});

const problems = (raw: unknown): Problem[] => {
  const result = schema.safeParse(raw, { reportInput: true });
  assert.equal(result.success, false, 'expected the input to be refused');
  return issuesToProblems(result.error!.issues);
};
const messages = (raw: unknown) => problems(raw).map((p) => `${formatPath(p.path)}: ${p.message}${p.hint ? ` | ${p.hint}` : ''}`);

test('formatPath: dots for names, brackets for indexes and for keys that are not plain names', () => {
  assert.equal(formatPath([]), '');
  assert.equal(formatPath(['models', 0, 'inputs', 'x', 'shape']), 'models[0].inputs.x.shape');
  assert.equal(formatPath(['inputs', 'input.1', 'feed']), 'inputs["input.1"].feed');
  assert.equal(formatPath([0, 'a']), '[0].a');
  assert.equal(formatPath(['1024']), '["1024"]');
});

test('formatValue: JSON of what was received, "nothing" for a missing value, shortened past 60 characters', () => {
  assert.equal(formatValue(undefined), 'nothing');
  assert.equal(formatValue('x'), '"x"');
  assert.equal(formatValue(null), 'null');
  assert.equal(formatValue({ a: [1, 2] }), '{"a":[1,2]}');
  assert.equal(formatValue(Number.NaN), 'NaN');
  assert.equal(formatValue(Number.NEGATIVE_INFINITY), '-Infinity');
  assert.equal(formatValue(12n), '12');
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  assert.equal(formatValue(circular), '[object Object]');
  // '"' + 100 × x + '"' is 102 characters: the first 57 ('"' and 56 x) and an ellipsis.
  assert.equal(formatValue('x'.repeat(100)), `"${'x'.repeat(56)}…`);
  assert.equal(formatValue('x'.repeat(58)).length, 60, 'exactly 60 characters are kept whole');
});

test('a missing required field, a wrong type and an out-of-list value each name the field and what was received', () => {
  assert.deepEqual(messages({}), ['models: required, got nothing']);
  assert.deepEqual(messages({ models: ['mlp', 3] }), ['models[1]: expected a model name, got 3']);
  assert.deepEqual(messages({ models: [], mode: 'fsat' }), ['mode: expected fast or slow, got "fsat" | did you mean "fast"?']);
  assert.deepEqual(messages({ models: [], mode: 'medium' }), ['mode: expected fast or slow, got "medium"'], 'no hint when nothing is close');
  assert.deepEqual(messages('hello'), [': expected a mapping of settings, got "hello"']);
});

test('unknown keys: the nearest key or alias, with the valid keys as the hint; a numeric key explains YAML\'s comma', () => {
  assert.deepEqual(problems({ models: [], repetitons: 3 }), [{ path: [], message: 'unknown key "repetitons" — did you mean "repetitions"?', hint: 'valid keys here: models, mode, repetitions, inputs, batch', at: ['repetitons'] }]);
  assert.deepEqual(messages({ models: [], reps: 3 }), [': unknown key "reps" — did you mean "repetitions"? | valid keys here: models, mode, repetitions, inputs, batch']);
  assert.deepEqual(messages({ models: [], colour: 'red' }), [': unknown key "colour" (valid keys here: models, mode, repetitions, inputs, batch)']);
  // `{ shape: N,1024 }` in YAML parses as { shape: 'N', 1024: null }.
  assert.deepEqual(messages({ models: [], inputs: { x: { shape: [1], 1024: null } } }), [
    'inputs.x: unknown key "1024" (valid keys here: shape, feed) | inside { } a comma starts a new entry: quote the value ("N,1024") or write a list [N, 1024]',
  ]);
});

test('a union reports the problem inside the branch whose type matched, else its own expectation', () => {
  assert.deepEqual(messages({ models: [], batch: [1, 'x'] }), ['batch[1]: expected a batch size, got "x"']);
  assert.deepEqual(messages({ models: [], batch: 'x' }), ['batch: expected a batch size or a list of them, got "x"']);
});

test('a custom issue keeps its complete message and its hint; a base path is put in front', () => {
  assert.deepEqual(problems({ models: [], mode: 'slow', repetitions: 1 }), [{ path: ['repetitions'], message: 'slow mode needs at least 2 repetitions, got 1', hint: 'raise repetitions or use mode: fast' }]);
  const result = schema.safeParse({ models: [3] }, { reportInput: true });
  assert.deepEqual(issuesToProblems(result.error!.issues, ['scenarios', 2]).map((p) => formatPath(p.path)), ['scenarios[2].models[0]']);
});

test('sortByFileOrder: the order of the keys in the file, a missing key first at its level, ties as given', () => {
  const raw = { repetitions: 'x', colour: 1, models: [1] };
  const sorted = sortByFileOrder(problems(raw), raw);
  // zod reports models, repetitions, then unknown keys; the file has repetitions, colour, models; models[0] sorts by index.
  assert.deepEqual(sorted.map((p) => `${formatPath(p.at ?? p.path)}`), ['repetitions', 'colour', 'models[0]']);
  const missing = { mode: 'x' };
  assert.deepEqual(sortByFileOrder(problems(missing), missing).map((p) => p.message), ['required, got nothing', 'expected fast or slow, got "x"']);
  const same: Problem[] = [{ path: ['a'], message: 'first' }, { path: ['a'], message: 'second' }];
  assert.deepEqual(sortByFileOrder(same, { a: 1 }).map((p) => p.message), ['first', 'second']);
});

test('problemsError: one InputError, a line per problem prefixed with the file, the first problem\'s hint', () => {
  const error = problemsError('quick.yaml', [
    { path: [], message: 'unknown key "reps" — did you mean "repetitions"?', hint: 'valid keys here: models' },
    { path: ['models', 0], message: 'expected a model name, got 3', hint: 'not shown: hints speak of the first line only' },
  ]);
  assert.ok(error instanceof InputError);
  assert.equal(error.code, 'SCENARIO_INVALID');
  assert.equal(error.exitCode, ExitCode.badInput);
  assert.equal(error.message, 'quick.yaml: unknown key "reps" — did you mean "repetitions"?\nquick.yaml: models[0]: expected a model name, got 3');
  assert.equal(error.hint, 'valid keys here: models');
  assert.equal(problemsError('f.yaml', [{ path: ['a'], message: 'm' }], 'BUDGET_INVALID').code, 'BUDGET_INVALID');
  assert.equal(problemsError('f.yaml', [{ path: ['a'], message: 'm' }]).hint, undefined);
});

test(`problemsError lists ${maxReportedProblems} problems, then how many more (singular and plural)`, () => {
  const many = (n: number): Problem[] => Array.from({ length: n }, (_, i) => ({ path: ['batch', i], message: `bad ${i}` }));
  const six = problemsError('f.yaml', many(6)).message.split('\n');
  assert.equal(six.length, 6);
  assert.equal(six[4], 'f.yaml: batch[4]: bad 4');
  assert.equal(six[5], 'f.yaml: …and 1 more problem');
  assert.equal(problemsError('f.yaml', many(8)).message.split('\n').at(-1), 'f.yaml: …and 3 more problems');
  assert.equal(problemsError('f.yaml', many(5)).message.split('\n').length, 5);
});
