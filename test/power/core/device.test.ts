// Device ids: `vendor:index` or a bare vendor, an open vocabulary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDevice, parseDevice } from '../../../src/power/core/device.js';

test('a vendor and an index, or a bare vendor with a null index', () => {
  assert.deepEqual(parseDevice('cuda:1'), { vendor: 'cuda', index: 1 });
  assert.deepEqual(parseDevice('rocm:12'), { vendor: 'rocm', index: 12 });
  assert.deepEqual(parseDevice('my-npu.v2:3'), { vendor: 'my-npu.v2', index: 3 }); // any vendor a meter brings
  assert.deepEqual(parseDevice('cpu'), { vendor: 'cpu', index: null });
  assert.deepEqual(parseDevice('webgpu'), { vendor: 'webgpu', index: null });
});

test('text that is not vendor:digits stays whole as the vendor', () => {
  for (const text of ['cuda:', 'cuda:-1', 'cuda:1.5', '0:1', 'cuda:1:2']) assert.deepEqual(parseDevice(text), { vendor: text, index: null }, text);
});

test('formatDevice undoes parseDevice; a zero-padded index comes back plain', () => {
  for (const text of ['cuda:0', 'rocm:1', 'dml:0', 'cpu', 'webgpu', 'my-npu.v2:3']) assert.equal(formatDevice(parseDevice(text)), text);
  assert.equal(formatDevice(parseDevice('cuda:01')), 'cuda:1');
  assert.equal(formatDevice({ vendor: 'cuda', index: 0 }), 'cuda:0');
});
