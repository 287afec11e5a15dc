// The inputs of `joulebench merge` in temp folders: which result.json files the paths name (a file, a run folder, a
// folder of run folders up to three levels down), and each read whole with the merge's own error codes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { readMergeInput, resultFilesOf } from '../../src/fleet/inputs.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';
import { rejectedInputError as rejected } from '../fixtures/errors.js';

const temp = () => mkdtempSync(path.join(os.tmpdir(), 'jb-merge-inputs-'));
const valid = JSON.stringify(syntheticResult({ runId: 'r1', measurements: [{ samplesPerJoule: [10, 10] }] }));

// A result.json at `relative` under `root` (folders made as needed); returns its absolute path.
function put(root: string, relative: string, text = valid): string {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('resultFilesOf', () => {
  it('a file is itself; a run folder is its result.json; both made absolute', async () => {
    const root = temp();
    const file = put(root, 'run-a/result.json');
    assert.deepEqual(await resultFilesOf([file]), [file]);
    assert.deepEqual(await resultFilesOf([path.join(root, 'run-a')]), [file]);
    assert.deepEqual(await resultFilesOf([path.relative(process.cwd(), file)]), [file]);
  });

  it('a folder of run folders: each run\'s file, by folder name; a Slurm job\'s two levels too', async () => {
    const root = temp();
    const b = put(root, 'results/run-b/result.json');
    const a = put(root, 'results/run-a/result.json');
    const job = put(root, 'results/job-7/run-c/result.json');
    assert.deepEqual(await resultFilesOf([path.join(root, 'results')]), [job, a, b]);
  });

  it('a run folder\'s own result.json hides the folders under it (a previous merge\'s machines)', async () => {
    const root = temp();
    const top = put(root, 'merged/result.json');
    put(root, 'merged/machine-abc/result.json');
    assert.deepEqual(await resultFilesOf([path.join(root, 'merged')]), [top]);
  });

  it('three levels below the folder are searched, a fourth is not; hidden folders are skipped', async () => {
    const root = temp();
    const deep = put(root, 'a/b/c/result.json');
    put(root, 'x/y/z/w/result.json');
    put(root, '.cache/run/result.json');
    assert.deepEqual(await resultFilesOf([root]), [deep]);
  });

  it('the same file named twice is listed once, in the order first named', async () => {
    const root = temp();
    const a = put(root, 'run-a/result.json');
    const b = put(root, 'run-b/result.json');
    assert.deepEqual(await resultFilesOf([b, root, a]), [b, a]);
  });

  it('a path that does not exist: MERGE_INPUT_NOT_FOUND as given, with what to give', async () => {
    const error = await rejected(resultFilesOf([path.join(temp(), 'nope')]));
    assert.equal(error.code, 'MERGE_INPUT_NOT_FOUND');
    assert.match(error.message, /^merge: \/.*\/nope: no such file or folder$/);
    assert.match(error.hint!, /run folders, their result\.json files, or a folder holding run folders/);
  });

  it('a folder with no result.json anywhere under it: MERGE_INPUT_NOT_FOUND pointing at --out', async () => {
    const root = temp();
    mkdirSync(path.join(root, 'empty/inner'), { recursive: true });
    const error = await rejected(resultFilesOf([path.join(root, 'empty')]));
    assert.equal(error.code, 'MERGE_INPUT_NOT_FOUND');
    assert.equal(error.message, `merge: ${path.join(root, 'empty')}: no result.json in this folder or the folders under it`);
    assert.match(error.hint!, /its --out/);
  });
});

describe('readMergeInput', () => {
  it('a result: the file and the result read whole', async () => {
    const file = put(temp(), 'r/result.json');
    const input = await readMergeInput(file);
    assert.equal(input.file, file);
    assert.equal(input.result.runId, 'r1');
    assert.equal(input.result.measurements[0]!.key, 'mlp/fp32/cpu/b1');
  });

  it('a file cut short or not JSON is MERGE_INPUT_CORRUPT: nothing merged, run that shard again', async () => {
    const root = temp();
    // The first 41 bytes of a result: cut short (41 bytes).
    const cut = put(root, 'cut.json', valid.slice(0, 41));
    const error = await rejected(readMergeInput(cut));
    assert.equal(error.code, 'MERGE_INPUT_CORRUPT');
    assert.equal(error.message, `merge: ${cut}: cut short (41 bytes); nothing was merged or written`);
    assert.match(error.hint!, /run that shard again \(joulebench run … --shard I\/N\)/);
    assert.ok(error.cause instanceof InputError && error.cause.code === 'RESULT_NOT_JSON');
    assert.equal((await rejected(readMergeInput(put(root, 'text.json', 'hello')))).code, 'MERGE_INPUT_CORRUPT');
  });

  it('JSON that is not a joulebench result is MERGE_INPUT_NOT_RESULT', async () => {
    const file = put(temp(), 'other.json', '{"schema":"something/else"}');
    const error = await rejected(readMergeInput(file));
    assert.equal(error.code, 'MERGE_INPUT_NOT_RESULT');
    assert.equal(error.message, `merge: ${file}: not a joulebench result (schema is not "joulebench/result@1"); nothing was merged or written`);
    assert.equal(error.hint, 'give only run folders joulebench wrote');
  });

  it('a result lacking what every result has, or with a malformed measurement, is MERGE_INPUT_CORRUPT', async () => {
    const root = temp();
    const incomplete = await rejected(readMergeInput(put(root, 'inc.json', '{"schema":"joulebench/result@1"}')));
    assert.equal(incomplete.code, 'MERGE_INPUT_CORRUPT');
    assert.match(incomplete.message, /: incomplete: it lacks runId, createdAt, .*; nothing was merged or written$/);
    const broken = JSON.parse(valid) as { measurements: Array<Record<string, unknown>> };
    delete broken.measurements[0]!.key;
    const malformed = await rejected(readMergeInput(put(root, 'bad.json', JSON.stringify(broken))));
    assert.equal(malformed.code, 'MERGE_INPUT_CORRUPT');
    assert.match(malformed.message, /: malformed: measurements\[0\] lacks key, model or repetitions; nothing/);
  });

  it('a missing file or a folder is MERGE_INPUT_NOT_FOUND', async () => {
    const root = temp();
    assert.equal((await rejected(readMergeInput(path.join(root, 'missing.json')))).code, 'MERGE_INPUT_NOT_FOUND');
    const folder = await rejected(readMergeInput(root));
    assert.equal(folder.code, 'MERGE_INPUT_NOT_FOUND');
    assert.equal(folder.message, `merge: ${root}: is a folder, not a result.json; nothing was merged or written`);
  });
});
