// Request arrival schedules for load mode: a seeded Poisson process, or the timestamps of a recorded trace.
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { SeededRandom } from '../stats/random.js';

/**
 * Poisson arrivals conditioned on exactly `count` requests in `count / ratePerS` seconds: `count + 1` exponential
 * gaps scaled so that they sum to the span (given the count, the arrival times of a Poisson process are uniform order
 * statistics, and normalised exponential gaps are exactly those). The schedule then carries the target rate itself,
 * so "achieved within 1%" tests the generator, not the luck of the draw. Offsets in ms from the start; the same seed
 * gives the same schedule.
 */
export function poissonArrivalsMs(ratePerS: number, count: number, seed: number): Float64Array {
  if (!(ratePerS > 0) || !Number.isInteger(count) || count < 1) {
    throw new InputError('LOAD_ARRIVALS', `Poisson arrivals need a rate above 0 and at least one request, got rate ${ratePerS}, count ${count}`);
  }
  const random = new SeededRandom(seed);
  const gaps = new Float64Array(count + 1);
  let total = 0;
  for (let i = 0; i <= count; i++) {
    gaps[i] = -Math.log(1 - random.next());
    total += gaps[i]!;
  }
  const spanMs = (count / ratePerS) * 1000;
  const arrivals = new Float64Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    at += gaps[i]!;
    arrivals[i] = (at / total) * spanMs;
  }
  return arrivals;
}

/** The span (ms) a schedule of `count` arrivals at `ratePerS` covers: the next arrival would fall at its end. */
export function scheduleSpanMs(ratePerS: number, count: number): number {
  return (count / ratePerS) * 1000;
}

/** Arrival offsets (ms, from the trace's first request) read from a trace: one timestamp per line, or a CSV column. */
export function parseArrivalTrace(text: string, file: string): Float64Array {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  let scaleToMs = 1000;
  let column = 0;
  const header = lines[0]?.split(',').map((cell) => cell.trim().toLowerCase()) ?? [];
  if (header.length > 0 && header.every((cell) => Number.isNaN(Number(cell)))) {
    lines.shift();
    const msIndex = header.findIndex((cell) => /^(t_ms|time_ms|timestamp_ms|arrival_ms)$/.test(cell));
    const sIndex = header.findIndex((cell) => /^(t_s|time_s|timestamp_s|arrival_s|timestamp)$/.test(cell));
    if (msIndex < 0 && sIndex < 0) {
      throw new InputError('LOAD_TRACE_HEADER', `${file}: the header must name an arrival time column (t_s, timestamp_s, arrival_s, t_ms, timestamp_ms or arrival_ms); got "${header.join(',')}"`, {
        hint: 'one timestamp in seconds per line, or a CSV with a t_s / t_ms column',
      });
    }
    column = msIndex >= 0 ? msIndex : sIndex;
    scaleToMs = msIndex >= 0 ? 1 : 1000;
  }
  const times = lines.map((line, row) => {
    const value = Number(line.split(',')[column]);
    if (!Number.isFinite(value)) throw new InputError('LOAD_TRACE_ROW', `${file}: row ${row + 1}: "${line}" has no numeric arrival time`);
    return value * scaleToMs;
  });
  if (times.length < 2) throw new InputError('LOAD_TRACE_SHORT', `${file}: a trace needs at least two arrivals`);
  times.sort((a, b) => a - b);
  const first = times[0]!;
  return Float64Array.from(times, (t) => t - first);
}

/** Read a trace file of arrival timestamps. */
export async function readArrivalTrace(file: string): Promise<Float64Array> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new InputError('LOAD_TRACE_UNREADABLE', `cannot read the arrival trace ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { hint: 'give a readable file to --trace', cause: error });
  });
  return parseArrivalTrace(text, file);
}

/**
 * A trace replayed at a target rate: its times scaled so that its mean rate is `ratePerS` (null: as recorded), and
 * repeated or cut to `count` requests.
 */
export function traceArrivalsMs(trace: Float64Array, ratePerS: number | null, count: number): Float64Array {
  const n = trace.length;
  // One trace cycle lasts its span plus a mean gap, so that the repeat does not put two requests at one instant.
  const cycleMs = (trace[n - 1]! * n) / (n - 1);
  const scale = ratePerS === null || cycleMs === 0 ? 1 : (n / ratePerS) * 1000 / cycleMs;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = (Math.floor(i / n) * cycleMs + trace[i % n]!) * scale;
  return out;
}
