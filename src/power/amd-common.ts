// Shared plumbing of the AMD meters (rocm-smi, amd-smi): neither tool streams, so one poll loop per tool per run
// spawns it again and again (never two at once) and hands every GPU's reading to that GPU's meter.
import { spawn, type ChildProcess } from 'node:child_process';
import { killProcessGroup, ownProcessGroup } from './process-group.js';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { MeterError } from '../errors.js';
import type { MeterContext, MeterFactory, MeterInfo, PowerMeter, PowerSample, ProbeResult } from './types.js';

/** One GPU in one poll. `powerW` is null when the tool could not read it: never a 0 W stand-in. */
export interface GpuReading {
  index: number;
  /** How the tool names the GPU (`card1`, `gpu 1`). */
  label: string;
  powerW: number | null;
  /** The field the power came from (`Current Socket Graphics Package Power (W)`, `power.socket_power`). */
  powerField: string | null;
  /** The tool's own text when powerW is null (`N/A (Secondary die)`, `N/A`). */
  missing: string | null;
  context: Record<string, number | string>;
}

/** Output a poll could not be read from: the message quotes what the tool printed. */
export class PollParseError extends Error {}

/** What differs between rocm-smi and amd-smi. */
export interface AmdTool {
  /** Binary name and registry name (`rocm-smi`, `amd-smi`). */
  name: string;
  args: readonly string[];
  /** Turn one poll's stdout into readings; throws PollParseError on anything it cannot read. */
  parse(stdout: string): GpuReading[];
  /** One line on what the power number is, for MeterInfo.detail. */
  describePower(reading: GpuReading): string;
}

/** Settings of an AMD meter; tests inject the fake tool and short timeouts here instead of editing process.env. */
export interface AmdToolOptions {
  /** The binary: a name looked up on env.PATH, or a path (default: the tool's name). */
  command?: string;
  /** Environment for the lookup and the child process (default: process.env at call time). */
  env?: NodeJS.ProcessEnv;
  /** Time from one poll's start to the next one's (default 200 ms); a slow tool stretches it (see achievedPeriodMs). */
  targetPeriodMs?: number;
  /** A poll running longer than this is killed and counts as failed (default max(10 s, 5 × target)). */
  pollTimeoutMs?: number;
  /** How long sampleAfter waits for a fresh poll before failure() is set (default 3 × period + 2 s). */
  sampleTimeoutMs?: number;
}

/** Consecutive failed polls after which the meter reports failure(). */
export const maxConsecutiveFailures = 3;
const defaultTargetPeriodMs = 200;
/** periodMs before it is measured: max(target, the discovery poll's duration) × this margin. */
export const initialPeriodMargin = 1.25;
const killGraceMs = 1000;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first 80 characters of what a tool printed, quoted, for error messages. */
export function quote80(text: string): string {
  const trimmed = text.trim();
  return `${JSON.stringify(trimmed.slice(0, 80))}${trimmed.length > 80 ? '…' : ''}`;
}

/** Parse a tool's JSON output; tolerates warning lines printed before the JSON. */
export function parseJsonOutput(stdout: string, toolName: string): unknown {
  const text = stdout.trim();
  if (text === '') throw new PollParseError(`${toolName} printed nothing on stdout`);
  try {
    return JSON.parse(text);
  } catch {
    const at = text.search(/^[[{]/m);
    if (at > 0) {
      try {
        return JSON.parse(text.slice(at));
      } catch {
        // fall through to the error that quotes the output
      }
    }
    throw new PollParseError(`${toolName} printed output that is not JSON: ${quote80(text)}`);
  }
}

/** A number with an optional unit, from `350`, `"350.0"`, `"350 W"` or `{"value": 350, "unit": "W"}`; otherwise the tool's text. */
export function readQuantity(raw: unknown): { value: number; unit: string | null } | { missing: string } {
  if (typeof raw === 'number') return Number.isFinite(raw) ? { value: raw, unit: null } : { missing: String(raw) };
  if (typeof raw === 'string') {
    const match = /^\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*([a-zA-Zµ%]+)?\s*$/.exec(raw);
    if (match) return { value: Number(match[1]), unit: match[2] ?? null };
    return { missing: raw };
  }
  if (isRecord(raw) && 'value' in raw) {
    const inner = readQuantity(raw.value);
    if ('missing' in inner) return inner;
    return { value: inner.value, unit: typeof raw.unit === 'string' ? raw.unit : inner.unit };
  }
  return { missing: raw === undefined ? 'absent' : JSON.stringify(raw) };
}

/**
 * Watts from a quantity, or the reason there are none. A reading of 0 W or less is treated as unreadable: a powered
 * GPU package never draws nothing, and some drivers print 0 for "not supported" — a 0 would silently halve an average.
 */
export function toWatts(quantity: ReturnType<typeof readQuantity>): { watts: number } | { missing: string } {
  if ('missing' in quantity) return quantity;
  const scale: Record<string, number> = { W: 1, w: 1, mW: 1e-3, uW: 1e-6, µW: 1e-6 };
  const factor = quantity.unit === null ? 1 : scale[quantity.unit];
  if (factor === undefined) return { missing: `${quantity.value} ${quantity.unit} (unknown power unit)` };
  if (!(quantity.value > 0)) return { missing: `${quantity.value}${quantity.unit ? ` ${quantity.unit}` : ''} (not a plausible power)` };
  return { watts: quantity.value * factor };
}

/** The executable `command` resolves to on env.PATH, or why there is none. */
export async function locateTool(command: string, env: NodeJS.ProcessEnv): Promise<{ path: string } | { reason: string }> {
  const candidates = command.includes('/')
    ? [path.resolve(command)]
    : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, command));
  let notExecutable: string | null = null;
  for (const candidate of candidates) {
    const info = await stat(candidate).catch(() => null);
    if (!info?.isFile()) continue;
    try {
      await access(candidate, constants.X_OK);
      return { path: candidate };
    } catch {
      notExecutable ??= candidate;
    }
  }
  if (notExecutable) return { reason: `permission denied: ${notExecutable} is not executable by this user` };
  if (command.includes('/')) return { reason: `${command} does not exist` };
  const rocmBin = path.join('/opt/rocm/bin', command);
  const atRocm = await stat(rocmBin).catch(() => null);
  return {
    reason: atRocm?.isFile()
      ? `${command} is not on PATH (found ${rocmBin}: add /opt/rocm/bin to PATH)`
      : `${command} is not installed (not found on PATH; it ships with ROCm)`,
  };
}

/** What one spawn of the tool came back with. */
export interface PollOutcome {
  startMs: number;
  /** When the reading was taken, best estimate: the first stdout byte (the tools print after reading), else exit. */
  readingMs: number;
  endMs: number;
  /** Readings, or null when the poll failed. */
  readings: GpuReading[] | null;
  /** Why the poll failed (null when it worked). */
  error: string | null;
}

// Spawn the tool once and classify the result. `onChild` lets the loop kill it on stop.
async function pollOnce(
  tool: AmdTool,
  binary: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  onChild: (child: ChildProcess | null) => void,
): Promise<PollOutcome> {
  const startMs = performance.now();
  const raw = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; firstOutputMs: number | null; spawnError: NodeJS.ErrnoException | null; timedOut: boolean }>((resolve) => {
    let stdout = '';
    let stderr = '';
    let firstOutputMs: number | null = null;
    let spawnError: NodeJS.ErrnoException | null = null;
    let timedOut = false;
    const child = spawn(binary, [...tool.args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: ownProcessGroup });
    onChild(child);
    // A child alive when this process exits would outlive it: kill it synchronously then.
    const onExit = () => killProcessGroup(child, 'SIGKILL');
    process.once('exit', onExit);
    const timer = setTimeout(() => {
      timedOut = true;
      killProcessGroup(child, 'SIGKILL');
    }, timeoutMs);
    timer.unref();
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      firstOutputMs ??= performance.now();
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', onExit);
      onChild(null);
      resolve({ code, signal, stdout, stderr, firstOutputMs, spawnError, timedOut });
    });
  });
  const endMs = performance.now();
  const base = { startMs, readingMs: raw.firstOutputMs ?? endMs, endMs };
  const fail = (error: string): PollOutcome => ({ ...base, readings: null, error });
  if (raw.spawnError) {
    const code = raw.spawnError.code;
    if (code === 'EACCES' || code === 'EPERM') return fail(`permission denied running ${binary} (${code})`);
    if (code === 'ENOENT') return fail(`${binary} could not be started (ENOENT: not installed, or its interpreter is missing)`);
    return fail(`${binary} could not be started: ${raw.spawnError.message}`);
  }
  if (raw.timedOut) return fail(`${tool.name} did not finish within ${timeoutMs} ms and was killed`);
  if (raw.signal) return fail(`${tool.name} was killed by ${raw.signal}`);
  const stderrLine = raw.stderr.trim() === '' ? '' : `: ${quote80(raw.stderr)}`;
  let readings: GpuReading[] | null = null;
  let why = '';
  try {
    readings = tool.parse(raw.stdout);
  } catch (error) {
    why = error instanceof Error ? error.message : String(error);
  }
  // A non-zero exit next to good readings (one unsupported query among several) still gives power: keep it.
  if (readings && (raw.code === 0 || readings.some((reading) => reading.powerW !== null))) return { ...base, readings, error: null };
  // Without /dev/kfd and /dev/dri access (render and video groups) the tools fail with a permission message.
  if (/permission denied|not permitted|EACCES|NO_PERM/i.test(raw.stderr)) {
    return fail(`permission denied: ${tool.name} exited with code ${raw.code}${stderrLine} (add this user to the render and video groups)`);
  }
  if (readings) return fail(`${tool.name} exited with code ${raw.code}${stderrLine} and reported no power`);
  return fail(raw.code === 0 ? why : `${tool.name} exited with code ${raw.code}${stderrLine}; ${why}`);
}

/** The GPUs one poll found: those a meter will be made for, and those skipped (with the tool's reason). */
export interface Discovery {
  binary: string;
  poll: PollOutcome;
  metered: GpuReading[];
  skipped: GpuReading[];
}

/** Locate the tool, poll it once and sort its GPUs; throws MeterError with a precise reason when nothing is meterable. */
export async function discover(tool: AmdTool, options: AmdToolOptions, context: MeterContext): Promise<Discovery> {
  const env = options.env ?? process.env;
  const located = await locateTool(options.command ?? tool.name, env);
  if ('reason' in located) {
    throw new MeterError(located.reason.startsWith('permission') ? 'METER_PERMISSION' : 'METER_NOT_INSTALLED', located.reason);
  }
  const poll = await pollOnce(tool, located.path, env, pollTimeout(options), () => {});
  if (poll.readings === null) throw new MeterError('METER_POLL_FAILED', `${tool.name} ${tool.args.join(' ')}: ${poll.error}`);
  const wanted = context.gpus === null ? poll.readings : poll.readings.filter((reading) => context.gpus!.includes(reading.index));
  if (wanted.length === 0) {
    throw new MeterError('METER_NO_GPU', `--gpus ${context.gpus!.join(',')}: ${tool.name} lists only ${poll.readings.map((r) => r.label).join(', ')}`);
  }
  const metered = wanted.filter((reading) => reading.powerW !== null);
  const skipped = wanted.filter((reading) => reading.powerW === null);
  if (metered.length === 0) {
    throw new MeterError('METER_NO_POWER', `${tool.name} reports no power for any GPU (${skipped.map((r) => `${r.label}: ${r.missing}`).join('; ')})`);
  }
  return { binary: located.path, poll, metered, skipped };
}

function pollTimeout(options: AmdToolOptions): number {
  return options.pollTimeoutMs ?? Math.max(10_000, 5 * (options.targetPeriodMs ?? defaultTargetPeriodMs));
}

/** Text for MeterInfo.detail / probe detail: GPUs skipped and why. */
export function describeSkipped(skipped: GpuReading[]): string {
  return skipped.length === 0 ? '' : `; skipped (no meter): ${skipped.map((r) => `${r.label} reports ${JSON.stringify(r.missing)}`).join(', ')}`;
}

/** How a wait for a fresh reading ended. */
export type WaitResult = 'ok' | 'no-reading' | 'failed' | 'stopped';

interface Waiter {
  tMs: number;
  gpu: number;
  finish: (result: WaitResult) => void;
}

/**
 * One poll loop per tool per run, shared by all of that tool's GPU meters: one spawn per poll, the next poll starting
 * when the previous one has finished and the target period has passed since it started. The period actually achieved
 * (mean spacing of poll starts) is kept, since these tools take hundreds of milliseconds to start.
 */
export class PollLoop {
  readonly tool: AmdTool;
  readonly targetPeriodMs: number;
  private readonly binary: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly pollTimeoutMs: number;
  private readonly sampleTimeoutOverrideMs: number | undefined;
  private readonly listeners = new Set<(outcome: PollOutcome) => void>();
  private readonly started = new Set<object>();
  private waiters: Waiter[] = [];
  private child: ChildProcess | null = null;
  private running: Promise<void> | null = null;
  private generation = 0;
  private wake: (() => void) | null = null;
  private failed: Error | null = null;
  private consecutiveFailures = 0;
  private lastOkStartMs = Number.NEGATIVE_INFINITY;
  /** Per GPU: the start of the latest poll that gave it a power reading. */
  private readonly lastReadingStartMs = new Map<number, number>();
  private previousStartMs: number | null = null;
  private spacingSumMs = 0;
  private spacings = 0;
  private pollCount = 0;
  private failedPolls = 0;
  private lastError: string | null = null;

  constructor(tool: AmdTool, binary: string, options: AmdToolOptions) {
    this.tool = tool;
    this.binary = binary;
    this.env = options.env ?? process.env;
    this.targetPeriodMs = options.targetPeriodMs ?? defaultTargetPeriodMs;
    this.pollTimeoutMs = pollTimeout(options);
    this.sampleTimeoutOverrideMs = options.sampleTimeoutMs;
  }

  /** Mean spacing of poll starts so far (null before two polls). */
  achievedPeriodMs(): number | null {
    return this.spacings === 0 ? null : this.spacingSumMs / this.spacings;
  }

  /** How many polls were spawned since create(). */
  polls(): number {
    return this.pollCount;
  }

  failure(): Error | null {
    return this.failed;
  }

  /** Polls that failed (garbage, non-zero exit without power, timeout) and the last reason. */
  pollFailures(): { count: number; last: string | null } {
    return { count: this.failedPolls, last: this.lastError };
  }

  /** Called with every completed poll, good or bad. */
  onPoll(listener: (outcome: PollOutcome) => void): void {
    this.listeners.add(listener);
  }

  /** A meter starts: the first one launches the loop and waits for its first poll (good or bad). */
  async acquire(meter: object): Promise<void> {
    this.started.add(meter);
    if (this.running || this.failed) return;
    const first = new Promise<void>((resolve) => {
      const once = () => {
        this.listeners.delete(once);
        resolve();
      };
      this.listeners.add(once);
    });
    this.launch();
    await Promise.race([first, this.running]);
  }

  /** A meter stops: the last one stops the loop and kills a poll in flight. */
  async release(meter: object): Promise<void> {
    this.started.delete(meter);
    if (this.started.size === 0) await this.halt();
  }

  /**
   * Resolves 'ok' once a poll that started at or after tMs has completed with a power reading for `gpu`. When no
   * such poll comes within the sample timeout: 'no-reading' if polls did complete (the GPU reported N/A), otherwise
   * the loop fails ('failed': the tool hangs or keeps failing). 'stopped' when the loop is stopped meanwhile.
   */
  async waitForReading(tMs: number, gpu: number): Promise<WaitResult> {
    if (this.failed) return 'failed';
    if (this.hasReading(gpu, tMs)) return 'ok';
    if (!this.running) return 'stopped';
    // Between polls: start the next one now rather than at the end of the period.
    if (tMs <= performance.now()) this.wake?.();
    const timeoutMs = this.sampleTimeoutMs() + Math.max(0, tMs - performance.now());
    return new Promise<WaitResult>((resolve) => {
      const timer = setTimeout(() => {
        if (this.lastOkStartMs >= tMs) {
          this.waiters = this.waiters.filter((waiter) => waiter !== entry);
          resolve('no-reading');
        } else {
          this.fail(`no ${this.tool.name} poll completed within ${Math.round(timeoutMs)} ms while a reading was awaited (${this.pollCount} polls so far)`);
        }
      }, timeoutMs);
      timer.unref();
      const entry: Waiter = { tMs, gpu, finish: (result) => { clearTimeout(timer); resolve(result); } };
      this.waiters.push(entry);
    });
  }

  /** After a failure: stop what is left and poll afresh (the meters then wait for a reading of their own GPU). */
  async restart(): Promise<void> {
    if (!this.failed) return;
    await this.halt();
    this.failed = null;
    this.consecutiveFailures = 0;
    this.previousStartMs = null; // the gap across the failure is not a poll spacing
    if (this.started.size > 0) this.launch();
  }

  // Whether a poll that started at or after tMs gave `gpu` a power reading.
  private hasReading(gpu: number, tMs: number): boolean {
    const startMs = this.lastReadingStartMs.get(gpu);
    return startMs !== undefined && startMs >= tMs;
  }

  private sampleTimeoutMs(): number {
    return this.sampleTimeoutOverrideMs ?? 3 * Math.max(this.targetPeriodMs, this.achievedPeriodMs() ?? 0) + 2000;
  }

  private launch(): void {
    const generation = ++this.generation;
    this.running = this.cycle(generation).finally(() => {
      if (this.generation === generation) this.running = null;
    });
  }

  private async cycle(generation: number): Promise<void> {
    const live = () => this.generation === generation && !this.failed;
    while (live()) {
      const outcome = await pollOnce(this.tool, this.binary, this.env, this.pollTimeoutMs, (child) => {
        this.child = child;
      });
      if (this.generation !== generation) return;
      this.pollCount++;
      if (this.previousStartMs !== null) {
        this.spacingSumMs += outcome.startMs - this.previousStartMs;
        this.spacings++;
      }
      this.previousStartMs = outcome.startMs;
      if (outcome.readings !== null) {
        this.consecutiveFailures = 0;
        this.lastOkStartMs = outcome.startMs;
        for (const reading of outcome.readings) {
          if (reading.powerW !== null) this.lastReadingStartMs.set(reading.index, outcome.startMs);
        }
      } else {
        this.failedPolls++;
        this.lastError = outcome.error;
      }
      if (outcome.readings === null && ++this.consecutiveFailures >= maxConsecutiveFailures) {
        this.fail(`${maxConsecutiveFailures} ${this.tool.name} polls in a row failed; the last: ${outcome.error}`);
      }
      for (const listener of [...this.listeners]) listener(outcome);
      this.settle((waiter) => this.hasReading(waiter.gpu, waiter.tMs), 'ok');
      if (!live()) return;
      // Someone waits for a poll that starts after a time already passed: go at once.
      const waitMs = this.waiters.some((waiter) => waiter.tMs <= performance.now())
        ? 0
        : outcome.startMs + this.targetPeriodMs - performance.now();
      if (waitMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => { this.wake = null; resolve(); }, waitMs);
          this.wake = () => { clearTimeout(timer); this.wake = null; resolve(); };
        });
      }
    }
  }

  private settle(which: (waiter: Waiter) => boolean, result: WaitResult): void {
    const ready = this.waiters.filter(which);
    this.waiters = this.waiters.filter((waiter) => !which(waiter));
    for (const waiter of ready) waiter.finish(result);
  }

  private fail(message: string): void {
    if (this.failed) return;
    this.failed = new MeterError('METER_FAILED', message);
    this.generation++; // the cycle ends; a poll in flight is killed
    this.killChild();
    this.wake?.();
    this.settle(() => true, 'failed');
  }

  private async halt(): Promise<void> {
    this.generation++;
    this.wake?.();
    this.killChild();
    await this.running;
    this.running = null;
    this.settle(() => true, 'stopped');
  }

  // SIGTERM first (the tools are Python scripts that exit on it), SIGKILL if one is still there after a grace period.
  private killChild(): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    killProcessGroup(child, 'SIGTERM');
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) killProcessGroup(child, 'SIGKILL');
    }, killGraceMs);
    timer.unref();
    child.once('close', () => clearTimeout(timer));
  }
}

/**
 * The meter of one GPU. Its `info` is a mutable object that the loop keeps current: `periodMs` becomes the period
 * actually achieved and `detail` says so. A mutable object (not a getter making copies) keeps `meter.info` one stable
 * object for the sweep; a snapshot taken before the first polls (result.json's `meters`) holds the first estimate
 * (see initialPeriodMargin).
 */
export class AmdGpuMeter implements PowerMeter {
  readonly info: MeterInfo;
  readonly index: number;
  private readonly loop: PollLoop;
  private readonly recorded: PowerSample[] = [];
  private readonly describe: (achievedMs: number | null, polls: number) => string;
  private failed: Error | null = null;
  private lastMissing: string | null = null;
  private missingPolls = 0;
  private readonly initialPeriodMs: number;

  constructor(loop: PollLoop, reading: GpuReading, initialPeriodMs: number, describe: (achievedMs: number | null, polls: number) => string) {
    this.loop = loop;
    this.index = reading.index;
    this.describe = describe;
    this.initialPeriodMs = initialPeriodMs;
    this.info = {
      id: `${loop.tool.name}:${reading.index}`,
      kind: loop.tool.name,
      scope: 'gpu',
      device: `rocm:${reading.index}`,
      periodMs: initialPeriodMs,
      estimated: false,
      // Both tools report a package power that the SMU averages over a few milliseconds at most (MI300 "current
      // socket power"; the older "average" is a short firmware average too): at poll spacings of hundreds of ms
      // that is a point reading, so trapezoids between polls ('instant') are the right integration.
      sampleKind: 'instant',
      detail: describe(null, 0),
    };
    loop.onPoll((outcome) => this.record(outcome));
  }

  /** Mean spacing of the shared loop's poll starts (null before two polls). */
  achievedPeriodMs(): number | null {
    return this.loop.achievedPeriodMs();
  }

  /** Joins the shared loop and waits for a first reading of this GPU, so that samples exist before any window. */
  async start(): Promise<void> {
    await this.loop.acquire(this);
    if (this.recorded.length === 0) await this.sampleAfter(Number.NEGATIVE_INFINITY);
  }

  async stop(): Promise<void> {
    await this.loop.release(this);
  }

  samples(): readonly PowerSample[] {
    return this.recorded;
  }

  /**
   * Resolves once a poll that STARTED at or after tMs has completed with a reading for this GPU. The tool reads the
   * sensor during the poll and prints afterwards, so the sample is stamped at its first output byte: at or after tMs,
   * at most the print's few milliseconds after the read. Polls with N/A for this GPU are skipped; when none brings a
   * reading within the timeout, failure() is set.
   */
  async sampleAfter(tMs: number): Promise<void> {
    if (this.failed) return;
    const result = await this.loop.waitForReading(tMs, this.index);
    if (result === 'no-reading') {
      this.failed = new MeterError('METER_NO_READING', `${this.info.id}: ${this.loop.tool.name} polls completed but gave no power for this GPU (it reports ${JSON.stringify(this.lastMissing ?? 'nothing')})`);
    }
  }

  failure(): Error | null {
    return this.loop.failure() ?? this.failed;
  }

  /** Revive the shared loop if it failed, then wait for a fresh reading of this GPU; false when none comes. */
  async restart(): Promise<boolean> {
    const fromMs = performance.now();
    await this.loop.restart();
    this.failed = null;
    await this.sampleAfter(fromMs);
    return this.failure() === null && (this.recorded[this.recorded.length - 1]?.tMs ?? Number.NEGATIVE_INFINITY) >= fromMs;
  }

  /**
   * Read once after the sweep. result.json's `meters` is a copy taken before the first poll, so a period that turned
   * out slower than that copy says is reported here, as are polls that failed or had no power for this GPU.
   */
  diagnostics(): string[] {
    const warnings: string[] = [];
    const tool = this.loop.tool.name;
    const achieved = this.loop.achievedPeriodMs();
    if (achieved !== null && achieved > this.initialPeriodMs) {
      warnings.push(`${this.info.id}: ${tool} polls came every ${achieved.toFixed(0)} ms on average (target ${this.loop.targetPeriodMs} ms), slower than the ${this.initialPeriodMs.toFixed(0)} ms assumed when sizing windows: keep windows ≥ ${((10 * achieved) / 1000).toFixed(1)} s (--min-seconds)`);
    }
    const failures = this.loop.pollFailures();
    if (failures.count > 0) warnings.push(`${this.info.id}: ${failures.count} of ${this.loop.polls()} ${tool} polls failed (last: ${failures.last})`);
    if (this.missingPolls > 0) {
      warnings.push(`${this.info.id}: ${this.missingPolls} of ${this.loop.polls()} ${tool} polls gave no power for this GPU (${JSON.stringify(this.lastMissing)}); those instants are gaps, not 0 W`);
    }
    return warnings;
  }

  private record(outcome: PollOutcome): void {
    const reading = outcome.readings?.find((r) => r.index === this.index);
    if (reading && reading.powerW !== null) {
      const last = this.recorded[this.recorded.length - 1];
      const tMs = last && outcome.readingMs <= last.tMs ? last.tMs + 1e-3 : outcome.readingMs;
      this.recorded.push({ tMs, powerW: reading.powerW, context: reading.context });
    } else if (reading) {
      this.lastMissing = reading.missing;
      this.missingPolls++;
    }
    const achieved = this.loop.achievedPeriodMs();
    if (achieved !== null) this.info.periodMs = Math.max(achieved, 1);
    this.info.detail = this.describe(achieved, this.loop.polls());
  }
}

/** Build the registry entry of an AMD tool meter from its tool description. */
export function createAmdFactory(tool: AmdTool, description: string, options: AmdToolOptions): MeterFactory {
  const targetPeriodMs = options.targetPeriodMs ?? defaultTargetPeriodMs;
  return {
    name: tool.name,
    description,
    hardware: true,
    group: 'amd',
    argument: 'none',
    async probe(context: MeterContext): Promise<ProbeResult> {
      try {
        const found = await discover(tool, options, context);
        const gpus = found.metered.map((r) => `${r.label} ${r.powerW!.toFixed(1)} W`).join(', ');
        return {
          ok: true,
          detail: `${tool.name}: ${found.metered.length} GPU${found.metered.length === 1 ? '' : 's'} (${gpus}) via ${tool.describePower(found.metered[0]!)}; one poll took ${Math.round(found.poll.endMs - found.poll.startMs)} ms${describeSkipped(found.skipped)}`,
        };
      } catch (error) {
        return { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
    },
    async create(context: MeterContext): Promise<PowerMeter[]> {
      const found = await discover(tool, options, context);
      const loop = new PollLoop(tool, found.binary, options);
      const firstPollMs = found.poll.endMs - found.poll.startMs;
      const skipped = describeSkipped(found.skipped);
      // Until two polls have run, periodMs is a deliberate over-estimate: the sweep sizes its windows (10 × period)
      // from this value before the meters start, and timer lateness alone puts the achieved period a few ms above
      // the target, which would leave every window just short of 10 achieved periods.
      const initialPeriodMs = initialPeriodMargin * Math.max(targetPeriodMs, firstPollMs);
      return found.metered.map((reading) => new AmdGpuMeter(loop, reading, initialPeriodMs, (achievedMs, polls) => {
        const period = achievedMs === null
          ? `target period ${targetPeriodMs} ms, first poll took ${Math.round(firstPollMs)} ms`
          : `target period ${targetPeriodMs} ms, achieved ${achievedMs.toFixed(1)} ms (mean spacing of ${polls} polls)`;
        return `${tool.name} ${reading.label} ${tool.describePower(reading)}, polled (${tool.name} ${tool.args.join(' ')}); ${period}${skipped}`;
      }));
    },
  };
}
