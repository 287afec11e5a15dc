// The nvml meter: NVIDIA GPU energy read through NVML (libnvidia-ml.so.1) over the koffi FFI — counter deltas from
// nvmlDeviceGetTotalEnergyConsumption where the GPU has the counter (Volta and newer), else nvmlDeviceGetPowerUsage.
import { MeterError } from '../errors.js';
import { realClock, type Clock } from './core/clock.js';
import { formatDevice } from './core/device.js';
import { errorText as message, hardwareMeter } from './core/entry.js';
import { SampledMeter, Sampler, type Feed, type FeedSink } from './core/sampler.js';
import { cudaOrdinalOf, cudaVisibleTokens, gpusForCudaOrdinals } from './cuda-visible.js';
import type { MeterContext, MeterFactory, PowerMeter } from './types.js';

/** The library NVML ships as; `JOULEBENCH_NVML_LIBRARY` or the factory option replaces it (tests load a fake). */
export const defaultNvmlLibrary = 'libnvidia-ml.so.1';

// nvmlReturn_t values the meter tells apart (nvml.h).
const NVML_SUCCESS = 0;
// nvmlTemperatureSensors_t / nvmlClockType_t values.
const NVML_TEMPERATURE_GPU = 0;
const NVML_CLOCK_SM = 1;
// NVML_DEVICE_NAME_V2_BUFFER_SIZE and NVML_DEVICE_UUID_V2_BUFFER_SIZE are both 96; 80 is enough for a driver version.
const stringBufferBytes = 96;
/** Consecutive failed reads after which the meter reports a failure. */
const failAfterConsecutiveErrors = 3;
/** Clocks, temperature, utilisation and power limit are refreshed this often, not every poll (they are context only). */
const contextRefreshMs = 1000;

/** An nvmlDevice_t as koffi hands it over (an opaque pointer). */
export type NvmlHandle = unknown;
type Handle = NvmlHandle;

/** The NVML calls the meter uses, bound to one loaded library; optional symbols are null when the library lacks them. */
export interface NvmlApi {
  path: string;
  init(): number;
  shutdown(): number;
  errorString(ret: number): string;
  deviceCount(count: Uint32Array): number;
  handleByIndex(index: number, handle: [Handle]): number;
  powerUsage(handle: Handle, powerMw: Uint32Array): number;
  totalEnergy: ((handle: Handle, energyMj: BigUint64Array) => number) | null;
  name: ((handle: Handle, name: Buffer, length: number) => number) | null;
  uuid: ((handle: Handle, uuid: Buffer, length: number) => number) | null;
  driverVersion: ((version: Buffer, length: number) => number) | null;
  temperature: ((handle: Handle, sensor: number, celsius: Uint32Array) => number) | null;
  clock: ((handle: Handle, clockType: number, mhz: Uint32Array) => number) | null;
  utilization: ((handle: Handle, rates: Uint32Array) => number) | null;
  powerLimit: ((handle: Handle, limitMw: Uint32Array) => number) | null;
}

/** Why NVML could not be loaded; its message is the probe's reason. */
class NvmlLoadError extends Error {}

// A koffi type: a C type name, a type object or a direction marker (koffi does not export the alias).
type KoffiType = Parameters<(typeof import('koffi'))['out']>[0] | ReturnType<(typeof import('koffi'))['out']>;

const loaded = new Map<string, NvmlApi>();

// dlopen the library and bind its functions (once per path). Throws NvmlLoadError with a reason a user can act on.
async function loadNvml(path: string): Promise<NvmlApi> {
  const cached = loaded.get(path);
  if (cached) return cached;
  let koffi: typeof import('koffi').default;
  try {
    koffi = (await import('koffi')).default;
  } catch (error) {
    throw new NvmlLoadError(`the koffi FFI module could not be loaded, so NVML cannot be called: ${message(error)}`);
  }
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(path);
  } catch (error) {
    throw new NvmlLoadError(`${path} not found (no NVIDIA driver): ${message(error)}`);
  }
  const device = koffi.pointer(koffi.opaque());
  const optional = (name: string, result: string, args: KoffiType[]) => {
    try {
      return lib.func(name, result, args);
    } catch {
      return null;
    }
  };
  const required = (name: string, result: string, args: KoffiType[]) => {
    const fn = optional(name, result, args);
    if (fn) return fn;
    throw new NvmlLoadError(`${path} has no ${name} (driver too old, or not NVML)`);
  };
  const errorString = required('nvmlErrorString', 'const char *', ['int']);
  const api: NvmlApi = {
    path,
    init: required('nvmlInit_v2', 'int', []),
    shutdown: required('nvmlShutdown', 'int', []),
    errorString: (ret) => String(errorString(ret) ?? 'unknown NVML error'),
    deviceCount: required('nvmlDeviceGetCount_v2', 'int', ['uint *']),
    handleByIndex: required('nvmlDeviceGetHandleByIndex_v2', 'int', ['uint', koffi.out(koffi.pointer(device))]),
    powerUsage: required('nvmlDeviceGetPowerUsage', 'int', [device, 'uint *']),
    totalEnergy: optional('nvmlDeviceGetTotalEnergyConsumption', 'int', [device, 'unsigned long long *']),
    name: optional('nvmlDeviceGetName', 'int', [device, 'char *', 'uint']),
    uuid: optional('nvmlDeviceGetUUID', 'int', [device, 'char *', 'uint']),
    driverVersion: optional('nvmlSystemGetDriverVersion', 'int', ['char *', 'uint']),
    temperature: optional('nvmlDeviceGetTemperature', 'int', [device, 'int', 'uint *']),
    clock: optional('nvmlDeviceGetClockInfo', 'int', [device, 'int', 'uint *']),
    utilization: optional('nvmlDeviceGetUtilizationRates', 'int', [device, 'uint *']),
    powerLimit: optional('nvmlDeviceGetEnforcedPowerLimit', 'int', [device, 'uint *']),
  };
  loaded.set(path, api);
  return api;
}

// A NUL-terminated string out of a buffer NVML filled.
function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.toString('utf8', 0, end < 0 ? buffer.length : end);
}

/** An NVML call that returned an error code. */
class NvmlCallError extends Error {
  constructor(readonly call: string, readonly ret: number, errorText: string) {
    super(`${call} failed: ${errorText} (NVML return ${ret})`);
  }
}

/**
 * One initialisation of NVML shared by every meter on the same library: nvmlInit_v2 when the first user acquires it,
 * nvmlShutdown when the last one releases it. `generation` changes on every initialisation: handles and counter
 * baselines are then stale.
 */
export class NvmlSession {
  generation = 0;
  private users = 0;
  private readonly handles = new Map<number, Handle>();

  constructor(readonly api: NvmlApi) {}

  acquire(): void {
    if (this.users === 0) this.init();
    this.users++;
  }

  release(): void {
    if (this.users > 0 && --this.users === 0) this.api.shutdown();
  }

  /** Shut down and initialise again (after a failure, while other meters hold it); false when nvmlInit_v2 fails. */
  reinit(): boolean {
    this.api.shutdown();
    try {
      this.init();
      return true;
    } catch {
      return false;
    }
  }

  handle(index: number): Handle {
    if (!this.handles.has(index)) {
      const out: [Handle] = [null];
      this.check('nvmlDeviceGetHandleByIndex_v2', this.api.handleByIndex(index, out));
      this.handles.set(index, out[0]);
    }
    return this.handles.get(index);
  }

  check(call: string, ret: number): void {
    if (ret !== NVML_SUCCESS) throw new NvmlCallError(call, ret, this.api.errorString(ret));
  }

  private init(): void {
    this.check('nvmlInit_v2', this.api.init());
    this.handles.clear();
    this.generation++;
  }
}

const sessions = new Map<string, NvmlSession>();

// Load the library (once per path) and take a reference on its session. Throws with a reason a user can act on.
async function acquireSession(options: NvmlOptions): Promise<NvmlSession> {
  const api = await loadNvml(options.libraryPath ?? process.env.JOULEBENCH_NVML_LIBRARY ?? defaultNvmlLibrary);
  const session = sessions.get(api.path) ?? new NvmlSession(api);
  sessions.set(api.path, session);
  session.acquire();
  return session;
}

/** What NVML says about one GPU, and how the meter will read it. */
export interface NvmlDevice {
  index: number;
  name: string;
  uuid: string;
  /** True when nvmlDeviceGetTotalEnergyConsumption works on it; otherwise `noCounterReason` says why. */
  counter: boolean;
  noCounterReason: string | null;
}

interface Inventory {
  driverVersion: string | null;
  count: number;
  devices: NvmlDevice[];
}

// The GPUs to meter (all, or those in `gpus`) and whether each has the energy counter. Needs an initialised session.
function takeInventory(session: NvmlSession, gpus: number[] | null): Inventory {
  const { api } = session;
  const count = new Uint32Array(1);
  session.check('nvmlDeviceGetCount_v2', api.deviceCount(count));
  const total = count[0]!;
  let driverVersion: string | null = null;
  const text = Buffer.alloc(stringBufferBytes);
  if (api.driverVersion?.(text, text.length) === NVML_SUCCESS) driverVersion = cString(text);
  // `gpus` are CUDA device numbers (what device_id means); NVML numbers every GPU, ignoring CUDA_VISIBLE_DEVICES.
  const tokens = cudaVisibleTokens();
  let indices = gpus ?? Array.from({ length: total }, (_, i) => i);
  if (gpus !== null && total > 0) {
    const uuidAt = (index: number) => {
      text.fill(0);
      return api.uuid?.(session.handle(index), text, text.length) === NVML_SUCCESS ? cString(text) : '';
    };
    const all = Array.from({ length: total }, (_, index) => ({ index, uuid: tokens?.some((token) => token.kind === 'uuid') ? uuidAt(index) : '' }));
    indices = gpusForCudaOrdinals(all, gpus, tokens, 'NVML', 'NVML_NO_SUCH_GPU').map((gpu) => gpu.index);
  }
  const devices: NvmlDevice[] = [];
  for (const index of total === 0 ? [] : indices) {
    const handle = session.handle(index);
    text.fill(0);
    const name = api.name?.(handle, text, text.length) === NVML_SUCCESS ? cString(text) : `GPU ${index}`;
    text.fill(0);
    const uuid = api.uuid?.(handle, text, text.length) === NVML_SUCCESS ? cString(text) : '';
    let noCounterReason: string | null = 'this libnvidia-ml has no nvmlDeviceGetTotalEnergyConsumption';
    if (api.totalEnergy) {
      const ret = api.totalEnergy(handle, new BigUint64Array(1));
      noCounterReason = ret === NVML_SUCCESS ? null : `nvmlDeviceGetTotalEnergyConsumption: ${api.errorString(ret)} (NVML return ${ret})`;
    }
    if (noCounterReason !== null) {
      // Without the counter the meter needs power usage; a GPU with neither cannot be metered.
      const ret = api.powerUsage(handle, new Uint32Array(1));
      if (ret !== NVML_SUCCESS) {
        throw new MeterError('NVML_NO_POWER', `GPU ${index} (${name}) reports neither energy nor power through NVML: ${noCounterReason}; nvmlDeviceGetPowerUsage: ${api.errorString(ret)} (NVML return ${ret})`);
      }
    }
    devices.push({ index, name, uuid, counter: noCounterReason === null, noCounterReason });
  }
  return { driverVersion, count: total, devices };
}

/** The mean power of the counter and of the sampled power-usage series over the same intervals, for a cross-check. */
export interface NvmlCrossCheck {
  /** Energy-counter mean: ΣΔE / Σ∆t. */
  counterW: number;
  /** nvmlDeviceGetPowerUsage readings, each weighted by the interval it closed. */
  sampledW: number;
  /** (sampledW − counterW) / counterW × 100; beyond ±5 % the two disagree (partial sampling, a slow 1 s average). */
  differencePct: number;
  /** Time both series cover, in seconds. */
  seconds: number;
}

/** Options for the nvml meter (tests pass a fake library). */
export interface NvmlOptions {
  /** The library to dlopen; default `JOULEBENCH_NVML_LIBRARY`, else libnvidia-ml.so.1. */
  libraryPath?: string;
  /** Poll period in ms (default 100). */
  periodMs?: number;
  /** Default: the real clock. */
  clock?: Clock;
}

/**
 * Reads one NVIDIA GPU. With the energy counter every sample is `interval-average` (ΔmJ/Δt since the previous read;
 * a window's edge reads the counter afresh, so it is exact), with power usage riding along in `context.powerUsageW`.
 * Without the counter every sample is an `instant` power-usage reading.
 */
class NvmlFeed implements Feed {
  private generation = -1;
  private baseline: { energyMj: number; tMs: number } | null = null;
  private extras: Record<string, number> = {};
  private extrasAtMs = Number.NEGATIVE_INFINITY;
  private broken = false;
  private closedGeneration = -1;
  // Cross-check sums over intervals where both the counter and power usage were read.
  checkEnergyMj = 0;
  checkUsageMwMs = 0;
  checkMs = 0;
  // What the synchronous FFI reads cost the main thread.
  reads = 0;
  readMs = 0;
  // Reused output buffers: no allocation per read.
  private readonly energyOut = new BigUint64Array(1);
  private readonly powerOut = new Uint32Array(1);
  private readonly extraOut = new Uint32Array(2);

  /** The session must already hold one reference for this feed (create() keeps NVML initialised until start). */
  constructor(private readonly session: NvmlSession, readonly device: NvmlDevice, private readonly clock: Clock) {}

  private held = true;

  /** Holds the session; after a failure NVML is initialised afresh (unless that happened meanwhile). */
  open(): void {
    if (!this.held) this.session.acquire();
    this.held = true;
    if (this.broken && this.session.generation === this.closedGeneration && !this.session.reinit()) {
      this.session.release();
      this.held = false;
      throw new MeterError('NVML_READ_FAILED', 'nvmlInit_v2 failed on restart');
    }
    this.broken = false;
    this.baseline = null;
  }

  poll(sink: FeedSink): void {
    const beganMs = performance.now();
    try {
      this.read(sink);
    } finally {
      this.reads++;
      this.readMs += performance.now() - beganMs;
    }
  }

  /** A last read at stop (a window may end there), then the session goes. */
  close(sink: FeedSink): void {
    if (!this.broken) {
      try {
        this.poll(sink);
      } catch {
        // a failing last read adds nothing
      }
    }
    this.closedGeneration = this.session.generation;
    if (this.held) this.session.release();
    this.held = false;
  }

  // One read; pushes a sample when there is one (a counter that has not ticked gives none). Throws on an NVML error.
  private read(sink: FeedSink): void {
    // After NVML was re-initialised handles and the counter baseline are stale.
    if (this.generation !== this.session.generation) {
      this.generation = this.session.generation;
      this.baseline = null;
    }
    const { api } = this.session;
    const handle = this.guard(() => this.session.handle(this.device.index));
    if (!this.device.counter) {
      const ret = api.powerUsage(handle, this.powerOut);
      const tMs = this.clock.now();
      this.check('nvmlDeviceGetPowerUsage', ret);
      // 0 mW is not a GPU's power: a failed read, never a 0 W sample.
      if (this.powerOut[0] === 0) this.fail('nvmlDeviceGetPowerUsage returned 0 mW');
      this.refreshExtras(handle, tMs);
      sink.push({ key: 0, tMs, powerW: this.powerOut[0]! / 1000, context: { ...this.extras } });
      return;
    }
    const ret = api.totalEnergy!(handle, this.energyOut);
    const tMs = this.clock.now();
    this.check('nvmlDeviceGetTotalEnergyConsumption', ret);
    const energyMj = Number(this.energyOut[0]!);
    const usageW = api.powerUsage(handle, this.powerOut) === NVML_SUCCESS && this.powerOut[0]! > 0 ? this.powerOut[0]! / 1000 : null;
    this.refreshExtras(handle, tMs);
    const previous = this.baseline;
    // The first read (or one after a re-initialisation, or a counter that went back) only sets the baseline.
    if (!previous || energyMj < previous.energyMj) {
      this.baseline = { energyMj, tMs };
      return;
    }
    const deltaMj = energyMj - previous.energyMj;
    const deltaMs = tMs - previous.tMs;
    // The counter has not ticked since the last read: no sample; the next delta covers this interval too.
    if (deltaMj === 0 || deltaMs <= 0) return;
    this.baseline = { energyMj, tMs };
    if (usageW !== null) {
      this.checkEnergyMj += deltaMj;
      this.checkUsageMwMs += usageW * 1000 * deltaMs;
      this.checkMs += deltaMs;
    }
    sink.push({ key: 0, tMs, powerW: deltaMj / deltaMs, context: usageW === null ? { ...this.extras } : { powerUsageW: usageW, ...this.extras } });
  }

  private guard<T>(call: () => T): T {
    try {
      return call();
    } catch (error) {
      this.broken = true;
      throw error instanceof NvmlCallError ? error : new Error(message(error));
    }
  }

  private check(call: string, ret: number): void {
    if (ret !== NVML_SUCCESS) this.fail(`${call} failed: ${this.session.api.errorString(ret)} (NVML return ${ret})`);
    this.broken = false;
  }

  private fail(text: string): never {
    this.broken = true;
    throw new Error(text);
  }

  // Context for traces: temperature, SM clock, utilisation, power limit — each only if this GPU and library report
  // it, refreshed once a second (not every read).
  private refreshExtras(handle: Handle, tMs: number): void {
    if (tMs - this.extrasAtMs < contextRefreshMs) return;
    this.extrasAtMs = tMs;
    const { api } = this.session;
    const out = this.extraOut;
    const extras: Record<string, number> = {};
    if (api.temperature?.(handle, NVML_TEMPERATURE_GPU, out) === NVML_SUCCESS) extras.temperatureC = out[0]!;
    if (api.clock?.(handle, NVML_CLOCK_SM, out) === NVML_SUCCESS) extras.smClockMHz = out[0]!;
    if (api.utilization?.(handle, out) === NVML_SUCCESS) {
      extras.gpuUtilizationPct = out[0]!;
      extras.memoryUtilizationPct = out[1]!;
    }
    if (api.powerLimit?.(handle, out) === NVML_SUCCESS) extras.powerLimitW = out[0]! / 1000;
    this.extras = extras;
  }
}

/** One NVIDIA GPU read through NVML (see NvmlFeed); adds the counter-vs-power cross-check and the FFI cost. */
export class NvmlMeter extends SampledMeter {
  constructor(sampler: Sampler, private readonly feed: NvmlFeed, info: PowerMeter['info']) {
    super(sampler, 0, info);
  }

  /** Mean power of the energy counter and of the power-usage series over the same intervals; null without a counter or before two reads. */
  crossCheck(): NvmlCrossCheck | null {
    const { feed } = this;
    if (!feed.device.counter || feed.checkMs <= 0 || feed.checkEnergyMj <= 0) return null;
    const counterW = feed.checkEnergyMj / feed.checkMs;
    const sampledW = feed.checkUsageMwMs / 1000 / feed.checkMs;
    return { counterW, sampledW, differencePct: ((sampledW - counterW) / counterW) * 100, seconds: feed.checkMs / 1000 };
  }

  /** The energy counter and the sampled power disagreeing by more than 5% over the run is worth a warning. */
  diagnostics(): string[] {
    const check = this.crossCheck();
    if (!check || Math.abs(check.differencePct) <= 5) return [];
    return [
      `${this.info.id}: the energy counter (${check.counterW.toFixed(1)} W) and sampled power usage (${check.sampledW.toFixed(1)} W) disagree by ${check.differencePct.toFixed(1)}% over ${check.seconds.toFixed(0)} s; energies use the counter`,
    ];
  }

  /** How much main-thread time the NVML reads took (they are synchronous FFI calls). */
  overhead(): { reads: number; totalMs: number; meanUs: number } {
    const { reads, readMs } = this.feed;
    return { reads, totalMs: readMs, meanUs: reads === 0 ? 0 : (readMs * 1000) / reads };
  }
}

// The meter of one GPU: its own feed and sampler (NVML reads are per GPU), on the session all GPUs share.
function nvmlMeter(session: NvmlSession, device: NvmlDevice, driverVersion: string | null, periodMs: number, clock: Clock): NvmlMeter {
  session.acquire();
  const feed = new NvmlFeed(session, device, clock);
  const id = `nvml:${device.index}`;
  const sampler = new Sampler(feed, {
    clock,
    periodMs,
    // A counter that has not ticked since the last read: re-read shortly, then wait for the poller (bounded).
    retryMs: 2,
    failAfterPolls: failAfterConsecutiveErrors,
    tooMany: (last, count) => new MeterError('NVML_READ_FAILED', `${id}: ${last.message}, ${count} reads in a row`),
    waitMs: (tMs, now) => Math.max(0, tMs - now) + (failAfterConsecutiveErrors + 1.5) * periodMs,
  });
  const what = `${device.name}${device.uuid ? ` (${device.uuid})` : ''}, NVML${driverVersion ? ` driver ${driverVersion}` : ''}`;
  return new NvmlMeter(sampler, feed, {
    id,
    kind: 'nvml',
    scope: 'gpu',
    device: formatDevice({ vendor: 'cuda', index: device.index }),
    cudaOrdinal: cudaOrdinalOf(device, cudaVisibleTokens()),
    periodMs,
    estimated: false,
    sampleKind: device.counter ? 'interval-average' : 'instant',
    detail: device.counter
      ? `${what}: energy-counter deltas (nvmlDeviceGetTotalEnergyConsumption) every ${periodMs} ms; nvmlDeviceGetPowerUsage kept as context.powerUsageW for a cross-check`
      : `${what}: NO ENERGY COUNTER (${device.noCounterReason}), so instant nvmlDeviceGetPowerUsage readings every ${periodMs} ms (a 1 s average on Ampere and newer, except GA100)`,
    // Power usage averages only part of each second on A100/H100; the counter accumulates continuously.
    ...(device.counter ? {} : { phaseShift: true }),
  });
}

function describeInventory(inventory: Inventory): string {
  const gpus = inventory.devices.map((d) => `#${d.index} ${d.name} (${d.counter ? 'energy counter' : `power usage only: ${d.noCounterReason}`})`);
  return `NVML${inventory.driverVersion ? ` driver ${inventory.driverVersion}` : ''}: ${gpus.join(', ')}`;
}

/** A registry entry for the nvml meter; the options exist for tests (a fake library, a shorter period). */
export function createNvmlMeterFactory(options: NvmlOptions = {}): MeterFactory {
  // The inventory under a session reference (released after), or a load/init error.
  const withInventory = async <T>(gpus: number[] | null, use: (inventory: Inventory, session: NvmlSession) => T): Promise<T> => {
    const session = await acquireSession(options);
    try {
      return use(takeInventory(session, gpus), session);
    } finally {
      session.release();
    }
  };
  return hardwareMeter({
    name: 'nvml',
    description: 'NVIDIA GPU energy through NVML (libnvidia-ml.so.1): the energy counter (Volta and newer), else power usage',
    group: 'nvidia',
    detail: (context) =>
      withInventory(context.gpus, (inventory) => {
        if (inventory.count === 0) throw new MeterError('NVML_NO_GPU', 'no NVIDIA GPU: NVML loaded and initialised, but sees 0 devices');
        return describeInventory(inventory);
      }),
    async create(context: MeterContext): Promise<PowerMeter[]> {
      try {
        return await withInventory(context.gpus, (inventory, session) => {
          if (inventory.count === 0) throw new MeterError('NVML_NO_GPU', 'the nvml meter found no NVIDIA GPU');
          return inventory.devices.map((device) => nvmlMeter(session, device, inventory.driverVersion, options.periodMs ?? 100, options.clock ?? realClock));
        });
      } catch (error) {
        if (error instanceof MeterError) throw error;
        throw new MeterError('NVML_UNAVAILABLE', `the nvml meter cannot run here: ${message(error)}`, { cause: error });
      }
    },
  });
}

/** Registry entry for the nvml meter. */
export const nvmlMeterFactory: MeterFactory = createNvmlMeterFactory();
