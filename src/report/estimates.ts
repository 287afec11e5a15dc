// Where energy is estimated rather than measured, said per row and, when estimated and measured rows are ranked
// together, in a banner every report format shows (Markdown, HTML, the terminal summary).
import type { Measurement } from '../results/types.js';
import type { ReportAnalysis } from './analysis-types.js';

/** True when this row's energy comes from an estimate meter (the row is marked "est."). */
export function rowEstimated(m: Measurement): boolean {
  return m.energy?.estimated === true;
}

/** The banner: a headline (shown strong) and what it means for the reader; null when all energy was measured. */
export interface EstimateBanner {
  headline: string;
  detail: string;
}

/** The machines (labels) whose measured rows are estimated, and those whose rows are measured. */
export function estimationByMachine(analysis: ReportAnalysis): { estimated: string[]; measured: string[] } {
  const estimated = new Set<string>();
  const measured = new Set<string>();
  for (const run of analysis.runs) {
    const label = analysis.machines.find((x) => x.runId === run.runId)?.label ?? run.runId;
    for (const m of run.measurements) {
      if (m.status !== 'ok' || !m.energy) continue;
      (rowEstimated(m) ? estimated : measured).add(label);
    }
  }
  return { estimated: [...estimated], measured: [...measured] };
}

/** What the reader must know before reading any ranking of these runs; null when every row was measured. */
export function estimateBanner(analysis: ReportAnalysis): EstimateBanner | null {
  const { estimated, measured } = estimationByMachine(analysis);
  const anyMeterEstimated = analysis.runs.some((run) => run.meters.some((meter) => meter.estimated));
  if (estimated.length === 0) {
    return anyMeterEstimated
      ? { headline: 'Power is partly ESTIMATED', detail: 'an estimate meter ran beside the hardware meters; rows marked (est.) are modelled, not measured.' }
      : null;
  }
  if (measured.length === 0) {
    return {
      headline: 'Power is ESTIMATED',
      detail: `no hardware power meter was used${analysis.multiRun ? ' on any machine' : ''}. Energy figures marked (est.) are modelled, not measured: compare them with each other, not with other machines.`,
    };
  }
  const onlyEstimated = estimated.filter((label) => !measured.includes(label));
  const onlyMeasured = measured.filter((label) => !estimated.includes(label));
  if (analysis.multiRun && onlyEstimated.length > 0 && onlyMeasured.length > 0) {
    return {
      headline: 'Estimated and measured energy are ranked together',
      detail: `power on ${onlyEstimated.join(', ')} is ESTIMATED (no hardware meter); on ${onlyMeasured.join(', ')} it is measured. Rows marked (est.) are modelled, so ranking them against measured rows compares a model with a measurement: measure ${onlyEstimated.join(', ')} with a hardware meter before choosing between these machines.`,
    };
  }
  return {
    headline: 'Power is partly ESTIMATED',
    detail: `some rows${analysis.multiRun ? ` (on ${estimated.join(', ')})` : ''} come from an estimate meter. Rows marked (est.) are modelled, not measured: do not rank them against the measured rows.`,
  };
}
