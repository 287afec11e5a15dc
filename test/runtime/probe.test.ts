// @integration — creates one-node onnxruntime sessions in this process
// Can a session really be created on a provider here (src/runtime/probe.ts): onnxruntime's failure text made short,
// the one-node probe in this process, and the check before a sweep (unknown, badly configured or unusable providers
// as InputErrors naming the way out). checkProviderHere, with fake probes and ldd: test/runtime/devices-check.test.ts;
// the webgpu probe in a child: test/runtime/probe-child.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExitCode } from '../../src/errors.js';
import { conciseOrtMessage, probeProviderSession, requireWorkingProvider } from '../../src/runtime/probe.js';
import { builtinProviders, registerExecutionProvider } from '../../src/runtime/providers/catalog.js';
import { availableProviderNames } from '../../src/runtime/providers/registry.js';
import type { ExecutionProvider, ProviderSettings } from '../../src/runtime/providers/types.js';
import { rejectedInputError } from '../fixtures/errors.js';

// A provider that maps its options to whatever session settings the test gives.
const posing = (name: string, settings: () => ProviderSettings): ExecutionProvider => ({ ...builtinProviders.cpu, name, settings });
const backend = (provider: string) => () => ({ provider, session: {}, notForwarded: [] });

describe('conciseOrtMessage', () => {
  test('an ORT_ENFORCE failure: only what follows "was false."', () => {
    const message = '/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc:129 std::conditional_t<THRW, void, common::Status> onnxruntime::CudaCall(...) [with ERRTYPE = cudaError; bool THRW = true] CUDA_CALL(cudaSetDevice(info_.device_id)) was false.  CUDA failure 100: no CUDA-capable device is detected ;\n GPU=0 ; hostname=box ;';
    assert.equal(conciseOrtMessage(message), 'CUDA failure 100: no CUDA-capable device is detected ; GPU=0 ; hostname=box ;');
  });

  test('anything else: whitespace runs made one space, ends trimmed', () => {
    assert.equal(conciseOrtMessage('  Failed to load\n\tshared   library  '), 'Failed to load shared library');
    assert.equal(conciseOrtMessage(''), '');
  });
});

describe('probeProviderSession', () => {
  test('the CPU provider creates and runs the one-node session: null', async () => {
    assert.equal(await probeProviderSession(builtinProviders.cpu), null);
    assert.equal(await probeProviderSession(builtinProviders.cpu, { intra_op_num_threads: 1 }), null);
  });

  test('a session onnxruntime refuses: its reason, made short', async () => {
    assert.equal(await probeProviderSession(posing('fake', backend('nosuch'))), 'no available backend found. ERR: [nosuch] backend not found.');
  });

  test('a provider whose settings throw: the error\'s message, not a rejection', async () => {
    const throwing = posing('fake', () => {
      throw new Error('bad  mapping\n of options');
    });
    assert.equal(await probeProviderSession(throwing), 'bad mapping of options');
  });
});

describe('requireWorkingProvider', () => {
  // The InputError `promise` rejects with, checked for its code and exit code 2.
  const badInput = async (promise: Promise<unknown>, code: string) => {
    const error = await rejectedInputError(promise);
    assert.equal(error.code, code);
    assert.equal(error.exitCode, ExitCode.badInput);
    return error;
  };

  test('cpu: options checked, no probe needed', async () => {
    assert.equal(await requireWorkingProvider('cpu', { intraOpNumThreads: 2 }, 'executionProviders[0]'), builtinProviders.cpu);
    const error = await badInput(requireWorkingProvider('cpu', { device_id: 0 }, 'executionProviders[0]'), 'EP_OPTION_UNKNOWN');
    assert.match(error.message, /^executionProviders\[0\]: unknown option "device_id" for execution provider "cpu"/);
  });

  test('an unknown provider: EP_UNKNOWN from the registry, naming where it was written', async () => {
    const error = await badInput(requireWorkingProvider('tensorrtx', {}, '--ep'), 'EP_UNKNOWN');
    assert.match(error.message, /^--ep: unknown execution provider "tensorrtx"; in this build: cpu.* — did you mean "tensorrt"\?$/);
  });

  test('a provider that can create a session here comes back', async () => {
    const working = posing('cpu-twin', backend('cpu'));
    const undo = registerExecutionProvider(working);
    try {
      assert.equal(await requireWorkingProvider('cpu-twin', {}, 'executionProviders[1]'), working);
    } finally {
      undo();
    }
  });

  test('a provider that cannot: EP_UNUSABLE with onnxruntime\'s reason, the other providers and where to look', async () => {
    const undo = registerExecutionProvider(posing('broken', backend('nosuch')));
    try {
      const others = availableProviderNames().filter((name) => name !== 'broken').join(', ');
      const error = await badInput(requireWorkingProvider('broken', {}, 'executionProviders[1]'), 'EP_UNUSABLE');
      assert.equal(error.message, `executionProviders[1]: execution provider "broken" cannot create a session here: no available backend found. ERR: [nosuch] backend not found.; other providers in this build: ${others}`);
      assert.equal(error.hint, 'run `joulebench devices` to see which providers can create a session here, and why not; scripts/install-gpu-ep.sh --check lists missing GPU libraries');
    } finally {
      undo();
    }
  });

  test('a missing library named in the reason is listed first', async () => {
    const failing = posing('needs-lib', () => {
      throw new Error('libcudnn.so.9: cannot open shared object file');
    });
    const undo = registerExecutionProvider(failing);
    try {
      const error = await badInput(requireWorkingProvider('needs-lib', {}, '--ep'), 'EP_UNUSABLE');
      assert.match(error.message, /^--ep: execution provider "needs-lib" cannot create a session here: missing libcudnn\.so\.9: libcudnn\.so\.9: cannot open shared object file; other providers in this build: /);
    } finally {
      undo();
    }
  });
});
