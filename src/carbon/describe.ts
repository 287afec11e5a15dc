// Sentences that say where a carbon figure comes from; shared by every report and the terminal.
import type { CarbonSpec, HourlyCarbon } from './types.js';
import { provenanceLine } from './types.js';

function sig3(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(3))) : '—';
}

function hh(hourUtc: number): string {
  return `${String(hourUtc).padStart(2, '0')}:00`;
}

/** "31 gCO2e/kWh × PUE 1, region FR — Electricity Maps yearly average (via @tgwf/co2@0.19.0), average, 2025; licence …". */
export function carbonBasisLine(carbon: CarbonSpec): string {
  const defaults = carbon.defaulted.filter((key) => key !== 'gridIntensityGPerKWh' || carbon.basis === 'default');
  const defaulted = defaults.length > 0 ? ` (defaults: ${defaults.join(', ')})` : '';
  return `${carbon.gridIntensityGPerKWh} gCO2e/kWh × PUE ${carbon.pue}, region ${carbon.region}${defaulted} — ${provenanceLine(carbon)}`;
}

/** Lines about the hourly integration (empty without an intensity file). */
export function hourlyLines(carbon: CarbonSpec & { hourly?: HourlyCarbon }): string[] {
  const file = carbon.intensityFile;
  const hourly = carbon.hourly;
  if (carbon.hourlyFallback) return [`Hourly intensity not used (fallback): ${carbon.hourlyFallback}.`];
  if (!file || !hourly) return [];
  const lines = [
    `Hourly intensity from ${file.path} (${file.use}, ${file.rows} rows ${file.firstAt} – ${file.lastAt}, ${carbon.kind ?? 'average'}): the run's ${sig3(hourly.energyKWh * 1000)} Wh over ${sig3(hourly.durationS)} s met ${sig3(hourly.meanGPerKWh)} gCO2e/kWh on average, ${sig3(hourly.gCO2e)} gCO2e in all; gCO2e per 1,000 samples use each configuration's own hours.`,
  ];
  const best = hourly.bestStartHoursUtc;
  if (best && best.length > 0) {
    const actual = hourly.gCO2e;
    const hours = best.map((entry) => `${hh(entry.hourUtc)} (${sig3(entry.gCO2e)} g, ${actual > 0 ? `${sig3(((entry.gCO2e - actual) / actual) * 100)}%` : '—'})`).join(', ');
    lines.push(`Cleanest start hours (UTC) for a nightly run this long: ${hours}${hourly.startHourUtc === undefined ? '' : `, against ${sig3(actual)} g starting at ${hh(hourly.startHourUtc)}`}.`);
  }
  return lines;
}
