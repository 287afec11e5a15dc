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
import type { ChildProcess } from 'node:child_process';
import { MeterError } from '../errors.js';
import { runTool, type ToolResult } from './core/child.js';
import { realClock, type Clock, type Timer } from './core/clock.js';
import { formatDevice } from './core/device.js';
import { hardwareMeter } from './core/entry.js';
import { SampledMeter, Sampler, type FeedSink } from './core/sampler.js';
import { StreamFeed, type LinesOutcome, type StreamEnd } from './core/stream-feed.js';
import { cudaOrdinalOf, cudaVisibleTokens, gpusForCudaOrdinals } from './cuda-visible.js';
import type { MeterContext, MeterFactory } from './types.js';

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
  /** Default: the real clock. */
  clock?: Clock;
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

function runOnce(options: NvidiaSmiOptions, args: string[]): Promise<ToolResult> {
  return runTool(options.command ?? 'nvidia-smi', args, { env: options.env ?? process.env, timeoutMs: options.queryTimeoutMs ?? 20_000 });
}

// Lines joined into one, for messages.
const oneLine = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean).join(' ');

// nvidia-smi prints most of its errors on stdout; take whichever stream has text.
const outputText = (result: Pick<ToolResult, 'stdout' | 'stderr'>) => oneLine(`${result.stderr.trim()}\n${result.stdout.trim()}`);

function queryFailure(result: ToolResult, what: string): MeterError {
  if (result.spawnError?.code === 'ENOENT') {
    return new MeterError('NVIDIA_SMI_NOT_FOUND', notFound, { hint: 'install the NVIDIA driver, or use --meter auto' });
  }
  if (result.spawnError || result.timedOut) {
    return new MeterError('NVIDIA_SMI_FAILED', `${what} failed: ${result.timedOut ? 'it did not answer in time' : result.spawnError!.message}`, { cause: result.spawnError });
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

/** One `nvidia-smi -lms` process feeding the meters of every GPU it reports. */
class NvidiaSmiFeed extends StreamFeed {
  readonly fields: string[];
  /** Several periods plus a second: slow enough for a loaded machine, fast enough that a dead tool cannot stall a sweep. */
  readonly silenceMs: number;
  // PowerSample.context key of each streamed field (undefined for index, timestamp and power).
  private readonly contextKeys: Array<string | undefined>;
  private lastLineMs = Number.NaN;
  private stray = '';
  private watchdog: Timer | null = null;

  constructor(private readonly options: NvidiaSmiOptions, inventory: NvidiaSmiInventory, readonly periodMs: number, clock: Clock) {
    super(clock, options.startupTimeoutMs ?? 15_000);
    this.fields = ['index', 'timestamp', inventory.powerField, ...inventory.contextFields];
    this.contextKeys = this.fields.map((field) => nvidiaSmiContextFields.find(([name]) => name === field)?.[1]);
    this.silenceMs = 5 * periodMs + 1000;
  }

  /** The stream's process while it runs (tests). */
  get child(): ChildProcess | null {
    return this.tool?.child ?? null;
  }

  /** Spawns the stream and watches it for silence; resolves at its first reading. */
  override open(sink: FeedSink): Promise<void> {
    this.lastLineMs = Number.NaN;
    this.stray = '';
    const opened = super.open(sink);
    const watch = () => {
      const silent = this.checkSilence();
      if (silent) sink.fail(silent);
      else if (this.tool) this.watchdog = this.clock.after(Math.max(this.periodMs, 250), watch);
    };
    this.watchdog = this.clock.after(Math.max(this.periodMs, 250), watch);
    return opened;
  }

  override async close(): Promise<void> {
    this.watchdog?.cancel();
    await super.close();
  }

  protected command() {
    const args = [`--query-gpu=${this.fields.join(',')}`, '--format=csv,noheader,nounits', '-lms', String(this.periodMs)];
    return { file: this.options.command ?? 'nvidia-smi', args, env: this.options.env ?? process.env };
  }

  protected override startFailure(error: Error): Error {
    return new MeterError('NVIDIA_SMI_START', `the nvidia-smi stream did not start: ${error.message}`, { cause: error });
  }

  protected silent(startupMs: number): Error {
    return new MeterError('NVIDIA_SMI_SILENT', `nvidia-smi stopped answering (no output within ${startupMs} ms of starting)${this.strayOutput()}`);
  }

  protected ended({ code, signal, error }: StreamEnd): Error {
    if (error?.code === 'ENOENT') return new MeterError('NVIDIA_SMI_NOT_FOUND', notFound, { cause: error });
    if (error) return new MeterError('NVIDIA_SMI_FAILED', `nvidia-smi could not be run: ${error.message}`, { cause: error });
    const output = oneLine(this.tool?.stderrTail().trim() || this.stray.trim());
    return new MeterError('NVIDIA_SMI_EXITED', `nvidia-smi ${code !== null ? `exited with code ${code}` : `was killed by ${signal}`}${output ? `: ${output}` : ''}`);
  }

  /** The failure of a stream that has printed no reading for silenceMs (null while it answers). */
  checkSilence(): Error | null {
    const now = this.clock.now();
    if (!this.tool || Number.isNaN(this.lastLineMs) || now - this.lastLineMs < this.silenceMs) return null;
    return new MeterError('NVIDIA_SMI_SILENT', `nvidia-smi stopped answering (no output for ${Math.round(now - this.lastLineMs)} ms, period ${this.periodMs} ms)${this.strayOutput()}`);
  }

  // What the tool printed that was not a reading (its own words: an error, a warning, garbage), for messages.
  private strayOutput(): string {
    const text = oneLine(`${this.stray} ${this.tool?.stderrTail() ?? ''}`);
    return text ? `; it printed instead: ${JSON.stringify(text.slice(-300))}` : '';
  }

  // Parse a chunk's lines and push the readings; 'waiting' when none was a reading (a tool printing garbage is silent).
  protected take(lines: string[], sink: FeedSink): LinesOutcome {
    const receivedMs = this.clock.now();
    const rows: NvidiaSmiRow[] = [];
    for (const line of lines) {
      const row = this.parseRow(line);
      if (row) rows.push(row);
      else if (line.trim()) this.stray = `${this.stray}\n${line}`.slice(-500);
    }
    if (rows.length === 0) return 'waiting';
    this.lastLineMs = receivedMs;
    // A backlog of ticks arriving at once keeps its spacing: each row goes back by how much older its nvidia-smi
    // timestamp is than the newest row's (bounded, so a clock step cannot throw a sample far away).
    const newestMs = Math.max(...rows.map((row) => (Number.isNaN(row.timestampMs) ? -Infinity : row.timestampMs)));
    for (const row of rows) {
      const behindMs = newestMs - row.timestampMs;
      sink.push({ key: row.index, tMs: behindMs > 0 && behindMs < 60_000 ? receivedMs - behindMs : receivedMs, powerW: row.powerW, context: row.context });
    }
    return null;
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
    const watts = parseNvidiaSmiValue(cells[2]!);
    return {
      index: Number(cells[0]),
      timestampMs: parseTimestampMs(cells[1]!.trim()),
      // A missing power value is no sample (never 0 W).
      powerW: typeof watts === 'number' && Number.isFinite(watts) && watts >= 0 ? watts : null,
      context,
    };
  }
}

/** Board power of one NVIDIA GPU, fed by the shared nvidia-smi stream. */
export class NvidiaSmiMeter extends SampledMeter {
  constructor(sampler: Sampler, private readonly feed: NvidiaSmiFeed, gpu: NvidiaSmiGpu, powerDescription: string) {
    super(sampler, gpu.index, {
      id: `nvidia-smi:${gpu.index}`,
      kind: 'nvidia-smi',
      scope: 'gpu',
      device: formatDevice({ vendor: 'cuda', index: gpu.index }),
      cudaOrdinal: cudaOrdinalOf(gpu, cudaVisibleTokens()),
      periodMs: feed.periodMs,
      estimated: false,
      sampleKind: 'instant',
      detail:
        `${powerDescription}, ${feed.periodMs} ms stream, ${gpu.name} (uuid ${gpu.uuid}), driver ${gpu.driverVersion}; ` +
        'A100/H100 sample ~25% of each period',
      phaseShift: true,
    });
  }

  /** The stream's nvidia-smi process id while it runs (shared by the meters of one create()), for tests. */
  get streamPid(): number | null {
    return this.feed.child?.pid ?? null;
  }

  /** The stream's nvidia-smi process while it runs, for tests. */
  get streamProcess(): ChildProcess | null {
    return this.feed.child;
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
  const clock = options.clock ?? realClock;
  // probe() and create() follow each other within a run: detect once (three nvidia-smi starts, each slow without
  // persistence mode) and reuse a successful answer for a minute.
  let cached: { key: string; atMs: number; inventory: Promise<NvidiaSmiInventory> } | null = null;
  const inspect = (gpus: number[] | null): Promise<NvidiaSmiInventory> => {
    const key = JSON.stringify(gpus);
    if (cached && cached.key === key && clock.now() - cached.atMs < 60_000) return cached.inventory;
    const inventory = inspectNvidiaSmi(options, gpus);
    const entry = { key, atMs: clock.now(), inventory };
    cached = entry;
    inventory.catch(() => {
      if (cached === entry) cached = null;
    });
    return inventory;
  };
  return hardwareMeter({
    name: 'nvidia-smi',
    description: 'NVIDIA GPU board power from one streaming nvidia-smi query per run (power.draw.instant where the driver has it)',
    group: 'nvidia',
    detail: async (context) => probeDetail(await inspect(context.gpus), periodMs),
    async create(context: MeterContext) {
      const inventory = await inspect(context.gpus);
      const feed = new NvidiaSmiFeed(options, inventory, periodMs, clock);
      // sampleAfter gives up once the stream has been silent for silenceMs (failure() then says so) or this GPU has
      // had no power reading that long (a gap, not a failure).
      const sampler = new Sampler(feed, { clock, waitMs: (tMs, now) => Math.max(0, tMs - now) + feed.silenceMs, onTimeout: () => feed.checkSilence() });
      return inventory.gpus.map((gpu) => new NvidiaSmiMeter(sampler, feed, gpu, describeField(inventory)));
    },
  });
}

/** Registry entry for the nvidia-smi meter (the real tool on PATH, 100 ms stream). */
export const nvidiaSmiMeterFactory: MeterFactory = createNvidiaSmiMeterFactory();
