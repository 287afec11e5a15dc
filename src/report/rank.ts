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

/** ` ±1.9%`: the samples-per-joule CI half-width the stopping rule reached, or nothing when none was recorded. */
export function ciSuffix(m: Measurement): string {
  const percent = m.stopping?.ciHalfWidthPercent;
  return typeof percent === 'number' && Number.isFinite(percent) ? ` ±${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)}%` : '';
}

/**
 * One sentence on how the measurements ended (null when none recorded it): how many met the adaptive target, and
 * which ran into the time cap instead (their CI is wider than asked).
 */
export function stoppingLine(runs: RunResult[]): string | null {
  const measured = runs.flatMap((run) => run.measurements.filter((m) => m.status === 'ok' && m.stopping));
  if (measured.length === 0) return null;
  const settings = runs.map((run) => (run.scenario.resolved as { stopping?: { targetCiPercent: number; maxSeconds: number } | null } | null)?.stopping).find((s) => s);
  const fixed = measured.filter((m) => m.stopping!.rule === 'repetitions').length;
  const met = measured.filter((m) => m.stopping!.rule === 'target-ci');
  const capped = measured.filter((m) => m.stopping!.rule === 'max-seconds');
  const parts: string[] = [];
  if (fixed > 0) parts.push(`${fixed} measured a fixed number of windows (adaptive stopping off)`);
  if (met.length > 0) parts.push(`${met.length} reached the ±${settings?.targetCiPercent ?? '?'}% target (${Math.min(...met.map((m) => m.stopping!.windows))}–${Math.max(...met.map((m) => m.stopping!.windows))} windows)`);
  if (capped.length > 0) {
    parts.push(`${capped.length} stopped at the ${settings?.maxSeconds ?? '?'} s cap short of it: ${capped.map((m) => `${m.key}${ciSuffix(m)}`).join(', ')}`);
  }
  return `Stopping: ± is the 95% CI of samples per joule; of ${measured.length} configurations ${parts.join('; ')}.`;
}
