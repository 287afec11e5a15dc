// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// The import layers of src/ (.dependency-cruiser.cjs, explained in docs/design.md): no folder imports one above it,
// no module cycle, nothing unresolvable. `npm run layers` draws the same graph folder by folder.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const config = createRequire(import.meta.url)(path.join(repoRoot, '.dependency-cruiser.cjs')) as IConfiguration;

async function violationsIn(root: string): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const reporting = await cruise(['src'], { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true, outputType: 'json' });
    const result = (typeof reporting.output === 'string' ? JSON.parse(reporting.output) : reporting.output) as ICruiseResult;
    return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
  } finally {
    process.chdir(cwd);
  }
}

test('src/ has no upward import, no cycle and nothing unresolved', { timeout: 120_000 }, async () => {
  assert.deepEqual(await violationsIn(repoRoot), []);
});

test('the rules catch a planted upward import and a planted cycle', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jb-layers-'));
  try {
    await cp(path.join(repoRoot, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
    const files: Record<string, string> = {
      // stats (layer 0) reaching up into report (layer 7)
      'src/stats/mean.ts': "import { label } from '../report/label.js';\nexport const mean = (x: number[]) => label(x.reduce((a, b) => a + b, 0) / x.length);\n",
      'src/report/label.ts': "export const label = (x: number) => `${x}`;\n",
      // two measure modules importing each other
      'src/measure/a.ts': "import { b } from './b.js';\nexport const a = () => b();\n",
      'src/measure/b.ts': "import { a } from './a.js';\nexport const b = (): number => (a as unknown as () => number).length;\n",
    };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    const found = await violationsIn(dir);
    assert.ok(found.includes('layer-0-imports-up: src/stats/mean.ts → src/report/label.ts'), found.join('\n'));
    assert.ok(found.some((v) => v.startsWith('no-circular: src/measure/a.ts → src/measure/b.ts')), found.join('\n'));
    assert.ok(found.every((v) => v.startsWith('layer-0-imports-up: src/stats/mean.ts') || /^no-circular: src\/measure\/[ab]\.ts/.test(v)), found.join('\n'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('npm run layers (docs/design.md) draws every layer top first and ends "no upward import, no cycle"', { timeout: 120_000 }, async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'scripts', 'layers.mjs')], { cwd: repoRoot });
  const layerLines = stdout.split('\n').filter((line) => line.startsWith('layer '));
  assert.match(layerLines[0]!, /^layer 12 {2}cli, index\.ts$/);
  assert.match(layerLines.at(-1)!, /^layer {2}0 {2}errors\.ts, common, stats$/);
  assert.match(stdout, /^ {12}onnx {7}→ errors\.ts, stats$/m, 'the ONNX core needs nothing above layer 0');
  assert.match(stdout, /no upward import, no cycle\n$/);
});
