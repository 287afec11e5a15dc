// mergeResults over synthetic shards: pooled per machine class with the recommendation made again, retried shards
// (newest complete wins), missing shards and configurations named, other machines side by side, bad mixes refused.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fingerprintOf } from '../../src/fleet/fingerprint.js';
import type { MergeInput } from '../../src/fleet/inputs.js';
import { mergeResults } from '../../src/fleet/merge.js';
import { recommend } from '../../src/results/recommend.js';
import type { RunResult } from '../../src/results/types.js';
import { syntheticResult, type SyntheticMeasurement, type SyntheticRun } from '../fixtures/synthetic-results.js';
import { inputErrorCode } from '../fixtures/errors.js';

const sha = 'b'.repeat(64);

// Shard `index` of `count`: its configurations, as `run --shard` records them.
function shard(index: number, count: number, measurements: SyntheticMeasurement[], extra: Partial<SyntheticRun> & { status?: RunResult['status'] } = {}): MergeInput {
  const result = syntheticResult({ runId: `r${index}-${extra.createdAt ?? 'a'}`, ...extra, measurements });
  result.scenario.sha256 = sha;
  result.shard = { index, count, keys: result.measurements.map((m) => m.key) };
  result.fingerprint = fingerprintOf(result.environment, result.tool.version, sha);
  if (extra.status) result.status = extra.status;
  return { file: `/runs/${result.runId}/result.json`, result };
}

const a = [{ model: 'a', batch: 1, samplesPerJoule: [10, 10.2, 9.8] }, { model: 'a', batch: 8, samplesPerJoule: [30, 30.5, 29.5] }];
const b = [{ model: 'b', batch: 1, samplesPerJoule: [5, 5.1, 4.9] }, { model: 'b', batch: 8, samplesPerJoule: [4, 4.1, 3.9] }];

describe('mergeResults', () => {
  test('same machine: one pooled ranking, every configuration once, recommendation made again over all of them', () => {
    const outcome = mergeResults([shard(1, 2, b), shard(0, 2, a)]);
    assert.equal(outcome.machines.length, 1);
    assert.equal(outcome.complete, true);
    const result = outcome.machines[0]!.result;
    assert.equal(result.status, 'complete');
    assert.deepEqual(result.measurements.map((m) => m.key), ['a/fp32/cpu/b1', 'a/fp32/cpu/b8', 'b/fp32/cpu/b1', 'b/fp32/cpu/b8']);
    assert.deepEqual(result.recommendations.map((r) => [r.model, r.key]), [['a', 'a/fp32/cpu/b8'], ['b', 'b/fp32/cpu/b1']]);
    // The same as an unsharded run of all four would recommend.
    const unsharded = syntheticResult({ measurements: [...a, ...b] });
    assert.deepEqual(result.recommendations.map((r) => r.key), recommend(unsharded.measurements, null).map((r) => r.key));
    assert.deepEqual(result.merge!.missingShards, []);
    assert.deepEqual(result.merge!.inputs.map((i) => [i.shard, i.used]), [[0, true], [1, true]]);
  });

  test('deterministic: the same inputs in any order give the same result (merging is idempotent)', () => {
    const one = mergeResults([shard(0, 2, a), shard(1, 2, b)]).machines[0]!.result;
    const two = mergeResults([shard(1, 2, b), shard(0, 2, a)]).machines[0]!.result;
    assert.deepEqual(one, two);
    assert.match(one.runId, /^merged-synthetic-[0-9a-f]{8}$/);
  });

  test('a retried shard: the newest complete result wins, the others are named as left out', () => {
    const failed = shard(0, 2, a.slice(0, 1), { createdAt: '2026-01-03T00:00:00.000Z', status: 'interrupted' });
    const retry = shard(0, 2, a, { createdAt: '2026-01-02T00:00:00.000Z' });
    const older = shard(0, 2, a, { createdAt: '2026-01-01T00:00:00.000Z' });
    const outcome = mergeResults([older, failed, retry, shard(1, 2, b)]);
    const result = outcome.machines[0]!.result;
    assert.equal(result.status, 'complete');
    assert.equal(result.measurements.length, 4);
    const used = result.merge!.inputs.filter((i) => i.used).map((i) => i.runId);
    assert.deepEqual(used, [retry.result.runId, 'r1-a']);
    assert.match(result.merge!.inputs.find((i) => i.runId === failed.result.runId)!.why!, /not complete \(interrupted\)/);
    assert.match(result.merge!.inputs.find((i) => i.runId === older.result.runId)!.why!, /superseded by/);
  });

  test('a missing shard is named, and the merge is incomplete', () => {
    const outcome = mergeResults([shard(0, 3, a), shard(2, 3, b)]);
    const result = outcome.machines[0]!.result;
    assert.equal(outcome.complete, false);
    assert.equal(result.status, 'interrupted');
    assert.deepEqual(result.merge!.missingShards, [1]);
    assert.match(result.stopReason!, /missing shard 1 of 3/);
  });

  test('a shard that did not finish: its configurations left unmeasured are named', () => {
    const partial = shard(1, 2, b.slice(0, 1), { status: 'interrupted' });
    partial.result.shard!.keys = ['b/fp32/cpu/b1', 'b/fp32/cpu/b8'];
    const result = mergeResults([shard(0, 2, a), partial]).machines[0]!.result;
    assert.deepEqual(result.merge!.missingConfigurations, ['b/fp32/cpu/b8']);
    assert.match(result.stopReason!, /1 configuration\(s\) not measured: b\/fp32\/cpu\/b8; shard 1 interrupted/);
  });

  test('different machines: one pooled result each, side by side', () => {
    const other = (input: MergeInput) => {
      input.result.environment.host.cpu.model = 'Other CPU 1';
      input.result.fingerprint = fingerprintOf(input.result.environment, input.result.tool.version, sha);
      return input;
    };
    const outcome = mergeResults([shard(0, 2, a), shard(1, 2, b), other(shard(0, 2, a, { createdAt: 'x' })), other(shard(1, 2, b, { createdAt: 'x' }))]);
    assert.equal(outcome.machines.length, 2);
    assert.ok(outcome.machines.every((m) => m.result.measurements.length === 4 && m.result.status === 'complete'));
    assert.deepEqual(new Set(outcome.machines.map((m) => m.fingerprint.cpuModel)), new Set(['Synthetic CPU 9000', 'Other CPU 1']));
  });

  test('two nodes of one machine class (other host names) pool', () => {
    const outcome = mergeResults([shard(0, 2, a, { hostname: 'node1' }), shard(1, 2, b, { hostname: 'node2' })]);
    assert.equal(outcome.machines.length, 1);
    assert.deepEqual(outcome.machines[0]!.result.merge!.inputs.map((i) => i.host), ['node1', 'node2']);
  });

  test('refuses another scenario and mixed shard counts', () => {
    const otherScenario = shard(1, 2, b);
    otherScenario.result.scenario.sha256 = 'c'.repeat(64);
    assert.equal(inputErrorCode(() => mergeResults([shard(0, 2, a), otherScenario])), 'MERGE_SCENARIO_MISMATCH');
    assert.equal(inputErrorCode(() => mergeResults([shard(0, 2, a), shard(1, 3, b)])), 'MERGE_SHARD_COUNT_MISMATCH');
  });

  test('a merge output among the inputs is left out (merging a merge again changes nothing)', () => {
    const merged = mergeResults([shard(0, 2, a), shard(1, 2, b)]).machines[0]!.result;
    const again = mergeResults([shard(0, 2, a), shard(1, 2, b), { file: '/out/result.json', result: merged }]);
    assert.deepEqual(again.machines[0]!.result, merged);
    assert.match(again.notes[0]!, /a merge output, left out/);
    assert.equal(inputErrorCode(() => mergeResults([{ file: '/out/result.json', result: merged }])), 'MERGE_NOTHING');
  });

  describe('with the scenario the shards ran (its plan is known)', () => {
    // The resolved scenario result.json records: models a and b, batch 1 and 8 on the CPU, raced.
    const resolved = {
      name: 'synthetic', models: ['a', 'b'].map((name) => ({ name, source: 'mlp', inputs: {}, variants: {} })), precisions: ['fp32'],
      executionProviders: [{ name: 'cpu', options: {} }], devices: null, threads: [null], batchSizes: [1, 8], stopping: { rule: 'race', equivalencePercent: 3, maxSeconds: 5 },
    };
    const planned = (input: MergeInput) => {
      input.result.scenario.resolved = resolved;
      return input;
    };

    test('a missing shard names its configurations from the plan', () => {
      const result = mergeResults([planned(shard(0, 2, a))]).machines[0]!.result;
      assert.deepEqual(result.merge!.missingShards, [1]);
      assert.deepEqual(result.merge!.missingConfigurations, ['b/fp32/cpu/b1', 'b/fp32/cpu/b8']);
    });

    test('a shard that measured other configurations than the plan gives it is refused', () => {
      const odd = planned(shard(1, 2, b));
      odd.result.shard!.keys = ['b/fp32/cpu/b1'];
      assert.equal(inputErrorCode(() => mergeResults([planned(shard(0, 2, a)), odd])), 'MERGE_SHARD_PLAN_MISMATCH');
    });
  });
});
