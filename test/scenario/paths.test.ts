// Scenario paths that leave the scenario's folder are refused unless the scenario or the user opts in.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { loadScenarioFile } from '../../src/scenario/load.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'joulebench-paths-'));
  await mkdir(path.join(dir, 'scen/models'), { recursive: true });
  await writeFile(path.join(dir, 'outside.onnx'), 'x');
  await writeFile(path.join(dir, 'scen/models/inside.onnx'), 'x');
  await symlink(path.join(dir, 'outside.onnx'), path.join(dir, 'scen/link.onnx'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function scenario(name: string, lines: string[]): Promise<string> {
  const file = path.join(dir, 'scen', name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

async function refusal(file: string): Promise<InputError> {
  await assert.rejects(loadScenarioFile(file), InputError);
  try {
    await loadScenarioFile(file);
  } catch (error) {
    return error as InputError;
  }
  throw new Error('unreachable');
}

describe('scenario paths outside its folder', () => {
  const cases: Array<[string, string[], string]> = [
    ['parent folder', ['models:', '  - model: ../outside.onnx'], 'models[0].model'],
    ['absolute path', ['models:', '  - model: /etc/passwd.onnx'], 'models[0].model'],
    ['variant outside', ['models:', '  - model: ./models/inside.onnx', '    variants: { int8: ../outside.onnx }'], 'models[0].variants.int8'],
    ['calibration data outside', ['models:', '  - model: mlp', '    calibration: ../../calib/'], 'models[0].calibration'],
    ['labels outside', ['models:', '  - model: mlp', '    labels: /etc/labels.txt'], 'models[0].labels'],
    ['replay trace outside', ['models: [mlp]', 'meters: ["replay:../../trace.csv"]'], 'meters[0]'],
    ['symlink leading out', ['models:', '  - model: ./link.onnx'], 'models[0].model'],
  ];
  for (const [what, lines, field] of cases) {
    it(`refuses a ${what}, naming the field and the opt-in`, async () => {
      const error = await refusal(await scenario(`${what.replace(/ /g, '-')}.yaml`, lines));
      assert.equal(error.code, 'SCENARIO_PATH_OUTSIDE');
      assert.match(error.message, new RegExp(`^${what.replace(/ /g, '-')}\\.yaml: ${field.replace(/[[\].]/g, '\\$&')}: .* is outside the scenario's folder`));
      assert.match(error.hint ?? '', /allowOutsidePaths: true/);
      assert.match(error.hint ?? '', /--allow-outside-paths/);
    });
  }

  it('accepts them with allowOutsidePaths: true in the scenario', async () => {
    const file = await scenario('opt-in.yaml', ['models:', '  - model: ../outside.onnx', '  - model: ./link.onnx', 'allowOutsidePaths: true']);
    const loaded = await loadScenarioFile(file);
    assert.equal(loaded.models[0]!.source, path.join(dir, 'outside.onnx'));
  });

  it('accepts them with the allowOutsidePaths load option (--allow-outside-paths)', async () => {
    const file = await scenario('flag.yaml', ['models:', '  - model: ../outside.onnx']);
    const loaded = await loadScenarioFile(file, { allowOutsidePaths: true });
    assert.equal(loaded.models[0]!.source, path.join(dir, 'outside.onnx'));
  });

  it('accepts built-in names, paths inside the folder, and out: anywhere', async () => {
    const file = await scenario('fine.yaml', ['models:', '  - model: mlp', '  - model: models/inside.onnx', 'out: ../../results']);
    const loaded = await loadScenarioFile(file);
    assert.equal(loaded.outDir, path.resolve(dir, '../results'));
  });

  it('allowOutsidePaths must be a boolean', async () => {
    const error = await refusal(await scenario('bool.yaml', ['models: [mlp]', 'allowOutsidePaths: "yes"']));
    assert.match(error.message, /allowOutsidePaths: expected true or false/);
  });
});
