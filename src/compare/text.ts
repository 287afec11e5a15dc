// The comparison as a terminal table (src/cli/compare.ts prints it).
import { comparisonHeads, comparisonRows, estimatedText, outcomeText, ruleText } from './cells.js';
import type { Comparison } from './types.js';

function table(rows: string[][], rightAligned: boolean[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) => row.map((cell, column) => (rightAligned[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd())
    .join('\n');
}

/** Header, rule, table, notes and the outcome line. */
export function renderComparisonText(comparison: Comparison): string {
  const { baseline, candidate } = comparison;
  const lines = [
    `baseline:  ${baseline.file}  (run ${baseline.runId}, ${baseline.createdAt}, ${baseline.host})`,
    `candidate: ${candidate.file}  (run ${candidate.runId}, ${candidate.createdAt}, ${candidate.host})`,
  ];
  const estimated = estimatedText(comparison);
  // Estimated against measured is said before anything else; both estimated after the runs.
  if (estimated && comparison.baseline.estimated !== comparison.candidate.estimated) lines.unshift(`WARNING: ${estimated}`, '');
  else if (estimated) lines.push(estimated);
  for (const change of comparison.hostChanges) lines.push(`host changed (--allow-host-change): ${change}`);
  for (const change of comparison.changes) lines.push(`changed: ${change}`);
  lines.push('');
  const { rows, notes } = comparisonRows(comparison, true);
  lines.push(table([comparisonHeads(comparison), ...rows.map((row) => row.cells)], [false, false, true, true, true, true, true, false]));
  if (notes.length > 0) lines.push('', ...notes);
  lines.push('', ruleText(comparison), '', outcomeText(comparison));
  return lines.join('\n');
}
