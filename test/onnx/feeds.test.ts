import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputLayout } from '../../src/onnx/batch-axis.js';
import { fromFloat16Bits, toFloat16Bits } from '../../src/onnx/float16.js';
import { integerRange, synthesiseFeeds } from '../../src/onnx/feeds.js';

const layout = (over: Partial<InputLayout>): InputLayout => ({
  name: 'x', elemType: 'float32', dims: ['N', 4], batchAxis: 0, feed: null, range: null, reason: '', ...over,
});

test('float16 bits: exact values, rounding to nearest even, overflow and subnormals', () => {
  assert.equal(toFloat16Bits(1), 0x3c00);
  assert.equal(toFloat16Bits(-2), 0xc000);
  assert.equal(toFloat16Bits(65504), 0x7bff);
  assert.equal(toFloat16Bits(65520), 0x7c00); // halfway to the next (absent) value rounds to infinity
  assert.equal(toFloat16Bits(0.1), 0x2e66);
  assert.equal(toFloat16Bits(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(toFloat16Bits(2 ** -26), 0); // below half of it
  assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00); // tie → even mantissa
  assert.equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02); // tie → even (up)
  assert.ok(Number.isNaN(fromFloat16Bits(toFloat16Bits(Number.NaN))));
  for (const value of [0.5, -3.25, 1024, 6.103515625e-5]) assert.equal(fromFloat16Bits(toFloat16Bits(value)), value);
});

test('feeds: shapes follow the batch; the same seed gives the same data', () => {
  const inputs = [layout({}), layout({ name: 'state', dims: [2, 'N', 3], batchAxis: 1 })];
  const a = synthesiseFeeds(inputs, 5);
  const b = synthesiseFeeds(inputs, 5);
  assert.deepEqual(a.x!.dims, [5, 4]);
  assert.deepEqual(a.state!.dims, [2, 5, 3]);
  assert.deepEqual(a.x!.data, b.x!.data);
  assert.notDeepEqual(a.x!.data, a.state!.data.slice(0, 20), 'each input has its own stream');
});

test('feeds: fill values, integer ranges, masks, bool and float16', () => {
  const feeds = synthesiseFeeds([
    layout({ name: 'sr', elemType: 'int64', dims: [], batchAxis: null, feed: 16000 }),
    layout({ name: 'ids', elemType: 'int64', dims: ['N', 50], range: [0, 7] }),
    layout({ name: 'attention_mask', elemType: 'int64', dims: ['N', 50] }),
    layout({ name: 'flags', elemType: 'bool', dims: ['N', 50] }),
    layout({ name: 'h', elemType: 'float16', dims: ['N', 2], feed: 1.5 }),
  ], 2);
  assert.deepEqual(feeds.sr!.dims, []);
  assert.deepEqual(Array.from(feeds.sr!.data as BigInt64Array), [16000n]);
  const ids = Array.from(feeds.ids!.data as BigInt64Array).map(Number);
  assert.ok(ids.every((id) => id >= 0 && id < 7));
  assert.ok(new Set(ids).size > 3, 'ids vary');
  assert.ok(Array.from(feeds.attention_mask!.data as BigInt64Array).every((v) => v === 1n));
  assert.equal(feeds.flags!.type, 'bool');
  assert.ok(Array.from(feeds.flags!.data as Uint8Array).every((v) => v === 0 || v === 1));
  assert.equal(feeds.h!.type, 'float16');
  assert.deepEqual(Array.from(feeds.h!.data as Uint16Array), [0x3e00, 0x3e00, 0x3e00, 0x3e00]);
  assert.deepEqual(integerRange(layout({ name: 'token_type_ids', elemType: 'int64' })), [0, 2]);
});
