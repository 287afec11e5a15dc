// Emissions over the run's real timeline: each configuration's windows meet the intensity of their own hours.
import { assertCovers, bestStartHours, intensitySource, readIntensityFile, type IntensitySource } from './intensity-file.js';
import { InputError } from '../errors.js';
import type { CarbonSpec, HourlyCarbon } from './types.js';

/** The intensity source of a run (null without `carbon.intensityFile`) and, when the user asked for it, why the yearly figure is used instead. */
export function prepareRunIntensity(carbon: CarbonSpec, startMs: number): { source: IntensitySource | null; fallback: string | null } {
  const file = carbon.intensityFile;
  if (!file) return { source: null, fallback: null };
  const timeline = readIntensityFile(file.path, `carbon.intensityFile ${file.path}`);
  if (file.use === 'timeline') {
    try {
      assertCovers(timeline, startMs);
    } catch (error) {
      // Only a fallback the scenario asked for (intensityFileOutside: yearly); otherwise exit 2.
      if (file.outside !== 'yearly' || !(error instanceof InputError)) throw error;
      return { source: null, fallback: `${error.message}; the yearly intensity was used instead, as carbon.intensityFileOutside: yearly asks` };
    }
  }
  return { source: intensitySource(timeline, file.use), fallback: null };
}

/** One measured configuration: its energy and its windows in epoch ms. */
export interface TimedEnergy {
  key: string;
  energyJ: number;
  spansMs: ReadonlyArray<readonly [number, number]>;
}

const joulesPerKWh = 3_600_000;

/** How many of the cleanest start hours the result keeps. */
export const bestHoursKept = 3;

/** Integrate the run: Σ energy × mean intensity of its windows × PUE; with a daily profile, the best start hours. */
export function summariseHourly(configs: readonly TimedEnergy[], source: IntensitySource, pue: number): HourlyCarbon {
  const byConfiguration: Record<string, number> = {};
  let energyKWh = 0;
  let durationS = 0;
  let gCO2e = 0;
  let firstMs = Number.POSITIVE_INFINITY;
  for (const config of configs) {
    const meanG = source.meanOver(config.spansMs);
    byConfiguration[config.key] = meanG;
    const kWh = config.energyJ / joulesPerKWh;
    energyKWh += kWh;
    gCO2e += kWh * meanG * pue;
    durationS += config.spansMs.reduce((sum, [a, b]) => sum + Math.max(0, b - a), 0) / 1000;
    for (const [a] of config.spansMs) firstMs = Math.min(firstMs, a);
  }
  const hourly: HourlyCarbon = { energyKWh, durationS, gCO2e, meanGPerKWh: energyKWh > 0 ? gCO2e / (energyKWh * pue) : 0, byConfiguration };
  if (Number.isFinite(firstMs)) hourly.startHourUtc = new Date(firstMs).getUTCHours();
  if (source.profile && energyKWh > 0) hourly.bestStartHoursUtc = bestStartHours(source.profile, durationS, energyKWh, pue).slice(0, bestHoursKept);
  return hourly;
}
