// compare.ts beyond the statistical checks of test/compare/verdict.test.ts: the threshold rule by hand, what each metric
// takes from a measurement, hardware differences, what is refused (and the hint), key statuses, gating and counts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareDefaults, compareRuns, hardwareDifferences, isEstimatedRun, judgeMetric, metricDefinitions, metricSamplesOf } from '../../src/compare/compare.js';
import { InputError } from '../../src/errors.js';
import type { RunResult } from '../../src/results/types.js';
import { loadRecord, syntheticResult, type SyntheticMeasurement, type SyntheticRun } from '../fixtures/synthetic-results.js';
import { thrownInputError as thrown } from '../fixtures/errors.js';

const run = (measurements: SyntheticMeasurement[], extra: Partial<SyntheticRun> = {}) => syntheticResult({ ...extra, measurements });
const definition = (id: string) => metricDefinitions.find((d) => d.id === id)!;
const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('judgeMetric by threshold (one value a side)', () => {
  const options = compareDefaults;

  it('10 → 9.5 samples/J is −5%, inside max(2%, 10%): no significant change', () => {
    const r = judgeMetric({ baseline: [10], candidate: [9.5], higherIsBetter: true }, options, 1);
    near(r.change, -0.05);
    assert.deepEqual([r.method, r.verdict, r.failed, r.changeCi, r.pValue, r.baseline, r.candidate], ['threshold', 'no significant change', false, null, null, { mean: 10, n: 1 }, { mean: 9.5, n: 1 }]);
  });

  it('10 → 8.9 is −11%: regressed, and fails the 5% gate; with a 20% gate it does not fail', () => {
    const r = judgeMetric({ baseline: [10], candidate: [8.9], higherIsBetter: true }, options, 1);
    near(r.change, -0.11);
    assert.deepEqual([r.verdict, r.failed], ['regressed', true]);
    assert.equal(judgeMetric({ baseline: [10], candidate: [8.9], higherIsBetter: true }, { ...options, maxRegression: 0.2 }, 1).failed, false);
  });

  it('a lower-is-better metric: 10 → 8.9 ms is an improvement, 10 → 11.1 ms a regression', () => {
    assert.equal(judgeMetric({ baseline: [10], candidate: [8.9], higherIsBetter: false }, options, 1).verdict, 'improved');
    const worse = judgeMetric({ baseline: [10], candidate: [11.1], higherIsBetter: false }, options, 1);
    assert.deepEqual([worse.verdict, worse.failed], ['regressed', true]);
  });

  it('a regression exactly at the gate fails (12% against a 12% gate, both beyond the 10% threshold)', () => {
    // 100 → 88: change −0.12; the gate −0.12 ≥ 0.12 − 1e-12.
    assert.equal(judgeMetric({ baseline: [100], candidate: [88], higherIsBetter: true }, { ...options, maxRegression: 0.12 }, 1).failed, true);
  });

  it('two values on one side and one on the other is still by threshold, the means compared', () => {
    // (10 + 12) / 2 = 11 → 13: +18.2% beyond the threshold: improved.
    const r = judgeMetric({ baseline: [10, 12], candidate: [13], higherIsBetter: true }, options, 1);
    assert.deepEqual([r.method, r.verdict, r.baseline], ['threshold', 'improved', { mean: 11, n: 2 }]);
    near(r.change, 13 / 11 - 1);
  });
});

describe('metricSamplesOf', () => {
  const [b] = run([{ samplesPerJoule: [10, 20], samplesPerSecond: [500, 1500], p99Ms: 2 }]).measurements;
  const [c] = run([{ samplesPerJoule: [30], p99Ms: 3 }]).measurements;

  it('samples/J per repetition: samples ÷ energy (1000 ÷ 100 J = 10, 3000 ÷ 150 J = 20); n is the smaller side', () => {
    const got = metricSamplesOf(definition('samplesPerJoule'), b!, c!)!;
    const round = (values: number[]) => values.map((v) => Math.round(v * 1e9) / 1e9);
    assert.deepEqual([round(got.samples.baseline), round(got.samples.candidate)], [[10, 20], [30]]);
    assert.deepEqual([got.samples.higherIsBetter, got.pointOnly, got.n], [true, null, 1]);
  });

  it('samples/s per repetition', () => {
    assert.deepEqual(metricSamplesOf(definition('samplesPerSecond'), b!, c!)!.samples.baseline, [500, 1500]);
  });

  it('p99 without per-window values: the overall p99 of each side, by threshold, with the reason', () => {
    const got = metricSamplesOf(definition('p99Ms'), b!, c!)!;
    assert.deepEqual([got.samples.baseline, got.samples.candidate, got.samples.higherIsBetter], [[2], [3], false]);
    assert.match(got.pointOnly!, /^a result without per-window p99/);
  });

  it('p99 with per-window values on both sides: those values, tested', () => {
    const [x] = run([{ samplesPerJoule: [1, 1], windowP99Ms: [2, 4] }]).measurements;
    const [y] = run([{ samplesPerJoule: [1, 1, 1], windowP99Ms: [3, 5, 7] }]).measurements;
    const got = metricSamplesOf(definition('p99Ms'), x!, y!)!;
    assert.deepEqual([got.samples.baseline, got.samples.candidate, got.pointOnly, got.n], [[2, 4], [3, 5, 7], null, 2]);
  });

  it('a repetition without energy is left out; a side with no values gives null', () => {
    const [x] = run([{ samplesPerJoule: [10, 20] }]).measurements;
    x!.repetitions[0]!.energyJ = 0;
    assert.deepEqual(metricSamplesOf(definition('samplesPerJoule'), x!, c!)!.samples.baseline, [20]);
    const [failed] = run([{ samplesPerJoule: [10], status: 'failed' }]).measurements;
    assert.equal(metricSamplesOf(definition('samplesPerJoule'), failed!, c!), null);
    assert.equal(metricSamplesOf(definition('samplesPerJoule'), c!, failed!), null);
  });

  it('three metrics, in a fixed order, each with its direction', () => {
    assert.deepEqual(metricDefinitions.map((d) => [d.id, d.label, d.higherIsBetter, d.energy]), [
      ['samplesPerJoule', 'samples/J', true, true], ['samplesPerSecond', 'samples/s', true, false], ['p99Ms', 'p99 ms', false, false],
    ]);
  });
});

describe('isEstimatedRun', () => {
  it('an estimate meter, or any measurement whose energy is estimated', () => {
    assert.equal(isEstimatedRun(run([{ samplesPerJoule: [1] }])), false);
    assert.equal(isEstimatedRun(run([{ samplesPerJoule: [1] }], { estimated: true })), true);
    const mixed = run([{ samplesPerJoule: [1] }, { batch: 8, samplesPerJoule: [1] }]);
    mixed.measurements[1]!.energy!.estimated = true;
    assert.equal(isEstimatedRun(mixed), true);
  });
});

describe('hardwareDifferences', () => {
  const base = run([{ samplesPerJoule: [1] }]);
  const changed = (change: (r: RunResult) => void) => {
    const other = structuredClone(base);
    change(other);
    return hardwareDifferences(base, other);
  };

  it('the same hardware: nothing; another hostname or kernel alone: nothing', () => {
    assert.deepEqual(hardwareDifferences(base, structuredClone(base)), []);
    assert.deepEqual(changed((r) => { r.environment.host.hostname = 'other'; r.environment.host.kernel = '6.8.0'; }), []);
  });

  it('architecture, CPU model and core counts, each said with both values', () => {
    assert.deepEqual(changed((r) => { r.environment.host.arch = 'arm64'; }), ['host architecture x64 → arm64']);
    assert.deepEqual(changed((r) => { r.environment.host.cpu.cores = 16; r.environment.host.cpu.physicalCores = 8; }), ['host CPU cores 4/8 (1 socket) → 8/16 (1 socket)']);
  });

  it('memory within 5% is the same machine; beyond, a difference in GiB', () => {
    // 16 → 16.5 GiB: 0.5 ≤ 0.05 × 16.5 = 0.825; 16 → 18 GiB: 2 > 0.9.
    assert.deepEqual(changed((r) => { r.environment.host.memoryBytes = 16.5 * 2 ** 30; }), []);
    assert.deepEqual(changed((r) => { r.environment.host.memoryBytes = 18 * 2 ** 30; }), ['host memory 16.0 GiB → 18.0 GiB']);
  });

  it('accelerators compared as a sorted list, "none" for none', () => {
    const got = changed((r) => { r.environment.accelerators = [{ vendor: 'nvidia', name: 'H200' } as RunResult['environment']['accelerators'][number]]; });
    assert.deepEqual(got, ['accelerators none → nvidia H200']);
  });

  it('power meters by kind, an estimate labelled', () => {
    assert.deepEqual(hardwareDifferences(base, run([{ samplesPerJoule: [1] }], { estimated: true })), ['power meters rapl → estimate (estimated)']);
  });
});

describe('compareRuns: refusals', () => {
  it('five differences on one key: four shown and "and 1 more", with the new-baseline hint', () => {
    const baseline = run([{ samplesPerJoule: [1, 1] }]);
    const candidate = structuredClone(baseline);
    const m = candidate.measurements[0]!;
    Object.assign(m, { executionProvider: 'cuda', batchSize: 2, threads: 4 });
    m.model.sha256 = 'c'.repeat(64);
    m.model.precision = 'fp16';
    const error = thrown(() => compareRuns({ result: baseline, file: 'a.json' }, { result: candidate, file: 'b.json' }));
    assert.equal(error.code, 'COMPARE_INCOMPARABLE');
    assert.equal(error.message, 'refusing to compare a.json with b.json: mlp/fp32/cpu/b1: the model file differs (sha256 aaaaaaaaaaaa… → cccccccccccc…); mlp/fp32/cpu/b1: precision fp32 → fp16; mlp/fp32/cpu/b1: execution provider cpu → cuda; mlp/fp32/cpu/b1: batch size 1 → 2; and 1 more');
    assert.match(error.hint!, /record a new baseline/);
  });

  it('threads are part of what is measured ("default" when unset)', () => {
    const baseline = run([{ samplesPerJoule: [1, 1] }]);
    const candidate = structuredClone(baseline);
    candidate.measurements[0]!.threads = 4;
    assert.match(thrown(() => compareRuns({ result: baseline, file: 'a' }, { result: candidate, file: 'b' })).message, /threads default → 4$/);
  });

  it('only the host differs: the hint offers --allow-host-change', () => {
    const error = thrown(() => compareRuns({ result: run([{ samplesPerJoule: [1, 1] }]), file: 'a' }, { result: run([{ samplesPerJoule: [1, 1] }], { cpuModel: 'X' }), file: 'b' }));
    assert.match(error.hint!, /--allow-host-change/);
  });

  it('no configuration measured on both sides: COMPARE_NOTHING naming both files', () => {
    const baseline = run([{ samplesPerJoule: [1, 1], status: 'failed' }]);
    const candidate = run([{ batch: 8, samplesPerJoule: [1, 1] }]);
    const error = thrown(() => compareRuns({ result: baseline, file: 'old.json' }, { result: candidate, file: 'new.json' }));
    assert.equal(error.code, 'COMPARE_NOTHING');
    assert.equal(error.message, 'nothing to compare: old.json and new.json have no successfully measured configuration key in common');
    assert.equal(error.hint, 'compare two runs of the same scenario');
  });
});

describe('compareRuns: keys, gating, counts', () => {
  it('a key the baseline failed is "not in baseline" with the reason; keys keep the baseline\'s order, new ones after', () => {
    const baseline = run([{ batch: 8, samplesPerJoule: [1, 1], status: 'failed' }, { samplesPerJoule: [100, 100] }]);
    const candidate = run([{ batch: 32, samplesPerJoule: [1, 1] }, { samplesPerJoule: [100, 100] }, { batch: 8, samplesPerJoule: [1, 1] }]);
    const c = compareRuns({ result: baseline, file: 'a' }, { result: candidate, file: 'b' });
    assert.deepEqual(c.keys.map((k) => [k.key, k.status, k.notes]), [
      ['mlp/fp32/cpu/b8', 'not in baseline', ['baseline failed: synthetic failure']],
      ['mlp/fp32/cpu/b1', 'compared', []],
      ['mlp/fp32/cpu/b32', 'new in candidate', []],
    ]);
  });

  it('a key the candidate skipped or never reached fails, with a note; invalid sides are noted', () => {
    const baseline = run([{ samplesPerJoule: [100, 100], valid: false }, { batch: 8, samplesPerJoule: [1, 1] }, { batch: 16, samplesPerJoule: [1, 1] }]);
    const candidate = run([{ samplesPerJoule: [100, 100] }, { batch: 8, samplesPerJoule: [1, 1], status: 'skipped' }]);
    const c = compareRuns({ result: baseline, file: 'a' }, { result: candidate, file: 'b' });
    assert.deepEqual(c.keys.map((k) => [k.status, k.failed, k.notes]), [
      ['compared', false, ['baseline not valid: synthetic: marked invalid']],
      ['missing in candidate', true, ['candidate skipped: synthetic failure']],
      ['missing in candidate', true, ['not measured by the candidate']],
    ]);
    // Two missing keys count as failures; no metric failed.
    assert.equal(c.counts.failed, 2);
    assert.equal(c.failed, true);
  });

  it('an ungated metric can regress without failing; the options given are kept beside the defaults', () => {
    // samples/s 1000 → 500 (−50%, one repetition a side so by threshold); only samples/J is gated.
    const baseline = run([{ samplesPerJoule: [100], samplesPerSecond: [1000] }]);
    const candidate = run([{ samplesPerJoule: [100], samplesPerSecond: [500] }]);
    const c = compareRuns({ result: baseline, file: 'a' }, { result: candidate, file: 'b' }, { gated: ['samplesPerJoule'] });
    const sps = c.keys[0]!.metrics.find((m) => m.metric === 'samplesPerSecond')!;
    assert.deepEqual([sps.verdict, sps.gated, sps.failed], ['regressed', false, false]);
    assert.match(sps.note!, /^1 repetition\(s\) on one side: no significance test/);
    assert.deepEqual([c.failed, c.counts], [false, { improved: 0, regressed: 1, unchanged: 2, failed: 0 }]);
    assert.deepEqual(c.options, { ...compareDefaults, gated: ['samplesPerJoule'] });
  });

  it('the run references and the setting changes', () => {
    const baseline = run([{ samplesPerJoule: [100, 100] }], { runId: 'r1', hostname: 'box' });
    const candidate = run([{ samplesPerJoule: [100, 100, 100] }], { runId: 'r2', hostname: 'box' });
    const c = compareRuns({ result: baseline, file: 'a.json' }, { result: candidate, file: 'b.json' });
    assert.deepEqual(c.baseline, { file: 'a.json', runId: 'r1', createdAt: '2026-01-01T00:00:00.000Z', status: 'complete', host: 'box (Synthetic CPU 9000)', estimated: false });
    assert.deepEqual(c.changes, ['scenario repetitions 2 → 3']);
    assert.deepEqual(c.hostChanges, []);
    assert.equal(c.schema, 'joulebench/compare@1');
  });
});

describe('load records (joulebench load): energy per request and p99 per rate', () => {
  const loadRun = (records: ReturnType<typeof loadRecord>[]) => {
    const result = syntheticResult({ measurements: [] });
    result.load = records;
    return result;
  };
  const files = (b: RunResult, c: RunResult) => [{ result: b, file: 'base.json' }, { result: c, file: 'cand.json' }] as const;

  it('by threshold, one value a side: J/request up 25% regresses and fails; p99 down 20% improves', () => {
    const [b, c] = files(loadRun([loadRecord('mlp', 20, 0.02, 10)]), loadRun([loadRecord('mlp', 20, 0.025, 8)]));
    const comparison = compareRuns(b, c);
    const [key] = comparison.keys;
    assert.equal(key!.key, 'mlp/fp32/cpu/mb8-w5/s1@20');
    assert.equal(key!.status, 'compared');
    const [energy, p99] = key!.metrics;
    // 0.025 ÷ 0.02 − 1 = +25% on a lower-is-better metric, beyond max(2%, 10%): regressed, ≥ 5%: fails.
    near(energy!.change, 0.25);
    assert.deepEqual([energy!.metric, energy!.label, energy!.method, energy!.verdict, energy!.failed], ['joulesPerRequest', 'J/request', 'threshold', 'regressed', true]);
    // 8 ÷ 10 − 1 = −20%: improved.
    near(p99!.change, -0.2);
    assert.deepEqual([p99!.metric, p99!.verdict, p99!.failed], ['p99Ms', 'improved', false]);
    assert.equal(p99!.note, 'one load measurement per rate: no significance test, compared against the threshold');
    assert.equal(comparison.failed, true);
  });

  it('a rate the candidate did not serve is missing and fails; an invalid record is compared with a note', () => {
    const invalid = loadRecord('mlp', 50, 0.01, 9, { valid: false, reasons: ['the generator fell behind'] });
    const [b, c] = files(loadRun([loadRecord('mlp', 20, 0.02, 10), loadRecord('mlp', 50, 0.01, 9)]), loadRun([loadRecord('mlp', 20, 0.02, 10, { status: 'failed', error: { code: 'X', message: 'boom' } }), invalid]));
    const comparison = compareRuns(b, c);
    assert.deepEqual(comparison.keys.map((k) => [k.key, k.status, k.failed, k.notes]), [
      ['mlp/fp32/cpu/mb8-w5/s1@20', 'missing in candidate', true, ['candidate failed: boom']],
      ['mlp/fp32/cpu/mb8-w5/s1@50', 'compared', false, ['candidate not valid: the generator fell behind']],
    ]);
  });

  it('ungated J/request (--gate p99) is reported, not failed', () => {
    const [b, c] = files(loadRun([loadRecord('mlp', 20, 0.02, 10)]), loadRun([loadRecord('mlp', 20, 0.03, 10)]));
    const comparison = compareRuns(b, c, { gated: ['p99Ms'] });
    assert.deepEqual([comparison.keys[0]!.metrics[0]!.verdict, comparison.keys[0]!.metrics[0]!.failed, comparison.failed], ['regressed', false, false]);
  });
});
