// The words and numbers every comparison format shares (terminal, Markdown, JUnit), so they say the same thing.
import { sig } from '../common/format-number.js';
import type { Comparison, KeyComparison, MetricComparison } from './types.js';

/** A signed percentage with one decimal: +3.1%, −10.0%. */
export function signedPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  const value = (fraction * 100).toFixed(1);
  return `${fraction >= 0 ? '+' : '−'}${value.replace('-', '')}%`;
}

/** A plain percentage for thresholds: 2%, 0.5%. */
export function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))}%`;
}

/** The metric label, with "(estimated)" on energy measured by an estimate meter. */
export function metricLabel(metric: MetricComparison, short = false): string {
  return metric.estimated ? `${metric.label} ${short ? '(est.)' : '(estimated)'}` : metric.label;
}

/** The CI of the change, or how the metric was compared instead. */
export function ciText(metric: MetricComparison): string {
  if (metric.changeCi === null) return 'no CI (threshold)';
  return `${signedPercent(metric.changeCi[0])} … ${signedPercent(metric.changeCi[1])}`;
}

/** A p-value for a table. */
export function pText(metric: MetricComparison): string {
  if (metric.pValue === null) return '—';
  return metric.pValue < 0.001 ? '<0.001' : metric.pValue.toFixed(3);
}

/** The verdict as a reader needs it: failing regressions shouted, small ones qualified. */
export function verdictText(metric: MetricComparison, comparison: Comparison): string {
  const byThreshold = metric.method === 'threshold' ? ' (by threshold)' : '';
  if (metric.failed) return `REGRESSED${byThreshold} — fails the ${percent(comparison.options.maxRegression)} gate`;
  if (metric.verdict === 'regressed' && !metric.gated) return `regressed${byThreshold} (not gated)`;
  if (metric.verdict === 'regressed') return `regressed${byThreshold}, within the ${percent(comparison.options.maxRegression)} gate`;
  return `${metric.verdict}${byThreshold}`;
}

/** The two numbers side by side. */
export function valuesText(metric: MetricComparison): [string, string] {
  return [sig(metric.baseline.mean), sig(metric.candidate.mean)];
}

/** One line per key that was not compared metric by metric (missing, new). */
export function keyStatusLine(key: KeyComparison): string {
  const why = key.notes.length > 0 ? ` (${key.notes.join('; ')})` : '';
  return `${key.key}: ${key.status}${key.failed ? ' — FAILS the gate' : ''}${why}`;
}

/** The rule in one sentence (the same in every format). */
export function ruleText(comparison: Comparison): string {
  const o = comparison.options;
  const confidence = percent(1 - o.alpha);
  return `A change counts when Welch's t-test on the log values of the repetitions gives p < ${o.alpha} and the whole ${confidence} CI of the change lies beyond ±${percent(o.noise)}; a regression of ${percent(o.maxRegression)} or more fails. p99 latency without per-window values, and load records (one value per rate), count beyond ±${percent(Math.max(o.noise, o.thresholdNoise))} (threshold, no test).`;
}

/** The outcome in one line. */
export function outcomeText(comparison: Comparison): string {
  const failing = comparison.keys.flatMap((key) =>
    key.status === 'missing in candidate'
      ? [`${key.key} missing in candidate`]
      : key.metrics.filter((m) => m.failed).map((m) => `${key.key} ${metricLabel(m, true)} ${signedPercent(m.change)}`),
  );
  const { improved, regressed, unchanged } = comparison.counts;
  const tally = `${improved} improved, ${regressed} regressed, ${unchanged} with no significant change`;
  if (comparison.failed) return `FAIL: ${failing.length} gated regression(s): ${failing.join(', ')} (${tally})`;
  return `PASS: no regression of ${percent(comparison.options.maxRegression)} or more (${tally})`;
}

/**
 * The estimated-power warning, or null when both runs had hardware meters. When only one side is estimated the
 * samples/J change sets a model of power against a measurement of it, and the warning says so first.
 */
export function estimatedText(comparison: Comparison): string | null {
  if (!comparison.estimated) return null;
  const { baseline, candidate } = comparison;
  if (baseline.estimated !== candidate.estimated) {
    const [estimated, measured] = baseline.estimated ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
    return `ESTIMATED vs MEASURED: power in the ${estimated} is ESTIMATED (no hardware meter), in the ${measured} it is measured, so the samples/J change compares a model with a measurement, not like for like; compare runs measured with the same meters.`;
  }
  return `Power is ESTIMATED in the baseline and candidate (no hardware meter): samples/J changes are estimates, labelled "estimated".`;
}

/** The comparison table's column heads (the CI column names its confidence level). */
export function comparisonHeads(comparison: Comparison): string[] {
  return ['configuration', 'metric', 'baseline', 'candidate', 'change', `${percent(1 - comparison.options.alpha)} CI`, 'p', 'verdict'];
}

/**
 * One row per compared key × metric (its cells under `comparisonHeads`, and the metric, for decoration), then the
 * notes: a line per key that was not compared and each key's own notes.
 */
export function comparisonRows(comparison: Comparison, shortLabels = false): { rows: Array<{ metric: MetricComparison; cells: string[] }>; notes: string[] } {
  const rows: Array<{ metric: MetricComparison; cells: string[] }> = [];
  const notes: string[] = [];
  for (const key of comparison.keys) {
    if (key.status !== 'compared') {
      notes.push(keyStatusLine(key));
      continue;
    }
    for (const metric of key.metrics) {
      const [b, c] = valuesText(metric);
      rows.push({ metric, cells: [key.key, metricLabel(metric, shortLabels), b, c, signedPercent(metric.change), ciText(metric), pText(metric), verdictText(metric, comparison)] });
    }
    for (const note of key.notes) notes.push(`${key.key}: ${note}`);
  }
  return { rows, notes };
}
