// The first answer a user wants: per model, the configuration with the most samples per joule within the latency
// SLO, what it saves against FP32 at batch 1, and why the runner-up was not chosen.
import { sig } from '../report/format-number.js';
import type { Measurement, Recommendation } from './types.js';

type Ok = Measurement & { energy: NonNullable<Measurement['energy']>; latencyMs: NonNullable<Measurement['latencyMs']> };

const isOk = (m: Measurement): m is Ok => m.status === 'ok' && m.energy !== null && m.latencyMs !== null;
const ciOverlap = (a: Ok, b: Ok) =>
  a.energy.samplesPerJouleCi95[0] <= b.energy.samplesPerJouleCi95[1] && b.energy.samplesPerJouleCi95[0] <= a.energy.samplesPerJouleCi95[1];
const percentMore = (a: Ok, b: Ok) => (a.energy.samplesPerJoule / b.energy.samplesPerJoule - 1) * 100;

// Why the best configuration that was not chosen lost.
function whyNot(runner: Ok, best: Ok, sloP99Ms: number | null): string {
  const more = percentMore(runner, best);
  if (more > 0 && runner.fidelity?.withinBounds === false) {
    return `${runner.key} is ${more.toFixed(1)}% more efficient but breaks the fidelity bounds: ${runner.fidelity.violations.join('; ')}`;
  }
  if (more > 0 && sloP99Ms !== null && runner.latencyMs.p99 > sloP99Ms) {
    return `${runner.key} is ${more.toFixed(1)}% more efficient but misses the ${sloP99Ms} ms p99 SLO (p99 ${sig(runner.latencyMs.p99)} ms)`;
  }
  if (more > 0 && !runner.validity.valid) {
    return `${runner.key} is ${more.toFixed(1)}% more efficient but its measurement is not valid: ${runner.validity.reasons[0] ?? 'see its validity'}`;
  }
  const noise = ciOverlap(runner, best) ? ', within noise (95% CIs overlap)' : '';
  return `${runner.key} is ${(-more).toFixed(1)}% less efficient${noise}`;
}

/**
 * Pick, per model, the configuration with the most samples per joule whose p99 meets the SLO, preferring valid
 * measurements (an invalid one wins only when nothing valid qualifies, and says so). `runIds[i]` names the run of
 * `measurements[i]` when several runs are compared.
 */
export function recommend(measurements: Measurement[], sloP99Ms: number | null, runIds?: string[]): Recommendation[] {
  const runOf = new Map<Measurement, string | null>(measurements.map((m, i) => [m, runIds?.[i] ?? null]));
  const byModel = new Map<string, Ok[]>();
  for (const m of measurements) if (isOk(m)) byModel.set(m.model.name, [...(byModel.get(m.model.name) ?? []), m]);

  const recommendations: Recommendation[] = [];
  for (const [model, candidates] of byModel) {
    const bySpj = [...candidates].sort((a, b) => b.energy.samplesPerJoule - a.energy.samplesPerJoule);
    // A variant outside the scenario's fidelity bounds is never recommended.
    const withinSlo = bySpj.filter((m) => (sloP99Ms === null || m.latencyMs.p99 <= sloP99Ms) && m.fidelity?.withinBounds !== false);
    const best = withinSlo.find((m) => m.validity.valid) ?? withinSlo[0];
    if (!best && candidates.every((m) => m.fidelity?.withinBounds === false)) continue;
    if (!best) {
      const fastest = [...candidates].filter((m) => m.fidelity?.withinBounds !== false).sort((a, b) => a.latencyMs.p99 - b.latencyMs.p99)[0]!;
      const reason = `no configuration meets the p99 SLO of ${sloP99Ms} ms; the fastest (p99 ${fastest.latencyMs.p99.toFixed(2)} ms) is shown`;
      recommendations.push({
        model, key: fastest.key, samplesPerJoule: fastest.energy.samplesPerJoule, p99Ms: fastest.latencyMs.p99, reason,
        estimated: fastest.energy.estimated, runId: runOf.get(fastest) ?? null, runnerUp: null,
        caveats: [reason], summary: `No configuration of ${model} meets the ${sloP99Ms} ms p99 SLO; the fastest is ${fastest.key} (p99 ${sig(fastest.latencyMs.p99)} ms).`,
      });
      continue;
    }
    // The old reason line: SLO, margin over the next eligible configuration, validity.
    const nextEligible = withinSlo.find((m) => m !== best);
    const slo = sloP99Ms === null ? 'no latency SLO set' : `p99 ${best.latencyMs.p99.toFixed(2)} ms ≤ SLO ${sloP99Ms} ms`;
    let margin = '';
    if (nextEligible && percentMore(nextEligible, best) > 0) {
      margin = `; chosen over ${nextEligible.key}, which has ${percentMore(nextEligible, best).toFixed(1)}% more samples/J but is not valid`;
    } else if (nextEligible) {
      margin = `; ${percentMore(best, nextEligible).toFixed(1)}% more samples/J than ${nextEligible.key}${ciOverlap(best, nextEligible) ? ', within noise (95% CIs overlap)' : ''}`;
    }
    const reason = `most samples per joule (${slo})${margin}${best.validity.valid ? '' : ' — flagged: ' + best.validity.reasons[0]}`;

    // Baseline: FP32 at batch 1 on the same provider (else any FP32 batch 1) of the same run.
    const sameRun = candidates.filter((m) => runOf.get(m) === runOf.get(best));
    const baselines = sameRun.filter((m) => m.model.precision === 'fp32' && m.batchSize === 1);
    const baseline = baselines.find((m) => m.executionProvider === best.executionProvider) ?? baselines[0] ?? null;
    const savingPercent = baseline ? (1 - best.energy.joulesPerSample / baseline.energy.joulesPerSample) * 100 : null;
    const runner = bySpj.find((m) => m !== best) ?? null;
    const caveats: string[] = [];
    if (best.energy.estimated) caveats.push('power is ESTIMATED (no hardware meter): this ranking is only as good as the estimate');
    if (!best.validity.valid) caveats.push(`its measurement is not valid: ${best.validity.reasons.join('; ')}`);
    if (runner && ciOverlap(best, runner)) caveats.push(`within noise of ${runner.key} (95% confidence intervals of samples per joule overlap)`);

    const vsBaseline =
      baseline && baseline !== best
        ? `, ${(best.energy.samplesPerJoule / baseline.energy.samplesPerJoule).toFixed(2)}× the samples per joule of ${baseline.key} (${savingPercent! >= 0 ? '−' : '+'}${Math.abs(savingPercent!).toFixed(0)}% energy per sample)`
        : '';
    const sloText = sloP99Ms === null ? '' : ` ≤ ${sloP99Ms} ms SLO`;
    recommendations.push({
      model, key: best.key, samplesPerJoule: best.energy.samplesPerJoule, p99Ms: best.latencyMs.p99, reason,
      estimated: best.energy.estimated, runId: runOf.get(best) ?? null,
      baselineKey: baseline?.key ?? null, savingPercent,
      whPer1kSamples: best.energy.whPer1kSamples, kWhPer1kRequests: best.energy.whPer1kSamples / 1000,
      gCO2ePer1kSamples: best.energy.gCO2ePer1kSamples,
      runnerUp: runner ? { key: runner.key, whyNot: whyNot(runner, best, sloP99Ms) } : null,
      caveats,
      summary: `Deploy ${best.key}: ${sig(best.energy.samplesPerJoule)} samples/J${best.energy.estimated ? ' (estimated)' : ''}${vsBaseline}, p99 ${sig(best.latencyMs.p99)} ms${sloText}.`,
    });
  }
  return recommendations;
}
