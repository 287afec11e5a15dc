// Shared probe and parse helpers of the AMD meters (rocm-smi, amd-smi): neither tool streams, so the sampler's poll
// loop spawns the tool once per poll (never two at once) and hands every GPU's reading to that GPU's meter.
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { MeterError } from '../errors.js';
import { realClock, type Clock } from './core/clock.js';
import { formatDevice } from './core/device.js';
import { hardwareMeter } from './core/entry.js';
import { runTool, stopTool } from './core/child.js';
import { SampledMeter, Sampler, type Feed, type FeedSink } from './core/sampler.js';
import type { MeterContext, MeterFactory, PowerMeter } from './types.js';

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
  /** Default: the real clock. */
  clock?: Clock;
}

/** Consecutive failed polls after which the meter reports failure(). */
export const maxConsecutiveFailures = 3;
const defaultTargetPeriodMs = 200;
/** periodMs before it is measured: max(target, the discovery poll's duration) × this margin. */
export const initialPeriodMargin = 1.25;

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

// Run the tool once and classify the result. `onChild` lets the feed kill it on stop.
async function pollOnce(tool: AmdTool, binary: string, env: NodeJS.ProcessEnv, timeoutMs: number, clock: Clock, onChild?: (child: ChildProcess) => void): Promise<PollOutcome> {
  const startMs = clock.now();
  const raw = await runTool(binary, tool.args, { env, timeoutMs, onChild, now: () => clock.now() });
  const endMs = clock.now();
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
  const poll = await pollOnce(tool, located.path, env, pollTimeout(options), options.clock ?? realClock);
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

/** One spawn per poll; a reading is stamped at the tool's first output byte and counts from the poll's start. */
class AmdFeed implements Feed {
  private child: ChildProcess | null = null;
  /** Start of the latest poll that worked (a wait that sees polls but no power is a GPU without readings). */
  lastOkStartMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly tool: AmdTool, private readonly binary: string, private readonly options: AmdToolOptions, private readonly clock: Clock) {}

  open(): void {}

  async poll(sink: FeedSink): Promise<void> {
    const env = this.options.env ?? process.env;
    const outcome = await pollOnce(this.tool, this.binary, env, pollTimeout(this.options), this.clock, (child) => (this.child = child));
    this.child = null;
    if (outcome.readings === null) throw new Error(outcome.error ?? 'poll failed');
    this.lastOkStartMs = outcome.startMs;
    for (const r of outcome.readings) {
      sink.push({ key: r.index, tMs: outcome.readingMs, sinceMs: outcome.startMs, powerW: r.powerW, context: r.context, missing: r.missing ?? undefined });
    }
  }

  // SIGTERM first (the tools are Python scripts that exit on it), SIGKILL if one is still there after a grace period.
  async close(): Promise<void> {
    if (this.child) await stopTool(this.child);
  }
}

/**
 * The meter of one GPU. Its `info` is a mutable object kept current after every poll: `periodMs` becomes the period
 * actually achieved and `detail` says so (a snapshot taken before the first polls, result.json's `meters`, holds the
 * first estimate: see initialPeriodMargin).
 */
export class AmdGpuMeter extends SampledMeter {
  constructor(sampler: Sampler, key: number, info: PowerMeter['info'], private readonly initialPeriodMs: number, private readonly targetPeriodMs: number) {
    super(sampler, key, info);
  }

  /** Mean spacing of the shared loop's poll starts (null before two polls). */
  achievedPeriodMs(): number | null {
    return this.sampler.achievedPeriodMs();
  }

  /** Read once after the sweep: a period slower than assumed, polls that failed or had no power for this GPU. */
  diagnostics(): string[] {
    const warnings: string[] = [];
    const { id, kind: tool } = this.info;
    const achieved = this.sampler.achievedPeriodMs();
    const polls = this.sampler.polls();
    const missing = this.sampler.missing(this.key);
    if (achieved !== null && achieved > this.initialPeriodMs) {
      warnings.push(`${id}: ${tool} polls came every ${achieved.toFixed(0)} ms on average (target ${this.targetPeriodMs} ms), slower than the ${this.initialPeriodMs.toFixed(0)} ms assumed when sizing windows: keep windows ≥ ${((10 * achieved) / 1000).toFixed(1)} s (--min-seconds)`);
    }
    if (polls.failed > 0) warnings.push(`${id}: ${polls.failed} of ${polls.count} ${tool} polls failed (last: ${polls.lastError})`);
    if (missing.count > 0) {
      warnings.push(`${id}: ${missing.count} of ${polls.count} ${tool} polls gave no power for this GPU (${JSON.stringify(missing.last)}); those instants are gaps, not 0 W`);
    }
    return warnings;
  }
}

/** Build the registry entry of an AMD tool meter from its tool description. */
export function createAmdFactory(tool: AmdTool, description: string, options: AmdToolOptions): MeterFactory {
  const targetPeriodMs = options.targetPeriodMs ?? defaultTargetPeriodMs;
  return hardwareMeter({
    name: tool.name,
    description,
    group: 'amd',
    async detail(context: MeterContext) {
      const found = await discover(tool, options, context);
      const gpus = found.metered.map((r) => `${r.label} ${r.powerW!.toFixed(1)} W`).join(', ');
      return `${tool.name}: ${found.metered.length} GPU${found.metered.length === 1 ? '' : 's'} (${gpus}) via ${tool.describePower(found.metered[0]!)}; one poll took ${Math.round(found.poll.endMs - found.poll.startMs)} ms${describeSkipped(found.skipped)}`;
    },
    async create(context: MeterContext): Promise<PowerMeter[]> {
      const found = await discover(tool, options, context);
      const clock = options.clock ?? realClock;
      const feed = new AmdFeed(tool, found.binary, options, clock);
      const firstPollMs = found.poll.endMs - found.poll.startMs;
      const skipped = describeSkipped(found.skipped);
      const describe = (reading: GpuReading) => {
        const achievedMs = sampler.achievedPeriodMs();
        const period = achievedMs === null
          ? `target period ${targetPeriodMs} ms, first poll took ${Math.round(firstPollMs)} ms`
          : `target period ${targetPeriodMs} ms, achieved ${achievedMs.toFixed(1)} ms (mean spacing of ${sampler.polls().count} polls)`;
        return `${tool.name} ${reading.label} ${tool.describePower(reading)}, polled (${tool.name} ${tool.args.join(' ')}); ${period}${skipped}`;
      };
      const sampler: Sampler = new Sampler(feed, {
        clock,
        periodMs: targetPeriodMs,
        failAfterPolls: maxConsecutiveFailures,
        tooMany: (last, count) => new MeterError('METER_FAILED', `${count} ${tool.name} polls in a row failed; the last: ${last.message}`),
        startWaitsForSample: true,
        waitMs: (tMs, now) => (options.sampleTimeoutMs ?? 3 * Math.max(targetPeriodMs, sampler.achievedPeriodMs() ?? 0) + 2000) + Math.max(0, tMs - now),
        onTimeout: (key, tMs, waitedMs) => feed.lastOkStartMs >= tMs
          ? `${tool.name}:${key}: ${tool.name} polls completed but gave no power for this GPU (it reports ${JSON.stringify(sampler.missing(key).last ?? 'nothing')})`
          : new MeterError('METER_FAILED', `no ${tool.name} poll completed within ${Math.round(waitedMs)} ms while a reading was awaited (${sampler.polls().count} polls so far)`),
        afterPoll: () => {
          const achieved = sampler.achievedPeriodMs();
          for (const [meter, reading] of meters) {
            if (achieved !== null) meter.info.periodMs = Math.max(achieved, 1);
            meter.info.detail = describe(reading);
          }
        },
      });
      // Until two polls have run, periodMs is a deliberate over-estimate: the sweep sizes its windows (10 × period)
      // from this value before the meters start, and timer lateness alone puts the achieved period a few ms above
      // the target, which would leave every window just short of 10 achieved periods.
      const initialPeriodMs = initialPeriodMargin * Math.max(targetPeriodMs, firstPollMs);
      const meters = found.metered.map((reading) => [new AmdGpuMeter(sampler, reading.index, {
        id: `${tool.name}:${reading.index}`,
        kind: tool.name,
        scope: 'gpu',
        device: formatDevice({ vendor: 'rocm', index: reading.index }),
        periodMs: initialPeriodMs,
        estimated: false,
        // Both tools report a package power the SMU averages over a few milliseconds at most: at poll spacings of
        // hundreds of ms that is a point reading, so trapezoids between polls ('instant') are the right integration.
        sampleKind: 'instant',
        detail: describe(reading),
      }, initialPeriodMs, targetPeriodMs), reading] as const);
      return meters.map(([meter]) => meter);
    },
  });
}
