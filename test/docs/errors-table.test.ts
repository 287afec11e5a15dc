// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// docs/errors.md is a contract: every row (a bad input, the exit code, a fragment of the message) is run here
// through the real CLI, and every case here must have its row. Rows are matched by their id (first column).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import onnxProto from 'onnx-proto';
import { zoo } from '../../src/model/zoo/index.js';
import { ensureBuilt, repoRoot, tempDir, writeReplayTrace } from '../cli/helpers.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

const { onnx } = onnxProto;

/** One row of the table: what to set up and which command to run in a fresh folder. */
interface Case {
  args: string[];
  files?: Record<string, Uint8Array | string>;
  env?: Record<string, string>;
  /** Extra set-up in the case's folder (symlinks). */
  setup?: (cwd: string) => Promise<void>;
}

function externalModel(location: string): Uint8Array {
  const value = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 4 }] } } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ version: 17 }],
    graph: {
      name: 'g', input: [value('x')], output: [value('y')], node: [{ opType: 'Add', input: ['x', 'W'], output: ['y'] }],
      initializer: [{
        name: 'W', dims: [4], dataType: 1, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [{ key: 'location', value: location }, { key: 'offset', value: '0' }, { key: 'length', value: '16' }],
      }],
    },
  }).finish();
}

// y = Cast(x) declared bfloat16 (type 16): onnxruntime-node has no bfloat16 tensor to read it into.
function bfloat16Output(): Uint8Array {
  const value = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType, shape: { dim: [{ dimValue: 2 }] } } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ version: 17 }],
    graph: { name: 'g', input: [value('x', 1)], output: [value('y', 16)], node: [{ opType: 'Cast', input: ['x'], output: ['y'], attribute: [{ name: 'to', type: 2, i: 16 }] }] },
  }).finish();
}

const cnn = zoo.cnn.build();
const aliasBomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`), 'models: [mlp]', ''].join('\n');

// A bench case whose --intensity-file is grid.csv with the given text.
function intensityFile(text: string): Case {
  return { args: ['bench', 'mlp', '--intensity-file', 'grid.csv'], files: { 'grid.csv': text } };
}

// Hold 127.0.0.1:PORT for the rest of the test process (unref'd, so it never keeps it alive) so that the CLI finds the
// port in use; when another program already holds it, it is in use all the same.
function holdPort(port: number): Promise<void> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve());
    server.listen(port, '127.0.0.1', () => {
      server.unref();
      resolve();
    });
  });
}

// A shard's result.json for the merge rows: shard `index` of `count` of the scenario with this sha256.
function shardResult(index: number, count: number, sha: string, extra: Record<string, unknown> = {}): string {
  const result = syntheticResult({ runId: `r${index}-${sha.slice(0, 1)}`, measurements: [{ model: `m${index}`, samplesPerJoule: [1, 1] }] });
  return JSON.stringify({ ...result, scenario: { ...result.scenario, sha256: sha }, shard: { index, count, keys: result.measurements.map((m) => m.key) }, ...extra });
}

const noShardIndex = { SLURM_ARRAY_TASK_ID: '', JOB_COMPLETION_INDEX: '' };

/** Every case of docs/errors.md by id. */
export const cases: Record<string, Case> = {
  'model-missing': { args: ['inspect', 'missing.onnx'] },
  'model-empty': { args: ['inspect', 'empty.onnx'], files: { 'empty.onnx': new Uint8Array() } },
  'model-truncated': { args: ['inspect', 'half.onnx'], files: { 'half.onnx': cnn.subarray(0, Math.floor(cnn.length / 2)) } },
  'model-random': { args: ['inspect', 'random.onnx'], files: { 'random.onnx': Uint8Array.from({ length: 512 }, (_, i) => (i * 197 + 89) % 251) } },
  'model-text': { args: ['inspect', 'hello.onnx'], files: { 'hello.onnx': 'hello\n' } },
  'model-wrong-magic': { args: ['inspect', 'model.pt'], files: { 'model.pt': Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]) } },
  'model-not-a-model': {
    args: ['inspect', 'tensor.onnx'],
    files: { 'tensor.onnx': onnx.TensorProto.encode({ name: 'weights', dims: [2], dataType: 1, floatData: [1, 2] }).finish() },
  },
  'model-no-graph': { args: ['inspect', 'nograph.onnx'], files: { 'nograph.onnx': onnx.ModelProto.encode({ irVersion: 8 }).finish() } },
  'model-folder': { args: ['inspect', 'folder.onnx'], setup: (cwd) => mkdir(path.join(cwd, 'folder.onnx')) },
  'external-absolute': { args: ['inspect', 'abs.onnx'], files: { 'abs.onnx': externalModel('/etc/passwd') } },
  'external-dotdot': { args: ['inspect', 'up.onnx'], files: { 'up.onnx': externalModel('../secret.bin') } },
  'external-symlink': {
    args: ['inspect', 'm/link.onnx'],
    setup: async (cwd) => {
      await mkdir(path.join(cwd, 'm'));
      await writeFile(path.join(cwd, 'secret.bin'), new Uint8Array(16));
      await symlink(path.join(cwd, 'secret.bin'), path.join(cwd, 'm', 'weights.bin'));
      await writeFile(path.join(cwd, 'm', 'link.onnx'), externalModel('weights.bin'));
    },
  },
  'external-missing': { args: ['inspect', 'gone.onnx'], files: { 'gone.onnx': externalModel('weights.bin') } },
  'model-too-large': { args: ['inspect', 'cnn.onnx'], files: { 'cnn.onnx': cnn }, env: { JOULEBENCH_MAX_MODEL_BYTES: '100KiB' } },
  'model-io-bfloat16': { args: ['bench', 'bf16.onnx'], files: { 'bf16.onnx': bfloat16Output() } },
  'size-limit-invalid': { args: ['inspect', 'cnn.onnx'], files: { 'cnn.onnx': cnn }, env: { JOULEBENCH_MAX_MODEL_BYTES: 'lots' } },
  'scenario-missing': { args: ['run', 'nothere.yaml'] },
  'scenario-folder': { args: ['run', 'dir.yaml'], setup: (cwd) => mkdir(path.join(cwd, 'dir.yaml')) },
  'scenario-not-yaml': { args: ['run', 'broken.yaml'], files: { 'broken.yaml': 'models: [mlp\n  batchSizes: {\n' } },
  'scenario-binary': { args: ['run', 'cnn.onnx'], files: { 'cnn.onnx': cnn } },
  'scenario-not-utf8': { args: ['run', 'latin1.yaml'], files: { 'latin1.yaml': Uint8Array.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]) } },
  'scenario-too-large': { args: ['run', 'big.yaml'], files: { 'big.yaml': `# ${'x'.repeat(1024 * 1024)}\nmodels: [mlp]\n` } },
  'scenario-alias-bomb': { args: ['run', 'bomb.yaml'], files: { 'bomb.yaml': aliasBomb } },
  'scenario-empty': { args: ['run', 'empty.yaml'], files: { 'empty.yaml': '' } },
  'scenario-not-mapping': { args: ['run', 'list.yaml'], files: { 'list.yaml': '- mlp\n- cnn\n' } },
  'scenario-duplicate-key': { args: ['run', 'twice.yaml'], files: { 'twice.yaml': 'models: [mlp]\nmodels: [cnn]\n' } },
  'scenario-unknown-key': { args: ['run', 'typo.yaml'], files: { 'typo.yaml': 'models: [mlp]\nbatchsize: [1, 2]\n' } },
  'scenario-wrong-type': { args: ['run', 'eight.yaml'], files: { 'eight.yaml': 'models: [mlp]\nbatchSizes: [1, "eight"]\n' } },
  'scenario-out-of-range': { args: ['run', 'long.yaml'], files: { 'long.yaml': 'models: [mlp]\nwindow: { minSeconds: 86400 }\n' } },
  'scenario-unknown-model': { args: ['run', 'mpl.yaml'], files: { 'mpl.yaml': 'models: [mpl]\n' } },
  'scenario-path-outside': { args: ['run', 'sub/outside.yaml'], files: { 'sub/outside.yaml': 'models:\n  - model: ../other/net.onnx\n' } },
  'scenario-absolute-path': { args: ['run', 'abs.yaml'], files: { 'abs.yaml': 'models:\n  - model: /etc/passwd.onnx\n' } },
  'scenario-devices-negative': { args: ['run', 'minus.yaml'], files: { 'minus.yaml': 'models: [mlp]\ndevices: [-1]\n' } },
  'scenario-devices-repeat': { args: ['run', 'twogpus.yaml'], files: { 'twogpus.yaml': 'models: [mlp]\ndevices: [0, 0]\n' } },
  'scenario-devices-both': { args: ['run', 'both.yaml'], files: { 'both.yaml': 'models: [mlp]\ndevices: [0]\ngpus: [0]\n' } },
  'scenario-devices-outside': {
    args: ['run', 'pinned.yaml'],
    files: { 'pinned.yaml': 'models: [mlp]\ndevices: [0, 1]\nexecutionProviders: [{ name: cuda, options: { device_id: 2 } }]\n' },
  },
  'usage-unknown-command': { args: ['frobnicate'] },
  'usage-unknown-flag': { args: ['bench', 'mlp', '--bogus'] },
  'usage-typo-command': { args: ['rnu'] },
  'usage-typo-flag': { args: ['bench', 'mlp', '--preicsion', 'fp16'] },
  'usage-typo-builtin': { args: ['inspect', 'mpl'] },
  'usage-typo-ep': { args: ['bench', 'mlp', '--ep', 'cpuu'] },
  'usage-typo-meter': { args: ['bench', 'mlp', '--meter', 'rapll'] },
  'usage-typo-models': { args: ['models', 'buidl'] },
  'usage-shape-rank': { args: ['inspect', 'mlp', '--shape', 'x=N,1024,3'] },
  'report-not-found': { args: ['report', 'nothere.json'] },
  'usage-bad-batch': { args: ['bench', 'mlp', '--batch', '0'] },
  'usage-unknown-ep': { args: ['bench', 'mlp', '--ep', 'foo'] },
  'usage-no-scenario': { args: ['run'] },
  'usage-gpus-invalid': { args: ['bench', 'mlp', '--gpus', '0,x'] },
  'usage-gpus-repeat': { args: ['bench', 'mlp', '--gpus', '0,0'] },
  'usage-gpus-outside': {
    args: ['run', 'pinned1.yaml', '--gpus', '0'],
    files: { 'pinned1.yaml': 'models: [mlp]\nexecutionProviders: [{ name: cuda, options: { device_id: 1 } }]\n' },
  },
  'resume-not-a-run': { args: ['bench', 'mlp', '--resume', 'nowhere'] },
  'report-not-json': { args: ['report', 'notes.txt'], files: { 'notes.txt': 'hello' } },
  'report-not-result': { args: ['report', 'other.json'], files: { 'other.json': '{"schema": "something/else"}' } },
  'report-price-unknown-host': { args: ['report', 'a.json', '--price-per-hour', 'gpubox=3.6'], files: { 'a.json': JSON.stringify(syntheticResult({ hostname: 'gpu-box', measurements: [{ samplesPerJoule: [100, 101] }] })) } },
  'usage-run-flag-field': { args: ['run', 'plain.yaml', '--batch', '100000'], files: { 'plain.yaml': 'models: [mlp]\n' } },
  'init-exists': { args: ['init', 'mlp', '-o', 'taken.yaml'], files: { 'taken.yaml': 'models: [mlp]\n' } },
  'usage-fidelity-value': { args: ['bench', 'mlp', '--fidelity', 'on'] },
  'usage-fidelity-conflict': { args: ['bench', 'mlp', '--fidelity', 'off', '--min-cosine', '0.9'] },
  'usage-max-seconds-window': { args: ['bench', 'mlp', '--min-seconds', '2', '--max-seconds', '1'] },
  'carbon-region-unknown': { args: ['bench', 'mlp', '--region', 'FRA'] },
  'carbon-region-scenario': { args: ['run', 'zone.yaml'], files: { 'zone.yaml': 'models: [mlp]\ncarbon: { region: Frnace }\n' } },
  'carbon-cloud-unknown': { args: ['bench', 'mlp', '--region', 'aws:eu-west-9'] },
  'carbon-compare-unknown': { args: ['bench', 'mlp', '--compare-regions', 'FR,XX-NOPE'] },
  'carbon-compare-empty': { args: ['bench', 'mlp', '--compare-regions', 'FR,,DE'] },
  'carbon-year-unknown': { args: ['run', 'old.yaml'], files: { 'old.yaml': 'models: [mlp]\ncarbon: { region: FR, year: 2019 }\n' } },
  'carbon-file-missing': { args: ['bench', 'mlp', '--intensity-file', 'nope.csv'] },
  'carbon-file-missing-scenario': { args: ['run', 's.yaml'], files: { 's.yaml': 'models: [mlp]\ncarbon: { intensityFile: nope.csv }\n' } },
  'carbon-file-timestamp': intensityFile('2025-06-01T00:00Z,100\nyesterday,200\n'),
  'carbon-file-text': intensityFile('2025-06-01T00:00Z,100\n2025-06-01T01:00Z,n/a\n'),
  'carbon-file-negative': intensityFile('2025-06-01T00:00Z,100\n2025-06-01T01:00Z,-5\n'),
  'carbon-file-order': intensityFile('2025-06-01T01:00Z,100\n2025-06-01T00:00Z,200\n'),
  'carbon-file-gap': intensityFile('2025-06-01T00:00Z,1\n2025-06-01T01:00Z,2\n2025-06-01T02:00Z,3\n2025-06-01T09:00Z,4\n'),
  'carbon-file-empty': intensityFile('datetime,carbon_intensity\n2025-06-01T00:00Z,100\n'),
  'carbon-file-header': intensityFile('when,how much\n2025-06-01T00:00Z,100\n'),
  'carbon-profile-incomplete': { args: ['bench', 'mlp', '--intensity-profile', 'grid.csv'], files: { 'grid.csv': '2025-06-01T00:00Z,1\n2025-06-01T01:00Z,2\n2025-06-01T02:00Z,3\n' } },
  'carbon-run-outside': { args: ['bench', 'mlp', '--intensity-file', 'old.csv'], files: { 'old.csv': '2020-01-01T00:00Z,100\n2020-01-01T01:00Z,100\n2020-01-01T02:00Z,100\n' } },
  'carbon-file-both': { args: ['bench', 'mlp', '--intensity-file', 'a.csv', '--intensity-profile', 'b.csv'] },
  'shard-out-of-range': { args: ['run', 's.yaml', '--shard', '4/4'], files: { 's.yaml': 'models: [mlp]\n' } },
  'shard-count-zero': { args: ['plan', 's.yaml', '--shards', '0'], files: { 's.yaml': 'models: [mlp]\n' } },
  'shard-count-zero-run': { args: ['run', 's.yaml', '--shard', '0/0'], files: { 's.yaml': 'models: [mlp]\n' } },
  'shard-not-i-of-n': { args: ['run', 's.yaml', '--shard', '2'], files: { 's.yaml': 'models: [mlp]\n' } },
  'shard-auto-unset': { args: ['run', 's.yaml', '--shard', 'auto/4'], files: { 's.yaml': 'models: [mlp]\n' }, env: noShardIndex },
  'shard-auto-out-of-range': { args: ['run', 's.yaml', '--shard', 'auto/4'], files: { 's.yaml': 'models: [mlp]\n' }, env: { ...noShardIndex, SLURM_ARRAY_TASK_ID: '4' } },
  'merge-no-out': { args: ['merge', 'shards'] },
  'merge-missing-input': { args: ['merge', 'nowhere', '--out', 'merged'] },
  'merge-truncated': {
    args: ['merge', 'shards', '--out', 'merged'],
    files: { 'shards/r0/result.json': shardResult(0, 2, 'a'.repeat(64)), 'shards/r1/result.json': shardResult(1, 2, 'a'.repeat(64)).slice(0, 40) },
  },
  'merge-not-result': { args: ['merge', 'other.json', '--out', 'merged'], files: { 'other.json': '{"name": "not a result"}\n' } },
  'merge-other-scenario': { args: ['merge', 'a.json', 'b.json', '--out', 'merged'], files: { 'a.json': shardResult(0, 2, 'a'.repeat(64)), 'b.json': shardResult(1, 2, 'b'.repeat(64)) } },
  'merge-shard-counts': { args: ['merge', 'a.json', 'b.json', '--out', 'merged'], files: { 'a.json': shardResult(0, 2, 'a'.repeat(64)), 'b.json': shardResult(1, 3, 'a'.repeat(64)) } },
  'merge-only-merged': { args: ['merge', 'merged', '--out', 'again'], files: { 'merged/result.json': shardResult(0, 1, 'a'.repeat(64), { merge: { shardCount: 1, inputs: [], missingShards: [], missingConfigurations: [], idleByShard: [] } }) } },
  'merge-out-is-input': { args: ['merge', 'shards', '--out', 'shards/r0'], files: { 'shards/r0/result.json': shardResult(0, 1, 'a'.repeat(64)) } },
  'metrics-port-in-use': { args: ['bench', 'mlp', '--metrics-port', '39217'], setup: () => holdPort(39217) },
  'metrics-port-invalid': { args: ['bench', 'mlp', '--metrics-port', '70000'] },
  'metrics-host-invalid': { args: ['bench', 'mlp', '--metrics-port', '0', '--metrics-host', '192.0.2.1'] },
  'metrics-host-alone': { args: ['bench', 'mlp', '--metrics-host', '0.0.0.0'] },
  'metrics-file-folder': { args: ['bench', 'mlp', '--openmetrics', 'missing/joulebench.prom'] },
  'metrics-history-prom': { args: ['history', 'hist', '--openmetrics', 'trend.prom'] },
};

/** A parsed row of the table. */
interface Row {
  id: string;
  exit: number;
  fragment: string;
}

// Rows look like: | `model-empty` | an empty .onnx file | `joulebench inspect empty.onnx` | 2 | `the file is empty` | MODEL_EMPTY |
async function tableRows(): Promise<Row[]> {
  const text = await readFile(path.join(repoRoot, 'docs', 'errors.md'), 'utf8');
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
    const id = /^`([a-z0-9-]+)`$/.exec(cells[0] ?? '')?.[1];
    if (!id || cells.length < 5) continue;
    const fragment = /^`(.*)`$/.exec(cells[4]!)?.[1];
    assert.ok(fragment !== undefined, `row ${id}: the answer column holds one \`fragment\``);
    rows.push({ id, exit: Number(cells[3]), fragment: fragment.replace(/\\\|/g, '|') });
  }
  return rows;
}

function run(args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const full: NodeJS.ProcessEnv = { ...process.env, JOULEBENCH_MODELS_DIR: path.join(cwd, 'models'), ...env };
  delete full.NODE_OPTIONS;
  delete full.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'bin', 'joulebench.js'), ...args], { cwd, env: full }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('docs/errors.md: every row, through the CLI', { concurrency: 4, timeout: 120_000 }, async () => {
  let work: string;
  const rows = await tableRows();
  before(async () => {
    await ensureBuilt();
    work = await tempDir('errors-table');
  });
  after(() => rm(work, { recursive: true, force: true }));

  test('the table and the cases agree (no row without a case, no case without a row)', () => {
    assert.deepEqual(rows.map((row) => row.id).sort(), Object.keys(cases).sort());
  });

  for (const row of rows) {
    test(`${row.id}: exit ${row.exit}, "${row.fragment}"`, async () => {
      const spec = cases[row.id];
      assert.ok(spec, `no case for row ${row.id}`);
      const cwd = await mkdtemp(path.join(work, `${row.id}-`));
      for (const [name, content] of Object.entries(spec.files ?? {})) {
        await mkdir(path.dirname(path.join(cwd, name)), { recursive: true });
        await writeFile(path.join(cwd, name), content);
      }
      await spec.setup?.(cwd);
      // bench/run would otherwise probe real meters; the replay meter keeps every case fast and deterministic.
      await writeReplayTrace(cwd, 'trace.csv', 2, () => 10);
      const [command, ...rest] = spec.args;
      const meter = command === 'bench' || command === 'run' ? ['--meter', 'replay:trace.csv'] : [];
      const cli = await run(command === undefined ? [] : [command, ...(rest.length > 0 ? meter : []), ...rest], cwd, spec.env ?? {});
      const context = `exit ${cli.code}\n--- stderr ---\n${cli.stderr}--- stdout ---\n${cli.stdout}`;
      assert.equal(cli.code, row.exit, context);
      assert.ok(cli.stderr.includes(row.fragment), `stderr should contain ${JSON.stringify(row.fragment)}\n${context}`);
      assert.ok(!cli.stderr.includes('    at '), `no stack trace\n${context}`);
    });
  }
});
