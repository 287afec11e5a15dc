// One (model variant, execution provider) group: its session host, its configurations' cold starts and warm-ups,
// their timed windows and, at the end, their numbers. It returns records; the sweep decides what runs when.
import { describeError } from '../errors.js';
import type { PowerMeter } from '../power/types.js';
import type { Measurement } from '../results/types.js';
import { builderFlagNames, providerSettings, requireProvider } from '../runtime/providers/registry.js';
import type { ExecutionProvider } from '../runtime/providers/types.js';
import { LatencyRecorder } from '../runtime/session.js';
import { ChildProcessHost, createSessionHost, GroupFailure, type SessionHost } from '../runtime/session-host.js';
import type { PlannedConfig, Scenario } from '../scenario/types.js';
import { SeededRandom, seedFromString } from '../stats/random.js';
import { percentileSorted } from '../stats/summary.js';
import { conversionRecord } from '../variants/make.js';
import { attributionFor } from './attribution.js';
import type { Metering } from './metering.js';
import { variantErrorIsSkip, type PreparedModel, type PreparedVariant } from './prepare.js';
import { summariseWindows, type WindowRecord } from './summarise.js';

/** Thrown inside a configuration when the run must stop (signal, or a meter died). */
export class Interrupted extends Error {}

/** A configuration of a group that was begun (cold start and warm-up done) and takes timed windows. */
export interface LiveConfig {
  config: PlannedConfig;
  /** Its position in the plan (1-based), for progress. */
  index: number;
  measurement: Measurement;
  /** Spans of wall time that belong to it (cold start, its windows), for its trace. */
  spans: Array<[number, number]>;
  runner: GroupRunner;
  latencies: LatencyRecorder;
  windows: WindowRecord[];
  /** Random phase of each window against the meter period (Yang et al. 2023). */
  phase: SeededRandom;
  coldStart: NonNullable<Measurement['coldStart']>;
}

/** What the group runner needs from the sweep. */
export interface GroupContext {
  scenario: Scenario;
  models: PreparedModel[];
  metering: Metering;
  isolate: boolean;
  configTimeoutS: number | null;
  stopped: () => boolean;
}

// A configuration that did not run: every measured block null.
export function emptyMeasurement(config: PlannedConfig, variant: PreparedVariant | undefined, device: string | null): Measurement {
  return {
    key: config.key,
    model: {
      name: config.model.name,
      path: variant?.path ?? config.modelPath,
      sha256: variant?.info.sha256 ?? null,
      precision: config.precision,
      via: config.via,
      variantOf: config.precision === 'fp32' ? null : config.model.name,
      conversion: variant?.made ? conversionRecord(variant.made) : null,
      ...(variant ? { detectedPrecision: variant.info.detectedPrecision } : {}),
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

/** One group's session and configurations. */
export class GroupRunner {
  readonly first: PlannedConfig;
  readonly prepared: PreparedModel | undefined;
  /** The file this group runs (a builder-flag precision runs the FP32 file). */
  readonly variant: PreparedVariant | undefined;
  readonly provider: ExecutionProvider;
  readonly device: string;
  readonly counted: PowerMeter[];
  readonly attributionNote: string;
  private readonly host: SessionHost;
  private readonly builderFlagsDropped: string[];
  private session: { sessionCreateMs: number; span: [number, number] } | null = null;
  private sessionError: unknown = null;

  constructor(readonly configs: PlannedConfig[], private readonly context: GroupContext) {
    const first = configs[0]!;
    this.first = first;
    this.prepared = context.models.find((model) => model.spec.name === first.model.name);
    this.variant = this.prepared?.variants[first.via === 'model' ? first.precision : 'fp32'];
    this.provider = requireProvider(first.executionProvider.name, 'executionProviders');
    this.builderFlagsDropped = first.via === 'model' ? [] : providerSettings(this.provider, first.executionProvider.options, 'executionProviders').notForwarded.filter((name) => builderFlagNames(this.provider, first.precision).includes(name));
    this.device = this.provider.device(first.executionProvider.options);
    const attribution = attributionFor(context.metering.meters, this.device, context.scenario.devices);
    this.counted = attribution.meters;
    this.attributionNote = attribution.note;
    this.host = createSessionHost(context.isolate, { stopped: context.stopped, configTimeoutS: context.configTimeoutS });
  }

  /** Make the loop in flight return early (interrupt). */
  stop(): void {
    this.host.stop();
  }

  close(): Promise<void> {
    return this.host.close().catch(() => {});
  }

  // Why a configuration cannot run, as its record's error (null: it can).
  private notRunnable(config: PlannedConfig): { error: NonNullable<Measurement['error']>; failed: boolean } | null {
    const variant = this.variant;
    if (this.counted.length === 0) {
      return { failed: true, error: { code: 'NO_METER', message: `no meter measures ${this.device}: add a CPU meter (--meter auto, rapl or estimate) or count a GPU with --gpus` } };
    }
    if (this.builderFlagsDropped.length > 0) {
      // Measuring the FP32 engine under an FP16/INT8 label would be a fake number: record why it did not run.
      return {
        failed: false,
        error: {
          code: 'EP_OPTION_NOT_FORWARDED',
          message: `this onnxruntime-node passes only device_id to ${this.provider.name}, not ${this.builderFlagsDropped.join(', ')}: the builder would make an FP32 engine, so ${config.precision} via ${config.via} cannot be measured here; measure a ${config.precision} model variant instead (precision_via: model)`,
        },
      };
    }
    if (!variant) {
      const variantError = this.prepared?.variantErrors[config.precision];
      return {
        failed: Boolean(variantError && !variantErrorIsSkip(variantError.code)),
        error: variantError ?? { code: 'NO_VARIANT', message: `no ${config.precision} variant of ${config.model.name}: give one in the scenario (models[].variants.${config.precision}: file.onnx)` },
      };
    }
    if (variant.layout.fixedBatch !== null && variant.layout.fixedBatch !== config.batchSize) {
      return {
        failed: false,
        error: { code: 'FIXED_BATCH', message: `the model's batch is fixed at ${variant.layout.fixedBatch} (no input has a dynamic batch dimension), so batch ${config.batchSize} cannot run; re-export it with a dynamic batch axis` },
      };
    }
    if (this.sessionError !== null) return { failed: true, error: describeError(this.sessionError) };
    return null;
  }

  /**
   * Start a configuration: open the session on first use, then first run (cold start), output pre-allocation and
   * warm-up. Returns the live configuration, or its finished record when it cannot run or failed to start.
   */
  async begin(config: PlannedConfig, index: number): Promise<LiveConfig | Measurement> {
    const measurement = emptyMeasurement(config, this.variant, this.device);
    measurement.cooldownS = null;
    const beganMs = performance.now();
    const refused = this.notRunnable(config);
    if (refused) {
      measurement.error = refused.error;
      if (refused.failed) measurement.status = 'failed';
      measurement.spanS = null;
      return measurement;
    }
    try {
      const session = await this.openSession(config);
      return await this.warmUp(config, index, measurement, session, beganMs);
    } catch (error) {
      // An interrupt drops the configuration in flight (it is re-run whole on resume); other errors are data.
      if (error instanceof Interrupted && this.context.stopped()) throw error;
      measurement.status = 'failed';
      measurement.error = describeError(error);
      return measurement;
    }
  }

  private async openSession(config: PlannedConfig): Promise<{ sessionCreateMs: number; span: [number, number] }> {
    if (this.session) return this.session;
    const t0 = performance.now();
    try {
      if (this.host instanceof ChildProcessHost) this.host.chargeOpenTo(config.key);
      const opened = await this.host.open({ modelPath: this.variant!.path, provider: this.provider.name, providerOptions: config.executionProvider.options, threads: config.threads });
      // Session creation as the child timed it (its process start is not the model's cold start).
      this.session = { sessionCreateMs: opened.sessionCreateMs, span: [this.host.isolated ? opened.t0Ms : t0, this.host.isolated ? opened.t1Ms : performance.now()] };
      return this.session;
    } catch (error) {
      // A crashed process fails the rest of the group through the host; other errors are the session's.
      if (!(error instanceof GroupFailure)) this.sessionError = error;
      throw error;
    }
  }

  private async warmUp(config: PlannedConfig, index: number, measurement: Measurement, session: { sessionCreateMs: number; span: [number, number] }, beganMs: number): Promise<LiveConfig> {
    const { scenario, metering } = this.context;
    const firstOfGroup = config === this.first;
    const begun = await this.host.begin({
      key: config.key, batchSize: config.batchSize, inputs: this.variant!.layout.inputs, warmupRuns: scenario.warmup.runs, warmupS: scenario.warmup.seconds,
    });
    const coldFrom = firstOfGroup ? session.span[0] : begun.firstStartMs;
    const cold = await metering.energyOver(coldFrom, Math.max(begun.firstEndMs, coldFrom + 1e-3), this.counted);
    if (this.context.stopped()) throw new Interrupted('interrupted before the configuration finished');
    return {
      config, index, measurement, spans: [[beganMs, performance.now()]], runner: this, latencies: new LatencyRecorder(), windows: [],
      // Sensors that average only part of each period (nvidia-smi/NVML on A100/H100) need windows that start at
      // random phases of it (Yang et al. 2023): a seeded random fraction of the period is slept before each window.
      phase: new SeededRandom(seedFromString(config.key)),
      coldStart: {
        sessionCreateMs: session.sessionCreateMs,
        firstRunMs: begun.firstEndMs - begun.firstStartMs,
        energyJ: Object.values(cold.byMeter).reduce((sum, value) => sum + value, 0),
        sessionShared: !firstOfGroup,
      },
    };
  }

  /** A few untimed runs after the machine ran another configuration. */
  async rewarm(live: LiveConfig): Promise<void> {
    const runs = Math.min(3, Math.max(1, this.context.scenario.warmup.runs));
    await this.host.rewarm(live.config.key, runs);
  }

  /** One timed window of a live configuration; appended to its windows and returned. */
  async window(live: LiveConfig, round: number | null): Promise<WindowRecord> {
    const { scenario, metering, stopped } = this.context;
    if (stopped()) throw new Interrupted('interrupted before the configuration finished');
    const phasePeriodMs = Math.max(0, ...this.counted.filter((m) => m.info.phaseShift).map((m) => m.info.periodMs));
    if (phasePeriodMs > 0) await new Promise((resolve) => setTimeout(resolve, live.phase.next() * phasePeriodMs));
    // The host does the timing (in the group's process); only the window's times and latencies come back.
    const timing = await this.host.window(live.config.key, scenario.window.minRuns, metering.minWindowS(this.counted, scenario.window.minSeconds));
    for (const latencyMs of timing.latenciesMs) live.latencies.push(latencyMs);
    if (stopped()) throw new Interrupted('interrupted before the configuration finished');
    const energy = await metering.energyOver(timing.t0Ms, timing.t1Ms, this.counted);
    const record: WindowRecord = {
      durationS: (timing.t1Ms - timing.t0Ms) / 1000, runs: timing.runs, energyJByMeter: energy.byMeter, samplesByMeter: energy.samplesByMeter,
      coverageNotes: energy.notes, peakWatts: energy.peakWatts,
      p99Ms: percentileSorted(Float64Array.from(timing.latenciesMs).sort(), 99),
      ...(round !== null ? { round } : {}),
    };
    live.windows.push(record);
    return record;
  }

  /** The configuration's numbers from its windows. */
  summarise(live: LiveConfig, idleWatts: Record<string, number> | null): Partial<Measurement> {
    const blocks = summariseWindows({
      windows: live.windows, batchSize: live.config.batchSize, latencyMs: live.latencies.view(),
      meters: this.counted.map((meter) => meter.info), idleWatts, carbon: this.context.scenario.carbon,
    });
    return { ...blocks, coldStart: live.coldStart };
  }
}

/** A group's failure as its configurations' error, naming a dead meter as the cause when there is one. */
export function failureOf(error: unknown, fatalMeter: PowerMeter | null): NonNullable<Measurement['error']> {
  if (error instanceof Interrupted && fatalMeter) {
    return { code: 'METER_FAILED', message: `meter ${fatalMeter.info.id} failed during this configuration and could not be restarted: ${fatalMeter.failure()?.message ?? 'no reason given'}` };
  }
  return describeError(error);
}

