// The one result.json reader: a good result comes back as written; every failure is an InputError (exit 2) whose
// code says what is wrong and whose message names the file (and the role it was given for).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { readResultFile } from '../../src/results/read.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

let dir: string;
before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'jb-read-'))));
after(() => rm(dir, { recursive: true, force: true }));

const good = () => syntheticResult({ runId: 'r1', measurements: [{ samplesPerJoule: [10, 11] }, { batch: 4, samplesPerJoule: [20, 21] }] });

async function file(name: string, text: string): Promise<string> {
  const at = path.join(dir, name);
  await writeFile(at, text);
  return at;
}

// The error readResultFile throws for `at`, checked to be exit-2 bad input with `code`.
async function failure(at: string, code: string, role?: string): Promise<InputError> {
  try {
    await readResultFile(at, role);
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.exitCode, 2);
    return error;
  }
  assert.fail(`${at} was read without an error`);
}

test('a result joulebench wrote comes back as it was written', async () => {
  const result = good();
  assert.deepEqual(await readResultFile(await file('good.json', JSON.stringify(result, null, 2))), result);
});

test('RESULT_NOT_FOUND: a missing file, or a path through a file; the hint says where results live', async () => {
  const missing = path.join(dir, 'nowhere', 'result.json');
  const error = await failure(missing, 'RESULT_NOT_FOUND');
  assert.equal(error.message, `${missing}: no such result file`);
  assert.match(error.hint!, /results\/<runId>\/result\.json/);
  assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
  // ENOTDIR: a path that goes on below a file.
  const below = path.join(await file('plain.txt', 'x'), 'result.json');
  assert.equal((await failure(below, 'RESULT_NOT_FOUND')).message, `${below}: no such result file`);
});

test('RESULT_IS_DIRECTORY: a run folder; the hint names the result.json inside it', async () => {
  const folder = path.join(dir, 'run-folder');
  await mkdir(folder);
  const error = await failure(folder, 'RESULT_IS_DIRECTORY');
  assert.equal(error.message, `${folder}: is a folder, not a result.json`);
  assert.equal(error.hint, `give the result.json inside it: ${path.join(folder, 'result.json')}`);
});

test('RESULT_UNREADABLE: any other read failure names the file and the system error', async () => {
  // A symlink to itself cannot be read (ELOOP), whoever runs the test (a chmod 000 file would not stop root).
  const loop = path.join(dir, 'loop.json');
  await symlink(loop, loop);
  const error = await failure(loop, 'RESULT_UNREADABLE');
  assert.equal(error.message, `cannot read ${loop}: ELOOP`);
});

test('RESULT_NOT_JSON: a file cut short says so, with its size in bytes, and how to get a whole one', async () => {
  const whole = JSON.stringify(good());
  const cases: Array<[string, string, number]> = [
    ['empty.json', '', 0],
    ['blank.json', '  \n', 3], // only white space
    ['half.json', whole.slice(0, 40), 40], // inside a string or after a value: the parse fails at the very end
    ['comma.json', '{"a": 1,', 8], // "Expected double-quoted property name … at position 8" = its length
    ['string.json', '{"schema": "jou', 15], // "Unterminated string"
  ];
  for (const [name, text, bytes] of cases) {
    const at = await file(name, text);
    const error = await failure(at, 'RESULT_NOT_JSON');
    assert.equal(error.message, `${at}: cut short (${bytes} bytes); expected a joulebench result.json`, name);
    assert.match(error.hint!, /stopped mid-write or the copy is incomplete: copy it again or run again/);
  }
});

test('RESULT_NOT_JSON: the size of a cut-short file counts bytes, not characters', async () => {
  // "Montréal" has one two-byte character: {"place": "Montr (16) + é (c3 a9: 2) + al (2) = 20 bytes, but 19 characters.
  const at = await file('utf8.json', '{"place": "Montréal');
  assert.match((await failure(at, 'RESULT_NOT_JSON')).message, /: cut short \(20 bytes\);/);
});

test('RESULT_NOT_JSON: text that is not JSON names the character where parsing failed', async () => {
  const at = await file('colon.json', '{"a" 1}'); // "Expected ':' after property name in JSON at position 5"
  const error = await failure(at, 'RESULT_NOT_JSON');
  assert.equal(error.message, `${at}: not JSON (syntax error at character 5); expected a joulebench result.json`);
  assert.equal(error.hint, 'give a result.json that joulebench wrote');
  const trailing = await file('trailing.json', '{"a": 1} x'); // a value, then more: position 9 < its 10 characters
  assert.match((await failure(trailing, 'RESULT_NOT_JSON')).message, /: not JSON \(syntax error at character 9\);/);
  // A message without a position (an unexpected token) still says "not JSON".
  const notes = await file('notes.txt', 'hello');
  assert.equal((await failure(notes, 'RESULT_NOT_JSON')).message, `${notes}: not JSON; expected a joulebench result.json`);
});

test('RESULT_SCHEMA: JSON that is not a joulebench result names the schema it needs', async () => {
  const expected = (at: string) => `${at}: not a joulebench result (schema is not "joulebench/result@1")`;
  for (const [name, text] of [['null.json', 'null'], ['array.json', '[]'], ['number.json', '42'], ['other.json', '{"schema": "something/else"}'], ['future.json', JSON.stringify({ ...good(), schema: 'joulebench/result@2' })]]) {
    const at = await file(name!, text!);
    assert.equal((await failure(at, 'RESULT_SCHEMA')).message, expected(at), name);
  }
});

test('RESULT_SCHEMA: a result lacking what every result has lists the missing fields', async () => {
  const { runId: _runId, meters: _meters, ...rest } = good();
  const lacking = await file('lacking.json', JSON.stringify({ ...rest, createdAt: null }));
  // Fields in the order required: runId, createdAt, …, meters.
  assert.equal((await failure(lacking, 'RESULT_SCHEMA')).message, `${lacking}: incomplete: it lacks runId, createdAt, meters`);
  const result = good();
  const noCpu = await file('no-cpu.json', JSON.stringify({ ...result, environment: { ...result.environment, host: { ...result.environment.host, cpu: undefined } } }));
  assert.equal((await failure(noCpu, 'RESULT_SCHEMA')).message, `${noCpu}: incomplete: it lacks environment`);
  const notList = await file('not-list.json', JSON.stringify({ ...result, measurements: {} }));
  assert.equal((await failure(notList, 'RESULT_SCHEMA')).message, `${notList}: incomplete: it lacks a measurements or meters list`);
});

test('RESULT_SCHEMA: a malformed measurement is named by its index', async () => {
  const result = good();
  const { key: _key, ...keyless } = result.measurements[1]!;
  const at = await file('malformed.json', JSON.stringify({ ...result, measurements: [result.measurements[0], keyless] }));
  assert.equal((await failure(at, 'RESULT_SCHEMA')).message, `${at}: malformed: measurements[1] lacks key, model or repetitions`);
  const nullModel = await file('null-model.json', JSON.stringify({ ...result, measurements: [{ ...result.measurements[0], model: null }] }));
  assert.match((await failure(nullModel, 'RESULT_SCHEMA')).message, /: malformed: measurements\[0\] lacks key, model or repetitions$/);
  const nullEntry = await file('null-entry.json', JSON.stringify({ ...result, measurements: [null] }));
  assert.match((await failure(nullEntry, 'RESULT_SCHEMA')).message, /: malformed: measurements\[0\]/);
});

test('a role names the file in every message: "the baseline <file>"', async () => {
  const missing = path.join(dir, 'gone.json');
  assert.equal((await failure(missing, 'RESULT_NOT_FOUND', 'baseline')).message, `the baseline ${missing}: no such result file`);
  const notes = await file('role-notes.txt', 'hello');
  assert.match((await failure(notes, 'RESULT_NOT_JSON', 'candidate')).message, new RegExp(`^the candidate ${notes.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not JSON`));
  const other = await file('role-other.json', '{}');
  assert.match((await failure(other, 'RESULT_SCHEMA', 'baseline')).message, /^the baseline .*role-other\.json: not a joulebench result/);
});
