// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// scripts/install-gpu-ep.sh with fake nvidia-smi, uname, ldconfig and a fake onnxruntime-node installer: no GPU, no network.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cudaLibs = ['libcudart.so.12', 'libcublas.so.12', 'libcublasLt.so.12', 'libcurand.so.10', 'libcufft.so.11', 'libcudnn.so.9'];
const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function which(tool: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
  assert.ok(found, `${tool} is on PATH`);
  return found;
}

function executable(file: string, text: string): void {
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}

interface Fakes {
  /** nvidia-smi's script body; undefined = no nvidia-smi at all. */
  nvidiaSmi?: string;
  /** Libraries present in a folder on LD_LIBRARY_PATH. */
  libs?: string[];
  /** Lines of a fake `ldconfig -p`; undefined = no ldconfig. */
  ldconfig?: string[];
  machine?: string;
}

// A copy of the script in a temp repo whose PATH holds only the tools it needs and the fakes.
function runScript(args: string[], fakes: Fakes) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'jb-install-gpu-'));
  roots.push(root);
  mkdirSync(path.join(root, 'scripts'));
  copyFileSync(path.join(repo, 'scripts/install-gpu-ep.sh'), path.join(root, 'scripts/install-gpu-ep.sh'));
  const installer = path.join(root, 'node_modules/onnxruntime-node/script');
  mkdirSync(installer, { recursive: true });
  // The fake installer records how it was called and "installs" the provider libraries.
  writeFileSync(
    path.join(installer, 'install.js'),
    `const fs = require('fs');
fs.writeFileSync('called.json', JSON.stringify({ env: process.env.ONNXRUNTIME_NODE_INSTALL, argv: process.argv.slice(2) }));
fs.mkdirSync('bin/napi-v6/linux/x64', { recursive: true });
for (const lib of ['shared', 'cuda', 'tensorrt']) fs.writeFileSync('bin/napi-v6/linux/x64/libonnxruntime_providers_' + lib + '.so', '');
`,
  );
  const bin = path.join(root, 'bin');
  mkdirSync(bin);
  for (const tool of ['bash', 'sed', 'grep', 'head', 'dirname', 'cat', 'node']) symlinkSync(which(tool), path.join(bin, tool));
  executable(path.join(bin, 'uname'), `#!${which('bash')}\n[ "$1" = -s ] && echo Linux || echo ${fakes.machine ?? 'x86_64'}\n`);
  if (fakes.nvidiaSmi !== undefined) executable(path.join(bin, 'nvidia-smi'), `#!${which('bash')}\n${fakes.nvidiaSmi}\n`);
  if (fakes.ldconfig !== undefined) executable(path.join(bin, 'ldconfig'), `#!${which('bash')}\ncat <<'LIST'\n${fakes.ldconfig.join('\n')}\nLIST\n`);
  const libDir = path.join(root, 'lib');
  mkdirSync(libDir);
  for (const lib of fakes.libs ?? []) writeFileSync(path.join(libDir, lib), '');
  const result = spawnSync(which('bash'), [path.join(root, 'scripts/install-gpu-ep.sh'), ...args], {
    encoding: 'utf8',
    env: { PATH: bin, LD_LIBRARY_PATH: `/nonexistent:${libDir}`, HOME: root },
  });
  const calledFile = path.join(root, 'node_modules/onnxruntime-node/called.json');
  const called = existsSync(calledFile) ? (JSON.parse(readFileSync(calledFile, 'utf8')) as { env: string; argv: string[] }) : null;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, called };
}

const workingSmi = 'echo "NVIDIA H100 80GB HBM3, 550.54.15"';

describe('scripts/install-gpu-ep.sh', () => {
  test('no driver and no libraries: --check-only lists each missing piece and exits 1', () => {
    const run = runScript(['--check-only'], {});
    assert.equal(run.status, 1);
    assert.match(run.stdout, /missing: nvidia-smi \(install the NVIDIA driver\)/);
    assert.match(run.stdout, /missing: libcudnn\.so\.9 \(cuDNN 9; install it or add its folder to LD_LIBRARY_PATH\)/);
    assert.match(run.stdout, /missing: libcublasLt\.so\.12 \(CUDA 12 runtime;/);
    assert.match(run.stdout, /missing 7: NVIDIA driver \(nvidia-smi\) libcudart\.so\.12/);
    assert.equal(run.called, null);
  });

  test('missing prerequisites: the install fails clearly before downloading anything', () => {
    const run = runScript([], { nvidiaSmi: workingSmi, libs: cudaLibs.filter((lib) => lib !== 'libcudnn.so.9') });
    assert.equal(run.status, 1);
    assert.match(run.stdout, /found: driver — NVIDIA H100 80GB HBM3, 550\.54\.15/);
    assert.match(run.stdout, /missing 1: libcudnn\.so\.9/);
    assert.match(run.stderr, /not downloading anything while prerequisites are missing/);
    assert.equal(run.called, null);
  });

  test('a driver that does not answer counts as missing', () => {
    const run = runScript(['--check-only'], { nvidiaSmi: 'echo "NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver."; exit 9', libs: cudaLibs });
    assert.equal(run.status, 1);
    assert.match(run.stdout, /missing: a working NVIDIA driver \(nvidia-smi failed: NVIDIA-SMI has failed/);
  });

  test('all there: re-runs onnxruntime-node\'s installer with the cuda12 flag; TensorRT missing is a note', () => {
    const run = runScript([], { nvidiaSmi: workingSmi, libs: cudaLibs });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.called, { env: 'cuda12', argv: ['--onnxruntime-node-install=cuda12'] });
    assert.match(run.stdout, /note: libnvinfer\.so\.10 not found: the tensorrt provider will not load \(cuda still can\)/);
    assert.match(run.stdout, /installed: node_modules\/onnxruntime-node\/bin\/napi-v6\/linux\/x64\/libonnxruntime_providers_cuda\.so/);
  });

  test('libraries from the loader cache count; --tensorrt makes TensorRT required', () => {
    const ldconfig = [...cudaLibs.map((lib) => `\t${lib} (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/${lib}`)];
    assert.equal(runScript(['--check-only'], { nvidiaSmi: workingSmi, ldconfig }).status, 0);
    const strict = runScript(['--check-only', '--tensorrt'], { nvidiaSmi: workingSmi, ldconfig });
    assert.equal(strict.status, 1);
    assert.match(strict.stdout, /missing: libnvinfer\.so\.10 \(TensorRT 10\)/);
  });

  test('another platform or argument: exit 2', () => {
    const arm = runScript(['--check-only'], { machine: 'aarch64' });
    assert.equal(arm.status, 2);
    assert.match(arm.stderr, /Linux x64 only \(this is Linux-aarch64\)/);
    assert.equal(runScript(['--bogus'], {}).status, 2);
  });
});
