// Built-in models on disk (src/model/builtin.ts), in temp folders: written on first use, left alone when identical,
// rewritten when the file differs, the cache folder when the models folder cannot be written, and typed errors.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExitCode } from '../../src/errors.js';
import { buildAllBuiltinModels, ensureBuiltinModel, modelsDir, packageRoot } from '../../src/model/builtin.js';
import { zoo } from '../../src/model/zoo/index.js';
import { rejectedInputError } from '../fixtures/errors.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'jb-builtin-'));
const saved = { models: process.env.JOULEBENCH_MODELS_DIR, cache: process.env.JOULEBENCH_CACHE_DIR };
const cacheRoot = path.join(root, 'cache');
before(() => {
  // The fallback folder is <cache root>/models: keep it inside the temp folder.
  process.env.JOULEBENCH_CACHE_DIR = cacheRoot;
});
after(() => {
  for (const [name, value] of [['JOULEBENCH_MODELS_DIR', saved.models], ['JOULEBENCH_CACHE_DIR', saved.cache]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(root, { recursive: true, force: true });
});

const cnnBytes = zoo.cnn.build();
const cnnSha256 = createHash('sha256').update(cnnBytes).digest('hex');

test('modelsDir: $JOULEBENCH_MODELS_DIR, else models/ in the package root', () => {
  assert.ok(existsSync(path.join(packageRoot, 'package.json')), `${packageRoot} is the package root`);
  process.env.JOULEBENCH_MODELS_DIR = '/srv/models';
  assert.equal(modelsDir(), '/srv/models');
  delete process.env.JOULEBENCH_MODELS_DIR;
  assert.equal(modelsDir(), path.join(packageRoot, 'models'));
  if (saved.models !== undefined) process.env.JOULEBENCH_MODELS_DIR = saved.models;
});

describe('ensureBuiltinModel', () => {
  test('first use writes <dir>/<name>.onnx (the folder made if needed); the same bytes again are left alone', async () => {
    const dir = path.join(root, 'fresh', 'models');
    const first = await ensureBuiltinModel('cnn', dir);
    assert.deepEqual(first, { name: 'cnn', path: path.join(dir, 'cnn.onnx'), sha256: cnnSha256, sizeBytes: cnnBytes.length, written: true });
    assert.deepEqual(readFileSync(first.path), Buffer.from(cnnBytes));
    const again = await ensureBuiltinModel('cnn', dir);
    assert.deepEqual(again, { ...first, written: false });
    assert.deepEqual(readdirSync(dir), ['cnn.onnx'], 'no temp file left behind');
  });

  test('a file that differs (an older build, a truncated copy) is rewritten', async () => {
    const dir = path.join(root, 'stale');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'cnn.onnx'), cnnBytes.subarray(0, 100));
    const built = await ensureBuiltinModel('cnn', dir);
    assert.equal(built.written, true);
    assert.equal(createHash('sha256').update(readFileSync(built.path)).digest('hex'), cnnSha256);
  });

  test('a models folder that cannot be made (a file in the way) falls back to <cache>/models', async () => {
    const blocker = path.join(root, 'blocker');
    writeFileSync(blocker, 'not a folder');
    for (const dir of [blocker, path.join(blocker, 'models')]) {
      const built = await ensureBuiltinModel('cnn', dir);
      assert.equal(built.path, path.join(cacheRoot, 'models', 'cnn.onnx'));
      assert.equal(built.sha256, cnnSha256);
    }
  });

  test('neither folder writable: MODELS_DIR_UNWRITABLE naming both, with the variable that fixes it', async () => {
    const blocker = path.join(root, 'blocker2');
    writeFileSync(blocker, 'not a folder');
    process.env.JOULEBENCH_CACHE_DIR = path.join(blocker, 'cache');
    try {
      const error = await rejectedInputError(ensureBuiltinModel('cnn', blocker));
      assert.equal(error.code, 'MODELS_DIR_UNWRITABLE');
      assert.equal(error.exitCode, ExitCode.badInput);
      assert.equal(error.message, `cannot write built-in model cnn: neither ${blocker} nor ${path.join(blocker, 'cache', 'models')} is writable`);
      assert.equal(error.hint, 'set JOULEBENCH_MODELS_DIR to a writable folder');
    } finally {
      process.env.JOULEBENCH_CACHE_DIR = cacheRoot;
    }
  });

  test('an unknown name: BUILTIN_UNKNOWN listing the built-ins; nothing is written', async () => {
    const dir = path.join(root, 'unknown');
    for (const name of ['resnet', 'toString', '']) {
      const error = await rejectedInputError(ensureBuiltinModel(name, dir));
      assert.equal(error.code, 'BUILTIN_UNKNOWN');
      assert.equal(error.message, `unknown built-in model "${name}"`);
      assert.equal(error.hint, 'built-ins: mlp, cnn, transformer');
    }
    assert.equal(existsSync(dir), false);
  });
});

test('buildAllBuiltinModels: every built-in, in registry order', async () => {
  const dir = path.join(root, 'all');
  const built = await buildAllBuiltinModels(dir);
  assert.deepEqual(built.map((model) => [model.name, path.basename(model.path), model.written]), [['mlp', 'mlp.onnx', true], ['cnn', 'cnn.onnx', true], ['transformer', 'transformer.onnx', true]]);
  assert.deepEqual((await buildAllBuiltinModels(dir)).map((model) => model.written), [false, false, false]);
});
