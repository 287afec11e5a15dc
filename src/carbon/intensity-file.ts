// Hourly grid intensity from a CSV (timestamp, gCO2e/kWh), as Electricity Maps and WattTime export it.
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/** One row: from `atMs` (epoch ms, UTC) until the next row the grid emitted `gPerKWh`. */
export interface IntensityPoint {
  atMs: number;
  gPerKWh: number;
}

/** A parsed file: rows in time order and the step between them. */
export interface IntensityTimeline {
  file: string;
  points: IntensityPoint[];
  /** The usual (median) spacing of rows; the last row holds for one step. */
  stepMs: number;
}

const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms of an ISO-8601 timestamp; one without a zone is read as UTC (Electricity Maps' "Datetime (UTC)"). */
export function parseTimestampMs(text: string): number | null {
  const match = timestampPattern.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s, zone] = match;
  const offset = zone && zone !== 'Z' ? zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z';
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${offset}`);
  if (!Number.isFinite(ms)) return null;
  // Date.parse rolls 2025-02-30 over to March: refuse dates that do not exist.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  return check.getUTCDate() === Number(d) && check.getUTCMonth() === Number(mo) - 1 ? ms : null;
}

// One CSV line into cells; quoted cells may hold commas ("Korea, Republic of") and doubled quotes.
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += char;
  }
  cells.push(cell.trim());
  return cells;
}

/** Parse the CSV text; `file` is the name errors quote. Throws InputError naming the line and the fix. */
export function parseIntensityCsv(text: string, file: string): IntensityTimeline {
  const lines = text.split(/\r?\n/).map((line, i) => ({ line, number: i + 1 })).filter(({ line }) => line.trim() !== '' && !line.trim().startsWith('#'));
  let timeColumn = 0;
  let valueColumn = 1;
  const first = lines[0];
  if (first && parseTimestampMs(splitCsvLine(first.line)[0] ?? '') === null && /[a-z]/i.test(first.line)) {
    const header = splitCsvLine(first.line).map((name) => name.toLowerCase());
    const time = header.findIndex((name) => /time|date/.test(name));
    // Electricity Maps exports both direct and life-cycle intensity; life-cycle is what its yearly averages give.
    const lifeCycle = header.findIndex((name, i) => i !== time && /intensity|gco2|co2/.test(name) && /life|lca/.test(name));
    const value = lifeCycle >= 0 ? lifeCycle : header.findIndex((name, i) => i !== time && /intensity|gco2|co2|value/.test(name));
    if (time < 0 || value < 0) {
      throw new InputError('CARBON_FILE_HEADER', `${file}: line ${first.number}: the header names no timestamp and intensity columns ("${first.line.trim()}")`, {
        hint: 'give a header like "datetime,carbon_intensity_gco2_per_kwh" (or no header: timestamp first, gCO2e/kWh second)',
      });
    }
    timeColumn = time;
    valueColumn = value;
    lines.shift();
  }
  const points: IntensityPoint[] = [];
  for (const { line, number } of lines) {
    const cells = splitCsvLine(line);
    const stamp = cells[timeColumn] ?? '';
    const atMs = parseTimestampMs(stamp);
    if (atMs === null) {
      throw new InputError('CARBON_FILE_TIMESTAMP', `${file}: line ${number}: "${stamp}" is not a timestamp`, {
        hint: 'write ISO-8601 timestamps like 2025-06-01T13:00:00Z (without a zone they are read as UTC)',
      });
    }
    const raw = cells[valueColumn] ?? '';
    const gPerKWh = raw === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(gPerKWh)) {
      throw new InputError('CARBON_FILE_VALUE', `${file}: line ${number}: intensity "${raw}" is not a number`, { hint: 'give gCO2e/kWh as a plain number, like 412.5' });
    }
    if (gPerKWh < 0) {
      throw new InputError('CARBON_FILE_VALUE', `${file}: line ${number}: intensity ${gPerKWh} is negative`, { hint: 'grid intensity is gCO2e/kWh ≥ 0; fix or remove the row' });
    }
    const previous = points[points.length - 1];
    if (previous && atMs <= previous.atMs) {
      throw new InputError('CARBON_FILE_ORDER', `${file}: line ${number}: ${stamp} is not after the row before it`, { hint: 'sort the rows by time, one row per instant' });
    }
    points.push({ atMs, gPerKWh });
  }
  if (points.length < 2) {
    throw new InputError('CARBON_FILE_EMPTY', `${file}: needs at least 2 rows of timestamp, gCO2e/kWh; found ${points.length}`, { hint: 'export at least two hours of intensity' });
  }
  const steps = points.slice(1).map((point, i) => point.atMs - points[i]!.atMs).sort((a, b) => a - b);
  const stepMs = steps[Math.floor((steps.length - 1) / 2)]!;
  points.forEach((point, i) => {
    const next = points[i + 1];
    if (next && next.atMs - point.atMs > 2 * stepMs) {
      const hours = (next.atMs - point.atMs) / 3_600_000;
      throw new InputError('CARBON_FILE_GAP', `${file}: a gap of ${hours} h after ${new Date(point.atMs).toISOString()}; the other rows are ${stepMs / 60_000} min apart`, {
        hint: 'fill the missing rows (a run inside the gap would have no intensity)',
      });
    }
  });
  return { file, points, stepMs };
}

/** Read and parse an intensity file. */
export function readIntensityFile(absolutePath: string, shownAs: string): IntensityTimeline {
  let text: string;
  try {
    text = readFileSync(absolutePath, 'utf8');
  } catch (error) {
    throw new InputError('CARBON_FILE_MISSING', `${shownAs}: cannot read the intensity file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'give carbon.intensityFile as a path relative to the scenario file', cause: error,
    });
  }
  return parseIntensityCsv(text, shownAs);
}

/** End of the time the file covers (the last row holds for one step). */
export function timelineEndMs(timeline: IntensityTimeline): number {
  return timeline.points[timeline.points.length - 1]!.atMs + timeline.stepMs;
}

/** Refuse a run that starts outside the file's time range (timeline use only). */
export function assertCovers(timeline: IntensityTimeline, startMs: number): void {
  const firstMs = timeline.points[0]!.atMs;
  const endMs = timelineEndMs(timeline);
  if (startMs < firstMs || startMs >= endMs) {
    throw new InputError('CARBON_RUN_OUTSIDE_FILE', `${timeline.file}: the run starts at ${new Date(startMs).toISOString()}, outside the file's range ${new Date(firstMs).toISOString()} – ${new Date(endMs).toISOString()}`, {
      hint: 'export intensity for the hours of the run, or use the file as a typical day (carbon.intensityFileUse: daily-profile, or --intensity-profile)',
    });
  }
}

/** Mean intensity per UTC hour of day (0–23); throws when an hour has no row. */
export function dailyProfile(timeline: IntensityTimeline): number[] {
  const sums = Array.from({ length: 24 }, () => ({ g: 0, n: 0 }));
  for (const point of timeline.points) {
    const bucket = sums[new Date(point.atMs).getUTCHours()]!;
    bucket.g += point.gPerKWh;
    bucket.n += 1;
  }
  const missing = sums.flatMap((bucket, hour) => (bucket.n === 0 ? [hour] : []));
  if (missing.length > 0) {
    throw new InputError('CARBON_PROFILE_INCOMPLETE', `${timeline.file}: a daily profile needs every UTC hour 0–23; hours ${missing.join(', ')} have no row`, {
      hint: 'export at least one full day of hourly intensity',
    });
  }
  return sums.map((bucket) => bucket.g / bucket.n);
}

/** Integral of intensity over [startMs, endMs) in (gCO2e/kWh)·ms, from the file's rows (step function). */
function integrateTimeline(timeline: IntensityTimeline, startMs: number, endMs: number): number {
  const endOfFile = timelineEndMs(timeline);
  let total = 0;
  timeline.points.forEach((point, i) => {
    const from = Math.max(point.atMs, startMs);
    const to = Math.min(timeline.points[i + 1]?.atMs ?? endOfFile, endMs);
    if (to > from) total += point.gPerKWh * (to - from);
  });
  // Past the end of the file the last row's value holds (the run started inside the file; assertCovers).
  if (endMs > endOfFile) total += timeline.points[timeline.points.length - 1]!.gPerKWh * (endMs - Math.max(startMs, endOfFile));
  return total;
}

// Integral over a daily profile: walk UTC hour boundaries.
function integrateProfile(profile: readonly number[], startMs: number, endMs: number): number {
  let total = 0;
  for (let t = startMs; t < endMs;) {
    const next = Math.min(endMs, (Math.floor(t / 3_600_000) + 1) * 3_600_000);
    total += profile[new Date(t).getUTCHours()]! * (next - t);
    t = next;
  }
  return total;
}

/** How an intensity file is applied to times of the run. */
export interface IntensitySource {
  /** Time-weighted mean gCO2e/kWh over the given [startMs, endMs) spans (epoch ms). */
  meanOver(spans: ReadonlyArray<readonly [number, number]>): number;
  /** Mean per UTC hour when the file covers a whole day; null otherwise. */
  profile: number[] | null;
}

/** Intensity over real instants (`timeline`) or by UTC hour of day (`daily-profile`). */
export function intensitySource(timeline: IntensityTimeline, use: 'timeline' | 'daily-profile'): IntensitySource {
  const profile = use === 'daily-profile' ? dailyProfile(timeline) : tryProfile(timeline);
  const integrate = use === 'daily-profile' ? (a: number, b: number) => integrateProfile(profile!, a, b) : (a: number, b: number) => integrateTimeline(timeline, a, b);
  return {
    profile,
    meanOver(spans) {
      const durationMs = spans.reduce((sum, [a, b]) => sum + Math.max(0, b - a), 0);
      if (durationMs === 0) return integrate(spans[0]?.[0] ?? 0, (spans[0]?.[0] ?? 0) + 1);
      return spans.reduce((sum, [a, b]) => sum + (b > a ? integrate(a, b) : 0), 0) / durationMs;
    },
  };
}

function tryProfile(timeline: IntensityTimeline): number[] | null {
  try {
    return dailyProfile(timeline);
  } catch {
    return null;
  }
}

/** One candidate start hour for a run of a given length and energy. */
export interface StartHour {
  hourUtc: number;
  gCO2e: number;
}

/** Emissions of a run of `durationS` drawing `energyKWh` evenly, started at each UTC hour of a daily profile; lowest first. */
export function bestStartHours(profile: readonly number[], durationS: number, energyKWh: number, pue: number): StartHour[] {
  const durationMs = Math.max(1, durationS * 1000);
  return profile
    .map((_, hourUtc) => {
      const start = hourUtc * 3_600_000;
      const meanG = integrateProfile(profile, start, start + durationMs) / durationMs;
      return { hourUtc, gCO2e: energyKWh * meanG * pue };
    })
    .sort((a, b) => a.gCO2e - b.gCO2e || a.hourUtc - b.hourUtc);
}
