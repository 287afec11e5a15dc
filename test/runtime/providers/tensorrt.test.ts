// The TensorRT provider (src/runtime/providers/tensorrt.ts) without a GPU: the engine cache folder (so an engine build
// is cold start, never window time), the provider entry for each option, what onnxruntime-node does not pass on,
// the builder flags behind precision_via, its device and availability.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { tensorrtEngineCacheDir, tensorrtProvider } from '../../../src/runtime/providers/tensorrt.js';

const context = { cacheDir: path.join('/cache', 'joulebench') };

test('the engine cache lives in tensorrt-engines under the cache root', () => {
  assert.equal(tensorrtEngineCacheDir('/cache/joulebench'), path.join('/cache/joulebench', 'tensorrt-engines'));
  assert.equal(tensorrtEngineCacheDir('rel'), path.join('rel', 'tensorrt-engines'));
});

test('with a cache root and no options: the cache is on, in the default folder, on device 0', () => {
  assert.deepEqual(tensorrtProvider.settings({}, context), {
    provider: { name: 'tensorrt', deviceId: 0, trt_engine_cache_enable: '1', trt_engine_cache_path: path.join('/cache', 'joulebench', 'tensorrt-engines') },
    session: {},
    notForwarded: [],
  });
});

test('without a cache root the cache is off unless a folder or trt_engine_cache_enable is given', () => {
  assert.deepEqual(tensorrtProvider.settings({}).provider, { name: 'tensorrt', deviceId: 0, trt_engine_cache_enable: '0' });
  // A folder given turns the cache on (trt_engine_cache_enable defaults to "a folder is known").
  assert.deepEqual(tensorrtProvider.settings({ trt_engine_cache_path: '/engines' }).provider, {
    name: 'tensorrt', deviceId: 0, trt_engine_cache_enable: '1', trt_engine_cache_path: '/engines',
  });
  // Turned on with no folder anywhere: onnxruntime's own default folder (none passed).
  assert.deepEqual(tensorrtProvider.settings({ trt_engine_cache_enable: true }).provider, { name: 'tensorrt', deviceId: 0, trt_engine_cache_enable: '1' });
});

test('a given folder beats the cache root; turning the cache off drops the folder', () => {
  assert.equal((tensorrtProvider.settings({ trt_engine_cache_path: '/run/engines' }, context).provider as unknown as Record<string, unknown>).trt_engine_cache_path, '/run/engines');
  assert.deepEqual(tensorrtProvider.settings({ trt_engine_cache_enable: false, trt_engine_cache_path: '/run/engines' }, context).provider, {
    name: 'tensorrt', deviceId: 0, trt_engine_cache_enable: '0',
  });
});

test('device, builder flags and workspace as strings; all of them recorded as not forwarded except device_id', () => {
  const settings = tensorrtProvider.settings({ device_id: 2, trt_fp16_enable: true, trt_int8_enable: false, trt_max_workspace_size: 1073741824, graph_optimization_level: 'extended' }, context);
  assert.deepEqual(settings, {
    provider: {
      name: 'tensorrt', deviceId: 2, device_id: '2', trt_engine_cache_enable: '1', trt_engine_cache_path: path.join('/cache', 'joulebench', 'tensorrt-engines'),
      trt_fp16_enable: '1', trt_int8_enable: '0', trt_max_workspace_size: '1073741824',
    },
    session: { graphOptimizationLevel: 'extended' },
    notForwarded: ['trt_fp16_enable', 'trt_int8_enable', 'trt_max_workspace_size'],
  });
  assert.deepEqual(tensorrtProvider.settings({ trt_engine_cache_enable: true, trt_engine_cache_path: '/e' }).notForwarded, ['trt_engine_cache_enable', 'trt_engine_cache_path']);
});

test('precision_via is joulebench\'s own option: checked, never in the provider entry, never "not forwarded"', () => {
  assert.deepEqual(tensorrtProvider.options.precision_via?.values, ['model', 'builder', 'both']);
  assert.equal(tensorrtProvider.options.precision_via?.target, 'joulebench');
  const settings = tensorrtProvider.settings({ precision_via: 'both' });
  assert.equal('precision_via' in (settings.provider as unknown as Record<string, unknown>), false);
  assert.deepEqual(settings.notForwarded, []);
});

test('builder precisions: FP16 sets trt_fp16_enable, INT8 both flags (FP16 where INT8 has no range)', () => {
  assert.deepEqual(tensorrtProvider.builderPrecisions, {
    via: 'tensorrt-builder',
    flags: { fp16: { trt_fp16_enable: true }, int8: { trt_int8_enable: true, trt_fp16_enable: true } },
  });
  // The flags are options of its own table, so a builder configuration's options pass the check.
  for (const flags of Object.values(tensorrtProvider.builderPrecisions!.flags)) {
    for (const name of Object.keys(flags)) assert.equal(tensorrtProvider.options[name]?.type, 'boolean', name);
  }
  assert.deepEqual(tensorrtProvider.settings({ ...tensorrtProvider.builderPrecisions!.flags.int8 }).provider, {
    name: 'tensorrt', deviceId: 0, trt_engine_cache_enable: '0', trt_int8_enable: '1', trt_fp16_enable: '1',
  });
});

test('device is the CUDA device; availability from the build\'s backends', () => {
  assert.equal(tensorrtProvider.device({}), 'cuda:0');
  assert.equal(tensorrtProvider.device({ device_id: 1 }), 'cuda:1');
  assert.deepEqual(tensorrtProvider.availability([{ name: 'cuda', bundled: true }]), { ok: false, reason: `this onnxruntime-node build (${process.platform}-${process.arch}) has no tensorrt provider` });
  assert.match((tensorrtProvider.availability([{ name: 'tensorrt', bundled: false }]) as { reason: string }).reason, /^tensorrt needs extra libraries: run scripts\/install-gpu-ep\.sh /);
  assert.deepEqual(tensorrtProvider.availability([{ name: 'tensorrt', bundled: true }]), { ok: true });
});
