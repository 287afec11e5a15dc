// Compare a candidate run with a baseline run: per key and metric, a criterion.rs-style three-way verdict.
import { InputError } from '../errors.js';
import type { LoadRecord } from '../results/load-types.js';
import type { Measurement, RunResult } from '../results/types.js';
import { ratioInterval } from '../stats/interval.js';
import { seedFromString } from '../stats/random.js';
import { mean } from '../stats/summary.js';
import {
  comparisonSchemaId,
  type CompareOptions,
  type Comparison,
  type KeyComparison,
  type MetricComparison,
  type MetricId,
  type RunRef,
  type Verdict,
} from './types.js';

/** Defaults of `joulebench compare` (fractions). */
export const compareDefaults: CompareOptions = {
  alpha: 0.05,
  noise: 0.02,
  maxRegression: 0.05,
  thresholdNoise: 0.1,
  gated: ['samplesPerJoule', 'samplesPerSecond', 'p99Ms', 'joulesPerRequest'],
  allowHostChange: false,
  resamples: 10_000,
};

/** What one metric needs: the values of each repetition (or one point value), and its direction. */
export interface MetricSamples {
  baseline: number[];
  candidate: number[];
  higherIsBetter: boolean;
}

/**
 * Judge one metric. With ≥ 2 values per side: the one interval of joulebench (src/stats/interval.ts; the race and the
 * recommendation use it too): Welch's t on the log values, significant when its two-sided p < alpha, and a change only
 * when the whole (1 − alpha) CI of the ratio candidate ÷ baseline lies beyond ±noise (criterion.rs's rule). With
 * fewer: the point values against ±max(noise, thresholdNoise), labelled as such. A regression fails when its size ≥
 * maxRegression. (`seed` is kept for callers; the interval needs no resampling.)
 */
export function judgeMetric(
  samples: MetricSamples,
  options: Pick<CompareOptions, 'alpha' | 'noise' | 'maxRegression' | 'thresholdNoise' | 'resamples'>,
  seed: number,
): Pick<MetricComparison, 'method' | 'baseline' | 'candidate' | 'change' | 'changeCi' | 'pValue' | 'verdict' | 'failed'> {
  const { baseline, candidate, higherIsBetter } = samples;
  const baselineMean = mean(baseline);
  const candidateMean = mean(candidate);
  const sides = { baseline: { mean: baselineMean, n: baseline.length }, candidate: { mean: candidateMean, n: candidate.length } };
  const verdictOf = (direction: -1 | 0 | 1): Verdict =>
    direction === 0 ? 'no significant change' : (direction > 0) === higherIsBetter ? 'improved' : 'regressed';
  const failedOf = (verdict: Verdict, change: number) =>
    verdict === 'regressed' && (higherIsBetter ? -change : change) >= options.maxRegression - 1e-12;

  if (baseline.length >= 2 && candidate.length >= 2) {
    const values = (list: number[]) => list.map((value) => ({ samplesPerJoule: value }));
    const ratio = ratioInterval(candidateMean, values(candidate), baselineMean, values(baseline), 1 - options.alpha);
    const change = ratio.estimate - 1;
    const changeCi: [number, number] = [ratio.ci95[0] - 1, ratio.ci95[1] - 1];
    const pValue = Math.min(1, 2 * Math.min(ratio.pNotAbove, 1 - ratio.pNotAbove));
    const significant = pValue < options.alpha;
    const direction = !significant ? 0 : changeCi[0] > options.noise ? 1 : changeCi[1] < -options.noise ? -1 : 0;
    const verdict = verdictOf(direction);
    return { method: 'log-welch', ...sides, change, changeCi, pValue, verdict, failed: failedOf(verdict, change) };
  }
  const change = candidateMean / baselineMean - 1;
  const threshold = Math.max(options.noise, options.thresholdNoise);
  const direction = change > threshold ? 1 : change < -threshold ? -1 : 0;
  const verdict = verdictOf(direction);
  return { method: 'threshold', ...sides, change, changeCi: null, pValue: null, verdict, failed: failedOf(verdict, change) };
}

interface MetricDefinition {
  id: MetricId;
  label: string;
  higherIsBetter: boolean;
  /** Values per repetition, or a single point value when the result holds no per-repetition data. */
  values(m: Measurement): number[];
  energy: boolean;
  /** Why the metric is compared by threshold even with repetitions (null: tested like the others). */
  pointOnly?: (baseline: Measurement, candidate: Measurement) => string | null;
  /** The values compared by threshold when `pointOnly` gives a reason (default: `values`). */
  pointValues?: (m: Measurement) => number[];
}

const hasWindowP99 = (m: Measurement) => m.repetitions.length > 0 && m.repetitions.every((r) => typeof r.p99Ms === 'number' && Number.isFinite(r.p99Ms));

/** The gated metrics and where their values come from in result.json. */
export const metricDefinitions: MetricDefinition[] = [
  {
    id: 'samplesPerJoule',
    label: 'samples/J',
    higherIsBetter: true,
    energy: true,
    values: (m) => m.repetitions.filter((r) => r.energyJ > 0).map((r) => r.samples / r.energyJ),
  },
  {
    id: 'samplesPerSecond',
    label: 'samples/s',
    higherIsBetter: true,
    energy: false,
    values: (m) => m.repetitions.filter((r) => r.durationS > 0).map((r) => r.samplesPerSecond),
  },
  {
    id: 'p99Ms',
    label: 'p99 ms',
    higherIsBetter: false,
    energy: false,
    // Per-window p99s where both results have them (the mean of the windows' p99s is what is tested); else the p99
    // over all runs, compared by threshold.
    values: (m) => (hasWindowP99(m) ? m.repetitions.map((r) => r.p99Ms!) : []),
    pointValues: (m) => (m.latencyMs && Number.isFinite(m.latencyMs.p99) ? [m.latencyMs.p99] : []),
    pointOnly: (b, c) =>
      hasWindowP99(b) && hasWindowP99(c)
        ? null
        : 'a result without per-window p99 (older than joulebench records it): p99 over all runs, no significance test, compared against the threshold',
  },
];

/**
 * What one metric compares for a baseline and a candidate measurement: the values per side (one point each, their
 * mean, when the metric is compared by threshold) and why it is by threshold (null: tested). Null when a side has none.
 */
export function metricSamplesOf(definition: MetricDefinition, b: Measurement, c: Measurement): { samples: MetricSamples; pointOnly: string | null; n: number } | null {
  const pointOnly = definition.pointOnly?.(b, c) ?? null;
  const source = pointOnly !== null && definition.pointValues ? definition.pointValues : definition.values;
  const baseline = source(b);
  const candidate = source(c);
  if (baseline.length === 0 || candidate.length === 0) return null;
  const samples = pointOnly !== null
    ? { baseline: [mean(baseline)], candidate: [mean(candidate)], higherIsBetter: definition.higherIsBetter }
    : { baseline, candidate, higherIsBetter: definition.higherIsBetter };
  return { samples, pointOnly, n: Math.min(baseline.length, candidate.length) };
}

/** Compare two results. Throws InputError when they measured different things (unless only the host differs and that is allowed). */
export function compareRuns(
  baseline: { result: RunResult; file: string },
  candidate: { result: RunResult; file: string },
  partial: Partial<CompareOptions> = {},
): Comparison {
  const options: CompareOptions = { ...compareDefaults, ...partial };
  const base = baseline.result;
  const cand = candidate.result;

  const baseByKey = new Map(base.measurements.map((m) => [m.key, m]));
  const candByKey = new Map(cand.measurements.map((m) => [m.key, m]));
  const mismatches: string[] = [];
  for (const [key, b] of baseByKey) {
    const c = candByKey.get(key);
    if (c) mismatches.push(...measurementMismatches(key, b, c));
  }
  const hostChanges = hardwareDifferences(base, cand);
  const refused = [...mismatches, ...(options.allowHostChange ? [] : hostChanges)];
  if (refused.length > 0) {
    const shown = refused.slice(0, 4).join('; ') + (refused.length > 4 ? `; and ${refused.length - 4} more` : '');
    const onlyHost = mismatches.length === 0;
    throw new InputError('COMPARE_INCOMPARABLE', `refusing to compare ${baseline.file} with ${candidate.file}: ${shown}`, {
      hint: onlyHost
        ? 'compare runs from the same hardware and meters, or pass --allow-host-change to compare anyway (e.g. for procurement)'
        : 'a different model file, precision, execution provider or batch size is a different benchmark: record a new baseline',
    });
  }

  const estimated = isEstimatedRun(base) || isEstimatedRun(cand);
  // `thresholdNote` says why a metric judged by threshold had no significance test (unless `pointOnly` says it first).
  const judge = (key: string, definition: Pick<MetricDefinition, 'id' | 'label' | 'higherIsBetter'>, samples: MetricSamples, metricEstimated: boolean, pointOnly: string | null, thresholdNote: string): MetricComparison => {
    const judged = judgeMetric(samples, options, seedFromString(`${key}|${definition.id}`));
    const gated = options.gated.includes(definition.id);
    if (!gated) judged.failed = false;
    const note = pointOnly ?? (judged.method === 'threshold' ? thresholdNote : null);
    return { metric: definition.id, label: definition.label, higherIsBetter: definition.higherIsBetter, ...judged, gated, estimated: metricEstimated, note };
  };
  const sweepKeys = compareKeys(base.measurements, cand.measurements, {
    notes: (m) => (m.validity.valid ? [] : [`not valid: ${m.validity.reasons.join('; ')}`]),
    metrics: (key, b, c) => metricDefinitions.flatMap((definition) => {
      const compared = metricSamplesOf(definition, b, c);
      if (!compared) return [];
      const metricEstimated = definition.energy && (b.energy?.estimated === true || c.energy?.estimated === true || estimated);
      return [judge(key, definition, compared.samples, metricEstimated, compared.pointOnly, `${compared.n} repetition(s) on one side: no significance test, compared against the threshold`)];
    }),
  });
  // `joulebench load` records: one measurement per rate, so each metric is compared against the threshold.
  const loadKeys = compareKeys(base.load ?? [], cand.load ?? [], {
    notes: (r) => [...(r.valid ? [] : [`not valid: ${r.reasons.join('; ')}`]), ...(r.overCapacity && r.valid ? [`over capacity: ${r.reasons.join('; ')}`] : [])],
    metrics: (key, b, c) => loadMetricDefinitions.map((definition) => {
      const samples = { baseline: [definition.value(b)], candidate: [definition.value(c)], higherIsBetter: definition.higherIsBetter };
      const metricEstimated = definition.energy && (b.estimated || c.estimated || estimated);
      return judge(key, definition, samples, metricEstimated, null, 'one load measurement per rate: no significance test, compared against the threshold');
    }),
  });
  const keys = [...sweepKeys, ...loadKeys];
  if (!keys.some((k) => k.status === 'compared' || k.status === 'missing in candidate')) {
    throw new InputError('COMPARE_NOTHING', `nothing to compare: ${baseline.file} and ${candidate.file} have no successfully measured configuration key in common`, {
      hint: 'compare two runs of the same scenario',
    });
  }
  const all = keys.flatMap((k) => k.metrics);
  return {
    schema: comparisonSchemaId,
    baseline: runRef(baseline.file, base),
    candidate: runRef(candidate.file, cand),
    options,
    hostChanges: options.allowHostChange ? hostChanges : [],
    changes: softwareAndSettingChanges(base, cand),
    keys,
    estimated,
    counts: {
      improved: all.filter((m) => m.verdict === 'improved').length,
      regressed: all.filter((m) => m.verdict === 'regressed').length,
      unchanged: all.filter((m) => m.verdict === 'no significant change').length,
      failed: all.filter((m) => m.failed).length + keys.filter((k) => k.status === 'missing in candidate').length,
    },
    failed: keys.some((k) => k.failed),
  };
}

/** What a key-by-key comparison needs to know about one kind of record (a sweep's measurement, a load record). */
interface KeyedRecords<T> {
  /** Problems of one side that do not stop the comparison (`not valid: …`). */
  notes(record: T): string[];
  metrics(key: string, baseline: T, candidate: T): MetricComparison[];
}

/** What a sweep measurement and a load record both have: a key, and whether (or why not) it was measured. */
interface KeyedRecord {
  key: string;
  status: string;
  error: { message: string } | null;
}

const isOk = (record: KeyedRecord) => record.status === 'ok';
const failureOf = (record: KeyedRecord) => `${record.status}${record.error ? `: ${record.error.message}` : ''}`;

// Key by key in both lists: compared, missing in the candidate (fails the gate), new in it, or not in the baseline.
function compareKeys<T extends KeyedRecord>(baseline: readonly T[], candidate: readonly T[], records: KeyedRecords<T>): KeyComparison[] {
  const baseByKey = new Map(baseline.map((record) => [record.key, record]));
  const candByKey = new Map(candidate.map((record) => [record.key, record]));
  return unionInOrder(baseline.map((r) => r.key), candidate.map((r) => r.key)).flatMap((key): KeyComparison[] => {
    const b = baseByKey.get(key);
    const c = candByKey.get(key);
    if (!b || !isOk(b)) {
      return c && isOk(c) ? [{ key, status: b ? 'not in baseline' : 'new in candidate', metrics: [], failed: false, notes: b ? [`baseline ${failureOf(b)}`] : [] }] : [];
    }
    if (!c || !isOk(c)) {
      return [{ key, status: 'missing in candidate', metrics: [], failed: true, notes: [c ? `candidate ${failureOf(c)}` : 'not measured by the candidate'] }];
    }
    const notes = [...records.notes(b).map((note) => `baseline ${note}`), ...records.notes(c).map((note) => `candidate ${note}`)];
    const metrics = records.metrics(key, b, c);
    return [{ key, status: 'compared', metrics, failed: metrics.some((metric) => metric.failed), notes }];
  });
}

/** The metrics of a load record (`joulebench load`, one per rate). */
const loadMetricDefinitions = [
  { id: 'joulesPerRequest', label: 'J/request', higherIsBetter: false, energy: true, value: (r: LoadRecord) => r.joulesPerRequest },
  { id: 'p99Ms', label: 'p99 ms', higherIsBetter: false, energy: false, value: (r: LoadRecord) => r.p99Ms },
] as const;

/** True when a run's energy comes from an estimate meter. */
export function isEstimatedRun(result: RunResult): boolean {
  return result.meters.some((meter) => meter.estimated) || result.measurements.some((m) => m.energy?.estimated === true);
}

function runRef(file: string, result: RunResult): RunRef {
  const host = result.environment.host;
  return { file, runId: result.runId, createdAt: result.createdAt, status: result.status, host: `${host.hostname} (${host.cpu.model})`, estimated: isEstimatedRun(result) };
}

// Same key, different thing measured: never comparable.
function measurementMismatches(key: string, b: Measurement, c: Measurement): string[] {
  const out: string[] = [];
  if (b.model.sha256 && c.model.sha256 && b.model.sha256 !== c.model.sha256) {
    out.push(`${key}: the model file differs (sha256 ${b.model.sha256.slice(0, 12)}… → ${c.model.sha256.slice(0, 12)}…)`);
  }
  if (b.model.precision !== c.model.precision) out.push(`${key}: precision ${b.model.precision} → ${c.model.precision}`);
  if (b.executionProvider !== c.executionProvider) out.push(`${key}: execution provider ${b.executionProvider} → ${c.executionProvider}`);
  if (b.batchSize !== c.batchSize) out.push(`${key}: batch size ${b.batchSize} → ${c.batchSize}`);
  if (b.threads !== c.threads) out.push(`${key}: threads ${b.threads ?? 'default'} → ${c.threads ?? 'default'}`);
  return out;
}

/** Hardware and power-meter differences between two runs (each makes energy and speed incomparable). */
export function hardwareDifferences(a: RunResult, b: RunResult): string[] {
  const out: string[] = [];
  const ha = a.environment.host;
  const hb = b.environment.host;
  if (ha.arch !== hb.arch) out.push(`host architecture ${ha.arch} → ${hb.arch}`);
  if (ha.cpu.model !== hb.cpu.model) out.push(`host CPU "${ha.cpu.model}" → "${hb.cpu.model}"`);
  if (ha.cpu.cores !== hb.cpu.cores || ha.cpu.physicalCores !== hb.cpu.physicalCores || ha.cpu.sockets !== hb.cpu.sockets) {
    out.push(`host CPU cores ${ha.cpu.physicalCores}/${ha.cpu.cores} (${ha.cpu.sockets} socket) → ${hb.cpu.physicalCores}/${hb.cpu.cores} (${hb.cpu.sockets} socket)`);
  }
  // The kernel's MemTotal moves a little between kernels; a different DIMM population moves it a lot.
  if (Math.abs(ha.memoryBytes - hb.memoryBytes) > 0.05 * Math.max(ha.memoryBytes, hb.memoryBytes)) {
    out.push(`host memory ${gib(ha.memoryBytes)} → ${gib(hb.memoryBytes)}`);
  }
  const accelerators = (r: RunResult) => r.environment.accelerators.map((x) => `${x.vendor} ${x.name}`).sort().join(', ') || 'none';
  if (accelerators(a) !== accelerators(b)) out.push(`accelerators ${accelerators(a)} → ${accelerators(b)}`);
  const meters = (r: RunResult) => r.meters.map((m) => `${m.kind}${m.estimated ? ' (estimated)' : ''}`).sort().join(', ') || 'none';
  if (meters(a) !== meters(b)) out.push(`power meters ${meters(a)} → ${meters(b)}`);
  return out;
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

// Informational: what else changed (software versions, measurement settings).
function softwareAndSettingChanges(a: RunResult, b: RunResult): string[] {
  const out: string[] = [];
  if (a.status !== 'complete') out.push(`the baseline run is ${a.status}${a.stopReason ? ` (${a.stopReason})` : ''}`);
  if (b.status !== 'complete') out.push(`the candidate run is ${b.status}${b.stopReason ? ` (${b.stopReason})` : ''}: configurations it did not reach count as missing`);
  const pairs: Array<[string, unknown, unknown]> = [
    ['joulebench', a.tool.version, b.tool.version],
    ['onnxruntime', a.environment.runtime.onnxruntime, b.environment.runtime.onnxruntime],
    ['node', a.environment.runtime.node, b.environment.runtime.node],
    ['kernel', a.environment.host.kernel, b.environment.host.kernel],
    ['os', a.environment.host.os, b.environment.host.os],
  ];
  const settings = ['warmup', 'window', 'repetitions', 'idleSeconds', 'order', 'stopping', 'cooldown'];
  const ra = (a.scenario.resolved ?? {}) as Record<string, unknown>;
  const rb = (b.scenario.resolved ?? {}) as Record<string, unknown>;
  for (const setting of settings) pairs.push([`scenario ${setting}`, ra[setting], rb[setting]]);
  for (const [what, x, y] of pairs) {
    const sx = JSON.stringify(x ?? null);
    const sy = JSON.stringify(y ?? null);
    if (sx !== sy) out.push(`${what} ${sx === 'null' ? 'unset' : sx.replace(/^"|"$/g, '')} → ${sy === 'null' ? 'unset' : sy.replace(/^"|"$/g, '')}`);
  }
  return out;
}

function unionInOrder(first: string[], second: string[]): string[] {
  const seen = new Set(first);
  return [...first, ...second.filter((key) => !seen.has(key) && seen.add(key))];
}
