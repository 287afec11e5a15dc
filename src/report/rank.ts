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
