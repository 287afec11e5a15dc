// The sweep executor: idle baseline, then per configuration cold start, warm-up and timed repetitions,
// with result.json rewritten after every configuration so a crash loses at most the one in flight.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError, InputError, MeterError } from '../errors.js';
import { integrateEnergy, peakPower, samplesBetween } from '../power/integrate.js';
import type { MeterChoice } from '../power/registry.js';
import type { MeterInfo, PowerMeter } from '../power/types.js';
import { writeFileAtomic, writeFileAtomicSync } from '../results/atomic.js';
import { captureEnvironment } from '../results/environment.js';
import { recommend } from '../results/recommend.js';
import { resultSchemaId, type Measurement, type RunResult } from '../results/types.js';
import { SeededRandom, seedFromString } from '../stats/random.js';
import { percentileSorted } from '../stats/summary.js';
import { windowedCi, type WindowedCi } from '../stats/batch-means.js';
import { attributionFor } from './attribution.js';
import { batchesPerWindow, windowBatches } from './batches.js';
import { gpuMemoryUse } from '../runtime/gpu-memory.js';
import { auditPlacementOf } from './placement-audit.js';
import { providerSettings, requireProvider } from '../runtime/providers/registry.js';
import { LatencyRecorder } from '../runtime/session.js';
import { ChildProcessHost, createSessionHost, GroupFailure, type SessionHost } from '../runtime/session-host.js';
import type { PlannedConfig, Scenario } from '../scenario/types.js';
import { variantErrorIsSkip, type PreparedModel, type PreparedVariant } from './prepare.js';
import type { ResumeState } from './resume.js';
import { summariseWindows, type WindowRecord } from './summarise.js';

/** Progress reported to the caller (the CLI draws it; tests may record it). */
export type SweepEvent =
  | { type: 'run-dir'; runDir: string }
  | { type: 'idle-start'; seconds: number; after: boolean }
  | { type: 'idle-end'; watts: Record<string, number>; after: boolean }
  | { type: 'config-start'; index: number; total: number; key: string }
  | { type: 'cooldown'; index: number; total: number; key: string; waitedS: number; watts: number; targetWatts: number }
  | { type: 'window'; index: number; total: number; key: string; repetition: number; repetitions: number; samplesPerSecond: number; watts: number }
  | { type: 'config-end'; index: number; total: number; measurement: Measurement };

/** Everything a sweep needs. */
export interface SweepOptions {
  scenario: Scenario;
  plan: PlannedConfig[];
  models: PreparedModel[];
  meters: PowerMeter[];
  meterChoices: MeterChoice[];
  toolVersion: string;
  onEvent?: (event: SweepEvent) => void;
  /** Abort to stop after the current run: the result is written with status "interrupted". */
  signal?: AbortSignal;
  /** Defaults to a timestamp plus the scenario name. */
  runId?: string;
  /** Append to an existing run (`--resume`); `plan` then holds only the configurations left to measure. */
  resume?: ResumeState;
  /**
   * Filled in by runSweep once result.json exists: writes it at once, synchronously, with status "interrupted"
   * (for a second Ctrl-C, right before the process exits).
   */
  emergency?: { write?: (reason: string) => void };
  /**
   * Run each (model variant, EP) group in a child process of its own, so that a native crash, an abort or an
   * out-of-memory fails that group only (default false here; the CLI isolates unless `--no-isolate`).
   */
  isolate?: boolean;
  /** With `isolate`: a configuration running longer than this (seconds) has its group's process killed. */
  configTimeoutS?: number | null;
}

/** The finished (or interrupted) run. */
export interface SweepOutcome {
  result: RunResult;
  runDir: string;
  resultPath: string;
}

/**
 * Net energy subtracts idle power, so an idle baseline that moved during the sweep makes net energy uncertain by
 * (drift ÷ load power above idle). Warn when that exceeds 5% for a meter.
 */
export function idleDriftWarnings(before: Record<string, number>, after: Record<string, number>, measurements: Measurement[]): string[] {
  const warnings: string[] = [];
  for (const [id, idleW] of Object.entries(before)) {
    const afterW = after[id];
    if (afterW === undefined) continue;
    const loads = measurements.flatMap((m) => (m.status === 'ok' && m.power?.byMeter[id] !== undefined ? [m.power.byMeter[id]!] : []));
    if (loads.length === 0) continue;
    const aboveIdleW = loads.reduce((sum, w) => sum + w, 0) / loads.length - idleW;
    const share = aboveIdleW > 0 ? Math.abs(afterW - idleW) / aboveIdleW : Number.POSITIVE_INFINITY;
    if (share > 0.05) {
      warnings.push(
        `idle power of ${id} moved from ${idleW.toFixed(2)} to ${afterW.toFixed(2)} W during the sweep, ${Number.isFinite(share) ? `${(share * 100).toFixed(1)}% of the mean load above idle` : 'more than the load above idle'}: net energy is uncertain by about that much; add cooldown or run again`,
      );
    }
  }
  return warnings;
}

/**
 * The 95% CI of samples per joule over a configuration's windows, as the stopping rule reads it (src/stats/batch-means.ts):
 * batch means over the batches each window was cut into, or one value per window when the windows differ more than
 * their batches predict (or were recorded without batches). Half-width in % of the ratio; Infinity below two values.
 */
export function samplesPerJouleCi(windows: WindowRecord[], batchSize: number): WindowedCi {
  return windowedCi(
    windows.map((window) => window.batches ?? [{ samples: window.runs * batchSize, energyJ: Object.values(window.energyJByMeter).reduce((sum, joules) => sum + joules, 0) }]),
  );
}

// Thrown inside a configuration when the run must stop (signal, or a meter died).
class Interrupted extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function defaultRunId(scenarioName: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  const suffix = createHash('sha256').update(`${process.pid}${performance.now()}${Math.random()}`).digest('hex').slice(0, 4);
  return `${stamp}-${scenarioName.replace(/[^A-Za-z0-9._-]/g, '_')}-${suffix}`;
}

/** The trace file name of a configuration key. */
export function traceFileName(key: string): string {
  return `${key.replace(/[^A-Za-z0-9._-]+/g, '__')}.csv`;
}

function meterRecord(info: MeterInfo): RunResult['meters'][number] {
  return { ...info };
}

// A configuration that did not run: every measured block null.
function emptyMeasurement(config: PlannedConfig, variant: PreparedVariant | undefined, device: string | null): Measurement {
  return {
    key: config.key,
    model: {
      name: config.model.name,
      path: variant?.path ?? config.modelPath,
      sha256: variant?.info.sha256 ?? null,
      precision: config.precision,
      via: config.via,
      variantOf: config.precision === 'fp32' ? null : config.model.name,
      conversion: variant?.made ? { mode: variant.made.sidecar.mode, paramsHash: variant.made.sidecar.paramsHash, sidecar: variant.made.sidecarPath, reused: variant.made.reused } : null,
    },
    executionProvider: config.executionProvider.name,
    device,
    batchSize: config.batchSize,
    threads: config.threads,
    status: 'skipped',
    error: null,
    coldStart: null,
    repetitions: [],
    throughput: null,
    latencyMs: null,
    power: null,
    energy: null,
    fidelity: variant?.fidelity ?? null,
    validity: { valid: false, reasons: [] },
    trace: null,
    spanS: null,
  };
}

/** Run the plan and write the run folder; returns the result (also on interrupt). */
export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const { scenario, plan, meters, signal } = options;
  const emit = options.onEvent ?? (() => {});
  const resume = options.resume;
  const runId = resume ? resume.result.runId : (options.runId ?? defaultRunId(scenario.name));
  const runDir = resume ? resume.runDir : path.join(scenario.outDir, runId);
  try {
    await mkdir(path.join(runDir, 'traces'), { recursive: true });
  } catch (error) {
    throw new InputError('OUT_UNWRITABLE', `cannot write the output folder ${scenario.outDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: 'choose a writable folder with --out DIR (or `out:` in the scenario)',
      cause: error,
    });
  }
  emit({ type: 'run-dir', runDir });
  const resultPath = path.join(runDir, 'result.json');
  const scenarioSha256 = scenario.file ? createHash('sha256').update(await readFile(scenario.file)).digest('hex') : null;

  const result: RunResult = resume ? { ...resume.result, meters: meters.map((meter) => meterRecord(meter.info)), meterSelection: options.meterChoices } : {
    schema: resultSchemaId,
    runId,
    createdAt: new Date().toISOString(),
    finishedAt: null,
    status: 'running',
    stopReason: null,
    tool: { name: 'joulebench', version: options.toolVersion },
    scenario: { resolved: scenario, file: scenario.file, sha256: scenarioSha256 },
    environment: await captureEnvironment(),
    meters: meters.map((meter) => meterRecord(meter.info)),
    meterSelection: options.meterChoices,
    idle: null,
    carbon: { ...scenario.carbon },
    measurements: [],
    recommendations: [],
  };
  // A resumed run keeps its measurements in plan order, whatever order they were measured in.
  const inPlanOrder = () => {
    if (resume) result.measurements.sort((a, b) => resume.planKeys.indexOf(a.key) - resume.planKeys.indexOf(b.key));
  };
  const save = () => {
    inPlanOrder();
    return writeFileAtomic(resultPath, `${JSON.stringify(result, null, 2)}\n`);
  };
  await save();
  if (options.emergency) {
    options.emergency.write = (reason: string) => {
      const snapshot: RunResult = { ...result, status: 'interrupted', stopReason: reason, finishedAt: new Date().toISOString() };
      snapshot.recommendations = recommend(snapshot.measurements, scenario.slo.p99Ms);
      writeFileAtomicSync(resultPath, `${JSON.stringify(snapshot, null, 2)}\n`);
    };
  }

  const slowestPeriodMs = Math.max(0, ...meters.map((meter) => meter.info.periodMs));
  // A window shorter than ten meter periods cannot be integrated reliably (POWER-METERS.md). Polled meters learn
  // their achieved period as they run (a loaded machine slows rocm-smi down), so this is read again per window.
  const minWindowS = (counted: PowerMeter[]) =>
    Math.max(scenario.window.minSeconds, (10 * Math.max(0, ...counted.map((meter) => meter.info.periodMs))) / 1000);
  // A meter that died and could not be restarted ends the run (what was measured stays on disk).
  let fatalMeter: PowerMeter | null = null;
  const restarted = new Set<string>();
  const stopped = () => signal?.aborted === true || fatalMeter !== null;

  // Started inside the try below, so that a meter that cannot start still leaves a finished result.json.
  let startFailure: string | null = null;
  let originMs = performance.now();
  const relativeS = (tMs: number) => (tMs - originMs) / 1000;

  // Energy per meter over a span, after the meters have caught up with its end.
  const energyOver = async (t0Ms: number, t1Ms: number, counted: PowerMeter[]) => {
    await Promise.all(counted.map((meter) => meter.sampleAfter(t1Ms).catch(() => {})));
    const byMeter: Record<string, number> = {};
    const samplesByMeter: Record<string, number> = {};
    const notes: string[] = [];
    let peakWatts = 0;
    for (const meter of counted) {
      if (meter.samples().length === 0) {
        throw new MeterError('METER_NO_SAMPLES', `meter ${meter.info.id} produced no power samples${meter.failure() ? `: ${meter.failure()!.message}` : ''}`);
      }
      const window = integrateEnergy(meter.samples(), t0Ms, t1Ms, meter.info.sampleKind);
      byMeter[meter.info.id] = window.energyJ;
      samplesByMeter[meter.info.id] = window.samplesInWindow;
      if (!window.covered) notes.push(`meter ${meter.info.id} did not cover the whole window (values extrapolated)`);
      if (window.maxGapMs > Math.min(3 * meter.info.periodMs, 1000) && window.maxGapMs > meter.info.periodMs) {
        notes.push(`meter ${meter.info.id} had a ${Math.round(window.maxGapMs)} ms gap between samples (period ${Math.round(meter.info.periodMs)} ms)`);
      }
      const peak = peakPower(meter.samples(), t0Ms, t1Ms);
      peakWatts += Number.isNaN(peak) ? window.meanPowerW : peak;
    }
    notes.push(...(await reviveMeters(counted)));
    return { byMeter, samplesByMeter, notes, peakWatts };
  };

  // A meter that failed during a window: the window is marked incomplete and the meter restarted once.
  const reviveMeters = async (counted: PowerMeter[]): Promise<string[]> => {
    const notes: string[] = [];
    for (const meter of counted) {
      const failure = meter.failure();
      if (!failure) continue;
      const firstTime = !restarted.has(meter.info.id);
      restarted.add(meter.info.id);
      const revived = firstTime && (await meter.restart().catch(() => false));
      notes.push(`incomplete: meter ${meter.info.id} failed during this window (${failure.message})${revived ? '; it was restarted' : ''}`);
      if (!revived) fatalMeter = meter;
    }
    return notes;
  };

  // Wait until the counted meters are back near idle (bounded), so one configuration's heat does not bias the next.
  const coolDown = async (counted: PowerMeter[], index: number, key: string): Promise<number | null> => {
    const settings = scenario.cooldown;
    if (!settings || !result.idle) return null;
    const targetWatts = counted.reduce((sum, meter) => sum + (result.idle!.watts[meter.info.id] ?? 0), 0) * (1 + settings.marginPercent / 100);
    const startMs = performance.now();
    const stepMs = Math.max(500, 5 * slowestPeriodMs);
    while (!stopped() && performance.now() - startMs < settings.maxSeconds * 1000) {
      const t0 = performance.now();
      await sleep(stepMs);
      const { byMeter } = await energyOver(t0, performance.now(), counted);
      const watts = Object.values(byMeter).reduce((sum, joules) => sum + joules, 0) / ((performance.now() - t0) / 1000);
      const waitedS = (performance.now() - startMs) / 1000;
      emit({ type: 'cooldown', index, total: plan.length, key, waitedS, watts, targetWatts });
      if (watts <= targetWatts) break;
    }
    return (performance.now() - startMs) / 1000;
  };

  // Idle power per meter over a quiet span.
  const measureIdle = async () => {
    const t0 = performance.now();
    await sleep(scenario.idleSeconds * 1000);
    const t1 = performance.now();
    const { byMeter } = await energyOver(t0, t1, meters);
    const watts: Record<string, number> = {};
    for (const [id, joules] of Object.entries(byMeter)) watts[id] = joules / ((t1 - t0) / 1000);
    return { durationS: (t1 - t0) / 1000, watts, warnings: [] as string[] };
  };

  // A configuration of the current group, from its first run to its record.
  interface Live {
    config: PlannedConfig;
    index: number;
    measurement: Measurement;
    /** Spans of wall time that belong to it (cold start, its windows), for its trace. */
    spans: Array<[number, number]>;
    state: ConfigState | null;
  }

  // Run the repetitions of `entries` in the scenario's order; errors fail one configuration, interrupts stop all.
  const runWindows = async (entries: Live[], counted: PowerMeter[], attributionNote: string): Promise<'done' | 'interrupted'> => {
    const slots: Array<{ entry: Live; repetition: number }> = [];
    for (let repetition = 1; repetition <= scenario.repetitions; repetition++) {
      for (const entry of entries) slots.push({ entry, repetition });
    }
    if (scenario.order === 'sequential') slots.sort((a, b) => entries.indexOf(a.entry) - entries.indexOf(b.entry) || a.repetition - b.repetition);
    if (scenario.order === 'random') {
      const shuffle = new SeededRandom(seedFromString(entries[0]!.config.groupKey));
      for (let i = slots.length - 1; i > 0; i--) {
        const j = shuffle.int(0, i + 1);
        [slots[i], slots[j]] = [slots[j]!, slots[i]!];
      }
    }
    let previous: Live | null = null;
    for (const { entry } of slots) {
      if (!entry.state || entry.measurement.status === 'failed') continue;
      const t0 = performance.now();
      try {
        // Switching batch size on a session: a few untimed runs so the window does not pay for the reshape.
        if (previous !== null && previous !== entry) await rewarm(entry.state);
        await measureWindow(entry.state, entry.index, counted);
      } catch (error) {
        if (error instanceof Interrupted && signal?.aborted) return 'interrupted';
        failEntry(entry, error);
      }
      entry.spans.push([t0, performance.now()]);
      previous = entry;
    }
    // Adaptive stopping: more windows, in the same order, until each configuration's samples-per-joule CI is
    // within the target or its measured time reaches the cap (the scheduled repetitions are the floor).
    const rules = new Map<Live, NonNullable<Measurement['stopping']>>();
    const settings = scenario.stopping;
    for (;;) {
      const pending = entries.filter((entry) => entry.state && entry.measurement.status !== 'failed' && !rules.has(entry));
      for (const entry of pending) {
        const ci = samplesPerJouleCi(entry.state!.windows, entry.config.batchSize);
        const measuredS = entry.state!.windows.reduce((sum, window) => sum + window.durationS, 0);
        const record = {
          ciHalfWidthPercent: Number.isFinite(ci.halfWidthPercent) ? ci.halfWidthPercent : null,
          method: ci.method, batches: ci.batches, betweenWindowsP: ci.betweenWindowsP, windows: entry.state!.windows.length, measuredS,
        };
        if (!settings) rules.set(entry, { rule: 'repetitions', ...record });
        else if (ci.halfWidthPercent <= settings.targetCiPercent) rules.set(entry, { rule: 'target-ci', ...record });
        else if (measuredS >= settings.maxSeconds) rules.set(entry, { rule: 'max-seconds', ...record });
      }
      const next = entries.filter((entry) => entry.state && entry.measurement.status !== 'failed' && !rules.has(entry));
      if (next.length === 0) break;
      for (const entry of next) {
        const t0 = performance.now();
        try {
          if (previous !== null && previous !== entry) await rewarm(entry.state!);
          await measureWindow(entry.state!, entry.index, counted);
        } catch (error) {
          if (error instanceof Interrupted && signal?.aborted) return 'interrupted';
          failEntry(entry, error);
        }
        entry.spans.push([t0, performance.now()]);
        previous = entry;
      }
    }
    for (const entry of entries) {
      if (entry.state && entry.measurement.status !== 'failed') {
        Object.assign(entry.measurement, finishConfig(entry.state, counted));
        entry.measurement.power!.attribution = attributionNote;
        entry.measurement.stopping = rules.get(entry) ?? null;
        entry.measurement.status = 'ok';
      }
    }
    return 'done';
  };

  // A configuration that cannot finish: a dead meter is named as the cause, anything else is recorded as thrown.
  const failEntry = (entry: Live, error: unknown) => {
    entry.measurement.status = 'failed';
    const dead = fatalMeter as PowerMeter | null;
    entry.measurement.error =
      error instanceof Interrupted && dead
        ? { code: 'METER_FAILED', message: `meter ${dead.info.id} failed during this configuration and could not be restarted: ${dead.failure()?.message ?? 'no reason given'}` }
        : describeError(error);
  };

  // Write a configuration's record: span, trace, meter failure, result.json, event.
  const finish = async (entry: Live) => {
    const { measurement, config } = entry;
    const startMs = Math.min(...entry.spans.map(([t0]) => t0));
    const endMs = Math.max(...entry.spans.map(([, t1]) => t1));
    measurement.spanS = { start: relativeS(startMs), end: relativeS(endMs) };
    if (measurement.status === 'ok' && !stopped()) {
      measurement.trace = `traces/${traceFileName(config.key)}`;
      // Sequential: the whole span. Interleaved: only this configuration's own spans (others ran in between).
      const spans: Array<[number, number]> = scenario.order === 'sequential' ? [[startMs, endMs]] : entry.spans;
      await writeTrace(path.join(runDir, measurement.trace), meters, spans, relativeS);
      // GPU memory over the configuration, from the context columns of the GPU meters that count for it.
      const gpuMeters = attributionFor(meters, measurement.device ?? 'cpu', scenario.devices).meters.filter((meter) => meter.info.device !== null && meter.info.device !== 'cpu');
      if (gpuMeters.length > 0) {
        const memory = gpuMemoryUse(new Map(gpuMeters.map((meter) => [meter.info.device!, meter.samples()])), gpuMeters.map((meter) => meter.info.device!), startMs, endMs);
        measurement.gpuMemory = memory.filter((use) => use.samples > 0);
      }
    }
    if (fatalMeter !== null && measurement.status === 'ok') {
      const dead = fatalMeter as PowerMeter;
      measurement.status = 'failed';
      measurement.error = { code: 'METER_FAILED', message: `meter ${dead.info.id} failed during this configuration and could not be restarted: ${dead.failure()?.message ?? 'no reason given'}` };
    }
    result.measurements.push(measurement);
    await save();
    emit({ type: 'config-end', index: entry.index, total: plan.length, measurement });
  };

  try {
    for (const meter of meters) {
      try {
        await meter.start();
      } catch (error) {
        startFailure = `meter ${meter.info.id} could not start: ${error instanceof Error ? error.message : String(error)}`;
        throw error;
      }
    }
    originMs = performance.now();
    // Idle baseline (a resumed run keeps the one it measured first, so both halves subtract the same idle power).
    if (scenario.idleSeconds > 0 && !stopped() && !result.idle) {
      emit({ type: 'idle-start', seconds: scenario.idleSeconds, after: false });
      result.idle = await measureIdle();
      emit({ type: 'idle-end', watts: result.idle.watts, after: false });
      await save();
    }

    const total = plan.length;
    let index = 0;
    const groups = new Map<string, PlannedConfig[]>();
    for (const config of plan) groups.set(config.groupKey, [...(groups.get(config.groupKey) ?? []), config]);

    sweep: for (const configs of groups.values()) {
      if (stopped()) break;
      const first = configs[0]!;
      const prepared = options.models.find((model) => model.spec.name === first.model.name);
      // A precision made by the EP's builder (TensorRT FP16/INT8) runs the FP32 file with the builder flag.
      const variant = prepared?.variants[first.via === 'model' ? first.precision : 'fp32'];
      const provider = requireProvider(first.executionProvider.name, 'executionProviders');
      const builderFlagsDropped = first.via === 'model' ? [] : providerSettings(provider, first.executionProvider.options, 'executionProviders').notForwarded.filter((name) => name.startsWith('trt_'));
      const device = provider.device(first.executionProvider.options);
      const attribution = attributionFor(meters, device, scenario.devices);
      const counted = attribution.meters;
      const host = createSessionHost(options.isolate === true, { stopped, configTimeoutS: options.configTimeoutS ?? null });
      const onAbort = () => host.stop();
      signal?.addEventListener('abort', onAbort);
      try {
      let sessionOpen: { sessionCreateMs: number } | null = null;
      let sessionError: unknown = null;
      let sessionSpan: [number, number] | null = null;

      // Configurations of this group that are running: begun (cold start and warm-up done), windows pending.
      const live: Live[] = [];
      for (const config of configs) {
        if (stopped()) break;
        index++;
        const cooldownS = index > 1 && counted.length > 0 && scenario.order === 'sequential' ? await coolDown(counted, index, config.key) : null;
        emit({ type: 'config-start', index, total, key: config.key });
        const entry: Live = { config, index, measurement: emptyMeasurement(config, variant, device), spans: [], state: null };
        entry.measurement.cooldownS = cooldownS;
        const beganMs = performance.now();
        try {
          if (counted.length === 0) {
            entry.measurement.status = 'failed';
            entry.measurement.error = {
              code: 'NO_METER',
              message: `no meter measures ${device}: add a CPU meter (--meter auto, rapl or estimate) or count a GPU with --gpus`,
            };
          } else if (builderFlagsDropped.length > 0) {
            // Measuring the FP32 engine under an FP16/INT8 label would be a fake number: record why it did not run.
            entry.measurement.error = {
              code: 'EP_OPTION_NOT_FORWARDED',
              message: `this onnxruntime-node passes only device_id to ${provider.name}, not ${builderFlagsDropped.join(', ')}: the builder would make an FP32 engine, so ${config.precision} via ${config.via} cannot be measured here; measure a ${config.precision} model variant instead (precision_via: model)`,
            };
          } else if (!variant) {
            const variantError = prepared?.variantErrors[config.precision];
            if (variantError && !variantErrorIsSkip(variantError.code)) entry.measurement.status = 'failed';
            entry.measurement.error = variantError ?? {
              code: 'NO_VARIANT',
              message: `no ${config.precision} variant of ${config.model.name}: give one in the scenario (models[].variants.${config.precision}: file.onnx)`,
            };
          } else if (variant.layout.fixedBatch !== null && variant.layout.fixedBatch !== config.batchSize) {
            entry.measurement.error = {
              code: 'FIXED_BATCH',
              message: `the model's batch is fixed at ${variant.layout.fixedBatch} (no input has a dynamic batch dimension), so batch ${config.batchSize} cannot run; re-export it with a dynamic batch axis`,
            };
          } else if (sessionError !== null) {
            entry.measurement.status = 'failed';
            entry.measurement.error = describeError(sessionError);
          } else {
            if (!sessionOpen) {
              const t0 = performance.now();
              try {
                if (host instanceof ChildProcessHost) host.chargeOpenTo(config.key);
                const opened = await host.open({ modelPath: variant.path, provider: provider.name, providerOptions: config.executionProvider.options, threads: config.threads });
                // Session creation as the child timed it (its process start is not the model's cold start).
                sessionOpen = { sessionCreateMs: opened.sessionCreateMs };
                sessionSpan = [host.isolated ? opened.t0Ms : t0, host.isolated ? opened.t1Ms : performance.now()];
              } catch (error) {
                // A crashed process fails the rest of the group through the host; other errors are the session's.
                if (!(error instanceof GroupFailure)) sessionError = error;
                throw error;
              }
            }
            entry.state = await beginConfig({ config, variant, host, sessionCreateMs: sessionOpen.sessionCreateMs, sessionSpan: sessionSpan!, firstOfGroup: config === first, counted });
          }
        } catch (error) {
          // An interrupt drops the configuration in flight (it is re-run whole on resume); other errors are data.
          if (error instanceof Interrupted && signal?.aborted) break sweep;
          entry.measurement.status = 'failed';
          entry.measurement.error = describeError(error);
        }
        entry.spans.push([beganMs, performance.now()]);
        if (!entry.state) {
          await finish(entry);
          continue;
        }
        if (scenario.order === 'sequential') {
          const outcome = await runWindows([entry], counted, attribution.note);
          if (outcome === 'interrupted') break sweep;
          await finish(entry);
        } else {
          live.push(entry);
        }
      }
      if (live.length > 0) {
        // Interleaved or random: the repetitions of every begun configuration alternate on the same session.
        const outcome = await runWindows(live, counted, attribution.note);
        if (outcome === 'interrupted') break sweep;
        for (const entry of live) await finish(entry);
      }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        await host.close().catch(() => {});
      }
      // Placement (non-CPU providers): which nodes ran on the CPU, measured outside every window.
      const ran = result.measurements.filter((m) => configs.some((config) => config.key === m.key) && m.status === 'ok');
      if (provider.name !== 'cpu' && variant && ran.length > 0 && !stopped()) {
        const placement = await auditPlacementOf({
          modelPath: variant.path, provider, providerOptions: first.executionProvider.options, layout: variant.layout,
          batchSize: first.batchSize, folder: path.join(runDir, 'profiles', traceFileName(first.groupKey).replace(/\.csv$/, '')),
        });
        const cpuCounted = counted.some((meter) => meter.info.device === 'cpu');
        for (const m of ran) {
          m.placement = placement;
          if (placement.ok && placement.cpuFallback && !cpuCounted) {
            m.validity.valid = false;
            m.validity.reasons.push(`${placement.cpuFallbackNodes.length} node(s) ran on the CPU (${(placement.cpuTimeShare * 100).toFixed(0)}% of kernel time) but no CPU meter counts: add a CPU meter (rapl or estimate)`);
          }
        }
        await save();
      }
    }
    // Idle again after the sweep: a baseline that drifted (the device warmed up) makes net energy less certain.
    if (scenario.idleSeconds > 0 && result.idle && !stopped() && result.measurements.length > 0) {
      emit({ type: 'idle-start', seconds: scenario.idleSeconds, after: true });
      const { durationS, watts: afterWatts } = await measureIdle();
      const after = { durationS, watts: afterWatts };
      result.idle.after = after;
      result.idle.warnings.push(...idleDriftWarnings(result.idle.watts, after.watts, result.measurements));
      emit({ type: 'idle-end', watts: after.watts, after: true });
    }
  } finally {
    result.meterWarnings = meters.flatMap((meter) => meter.diagnostics?.() ?? []);
    // Meters refine their info while running (achieved poll period, detail): record the final state.
    result.meters = meters.map((meter) => meterRecord(meter.info));
    for (const meter of meters) await meter.stop().catch(() => {});
    const dead = fatalMeter as PowerMeter | null;
    result.status = signal?.aborted || dead || startFailure ? 'interrupted' : 'complete';
    result.stopReason = startFailure
      ? startFailure
      : signal?.aborted
      ? 'interrupted by signal'
      : dead
        ? `meter ${dead.info.id} failed and could not be restarted: ${dead.failure()?.message ?? 'no reason given'}`
        : null;
    result.finishedAt = new Date().toISOString();
    result.recommendations = recommend(result.measurements, scenario.slo.p99Ms);
    await save();
    // result.json is final now; a late second Ctrl-C must not overwrite it with a snapshot.
    if (options.emergency) delete options.emergency.write;
  }
  return { result, runDir, resultPath };

  // One configuration, first part: first run (cold start), output pre-allocation, warm-up.
  async function beginConfig(input: {
    config: PlannedConfig;
    variant: PreparedVariant;
    host: SessionHost;
    sessionCreateMs: number;
    sessionSpan: [number, number];
    firstOfGroup: boolean;
    counted: PowerMeter[];
  }): Promise<ConfigState> {
    const { config, variant, host, counted } = input;
    // First run, output pre-allocation and the untimed warm-up, where the session lives.
    const begun = await host.begin({
      key: config.key, batchSize: config.batchSize, inputs: variant.layout.inputs, warmupRuns: scenario.warmup.runs, warmupSeconds: scenario.warmup.seconds,
    });
    const coldFrom = input.firstOfGroup ? input.sessionSpan[0] : begun.firstStartMs;
    const cold = await energyOver(coldFrom, Math.max(begun.firstEndMs, coldFrom + 1e-3), counted);
    if (stopped()) throw new Interrupted('interrupted before the configuration finished');
    return {
      config, host, latencies: new LatencyRecorder(), windows: [],
      // Sensors that average only part of each period (nvidia-smi/NVML on A100/H100) need windows that start at
      // random phases of it (Yang et al. 2023): a seeded random fraction of the period is slept before each window.
      phase: new SeededRandom(seedFromString(config.key)),
      coldStart: {
        sessionCreateMs: input.sessionCreateMs,
        firstRunMs: begun.firstEndMs - begun.firstStartMs,
        energyJ: Object.values(cold.byMeter).reduce((sum, value) => sum + value, 0),
        sessionShared: !input.firstOfGroup,
      },
    };
  }

  // A few untimed runs after the session ran another batch size (interleaved and random orders).
  async function rewarm(state: ConfigState): Promise<void> {
    const runs = Math.min(3, Math.max(1, scenario.warmup.runs));
    await state.host.rewarm(state.config.key, runs);
  }

  // One timed repetition of a configuration.
  async function measureWindow(state: ConfigState, index: number, counted: PowerMeter[]): Promise<void> {
    const { config } = state;
    const repetition = state.windows.length + 1;
    if (stopped()) throw new Interrupted('interrupted before the configuration finished');
    const phasePeriodMs = Math.max(0, ...counted.filter((m) => m.info.phaseShift).map((m) => m.info.periodMs));
    if (phasePeriodMs > 0) await sleep(state.phase.next() * phasePeriodMs);
    // The host does the timing (in the group's process); only the window's times and latencies come back.
    const timing = await state.host.window(config.key, scenario.window.minRuns, minWindowS(counted));
    for (const latencyMs of timing.latenciesMs) state.latencies.push(latencyMs);
    if (stopped()) throw new Interrupted('interrupted before the configuration finished');
    const energy = await energyOver(timing.t0Ms, timing.t1Ms, counted);
    const durationS = (timing.t1Ms - timing.t0Ms) / 1000;
    state.windows.push({
      durationS, runs: timing.runs, energyJByMeter: energy.byMeter, samplesByMeter: energy.samplesByMeter,
      coverageNotes: energy.notes, peakWatts: energy.peakWatts, batches: cutIntoBatches(timing, config.batchSize, counted),
      p99Ms: percentileSorted(Float64Array.from(timing.latenciesMs).sort(), 99),
    });
    const joules = Object.values(energy.byMeter).reduce((sum, value) => sum + value, 0);
    emit({
      type: 'window', index, total: plan.length, key: config.key, repetition, repetitions: scenario.repetitions,
      samplesPerSecond: (timing.runs * config.batchSize) / durationS, watts: joules / durationS,
    });
  }

  // The window cut into batches for the stopping rule's CI (none when a meter cannot integrate a part of it).
  function cutIntoBatches(timing: { t0Ms: number; t1Ms: number; runs: number; latenciesMs: ArrayLike<number> }, batchSize: number, counted: PowerMeter[]) {
    if (timing.latenciesMs.length !== timing.runs) return undefined;
    const slowestMs = Math.max(0, ...counted.map((meter) => meter.info.periodMs));
    try {
      return windowBatches({
        t0Ms: timing.t0Ms, t1Ms: timing.t1Ms, latenciesMs: timing.latenciesMs, batchSize,
        count: batchesPerWindow((timing.t1Ms - timing.t0Ms) / 1000, timing.runs, slowestMs),
        energyJBetween: (a, b) => counted.reduce((sum, meter) => sum + integrateEnergy(meter.samples(), a, b, meter.info.sampleKind).energyJ, 0),
      });
    } catch {
      return undefined;
    }
  }

  // The configuration's numbers from its windows.
  function finishConfig(state: ConfigState, counted: PowerMeter[]): Partial<Measurement> {
    const blocks = summariseWindows({
      windows: state.windows, batchSize: state.config.batchSize, latencyMs: state.latencies.view(),
      meters: counted.map((meter) => meter.info), idleWatts: result.idle?.watts ?? null, carbon: scenario.carbon,
    });
    return { ...blocks, coldStart: state.coldStart };
  }
}

/** What a begun configuration carries between its windows. */
interface ConfigState {
  config: PlannedConfig;
  host: SessionHost;
  latencies: LatencyRecorder;
  windows: WindowRecord[];
  phase: SeededRandom;
  coldStart: NonNullable<Measurement['coldStart']>;
}

async function writeTrace(
  file: string,
  meters: PowerMeter[],
  spans: Array<[number, number]>,
  relativeS: (tMs: number) => number,
): Promise<void> {
  const lines = ['t_s,meter,device,watts,context'];
  for (const meter of meters) {
    for (const sample of spans.flatMap(([t0Ms, t1Ms]) => samplesBetween(meter.samples(), t0Ms, t1Ms))) {
      const context = sample.context ? Object.entries(sample.context).map(([key, value]) => `${key}=${value}`).join(';') : '';
      lines.push(`${relativeS(sample.tMs).toFixed(4)},${meter.info.id},${meter.info.device ?? ''},${sample.powerW.toFixed(3)},${context.includes(',') ? `"${context}"` : context}`);
    }
  }
  await writeFileAtomic(file, `${lines.join('\n')}\n`);
}
