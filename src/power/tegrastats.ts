// The tegrastats meter: NVIDIA Jetson board power from `tegrastats --interval MS`, for JetPacks whose INA3221 rails
// hwmon cannot read. The line format and which rail is the board's (docs/vendor-facts.md "NVIDIA Jetson —
// tegrastats"): VDD_IN / POM_5V_IN alone when it is there, its sub-rails as context; else the sum of the rails.
import { MeterError } from '../errors.js';
import { realClock, type Clock } from './core/clock.js';
import { hardwareMeter } from './core/entry.js';
import { Sampler, type FeedSink } from './core/sampler.js';
import { endText, StreamFeed, type LinesOutcome, type StreamEnd, type StreamTool } from './core/stream-feed.js';
import { boardInputRails } from './hwmon.js';
import type { MeterFactory, PowerMeter } from './types.js';

/** One rail of a tegrastats line. */
export interface TegrastatsRail {
  name: string;
  currentMw: number;
  averageMw: number;
}

/** A parsed tegrastats line: every rail, in the order printed. */
export interface TegrastatsLine {
  rails: TegrastatsRail[];
}

// `NAME CUR[mW]/AVG[mW]` followed by a space or the end: `RAM 613/3964MB` and `SWAP 0/1982MB (cached 0MB)` are not
// rails (a unit other than mW follows), nor `CPU [2%@102,…]` or `GR3D_FREQ 0%@76` (no slash pair).
const railPattern = /(?:^|\s)([A-Z][A-Z0-9_]*) (\d+(?:\.\d+)?)(mW)?\/(\d+(?:\.\d+)?)(mW)?(?=\s|$)/g;

/**
 * Parse one line. Throws MeterError TEGRASTATS_NO_RAILS when the line is tegrastats' but carries no power rail (some
 * images read the INA3221 only as root), TEGRASTATS_FORMAT when it is not a tegrastats line at all.
 */
export function parseTegrastatsLine(line: string): TegrastatsLine {
  const rails: TegrastatsRail[] = [];
  for (const match of line.matchAll(railPattern)) {
    rails.push({ name: match[1]!, currentMw: Number(match[2]), averageMw: Number(match[4]) });
  }
  if (rails.length > 0) return { rails };
  if (/(^|\s)RAM \d+\/\d+[kMG]B/.test(line)) {
    throw new MeterError('TEGRASTATS_NO_RAILS', `tegrastats printed no power rails ("${line.trim().slice(0, 80)}…"): this image lets only root read the power monitors`, {
      hint: 'run joulebench as root (sudo), or use --meter hwmon where /sys/class/hwmon has the ina3221 rails',
    });
  }
  throw new MeterError('TEGRASTATS_FORMAT', `tegrastats printed a line joulebench does not know: "${line.trim().slice(0, 120)}"`, {
    hint: 'expected rails like `VDD_IN 4541mW/4541mW` or `POM_5V_IN 900/943`; report the line with your JetPack version',
  });
}

/** Which rails make up the board's power. */
export interface TegrastatsRailPlan {
  /** The rails summed: the board input alone, or every rail when there is none. */
  counted: string[];
  /** Sub-rails of the board input: context only. */
  context: string[];
  scope: 'board-input' | 'rails-sum';
}

/** Decide the counted rails from the first line's rails (VDD_IN / POM_5V_IN alone, else all of them). */
export function planTegrastatsRails(rails: readonly TegrastatsRail[]): TegrastatsRailPlan {
  const names = rails.map((rail) => rail.name);
  const input = names.find((name) => boardInputRails.includes(name));
  if (input) return { counted: [input], context: names.filter((name) => name !== input), scope: 'board-input' };
  return { counted: names, context: [], scope: 'rails-sum' };
}

/** Board power of one line under a plan, with every rail in W as context; throws when a counted rail is missing. */
export function tegrastatsPower(line: TegrastatsLine, plan: TegrastatsRailPlan): { powerW: number; context: Record<string, number> } {
  const context: Record<string, number> = {};
  for (const rail of line.rails) context[`${rail.name}W`] = rail.currentMw / 1000;
  let totalMw = 0;
  for (const name of plan.counted) {
    const rail = line.rails.find((r) => r.name === name);
    if (!rail) {
      throw new MeterError('TEGRASTATS_FORMAT', `tegrastats stopped printing rail ${name} (it now prints ${line.rails.map((r) => r.name).join(', ')})`);
    }
    totalMw += rail.currentMw;
  }
  return { powerW: totalMw / 1000, context };
}

// ---------------------------------------------------------------------------------------------------------------
// The meter: one long-lived `tegrastats --interval MS` stream on the shared sampler.

/** Where and how to run tegrastats; everything defaults to the real tool on PATH. */
export interface TegrastatsOptions {
  /** Executable, looked up on `env.PATH` (default `tegrastats`). */
  command?: string;
  env?: NodeJS.ProcessEnv;
  /** `--interval` (default 100 ms). */
  periodMs?: number;
  /** How long start() and the probe wait for the first line (default 5 s). */
  startupTimeoutMs?: number;
  clock?: Clock;
  stream?: StreamTool;
}

export type { StreamTool };

const notFound = 'tegrastats not found on PATH (not an NVIDIA Jetson, or /usr/bin of L4T not on PATH)';

function describePlan(plan: TegrastatsRailPlan): string {
  return plan.scope === 'board-input'
    ? `board input ${plan.counted[0]}${plan.context.length > 0 ? ` (sub-rails ${plan.context.join(', ')} kept as context, not added)` : ''}`
    : `the sum of rails ${plan.counted.join(' + ')} (no VDD_IN/POM_5V_IN rail on this module)`;
}

/** The tegrastats stream as a feed: each line is one instant sample of the board's power. */
class TegrastatsFeed extends StreamFeed {
  plan: TegrastatsRailPlan | null = null;
  /** Told once which rails count (from the first line). */
  onPlan: ((plan: TegrastatsRailPlan) => void) | null = null;
  readonly periodMs: number;

  constructor(private readonly options: TegrastatsOptions) {
    super(options.clock ?? realClock, options.startupTimeoutMs ?? 5000, options.stream);
    this.periodMs = options.periodMs ?? 100;
  }

  protected command() {
    return { file: this.options.command ?? 'tegrastats', args: ['--interval', String(this.periodMs)], env: this.options.env ?? process.env };
  }

  protected silent(startupMs: number): Error {
    return new MeterError('TEGRASTATS_SILENT', `tegrastats printed nothing within ${startupMs} ms`);
  }

  protected ended(end: StreamEnd): Error {
    if (end.error?.code === 'ENOENT') {
      return new MeterError('TEGRASTATS_NOT_FOUND', notFound, { hint: 'run on a Jetson, or use --meter hwmon where /sys/class/hwmon has the ina3221 rails' });
    }
    const said = this.tool?.stderrTail().trim();
    return new MeterError('TEGRASTATS_EXITED', `tegrastats exited (${endText(end)})${said ? `: ${said}` : ''}`);
  }

  /** Each line is a sample; a backlog (our event loop was busy) is spread back over the interval, not collapsed into one instant. */
  protected take(lines: string[], sink: FeedSink): LinesOutcome {
    const receivedMs = this.clock.now();
    const full = lines.filter((line) => line.trim() !== '');
    try {
      for (const [i, line] of full.entries()) {
        const parsed = parseTegrastatsLine(line);
        if (!this.plan) {
          this.plan = planTegrastatsRails(parsed.rails);
          this.onPlan?.(this.plan);
        }
        const { powerW, context } = tegrastatsPower(parsed, this.plan);
        sink.push({ key: 0, tMs: receivedMs - (full.length - 1 - i) * this.periodMs, powerW, context });
      }
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    return full.length > 0 ? null : 'waiting';
  }
}

/** Open a tegrastats meter directly (tests and library users). */
export function openTegrastatsMeter(options: TegrastatsOptions = {}): PowerMeter {
  const feed = new TegrastatsFeed(options);
  const { periodMs } = feed;
  const sampler = new Sampler(feed, {
    clock: options.clock,
    startWaitsForSample: true,
    waitMs: (tMs, now) => Math.max(0, tMs - now) + Math.max(2000, 5 * periodMs),
  });
  const meter = sampler.meter(0, {
    id: 'tegrastats',
    kind: 'tegrastats',
    scope: 'board',
    device: null,
    periodMs,
    estimated: false,
    sampleKind: 'instant',
    detail: `tegrastats --interval ${periodMs}: the board input rail (VDD_IN, POM_5V_IN on the Nano), else the sum of the rails`,
  });
  feed.onPlan = (plan) => {
    meter.info.scope = plan.scope === 'board-input' ? 'board' : 'board-rails';
    meter.info.detail = `tegrastats --interval ${periodMs}: ${describePlan(plan)}`;
  };
  return meter;
}

/** A tegrastats meter factory with injected options (tests); the registry uses the defaults. */
export function createTegrastatsMeterFactory(options: TegrastatsOptions = {}): MeterFactory {
  return hardwareMeter({
    name: 'tegrastats',
    description: 'NVIDIA Jetson board power from tegrastats (VDD_IN / POM_5V_IN), for JetPacks whose rails hwmon cannot read',
    // VDD_IN contains the CPU: like hwmon's board input it stands in for rapl.
    group: 'cpu',
    // Probe: run the stream until its first line, and say which rails it would count.
    async detail() {
      const feed = new TegrastatsFeed(options);
      await feed.firstReading();
      return `tegrastats --interval ${feed.periodMs}: ${describePlan(feed.plan!)}`;
    },
    create: () => [openTegrastatsMeter(options)],
  });
}

/** Registry entry for the tegrastats meter. */
export const tegrastatsMeterFactory: MeterFactory = createTegrastatsMeterFactory();
