// The first answer a user wants: per model, the configuration with the most samples per joule within the latency SLO.
import type { Measurement, Recommendation } from './types.js';

/** Pick, per model, the valid-or-not ok configuration with the most samples per joule whose p99 meets the SLO. */
export function recommend(measurements: Measurement[], sloP99Ms: number | null): Recommendation[] {
  const byModel = new Map<string, Measurement[]>();
  for (const m of measurements) {
    if (m.status !== 'ok' || !m.energy || !m.latencyMs) continue;
    byModel.set(m.model.name, [...(byModel.get(m.model.name) ?? []), m]);
  }
  const recommendations: Recommendation[] = [];
  for (const [model, candidates] of byModel) {
    const eligible = candidates.filter((m) => sloP99Ms === null || m.latencyMs!.p99 <= sloP99Ms);
    const ranked = [...eligible].sort((a, b) => b.energy!.samplesPerJoule - a.energy!.samplesPerJoule);
    const best = ranked[0];
    if (!best) {
      const fastest = [...candidates].sort((a, b) => a.latencyMs!.p99 - b.latencyMs!.p99)[0]!;
      recommendations.push({
        model, key: fastest.key, samplesPerJoule: fastest.energy!.samplesPerJoule, p99Ms: fastest.latencyMs!.p99,
        reason: `no configuration meets the p99 SLO of ${sloP99Ms} ms; the fastest (p99 ${fastest.latencyMs!.p99.toFixed(2)} ms) is shown`,
        estimated: fastest.energy!.estimated,
      });
      continue;
    }
    const runnerUp = ranked[1];
    const slo = sloP99Ms === null ? 'no latency SLO set' : `p99 ${best.latencyMs!.p99.toFixed(2)} ms ≤ SLO ${sloP99Ms} ms`;
    let margin = '';
    if (runnerUp) {
      const percent = ((best.energy!.samplesPerJoule / runnerUp.energy!.samplesPerJoule - 1) * 100).toFixed(1);
      // Overlapping 95% intervals: the ranking between the two is not established by this run.
      const overlap = best.energy!.samplesPerJouleCi95[0] <= runnerUp.energy!.samplesPerJouleCi95[1];
      margin = overlap
        ? `; ${percent}% more samples/J than ${runnerUp.key}, within noise (95% CIs overlap)`
        : `; ${percent}% more samples/J than ${runnerUp.key}`;
    }
    recommendations.push({
      model, key: best.key, samplesPerJoule: best.energy!.samplesPerJoule, p99Ms: best.latencyMs!.p99,
      reason: `most samples per joule (${slo})${margin}${best.validity.valid ? '' : ' — flagged: ' + best.validity.reasons[0]}`,
      estimated: best.energy!.estimated,
    });
  }
  return recommendations;
}
