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

test('--gpus overrides: those GPUs count for every configuration', () => {
  assert.deepEqual(ids(attributeMeters(all, 'cpu', [1])), ['rapl', 'nvidia-smi:1', 'wall']);
  assert.deepEqual(ids(attributeMeters(all, 'cuda:0', [0, 1])), ['rapl', 'nvidia-smi:0', 'nvidia-smi:1', 'wall']);
});

test('a GPU provider without a device index (webgpu) counts every GPU meter', () => {
  assert.deepEqual(ids(attributeMeters(all, 'webgpu', null)), ['rapl', 'nvidia-smi:0', 'nvidia-smi:1', 'wall']);
});

test('the attribution note names what counted and what did not', () => {
  assert.equal(attributionFor(all, 'cuda:1', null).note, 'rapl, nvidia-smi:1, wall for cuda:1; not counted: nvidia-smi:0 (other devices)');
  assert.equal(attributionFor(all, 'cpu', [0]).note, 'rapl, nvidia-smi:0, wall for cpu (--gpus 0); not counted: nvidia-smi:1 (other devices)');
  const gpus = [meter('nvidia-smi:0', 'cuda:0')];
  assert.deepEqual(ids(attributionFor(gpus, 'cpu', null).meters), ['nvidia-smi:0']);
});
