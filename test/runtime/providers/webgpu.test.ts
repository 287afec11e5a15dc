// The WebGPU provider (src/runtime/providers/webgpu.ts) without a GPU: only the options its binding reads, under their
// camelCase names (the binding rejects names it does not know), node names split from a comma list, its device and
// availability.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { webgpuProvider } from '../../../src/runtime/providers/webgpu.js';

test('option table: every option is forwarded, none takes a device id', () => {
  assert.deepEqual(Object.keys(webgpuProvider.options).sort(), ['enable_mem_pattern', 'enable_robustness', 'force_cpu_node_names', 'graph_optimization_level', 'preferred_layout', 'validation_mode']);
  assert.ok(Object.values(webgpuProvider.options).every((spec) => spec.forwarded));
  assert.equal(webgpuProvider.options.device_id, undefined);
  assert.deepEqual(webgpuProvider.options.validation_mode?.values, ['disabled', 'wgpuOnly', 'basic', 'full']);
});

test('no options: a bare provider entry', () => {
  assert.deepEqual(webgpuProvider.settings({}), { provider: { name: 'webgpu' }, session: {}, notForwarded: [] });
});

test('every option under the binding\'s camelCase name; session options as session options', () => {
  assert.deepEqual(
    webgpuProvider.settings({ preferred_layout: 'NHWC', validation_mode: 'wgpuOnly', enable_robustness: false, force_cpu_node_names: 'a,b', graph_optimization_level: 'all', enable_mem_pattern: true }),
    {
      provider: { name: 'webgpu', preferredLayout: 'NHWC', validationMode: 'wgpuOnly', enableRobustness: false, forceCpuNodeNames: ['a', 'b'] },
      session: { graphOptimizationLevel: 'all', enableMemPattern: true },
      notForwarded: [],
    },
  );
  assert.deepEqual(webgpuProvider.settings({ enable_robustness: true }).provider, { name: 'webgpu', enableRobustness: true });
});

test('force_cpu_node_names: trimmed, empty entries dropped', () => {
  const names = (list: string) => (webgpuProvider.settings({ force_cpu_node_names: list }).provider as unknown as { forceCpuNodeNames: string[] }).forceCpuNodeNames;
  assert.deepEqual(names(' attn/Softmax , ,gelu/Erf,'), ['attn/Softmax', 'gelu/Erf']);
  assert.deepEqual(names('one'), ['one']);
  assert.deepEqual(names(' , '), []);
});

test('device and availability', () => {
  assert.equal(webgpuProvider.device({}), 'webgpu');
  assert.deepEqual(webgpuProvider.availability([{ name: 'webgpu', bundled: true }]), { ok: true });
  assert.deepEqual(webgpuProvider.availability([{ name: 'webgpu', bundled: false }]), { ok: false, reason: 'webgpu needs extra libraries: not bundled in this build' });
  assert.deepEqual(webgpuProvider.availability([]), { ok: false, reason: `this onnxruntime-node build (${process.platform}-${process.arch}) has no webgpu provider` });
});
