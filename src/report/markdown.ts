// report.md: the recommendation and the ranked table as GitHub-flavoured Markdown (fits a PR comment and
// $GITHUB_STEP_SUMMARY). Several runs (machines) get one table with a machine column.
import { carbonBasisLine, hourlyLines } from '../carbon/describe.js';
import type { Measurement, RunResult } from '../results/types.js';
import type { ReportAnalysis } from './analysis-types.js';
import { cheapestText, costText, pricesLine } from './cost.js';
import { estimateBanner, estimationByMachine, rowEstimated } from './estimates.js';
import { sig } from '../common/format-number.js';
import { loadSectionMarkdown } from './load-section.js';
import { ciSuffix, fidelityBoundLine, fidelityMark, meterLine, rankMeasurements, stoppingLine } from './rank.js';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function runHeader(result: RunResult): string[] {
  const lines: string[] = [];
  const host = result.environment.host;
  lines.push(`Run \`${result.runId}\` · ${result.createdAt} · status **${result.status}**${result.stopReason ? ` (${result.stopReason})` : ''}`, '');
  lines.push(`Host: ${host.cpu.model} (${host.cpu.cores} logical CPUs), ${(host.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${host.os}; Node ${result.environment.runtime.node}, onnxruntime ${result.environment.runtime.onnxruntime}`, '');
  lines.push(`Meters: ${meterLine(result)}`, '');
  for (const warning of result.meterWarnings ?? []) lines.push(`> ⚠ ${warning}`, '');
  if (result.idle) {
    const after = result.idle.after;
    lines.push(`Idle baseline: ${Object.entries(result.idle.watts).map(([id, w]) => `${id} ${sig(w)} W`).join(', ')} over ${sig(result.idle.durationS)} s${after ? `; after the sweep: ${Object.entries(after.watts).map(([id, w]) => `${id} ${sig(w)} W`).join(', ')}` : ''}`, '');
    for (const warning of result.idle.warnings ?? []) lines.push(`> ⚠ ${warning}`, '');
  }
  return lines;
}

function row(m: Measurement, rank: number, machine: string | null): string {
  const key = `\`${m.key}\`${fidelityMark(m) ? ' **✗ fidelity**' : ''}`;
  const lead = machine === null ? `| ${rank} | ${key}` : `| ${rank} | ${escapeCell(machine)} | ${key}`;
  if (m.status !== 'ok' || !m.energy || !m.throughput || !m.latencyMs || !m.power) {
    return `${machine === null ? '| – ' : `| – | ${escapeCell(machine)} `}| \`${m.key}\` | **${m.status}** | ${escapeCell(m.error ? `${m.error.code}: ${m.error.message}` : '')} | | | | | | | | |`;
  }
  const t = m.throughput.samplesPerSecond;
  // "est." on this row's energy cells only when this row's energy is estimated.
  const est = rowEstimated(m) ? ' (est.)' : '';
  return `${lead} | ${sig(m.energy.samplesPerJoule)}${ciSuffix(m)}${est} | ${sig(m.energy.joulesPerSample)}${est} | ${sig(m.energy.netJoulesPerSample)}${m.energy.netJoulesPerSample === null ? '' : est} | ${sig(t.mean)} (${sig(t.ci95[0])}–${sig(t.ci95[1])}) | ${sig(m.latencyMs.p50)} | ${sig(m.latencyMs.p99)} | ${sig(m.power.meanWatts)}${est} | ${sig(m.energy.whPer1kSamples)}${est} | ${sig(m.energy.gCO2ePer1kSamples)}${est} | ${m.validity.valid ? 'yes' : `**no**: ${escapeCell(m.validity.reasons.join('; '))}`} |`;
}

// One row per variant (model × precision of a run): how it was made and how close it stays to FP32.
function fidelitySection(runs: RunResult[]): string[] {
  const seen = new Set<string>();
  const rows: string[] = [];
  for (const run of runs) {
    for (const m of run.measurements) {
      if (!m.fidelity || seen.has(`${run.runId}/${m.model.name}/${m.model.precision}`)) continue;
      seen.add(`${run.runId}/${m.model.name}/${m.model.precision}`);
      const f = m.fidelity;
      const pct = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(2)}%`);
      const bounds = f.withinBounds === null ? '—' : f.withinBounds ? 'within' : `**outside**: ${escapeCell(f.violations.join('; '))}`;
      const conversion = m.model.conversion;
      const search = conversion?.precisionSearch;
      const kept = search && search.kept.length > 0 ? `; ${search.kept.length} node(s) ${search.kind === 'fp16-keep-fp32' ? 'kept in FP32' : 'left out of INT8'}: ${search.kept.map((k) => `${k.node} (${k.reason})`).join(', ')}; ${search.evaluations} fidelity checks, ${search.seconds.toFixed(1)} s` : search ? `; no node set met the bound (${search.evaluations} fidelity checks)` : '';
      const how = conversion ? `${conversion.mode}${conversion.opsetUpgradedFrom !== undefined ? ` (opset ${conversion.opsetUpgradedFrom} lifted to ${conversion.opsetUpgradedTo})` : ''}${escapeCell(kept)}` : 'your file';
      rows.push(`| \`${m.model.name}/${m.model.precision}\` | ${how} | ${f.cosine.toFixed(5)} | ${sig(f.maxAbsError)} | ${sig(f.rmse)} | ${pct(f.top1Agreement)} | ${f.accuracyRatio === null ? '—' : `${pct(f.accuracy)} (${pct(f.accuracyRatio)} of FP32)`} | ${f.samples} ${f.inputs} | ${bounds} |`);
    }
  }
  if (rows.length === 0) return [];
  return [
    '## Fidelity of the variants against FP32', '',
    '| variant | made as | cosine | max abs error | rmse | top-1 agreement | accuracy | inputs | bounds |',
    '|---|---|---:|---:|---:|---:|---:|---|---|',
    ...rows, '',
    'Outputs of each variant against the FP32 model on the same inputs, on the CPU. A variant outside the scenario\'s `fidelity:` bounds is measured but never recommended.', '',
    ...(fidelityBoundLine(runs) ? [fidelityBoundLine(runs)!, ''] : []),
  ];
}

/** Render one or several runs as Markdown. */
export function renderMarkdown(analysis: ReportAnalysis): string {
  const { runs } = analysis;
  const lines: string[] = [];
  const names = [...new Set(runs.map((run) => (run.scenario.resolved as { name?: string } | null)?.name ?? run.runId))];
  lines.push(`# joulebench: ${names.join(', ')}${analysis.multiRun ? ` — ${runs.length} runs side by side` : ''}`, '');
  const banner = estimateBanner(analysis);
  if (banner) lines.push(`> **${banner.headline}** — ${escapeCell(banner.detail)}`, '');
  if (analysis.recommendations.length > 0) {
    lines.push('## Recommendation', '');
    for (const r of analysis.recommendations) {
      lines.push(`- **${r.model}** — ${r.summary}`);
      const figures = [
        r.savingPercent !== null && r.baselineKey && r.baselineKey !== r.chosen?.key ? `${r.savingPercent >= 0 ? 'saves' : 'costs'} ${Math.abs(r.savingPercent).toFixed(1)}% energy per sample against \`${r.baselineKey}\`` : null,
        r.cost ? `**cost ${escapeCell(costText(r.cost, r.estimated))}**` : null,
        cheapestText(r.cheapest) ? escapeCell(cheapestText(r.cheapest)!) : null,
        r.whPer1kSamples !== null ? `${sig(r.whPer1kSamples)} Wh per 1,000 samples${r.estimated ? ' (est.)' : ''}` : null,
        r.kWhPer1kRequests !== null ? `${sig(r.kWhPer1kRequests)} kWh per 1,000 requests` : null,
        r.gCO2ePer1kSamples !== null ? `${sig(r.gCO2ePer1kSamples)} gCO2e per 1,000 samples` : null,
      ].filter(Boolean);
      if (figures.length > 0) lines.push(`  - ${figures.join(' · ')}`);
      if (r.runnerUp) lines.push(`  - why not the runner-up: ${r.runnerUp.whyNot}`);
      for (const caveat of r.caveats) lines.push(`  - ⚠ ${caveat}`);
    }
    lines.push('');
    if (analysis.prices && analysis.recommendations.some((r) => r.cost)) lines.push(pricesLine(analysis.prices), '');
  }
  for (const run of runs) {
    if (analysis.multiRun) lines.push(`## ${analysis.machines.find((m) => m.runId === run.runId)?.label ?? run.runId}`, '');
    lines.push(...runHeader(run));
  }
  lines.push('## Ranked by samples per joule', '');
  const machineColumn = analysis.multiRun ? ' machine |' : '';
  // Every row estimated: the heads say it once more; otherwise only the estimated rows carry the mark.
  const { estimated, measured } = estimationByMachine(analysis);
  const mark = estimated.length > 0 && measured.length === 0 ? ' (est.)' : '';
  lines.push(`| # |${machineColumn} configuration | samples/J${mark} | J/sample${mark} | net J/sample${mark} | samples/s (95% CI) | p50 ms | p99 ms | mean W${mark} | Wh/1k${mark} | gCO2e/1k${mark} | valid |`);
  lines.push(`|---:|${analysis.multiRun ? '---|' : ''}---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|`);
  const entries = runs.flatMap((run) => run.measurements.map((m) => ({ m, run })));
  const order = rankMeasurements(entries.map((e) => e.m));
  let rank = 0;
  for (const m of order) {
    const entry = entries.find((e) => e.m === m)!;
    const machine = analysis.multiRun ? (analysis.machines.find((x) => x.runId === entry.run.runId)?.label ?? entry.run.runId) : null;
    if (m.status === 'ok' && m.energy) rank++;
    lines.push(row(m, rank, machine));
  }
  lines.push('');
  const stopping = stoppingLine(runs);
  if (stopping) lines.push(stopping, '');
  lines.push(...fidelitySection(runs));
  lines.push(...loadSectionMarkdown(runs));
  if (analysis.carbonByRegion.length > 0) {
    const keys = [...new Set(analysis.carbonByRegion.flatMap((region) => Object.keys(region.gCO2ePer1kSamples)))];
    lines.push('## Carbon by region (chosen configurations, gCO2e per 1,000 samples)', '');
    lines.push(`| region | gCO2e/kWh | ${keys.map((k) => `\`${k}\``).join(' | ')} | source |`);
    lines.push(`|---|---:|${keys.map(() => '---:').join('|')}|---|`);
    for (const region of analysis.carbonByRegion) {
      lines.push(`| ${escapeCell(region.region)} | ${sig(region.gridIntensityGPerKWh)} | ${keys.map((k) => sig(region.gCO2ePer1kSamples[k])).join(' | ')} | ${escapeCell(region.source)} |`);
    }
    lines.push('');
  }
  if (analysis.coldStart.length > 0) {
    const priced = analysis.coldStart.some((c) => c.costPerMillionSamples !== null);
    const partlyPriced = priced && analysis.coldStart.some((c) => c.cost && c.cost.hardware === null) && analysis.coldStart.some((c) => c.cost && c.cost.hardware !== null);
    const machineHead = analysis.multiRun ? ' machine |' : '';
    lines.push('## Cold start and cost', '');
    lines.push(`| configuration |${machineHead} session create ms | cold-start J | J/sample | break-even samples |${priced ? ' cost per 1M samples |' : ''}`);
    lines.push(`|---|${analysis.multiRun ? '---|' : ''}---:|---:|---:|---:|${priced ? '---:|' : ''}`);
    for (const c of analysis.coldStart) {
      const est = c.estimated ? ' (est.)' : '';
      const machine = analysis.multiRun ? ` ${escapeCell(c.machine)} |` : '';
      const cost = `${sig(c.costPerMillionSamples)}${c.cost?.electricity !== null && c.cost?.electricity !== undefined ? est : ''}${partlyPriced && c.cost && c.cost.hardware === null ? ' (electricity only: no hardware price)' : ''}`;
      lines.push(`| \`${c.key}\` |${machine} ${sig(c.sessionCreateMs)} | ${sig(c.coldEnergyJ)}${est} | ${sig(c.joulesPerSample)}${est} | ${sig(c.breakEvenSamples)} |${priced ? ` ${cost} |` : ''}`);
    }
    lines.push('', 'Break-even: after that many samples the steady-state energy equals what starting the session cost.', '');
    if (priced && analysis.prices) lines.push(`Cost per 1M samples = J/sample × 1e6 ÷ 3.6e6 J/kWh × electricity price + 1e6 ÷ samples/s ÷ 3600 s/h × hardware price. ${pricesLine(analysis.prices)}`, '');
  }
  const carbon = runs[0]?.carbon;
  if (carbon) {
    lines.push(`Carbon: ${carbonBasisLine(carbon)}. Net J/sample subtracts the idle baseline.`, '');
    const hourly = hourlyLines(carbon);
    if (hourly.length > 0) lines.push(...hourly, '');
  }
  return `${lines.join('\n')}\n`;
}
