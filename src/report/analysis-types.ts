// What every report format shows, computed once from one or several runs (src/report/analysis.ts).
import type { Measurement, RunResult } from '../results/types.js';

/** The answer for one model: what to deploy, what it saves, and why not the runner-up. */
export interface ModelRecommendation {
  model: string;
  /** The chosen configuration (most samples per joule within the SLO), or null when nothing ran. */
  chosen: Measurement | null;
  /** Run id of the chosen measurement (several runs may hold the same key). */
  runId: string | null;
  /** The FP32 batch-1 configuration it is compared with, when measured. */
  baselineKey: string | null;
  /** Energy per sample saved against the baseline, in % (positive = less energy). */
  savingPercent: number | null;
  whPer1kSamples: number | null;
  /** kWh per 1,000 requests (a request = one sample), the unit sustainability reporting uses. */
  kWhPer1kRequests: number | null;
  gCO2ePer1kSamples: number | null;
  /** The runner-up and one line on why it was not chosen. */
  runnerUp: { key: string; whyNot: string } | null;
  /** The machine of the chosen configuration (its label) when several machines are compared, else null. */
  machine: string | null;
  /** The chosen configuration's energy comes from an estimate meter. */
  estimated: boolean;
  /** Cost per million inferences (samples) of the chosen configuration, when prices were given (src/report/cost.ts). */
  cost: Cost | null;
  /**
   * When prices were given and another configuration within the SLO costs less per million inferences than the chosen
   * one (the recommendation ranks by samples per joule; hardware time can outweigh energy): that one.
   */
  cheapest?: { key: string; machine: string | null; estimated: boolean; cost: Cost } | null;
  /** Things the reader must know: estimated power, invalid measurement, within noise. */
  caveats: string[];
  /** One sentence: "Deploy mlp/int8/cpu/b32: 3.2× the samples per joule of fp32 b1 (−69% energy), p99 4.1 ms ≤ 20 ms SLO". */
  summary: string;
}

/** Carbon per 1,000 samples of the chosen configurations under several grid intensities. */
export interface CarbonByRegion {
  region: string;
  gridIntensityGPerKWh: number;
  /** Where the intensity comes from (bundled data with year and licence, or "given by the user"). */
  source: string;
  /** key → gCO2e per 1,000 samples. */
  gCO2ePer1kSamples: Record<string, number>;
}

/** What a million inferences cost on one machine, from the prices given (`--electricity-price`, `--price-per-hour`). */
export interface Cost {
  /** Electricity plus hardware time, in the currency of the prices given. */
  perMillionSamples: number;
  /** The electricity part: J/sample × 1e6 ÷ 3.6e6 J/kWh × price per kWh (null when no electricity price was given). */
  electricity: number | null;
  /** The hardware part: 1e6 ÷ samples/s ÷ 3600 s/h × price per hour (null when this machine has no hour price). */
  hardware: number | null;
}

/** Cold start against steady state (after how many samples the start-up energy is paid back), and cost. */
export interface ColdStartRow {
  key: string;
  runId: string;
  /** The machine's label (several machines: the table needs a machine column). */
  machine: string;
  /** This row's energy comes from an estimate meter. */
  estimated: boolean;
  /** Session creation time paid by this configuration (0 when it reused its group's session). */
  sessionCreateMs: number;
  coldEnergyJ: number;
  joulesPerSample: number;
  /** Samples whose steady-state energy equals the cold-start energy. */
  breakEvenSamples: number | null;
  /** Cost per million samples at the given electricity (and optional hardware hour) price, when prices were given. */
  costPerMillionSamples: number | null;
  /** The parts of that cost (null when no prices were given). */
  cost?: Cost | null;
}

/** One machine (run) in a multi-run report. */
export interface MachineSummary {
  runId: string;
  /** e.g. "AMD EPYC ×2 · NVIDIA H100 80GB". */
  label: string;
  estimated: boolean;
}

/** Everything a report renders. */
export interface ReportAnalysis {
  runs: RunResult[];
  machines: MachineSummary[];
  multiRun: boolean;
  /** True when every meter of every run was an estimate: the ranking is only as good as the estimate. */
  estimatedOnly: boolean;
  sloP99Ms: number | null;
  recommendations: ModelRecommendation[];
  carbonByRegion: CarbonByRegion[];
  coldStart: ColdStartRow[];
  /** The prices costs were computed from, or null when none were given. */
  prices?: Prices | null;
}

/** Prices for procurement: electricity per kWh, hardware per hour by machine (host name or run id). */
export interface Prices {
  electricityPerKWh: number | null;
  perHour: Record<string, number>;
}
