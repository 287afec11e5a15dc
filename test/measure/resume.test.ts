// planResume: what is left to measure, and every difference that makes a resumed run incomparable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import type { PreparedModel } from '../../src/measure/prepare.js';
import { planResume } from '../../src/measure/resume.js';
import type { PowerMeter } from '../../src/power/types.js';
import type { Environment, Measurement, RunResult } from '../../src/results/types.js';
import { expandPlan } from '../../src/scenario/expand.js';
import { parseScenario } from '../../src/scenario/schema.js';

const scenario = parseScenario({ models: ['mlp'], batchSizes: [1, 2, 3] }, { file: null, baseDir: '/work' });
const plan = expandPlan(scenario);
const environment = {
  host: { os: 'Debian 12', kernel: '6.1', arch: 'x64', hostname: 'box', cpu: { model: 'EPYC', cores: 2, physicalCores: 1, sockets: 1 }, memoryBytes: 8e9 },
  accelerators: [],
  runtime: { node: '20', onnxruntime: '1.30', executionProviders: [] },
} as unknown as Environment;
const meters = [{ info: { id: 'estimate' } }] as unknown as PowerMeter[];
const models = [{ spec: { name: 'mlp' }, builtin: 'mlp', variants: { fp32: { path: '/m/mlp.onnx', info: { sha256: 'a'.repeat(64) } } } }] as unknown as PreparedModel[];

function record(key: string, status: Measurement['status'] = 'ok', code?: string): Measurement {
  return { key, status, model: { name: 'mlp', precision: 'fp32', sha256: 'a'.repeat(64) }, error: code ? { code, message: code } : null } as unknown as Measurement;
}

function previous(measurements: Measurement[], overrides: Partial<RunResult> = {}): RunResult {
  return {
    schema: 'joulebench/result@1', runId: 'r', status: 'interrupted', scenario: { resolved: scenario, file: null, sha256: null },
    environment, meters: [{ id: 'estimate' }], measurements, ...overrides,
  } as unknown as RunResult;
}

const resume = (prev: RunResult, changes: { models?: PreparedModel[]; meters?: PowerMeter[]; environment?: Environment } = {}) =>
  planResume({ runDir: '/runs/r', previous: prev, scenario, scenarioSha256: null, plan, models, meters, environment, ...changes });

describe('planResume', () => {
  it('keeps finished records (ok, skipped, failed) and leaves the rest, in plan order', () => {
    const { remaining, state } = resume(previous([record('mlp/fp32/cpu/b3', 'failed', 'OUT_OF_MEMORY'), record('mlp/fp32/cpu/b1')]));
    assert.deepEqual(remaining.map((c) => c.key), ['mlp/fp32/cpu/b2']);
    assert.deepEqual(state.result.measurements.map((m) => m.key), ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b3']);
    assert.equal(state.result.status, 'running');
    assert.equal(state.result.resumedAt?.length, 1);
  });

  it('measures again a configuration whose meter died, and keeps one record per key', () => {
    const { remaining, state } = resume(previous([record('mlp/fp32/cpu/b1'), record('mlp/fp32/cpu/b1'), record('mlp/fp32/cpu/b2', 'failed', 'METER_FAILED')]));
    assert.deepEqual(remaining.map((c) => c.key), ['mlp/fp32/cpu/b2', 'mlp/fp32/cpu/b3']);
    assert.deepEqual(state.result.measurements.map((m) => m.key), ['mlp/fp32/cpu/b1']);
  });

  const refusals: Array<[string, () => unknown, RegExp]> = [
    ['a changed model file', () => resume(previous([record('mlp/fp32/cpu/b1')]), { models: [{ ...models[0]!, variants: { fp32: { path: '/m/mlp.onnx', info: { sha256: 'b'.repeat(64) } } } } as unknown as PreparedModel] }), /model mlp \(fp32\) changed since the run: \/m\/mlp\.onnx has sha256 bbbbbbbbbbbb…, the run measured aaaaaaaaaaaa…/],
    ['another machine', () => resume(previous([]), { environment: { ...environment, host: { ...environment.host, hostname: 'other' } } }), /another machine \(hostname: "box" then, "other" now\)/],
    ['other meters', () => resume(previous([]), { meters: [{ info: { id: 'rapl' } }] as unknown as PowerMeter[] }), /the meters differ \(estimate then, rapl now\)/],
    ['another scenario', () => resume(previous([], { scenario: { resolved: { ...scenario, batchSizes: [1] }, file: null, sha256: null } })), /the scenario \(or the flags that set it/],
    ['a changed scenario file', () => planResume({ runDir: '/runs/r', previous: previous([], { scenario: { resolved: scenario, file: '/s.yaml', sha256: 'c'.repeat(64) } }), scenario, scenarioSha256: 'd'.repeat(64), plan, models, meters, environment }), /the scenario file changed since the run/],
  ];
  for (const [what, attempt, pattern] of refusals) {
    it(`refuses ${what}`, () => {
      assert.throws(attempt, (error: unknown) => error instanceof InputError && error.code === 'RESUME_MISMATCH' && pattern.test(error.message) && /drop --resume/.test(error.hint ?? ''));
    });
  }
});
