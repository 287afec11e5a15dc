// The comparison as Markdown (fits $GITHUB_STEP_SUMMARY).
import { ciText, estimatedText, keyStatusLine, metricLabel, outcomeText, percent, pText, ruleText, signedPercent, valuesText, verdictText } from './cells.js';
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
    `- baseline: \`${cell(baseline.file)}\` — run ${cell(baseline.runId)}, ${cell(baseline.createdAt)}, ${cell(baseline.host)}`,
    `- candidate: \`${cell(candidate.file)}\` — run ${cell(candidate.runId)}, ${cell(candidate.createdAt)}, ${cell(candidate.host)}`,
  ];
  for (const change of comparison.hostChanges) lines.push(`- host changed (compared anyway, --allow-host-change): ${cell(change)}`);
  for (const change of comparison.changes) lines.push(`- changed: ${cell(change)}`);
  const estimated = estimatedText(comparison);
  if (estimated) lines.push('', `> **Warning:** ${estimated}`);
  const confidence = percent(1 - comparison.options.alpha);
  lines.push('', `| configuration | metric | baseline | candidate | change | ${confidence} CI | p | verdict |`, '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
  const notes: string[] = [];
  for (const key of comparison.keys) {
    if (key.status !== 'compared') {
      notes.push(keyStatusLine(key));
      continue;
    }
    for (const metric of key.metrics) {
      const [b, c] = valuesText(metric);
      const verdict = verdictText(metric, comparison);
      const shown = metric.failed ? `❌ **${verdict}**` : metric.verdict === 'improved' ? `✅ ${verdict}` : verdict;
      lines.push(`| ${cell(key.key)} | ${cell(metricLabel(metric))} | ${b} | ${c} | ${signedPercent(metric.change)} | ${ciText(metric)} | ${pText(metric)} | ${cell(shown)} |`);
    }
    for (const note of key.notes) notes.push(`${key.key}: ${note}`);
  }
  if (notes.length > 0) lines.push('', ...notes.map((note) => `- ${cell(note)}`));
  lines.push('', `<sub>${cell(ruleText(comparison))}</sub>`, '');
  return lines.join('\n');
}
