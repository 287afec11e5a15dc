// The ranking every report starts from: ok configurations by samples per joule, then the ones that did not run.
import type { Measurement, RunResult } from '../results/types.js';

/** Ok measurements, most samples per joule first, followed by failed and skipped ones in plan order. */
export function rankMeasurements(measurements: Measurement[]): Measurement[] {
  const ok = measurements.filter((m) => m.status === 'ok' && m.energy);
  ok.sort((a, b) => b.energy!.samplesPerJoule - a.energy!.samplesPerJoule);
  return [...ok, ...measurements.filter((m) => !(m.status === 'ok' && m.energy))];
}

/** True when any meter of the run is an estimate: every report must then say "estimated". */
export function isEstimated(result: RunResult): boolean {
  return result.meters.some((meter) => meter.estimated);
}

/** One line that says how power was measured, naming estimates as such. */
export function meterLine(result: RunResult): string {
  return result.meters
    .map((meter) => `${meter.id}${meter.estimated ? ' (ESTIMATED)' : ''}: ${meter.detail}`)
    .join('; ');
}

/**
 * ` ±1.9%`: the upper half-width of the 95% CI of samples per joule (src/stats/interval.ts, the one interval every
 * report and the recommendation use); older results fall back to what their stopping rule recorded.
 */
export function ciSuffix(m: Measurement): string {
  const percent = m.energy?.samplesPerJouleCiPercent !== undefined ? m.energy.samplesPerJouleCiPercent : m.stopping?.ciHalfWidthPercent;
  return typeof percent === 'number' && Number.isFinite(percent) ? ` ±${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)}%` : '';
}

type StoppingSettings = { rule?: 'race' | 'target-ci'; targetCiPercent?: number; equivalencePercent?: number; maxSeconds: number } | null;

// How a race ended, per model: "mlp: int8/cpu/b32 best after 4 rounds (5 eliminated)".
function raceParts(raced: Measurement[]): string[] {
  const byModel = new Map<string, Measurement[]>();
  for (const m of raced) byModel.set(m.model.name, [...(byModel.get(m.model.name) ?? []), m]);
  return [...byModel].map(([model, list]) => {
    const rounds = Math.max(...list.map((m) => m.stopping!.windows));
    const count = (status: string) => list.filter((m) => m.stopping!.race!.status === status).length;
    const survivors = list.filter((m) => ['best', 'tied', 'unresolved'].includes(m.stopping!.race!.status));
    const outcome = count('best') === 1 ? `${survivors[0]!.key} best` : count('tied') > 0 ? `${survivors.map((m) => m.key).join(', ')} indistinguishable` : `${survivors.map((m) => m.key).join(', ')} unresolved at the time cap`;
    return `${model}: ${outcome} after ${rounds} rounds (${count('eliminated')} eliminated${count('excluded') > 0 ? `, ${count('excluded')} excluded` : ''})`;
  });
}

/**
 * One sentence on how the measurements ended (null when none recorded it): the race's outcome per model, how many
 * met the adaptive target, and which ran into the time cap instead (their CI is wider than asked).
 */
export function stoppingLine(runs: RunResult[]): string | null {
  const measured = runs.flatMap((run) => run.measurements.filter((m) => m.status === 'ok' && m.stopping));
  if (measured.length === 0) return null;
  const settings = runs.map((run) => (run.scenario.resolved as { stopping?: StoppingSettings } | null)?.stopping).find((s) => s);
  const fixed = measured.filter((m) => m.stopping!.rule === 'repetitions').length;
  const met = measured.filter((m) => m.stopping!.rule === 'target-ci');
  const capped = measured.filter((m) => m.stopping!.rule === 'max-seconds');
  const raced = measured.filter((m) => m.stopping!.rule === 'race' && m.stopping!.race);
  const parts: string[] = [];
  if (raced.length > 0) parts.push(`raced in rounds (95% confidence, Holm-corrected; ±${settings?.equivalencePercent ?? 3}% counts as indistinguishable): ${raceParts(raced).join('; ')}`);
  if (fixed > 0) parts.push(`${fixed} measured a fixed number of windows (adaptive stopping off)`);
  if (met.length > 0) parts.push(`${met.length} reached the ±${settings?.targetCiPercent ?? '?'}% target (${Math.min(...met.map((m) => m.stopping!.windows))}–${Math.max(...met.map((m) => m.stopping!.windows))} windows)`);
  if (capped.length > 0) {
    parts.push(`${capped.length} stopped at the ${settings?.maxSeconds ?? '?'} s cap short of it: ${capped.map((m) => `${m.key}${ciSuffix(m)}`).join(', ')}`);
  }
  return `Stopping: ± is the 95% CI of samples per joule; ${parts.join('; ')}.`;
}

/** ` ✗ fidelity` after the key of a variant outside the scenario's fidelity bound (it is never recommended). */
export function fidelityMark(m: Measurement): string {
  return m.fidelity?.withinBounds === false ? ' ✗ fidelity' : '';
}

/**
 * The fidelity bound the runs judged their variants by and how to change it (null when no variant was judged).
 * Every report says it, so a reader who sees ✗ fidelity knows what was missed and what to edit.
 */
export function fidelityBoundLine(runs: RunResult[]): string | null {
  const judged = runs.flatMap((run) => run.measurements.filter((m) => m.fidelity));
  if (judged.length === 0) return null;
  const bounds = runs.map((run) => (run.scenario.resolved as { fidelity?: Record<string, number | null> | null } | null)?.fidelity).find((b) => b !== undefined);
  const how = 'set `fidelity:` in the scenario (e.g. `fidelity: {minCosine: 0.999}`, or `fidelity: off`) or pass --min-cosine / --accuracy-target';
  if (!bounds) {
    if (judged.every((m) => m.fidelity!.withinBounds === null)) return `Fidelity bound: off (no variant is held to one; docs/fidelity.md); to enforce one, ${how}.`;
    return `Fidelity bound: variants marked ✗ fidelity missed the scenario's bound and are never recommended; to change it, ${how}.`;
  }
  const parts = Object.entries(bounds).filter(([, value]) => value !== null && value !== undefined).map(([key, value]) => `${key} ${value}`);
  const outside = [...new Set(judged.filter((m) => m.fidelity!.withinBounds === false).map((m) => `${m.model.name}/${m.model.precision}`))];
  const verdict = outside.length > 0 ? `${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} outside it (✗ fidelity: measured, never recommended)` : 'every variant is within it';
  return `Fidelity bound: ${parts.join(', ') || 'finite outputs'} against FP32 (default: MLPerf's 99% rule, docs/fidelity.md); ${verdict}. To change it, ${how}.`;
}
