// A meter that plays back a recorded power trace (CSV), for deterministic tests and for re-analysing a capture.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MeterError } from '../errors.js';
import { realClock, type Clock } from './core/clock.js';
import { probeBy } from './core/entry.js';
import type { MeterContext, MeterFactory, MeterInfo, PowerMeter, PowerSample } from './types.js';

/** A parsed trace: times relative to its first row, in ms, and watts. */
export interface ReplayTrace {
  offsetsMs: number[];
  powerW: number[];
}

const timeColumns: Record<string, number> = {
  t_s: 1000, time_s: 1000, elapsed_s: 1000, seconds: 1000, t_ms: 1, time_ms: 1, elapsed_ms: 1, timestamp_ms: 1,
};
const powerColumns = ['watts', 'power_w', 'powerw', 'power_watts', 'w'];

/** Parse a trace CSV: a header naming a time column (t_s, time_s, t_ms, timestamp_ms, …) and a power column (watts, power_w, …). */
export function parseReplayCsv(text: string, file: string): ReplayTrace {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const header = (lines.shift() ?? '').split(',').map((cell) => cell.trim().toLowerCase());
  const timeIndex = header.findIndex((name) => name in timeColumns);
  const powerIndex = header.findIndex((name) => powerColumns.includes(name));
  if (timeIndex < 0 || powerIndex < 0) {
    throw new MeterError('REPLAY_BAD_HEADER', `${file}: the header must name a time column (t_s, time_s, t_ms or timestamp_ms) and a power column (watts or power_w); got "${header.join(',')}"`);
  }
  const scaleToMs = timeColumns[header[timeIndex]!]!;
  const offsetsMs: number[] = [];
  const powerW: number[] = [];
  lines.forEach((line, row) => {
    const cells = line.split(',');
    const t = Number(cells[timeIndex]);
    const p = Number(cells[powerIndex]);
    if (!Number.isFinite(t) || !Number.isFinite(p) || p < 0) {
      throw new MeterError('REPLAY_BAD_ROW', `${file}: line ${row + 2}: expected a time and a non-negative power, got "${line}"`);
    }
    const tMs = t * scaleToMs;
    if (offsetsMs.length > 0 && tMs <= offsetsMs[offsetsMs.length - 1]!) {
      throw new MeterError('REPLAY_NOT_MONOTONIC', `${file}: line ${row + 2}: times must increase`);
    }
    offsetsMs.push(tMs);
    powerW.push(p);
  });
  if (offsetsMs.length < 2) throw new MeterError('REPLAY_TOO_SHORT', `${file}: a trace needs at least two rows`);
  const t0 = offsetsMs[0]!;
  return { offsetsMs: offsetsMs.map((t) => t - t0), powerW };
}

/** Plays a trace from start(): row i appears at start + offset_i; the trace repeats when it runs out. */
export class ReplayMeter implements PowerMeter {
  readonly info: MeterInfo;
  private readonly trace: ReplayTrace;
  private readonly cycleMs: number;
  private readonly recorded: PowerSample[] = [];
  private startMs = Number.NaN;
  private nextIndex = 0;

  constructor(trace: ReplayTrace, file: string, private readonly clock: Clock = realClock) {
    this.trace = trace;
    const n = trace.offsetsMs.length;
    const spacingMs = trace.offsetsMs[n - 1]! / (n - 1);
    this.cycleMs = trace.offsetsMs[n - 1]! + spacingMs;
    this.info = {
      id: 'replay',
      kind: 'replay',
      scope: 'replay',
      device: null,
      periodMs: spacingMs,
      estimated: false,
      sampleKind: 'instant',
      detail: `replay of ${file} (${n} rows, repeating every ${(this.cycleMs / 1000).toFixed(3)} s)`,
    };
  }

  async start(): Promise<void> {
    this.startMs = this.clock.now();
  }

  async stop(): Promise<void> {
    if (!Number.isNaN(this.startMs)) this.generateUntil(this.clock.now());
  }

  samples(): readonly PowerSample[] {
    return this.recorded;
  }

  async sampleAfter(tMs: number): Promise<void> {
    if (!Number.isNaN(this.startMs)) this.generateUntil(tMs);
  }

  failure(): Error | null {
    return null;
  }

  async restart(): Promise<boolean> {
    return true;
  }

  // Emit trace rows up to and including the first one at or after tMs.
  private generateUntil(tMs: number): void {
    const n = this.trace.offsetsMs.length;
    for (;;) {
      const cycle = Math.floor(this.nextIndex / n);
      const row = this.nextIndex % n;
      const sampleMs = this.startMs + cycle * this.cycleMs + this.trace.offsetsMs[row]!;
      this.recorded.push({ tMs: sampleMs, powerW: this.trace.powerW[row]! });
      this.nextIndex++;
      if (sampleMs >= tMs) return;
    }
  }
}

/** Registry entry: `--meter replay:FILE`. */
export const replayMeterFactory: MeterFactory = {
  name: 'replay',
  description: 'plays a recorded power trace CSV (t_s,watts) — deterministic tests and re-analysis',
  hardware: false,
  group: 'other',
  argument: 'required',
  probe: (context, argument) => probeBy(async () => (await loadTrace(context, argument), `trace ${argument}`)),
  async create(context: MeterContext, argument: string | null) {
    const { trace, file } = await loadTrace(context, argument);
    return [new ReplayMeter(trace, file)];
  },
};

async function loadTrace(context: MeterContext, argument: string | null): Promise<{ trace: ReplayTrace; file: string }> {
  if (!argument) throw new MeterError('REPLAY_NO_FILE', 'the replay meter needs a trace file: --meter replay:path/to/trace.csv');
  const file = path.resolve(context.baseDir, argument);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new MeterError('REPLAY_UNREADABLE', `cannot read replay trace ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  return { trace: parseReplayCsv(text, file), file };
}
