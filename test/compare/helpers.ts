// Hand-made comparisons for the tests of the comparison formats (cells, JUnit): every number chosen, none computed.
import { compareDefaults } from '../../src/compare/compare.js';
import type { Comparison, KeyComparison, MetricComparison } from '../../src/compare/types.js';

/**
 * A samples/J metric that regressed 10% (400 → 360, CI −12% … −8%, p 0.0004) and fails the default 5% gate;
 * `fields` change any of it.
 */
export function metricComparison(fields: Partial<MetricComparison> = {}): MetricComparison {
  return {
    metric: 'samplesPerJoule', label: 'samples/J', higherIsBetter: true, method: 'log-welch',
    baseline: { mean: 400, n: 5 }, candidate: { mean: 360, n: 5 }, change: -0.1, changeCi: [-0.12, -0.08], pValue: 0.0004,
    verdict: 'regressed', failed: true, gated: true, estimated: false, note: null,
    ...fields,
  };
}

/** p99 latency judged by threshold only (no per-window values): 2.00 → 2.05 ms, +2.5%, no significant change. */
export function thresholdP99(fields: Partial<MetricComparison> = {}): MetricComparison {
  return metricComparison({
    metric: 'p99Ms', label: 'p99 ms', higherIsBetter: false, method: 'threshold', baseline: { mean: 2, n: 1 }, candidate: { mean: 2.05, n: 1 },
    change: 0.025, changeCi: null, pValue: null, verdict: 'no significant change', failed: false, ...fields,
  });
}

/** A key compared metric by metric (status `compared`), failed when any metric failed. */
export function comparedKey(key: string, metrics: MetricComparison[], notes: string[] = []): KeyComparison {
  return { key, status: 'compared', metrics, failed: metrics.some((m) => m.failed), notes };
}

/** The whole comparison of run `base-1` (base.json) with `cand-2` (cand.json) at the default settings. */
export function comparison(keys: KeyComparison[], fields: Partial<Comparison> = {}): Comparison {
  const metrics = keys.flatMap((k) => k.metrics);
  return {
    schema: 'joulebench/compare@1',
    baseline: { file: 'base.json', runId: 'base-1', createdAt: '2026-11-30T00:00:00.000Z', status: 'complete', host: 'ci', estimated: false },
    candidate: { file: 'cand.json', runId: 'cand-2', createdAt: '2026-12-01T00:00:00.000Z', status: 'complete', host: 'ci', estimated: false },
    options: { ...compareDefaults },
    hostChanges: [], changes: [], keys, estimated: false,
    counts: {
      improved: metrics.filter((m) => m.verdict === 'improved').length,
      regressed: metrics.filter((m) => m.verdict === 'regressed').length,
      unchanged: metrics.filter((m) => m.verdict === 'no significant change').length,
      failed: keys.filter((k) => k.failed).length,
    },
    failed: keys.some((k) => k.failed),
    ...fields,
  };
}

/** mlp/fp32/cpu/b1 measured by the baseline, failed in the candidate: fails the gate. */
export const missingKey: KeyComparison = { key: 'mlp/fp32/cpu/b1', status: 'missing in candidate', metrics: [], failed: true, notes: ['candidate failed: boom'] };
