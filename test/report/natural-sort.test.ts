import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareLabels, sortLabels } from '../../src/report/natural-sort.js';

test('digit runs compare as numbers: b1, b8, b32, b64', () => {
  assert.deepEqual(sortLabels(['mlp/fp32/cpu/b64', 'mlp/fp32/cpu/b8', 'mlp/fp32/cpu/b32', 'mlp/fp32/cpu/b1']), ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b8', 'mlp/fp32/cpu/b32', 'mlp/fp32/cpu/b64']);
  assert.deepEqual(sortLabels(['m/fp32/cpu/b8/t16', 'm/fp32/cpu/b8/t4', 'm/fp16/cpu/b8/t4']), ['m/fp16/cpu/b8/t4', 'm/fp32/cpu/b8/t4', 'm/fp32/cpu/b8/t16']);
  assert.ok(compareLabels('b08', 'b8') > 0 && compareLabels('b8', 'b08') < 0, 'same number, total order');
  assert.equal(compareLabels('a', 'a'), 0);
  assert.ok(compareLabels('b1', 'b1/x') < 0, 'a prefix first');
});
