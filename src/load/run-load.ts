// Load mode end to end: prepare the model and its variants, choose the meters, measure the idle baseline, then per
// (precision, batching policy) open the sessions, measure flat out, and serve each target rate; result.json is
// rewritten after every rate, and per rate the cheapest configuration within the SLO is recommended.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeError, InputError } from '../errors.js';
import { attributionFor } from '../measure/attribution.js';
import { Metering } from '../measure/metering.js';
import { prepareModels, type OverrideNaming, type PrepareEvent, type PreparedVariant } from '../measure/prepare.js';
import { resolveMeters, type MeterChoice } from '../power/registry.js';
import type { MeterSettings, PowerMeter } from '../power/types.js';
import { writeFileAtomic } from '../common/atomic.js';
import { analyseRuns } from '../report/analysis.js';
import { writeReports } from '../report/formats.js';
import { captureEnvironment } from '../results/environment.js';
import { resultSchemaId, type RunResult } from '../results/types.js';
import { requireProvider } from '../runtime/providers/registry.js';
import type { Scenario } from '../scenario/types.js';
import { seedFromString } from '../stats/random.js';
import { minRequestsForP99, type LoadNumbers } from './accounting.js';
import { poissonArrivalsMs, readArrivalTrace, scheduleSpanMs, traceArrivalsMs } from './arrivals.js';
import { RealClock } from './clock.js';
import { measureRate } from './measure-rate.js';
import { recommendPerRate } from './recommend.js';
import type { BatchPolicy } from './runner.js';
import { ThreadSession } from './thread-session.js';
import type { LoadRecord } from '../results/load-types.js';

/** What load mode does beyond the scenario's model, precisions, provider, threads, meters and SLO. */
export interface LoadSettings {
  /** Target rates, requests per second. */
  rates: number[];
  arrivals: { kind: 'poisson'; seed: number } | { kind: 'trace'; file: string };
  policies: BatchPolicy[];
  sessions: number;
  /** At least this many requests per rate… */
  requests: number;
  /** …and at least this many seconds. */
  minSeconds: number;
  /** Seconds of back-to-back batches at maxBatch (the flat-out floor); 0 skips it. */
  flatOutSeconds: number;
  /** The generator counts as behind above this p99 lag (ms); null: max(1 ms, 10% of the mean gap between arrivals). */
  maxLagMs: number | null;
  /** How long before each arrival the real clock stops sleeping and polls (ms). */
  spinMs: number;
  /** Write report.md, report.html and the CSV next to result.json (default true). */
  reports?: boolean;
}

/** Progress, for the terminal. */
export type LoadEvent =
  | { type: 'prepare'; event: PrepareEvent }
  | { type: 'meters'; choices: MeterChoice[]; estimated: boolean }
  | { type: 'idle'; seconds: number; watts: number | null }
  | { type: 'flat-out'; label: string; joulesPerSample: number; samplesPerSecond: number }
  | { type: 'rate'; index: number; total: number; label: string; targetRate: number; seconds: number }
  | { type: 'rate-end'; record: LoadRecord };

/** The finished run. */
export interface LoadOutcome {
  result: RunResult;
  runDir: string;
  resultPath: string;
  /** The report files written next to result.json (report.md with its load section, report.html, CSV). */
  reports: string[];
}

/** A configuration and policy's name: `<model>/<precision>/<ep>/mb<maxBatch>-w<maxWaitMs>/s<sessions>`; a record's key adds `@<rate>`. */
export function loadLabel(model: string, precision: string, ep: string, policy: BatchPolicy, sessions: number): string {
  return `${model}/${precision}/${ep}/mb${policy.maxBatch}-w${policy.maxWaitMs}/s${sessions}`;
}

/** Every record key a load run will write, in order (budgets are checked against them before anything runs). */
export function plannedLoadKeys(scenario: Scenario, settings: Pick<LoadSettings, 'policies' | 'sessions' | 'rates'>): string[] {
  const model = scenario.models[0]?.name ?? '';
  const ep = scenario.executionProviders[0]?.name ?? 'cpu';
  return scenario.precisions.flatMap((precision) => settings.policies.flatMap((policy) => settings.rates.map((rate) => `${loadLabel(model, precision, ep, policy, settings.sessions)}@${rate}`)));
}

/** The generator's lag limit at a rate (ms). */
export function defaultMaxLagMs(ratePerS: number): number {
  return Math.max(1, 0.1 * (1000 / ratePerS));
}

/**
 * Intra-op threads per session when none are given: the cores less one (kept for the request generator and the
 * batcher), shared among the sessions. onnxruntime's default takes every core, and its spinning threads then delay
 * the generator's timers on a small machine.
 */
export function defaultLoadThreads(sessions: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.floor((cores - 1) / sessions));
}

/** Requests at a rate: enough for a stable p99 and for the minimum seconds. */
export function requestsAt(ratePerS: number, settings: Pick<LoadSettings, 'requests' | 'minSeconds'>): number {
  return Math.max(settings.requests, Math.ceil(ratePerS * settings.minSeconds));
}

function runIdOf(name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  const suffix = createHash('sha256').update(`${process.pid}${performance.now()}`).digest('hex').slice(0, 4);
  return `${stamp}-load-${name.replace(/[^A-Za-z0-9._-]/g, '_')}-${suffix}`;
}

/** Run load mode for the scenario's first model and provider; writes `<out>/<runId>/result.json`. */
export async function runLoadScenario(scenario: Scenario, settings: LoadSettings, options: { toolVersion: string; naming: OverrideNaming; onEvent?: (event: LoadEvent) => void; signal?: AbortSignal; meterSettings?: MeterSettings }): Promise<LoadOutcome> {
  const emit = options.onEvent ?? (() => {});
  const stopped = () => options.signal?.aborted === true;
  for (const [field, count, what] of [['models', scenario.models.length, 'model'], ['executionProviders', scenario.executionProviders.length, 'execution provider'], ['threads', scenario.threads.length, 'thread count']] as const) {
    if (count > 1) throw new InputError('LOAD_ONE_CONFIGURATION', `${scenario.file ? `${path.basename(scenario.file)}: ` : ''}${field}: load mode serves one ${what}, got ${count}`, { hint: `keep one ${what} in the scenario (or run load once per ${what}); precisions and batching policies may be lists` });
  }
  const spec = scenario.models[0]!;
  const ep = scenario.executionProviders[0]!;
  const threads = scenario.threads[0] ?? defaultLoadThreads(settings.sessions);
  const trace = settings.arrivals.kind === 'trace' ? await readArrivalTrace(settings.arrivals.file) : null;
  const [model] = await prepareModels(scenario, options.naming, { toolVersion: options.toolVersion, onEvent: (event) => emit({ type: 'prepare', event }) });
  const provider = requireProvider(ep.name, '--ep');
  const device = provider.device(ep.options);
  const { meters, choices } = await resolveMeters(scenario.meters, { cpuTdpWatts: scenario.cpuTdpWatts, baseDir: process.cwd(), gpus: scenario.devices, ...(options.meterSettings ? { settings: options.meterSettings } : {}) });
  emit({ type: 'meters', choices, estimated: meters.some((meter) => meter.info.estimated) });
  const counted = attributionFor(meters, device, scenario.devices).meters;

  const runId = runIdOf(spec.name);
  const runDir = path.join(scenario.outDir, runId);
  try {
    await mkdir(runDir, { recursive: true });
  } catch (error) {
    throw new InputError('OUT_UNWRITABLE', `cannot write the output folder ${scenario.outDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { hint: 'choose a writable folder with --out DIR', cause: error });
  }
  const resultPath = path.join(runDir, 'result.json');
  const result: RunResult = {
    schema: resultSchemaId, runId, createdAt: new Date().toISOString(), finishedAt: null, status: 'running', stopReason: null,
    tool: { name: 'joulebench', version: options.toolVersion },
    scenario: { resolved: { ...scenario, load: settings }, file: scenario.file, sha256: null },
    environment: await captureEnvironment(),
    meters: meters.map((meter) => ({ ...meter.info })), meterSelection: choices, idle: null, carbon: scenario.carbon,
    measurements: [], recommendations: [], load: [], loadRecommendations: [],
  };
  const save = () => writeFileAtomic(resultPath, `${JSON.stringify(result, null, 2)}\n`);
  await save();

  const metering = new Metering(meters);
  for (const meter of meters) await meter.start();
  try {
    let idleWatts: number | null = null;
    if (scenario.idleSeconds > 0) {
      result.idle = await metering.measureIdle(scenario.idleSeconds);
      idleWatts = counted.reduce((sum, meter) => sum + (result.idle!.watts[meter.info.id] ?? 0), 0);
      emit({ type: 'idle', seconds: scenario.idleSeconds, watts: idleWatts });
    }
    const total = scenario.precisions.length * settings.policies.length * settings.rates.length;
    let index = 0;
    for (const precision of scenario.precisions) {
      if (stopped()) break;
      const variant = model!.variants[precision];
      for (const policy of settings.policies) {
        if (stopped()) break;
        const base = { model: spec.name, precision, executionProvider: ep.name, device, threads, maxBatch: policy.maxBatch, maxWaitMs: policy.maxWaitMs, sessions: settings.sessions };
        const label = loadLabel(spec.name, precision, ep.name, policy, settings.sessions);
        const error = variant ? fixedBatchError(variant, policy) : (model!.variantErrors[precision] ?? { code: 'NO_VARIANT', message: `no ${precision} variant of ${spec.name}` });
        if (error) {
          for (const rate of settings.rates) result.load!.push(failedRecord(base, label, rate, settings, scenario, error));
          index += settings.rates.length;
          await save();
          continue;
        }
        const sessions: ThreadSession[] = [];
        try {
          for (let i = 0; i < settings.sessions; i++) {
            sessions.push(await ThreadSession.open({ modelPath: variant!.path, provider: ep.name, providerOptions: ep.options, threads, inputs: variant!.layout.inputs, maxBatch: policy.maxBatch, warmupRuns: scenario.warmup.runs }));
          }
          const flatOut = settings.flatOutSeconds > 0 && !stopped() ? await measureFlatOut(sessions[0]!, policy.maxBatch, settings.flatOutSeconds, metering, counted) : null;
          if (flatOut) emit({ type: 'flat-out', label, ...flatOut });
          for (const rate of settings.rates) {
            if (stopped()) break;
            index++;
            const count = requestsAt(rate, settings);
            const arrivalsMs = trace ? traceArrivalsMs(trace, rate, count) : poissonArrivalsMs(rate, count, settings.arrivals.kind === 'poisson' ? settings.arrivals.seed ^ seedFromString(`${label}@${rate}`) : 0);
            const spanMs = scheduleSpanMs(rate, count);
            emit({ type: 'rate', index, total, label, targetRate: rate, seconds: spanMs / 1000 });
            const maxLagMs = settings.maxLagMs ?? defaultMaxLagMs(rate);
            const measured = await measureRate({
              clock: new RealClock(settings.spinMs), sessions, policy, arrivalsMs, scheduleSpanMs: spanMs, metering, counted,
              accounting: { targetRate: rate, idleWatts, flatOutJoulesPerSample: flatOut?.joulesPerSample ?? null, sloP99Ms: scenario.slo.p99Ms, maxLagMs },
              leadMs: 50,
              stopped,
            });
            if (!measured) break;
            const record = okRecord(base, label, rate, settings, scenario, measured.numbers, maxLagMs);
            result.load!.push(record);
            result.loadRecommendations = recommendPerRate(result.load!);
            await save();
            emit({ type: 'rate-end', record });
          }
        } catch (error) {
          const failure = describeError(error);
          for (const rate of settings.rates) {
            if (!result.load!.some((record) => record.key === `${label}@${rate}`)) result.load!.push(failedRecord(base, label, rate, settings, scenario, failure));
          }
          await save();
        } finally {
          await Promise.all(sessions.map((session) => session.close().catch(() => {})));
        }
      }
    }
    if (stopped()) {
      result.status = 'interrupted';
      result.stopReason = 'interrupted: the rate in flight was dropped; every finished rate is kept';
    } else result.status = 'complete';
  } finally {
    for (const meter of meters) await meter.stop().catch(() => {});
    result.finishedAt = new Date().toISOString();
    if (result.status === 'running') result.status = 'interrupted';
    result.loadRecommendations = recommendPerRate(result.load!);
    await save();
  }
  const reports = settings.reports === false ? [] : await writeReports(analyseRuns([result]), runDir);
  return { result, runDir, resultPath, reports: reports.map((report) => report.file) };
}

// A model whose batch is fixed cannot take the batcher's varying batch sizes.
function fixedBatchError(variant: PreparedVariant, policy: BatchPolicy): { code: string; message: string } | null {
  const fixed = variant.layout.fixedBatch;
  if (fixed === null || (fixed === 1 && policy.maxBatch === 1)) return null;
  return { code: 'FIXED_BATCH', message: `the model's batch is fixed at ${fixed}, so a dynamic batcher (max batch ${policy.maxBatch}) cannot feed it; re-export it with a dynamic batch axis or use --max-batch 1` };
}

/** Flat out: back-to-back batches at maxBatch in one session; energy per sample over that span. */
async function measureFlatOut(session: ThreadSession, maxBatch: number, seconds: number, metering: Metering, counted: PowerMeter[]): Promise<{ joulesPerSample: number; samplesPerSecond: number }> {
  const window = await session.flatOut(maxBatch, 10, Math.max(seconds, metering.minWindowS(counted, 0)));
  const span = await metering.energyOver(window.t0Ms, window.t1Ms, counted);
  const energyJ = Object.values(span.byMeter).reduce((sum, joules) => sum + joules, 0);
  const samples = window.runs * maxBatch;
  return { joulesPerSample: energyJ / samples, samplesPerSecond: samples / ((window.t1Ms - window.t0Ms) / 1000) };
}

type RecordBase = Pick<LoadRecord, 'model' | 'precision' | 'executionProvider' | 'device' | 'threads' | 'maxBatch' | 'maxWaitMs' | 'sessions'>;

function recordFields(base: RecordBase, label: string, rate: number, settings: LoadSettings, scenario: Scenario, maxLagMs: number) {
  return {
    key: `${label}@${rate}`,
    ...base,
    arrivals: settings.arrivals,
    sloP99Ms: scenario.slo.p99Ms,
    minRequestsForP99,
    maxLagMs,
  };
}

function okRecord(base: RecordBase, label: string, rate: number, settings: LoadSettings, scenario: Scenario, numbers: LoadNumbers, maxLagMs: number): LoadRecord {
  return { ...recordFields(base, label, rate, settings, scenario, maxLagMs), ...numbers, status: 'ok', error: null };
}

function failedRecord(base: RecordBase, label: string, rate: number, settings: LoadSettings, scenario: Scenario, error: { code: string; message: string }): LoadRecord {
  const nan = Number.NaN;
  return {
    ...recordFields(base, label, rate, settings, scenario, settings.maxLagMs ?? defaultMaxLagMs(rate)),
    targetRate: rate, achievedRate: nan, throughputRate: nan, requests: 0, durationS: 0, p50Ms: nan, p90Ms: nan, p99Ms: nan, p99Ci95Ms: null, maxMs: nan,
    meanWaitMs: nan, generatorLagMs: { p50: nan, p99: nan, max: nan }, batches: 0, meanBatchSize: nan, batchSizes: {}, utilisation: nan, idleS: nan,
    meanWatts: nan, idleWatts: null, energyJ: nan, joulesPerRequest: nan, kWhPer1kRequests: nan, idleShare: null, flatOutJoulesPerSample: null, vsFlatOut: null,
    estimated: false, valid: false, overCapacity: false, reasons: [error.message], warnings: [], status: 'failed', error,
  };
}

