// The comparison as Markdown (fits $GITHUB_STEP_SUMMARY).
import { comparisonHeads, comparisonRows, estimatedText, outcomeText, ruleText } from './cells.js';
import type { Comparison } from './types.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A heading with the outcome, the estimated warning, one table row per key × metric, notes and the rule. */
export function renderComparisonMarkdown(comparison: Comparison): string {
  const { baseline, candidate } = comparison;
  const lines = [
    `## joulebench compare: ${comparison.failed ? '❌ regression' : '✅ no regression'}`,
    '',
    `**${cell(outcomeText(comparison))}**`,
    '',
    ...(estimatedText(comparison) && comparison.baseline.estimated !== comparison.candidate.estimated ? [`> **Warning:** ${cell(estimatedText(comparison)!)}`, ''] : []),
    `- baseline: \`${cell(baseline.file)}\` — run ${cell(baseline.runId)}, ${cell(baseline.createdAt)}, ${cell(baseline.host)}`,
    `- candidate: \`${cell(candidate.file)}\` — run ${cell(candidate.runId)}, ${cell(candidate.createdAt)}, ${cell(candidate.host)}`,
  ];
  for (const change of comparison.hostChanges) lines.push(`- host changed (compared anyway, --allow-host-change): ${cell(change)}`);
  for (const change of comparison.changes) lines.push(`- changed: ${cell(change)}`);
  const estimated = estimatedText(comparison);
  if (estimated && comparison.baseline.estimated === comparison.candidate.estimated) lines.push('', `> **Warning:** ${estimated}`);
  lines.push('', `| ${comparisonHeads(comparison).join(' | ')} |`, '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
  const { rows, notes } = comparisonRows(comparison);
  for (const { metric, cells } of rows) {
    const verdict = cells[7]!;
    const shown = metric.failed ? `❌ **${verdict}**` : metric.verdict === 'improved' ? `✅ ${verdict}` : verdict;
    lines.push(`| ${[...cells.slice(0, 7), shown].map((text, column) => (column === 0 || column === 1 || column === 7 ? cell(text) : text)).join(' | ')} |`);
  }
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${cell(note)}`));
  lines.push('', `<sub>${cell(ruleText(comparison))}</sub>`, '');
  return lines.join('\n');
}
