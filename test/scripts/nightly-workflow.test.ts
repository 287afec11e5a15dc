// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// .github/workflows/nightly.yml and action.yml are real files CI owners copy: they parse, every path and input they
// name exists, and the composite action's steps run here as GitHub would run them (expressions substituted) on a
// tiny scenario. LICENSE matches package.json.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { ensureBuilt, removeDir, repoRoot, tempDir, writeReplayTrace } from '../cli/helpers.js';

interface Step { name?: string; uses?: string; run?: string; shell?: string; id?: string; if?: string; env?: Record<string, string>; with?: Record<string, string>; 'working-directory'?: string }
interface Action { name: string; inputs: Record<string, { default?: string; required?: boolean }>; outputs: Record<string, { value: string }>; runs: { using: string; steps: Step[] } }
interface Workflow { on: unknown; jobs: Record<string, { 'runs-on': unknown; steps: Step[] }> }

const readYaml = async <T>(file: string) => parse(await readFile(path.join(repoRoot, file), 'utf8')) as T;

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-e', '-c', script], { cwd, env, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }));
  });
}

/** `${{ inputs.x }}` / `${{ github.action_path }}` / `${{ steps.… }}` replaced as the runner would. */
function substitute(text: string, inputs: Record<string, string>, actionPath: string): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (whole, expression: string) => {
    if (expression === 'github.action_path') return actionPath;
    const input = /^inputs\.([\w-]+)$/.exec(expression)?.[1];
    if (input !== undefined) {
      assert.ok(input in inputs, `action.yml uses an undeclared input "${input}"`);
      return inputs[input]!;
    }
    throw new Error(`unexpected expression ${whole}`);
  });
}

describe('CI files: LICENSE, .github/workflows/nightly.yml, action.yml', { timeout: 180_000 }, () => {
  let work = '';
  before(async () => {
    await ensureBuilt();
    work = await tempDir('nightly-workflow');
  });
  after(() => removeDir(work));

  test('LICENSE is the MIT licence package.json names, for the joulebench authors', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { license: string };
    assert.equal(pkg.license, 'MIT');
    const license = await readFile(path.join(repoRoot, 'LICENSE'), 'utf8');
    assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} the joulebench authors\n/);
    assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS"/);
  });

  test('the README names the workflow file, and it exists', async () => {
    const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
    assert.ok(readme.includes('.github/workflows/nightly.yml'));
    assert.ok(existsSync(path.join(repoRoot, '.github/workflows/nightly.yml')));
  });

  test('the workflow runs the composite action with inputs it declares, and its commands exist', async () => {
    const workflow = await readYaml<Workflow>('.github/workflows/nightly.yml');
    const action = await readYaml<Action>('action.yml');
    assert.ok(workflow.on);
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const local = steps.filter((step) => step.uses === './');
    assert.equal(local.length, 1, 'one step uses the repository\'s own action.yml');
    for (const key of Object.keys(local[0]!.with ?? {})) assert.ok(key in action.inputs, `action.yml declares input "${key}"`);
    for (const step of steps.filter((s) => s.run !== undefined)) {
      const command = step.run!.trim();
      if (command === 'npm ci') {
        assert.equal(step.env?.ONNXRUNTIME_NODE_INSTALL, 'skip', 'npm ci skips the CUDA download');
        continue;
      }
      // `node bin/joulebench.js <command> …`: the command exists (its --help exits 0).
      const match = /^node (bin\/joulebench\.js) (\w+)/.exec(command);
      assert.ok(match, `a run step the test knows: ${command}`);
      const help = await bash(`node ${match[1]} ${match[2]} --help`, repoRoot, { ...process.env, NODE_OPTIONS: '' });
      assert.equal(help.code, 0, help.stderr);
    }
  });

  test('action.yml: composite, every step has a shell, scripts/nightly.sh --help works', async () => {
    const action = await readYaml<Action>('action.yml');
    assert.equal(action.runs.using, 'composite');
    for (const step of action.runs.steps) if (step.run !== undefined) assert.equal(step.shell, 'bash', `${step.name} names its shell`);
    assert.ok(existsSync(path.join(repoRoot, action.inputs.scenario!.default!)), 'the default scenario exists');
    const help = await bash('bash scripts/nightly.sh --help', repoRoot, process.env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: scripts\/nightly\.sh/);
  });

  test('the action\'s steps, run as GitHub runs them, make the first night the baseline', async () => {
    const action = await readYaml<Action>('action.yml');
    await writeReplayTrace(work, 'trace.csv', 20, () => 50);
    await writeFile(path.join(work, 'tiny.yaml'), 'name: tiny\nmodels: [{model: mlp}]\nbatchSizes: [1]\nrepetitions: 3\nstopping: false\nwindow: {minSeconds: 0.1, minRuns: 3}\nwarmup: {runs: 1, seconds: 0}\nidleSeconds: 0.2\nmeters: ["replay:trace.csv"]\n');
    const inputs: Record<string, string> = Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, spec.default ?? '']));
    Object.assign(inputs, { scenario: 'tiny.yaml', state: 'state' });
    const githubOutput = path.join(work, 'github-output');
    await writeFile(githubOutput, '');
    for (const step of action.runs.steps) {
      const env: NodeJS.ProcessEnv = { ...process.env, JOULEBENCH_MODELS_DIR: path.join(work, 'models'), GITHUB_OUTPUT: githubOutput };
      delete env.NODE_OPTIONS;
      delete env.NODE_TEST_CONTEXT;
      delete env.GITHUB_STEP_SUMMARY;
      for (const [name, value] of Object.entries(step.env ?? {})) env[name] = substitute(String(value), inputs, repoRoot);
      const cwd = step['working-directory'] ? substitute(step['working-directory'], inputs, repoRoot) : work;
      const result = await bash(substitute(step.run!, inputs, repoRoot), cwd, env);
      assert.equal(result.code, 0, `${step.name}\n${result.stderr}`);
    }
    assert.ok(existsSync(path.join(work, 'state', 'baseline', 'result.json')), 'the first night became the baseline');
    assert.match(await readFile(path.join(work, 'state', 'summary.md'), 'utf8'), /## joulebench nightly: first run/);
    assert.equal(await readFile(githubOutput, 'utf8'), 'summary=state/summary.md\njunit=state/junit.xml\n');
  });
});
