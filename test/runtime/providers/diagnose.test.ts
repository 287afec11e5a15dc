// Which shared library keeps a provider from loading (src/runtime/providers/diagnose.ts), with temp binding folders
// and a fake ldd: library names read from failure texts and ldd output, plugin libraries checked on disk first.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { diagnoseMissingLibraries, lddNotFound, missingLibraries, ortBindingDir, providerPluginLibraries } from '../../../src/runtime/providers/diagnose.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'jb-diagnose-'));
after(() => rmSync(root, { recursive: true, force: true }));

function bindingDir(name: string, libs: readonly string[]): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const lib of libs) writeFileSync(path.join(dir, lib), '');
  return dir;
}

describe('missingLibraries', () => {
  test('names in order of appearance, once each, versions and odd characters kept', () => {
    assert.deepEqual(missingLibraries('libcudnn.so.9: cannot open shared object file; libcudnn.so.9 again; libstdc++.so.6 and libcudnn_adv.so.9.1.0'), [
      'libcudnn.so.9', 'libstdc++.so.6', 'libcudnn_adv.so.9.1.0',
    ]);
    assert.deepEqual(missingLibraries('libnvinfer.so'), ['libnvinfer.so']);
  });

  test('onnxruntime\'s own plugin libraries go last: what they depend on is the one to install', () => {
    assert.deepEqual(missingLibraries('Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.12: cannot open shared object file'), [
      'libcublasLt.so.12', 'libonnxruntime_providers_cuda.so',
    ]);
  });

  test('no library named: none', () => {
    assert.deepEqual(missingLibraries('CUDA failure 100: no CUDA-capable device is detected'), []);
    assert.deepEqual(missingLibraries('mylib.so does not start a word with lib'), []);
    assert.deepEqual(missingLibraries(''), []);
  });
});

describe('lddNotFound', () => {
  test('only the "=> not found" lines', () => {
    const output = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibcublasLt.so.12 => not found',
      '\tlibcudart.so.12 => /usr/local/cuda/lib64/libcudart.so.12 (0x00007f)',
      '\tlibcudnn.so.9 =>  not found',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)',
    ].join('\n');
    assert.deepEqual(lddNotFound(output), ['libcublasLt.so.12', 'libcudnn.so.9']);
    assert.deepEqual(lddNotFound(''), []);
  });
});

test('ortBindingDir: onnxruntime-node\'s bin/napi-v6/<platform>/<arch> folder', () => {
  const dir = ortBindingDir();
  assert.equal(path.basename(dir), process.arch);
  assert.equal(path.basename(path.dirname(dir)), process.platform);
  assert.match(dir, /onnxruntime-node[\\/]bin[\\/]napi-v6[\\/]/);
  assert.ok(existsSync(dir), `${dir} exists (onnxruntime-node is installed)`);
});

describe('diagnoseMissingLibraries', { skip: process.platform !== 'linux' && 'plugin libraries are checked on Linux only' }, () => {
  const plugins = providerPluginLibraries.cuda!;
  const noLdd = async () => {
    throw new Error('ldd must not run');
  };

  test('a provider without plugin libraries: only the names in the failure', async () => {
    assert.deepEqual(await diagnoseMissingLibraries('webgpu', 'libvulkan.so.1: cannot open shared object file', { bindingDir: bindingDir('empty-webgpu', []), ldd: noLdd }), ['libvulkan.so.1']);
    assert.deepEqual(await diagnoseMissingLibraries('webgpu', 'No supported adapters', { ldd: noLdd }), []);
  });

  test('plugin libraries absent from the binding folder are named (after the failure\'s own), without running ldd', async () => {
    const dir = bindingDir('half', [plugins[0]!]);
    assert.deepEqual(await diagnoseMissingLibraries('cuda', 'Failed to load shared library', { bindingDir: dir, ldd: noLdd }), ['libonnxruntime_providers_cuda.so']);
    // A name both in the failure and absent on disk is listed once.
    assert.deepEqual(await diagnoseMissingLibraries('cuda', 'libonnxruntime_providers_cuda.so: cannot open', { bindingDir: bindingDir('none', []), ldd: noLdd }), [
      'libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so',
    ]);
  });

  test('plugins present: ldd on each; dependencies first, once each, plugins last', async () => {
    const dir = bindingDir('installed', [...providerPluginLibraries.cuda!, ...providerPluginLibraries.tensorrt!]);
    const asked: string[] = [];
    const ldd = async (file: string) => {
      asked.push(path.basename(file));
      return file.endsWith('_cuda.so') ? '\tlibcudnn.so.9 => not found\n\tlibcublasLt.so.12 => not found\n' : '\tlibcudnn.so.9 => not found\n';
    };
    const missing = await diagnoseMissingLibraries('cuda', 'libonnxruntime_providers_cuda.so failed: libcufft.so.11: cannot open shared object file', { bindingDir: dir, ldd });
    assert.deepEqual(asked, ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']);
    assert.deepEqual(missing, ['libcufft.so.11', 'libcudnn.so.9', 'libcublasLt.so.12', 'libonnxruntime_providers_cuda.so']);
    const trt = await diagnoseMissingLibraries('tensorrt', 'Failed to load shared library', { bindingDir: dir, ldd: async (file) => (file.endsWith('_tensorrt.so') ? '\tlibnvinfer.so.10 => not found\n' : '') });
    assert.deepEqual(trt, ['libnvinfer.so.10']);
  });

  test('ldd missing or failing: only what the failure names', async () => {
    const dir = bindingDir('installed-no-ldd', plugins);
    const failing = async () => {
      throw Object.assign(new Error('spawn ldd ENOENT'), { code: 'ENOENT' });
    };
    assert.deepEqual(await diagnoseMissingLibraries('cuda', 'libcudnn.so.9: cannot open shared object file', { bindingDir: dir, ldd: failing }), ['libcudnn.so.9']);
    assert.deepEqual(await diagnoseMissingLibraries('cuda', 'CUDA failure 100', { bindingDir: dir, ldd: failing }), []);
  });
});
