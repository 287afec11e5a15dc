import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultLoadThreads, defaultMaxLagMs, plannedLoadKeys, requestsAt } from '../../src/load/run-load.js';
import { parseScenario } from '../../src/scenario/schema.js';

test('requests per rate: enough for a stable p99 and for the minimum seconds', () => {
  assert.equal(requestsAt(20, { requests: 1000, minSeconds: 10 }), 1000);
  assert.equal(requestsAt(200, { requests: 1000, minSeconds: 10 }), 2000);
  assert.equal(requestsAt(0.5, { requests: 1, minSeconds: 3 }), 2);
});

test('threads per session leave a core to the generator; the lag limit is 10% of the mean gap, at least 1 ms', () => {
  assert.equal(defaultLoadThreads(1, 2), 1);
  assert.equal(defaultLoadThreads(1, 16), 15);
  assert.equal(defaultLoadThreads(4, 16), 3);
  assert.equal(defaultLoadThreads(8, 4), 1);
  assert.equal(defaultMaxLagMs(20), 5);
  assert.equal(defaultMaxLagMs(200), 1);
  assert.equal(defaultMaxLagMs(1000), 1);
});

test('planned keys: precision × policy × rate, in the order they run', () => {
  const scenario = parseScenario({ models: [{ model: 'mlp' }], precisions: ['fp32', 'int8'] }, { file: null, baseDir: '/' });
  const keys = plannedLoadKeys(scenario, { policies: [{ maxBatch: 1, maxWaitMs: 0 }, { maxBatch: 8, maxWaitMs: 5 }], sessions: 1, rates: [20, 200] });
  assert.deepEqual(keys, [
    'mlp/fp32/cpu/mb1-w0/s1@20', 'mlp/fp32/cpu/mb1-w0/s1@200', 'mlp/fp32/cpu/mb8-w5/s1@20', 'mlp/fp32/cpu/mb8-w5/s1@200',
    'mlp/int8/cpu/mb1-w0/s1@20', 'mlp/int8/cpu/mb1-w0/s1@200', 'mlp/int8/cpu/mb8-w5/s1@20', 'mlp/int8/cpu/mb8-w5/s1@200',
  ]);
});
