// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// Whether a provider can create a session here, with fake probes, binding folders and ldd: the "CUDA EP not installed" path.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { checkProviderHere } from '../../src/runtime/probe.js';
import { lddNotFound } from '../../src/runtime/providers/diagnose.js';
import { executionProviders } from '../../src/runtime/providers/registry.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'jb-binding-'));
after(() => rmSync(root, { recursive: true, force: true }));

function bindingDir(name: string, libs: string[]): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const lib of libs) writeFileSync(path.join(dir, lib), '');
  return dir;
}

// What onnxruntime-node 1.30 throws to JavaScript when a provider library cannot be loaded (the name only goes to its log).
const ortLoadFailure = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';
const linuxBackends = [
  { name: 'cpu', bundled: true },
  { name: 'webgpu', bundled: true },
  { name: 'cuda', bundled: false },
  { name: 'tensorrt', bundled: false },
];
const lddOk = async () => '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n';

describe('checkProviderHere', { skip: process.platform !== 'linux' && 'provider plugin files are checked on Linux only' }, () => {
  test('CUDA EP not installed: the plugin libraries are named, with the install script', async () => {
    const check = await checkProviderHere(executionProviders.cuda, { backends: linuxBackends, probe: async () => ortLoadFailure, bindingDir: bindingDir('empty', []), ldd: lddOk });
    assert.deepEqual(check, {
      name: 'cuda',
      available: false,
      reason:
        'no session can be created: missing libonnxruntime_providers_shared.so, libonnxruntime_providers_cuda.so (OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library); scripts/install-gpu-ep.sh installs the provider libraries and --check-only lists what else is missing',
      missingLibraries: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'],
    });
  });

  test('CUDA EP installed but cuDNN 9 and cuBLASLt missing: ldd names them', async () => {
    const dir = bindingDir('installed', ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_tensorrt.so']);
    const ldd = async (file: string) =>
      file.endsWith('_cuda.so')
        ? '\tlibcublasLt.so.12 => not found\n\tlibcudnn.so.9 => not found\n\tlibcudart.so.12 => /usr/local/cuda/lib64/libcudart.so.12 (0x1)\n'
        : '\tlibc.so.6 => /lib/libc.so.6 (0x1)\n';
    const check = await checkProviderHere(executionProviders.cuda, { backends: linuxBackends, probe: async () => ortLoadFailure, bindingDir: dir, ldd });
    assert.deepEqual(check.missingLibraries, ['libcublasLt.so.12', 'libcudnn.so.9']);
    assert.equal(check.available, false);
    assert.match(check.reason!, /^no session can be created: missing libcublasLt\.so\.12, libcudnn\.so\.9 \(/);

    const trtLdd = async (file: string) => (file.endsWith('_tensorrt.so') ? '\tlibnvinfer.so.10 => not found\n' : '');
    const trt = await checkProviderHere(executionProviders.tensorrt, { backends: linuxBackends, probe: async () => 'Failed to load shared library', bindingDir: dir, ldd: trtLdd });
    assert.deepEqual(trt.missingLibraries, ['libnvinfer.so.10']);
  });

  test('a library named in the failure itself is kept; no missing library leaves the failure as the reason', async () => {
    const dir = bindingDir('installed2', ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']);
    const named = await checkProviderHere(executionProviders.cuda, { backends: linuxBackends, probe: async () => 'libcudnn_graph.so.9: cannot open shared object file', bindingDir: dir, ldd: lddOk });
    assert.deepEqual(named.missingLibraries, ['libcudnn_graph.so.9']);
    const noDevice = await checkProviderHere(executionProviders.cuda, { backends: linuxBackends, probe: async () => 'CUDA failure 100: no CUDA-capable device is detected', bindingDir: dir, ldd: lddOk });
    assert.equal(noDevice.reason, 'no session can be created: CUDA failure 100: no CUDA-capable device is detected; scripts/install-gpu-ep.sh installs the provider libraries and --check-only lists what else is missing');
    assert.deepEqual(noDevice.missingLibraries, []);
  });

  test('working and absent providers', async () => {
    assert.deepEqual(await checkProviderHere(executionProviders.webgpu, { backends: linuxBackends, probe: async () => null }), { name: 'webgpu', available: true, reason: null, missingLibraries: [] });
    const webgpu = await checkProviderHere(executionProviders.webgpu, { backends: linuxBackends, probe: async () => 'Failed to get a WebGPU adapter: No supported adapters' });
    assert.equal(webgpu.reason, 'no session can be created: Failed to get a WebGPU adapter: No supported adapters');
    let probed = false;
    const coreml = await checkProviderHere(executionProviders.coreml, { backends: linuxBackends, probe: async () => ((probed = true), null) });
    assert.deepEqual(coreml, { name: 'coreml', available: false, reason: `this onnxruntime-node build (${process.platform}-${process.arch}) has no coreml provider`, missingLibraries: [] });
    assert.equal(probed, false);
  });

  test('lddNotFound reads only "not found" lines', () => {
    assert.deepEqual(lddNotFound('\tlibcudnn.so.9 => not found\n\tlibm.so.6 => /lib/libm.so.6 (0x1)\n\tlibnvinfer.so.10 => not found'), ['libcudnn.so.9', 'libnvinfer.so.10']);
  });
});
