// Terminal output: the progress line and the ranked table (only src/cli/ writes to the terminal).
import { carbonBasisLine, hourlyLines } from '../carbon/describe.js';
import type { PrepareEvent } from '../measure/prepare.js';
import type { SweepEvent } from '../measure/sweep.js';
import { displayPath } from './paths.js';
import { formatGrams, formatJoules, formatTimes, formatWattHours, sig } from '../common/format-number.js';
import { ciSuffix, fidelityBoundLine, fidelityMark, isEstimated, rankMeasurements, stoppingLine } from '../report/rank.js';
import type { Recommendation, RunResult } from '../results/types.js';
import { describeSearch } from '../variants/mixed-precision.js';

const formatDuration = (seconds: number) => {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** Where progress goes, and the clock it reads (tests inject both). */
export interface ProgressIo {
  tty: boolean;
  write: (text: string) => void;
  nowMs: () => number;
}

/** Without a TTY (CI logs), a line at least this often, also inside a long round or window. */
export const heartbeatMs = 10_000;

/**
 * Draws progress on stderr: one live line (redrawn with \r) on a TTY whose TERM is not "dumb"; otherwise one line per
 * configuration and round, and `tick()` (called every second) repeats what is going on when nothing was printed for 10 s.
 */
export class ProgressPrinter {
  private readonly io: ProgressIo;
  private readonly startMs: number;
  private readonly tty: boolean;
  private readonly perConfigS: number;
  private readonly estimated: boolean;
  private lastLength = 0;
  private firstConfigMs: number | null = null;
  private configsDone = 0;
  private lastPrintMs: number;
  private current: string | null = null;

  constructor(perConfigS: number, estimated: boolean, io: ProgressIo = { tty: process.stderr.isTTY === true && process.env.TERM !== 'dumb', write: (text) => process.stderr.write(text), nowMs: () => performance.now() }) {
    this.io = io;
    this.tty = io.tty;
    this.startMs = io.nowMs();
    this.lastPrintMs = this.startMs;
    this.perConfigS = perConfigS;
    this.estimated = estimated;
  }

  // Seconds left: the mean time of the configurations done so far, else the planned time per configuration.
  private etaS(index: number, total: number): number {
    const perConfigS = this.firstConfigMs !== null && this.configsDone > 0
      ? (this.io.nowMs() - this.firstConfigMs) / 1000 / this.configsDone
      : this.perConfigS;
    return (total - index + 1) * perConfigS;
  }

  /** Without a TTY: repeat the current step with the time so far when nothing was printed for 10 s. */
  tick(): void {
    if (this.tty || this.current === null) return;
    const now = this.io.nowMs();
    if (now - this.lastPrintMs < heartbeatMs) return;
    this.line(`still working: ${this.current} (${formatDuration((now - this.startMs) / 1000)} elapsed)`);
  }

  handle(event: SweepEvent): void {
    const elapsedS = (this.io.nowMs() - this.startMs) / 1000;
    if (event.type === 'config-start') this.firstConfigMs ??= this.io.nowMs();
    if (event.type === 'config-end') this.configsDone++;
    switch (event.type) {
      case 'run-dir':
        this.line(`run folder: ${displayPath(event.runDir)}`);
        break;
      case 'idle-start':
        this.live(`measuring idle ${event.after ? 'power again after the sweep' : 'baseline'} for ${event.seconds} s — keep the machine quiet`);
        break;
      case 'idle-end':
        this.line(`${event.after ? 'idle after the sweep' : 'idle baseline'}: ${Object.entries(event.watts).map(([id, w]) => `${id} ${sig(w)} W`).join(', ')}${this.estimated ? ' (estimated)' : ''}`);
        break;
      case 'config-start':
        this.live(`[${event.index}/${event.total}] ${event.key} …  elapsed ${formatDuration(elapsedS)}  ETA ${formatDuration(this.etaS(event.index, event.total))}`);
        break;
      case 'window':
        this.live(
          `[${event.index}/${event.total}] ${event.key}  ${event.round !== null ? `round ${event.round}` : `rep ${event.repetition}${event.repetition <= event.repetitions ? `/${event.repetitions}` : ' (adaptive: CI not yet within target)'}`}  ${sig(event.samplesPerSecond)} samples/s  ${sig(event.watts)} W${this.estimated ? ' (est.)' : ''}  elapsed ${formatDuration(elapsedS)}  ETA ${formatDuration(this.etaS(event.index, event.total))}`,
        );
        break;
      case 'round-end':
        // Without a TTY (CI logs) every round gets a line, so progress shows at least once per round.
        if (event.eliminated.length > 0) this.line(`${event.model} round ${event.round}: dropped ${event.eliminated.join(', ')}; ${event.racing} still racing`);
        else if (!this.tty) this.line(`${event.model} round ${event.round}: ${event.racing} still racing`);
        break;
      case 'cooldown':
        this.live(`[${event.index}/${event.total}] cooling down before ${event.key}: ${sig(event.watts)} W → ${sig(event.targetWatts)} W target, ${event.waitedS.toFixed(1)} s`);
        break;
      case 'config-end': {
        const m = event.measurement;
        const detail = m.status === 'ok' && m.energy && m.throughput
          ? `${sig(m.energy.samplesPerJoule)}${ciSuffix(m)} samples/J${m.energy.estimated ? ' (est.)' : ''}, ${sig(m.throughput.samplesPerSecond.mean)} samples/s${m.stopping ? `  (${m.stopping.windows} windows${stoppedBecause(m)})` : ''}`
          : `${m.status}: ${m.error?.message ?? ''}`;
        this.line(`[${event.index}/${event.total}] ${m.key}  ${detail}`);
        break;
      }
    }
  }

  // The state of the moment: redrawn in place on a TTY; remembered for tick() otherwise (without its clock).
  private live(text: string): void {
    this.current = text.replace(/ {2}elapsed \d+:\d{2} {2}ETA \d+:\d{2}$/, '');
    if (!this.tty) return;
    const width = process.stderr.columns ?? 120;
    const clipped = text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text;
    this.io.write(`\r${clipped.padEnd(this.lastLength)}`);
    this.lastLength = clipped.length;
  }

  private line(text: string): void {
    if (this.tty && this.lastLength > 0) this.io.write(`\r${' '.repeat(this.lastLength)}\r`);
    this.lastLength = 0;
    this.lastPrintMs = this.io.nowMs();
    this.io.write(`${text}\n`);
  }
}

// Why a configuration's windows ended, for its progress line.
function stoppedBecause(m: RunResult['measurements'][number]): string {
  const race = m.stopping?.race;
  if (race) return race.status === 'eliminated' ? `, eliminated in round ${race.round}` : race.status === 'excluded' ? `, left the race: ${race.reason}` : `, ${race.status}`;
  return m.stopping?.rule === 'max-seconds' ? ', stopped at the time cap' : '';
}

function table(rows: string[][], rightAligned: boolean[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) => row.map((cell, column) => (rightAligned[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd())
    .join('\n');
}

/**
 * What a run prints on stdout: the answer first (one line per model: the pick, its energy per sample in µJ/mJ,
 * Wh and gCO2e per million samples, and one margin, "N× the samples/J of …"), then the ranked table and the details.
 */
export function renderRankedTable(result: RunResult): string {
  const answer = renderAnswer(result);
  return [...answer, ...(answer.length > 0 ? [''] : []), ...renderTableAndDetails(result)].join('\n');
}

/** The answer block: a heading and one line per model (empty when nothing could be recommended or shown). */
export function renderAnswer(result: RunResult): string[] {
  if (result.recommendations.length === 0) return [];
  const estimated = result.recommendations.some((r) => r.estimated);
  const lines = [`Answer — the most samples per joule${estimated ? ' (power ESTIMATED: no hardware meter)' : ''}:`];
  const width = Math.max(...result.recommendations.map((r) => r.model.length));
  for (const r of result.recommendations) lines.push(`  ${`${r.model}:`.padEnd(width + 1)} ${answerLine(r, result)}`);
  return lines;
}

/**
 * The answer once more as the last line a run prints, so it is on screen when the run ends (the full answer block
 * opens the output, above the table): "answer: mlp → mlp/int8/cpu/b32 (344 µJ/sample) · cnn → …".
 */
export function renderAnswerRecap(result: RunResult): string | null {
  const picks = result.recommendations.filter((r) => r.valid !== false && r.meetsSlo !== false);
  if (picks.length === 0) return null;
  const estimated = picks.some((r) => r.estimated) ? ' (power estimated)' : '';
  return `answer${estimated}: ${picks.map((r) => `${r.model} → ${r.key} (${formatJoules(1 / r.samplesPerJoule)}/sample)`).join(' · ')}`;
}

// One model's line: "mlp/int8/cpu/b32 — 507 µJ/sample, 141 mWh and 66.9 mg CO2e per million samples, p99 32.9 ms; 2.38× the samples/J of …".
function answerLine(r: Recommendation, result: RunResult): string {
  if (r.valid === false || r.meetsSlo === false) return `no recommendation — ${r.reason}`;
  const perMillion = r.whPer1kSamples !== undefined
    ? `, ${formatWattHours(r.whPer1kSamples * 1000)}${r.gCO2ePer1kSamples !== undefined ? ` and ${formatGrams(r.gCO2ePer1kSamples * 1000)} CO2e` : ''} per million samples`
    : '';
  const jPerSample = formatJoules(1 / r.samplesPerJoule);
  const margins: string[] = [];
  const c = r.confidence;
  if (c) {
    const verdict = c.verdict === 'indistinguishable' ? `; indistinguishable within ±${c.equivalencePercent}%, chosen for its p99` : c.verdict === 'unresolved' ? '; not yet separated' : '';
    // One direction (≥ 1×), as recommend() says it.
    margins.push(c.ratio >= 0.995
      ? `${formatTimes(c.ratio)} the samples/J of ${c.versus} (95% CI ${formatTimes(c.ci95[0])}–${formatTimes(c.ci95[1])}${verdict})`
      : `${c.versus} has ${formatTimes(1 / c.ratio)} its samples/J (95% CI ${formatTimes(1 / c.ci95[1])}–${formatTimes(1 / c.ci95[0])}${verdict})`);
  }
  const baseline = r.baselineKey && r.baselineKey !== r.key && r.baselineKey !== r.confidence?.versus
    ? result.measurements.find((m) => m.key === r.baselineKey && m.energy)
    : undefined;
  if (baseline?.energy) margins.push(`${formatTimes(r.samplesPerJoule / baseline.energy.samplesPerJoule)} that of ${baseline.key}`);
  const flagged = r.caveats?.some((caveat) => caveat.startsWith('its measurement is not valid')) ? ' [measurement flagged: see below]' : '';
  return `${r.key} — ${jPerSample}/sample${perMillion}, p99 ${sig(r.p99Ms)} ms${margins.length > 0 ? `; ${margins.join(', ')}` : ''}${flagged}`;
}

// The ranked table, the stopping and fidelity lines, notes, and why each runner-up was not chosen.
function renderTableAndDetails(result: RunResult): string[] {
  const estimated = isEstimated(result);
  const est = estimated ? ' (est.)' : '';
  const header = ['#', 'configuration', `samples/J${est}`, `energy/sample${est}`, 'samples/s', 'p50 ms', 'p99 ms', `W${est}`, 'valid'];
  const rows: string[][] = [header];
  const notes: string[] = [];
  // Configurations that did not run, grouped by reason: one line per reason, not one per batch size.
  const notRun = new Map<string, string[]>();
  let rank = 0;
  for (const m of rankMeasurements(result.measurements)) {
    if (m.status !== 'ok' || !m.energy || !m.throughput || !m.latencyMs || !m.power) {
      rows.push(['-', m.key, m.status, '', '', '', '', '', '']);
      const reason = `${m.status} — ${m.error?.message ?? 'no reason recorded'}`;
      notRun.set(reason, [...(notRun.get(reason) ?? []), m.key]);
      continue;
    }
    rank++;
    rows.push([
      String(rank), `${m.key}${fidelityMark(m)}`, `${sig(m.energy.samplesPerJoule)}${ciSuffix(m)}`, formatJoules(m.energy.joulesPerSample), sig(m.throughput.samplesPerSecond.mean),
      sig(m.latencyMs.p50), sig(m.latencyMs.p99), sig(m.power.meanWatts), m.validity.valid ? 'yes' : 'NO',
    ]);
    if (!m.validity.valid) notes.push(`${m.key}: not valid — ${m.validity.reasons.join('; ')}`);
    if (m.fidelity?.withinBounds === false) notes.push(`${m.key}: ✗ fidelity — ${m.fidelity.violations.join('; ')} (never recommended)`);
  }
  for (const [reason, keys] of notRun) notes.push(`${keys.join(', ')}: ${reason}`);
  for (const note of result.scheduleNotes ?? []) notes.push(`note: ${note}`);
  const lines: string[] = [];
  if (estimated) {
    lines.push('Power is ESTIMATED (no hardware meter): compare configurations with each other, not with other machines.');
    for (const meter of result.meters.filter((m) => m.estimated)) lines.push(`  ${meter.detail}`);
    lines.push('');
  }
  lines.push(table(rows, [true, false, true, true, true, true, true, true, false]));
  const stopping = stoppingLine([result]);
  if (stopping) lines.push('', stopping);
  const fidelityBound = fidelityBoundLine([result]);
  if (fidelityBound) lines.push('', fidelityBound);
  for (const warning of [...(result.idle?.warnings ?? []), ...(result.meterWarnings ?? [])]) notes.push(`warning: ${warning}`);
  if (notes.length > 0) lines.push('', ...notes);
  const picked = result.recommendations.filter((r) => r.valid !== false && r.meetsSlo !== false);
  if (picked.length > 0) {
    lines.push('');
    for (const r of picked) {
      lines.push(`Why ${r.key} for ${r.model}: ${r.reason}`);
      // Estimated power heads the table, and "not separated" is in the reason already.
      for (const caveat of r.caveats ?? []) if (!caveat.startsWith('power is ESTIMATED') && !caveat.startsWith('not separated from')) lines.push(`  caveat: ${caveat}`);
      const whyNot = r.runnerUp ? whyNotLine(r.runnerUp, r.confidence?.versus) : null;
      if (whyNot) lines.push(`  ${whyNot}`);
    }
  }
  lines.push(...carbonLines(result));
  return lines;
}

// "why not the runner-up: …", without the gap when the line above gives it already (the runner-up is the competitor);
// null when that gap is all there is to say.
function whyNotLine(runnerUp: NonNullable<Recommendation['runnerUp']>, versus: string | undefined): string | null {
  const gap = /^\S+(?: \(run [^)]+\))? has [^(]+\([^)]*\) the samples\/J of [^\s:;]+(?: \(run [^)]+\))?/.exec(runnerUp.whyNot)?.[0];
  if (gap === undefined || runnerUp.key !== versus) return `why not the runner-up: ${runnerUp.whyNot}`;
  const rest = runnerUp.whyNot.slice(gap.length);
  if (rest === '') return null;
  return /^[:;] /.test(rest) ? `why not ${runnerUp.key}: ${rest.slice(2)}` : `why not the runner-up: ${runnerUp.whyNot}`;
}

// Where the carbon figures come from, the regions compared and the hourly integration; silent for the plain default.
function carbonLines(result: RunResult): string[] {
  const carbon = result.carbon;
  if (carbon.basis === undefined || (carbon.basis === 'default' && !carbon.regions && !carbon.hourly && !carbon.hourlyFallback)) return [];
  const lines = ['', `Carbon: ${carbonBasisLine(carbon)}`];
  const chosen = result.recommendations.filter((r) => r.whPer1kSamples !== undefined && r.whPer1kSamples !== null && r.valid !== false && r.meetsSlo !== false);
  for (const [region, gPerKWh] of Object.entries(carbon.regions ?? {})) {
    const figures = chosen.map((r) => `${r.key} ${formatGrams(((r.whPer1kSamples ?? 0) / 1000) * gPerKWh * carbon.pue * 1000)}`).join(', ');
    lines.push(`  in ${region} (${sig(gPerKWh)} gCO2e/kWh): ${figures} CO2e per million samples`);
  }
  lines.push(...hourlyLines(carbon));
  return lines;
}

/** One stderr line per variant made, reused or failed, and per fidelity check. */
export function describePrepareEvent(event: PrepareEvent): string {
  switch (event.type) {
    case 'variant': {
      const { made } = event;
      const how = made.reused ? 'reused' : 'made';
      const warnings = made.sidecar.warnings.map((warning) => `\n  warning: ${warning}`).join('');
      return `variant ${how}: ${event.model}/${event.precision} (${made.sidecar.mode}) → ${displayPath(made.path)}${warnings}`;
    }
    case 'variant-failed':
      return `variant ✗ ${event.model}/${event.precision}: ${event.message} [${event.code}]`;
    case 'fidelity': {
      const f = event.fidelity;
      const top1 = f.top1Agreement === null ? '' : `, top-1 agreement ${(f.top1Agreement * 100).toFixed(1)}%`;
      const accuracy = f.accuracyRatio === null ? '' : `, accuracy ${((f.accuracy ?? 0) * 100).toFixed(1)}% (${(f.accuracyRatio * 100).toFixed(2)}% of FP32)`;
      const verdict = f.withinBounds === false ? ` — OUTSIDE the fidelity bounds: ${f.violations.join('; ')} (never recommended)` : '';
      return `fidelity ${event.model}/${event.precision} vs fp32 (${f.samples} ${f.inputs} samples): cosine ${f.cosine.toFixed(5)}, max abs error ${sig(f.maxAbsError)}, rmse ${sig(f.rmse)}${top1}${accuracy}${verdict}`;
    }
    case 'precision-search': {
      const where = event.made ? ` → ${displayPath(event.made.path)}` : ' (the plain variant stays, marked ✗ fidelity)';
      return `${event.precision} ${event.model}: ${describeSearch(event.search, event.reused)}${where}`;
    }
    case 'precision-search-failed':
      return `${event.precision} ${event.model}: the mixed-precision search failed: ${event.message} [${event.code}]; the plain variant stays, marked ✗ fidelity`;
    case 'warning':
      return `warning: ${event.model}: ${event.message}`;
  }
}
