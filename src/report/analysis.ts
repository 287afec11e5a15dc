// One analysis of one or several runs, shared by every report format (terminal, Markdown, HTML, charts).
import { provenanceLine } from '../carbon/types.js';
import { InputError } from '../errors.js';
import { recommend } from '../results/recommend.js';
import type { Measurement, RunResult } from '../results/types.js';
import type { CarbonByRegion, ColdStartRow, MachineSummary, ModelRecommendation, Prices, ReportAnalysis } from './analysis-types.js';
import { costOf } from './cost.js';

/** Prices for the cost columns (procurement): electricity per kWh, and hardware per hour by host name or run id. */
export interface AnalysisOptions {
  /** Overrides the runs' SLO (`--slo-p99-ms`). */
  sloP99Ms?: number | null;
  electricityPricePerKWh?: number | null;
  pricePerHour?: Record<string, number>;
}

/** "AMD EPYC ×2 · NVIDIA H100 80GB" — what a reader calls this machine. */
export function machineLabel(run: RunResult): string {
  const host = run.environment.host;
  const gpus = run.environment.accelerators.map((a) => a.name);
  return [`${host.cpu.model} ×${host.cpu.cores}`, ...new Set(gpus)].join(' · ');
}

// An hour price for a machine none of the runs was measured on is a typo that would silently drop its hardware cost.
function checkPricedMachines(runs: RunResult[], perHour: Record<string, number>): void {
  const names = new Set(runs.flatMap((run) => [run.environment.host.hostname, run.runId]));
  for (const machine of Object.keys(perHour)) {
    if (names.has(machine)) continue;
    const hosts = [...new Set(runs.map((run) => run.environment.host.hostname))];
    throw new InputError('PRICE_UNKNOWN_MACHINE', `--price-per-hour ${machine}: no run was measured on a host named "${machine}" (nor has that run id)`, {
      hint: `name a host of these runs: ${hosts.map((host) => `--price-per-hour ${host}=PRICE`).join(', ')}`,
    });
  }
}

// Machine labels a reader can tell apart: two runs on the same hardware get their host name (else run id) added.
function uniqueLabels(runs: RunResult[]): string[] {
  const labels = runs.map(machineLabel);
  const count = (list: string[], label: string) => list.filter((x) => x === label).length;
  const withHost = labels.map((label, i) => (count(labels, label) > 1 ? `${label} (${runs[i]!.environment.host.hostname})` : label));
  return withHost.map((label, i) => (count(withHost, label) > 1 ? `${label} (${runs[i]!.runId})` : label));
}

/** Analyse runs for reporting. Several runs are compared side by side (several machines → one report). */
export function analyseRuns(runs: RunResult[], options: AnalysisOptions = {}): ReportAnalysis {
  const sloP99Ms = options.sloP99Ms !== undefined ? options.sloP99Ms : (runs.map((run) => (run.scenario.resolved as { slo?: { p99Ms?: number | null } })?.slo?.p99Ms ?? null).find((v) => v !== null) ?? null);
  const multiRun = runs.length > 1;
  const machines: MachineSummary[] = uniqueLabels(runs).map((label, i) => ({ runId: runs[i]!.runId, label, estimated: runs[i]!.meters.some((m) => m.estimated) }));
  const labelOf = new Map(machines.map((machine) => [machine.runId, machine.label]));
  const perHour = options.pricePerHour ?? {};
  checkPricedMachines(runs, perHour);
  const prices: Prices | null = (options.electricityPricePerKWh ?? null) !== null || Object.keys(perHour).length > 0
    ? { electricityPerKWh: options.electricityPricePerKWh ?? null, perHour }
    : null;
  const runById = new Map(runs.map((run) => [run.runId, run]));

  const all: Measurement[] = [];
  const runIds: string[] = [];
  for (const run of runs) {
    for (const m of run.measurements) {
      all.push(m);
      runIds.push(run.runId);
    }
  }
  const byKey = new Map(all.map((m, i) => [`${runIds[i]}|${m.key}`, m]));
  const raced = runs.map((run) => (run.scenario.resolved as { stopping?: { rule?: string; equivalencePercent?: number } | null } | null)?.stopping).find((s) => s?.rule === 'race');
  const recommendations: ModelRecommendation[] = recommend(all, sloP99Ms, runIds, raced?.equivalencePercent).map((r) => {
    // A record that recommends nothing (none valid, none within the SLO) has no chosen configuration.
    const chosen = r.valid === false || r.meetsSlo === false ? null : (byKey.get(`${r.runId}|${r.key}`) ?? null);
    const where = multiRun && r.runId ? ` on ${labelOf.get(r.runId)}` : '';
    const chosenRun = r.runId ? runById.get(r.runId) : runs[0];
    return {
      model: r.model,
      chosen,
      runId: r.runId ?? null,
      baselineKey: r.baselineKey ?? null,
      savingPercent: r.savingPercent ?? null,
      whPer1kSamples: r.whPer1kSamples ?? null,
      kWhPer1kRequests: r.kWhPer1kRequests ?? null,
      gCO2ePer1kSamples: r.gCO2ePer1kSamples ?? null,
      runnerUp: r.runnerUp ?? null,
      machine: multiRun && r.runId ? (labelOf.get(r.runId) ?? r.runId) : null,
      estimated: chosen?.energy?.estimated === true,
      cost: chosen && chosenRun ? costOf(chosen, chosenRun, prices) : null,
      cheapest: chosen && chosenRun ? cheaperThan(chosen, costOf(chosen, chosenRun, prices), { all, runIds, runById, labelOf, multiRun, prices, sloP99Ms }) : null,
      caveats: [...(r.caveats ?? []), ...mixedCaveat(r.model, all, runIds, labelOf)],
      summary: where ? (r.summary ?? r.reason).replace(/:/, `${where}:`) : (r.summary ?? r.reason),
    };
  });

  // Carbon of the chosen configurations under every grid the runs name (their own first).
  const carbonByRegion: CarbonByRegion[] = [];
  const grids = new Map<string, number>();
  const sources = new Map<string, string>();
  for (const run of runs) {
    grids.set(run.carbon.region, run.carbon.gridIntensityGPerKWh);
    sources.set(run.carbon.region, provenanceLine(run.carbon));
    for (const [region, intensity] of Object.entries(run.carbon.regions ?? {})) {
      grids.set(region, intensity);
      sources.set(region, run.carbon.regionSources?.[region] ?? 'given by the user');
    }
  }
  if (grids.size > 1) {
    const pue = runs[0]!.carbon.pue;
    for (const [region, gridIntensityGPerKWh] of grids) {
      const source = sources.get(region) ?? 'given by the user';
      const row: Record<string, number> = {};
      for (const r of recommendations) {
        // Several machines: the column names the machine of each chosen configuration.
        if (r.whPer1kSamples !== null && r.chosen) row[r.machine ? `${r.chosen.key} on ${r.machine}` : r.chosen.key] = (r.whPer1kSamples / 1000) * gridIntensityGPerKWh * pue;
      }
      carbonByRegion.push({ region, gridIntensityGPerKWh, source, gCO2ePer1kSamples: row });
    }
  }

  // Cold start (the first configuration of a session paid for creating it; the others only for their first run)
  // and, when prices are given, cost per million samples.
  const coldStart: ColdStartRow[] = [];
  all.forEach((m, i) => {
    if (m.status !== 'ok' || !m.coldStart || !m.energy) return;
    const run = runById.get(runIds[i]!)!;
    const cost = costOf(m, run, prices);
    coldStart.push({
      key: m.key,
      runId: run.runId,
      machine: labelOf.get(run.runId) ?? run.runId,
      estimated: m.energy.estimated,
      sessionCreateMs: m.coldStart.sessionShared ? 0 : m.coldStart.sessionCreateMs,
      coldEnergyJ: m.coldStart.energyJ,
      joulesPerSample: m.energy.joulesPerSample,
      breakEvenSamples: m.energy.joulesPerSample > 0 ? m.coldStart.energyJ / m.energy.joulesPerSample : null,
      costPerMillionSamples: cost?.perMillionSamples ?? null,
      cost,
    });
  });

  return {
    runs,
    machines,
    multiRun,
    estimatedOnly: runs.length > 0 && runs.every((run) => run.meters.length > 0 && run.meters.every((m) => m.estimated)),
    sloP99Ms,
    recommendations,
    carbonByRegion,
    coldStart,
    prices,
  };
}

// The configuration of the same model, valid, within the SLO and the fidelity bound, that costs least per million
// inferences, when it is not the chosen one.
function cheaperThan(
  chosen: Measurement,
  chosenCost: ReturnType<typeof costOf>,
  context: { all: Measurement[]; runIds: string[]; runById: Map<string, RunResult>; labelOf: Map<string, string>; multiRun: boolean; prices: Prices | null; sloP99Ms: number | null },
): ModelRecommendation['cheapest'] {
  if (!chosenCost) return null;
  let best: NonNullable<ModelRecommendation['cheapest']> | null = null;
  context.all.forEach((m, i) => {
    if (m === chosen || m.model.name !== chosen.model.name || m.status !== 'ok' || !m.energy || !m.latencyMs || !m.validity.valid) return;
    if (m.fidelity?.withinBounds === false || (context.sloP99Ms !== null && m.latencyMs.p99 > context.sloP99Ms)) return;
    const runId = context.runIds[i]!;
    const cost = costOf(m, context.runById.get(runId)!, context.prices);
    // Only costs on the same basis: a machine without an hour price is not cheaper, only priced differently.
    if (!cost || (cost.hardware === null) !== (chosenCost.hardware === null)) return;
    if (cost.perMillionSamples >= (best?.cost.perMillionSamples ?? chosenCost.perMillionSamples)) return;
    best = { key: m.key, machine: context.multiRun ? (context.labelOf.get(runId) ?? runId) : null, estimated: m.energy.estimated, cost };
  });
  return best;
}

/**
 * The caveat of a model whose configurations were measured on some machines and estimated on others: the ranking
 * across them compares a model of power with a measurement of it.
 */
function mixedCaveat(model: string, all: Measurement[], runIds: string[], labelOf: Map<string, string>): string[] {
  const estimated = new Set<string>();
  const measured = new Set<string>();
  all.forEach((m, i) => {
    if (m.model.name !== model || m.status !== 'ok' || !m.energy) return;
    (m.energy.estimated ? estimated : measured).add(labelOf.get(runIds[i]!) ?? runIds[i]!);
  });
  if (estimated.size === 0 || measured.size === 0) return [];
  return [`ranked across ESTIMATED energy (${[...estimated].join(', ')}) and measured energy (${[...measured].join(', ')}): not like for like`];
}
