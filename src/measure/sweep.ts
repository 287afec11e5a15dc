// The sweep: idle baseline, then per model every configuration begun (cold start, warm-up) in its group's session,
// then timed windows in the order its scheduler decides (src/measure/scheduler.ts), each configuration recorded as
// soon as the scheduler is done with it: result.json is rewritten after every record, so a crash loses only what was
// still being measured.
import { createHash } from 'node:crypto';
import os from 'node:os';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { prepareRunIntensity, summariseHourly, type TimedEnergy } from '../carbon/hourly.js';
import type { IntensitySource } from '../carbon/intensity-file.js';
import { InputError } from '../errors.js';
import type { MeterChoice } from '../power/registry.js';
import type { MeterInfo, PowerMeter } from '../power/types.js';
import { fingerprintOf } from '../fleet/fingerprint.js';
import { captureEnvironment } from '../results/environment.js';
import { recommend } from '../results/recommend.js';
import { resultSchemaId, type Measurement, type RunResult } from '../results/types.js';
import { gpuMemoryUse } from '../runtime/gpu-memory.js';
import type { PlannedConfig, Scenario } from '../scenario/types.js';
import { defaultEquivalencePercent } from '../stats/interval.js';
import { SeededRandom, seedFromString } from '../stats/random.js';
import { attributionFor } from './attribution.js';
import { failureOf, GroupRunner, Interrupted, type GroupContext, type LiveConfig } from './group-runner.js';
import { Metering } from './metering.js';
import { auditPlacementOf } from './placement-audit.js';
import type { PreparedModel } from './prepare.js';
import { RunRecorder, traceFileName } from './recorder.js';
import type { ResumeState } from './resume.js';
import { FixedScheduler, RaceScheduler, TargetCiScheduler, type Scheduler } from './scheduler.js';

export { traceFileName } from './recorder.js';

/** Progress reported to the caller (the CLI draws it; tests may record it). */
export type SweepEvent =
  | { type: 'run-dir'; runDir: string }
  | { type: 'idle-start'; seconds: number; after: boolean }
  | { type: 'idle-end'; watts: Record<string, number>; after: boolean }
  | { type: 'config-start'; index: number; total: number; key: string }
  | { type: 'cooldown'; index: number; total: number; key: string; waitedS: number; watts: number; targetWatts: number }
  | { type: 'window'; index: number; total: number; key: string; repetition: number; repetitions: number; samplesPerSecond: number; watts: number; round: number | null }
  | { type: 'round-end'; model: string; round: number; racing: number; eliminated: string[] }
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
  /** Free memory in bytes (default os.freemem()): how many sessions of a model may be kept alive at once. */
  freeMemoryBytes?: number;
  /** `run --shard I/N`: recorded in result.json (the plan holds only this shard's configurations). */
  shard?: { index: number; count: number; keys: string[] };
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

function defaultRunId(scenarioName: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  const suffix = createHash('sha256').update(`${process.pid}${performance.now()}${Math.random()}`).digest('hex').slice(0, 4);
  return `${stamp}-${scenarioName.replace(/[^A-Za-z0-9._-]/g, '_')}-${suffix}`;
}

function meterRecord(info: MeterInfo): RunResult['meters'][number] {
  return { ...info };
}

/** The margin within which configurations are indistinguishable: the race's, else the default. */
export function equivalenceOf(scenario: Pick<Scenario, 'stopping'>): number {
  return scenario.stopping?.rule === 'race' ? scenario.stopping.equivalencePercent : defaultEquivalencePercent;
}

/** The scheduler a scenario's `stopping:` asks for, over the live configurations of one model. */
export function schedulerFor(scenario: Scenario, live: LiveConfig[], seed: string): Scheduler {
  const keys = live.map((entry) => entry.config.key);
  const random = new SeededRandom(seedFromString(seed));
  const stopping = scenario.stopping;
  if (stopping === null) return new FixedScheduler(keys, scenario.repetitions, scenario.order, random);
  if (stopping.rule === 'target-ci') return new TargetCiScheduler(keys, { ...stopping, repetitions: scenario.repetitions }, random);
  const entrants = live.map((entry) => ({
    key: entry.config.key,
    excludedBecause: entry.measurement.fidelity?.withinBounds === false ? `breaks the fidelity bounds: ${entry.measurement.fidelity.violations.join('; ')}` : null,
  }));
  const settings = { equivalencePercent: stopping.equivalencePercent, maxSeconds: stopping.maxSeconds, minRounds: Math.max(2, scenario.repetitions), alpha: 0.05 };
  return new RaceScheduler(entrants, settings, scenario.slo.p99Ms, random);
}

/**
 * Groups of one model kept alive together, in plan order: every group when their sessions fit in half the free
 * memory (an isolated session costs about its file twice over plus a Node process), else the largest runs of
 * consecutive groups that do. A model's race only pairs configurations whose sessions are alive together.
 */
export async function chunkGroups(groups: PlannedConfig[][], models: PreparedModel[], isolate: boolean, freeMemoryBytes: number): Promise<PlannedConfig[][][]> {
  const processBytes = isolate ? 80 * 2 ** 20 : 0;
  const costs = await Promise.all(groups.map(async (configs) => {
    const first = configs[0]!;
    const variant = models.find((model) => model.spec.name === first.model.name)?.variants[first.via === 'model' ? first.precision : 'fp32'];
    const sizeBytes = variant ? await stat(variant.path).then((info) => info.size, () => 0) : 0;
    return 2 * sizeBytes + processBytes;
  }));
  const budget = freeMemoryBytes / 2;
  const chunks: PlannedConfig[][][] = [];
  let current: PlannedConfig[][] = [];
  let used = 0;
  groups.forEach((configs, i) => {
    if (current.length > 0 && used + costs[i]! > budget) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(configs);
    used += costs[i]!;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}

// Consecutive plan entries of one model, grouped by session (plan order kept).
function modelsInPlan(plan: PlannedConfig[]): Array<{ model: string; groups: PlannedConfig[][] }> {
  const out: Array<{ model: string; groups: Map<string, PlannedConfig[]> }> = [];
  for (const config of plan) {
    let block = out.find((entry) => entry.model === config.model.name);
    if (!block) out.push((block = { model: config.model.name, groups: new Map() }));
    block.groups.set(config.groupKey, [...(block.groups.get(config.groupKey) ?? []), config]);
  }
  return out.map((block) => ({ model: block.model, groups: [...block.groups.values()] }));
}

/** Run the plan and write the run folder; returns the result (also on interrupt). */
export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const { scenario, plan, meters, signal } = options;
  const emit = options.onEvent ?? (() => {});
  const resume = options.resume;
  const runId = resume ? resume.result.runId : (options.runId ?? defaultRunId(options.shard ? `${scenario.name}-shard${options.shard.index}of${options.shard.count}` : scenario.name));
  const runDir = resume ? resume.runDir : path.join(scenario.outDir, runId);
  // An intensity file that does not cover the start of the run is bad input: refuse before any folder exists.
  const { source: intensity, fallback: intensityFallback } = prepareRunIntensity(scenario.carbon, Date.now());
  try {
    await mkdir(path.join(runDir, 'traces'), { recursive: true });
  } catch (error) {
    throw new InputError('OUT_UNWRITABLE', `cannot write the output folder ${scenario.outDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: 'choose a writable folder with --out DIR (or `out:` in the scenario)',
      cause: error,
    });
  }
  emit({ type: 'run-dir', runDir });
  const scenarioSha256 = scenario.file ? createHash('sha256').update(await readFile(scenario.file)).digest('hex') : null;

  const environment = resume ? resume.result.environment : await captureEnvironment();
  const result: RunResult = resume ? { ...resume.result, meters: meters.map((meter) => meterRecord(meter.info)), meterSelection: options.meterChoices } : {
    schema: resultSchemaId,
    runId,
    createdAt: new Date().toISOString(),
    finishedAt: null,
    status: 'running',
    stopReason: null,
    tool: { name: 'joulebench', version: options.toolVersion },
    scenario: { resolved: scenario, file: scenario.file, sha256: scenarioSha256 },
    environment,
    fingerprint: fingerprintOf(environment, options.toolVersion, scenarioSha256),
    ...(options.shard ? { shard: options.shard } : {}),
    meters: meters.map((meter) => meterRecord(meter.info)),
    meterSelection: options.meterChoices,
    idle: null,
    carbon: { ...scenario.carbon, ...(intensityFallback ? { hourlyFallback: intensityFallback } : {}) },
    measurements: [],
    recommendations: [],
  };
  const recorder = new RunRecorder(runDir, result, { sloP99Ms: scenario.slo.p99Ms, equivalencePercent: equivalenceOf(scenario) }, resume ? resume.planKeys : plan.map((config) => config.key));
  await recorder.save();
  if (options.emergency) options.emergency.write = (reason: string) => recorder.writeEmergency(reason);

  const metering = new Metering(meters);
  const stopped = () => signal?.aborted === true || metering.fatalMeter !== null;
  let startFailure: string | null = null;
  const context: GroupContext = { scenario, models: options.models, metering, isolate: options.isolate === true, configTimeoutS: options.configTimeoutS ?? null, stopped };
  const sweep = new ModelSweep({ context, recorder, emit, total: plan.length, signal, intensity });

  try {
    for (const meter of meters) {
      try {
        await meter.start();
      } catch (error) {
        startFailure = `meter ${meter.info.id} could not start: ${error instanceof Error ? error.message : String(error)}`;
        throw error;
      }
    }
    sweep.originMs = performance.now();
    // Idle baseline (a resumed run keeps the one it measured first, so both halves subtract the same idle power).
    if (scenario.idleSeconds > 0 && !stopped() && !result.idle) {
      emit({ type: 'idle-start', seconds: scenario.idleSeconds, after: false });
      result.idle = await metering.measureIdle(scenario.idleSeconds);
      emit({ type: 'idle-end', watts: result.idle.watts, after: false });
      await recorder.save();
    }
    for (const { model, groups } of modelsInPlan(plan)) {
      if (stopped()) break;
      const chunks = await chunkGroups(groups, options.models, options.isolate === true, options.freeMemoryBytes ?? os.freemem());
      if (chunks.length > 1) {
        (result.scheduleNotes ??= []).push(`${model}: free memory holds ${chunks.map((chunk) => chunk.length).join(' + ')} of its ${groups.length} sessions at a time, so configurations were interleaved within those groups only (their ratios across groups are unpaired)`);
      }
      for (const chunk of chunks) {
        if (stopped()) break;
        const outcome = await sweep.run(model, chunk);
        if (outcome === 'interrupted') break;
      }
    }
    // Idle again after the sweep: a baseline that drifted (the device warmed up) makes net energy less certain.
    if (scenario.idleSeconds > 0 && result.idle && !stopped() && result.measurements.length > 0) {
      emit({ type: 'idle-start', seconds: scenario.idleSeconds, after: true });
      const { durationS, watts: afterW } = await metering.measureIdle(scenario.idleSeconds);
      result.idle.after = { durationS, watts: afterW };
      result.idle.warnings.push(...idleDriftWarnings(result.idle.watts, afterW, result.measurements));
      emit({ type: 'idle-end', watts: afterW, after: true });
    }
  } finally {
    result.meterWarnings = meters.flatMap((meter) => meter.diagnostics?.() ?? []);
    // Meters refine their info while running (achieved poll period, detail): record the final state.
    result.meters = meters.map((meter) => meterRecord(meter.info));
    for (const meter of meters) await meter.stop().catch(() => {});
    const dead = metering.fatalMeter;
    result.status = signal?.aborted || dead || startFailure ? 'interrupted' : 'complete';
    result.stopReason = startFailure
      ? startFailure
      : signal?.aborted
        ? 'interrupted by signal'
        : dead
          ? `meter ${dead.info.id} failed and could not be restarted: ${dead.failure()?.message ?? 'no reason given'}`
          : null;
    result.finishedAt = new Date().toISOString();
    if (intensity && sweep.timedEnergy.length > 0) result.carbon.hourly = summariseHourly(sweep.timedEnergy, intensity, scenario.carbon.pue);
    result.recommendations = recommend(result.measurements, scenario.slo.p99Ms, undefined, equivalenceOf(scenario));
    await recorder.save();
    // result.json is final now; a late second Ctrl-C must not overwrite it with a snapshot.
    if (options.emergency) delete options.emergency.write;
  }
  return { result, runDir, resultPath: recorder.resultPath };
}

/** One model's groups at a time: begin every configuration, run the scheduler's windows, record the results. */
class ModelSweep {
  originMs = performance.now();
  private index = 0;
  /** Energy and wall-clock windows of each finished configuration, for `carbon.hourly`. */
  readonly timedEnergy: TimedEnergy[] = [];

  constructor(private readonly deps: { context: GroupContext; recorder: RunRecorder; emit: (event: SweepEvent) => void; total: number; signal: AbortSignal | undefined; intensity: IntensitySource | null }) {}

  private relativeS = (tMs: number) => (tMs - this.originMs) / 1000;

  /** Measure one model's groups (kept alive together); 'interrupted' when the run must stop. */
  async run(model: string, groups: PlannedConfig[][]): Promise<'done' | 'interrupted'> {
    const { context, signal } = this.deps;
    const runners = groups.map((configs) => new GroupRunner(configs, context));
    const onAbort = () => runners.forEach((runner) => runner.stop());
    signal?.addEventListener('abort', onAbort);
    try {
      const live = await this.beginAll(runners);
      if (live === 'interrupted') return 'interrupted';
      if (live.length > 0 && (await this.measure(model, live)) === 'interrupted') return 'interrupted';
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await Promise.all(runners.map((runner) => runner.close()));
    }
    for (const runner of runners) await this.auditPlacement(runner);
    return 'done';
  }

  // Cold start and warm-up of every configuration; those that cannot run are recorded at once.
  private async beginAll(runners: GroupRunner[]): Promise<LiveConfig[] | 'interrupted'> {
    const live: LiveConfig[] = [];
    for (const runner of runners) {
      for (const config of runner.configs) {
        if (this.deps.context.stopped()) return 'interrupted';
        this.index++;
        this.deps.emit({ type: 'config-start', index: this.index, total: this.deps.total, key: config.key });
        let begun;
        try {
          begun = await runner.begin(config, this.index);
        } catch (error) {
          if (error instanceof Interrupted) return 'interrupted';
          throw error;
        }
        if ('runner' in begun) live.push(begun);
        else await this.record(begun, this.index);
      }
    }
    return live;
  }

  /**
   * The windows, in the scheduler's order; a window's error fails its configuration only. A configuration is recorded
   * as soon as the scheduler is done with it (an eliminated one in the round it was dropped, a sequential one after
   * its last window), so a crash loses only what was still being measured. Interrupted: what has windows is recorded
   * (its race unfinished); a configuration without a window is measured whole on --resume.
   */
  private async measure(model: string, live: LiveConfig[]): Promise<'done' | 'interrupted'> {
    const { context, emit } = this.deps;
    const byKey = new Map(live.map((entry) => [entry.config.key, entry]));
    const scheduler = schedulerFor(context.scenario, live, `${model}:${live.map((entry) => entry.config.key).join(',')}`);
    const recorded = new Set<LiveConfig>();
    const flush = async (all = false) => {
      for (const entry of live) {
        if (recorded.has(entry) || !(all || scheduler.isDone(entry.config.key))) continue;
        recorded.add(entry);
        this.settle(entry, scheduler);
        if (entry.measurement.status !== 'skipped') await this.finish(entry);
      }
    };
    let previous: LiveConfig | null = null;
    // A round's eliminations are decided when the next slot is asked for: say them then.
    let lastRound: number | null = null;
    const roundEnded = () => {
      if (lastRound === null) return;
      const round = lastRound;
      const eliminated = live.filter((entry) => scheduler.isDone(entry.config.key) && scheduler.decision(entry.config.key).race?.round === round).map((entry) => entry.config.key);
      emit({ type: 'round-end', model, round, racing: live.filter((entry) => !scheduler.isDone(entry.config.key)).length, eliminated });
    };
    for (let slot = scheduler.next(); slot !== null; slot = scheduler.next()) {
      roundEnded();
      lastRound = slot.round;
      await flush();
      for (const key of slot.keys) {
        const entry = byKey.get(key)!;
        if (entry.measurement.status === 'failed') continue;
        const t0 = performance.now();
        try {
          if (previous !== null && previous !== entry) await this.switchTo(entry, previous);
          const window = await entry.runner.window(entry, slot.round);
          const energyJ = Object.values(window.energyJByMeter).reduce((sum, joules) => sum + joules, 0);
          scheduler.record(key, { samples: window.runs * entry.config.batchSize, energyJ, durationS: window.durationS, p99Ms: window.p99Ms ?? null });
          emit({
            type: 'window', index: entry.index, total: this.deps.total, key, repetition: entry.windows.length, repetitions: context.scenario.repetitions,
            samplesPerSecond: (window.runs * entry.config.batchSize) / window.durationS, watts: energyJ / window.durationS, round: slot.round,
          });
        } catch (error) {
          entry.spans.push([t0, performance.now()]);
          if (error instanceof Interrupted && this.deps.signal?.aborted) {
            await flush(true);
            return 'interrupted';
          }
          entry.measurement.status = 'failed';
          entry.measurement.error = failureOf(error, context.metering.fatalMeter);
          scheduler.fail(key);
          previous = entry;
          continue;
        }
        entry.spans.push([t0, performance.now()]);
        previous = entry;
        if (slot.round === null) await flush();
      }
    }
    roundEnded();
    await flush(true);
    return 'done';
  }

  // A configuration's numbers from the windows it has (a failed one, or one without a window, is left as it is).
  private settle(entry: LiveConfig, scheduler: Scheduler): void {
    if (entry.measurement.status === 'failed' || entry.windows.length === 0) return;
    Object.assign(entry.measurement, entry.runner.summarise(entry, this.resultIdle()));
    entry.measurement.power!.attribution = entry.runner.attributionNote;
    entry.measurement.stopping = stoppingRecord(entry, scheduler);
    entry.measurement.status = 'ok';
  }

  private resultIdle(): Record<string, number> | null {
    return this.deps.recorder.result.idle?.watts ?? null;
  }

  // Before a window of another configuration: cool down (`cooldown:`) and re-warm its session.
  private async switchTo(entry: LiveConfig, previous: LiveConfig): Promise<void> {
    const { scenario, metering, stopped } = this.deps.context;
    const idle = this.resultIdle();
    if (scenario.cooldown && idle && entry.runner.counted.length > 0) {
      entry.measurement.cooldownS = (entry.measurement.cooldownS ?? 0) + await metering.coolDown(entry.runner.counted, idle, scenario.cooldown, stopped, (step) =>
        this.deps.emit({ type: 'cooldown', index: entry.index, total: this.deps.total, key: entry.config.key, ...step }),
      );
    }
    await entry.runner.rewarm(entry);
  }

  // Write a configuration's record: span, trace, GPU memory, meter failure, result.json, event.
  private async finish(entry: LiveConfig): Promise<void> {
    const { measurement } = entry;
    const { metering } = this.deps.context;
    const startMs = Math.min(...entry.spans.map(([t0]) => t0));
    const endMs = Math.max(...entry.spans.map(([, t1]) => t1));
    measurement.spanS = { start: this.relativeS(startMs), end: this.relativeS(endMs) };
    if (this.deps.intensity && measurement.status === 'ok' && measurement.energy) {
      // Window times are performance.now() ms; timeOrigin makes them wall-clock epoch ms.
      const spansMs = entry.spans.map(([t0, t1]) => [performance.timeOrigin + t0, performance.timeOrigin + t1] as const);
      const meanG = this.deps.intensity.meanOver(spansMs);
      measurement.energy.gCO2ePer1kSamples = (measurement.energy.whPer1kSamples / 1000) * meanG * this.deps.context.scenario.carbon.pue;
      this.timedEnergy.push({ key: entry.config.key, energyJ: (measurement.repetitions ?? []).reduce((sum, rep) => sum + rep.energyJ, 0), spansMs });
    }
    if (measurement.status === 'ok' && !this.deps.context.stopped()) {
      measurement.trace = await this.deps.recorder.writeTrace(entry.config.key, metering.meters, entry.spans, this.relativeS);
      // GPU memory over the configuration, from the context columns of the GPU meters that count for it.
      const scenario = this.deps.context.scenario;
      const gpuMeters = attributionFor(metering.meters, measurement.device ?? 'cpu', scenario.devices).meters.filter((meter) => meter.info.device !== null && meter.info.device !== 'cpu');
      if (gpuMeters.length > 0) {
        const memory = gpuMemoryUse(new Map(gpuMeters.map((meter) => [meter.info.device!, meter.samples()])), gpuMeters.map((meter) => meter.info.device!), startMs, endMs);
        measurement.gpuMemory = memory.filter((use) => use.samples > 0);
      }
    }
    if (metering.fatalMeter !== null && measurement.status === 'ok') {
      measurement.status = 'failed';
      measurement.error = failureOf(new Interrupted('meter'), metering.fatalMeter);
    }
    await this.record(measurement, entry.index);
  }

  private async record(measurement: Measurement, index: number): Promise<void> {
    await this.deps.recorder.add(measurement);
    this.deps.emit({ type: 'config-end', index, total: this.deps.total, measurement });
  }

  // Placement (non-CPU providers): which nodes ran on the CPU, measured outside every window.
  private async auditPlacement(runner: GroupRunner): Promise<void> {
    const result = this.deps.recorder.result;
    const ran = result.measurements.filter((m) => runner.configs.some((config) => config.key === m.key) && m.status === 'ok');
    if (runner.provider.name === 'cpu' || !runner.variant || ran.length === 0 || this.deps.context.stopped()) return;
    const first = runner.first;
    const placement = await auditPlacementOf({
      modelPath: runner.variant.path, provider: runner.provider, providerOptions: first.executionProvider.options, layout: runner.variant.layout,
      batchSize: first.batchSize, folder: path.join(this.deps.recorder.runDir, 'profiles', traceFileName(first.groupKey).replace(/\.csv$/, '')),
    });
    const cpuCounted = runner.counted.some((meter) => meter.info.device === 'cpu');
    for (const m of ran) {
      m.placement = placement;
      if (placement.ok && placement.cpuFallback && !cpuCounted) {
        m.validity.valid = false;
        m.validity.reasons.push(`${placement.cpuFallbackNodes.length} node(s) ran on the CPU (${(placement.cpuTimeShare * 100).toFixed(0)}% of kernel time) but no CPU meter counts: add a CPU meter (rapl or estimate)`);
      }
    }
    await this.deps.recorder.save();
  }
}

// The stopping record of a finished configuration: the scheduler's decision plus the interval it reached (the one
// summariseWindows computed for the measurement's ±).
function stoppingRecord(entry: LiveConfig, scheduler: Scheduler): NonNullable<Measurement['stopping']> {
  const decision = scheduler.decision(entry.config.key);
  return {
    rule: decision.rule,
    ...(decision.race ? { race: decision.race } : {}),
    ciHalfWidthPercent: entry.measurement.energy?.samplesPerJouleCiPercent ?? null,
    method: 'windows',
    batches: entry.windows.length,
    betweenWindowsP: null,
    windows: entry.windows.length,
    measuredS: entry.windows.reduce((sum, window) => sum + window.durationS, 0),
  };
}
