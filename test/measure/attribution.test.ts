import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeMeters, attributionFor } from '../../src/measure/attribution.js';
import type { PowerMeter } from '../../src/power/types.js';

const meter = (id: string, device: string | null) => ({ info: { id, device } }) as unknown as PowerMeter;
const all = [meter('rapl', 'cpu'), meter('nvidia-smi:0', 'cuda:0'), meter('nvidia-smi:1', 'cuda:1'), meter('wall', null)];
const ids = (list: PowerMeter[]) => list.map((m) => m.info.id);

test('a CPU configuration counts CPU and whole-system meters, no GPU', () => {
  assert.deepEqual(ids(attributeMeters(all, 'cpu', null)), ['rapl', 'wall']);
});

test('a GPU configuration counts its own GPU only (plus CPU and system)', () => {
  assert.deepEqual(ids(attributeMeters(all, 'cuda:1', null)), ['rapl', 'nvidia-smi:1', 'wall']);
  assert.deepEqual(ids(attributeMeters(all, 'cuda:0', null)), ['rapl', 'nvidia-smi:0', 'wall']);
});

test('devices: a GPU configuration counts its own listed GPU only, not every listed GPU', () => {
  assert.deepEqual(ids(attributeMeters(all, 'cuda:0', [0, 1])), ['rapl', 'nvidia-smi:0', 'wall']);
  assert.deepEqual(ids(attributeMeters(all, 'cuda:1', [0, 1])), ['rapl', 'nvidia-smi:1', 'wall']);
  // dml numbers its adapters too: matched by index.
  assert.deepEqual(ids(attributeMeters(all, 'dml:1', [0, 1])), ['rapl', 'nvidia-smi:1', 'wall']);
  // A GPU outside the devices is not counted (it is not metered either).
  assert.deepEqual(ids(attributeMeters(all, 'cuda:1', [0])), ['rapl', 'wall']);
});

test('devices: a CPU configuration counts every listed GPU, as --gpus always did', () => {
  assert.deepEqual(ids(attributeMeters(all, 'cpu', [1])), ['rapl', 'nvidia-smi:1', 'wall']);
  assert.deepEqual(ids(attributeMeters(all, 'cpu', [0, 1])), ['rapl', 'nvidia-smi:0', 'nvidia-smi:1', 'wall']);
});

test('a GPU provider without a device index (webgpu) counts every GPU meter, or every listed one', () => {
  assert.deepEqual(ids(attributeMeters(all, 'webgpu', null)), ['rapl', 'nvidia-smi:0', 'nvidia-smi:1', 'wall']);
  assert.deepEqual(ids(attributeMeters(all, 'webgpu', [1])), ['rapl', 'nvidia-smi:1', 'wall']);
});

test('the attribution note names what counted, what did not, and why', () => {
  assert.equal(attributionFor(all, 'cuda:1', null).note, 'rapl, nvidia-smi:1, wall for cuda:1; not counted: nvidia-smi:0 (other devices)');
  assert.equal(attributionFor(all, 'cuda:1', [0, 1]).note, 'rapl, nvidia-smi:1, wall for cuda:1 (GPU 1 of devices 0,1); not counted: nvidia-smi:0 (other devices)');
  assert.equal(attributionFor(all, 'cpu', [0]).note, 'rapl, nvidia-smi:0, wall for cpu (devices 0: every listed GPU counts for a CPU configuration); not counted: nvidia-smi:1 (other devices)');
  assert.equal(
    attributionFor(all, 'webgpu', [0, 1]).note,
    'rapl, nvidia-smi:0, nvidia-smi:1, wall for webgpu (devices 0,1: webgpu cannot be pinned to one of them, onnxruntime-node passes it no adapter index, so every listed GPU counts)',
  );
  assert.equal(attributionFor(all, 'webgpu', null).note, 'rapl, nvidia-smi:0, nvidia-smi:1, wall for webgpu (webgpu names no GPU index: every GPU meter counts)');
  const gpus = [meter('nvidia-smi:0', 'cuda:0')];
  assert.deepEqual(ids(attributionFor(gpus, 'cpu', null).meters), ['nvidia-smi:0']);
});
