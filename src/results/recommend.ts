// The first answer a user wants: per model, the configuration with the most samples per joule within the latency
// SLO and the fidelity bound, how sure that is (the ratio to the closest competitor with its 95% CI, from the same
// estimator as every ± in the reports: src/stats/interval.ts), what it saves against FP32 at batch 1, and why the
// runner-up was not chosen. Noise never hides a configuration: only an unsound measurement is "not valid".
import { sig } from '../common/format-number.js';
import { defaultEquivalencePercent, ratioInterval, withinEquivalence, type RatioInterval, type WindowValue } from '../stats/interval.js';
import type { Measurement, Recommendation } from './types.js';

type Ok = Measurement & { energy: NonNullable<Measurement['energy']>; latencyMs: NonNullable<Measurement['latencyMs']> };

const isOk = (m: Measurement): m is Ok => m.status === 'ok' && m.energy !== null && m.latencyMs !== null;

const windowsOf = (m: Ok): WindowValue[] =>
  m.repetitions.filter((r) => r.energyJ > 0).map((r) => ({ samplesPerJoule: r.samples / r.energyJ, ...(r.round !== undefined ? { round: r.round } : {}) }));

/** a ÷ b of samples per joule with its 95% CI: paired by round within one run, else Welch on the windows. */
export function ratioBetween(a: Ok, b: Ok, sameRun = true): RatioInterval {
  const strip = (values: WindowValue[]) => values.map(({ samplesPerJoule }) => ({ samplesPerJoule }));
  return ratioInterval(a.energy.samplesPerJoule, sameRun ? windowsOf(a) : strip(windowsOf(a)), b.energy.samplesPerJoule, sameRun ? windowsOf(b) : strip(windowsOf(b)));
}

const times = (value: number) => (Number.isFinite(value) ? `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×` : '∞×');
/** "2.20× (95% CI 1.90–2.50×)" */
export function ratioText(ratio: RatioInterval): string {
  return Number.isFinite(ratio.ci95[1]) && ratio.n > 0 ? `${times(ratio.estimate)} (95% CI ${times(ratio.ci95[0])}–${times(ratio.ci95[1])})` : `${times(ratio.estimate)} (too few windows for a CI)`;
}

/** The ratio the other way round: b ÷ a with its CI. */
function inverse(ratio: RatioInterval): RatioInterval {
  return { ...ratio, estimate: 1 / ratio.estimate, ci95: [1 / ratio.ci95[1], 1 / ratio.ci95[0]] };
}

/**
 * One gap, said one way: the one with more samples/J "has N× the samples/J of" the other (N ≥ 1), so a gap never
 * appears as both "2.38×" and "0.42×". `ratio` is a ÷ b.
 */
export function gapText(a: string, b: string, ratio: RatioInterval): { text: string; aFirst: boolean } {
  return ratio.estimate >= 1 ? { text: `${a} has ${ratioText(ratio)} the samples/J of ${b}`, aFirst: true } : { text: `${b} has ${ratioText(inverse(ratio))} the samples/J of ${a}`, aFirst: false };
}

// Why the best configuration that was not chosen lost, with the one ratio (runs named when they differ).
function whyNot(runner: Ok, best: Ok, sloP99Ms: number | null, runs: { runner: string | null; best: string | null }): string {
  const sameRun = runs.runner === runs.best;
  const ratio = ratioBetween(runner, best, sameRun);
  const name = (m: Ok, run: string | null) => (sameRun || run === null ? m.key : `${m.key} (run ${run})`);
  const runnerName = name(runner, runs.runner);
  const gap = gapText(runnerName, name(best, runs.best), ratio);
  // "…, but it …" when the runner-up is the sentence's subject, else "…; <runner-up> …".
  const but = gap.aFirst ? ' but' : `; ${runnerName}`;
  if (runner.fidelity?.withinBounds === false) return `${gap.text}${but} breaks the fidelity bounds: ${runner.fidelity.violations.join('; ')}`;
  if (sloP99Ms !== null && runner.latencyMs.p99 > sloP99Ms) return `${gap.text}${but} misses the ${sloP99Ms} ms p99 SLO (p99 ${sig(runner.latencyMs.p99)} ms)`;
  if (!runner.validity.valid) return `${gap.text}${gap.aFirst ? ' but its' : `; ${runnerName}'s`} measurement is not valid: ${runner.validity.reasons[0] ?? 'see its validity'}`;
  const race = runner.stopping?.race;
  if (race?.status === 'eliminated') return `${gap.text}; eliminated in round ${race.round}`;
  if (race?.status === 'tied') return `${gap.text}: indistinguishable, ${best.key} chosen for its lower p99`;
  if (race?.status === 'not-better') return `${gap.text}: the race showed ${runner.key} is not more than its margin above, so the leader was kept`;
  return gap.text;
}

// Among the eligible, the one to recommend: the race's best; among tied survivors the lowest p99; else the most samples/J.
function choose(eligible: Ok[]): Ok | undefined {
  const valid = eligible.filter((m) => m.validity.valid);
  const pool = valid.length > 0 ? valid : eligible;
  const survivors = pool.filter((m) => m.stopping?.race && m.stopping.race.status !== 'eliminated' && m.stopping.race.status !== 'excluded');
  // The race's best and those tied with it (within the margin both ways): indistinguishable, so the lower p99 wins.
  const tied = survivors.filter((m) => m.stopping!.race!.status === 'tied');
  const peers = survivors.filter((m) => m.stopping!.race!.status === 'tied' || m.stopping!.race!.status === 'best');
  if (tied.length > 0) return [...peers].sort((a, b) => a.latencyMs.p99 - b.latencyMs.p99)[0];
  const bySpj = (list: Ok[]) => [...list].sort((a, b) => b.energy.samplesPerJoule - a.energy.samplesPerJoule)[0];
  return bySpj(survivors.length > 0 ? survivors : pool);
}

/** The confidence line: the ratio to the closest eligible competitor, or that the two are indistinguishable. */
function confidenceOf(best: Ok, rival: Ok | undefined, equivalencePercent: number, sameRun: boolean): NonNullable<Recommendation['confidence']> | null {
  if (!rival) return null;
  const ratio = ratioBetween(best, rival, sameRun);
  const floor = 1 / (1 + equivalencePercent / 100);
  const verdict = ratio.ci95[0] > 1 ? 'better' : withinEquivalence(ratio, equivalencePercent) ? 'indistinguishable' : ratio.ci95[0] >= floor ? 'not-worse' : 'unresolved';
  return { versus: rival.key, ratio: ratio.estimate, ci95: ratio.ci95, method: ratio.method, equivalencePercent, verdict };
}

function confidenceText(confidence: NonNullable<Recommendation['confidence']>, best: Ok): string {
  // One direction (≥ 1×): a pick below its competitor (chosen for validity or p99) says the competitor's margin.
  const ratio = confidence.ratio >= 0.995
    ? `${times(confidence.ratio)} the samples/J of ${confidence.versus} (95% CI ${times(confidence.ci95[0])}–${times(confidence.ci95[1])})`
    : `${confidence.versus} has ${times(1 / confidence.ratio)} its samples/J (95% CI ${times(1 / confidence.ci95[1])}–${times(1 / confidence.ci95[0])})`;
  if (confidence.verdict === 'indistinguishable') return `indistinguishable within ${confidence.equivalencePercent}% from ${confidence.versus} (${ratio}); chosen for its p99 ${sig(best.latencyMs.p99)} ms`;
  if (confidence.verdict === 'better') return ratio;
  if (confidence.verdict === 'not-worse') return `${ratio}: at most ${confidence.equivalencePercent}% below it, possibly better`;
  return `${ratio}: not separated from it, nor shown within ${confidence.equivalencePercent}%; measure longer (stopping.maxSeconds) to decide`;
}

/**
 * Pick, per model, the configuration with the most samples per joule whose p99 meets the SLO and whose fidelity is
 * within bounds, preferring valid measurements (an invalid one wins only when nothing valid qualifies, and says so).
 * `runIds[i]` names the run of `measurements[i]` when several runs are compared; `equivalencePercent` is the margin
 * the run raced with (`stopping.equivalencePercent`), within which the pick and its competitor are indistinguishable.
 */
export function recommend(measurements: Measurement[], sloP99Ms: number | null, runIds?: string[], equivalencePercent = defaultEquivalencePercent): Recommendation[] {
  const runOf = new Map<Measurement, string | null>(measurements.map((m, i) => [m, runIds?.[i] ?? null]));
  const byModel = new Map<string, Ok[]>();
  for (const m of measurements) if (isOk(m)) byModel.set(m.model.name, [...(byModel.get(m.model.name) ?? []), m]);

  const recommendations: Recommendation[] = [];
  for (const [model, candidates] of byModel) {
    const withinFidelity = candidates.filter((m) => m.fidelity?.withinBounds !== false);
    if (withinFidelity.length === 0) continue;
    const eligible = withinFidelity.filter((m) => sloP99Ms === null || m.latencyMs.p99 <= sloP99Ms);
    if (eligible.length > 0 && eligible.every((m) => !m.validity.valid)) {
      recommendations.push(noneValid(model, eligible, runOf));
      continue;
    }
    const best = choose(eligible);
    if (!best) {
      recommendations.push(noneMeetsSlo(model, withinFidelity, sloP99Ms!, runOf));
      continue;
    }
    const sameRunAs = (m: Ok) => runOf.get(m) === runOf.get(best);
    // The competitor is the closest one the pick was chosen among: a valid pick is not compared with an invalid
    // measurement (that one is the runner-up below, with its reason), which would read as "not yet separated".
    const rivals = best.validity.valid ? eligible.filter((m) => m.validity.valid) : eligible;
    const rival = rivals.filter((m) => m !== best).sort((a, b) => b.energy.samplesPerJoule - a.energy.samplesPerJoule)[0];
    const confidence = confidenceOf(best, rival, equivalencePercent, rival ? sameRunAs(rival) : true);
    const slo = sloP99Ms === null ? 'no latency SLO set' : `p99 ${sig(best.latencyMs.p99)} ms ≤ SLO ${sloP99Ms} ms`;
    const reason = `most samples per joule (${slo})${confidence ? `; ${confidenceText(confidence, best)}` : ''}${best.validity.valid ? '' : ` — flagged: ${best.validity.reasons[0]}`}`;

    // Baseline: FP32 at batch 1 on the same provider (else any FP32 batch 1) of the same run.
    const baselines = candidates.filter((m) => sameRunAs(m) && m.model.precision === 'fp32' && m.batchSize === 1);
    const baseline = baselines.find((m) => m.executionProvider === best.executionProvider) ?? baselines[0] ?? null;
    const savingPercent = baseline ? (1 - best.energy.joulesPerSample / baseline.energy.joulesPerSample) * 100 : null;
    const runner = [...candidates].filter((m) => m !== best).sort((a, b) => b.energy.samplesPerJoule - a.energy.samplesPerJoule)[0] ?? null;
    const caveats: string[] = [];
    if (best.energy.estimated) caveats.push('power is ESTIMATED (no hardware meter): this ranking is only as good as the estimate');
    if (!best.validity.valid) caveats.push(`its measurement is not valid: ${best.validity.reasons.join('; ')}`);
    if (confidence?.verdict === 'unresolved') caveats.push(`not separated from ${confidence.versus} with 95% confidence`);

    const vsBaseline = baseline && baseline !== best ? `, ${ratioText(ratioBetween(best, baseline))} the samples per joule of ${baseline.key}` : '';
    const sloText = sloP99Ms === null ? '' : ` ≤ ${sloP99Ms} ms SLO`;
    recommendations.push({
      model, key: best.key, samplesPerJoule: best.energy.samplesPerJoule, p99Ms: best.latencyMs.p99, reason,
      estimated: best.energy.estimated, runId: runOf.get(best) ?? null,
      baselineKey: baseline?.key ?? null, savingPercent,
      whPer1kSamples: best.energy.whPer1kSamples, kWhPer1kRequests: best.energy.whPer1kSamples / 1000,
      gCO2ePer1kSamples: best.energy.gCO2ePer1kSamples,
      runnerUp: runner ? { key: runner.key, whyNot: whyNot(runner, best, sloP99Ms, { runner: runOf.get(runner) ?? null, best: runOf.get(best) ?? null }) } : null,
      confidence,
      caveats,
      summary: `Deploy ${best.key}: ${sig(best.energy.samplesPerJoule)} samples/J${best.energy.estimated ? ' (estimated)' : ''}${vsBaseline}, p99 ${sig(best.latencyMs.p99)} ms${sloText}.`,
    });
  }
  return recommendations;
}

// Every eligible measurement is methodologically unsound: no pick; the most efficient is named with why it is invalid.
function noneValid(model: string, candidates: Ok[], runOf: Map<Measurement, string | null>): Recommendation {
  const top = [...candidates].sort((a, b) => b.energy.samplesPerJoule - a.energy.samplesPerJoule)[0]!;
  const why = top.validity.reasons[0] ?? 'see its validity';
  const reason = `none is valid: every measurement of ${model} is unsound (${why}); the most samples/J (${top.key}) is shown, not recommended`;
  return {
    model, key: top.key, samplesPerJoule: top.energy.samplesPerJoule, p99Ms: top.latencyMs.p99, reason,
    estimated: top.energy.estimated, runId: runOf.get(top) ?? null, runnerUp: null, confidence: null, valid: false,
    caveats: [reason], summary: `No valid measurement of ${model}: ${why}. Fix that and run again; ${top.key} had the most samples/J.`,
  };
}

// Nothing meets the SLO: no pick; the fastest is named so the user knows how far off the SLO is.
function noneMeetsSlo(model: string, candidates: Ok[], sloP99Ms: number, runOf: Map<Measurement, string | null>): Recommendation {
  const fastest = [...candidates].sort((a, b) => a.latencyMs.p99 - b.latencyMs.p99)[0]!;
  const reason = `none meets the SLO: no configuration of ${model} has p99 ≤ ${sloP99Ms} ms; the fastest (${fastest.key}, p99 ${sig(fastest.latencyMs.p99)} ms) is shown, not recommended`;
  return {
    model, key: fastest.key, samplesPerJoule: fastest.energy.samplesPerJoule, p99Ms: fastest.latencyMs.p99, reason,
    estimated: fastest.energy.estimated, runId: runOf.get(fastest) ?? null, runnerUp: null, confidence: null, meetsSlo: false,
    caveats: [reason], summary: `None meets the SLO: no configuration of ${model} meets the ${sloP99Ms} ms p99 SLO; the fastest is ${fastest.key} (p99 ${sig(fastest.latencyMs.p99)} ms).`,
  };
}
