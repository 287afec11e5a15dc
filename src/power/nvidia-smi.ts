// The nvidia-smi meter: one long-lived `nvidia-smi --query-gpu=… -lms N` stream feeds one PowerMeter per GPU.
//
// Why a stream and not one spawn per sample: nvidia-smi takes tens to hundreds of milliseconds to start (seconds
// without persistence mode), so polling it could not keep a 100 ms period; `-lms` prints one line per GPU per tick
// from a single process.
//
// Why samples are stamped with the time a line arrives (performance.now()) and not with nvidia-smi's own
// `timestamp` column: that column is local wall-clock time with millisecond resolution — it can be stepped by NTP or
// a DST change and would have to be mapped onto the performance.now() clock through Date.now(). Arrival time is on
// the right clock already and lags the reading by only the pipe's latency. The column is still used for one thing:
// when several ticks arrive in one chunk (our event loop was busy), their spacing is taken from it so a backlog does
// not collapse into one instant.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cudaOrdinalOf, cudaVisibleTokens, gpusForCudaOrdinals } from './cuda-visible.js';
import { MeterError } from '../errors.js';
import { killProcessGroup, ownProcessGroup } from './process-group.js';
import type { MeterContext, MeterFactory, MeterInfo, PowerMeter, PowerSample } from './types.js';

/** Where and how to run nvidia-smi; everything defaults to the real tool on PATH. */
export interface NvidiaSmiOptions {
  /** Executable, looked up on `env.PATH` (default `nvidia-smi`). */
  command?: string;
  /** Environment of every nvidia-smi process (default process.env); tests put a fake first on PATH here. */
  env?: NodeJS.ProcessEnv;
  /** Stream period, `-lms` (default 100 ms). */
  periodMs?: number;
  /** How long start() waits for the stream's first line (default 15 s: without persistence mode the driver initialises slowly). */
  startupTimeoutMs?: number;
  /** How long a one-shot query (probe) may take (default 20 s). */
  queryTimeoutMs?: number;
}

/** One GPU as nvidia-smi lists it. */
export interface NvidiaSmiGpu {
  index: number;
  name: string;
  uuid: string;
  driverVersion: string;
}

/** The power field a driver supports: instant where it exists, else the (on Ampere and newer 1 s averaged) draw. */
export type NvidiaSmiPowerField = 'power.draw.instant' | 'power.draw';

/** What probing nvidia-smi found: the GPUs to meter and the fields to stream. */
export interface NvidiaSmiInventory {
  /** The GPUs to meter (those named by MeterContext.gpus, else all), in index order. */
  gpus: NvidiaSmiGpu[];
  /** Every GPU nvidia-smi lists. */
  allGpus: NvidiaSmiGpu[];
  powerField: NvidiaSmiPowerField;
  /** Why power.draw was taken instead of power.draw.instant (null when the instant field is used). */
  fallbackReason: string | null;
  /** Context fields the driver knows (from `--help-query-gpu`; all of them when the help could not be read). */
  contextFields: string[];
}

const defaultPeriodMs = 100;
const notFound = 'nvidia-smi not found on PATH (install the NVIDIA driver)';

/** Context columns streamed next to the power field: nvidia-smi name → PowerSample.context key (unit in the key). */
export const nvidiaSmiContextFields: ReadonlyArray<readonly [field: string, key: string]> = [
  ['pstate', 'pstate'],
  ['clocks.sm', 'smClockMhz'],
  ['clocks.mem', 'memClockMhz'],
  ['utilization.gpu', 'gpuUtilizationPct'],
  ['utilization.memory', 'memoryUtilizationPct'],
  ['temperature.gpu', 'temperatureC'],
  ['memory.used', 'memoryUsedMib'],
  ['memory.total', 'memoryTotalMib'],
  ['power.limit', 'powerLimitW'],
];

/**
 * One nvidia-smi CSV cell: a number (units such as `631.95 W` or `100 %` tolerated), a string (`P0`, a timestamp), or
 * null for any bracketed value (`[N/A]`, `[Not Supported]`, `[Unknown Error]`, `[Requested functionality has been
 * deprecated]`, …) or an empty cell.
 */
export function parseNvidiaSmiValue(cell: string): number | string | null {
  const text = cell.trim();
  if (text === '' || text.startsWith('[') || /^(N\/A|Not Supported)$/i.test(text)) return null;
  const number = /^(-?\d+(?:\.\d+)?)(?:\s*(?:W|mW|MHz|%|MiB|C|°C))?$/.exec(text);
  return number ? Number(number[1]) : text;
}

// ---------------------------------------------------------------------------------------------------------------
// One-shot queries (probe)

interface QueryResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not be run at all (ENOENT, EACCES, timeout). */
  spawnError: (Error & { code?: string; killed?: boolean }) | null;
}

function runOnce(options: NvidiaSmiOptions, args: string[]): Promise<QueryResult> {
  return new Promise((resolve) => {
    execFile(
      options.command ?? 'nvidia-smi',
      args,
      { env: options.env ?? process.env, timeout: options.queryTimeoutMs ?? 20_000, maxBuffer: 16 * 2 ** 20, windowsHide: true },
      (error, stdout, stderr) => {
        // execFile's error carries the exit status as a number `code`, or an errno string when it could not run.
        const failed = error as (Error & { code?: number | string; killed?: boolean }) | null;
        const spawnError = failed && (typeof failed.code === 'string' || failed.killed) ? (failed as QueryResult['spawnError']) : null;
        const code = failed ? (typeof failed.code === 'number' ? failed.code : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr), spawnError });
      },
    );
  });
}

// nvidia-smi prints most of its errors on stdout; take whichever stream has text.
function outputText(result: QueryResult): string {
  const text = `${result.stderr.trim()}\n${result.stdout.trim()}`.trim();
  return text.split('\n').map((line) => line.trim()).filter(Boolean).join(' ');
}

function queryFailure(result: QueryResult, what: string): MeterError {
  if (result.spawnError?.code === 'ENOENT') {
    return new MeterError('NVIDIA_SMI_NOT_FOUND', notFound, { hint: 'install the NVIDIA driver, or use --meter auto' });
  }
  if (result.spawnError) {
    return new MeterError('NVIDIA_SMI_FAILED', `${what} failed: ${result.spawnError.killed ? 'it did not answer in time' : result.spawnError.message}`, { cause: result.spawnError });
  }
  return new MeterError('NVIDIA_SMI_FAILED', outputText(result) || `${what} exited with code ${result.code}`);
}

const csvLines = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean);

/**
 * Ask nvidia-smi which GPUs exist and which power field its driver has. Throws MeterError with the reason when it
 * cannot meter (no binary, driver error text, no GPU, a `gpus` index that does not exist, no power reading).
 */
export async function inspectNvidiaSmi(options: NvidiaSmiOptions, gpus: number[] | null): Promise<NvidiaSmiInventory> {
  const list = await runOnce(options, ['--query-gpu=index,uuid,driver_version,name', '--format=csv,noheader']);
  if (list.code !== 0) throw queryFailure(list, 'nvidia-smi --query-gpu');
  const allGpus: NvidiaSmiGpu[] = [];
  for (const line of csvLines(list.stdout)) {
    const [index, uuid, driverVersion, ...name] = line.split(', ');
    if (index === undefined || !/^\d+$/.test(index) || uuid === undefined || driverVersion === undefined) continue;
    allGpus.push({ index: Number(index), uuid, driverVersion, name: name.join(', ') });
  }
  if (allGpus.length === 0) {
    throw new MeterError('NVIDIA_SMI_NO_GPU', `nvidia-smi lists no GPU${outputText(list) ? `: ${outputText(list)}` : ''}`);
  }
  // `gpus` are CUDA device numbers (what device_id means); under CUDA_VISIBLE_DEVICES they are not nvidia-smi's.
  const selected = gpus === null ? allGpus : gpusForCudaOrdinals(allGpus, gpus, cudaVisibleTokens(), 'nvidia-smi', 'NVIDIA_SMI_NO_SUCH_GPU');

  // Which fields the driver knows: `--help-query-gpu` lists each as a quoted name (aliases on the same line).
  const help = await runOnce(options, ['--help-query-gpu']);
  const known = help.code === 0 ? new Set([...help.stdout.matchAll(/^"[^\n]*$/gm)].flatMap((m) => [...m[0].matchAll(/"([^"]+)"/g)].map((q) => q[1]!))) : null;
  const helpUsable = known !== null && known.has('index');
  const contextFields = nvidiaSmiContextFields.map(([field]) => field).filter((field) => !helpUsable || known.has(field));

  // Read the power once: the field must exist (an older driver rejects power.draw.instant with exit 2) and give a
  // number on every selected GPU (some boards report [N/A] for the instant reading).
  const candidates: NvidiaSmiPowerField[] = !helpUsable || known.has('power.draw.instant') ? ['power.draw.instant', 'power.draw'] : ['power.draw'];
  let reading = await runOnce(options, [`--query-gpu=index,${candidates.join(',')}`, '--format=csv,noheader,nounits']);
  if (reading.code !== 0 && candidates.length === 2 && (reading.code === 2 || /is not a valid field/i.test(outputText(reading)))) {
    candidates.shift();
    reading = await runOnce(options, ['--query-gpu=index,power.draw', '--format=csv,noheader,nounits']);
  }
  if (reading.code !== 0) throw queryFailure(reading, 'nvidia-smi --query-gpu=power.draw');
  const readable = new Map<NvidiaSmiPowerField, Set<number>>(candidates.map((field) => [field, new Set<number>()]));
  for (const line of csvLines(reading.stdout)) {
    const cells = line.split(', ');
    candidates.forEach((field, i) => {
      const watts = parseNvidiaSmiValue(cells[i + 1] ?? '');
      if (typeof watts === 'number' && watts >= 0) readable.get(field)!.add(Number(cells[0]));
    });
  }
  const powerField = candidates.find((field) => selected.every((gpu) => readable.get(field)!.has(gpu.index)));
  if (!powerField) {
    const unreadable = selected.filter((gpu) => !readable.get(candidates[candidates.length - 1]!)!.has(gpu.index)).map((gpu) => gpu.index);
    throw new MeterError('NVIDIA_SMI_NO_POWER', `nvidia-smi reports no power reading (${candidates.join(' or ')}) for GPU ${unreadable.join(', ')}`, {
      hint: 'this board or driver does not expose its power draw; use --gpus to leave it out',
    });
  }
  const fallbackReason = powerField === 'power.draw.instant' ? null
    : candidates.includes('power.draw.instant') ? 'power.draw.instant reads [N/A] here' : 'this driver has no power.draw.instant';
  return { gpus: selected, allGpus, powerField, fallbackReason, contextFields };
}

function describeField(inventory: Pick<NvidiaSmiInventory, 'powerField' | 'fallbackReason'>): string {
  return inventory.fallbackReason === null ? inventory.powerField : `${inventory.powerField} (${inventory.fallbackReason}; 1 s averaged on Ampere and newer)`;
}

// ---------------------------------------------------------------------------------------------------------------
// The shared stream

// Every nvidia-smi process still running, killed when Node exits so a crashed sweep leaves no orphan behind.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const running of liveChildren) killProcessGroup(running, 'SIGKILL');
    });
  }
}

// `YYYY/MM/DD HH:MM:SS.mmm` (local time) → ms since the epoch; NaN when it does not parse.
function parseTimestampMs(text: string): number {
  const m = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(text);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return new Date(y!, mo! - 1, d!, h!, mi!, s!, ms!).getTime();
}

/** One parsed stream line. */
export interface NvidiaSmiRow {
  index: number;
  timestampMs: number;
  powerW: number | null;
  context: Record<string, number | string>;
}

/** One `nvidia-smi -lms` process shared by the meters of every GPU it reports; it runs while any of them is started. */
class NvidiaSmiStream {
  readonly fields: string[];
  readonly silenceMs: number;
  // PowerSample.context key of each streamed field (undefined for index, timestamp and power).
  private readonly contextKeys: Array<string | undefined>;
  private readonly meters = new Map<number, NvidiaSmiMeter>();
  private readonly users = new Set<NvidiaSmiMeter>();
  private readonly dying = new Set<Promise<void>>();
  private child: ChildProcess | null = null;
  private failed: Error | null = null;
  /** Resolves at the current process's first line; rejects when it fails before. */
  private ready: Promise<void> | null = null;
  private readyResolvers: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private startupTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private lastLineMs = Number.NaN;
  private partial = '';
  private stderrTail = '';
  private strayStdout = '';

  /** How the power is read, for MeterInfo.detail. */
  readonly powerDescription: string;

  constructor(
    private readonly options: NvidiaSmiOptions,
    inventory: NvidiaSmiInventory,
    readonly periodMs: number,
  ) {
    this.powerDescription = describeField(inventory);
    this.fields = ['index', 'timestamp', inventory.powerField, ...inventory.contextFields];
    this.contextKeys = this.fields.map((field) => nvidiaSmiContextFields.find(([name]) => name === field)?.[1]);
    // Several periods plus a second: slow enough for a loaded machine, fast enough that a dead tool cannot stall a sweep.
    this.silenceMs = 5 * periodMs + 1000;
  }

  register(meter: NvidiaSmiMeter): void {
    this.meters.set(meter.gpuIndex, meter);
  }

  /** The process id of the running stream (null when none), for tests. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** The running process (null when none), for tests. */
  get process(): ChildProcess | null {
    return this.child;
  }

  /** Count a meter as started; spawns the process (also after a failure) and waits for its first line. */
  async acquire(meter: NvidiaSmiMeter): Promise<void> {
    this.users.add(meter);
    if (!this.child) this.spawn();
    await this.ready;
  }

  /** A meter stopped: the last one out stops the process and waits until it has exited. */
  async release(meter: NvidiaSmiMeter): Promise<void> {
    this.users.delete(meter);
    if (this.users.size === 0) this.kill();
    await Promise.all(this.dying);
  }

  /** Fail (and kill) a stream that has printed nothing for silenceMs, so its meters report it. */
  checkSilence(nowMs = performance.now()): void {
    if (!this.child || this.failed || Number.isNaN(this.lastLineMs)) return;
    if (nowMs - this.lastLineMs >= this.silenceMs) {
      this.fail(new MeterError('NVIDIA_SMI_SILENT', `nvidia-smi stopped answering (no output for ${Math.round(nowMs - this.lastLineMs)} ms, period ${this.periodMs} ms)${this.strayOutput()}`));
    }
  }

  private spawn(): void {
    this.failed = null;
    this.lastLineMs = Number.NaN;
    this.partial = '';
    this.stderrTail = '';
    this.strayStdout = '';
    const args = [`--query-gpu=${this.fields.join(',')}`, '--format=csv,noheader,nounits', '-lms', String(this.periodMs)];
    const child = spawn(this.options.command ?? 'nvidia-smi', args, {
      env: this.options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      detached: ownProcessGroup,
    });
    this.child = child;
    track(child);
    this.ready = new Promise<void>((resolve, reject) => {
      this.readyResolvers = { resolve, reject };
    });
    // A start() that nobody awaits must not turn a failure into an unhandled rejection.
    this.ready.catch(() => {});
    // The stream must not keep Node alive on its own (sampleAfter's timers do while someone waits).
    child.unref();
    for (const pipe of [child.stdout, child.stderr]) (pipe as unknown as { unref?: () => void } | null)?.unref?.();

    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      if (child === this.child) this.onData(chunk, performance.now());
    });
    child.stderr!.on('data', (chunk: string) => {
      if (child === this.child) this.stderrTail = (this.stderrTail + chunk).slice(-500);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child !== this.child) return;
      this.fail(error.code === 'ENOENT' ? new MeterError('NVIDIA_SMI_NOT_FOUND', notFound, { cause: error }) : new MeterError('NVIDIA_SMI_FAILED', `nvidia-smi could not be run: ${error.message}`, { cause: error }));
    });
    // 'close', not 'exit': by then stderr has been read to the end, so the message can quote it.
    child.on('close', (code, signal) => {
      if (child !== this.child) return;
      const output = (this.stderrTail.trim() || this.strayStdout.trim()).split('\n').map((line) => line.trim()).filter(Boolean).join(' ');
      const how = code !== null ? `exited with code ${code}` : `was killed by ${signal}`;
      this.fail(new MeterError('NVIDIA_SMI_EXITED', `nvidia-smi ${how}${output ? `: ${output}` : ''}`));
    });

    const startupMs = this.options.startupTimeoutMs ?? 15_000;
    this.startupTimer = setTimeout(() => {
      if (child === this.child && Number.isNaN(this.lastLineMs)) {
        this.fail(new MeterError('NVIDIA_SMI_SILENT', `nvidia-smi stopped answering (no output within ${startupMs} ms of starting)${this.strayOutput()}`));
      }
    }, startupMs);
    // Left referenced on purpose: it keeps Node alive while start() waits for the first line (the pipes are unref'd).
    this.watchdog = setInterval(() => this.checkSilence(), Math.max(this.periodMs, 250));
    this.watchdog.unref();
  }

  // What the tool printed that was not a reading (its own words: an error, a warning, garbage), for messages.
  private strayOutput(): string {
    const text = `${this.strayStdout} ${this.partial} ${this.stderrTail}`.split('\n').map((line) => line.trim()).filter(Boolean).join(' ').trim();
    return text ? `; it printed instead: ${JSON.stringify(text.slice(-300))}` : '';
  }

  private clearTimers(): void {
    if (this.startupTimer) clearTimeout(this.startupTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.startupTimer = null;
    this.watchdog = null;
  }

  // The process is gone or useless: tell every meter, reject start(), and make sure it is dead.
  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = error;
    this.readyResolvers?.reject(error);
    this.readyResolvers = null;
    this.kill();
    for (const meter of this.meters.values()) meter.onStreamFailure(error);
  }

  // Stop the current process: SIGTERM, then SIGKILL if it is still there after a second.
  private kill(): void {
    this.clearTimers();
    const child = this.child;
    this.child = null;
    // Nobody may wait forever for the first line of a process that is gone.
    this.readyResolvers?.reject(this.failed ?? new MeterError('NVIDIA_SMI_STOPPED', 'the nvidia-smi stream was stopped before it printed anything'));
    this.readyResolvers = null;
    // pid is undefined when the process never started (ENOENT): there is nothing to wait for.
    if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    killProcessGroup(child, 'SIGTERM');
    const force = setTimeout(() => killProcessGroup(child, 'SIGKILL'), 1000);
    const done = exited.then(() => clearTimeout(force));
    this.dying.add(done);
    void done.then(() => this.dying.delete(done));
  }

  private onData(chunk: string, receivedMs: number): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const rows: NvidiaSmiRow[] = [];
    for (const line of lines) {
      const row = this.parseRow(line.replace(/\r$/, ''));
      if (row) rows.push(row);
      else if (line.trim()) this.strayStdout = `${this.strayStdout}\n${line}`.slice(-500);
    }
    // Only readings count as an answer: a tool that prints garbage is as silent as one that prints nothing.
    if (rows.length === 0) return;
    this.lastLineMs = receivedMs;
    if (this.readyResolvers) {
      this.readyResolvers.resolve();
      this.readyResolvers = null;
      if (this.startupTimer) clearTimeout(this.startupTimer);
      this.startupTimer = null;
    }
    // A backlog of ticks arriving at once keeps its spacing: each row goes back by how much older its nvidia-smi
    // timestamp is than the newest row's (bounded, so a clock step cannot throw a sample far away).
    const newestMs = Math.max(...rows.map((row) => (Number.isNaN(row.timestampMs) ? -Infinity : row.timestampMs)));
    for (const row of rows) {
      const behindMs = newestMs - row.timestampMs;
      const tMs = behindMs > 0 && behindMs < 60_000 ? receivedMs - behindMs : receivedMs;
      this.meters.get(row.index)?.onRow(tMs, row);
    }
  }

  private parseRow(line: string): NvidiaSmiRow | null {
    const cells = line.split(', ');
    if (cells.length !== this.fields.length || !/^\d+$/.test(cells[0]!.trim())) return null;
    const context: Record<string, number | string> = {};
    for (let i = 3; i < this.fields.length; i++) {
      const value = parseNvidiaSmiValue(cells[i]!);
      const key = this.contextKeys[i];
      if (value !== null && key) context[key] = value;
    }
    const stamp = cells[1]!.trim();
    const watts = parseNvidiaSmiValue(cells[2]!);
    return {
      index: Number(cells[0]),
      timestampMs: parseTimestampMs(stamp),
      powerW: typeof watts === 'number' && Number.isFinite(watts) && watts >= 0 ? watts : null,
      context,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// One meter per GPU

function sameContext(a: Record<string, number | string>, b: Record<string, number | string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}

interface Waiter {
  tMs: number;
  resolve: () => void;
  timer: NodeJS.Timeout;
}

/** Board power of one NVIDIA GPU, fed by the shared nvidia-smi stream. */
export class NvidiaSmiMeter implements PowerMeter {
  readonly info: MeterInfo;
  readonly gpuIndex: number;
  private readonly stream: NvidiaSmiStream;
  private readonly recorded: PowerSample[] = [];
  private waiters: Waiter[] = [];
  private started = false;
  private failed: Error | null = null;

  constructor(stream: NvidiaSmiStream, gpu: NvidiaSmiGpu) {
    this.stream = stream;
    this.gpuIndex = gpu.index;
    stream.register(this);
    this.info = {
      id: `nvidia-smi:${gpu.index}`,
      kind: 'nvidia-smi',
      scope: 'gpu',
      device: `cuda:${gpu.index}`,
      cudaOrdinal: cudaOrdinalOf(gpu, cudaVisibleTokens()),
      periodMs: stream.periodMs,
      estimated: false,
      sampleKind: 'instant',
      detail:
        `${stream.powerDescription}, ${stream.periodMs} ms stream, ${gpu.name} (uuid ${gpu.uuid}), driver ${gpu.driverVersion}; ` +
        'A100/H100 sample ~25% of each period',
      phaseShift: true,
    };
  }

  /** The stream's nvidia-smi process id while it runs (shared by the meters of one create()), for tests. */
  get streamPid(): number | null {
    return this.stream.pid;
  }

  /** The stream's nvidia-smi process while it runs, for tests. */
  get streamProcess(): ChildProcess | null {
    return this.stream.process;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.failed = null;
    try {
      await this.stream.acquire(this);
    } catch (error) {
      this.started = false;
      await this.stream.release(this);
      throw new MeterError('NVIDIA_SMI_START', `the nvidia-smi stream did not start: ${(error as Error).message}`, { cause: error });
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.resolveWaiters(Infinity);
    await this.stream.release(this);
  }

  samples(): readonly PowerSample[] {
    return this.recorded;
  }

  /**
   * Resolves when this GPU's next line at or after tMs has arrived — or, so a dead tool cannot hang the sweep, once
   * the stream has been silent for 5 periods + 1 s (failure() then says so) or this GPU has had no power reading that
   * long (a gap, not a failure). Resolves at once when stopped or failed.
   */
  sampleAfter(tMs: number): Promise<void> {
    const last = this.recorded[this.recorded.length - 1];
    if ((last && last.tMs >= tMs) || !this.started || this.failed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waitMs = Math.max(0, tMs - performance.now()) + this.stream.silenceMs;
      const waiter: Waiter = {
        tMs,
        resolve,
        timer: setTimeout(() => {
          this.stream.checkSilence();
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve();
        }, waitMs),
      };
      this.waiters.push(waiter);
    });
  }

  failure(): Error | null {
    return this.failed;
  }

  /** Start a fresh stream after a failure (one for all GPUs: a stream another meter revived is reused). */
  async restart(): Promise<boolean> {
    if (!this.failed) return true;
    const failure = this.failed;
    this.failed = null;
    this.started = true;
    try {
      await this.stream.acquire(this);
      return true;
    } catch (error) {
      this.failed = error instanceof Error ? error : failure;
      return false;
    }
  }

  /** @internal A parsed line for this GPU; a missing power value is no sample (never 0 W). */
  onRow(tMs: number, row: NvidiaSmiRow): void {
    if (!this.started || row.powerW === null) return;
    const last = this.recorded[this.recorded.length - 1];
    // Keep time order strict even if a timestamp correction would reach back past the previous sample.
    const at = last && tMs <= last.tMs ? last.tMs + 1e-3 : tMs;
    // Hours of 10 samples/s add up: an unchanged context (the usual case) shares the previous sample's object.
    const context = last?.context && sameContext(last.context, row.context) ? last.context : row.context;
    this.recorded.push({ tMs: at, powerW: row.powerW, context });
    this.resolveWaiters(at);
  }

  /** @internal The shared stream died. */
  onStreamFailure(error: Error): void {
    if (!this.started) return;
    this.failed = error;
    this.resolveWaiters(Infinity);
  }

  private resolveWaiters(upToMs: number): void {
    const keep: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.tMs <= upToMs) {
        clearTimeout(waiter.timer);
        waiter.resolve();
      } else keep.push(waiter);
    }
    this.waiters = keep;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Registry entry

function probeDetail(inventory: NvidiaSmiInventory, periodMs: number): string {
  const gpus = inventory.gpus.map((gpu) => `${gpu.index} ${gpu.name}`).join(', ');
  const driver = inventory.gpus[0]?.driverVersion ?? 'unknown';
  return `${describeField(inventory)}, ${periodMs} ms stream; GPU ${gpus}; driver ${driver}`;
}

/** An nvidia-smi meter factory with its tool, environment and period injectable (tests point it at a fake). */
export function createNvidiaSmiMeterFactory(options: NvidiaSmiOptions = {}): MeterFactory {
  const periodMs = options.periodMs ?? defaultPeriodMs;
  // probe() and create() follow each other within a run: detect once (three nvidia-smi starts, each slow without
  // persistence mode) and reuse a successful answer for a minute.
  let cached: { key: string; atMs: number; inventory: Promise<NvidiaSmiInventory> } | null = null;
  const inspect = (gpus: number[] | null): Promise<NvidiaSmiInventory> => {
    const key = JSON.stringify(gpus);
    if (cached && cached.key === key && performance.now() - cached.atMs < 60_000) return cached.inventory;
    const inventory = inspectNvidiaSmi(options, gpus);
    const entry = { key, atMs: performance.now(), inventory };
    cached = entry;
    inventory.catch(() => {
      if (cached === entry) cached = null;
    });
    return inventory;
  };
  return {
    name: 'nvidia-smi',
    description: 'NVIDIA GPU board power from one streaming nvidia-smi query per run (power.draw.instant where the driver has it)',
    hardware: true,
    group: 'nvidia',
    argument: 'none',
    async probe(context: MeterContext) {
      try {
        return { ok: true, detail: probeDetail(await inspect(context.gpus), periodMs) };
      } catch (error) {
        return { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
    },
    async create(context: MeterContext) {
      const inventory = await inspect(context.gpus);
      const stream = new NvidiaSmiStream(options, inventory, periodMs);
      return inventory.gpus.map((gpu) => new NvidiaSmiMeter(stream, gpu));
    },
  };
}

/** Registry entry for the nvidia-smi meter (the real tool on PATH, 100 ms stream). */
export const nvidiaSmiMeterFactory: MeterFactory = createNvidiaSmiMeterFactory();
