// Shard plans: whole models per shard (largest first, to the least-loaded shard), (model, EP) groups only when
// models are too few and nothing races, empty shards named; --shard I/N and auto/N parsing with named errors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyShardMessage, parseShardCount, parseShardSpec, planShards, selectShard } from '../../src/fleet/shards.js';
import type { PlannedConfig, Scenario } from '../../src/scenario/types.js';
import { inputErrorCode } from '../fixtures/errors.js';

// A plan as expandPlan orders it: model → precision → EP → batch.
function plan(models: Array<[string, number]>, eps = ['cpu'], precisions = ['fp32']): PlannedConfig[] {
  const out: PlannedConfig[] = [];
  for (const [name, batches] of models) {
    for (const precision of precisions) {
      for (const ep of eps) {
        for (let b = 1; b <= batches; b++) {
          out.push({ key: `${name}/${precision}/${ep}/b${b}`, groupKey: `${name}/${precision}/${ep}`, model: { name } } as unknown as PlannedConfig);
        }
      }
    }
  }
  return out;
}

const race: Scenario['stopping'] = { rule: 'race', equivalencePercent: 3, maxSeconds: 5 };

describe('planShards', () => {
  test('whole models, largest first to the least-loaded shard; every key exactly once, in plan order', () => {
    // By size: a(3), c(2), d(2), b(1). a → shard 0 (3); c → shard 1 (2); d → shard 1, the lighter (4); b → shard 0 (4).
    const p = plan([['a', 3], ['b', 1], ['c', 2], ['d', 2]]);
    const shards = planShards(p, race, 2);
    assert.equal(shards.unit, 'model');
    assert.deepEqual(shards.shards.map((s) => s.units), [['a', 'b'], ['c', 'd']]);
    assert.deepEqual(shards.shards[0]!.keys, ['a/fp32/cpu/b1', 'a/fp32/cpu/b2', 'a/fp32/cpu/b3', 'b/fp32/cpu/b1']);
    assert.deepEqual(shards.empty, []);
    assert.equal(shards.note, null);
    const all = shards.shards.flatMap((s) => s.keys).sort();
    assert.deepEqual(all, p.map((c) => c.key).sort());
  });

  test('the same plan every time (deterministic)', () => {
    const p = plan([['x', 2], ['y', 2], ['z', 2]]);
    assert.deepEqual(planShards(p, race, 2), planShards([...p], race, 2));
  });

  test('fewer models than shards with a race: models stay whole and the empty shards are named', () => {
    const shards = planShards(plan([['a', 2], ['b', 2]], ['cpu', 'cuda:0']), race, 4);
    assert.equal(shards.unit, 'model');
    assert.deepEqual(shards.empty, [2, 3]);
    assert.match(shards.note!, /race together on one machine.*shards 2, 3 have nothing to run/);
  });

  test('fewer models than shards without a race: cut by (model, EP) group', () => {
    const shards = planShards(plan([['a', 2], ['b', 2]], ['cpu', 'cuda:0']), null, 4);
    assert.equal(shards.unit, 'model-ep');
    assert.deepEqual(shards.shards.map((s) => s.units), [['a/cpu'], ['a/cuda:0'], ['b/cpu'], ['b/cuda:0']]);
    assert.deepEqual(shards.empty, []);
    assert.match(shards.note!, /cut by execution provider \(4 groups\)/);
  });

  test('fewer models than shards, no race, one provider each: nothing to cut, models stay whole', () => {
    const shards = planShards(plan([['a', 2]]), null, 2);
    assert.equal(shards.unit, 'model');
    assert.deepEqual(shards.empty, [1]);
    assert.equal(shards.note, '1 model(s) for 2 shards: shard 1 has nothing to run');
  });

  test('a (model, EP) group keeps its precisions and batches together', () => {
    const shards = planShards(plan([['a', 2]], ['cpu', 'cuda:0'], ['fp32', 'int8']), { rule: 'target-ci', targetCiPercent: 2, maxSeconds: 60 }, 2);
    assert.deepEqual(shards.shards[0]!.keys, ['a/fp32/cpu/b1', 'a/fp32/cpu/b2', 'a/int8/cpu/b1', 'a/int8/cpu/b2']);
  });

  test('selectShard and emptyShardMessage', () => {
    const p = plan([['a', 1], ['b', 1]]);
    assert.deepEqual(selectShard(p, race, { index: 1, count: 2 }).configs.map((c) => c.key), ['b/fp32/cpu/b1']);
    assert.equal(emptyShardMessage(p, race, { index: 0, count: 3 }), null);
    assert.match(emptyShardMessage(p, race, { index: 2, count: 3 })!, /^shard 2\/3 has nothing to run/);
  });
});

describe('--shard and --shards', () => {
  test('I/N counts from 0', () => {
    assert.deepEqual(parseShardSpec('0/4', {}), { index: 0, count: 4 });
    assert.deepEqual(parseShardSpec('3/4', {}), { index: 3, count: 4 });
  });

  test('auto/N reads SLURM_ARRAY_TASK_ID, else JOB_COMPLETION_INDEX', () => {
    assert.deepEqual(parseShardSpec('auto/4', { SLURM_ARRAY_TASK_ID: '2', JOB_COMPLETION_INDEX: '1' }), { index: 2, count: 4 });
    assert.deepEqual(parseShardSpec('auto/4', { JOB_COMPLETION_INDEX: '1' }), { index: 1, count: 4 });
  });

  test('named errors', () => {
    assert.equal(inputErrorCode(() => parseShardSpec('auto/4', {})), 'SHARD_INDEX_UNSET');
    assert.equal(inputErrorCode(() => parseShardSpec('4/4', {})), 'SHARD_OUT_OF_RANGE');
    assert.equal(inputErrorCode(() => parseShardSpec('-1/4', {})), 'SHARD_OUT_OF_RANGE');
    assert.equal(inputErrorCode(() => parseShardSpec('auto/4', { SLURM_ARRAY_TASK_ID: '7' })), 'SHARD_OUT_OF_RANGE');
    assert.equal(inputErrorCode(() => parseShardSpec('0/0', {})), 'SHARD_COUNT_INVALID');
    assert.equal(inputErrorCode(() => parseShardSpec('1', {})), 'SHARD_INVALID');
    assert.equal(inputErrorCode(() => parseShardCount('--shards', '0')), 'SHARD_COUNT_INVALID');
    assert.equal(inputErrorCode(() => parseShardCount('--shards', '2.5')), 'SHARD_COUNT_INVALID');
    assert.equal(parseShardCount('--shards', '3'), 3);
  });
});
