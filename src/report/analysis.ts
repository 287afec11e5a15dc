// One analysis of one or several runs, shared by every report format (terminal, Markdown, HTML, charts).
import { provenanceLine } from '../carbon/types.js';
import { recommend } from '../results/recommend.js';
import type { Measurement, RunResult } from '../results/types.js';
import type { CarbonByRegion, ColdStartRow, MachineSummary, ModelRecommendation, ReportAnalysis } from './analysis-types.js';

/** Prices for the cost columns (procurement): electricity per kWh, and hardware per hour by host name or run id. */
export interface AnalysisOptions {
  /** Overrides the runs' SLO (`--slo-p99-ms`). */
  sloP99Ms?: number | null;
  electricityPricePerKWh?: number | null;
  pricePerHour?: Record<string, number>;
}

const joulesPerKWh = 3_600_000;

/** "AMD EPYC ×2 · NVIDIA H100 80GB" — what a reader calls this machine. */
export function machineLabel(run: RunResult): string {
  const host = run.environment.host;
  const gpus = run.environment.accelerators.map((a) => a.name);
  return [`${host.cpu.model} ×${host.cpu.cores}`, ...new Set(gpus)].join(' · ');
}

/** Analyse runs for reporting. Several runs are compared side by side (several machines → one report). */
export function analyseRuns(runs: RunResult[], options: AnalysisOptions = {}): ReportAnalysis {
  const sloP99Ms = options.sloP99Ms !== undefined ? options.sloP99Ms : (runs.map((run) => (run.scenario.resolved as { slo?: { p99Ms?: number | null } })?.slo?.p99Ms ?? null).find((v) => v !== null) ?? null);
  const multiRun = runs.length > 1;
  const machines: MachineSummary[] = runs.map((run) => ({ runId: run.runId, label: machineLabel(run), estimated: run.meters.some((m) => m.estimated) }));
  const labelOf = new Map(machines.map((machine) => [machine.runId, machine.label]));

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
      caveats: r.caveats ?? [],
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
        if (r.whPer1kSamples !== null && r.chosen) row[r.chosen.key] = (r.whPer1kSamples / 1000) * gridIntensityGPerKWh * pue;
      }
      carbonByRegion.push({ region, gridIntensityGPerKWh, source, gCO2ePer1kSamples: row });
    }
  }

  // Cold start (the first configuration of a session paid for creating it; the others only for their first run)
  // and, when prices are given, cost per million samples.
  const coldStart: ColdStartRow[] = [];
  all.forEach((m, i) => {
    if (m.status !== 'ok' || !m.coldStart || !m.energy) return;
    const run = runs.find((candidate) => candidate.runId === runIds[i])!;
    const hourPrice = options.pricePerHour?.[run.environment.host.hostname] ?? options.pricePerHour?.[run.runId] ?? 0;
    const electricity = options.electricityPricePerKWh ?? null;
    const samplesPerSecond = m.throughput?.samplesPerSecond.mean ?? 0;
    coldStart.push({
      key: m.key,
      runId: run.runId,
      sessionCreateMs: m.coldStart.sessionShared ? 0 : m.coldStart.sessionCreateMs,
      coldEnergyJ: m.coldStart.energyJ,
      joulesPerSample: m.energy.joulesPerSample,
      breakEvenSamples: m.energy.joulesPerSample > 0 ? m.coldStart.energyJ / m.energy.joulesPerSample : null,
      costPerMillionSamples:
        electricity === null && hourPrice === 0
          ? null
          : ((m.energy.joulesPerSample * 1e6) / joulesPerKWh) * (electricity ?? 0) + (samplesPerSecond > 0 ? (1e6 / samplesPerSecond / 3600) * hourPrice : 0),
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
  };
}
