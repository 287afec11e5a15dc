// report.md: the ranked table as GitHub-flavoured Markdown (fits a PR comment and $GITHUB_STEP_SUMMARY).
import type { RunResult } from '../results/types.js';
import { sig } from './format-number.js';
import { isEstimated, meterLine, rankMeasurements } from './rank.js';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Render a run as Markdown. */
export function renderMarkdown(result: RunResult): string {
  const estimated = isEstimated(result);
  const mark = estimated ? ' (est.)' : '';
  const lines: string[] = [];
  const scenario = result.scenario.resolved as { name?: string } | null;
  lines.push(`# joulebench: ${scenario?.name ?? result.runId}`, '');
  lines.push(`Run \`${result.runId}\` · ${result.createdAt} · status **${result.status}**${result.stopReason ? ` (${result.stopReason})` : ''}`, '');
  const host = result.environment.host;
  lines.push(`Host: ${host.cpu.model} (${host.cpu.cores} logical CPUs), ${(host.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${host.os}; Node ${result.environment.runtime.node}, onnxruntime ${result.environment.runtime.onnxruntime}`, '');
  if (estimated) {
    lines.push(`> **Power is ESTIMATED** — no hardware power meter was used. Energy figures below are modelled, not measured; compare them with each other, not with other machines.`, '');
  }
  lines.push(`Meters: ${meterLine(result)}`, '');
  for (const warning of result.meterWarnings ?? []) lines.push(`> ⚠ ${warning}`, '');
  if (result.idle) {
    const after = result.idle.after;
    lines.push(`Idle baseline: ${Object.entries(result.idle.watts).map(([id, w]) => `${id} ${sig(w)} W`).join(', ')} over ${sig(result.idle.durationS)} s${after ? `; after the sweep: ${Object.entries(after.watts).map(([id, w]) => `${id} ${sig(w)} W`).join(', ')}` : ''}`, '');
    for (const warning of result.idle.warnings ?? []) lines.push(`> ⚠ ${warning}`, '');
  }
  if (result.recommendations.length > 0) {
    lines.push('## Recommendation', '');
    for (const r of result.recommendations) {
      lines.push(`- **${r.model}**: \`${r.key}\` — ${sig(r.samplesPerJoule)} samples/J${r.estimated ? ' (estimated)' : ''}, p99 ${sig(r.p99Ms)} ms. ${r.reason}`);
    }
    lines.push('');
  }
  lines.push('## Ranked by samples per joule', '');
  lines.push(`| # | configuration | samples/J${mark} | J/sample${mark} | net J/sample${mark} | samples/s (95% CI) | p50 ms | p99 ms | mean W${mark} | Wh/1k${mark} | gCO2e/1k${mark} | valid |`);
  lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  let rank = 0;
  for (const m of rankMeasurements(result.measurements)) {
    if (m.status !== 'ok' || !m.energy || !m.throughput || !m.latencyMs || !m.power) {
      lines.push(`| – | \`${m.key}\` | **${m.status}** | ${escapeCell(m.error ? `${m.error.code}: ${m.error.message}` : '')} | | | | | | | | |`);
      continue;
    }
    rank++;
    const t = m.throughput.samplesPerSecond;
    lines.push(
      `| ${rank} | \`${m.key}\` | ${sig(m.energy.samplesPerJoule)} | ${sig(m.energy.joulesPerSample)} | ${sig(m.energy.netJoulesPerSample)} | ${sig(t.mean)} (${sig(t.ci95[0])}–${sig(t.ci95[1])}) | ${sig(m.latencyMs.p50)} | ${sig(m.latencyMs.p99)} | ${sig(m.power.meanWatts)} | ${sig(m.energy.whPer1kSamples)} | ${sig(m.energy.gCO2ePer1kSamples)} | ${m.validity.valid ? 'yes' : `no: ${escapeCell(m.validity.reasons.join('; '))}`} |`,
    );
  }
  lines.push('');
  const carbon = result.carbon;
  const defaulted = carbon.defaulted.length > 0 ? ` (defaults: ${carbon.defaulted.join(', ')})` : '';
  lines.push(`Carbon: ${carbon.gridIntensityGPerKWh} gCO2e/kWh × PUE ${carbon.pue}, region ${carbon.region}${defaulted}. Net J/sample subtracts the idle baseline.`, '');
  return `${lines.join('\n')}\n`;
}
