// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: bench and inspect on third-party-style models (odd dim names, state inputs, scalars, fixed batches).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/results/types.js';
import {
  fixedBatchModel,
  recurrentStateModel,
  scalarFeedModel,
  symbolicImageModel,
  tokenModel,
  tokenModelVocabSize,
  unknownDimModel,
} from '../fixtures/models.js';
import { assertBadInput, csvRecords, ensureBuilt, fastFlags, onlyRunDir, readResult, removeDir, runCli, tempDir, writeReplayTrace } from './helpers.js';

/** The slice of `inspect --json` these tests read. */
interface InspectJson {
  inputs: Array<{ name: string }>;
  indexBounds: Record<string, number>;
  layout: { inputs: Array<{ name: string; dims: Array<number | 'N'>; batchAxis: number | null; range: [number, number] | null }>; fixedBatch: number | null } | null;
  layoutProblem: string | null;
}

describe('third-party models', { timeout: 120_000 }, () => {
  let work: string;
  let modelsDir: string;
  let runs = 0;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('third-party');
    modelsDir = path.join(work, 'models');
    await writeReplayTrace(work, 'trace.csv', 20, () => 30);
    const fixtures: Record<string, Uint8Array> = {
      'symbolic-image.onnx': symbolicImageModel(),
      'recurrent-state.onnx': recurrentStateModel(),
      'scalar-feed.onnx': scalarFeedModel(),
      'fixed-batch.onnx': fixedBatchModel(),
      'token.onnx': tokenModel(),
      'unknown-dim.onnx': unknownDimModel(),
    };
    for (const [file, bytes] of Object.entries(fixtures)) await writeFile(path.join(work, file), bytes);
  });
  after(() => removeDir(work));

  // bench a fixture with the replay meter into its own output folder (no idle baseline: these tests check what runs,
  // not energy); returns the CLI outcome and the result.
  async function bench(model: string, args: string[]) {
    const out = `out-${++runs}`;
    const cli = await runCli(['bench', model, '--meter', 'replay:trace.csv', '--out', out, ...fastFlags, '--idle-seconds', '0', ...args], { cwd: work, modelsDir });
    const outDir = path.join(work, out);
    const result = existsSync(outDir) ? await readResult(await onlyRunDir(outDir)) : null;
    return { cli, result, outDir };
  }

  async function inspect(model: string, args: string[] = []): Promise<InspectJson> {
    const cli = await runCli(['inspect', model, '--json', ...args], { cwd: work, modelsDir });
    assert.equal(cli.code, 0, cli.stderr);
    return JSON.parse(cli.stdout) as InspectJson;
  }

  function assertAllOk(result: RunResult | null, keys: string[]): RunResult {
    assert.ok(result, 'no result.json written');
    assert.equal(result.status, 'complete');
    assert.deepEqual(result.measurements.map((m) => m.key), keys);
    for (const m of result.measurements) {
      assert.equal(m.status, 'ok', `${m.key}: ${m.error?.code} ${m.error?.message}`);
      for (const rep of m.repetitions) assert.equal(rep.samples, rep.runs * m.batchSize);
    }
    return result;
  }

  test('symbolic image model [batch, 3, height, width] runs with --shape x=N,3,16,16', async () => {
    const { cli, result } = await bench('symbolic-image.onnx', ['--shape', 'x=N,3,16,16', '--batch', '1,2']);
    assert.equal(cli.code, 0, cli.stderr);
    assertAllOk(result, ['symbolic-image/fp32/cpu/b1', 'symbolic-image/fp32/cpu/b2']);
  });

  test('symbolic image model without --shape: exit 2 naming the input, the symbolic dim and the --shape fix', async () => {
    const { cli, outDir } = await bench('symbolic-image.onnx', ['--batch', '1,2']);
    const { message, fix } = assertBadInput(cli, '"x"', /"height"|"width"/);
    assert.match(fix ?? message, /--shape x=/);
    assert.equal(existsSync(outDir), false, 'bad input must be caught before a run folder is made');
  });

  test('recurrent state [2, batch_size, 32]: the batch goes on axis 1 of the state and the sweep runs', async () => {
    const info = await inspect('recurrent-state.onnx');
    assert.ok(info.layout, info.layoutProblem ?? '');
    const byName = Object.fromEntries(info.layout.inputs.map((input) => [input.name, input]));
    assert.equal(byName.x?.batchAxis, 0);
    assert.deepEqual(byName.x?.dims, ['N', 32]);
    assert.equal(byName.state?.batchAxis, 1);
    assert.deepEqual(byName.state?.dims, [2, 'N', 32]);
    assert.equal(info.layout.fixedBatch, null);

    const { cli, result } = await bench('recurrent-state.onnx', ['--batch', '1,3']);
    assert.equal(cli.code, 0, cli.stderr);
    assertAllOk(result, ['recurrent-state/fp32/cpu/b1', 'recurrent-state/fp32/cpu/b3']);
  });

  test('scalar feed: --feed sr=16000 fixes the scalar input and the sweep runs', async () => {
    const { cli, result } = await bench('scalar-feed.onnx', ['--feed', 'sr=16000', '--batch', '1,2']);
    assert.equal(cli.code, 0, cli.stderr);
    const run = assertAllOk(result, ['scalar-feed/fp32/cpu/b1', 'scalar-feed/fp32/cpu/b2']);
    const resolved = run.scenario.resolved as { models: Array<{ inputs: Record<string, { feed?: number }> }> };
    assert.equal(resolved.models[0]?.inputs.sr?.feed, 16000);
  });

  test('fixed batch [1, 64]: b1 runs, b8 and b32 are skipped with FIXED_BATCH, exit 0', async () => {
    const { cli, result, outDir } = await bench('fixed-batch.onnx', ['--batch', '1,8,32']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.ok(result);
    assert.deepEqual(
      result.measurements.map((m) => [m.key, m.status, m.error?.code ?? null]),
      [
        ['fixed-batch/fp32/cpu/b1', 'ok', null],
        ['fixed-batch/fp32/cpu/b8', 'skipped', 'FIXED_BATCH'],
        ['fixed-batch/fp32/cpu/b32', 'skipped', 'FIXED_BATCH'],
      ],
    );
    for (const m of result.measurements.slice(1)) {
      assert.match(m.error!.message, /fixed at 1/);
      assert.equal(m.trace, null);
      assert.deepEqual(m.repetitions, []);
    }
    const runDir = await onlyRunDir(outDir);
    assert.deepEqual(await readdir(path.join(runDir, 'traces')), ['fixed-batch__fp32__cpu__b1.csv']);
    const { records } = csvRecords(await readFile(path.join(runDir, 'measurements.csv'), 'utf8'));
    assert.deepEqual(records.map((r) => [r.status, r.error_code]), [['ok', ''], ['skipped', 'FIXED_BATCH'], ['skipped', 'FIXED_BATCH']]);
    assert.match(cli.stdout, /fixed-batch\/fp32\/cpu\/b8: skipped — the model's batch is fixed at 1/);
  });

  test('token model: ids are drawn below the Gather table size, so the sweep runs', async () => {
    const shapes = ['--shape', 'input_ids=N,16', '--shape', 'attention_mask=N,16'];
    const info = await inspect('token.onnx', shapes);
    assert.deepEqual(info.indexBounds, { input_ids: tokenModelVocabSize });
    assert.ok(info.layout, info.layoutProblem ?? '');
    assert.deepEqual(info.layout.inputs.find((input) => input.name === 'input_ids')?.range, [0, tokenModelVocabSize]);

    const { cli, result } = await bench('token.onnx', ['--batch', '2', ...shapes]);
    assert.equal(cli.code, 0, cli.stderr);
    assertAllOk(result, ['token/fp32/cpu/b2']);
  });

  test('token model without a size for its "seq" dim: exit 2 naming it and the --shape fix', async () => {
    const { cli } = await bench('token.onnx', ['--batch', '2']);
    const { fix } = assertBadInput(cli, '"input_ids"', '"seq"');
    assert.match(fix ?? '', /--shape input_ids=N,/);
  });

  test('unknown first dim (neither dim_value nor dim_param) is taken as the batch', async () => {
    const info = await inspect('unknown-dim.onnx');
    assert.deepEqual(info.layout?.inputs.map((input) => [input.name, input.batchAxis, input.dims]), [['x', 0, ['N', 16]]]);
    const { cli, result } = await bench('unknown-dim.onnx', ['--batch', '1,2']);
    assert.equal(cli.code, 0, cli.stderr);
    assertAllOk(result, ['unknown-dim/fp32/cpu/b1', 'unknown-dim/fp32/cpu/b2']);
  });
});
