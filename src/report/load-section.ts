// The "Serving under load" section of report.md (runs of `joulebench load`): per configuration and rate, what was
// served, how fast, what each request cost and how much of it was idle; per rate, the recommendation.
import type { RunResult } from '../results/types.js';
import { sig } from './format-number.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const percent = (share: number | null) => (share === null || Number.isNaN(share) ? '–' : `${(share * 100).toFixed(1)}%`);

/** Markdown lines of the load section (none when no run has load records). */
export function loadSectionMarkdown(runs: RunResult[]): string[] {
  const records = runs.flatMap((run) => run.load ?? []);
  if (records.length === 0) return [];
  const est = records.some((record) => record.estimated) ? ' (est.)' : '';
  const lines = [
    '## Serving under load', '',
    `| configuration | target req/s | achieved req/s | p50 ms | p99 ms | mean batch | utilisation | mean W${est} | J/request${est} | kWh/1k requests | idle share | flat-out J/sample | × flat-out | verdict |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of records) {
    if (r.status !== 'ok') {
      lines.push(`| \`${r.key}\` | ${r.targetRate} | | | | | | | | | | | | **failed**: ${cell(r.error?.message ?? '')} |`);
      continue;
    }
    const verdict = !r.valid ? `invalid: ${r.reasons[0] ?? ''}` : r.overCapacity ? `over capacity: ${r.reasons[0] ?? ''}` : 'valid';
    lines.push(`| \`${r.key}\` | ${r.targetRate} | ${r.achievedRate.toFixed(2)} | ${sig(r.p50Ms)} | ${sig(r.p99Ms)} | ${r.meanBatchSize.toFixed(2)} | ${percent(r.utilisation)} | ${sig(r.meanWatts)} | ${sig(r.joulesPerRequest)} | ${sig(r.kWhPer1kRequests)} | ${percent(r.idleShare)} | ${sig(r.flatOutJoulesPerSample)} | ${r.vsFlatOut === null ? '–' : `${r.vsFlatOut.toFixed(1)}×`} | ${cell(verdict)} |`);
  }
  lines.push('');
  const recommendations = runs.flatMap((run) => run.loadRecommendations ?? []);
  for (const entry of recommendations) lines.push(`- **${entry.targetRate} req/s** — ${entry.key ? `\`${entry.key}\`: ` : 'nothing to recommend: '}${cell(entry.reason)}`);
  if (recommendations.length > 0) lines.push('');
  lines.push(
    'Latency runs from a request\'s scheduled arrival to its result (batching wait and queueing included). J/request is all the energy the counted meters saw over the rate\'s span, idle time between batches included; the idle share is idle power × idle time ÷ that energy. × flat-out compares it with the energy per sample of the same configuration run back to back at its max batch (docs/load.md).',
    '',
  );
  return lines;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The same section as HTML (empty when no run has load records). */
export function loadSectionHtml(runs: RunResult[]): string {
  const records = runs.flatMap((run) => run.load ?? []);
  if (records.length === 0) return '';
  const est = records.some((record) => record.estimated) ? ' (est.)' : '';
  const head = ['configuration', 'target req/s', 'achieved req/s', 'p50 ms', 'p99 ms', 'mean batch', 'utilisation', `mean W${est}`, `J/request${est}`, 'kWh/1k requests', 'idle share', 'flat-out J/sample', '× flat-out', 'verdict'];
  const rows = records.map((r) => {
    if (r.status !== 'ok') return [r.key, String(r.targetRate), '', '', '', '', '', '', '', '', '', '', '', `failed: ${r.error?.message ?? ''}`];
    const verdict = !r.valid ? `invalid: ${r.reasons[0] ?? ''}` : r.overCapacity ? `over capacity: ${r.reasons[0] ?? ''}` : 'valid';
    return [r.key, String(r.targetRate), r.achievedRate.toFixed(2), sig(r.p50Ms), sig(r.p99Ms), r.meanBatchSize.toFixed(2), percent(r.utilisation), sig(r.meanWatts), sig(r.joulesPerRequest), sig(r.kWhPer1kRequests), percent(r.idleShare), sig(r.flatOutJoulesPerSample), r.vsFlatOut === null ? '–' : `${r.vsFlatOut.toFixed(1)}×`, verdict];
  });
  const recommendations = runs.flatMap((run) => run.loadRecommendations ?? []);
  return `<section id="load"><h2>Serving under load</h2>
<table><thead><tr>${head.map((title) => `<th>${escape(title)}</th>`).join('')}</tr></thead>
<tbody>
${rows.map((row) => `<tr>${row.map((value, i) => `<td>${i === 0 ? `<code>${escape(value)}</code>` : escape(value)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>
<ul>${recommendations.map((entry) => `<li><strong>${entry.targetRate} req/s</strong> — ${entry.key ? `<code>${escape(entry.key)}</code>: ` : 'nothing to recommend: '}${escape(entry.reason)}</li>`).join('')}</ul>
<p>Latency runs from a request's scheduled arrival to its result (batching wait and queueing included). J/request is all the energy the counted meters saw over the rate's span, idle time between batches included; the idle share is idle power × idle time ÷ that energy.</p>
</section>`;
}
