// The comparison as JUnit XML: one test case per key × metric, a <failure> for each gated regression.
import { ciText, keyStatusLine, metricLabel, percent, pText, signedPercent, valuesText, verdictText } from './cells.js';
import type { Comparison } from './types.js';

/** Text for an XML attribute or text node (characters XML 1.0 forbids are dropped). */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** One <testsuite> named after the candidate run; classname = configuration key, name = metric. */
export function renderComparisonJunit(comparison: Comparison): string {
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  for (const key of comparison.keys) {
    if (key.status !== 'compared') {
      const body = key.failed ? `<failure message="${escapeXml(keyStatusLine(key))}" type="missing"/>` : `<skipped message="${escapeXml(keyStatusLine(key))}"/>`;
      if (key.failed) failures++;
      else skipped++;
      cases.push(`    <testcase classname="${escapeXml(key.key)}" name="measured">\n      ${body}\n    </testcase>`);
      continue;
    }
    for (const metric of key.metrics) {
      const [b, c] = valuesText(metric);
      const how = metric.changeCi ? `CI ${ciText(metric)}, p ${pText(metric)}` : 'threshold, no test';
      const summary = `${metricLabel(metric)}: ${b} → ${c} (${signedPercent(metric.change)}, ${how}): ${verdictText(metric, comparison)}`;
      const details = [summary, ...key.notes, ...(metric.note ? [metric.note] : [])].join('\n');
      let body = `\n      <system-out>${escapeXml(details)}</system-out>`;
      if (metric.failed) {
        failures++;
        body = `\n      <failure message="${escapeXml(summary)}" type="regression">${escapeXml(`${details}\nfails the ${percent(comparison.options.maxRegression)} gate (--max-regression)`)}</failure>${body}`;
      }
      cases.push(`    <testcase classname="${escapeXml(key.key)}" name="${escapeXml(metricLabel(metric))}">${body}\n    </testcase>`);
    }
  }
  const name = `joulebench compare ${comparison.baseline.runId} → ${comparison.candidate.runId}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="joulebench" tests="${cases.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${escapeXml(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${escapeXml(comparison.candidate.createdAt)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
