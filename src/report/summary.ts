// The report's answer in plain text, for the terminal (`joulebench report`): the estimate banner, one line per model
// with the machine and the cost per million inferences when prices were given, its caveats, and the prices used.
import type { ReportAnalysis } from './analysis-types.js';
import { cheapestText, costText, pricesLine } from './cost.js';
import { estimateBanner } from './estimates.js';

/**
 * Lines to print before the tables: with several machines the banner and every recommendation; with one machine only
 * what its own table does not say (the costs, when prices were given). Empty when there is nothing to add.
 */
export function renderReportSummary(analysis: ReportAnalysis): string[] {
  const lines: string[] = [];
  const priced = analysis.prices ? analysis.recommendations.filter((r) => r.cost) : [];
  if (!analysis.multiRun) {
    for (const r of priced) {
      lines.push(`Cost of ${r.chosen?.key ?? r.model}: ${costText(r.cost!, r.estimated)}`);
      if (cheapestText(r.cheapest)) lines.push(`  ${cheapestText(r.cheapest)}`);
    }
    if (analysis.prices && priced.length > 0) lines.push(pricesLine(analysis.prices));
    return lines;
  }
  const banner = estimateBanner(analysis);
  if (banner) lines.push(`${banner.headline.toUpperCase()}: ${banner.detail}`, '');
  for (const r of analysis.recommendations) {
    lines.push(`${r.model}: ${r.summary}`);
    if (r.cost) lines.push(`  cost: ${costText(r.cost, r.estimated)}`);
    if (cheapestText(r.cheapest)) lines.push(`  ${cheapestText(r.cheapest)}`);
    for (const caveat of r.caveats) lines.push(`  ⚠ ${caveat}`);
  }
  if (analysis.prices && priced.length > 0) lines.push(pricesLine(analysis.prices));
  return lines;
}
