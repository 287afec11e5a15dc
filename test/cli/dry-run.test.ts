import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dryRunPlan, formatSeconds, renderDryRun } from '../../src/cli/dry-run.js';
import { parseScenario } from '../../src/scenario/schema.js';

test('race: worst case = 2 × idle + configurations × (warm-up s + stopping.maxSeconds)', () => {
  const scenario = parseScenario({ models: ['mlp'], precisions: ['fp32', 'int8'], batchSizes: [1, 8], idleSeconds: 2, warmup: { seconds: 0.5 }, stopping: { maxSeconds: 30 } }, { file: null, baseDir: '/tmp' });
  const plan = dryRunPlan(scenario);
  assert.deepEqual(plan.configurations, ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b8', 'mlp/int8/cpu/b1', 'mlp/int8/cpu/b8']);
  assert.deepEqual(plan.variantsToMake, ['mlp/int8']);
  assert.equal(plan.perConfigurationS, 30.5);
  // 2 × 2 + 4 × 30.5 = 126 s
  assert.equal(plan.worstCaseS, 126);
  const text = renderDryRun(plan, scenario);
  assert.match(text, /^dry run: nothing is measured/);
  assert.match(text, /worst case from the caps: 2 min 06 s = idle 4 s \(before and after\) \+ 4 × 30\.5 s/);
});

test('fixed repetitions with cooldown; a given variant file is not made', () => {
  const scenario = parseScenario({ models: [{ model: 'm.onnx', variants: { fp16: 'm16.onnx' } }], precisions: ['fp32', 'fp16'], batchSizes: [1], stopping: false, repetitions: 4, window: { minSeconds: 2 }, warmup: { seconds: 1 }, idleSeconds: 0, cooldown: { maxSeconds: 10 } }, { file: null, baseDir: '/tmp' });
  const plan = dryRunPlan(scenario);
  assert.deepEqual(plan.variantsToMake, []);
  // 1 + 4 × 2 + 10 = 19 s each, 2 configurations
  assert.equal(plan.worstCaseS, 38);
});

test('durations read as people say them', () => {
  assert.equal(formatSeconds(5.25), '5.3 s');
  assert.equal(formatSeconds(42), '42 s');
  assert.equal(formatSeconds(185), '3 min 05 s');
  assert.equal(formatSeconds(3720), '1 h 02 min');
});
