// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: every kind of bad input ends with exit 2 and one clear `joulebench:` line naming the thing at fault,
// and a model onnxruntime rejects is recorded as a failed configuration (exit 2, result.json kept).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import onnxProto from 'onnx-proto';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { symbolicImageModel } from '../fixtures/models.js';
import { assertBadInput, ensureBuilt, fastFlags, onlyRunDir, readResult, removeDir, runCli, tempDir, writeReplayTrace, type CliResult } from './helpers.js';

const { onnx } = onnxProto;

// Every case runs in its own folder, so cases run a few at a time (each is one short CLI process).
const parallel = { concurrency: 3 };

describe('bad input: exit 2 with one message that names the culprit', { timeout: 120_000, ...parallel }, () => {
  let work: string;
  let modelsDir: string;
  let mlpBytes: Buffer;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('bad-input');
    modelsDir = path.join(work, 'models');
    // Builds mlp.onnx into the models folder once; its bytes feed the truncation case.
    const built = await runCli(['models', 'build'], { cwd: work, modelsDir });
    assert.equal(built.code, 0, built.stderr);
    mlpBytes = await readFile(path.join(modelsDir, 'mlp.onnx'));
  });
  after(() => removeDir(work));

  /**
   * Run the CLI in a fresh folder holding `files` and a 10 ms replay trace; bench/run get the replay meter so nothing
   * waits on a real meter. Also checks that no run folder appeared (bad input must be caught before measuring).
   */
  async function attempt(args: string[], files: Record<string, Uint8Array | string> = {}): Promise<CliResult> {
    const cwd = await mkdtemp(path.join(work, 'case-'));
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(cwd, name), content);
    await writeReplayTrace(cwd, 'trace.csv', 5, () => 10);
    // The default meter goes before the case's own flags: parseArgs keeps the last value, so a case's --meter wins.
    const [command, ...rest] = args;
    const meter = command === 'bench' || command === 'run' ? ['--meter', 'replay:trace.csv'] : [];
    const cli = await runCli([command!, ...meter, ...rest], { cwd, modelsDir });
    assert.equal(existsSync(path.join(cwd, 'results')), false, `a run folder was created for bad input: ${args.join(' ')}`);
    return cli;
  }

  describe('model files', parallel, () => {
    test('missing file', async () => {
      assertBadInput(await attempt(['bench', 'missing.onnx']), 'missing.onnx', /not found/);
    });

    test('empty file', async () => {
      assertBadInput(await attempt(['bench', 'empty.onnx'], { 'empty.onnx': new Uint8Array() }), 'empty.onnx', /empty/);
    });

    test('random bytes', async () => {
      // Fixed bytes (not Math.random) so the failure, if any, reproduces.
      const bytes = Uint8Array.from({ length: 512 }, (_, i) => (i * 197 + 89) % 251);
      assertBadInput(await attempt(['bench', 'random.onnx'], { 'random.onnx': bytes }), 'random.onnx', /not an ONNX model/);
    });

    test('a valid model cut in half', async () => {
      const half = mlpBytes.subarray(0, Math.floor(mlpBytes.length / 2));
      assertBadInput(await attempt(['bench', 'half.onnx'], { 'half.onnx': half }), 'half.onnx', /not an ONNX model/, /truncated/);
    });

    test('a text file', async () => {
      assertBadInput(await attempt(['bench', 'hello.onnx'], { 'hello.onnx': 'hello\n' }), 'hello.onnx', /not an ONNX model/);
    });

    test('valid protobuf that is a TensorProto, not a model', async () => {
      const tensor = onnx.TensorProto.encode({ name: 'weights', dims: [2], dataType: 1, floatData: [1, 2] }).finish();
      assertBadInput(await attempt(['bench', 'tensor.onnx'], { 'tensor.onnx': tensor }), 'tensor.onnx', /not an ONNX model/);
    });

    test('valid ModelProto protobuf with no graph', async () => {
      const empty = onnx.ModelProto.encode({ irVersion: 8 }).finish();
      assertBadInput(await attempt(['bench', 'nograph.onnx'], { 'nograph.onnx': empty }), 'nograph.onnx', /not an ONNX model/, /no graph/);
    });

    test('inspect reports a missing file the same way', async () => {
      assertBadInput(await attempt(['inspect', 'missing.onnx']), 'missing.onnx', /not found/);
    });
  });

  describe('bench flags', parallel, () => {
    test('unknown built-in name suggests the close one', async () => {
      assertBadInput(await attempt(['bench', 'mpl']), '"mpl"', /did you mean "mlp"/);
    });

    test('--ep foo: unknown provider, lists the available ones', async () => {
      const { message, fix } = assertBadInput(await attempt(['bench', 'mlp', '--ep', 'foo']), '"foo"', /unknown execution provider/);
      assert.match(`${message} ${fix ?? ''}`, /\bcpu\b/, 'the providers that work here (cpu at least) are listed');
    });

    test('--ep cuda: known but not available here, lists the available ones', async () => {
      const { message, fix } = assertBadInput(await attempt(['bench', 'mlp', '--ep', 'cuda']), '"cuda"', /not available here/);
      assert.match(`${message} ${fix ?? ''}`, /[:,] cpu\b/, 'the providers that work here (cpu at least) are listed');
    });

    test('--shape for an input the model lacks names it and lists the real inputs', async () => {
      assertBadInput(await attempt(['bench', 'mlp', '--shape', 'nope=N,3']), '"nope"', /its inputs are "x"/);
    });

    test('--shape with the wrong rank names the input and both ranks', async () => {
      const cli = await attempt(['bench', 'image.onnx', '--shape', 'x=N,3'], { 'image.onnx': symbolicImageModel() });
      assertBadInput(cli, '--shape x=N,3', '"x"', /rank 4/, /rank 2/);
    });

    test('--shape that contradicts a fixed dim names the axis and its size', async () => {
      assertBadInput(await attempt(['bench', 'mlp', '--shape', 'x=N,3']), '"x"', /axis 1/, /1024/);
    });

    for (const value of ['0', 'eight', '1,0,4']) {
      test(`--batch ${value}`, async () => {
        assertBadInput(await attempt(['bench', 'mlp', '--batch', value]), '--batch', /positive integers/);
      });
    }

    test('--batch=-1 (value attached)', async () => {
      assertBadInput(await attempt(['bench', 'mlp', '--batch=-1']), '--batch', '"-1"');
    });

    test(
      '--batch -1 (value as the next argument)',
      {},
      async () => {
        assertBadInput(await attempt(['bench', 'mlp', '--batch', '-1']), '--batch', '-1');
      },
    );

    test('unknown flag', async () => {
      assertBadInput(await attempt(['bench', 'mlp', '--bogus']), "'--bogus'");
    });

    test('--meter replay: with a missing trace names the file', async () => {
      assertBadInput(await attempt(['bench', 'mlp', '--meter', 'replay:nothere.csv']), 'nothere.csv');
    });

    test(
      'bench errors name the flag the user typed, not the scenario field it became',
      {},
      async () => {
        assertBadInput(await attempt(['bench', 'mlp', '--pue', '0.5']), '--pue', '0.5');
        assertBadInput(await attempt(['bench', 'mlp', '--min-seconds', '0']), '--min-seconds', '0');
      },
    );
  });

  describe('scenario files', parallel, () => {
    test('not YAML', async () => {
      const cli = await attempt(['run', 'broken.yaml'], { 'broken.yaml': 'models: [mlp\n  batchSizes: {\n' });
      assertBadInput(cli, 'broken.yaml', /not valid YAML at line \d+, column \d+/);
    });

    test('unknown key suggests the right one', async () => {
      const cli = await attempt(['run', 'typo.yaml'], { 'typo.yaml': 'models: [mlp]\nbatchsize: [1, 2]\n' });
      assertBadInput(cli, 'typo.yaml', '"batchsize"', /did you mean "batchSizes"/);
    });

    test('a wrong list item names its index', async () => {
      const cli = await attempt(['run', 'eight.yaml'], { 'eight.yaml': 'models: [mlp]\nbatchSizes: [1, "eight"]\n' });
      assertBadInput(cli, 'eight.yaml', 'batchSizes[1]', 'eight');
    });

    test('missing scenario file', async () => {
      assertBadInput(await attempt(['run', 'nothere.yaml']), 'nothere.yaml');
    });
  });

  describe('output', parallel, () => {
    test('--out under a regular file (ENOTDIR; chmod would not stop root)', async () => {
      const cli = await attempt(['bench', 'mlp', '--batch', '1', ...fastFlags, '--out', 'somefile/sub'], { somefile: 'not a folder\n' });
      assertBadInput(cli, path.join('somefile', 'sub'), /cannot write the output folder/, /ENOTDIR/);
    });

    test('report on a file that is not JSON', async () => {
      assertBadInput(await attempt(['report', 'notes.txt'], { 'notes.txt': 'hello' }), 'notes.txt', /not JSON/);
    });

    test(
      'report on a CSV (a newline early in the file) still gives one line',
      {},
      async () => {
        assertBadInput(await attempt(['report', 'trace.csv']), 'trace.csv', /not JSON/);
      },
    );

    test('report on JSON that is not a result names the schema', async () => {
      assertBadInput(await attempt(['report', 'other.json'], { 'other.json': '{"schema": "something/else"}' }), 'other.json', 'joulebench/result@1');
    });
  });
});

describe('a model onnxruntime rejects', { timeout: 60_000 }, () => {
  let work: string;
  before(async () => {
    await ensureBuilt();
    work = await tempDir('rejected');
  });
  after(() => removeDir(work));

  test('unknown op: exit 2, result.json records the configuration as failed with the op named', async () => {
    const model = new GraphBuilder('unknown_op')
      .input('x', 'float32', ['N', 4])
      .node('NoSuchOp', ['x'], ['y'])
      .output('y', 'float32', ['N', 4])
      .build();
    await writeFile(path.join(work, 'unknown-op.onnx'), model);
    await writeReplayTrace(work, 'trace.csv', 5, () => 10);
    const cli = await runCli(['bench', 'unknown-op.onnx', '--batch', '1,2', '--meter', 'replay:trace.csv', '--out', 'out', ...fastFlags], {
      cwd: work,
      modelsDir: path.join(work, 'models'),
    });
    assert.equal(cli.code, 2, cli.stderr);
    assert.ok(!cli.stderr.includes('    at '), cli.stderr);
    assert.match(cli.stderr, /^joulebench: no configuration could be measured — unknown-op\/fp32\/cpu\/b1: .*NoSuchOp/m);
    const result = await readResult(await onlyRunDir(path.join(work, 'out')));
    assert.equal(result.status, 'complete');
    assert.deepEqual(result.measurements.map((m) => [m.key, m.status]), [
      ['unknown-op/fp32/cpu/b1', 'failed'],
      ['unknown-op/fp32/cpu/b2', 'failed'],
    ]);
    for (const m of result.measurements) {
      assert.equal(m.error?.code, 'MODEL_REJECTED');
      assert.match(m.error!.message, /NoSuchOp/);
      assert.ok(!m.error!.message.includes('\n'), 'error messages in result.json are one line');
      assert.equal(m.trace, null);
      assert.equal(m.energy, null);
    }
  });
});
