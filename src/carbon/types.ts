// The carbon accounting inputs a scenario resolves to, with the provenance of every number.

/** Where the main grid intensity came from: the bundled data, the user, or the documented default. */
export type IntensityBasis = 'bundled' | 'user' | 'default';

/** An hourly intensity file as the scenario names it (the rows are read again at run start). */
export interface IntensityFileSpec {
  /** Absolute path of the CSV. */
  path: string;
  /** `timeline`: rows are real instants the run must fall inside; `daily-profile`: rows repeat every day by UTC hour. */
  use: 'timeline' | 'daily-profile';
  rows: number;
  firstAt: string;
  lastAt: string;
  /** A run that starts outside a timeline: `error` (exit 2, the default) or `yearly` (the yearly intensity, labelled). */
  outside?: 'error' | 'yearly';
}

/** Carbon accounting inputs. `defaulted` lists which values came from documented defaults. */
export interface CarbonSpec {
  gridIntensityGPerKWh: number;
  pue: number;
  /** The region as the user wrote it (`FR`, `aws:eu-west-3`), or `world` by default. */
  region: string;
  defaulted: Array<'gridIntensityGPerKWh' | 'pue' | 'region'>;
  /** The grid zone the region resolved to in the bundled data; null when not looked up. */
  zone?: string | null;
  basis?: IntensityBasis;
  /** Human-readable source of `gridIntensityGPerKWh` ("Electricity Maps yearly average (via @tgwf/co2@0.19.0)", "given by the user"). */
  source?: string;
  /** Year the intensity stands for; null when not a yearly figure. */
  year?: number | null;
  licence?: string | null;
  kind?: 'average' | 'marginal';
  /** Other grids to compare (name → gCO2e/kWh): reports add a carbon-by-region table. */
  regions?: Record<string, number>;
  /** Provenance of each entry of `regions` (same keys). */
  regionSources?: Record<string, string>;
  intensityFile?: IntensityFileSpec;
  /** Why the intensity file was not used for this run (only with `outside: yearly`): the labelled fallback. */
  hourlyFallback?: string;
}

/** One line saying where a carbon number comes from, for reports and the terminal. */
export function provenanceLine(carbon: Pick<CarbonSpec, 'basis' | 'source' | 'year' | 'licence' | 'kind' | 'zone' | 'region'>): string {
  // Results written before provenance was recorded carry no basis; their number was a user value or the default.
  if (carbon.basis === undefined) return 'source not recorded (result from an older joulebench)';
  const basis = carbon.basis;
  if (basis === 'user') return 'given by the user';
  if (basis === 'default') return carbon.source ?? 'default';
  const zone = carbon.zone ? `, zone ${carbon.zone}` : '';
  return `${carbon.source}, ${carbon.kind ?? 'average'}, ${carbon.year}${zone}; licence ${carbon.licence}`;
}

/** Emissions integrated over the run's real timeline with an intensity file (result.json `carbon.hourly`). */
export interface HourlyCarbon {
  /** Energy of every measured window of the run (facility overhead excluded). */
  energyKWh: number;
  /** Wall-clock seconds of those windows. */
  durationS: number;
  /** Σ window energy × intensity over the window × PUE. */
  gCO2e: number;
  /** gCO2e / (energyKWh × PUE): the intensity the run actually met. */
  meanGPerKWh: number;
  /** UTC hour the first window started in. */
  startHourUtc?: number;
  /** Configuration key → time-weighted mean gCO2e/kWh over its windows. */
  byConfiguration: Record<string, number>;
  /** With a daily profile: the run's emissions had it started at each UTC hour, lowest first (top 3). */
  bestStartHoursUtc?: Array<{ hourUtc: number; gCO2e: number }>;
}
