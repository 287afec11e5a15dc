// Yearly grid carbon intensity by zone, bundled offline from the pinned npm package @tgwf/co2.
import { electricityMaps } from '@tgwf/co2/data';

/** The package and exact version the bundled numbers come from (pinned in package.json). */
export const bundledPackage = '@tgwf/co2@0.19.0';

/** Years of Electricity Maps yearly averages that @tgwf/co2 0.19.0 ships. */
export const bundledYears = [2021, 2022, 2023, 2024, 2025] as const;
export type BundledYear = (typeof bundledYears)[number];

/** The newest bundled year, used when the scenario names none. */
export const latestBundledYear: BundledYear = 2025;

/** Where a bundled number comes from; printed next to every figure that uses it. */
export const electricityMapsSource = {
  source: 'Electricity Maps yearly average (via @tgwf/co2@0.19.0)',
  licence: 'ODbL 1.0 (attribute Electricity Maps; share alike)',
  methodologyUrl: 'https://www.electricitymaps.com/data/methodology',
} as const;

/** One zone's yearly average intensity with its provenance. */
export interface ZoneIntensity {
  zone: string;
  zoneName: string;
  gridIntensityGPerKWh: number;
  year: BundledYear;
  kind: 'average';
  source: string;
  licence: string;
}

// Zone codes keyed by upper case, so `fr` and `us-cal-ciso` find FR and US-CAL-CISO.
function yearTable(year: BundledYear): Record<string, { zone: { zoneName: string }; carbonIntensity: { value: number } }> {
  const table = electricityMaps[`yearly${year}`];
  if (!table) throw new Error(`@tgwf/co2 has no Electricity Maps table for ${year}`);
  return table.data;
}

/** Every zone code the bundled data knows for a year (ISO country codes and sub-national zones). */
export function bundledZones(year: BundledYear = latestBundledYear): string[] {
  return Object.keys(yearTable(year));
}

/** The bundled yearly average of a zone (case-insensitive), or null when the data lacks it. */
export function lookupZone(zone: string, year: BundledYear = latestBundledYear): ZoneIntensity | null {
  const table = yearTable(year);
  const key = Object.keys(table).find((name) => name.toUpperCase() === zone.toUpperCase());
  const entry = key === undefined ? undefined : table[key];
  if (key === undefined || !entry) return null;
  return {
    zone: key,
    zoneName: entry.zone.zoneName,
    gridIntensityGPerKWh: entry.carbonIntensity.value,
    year,
    kind: 'average',
    source: electricityMapsSource.source,
    licence: electricityMapsSource.licence,
  };
}

/** Up to 3 bundled zones closest to `name` by code or by zone name, written "FR (France)". */
export function nearestZones(name: string, year: BundledYear = latestBundledYear): string[] {
  const wanted = name.toUpperCase();
  return Object.entries(yearTable(year))
    .map(([zone, entry]) => ({ zone, zoneName: entry.zone.zoneName, distance: Math.min(editDistance(wanted, zone.toUpperCase()), editDistance(wanted, entry.zone.zoneName.toUpperCase())) }))
    .sort((a, b) => a.distance - b.distance || a.zone.localeCompare(b.zone))
    .slice(0, 3)
    .map((entry) => `${entry.zone} (${entry.zoneName})`);
}

/** Up to `limit` names closest to `name` (edit distance, then shared prefix), for "did you mean" answers. */
export function nearestNames(name: string, candidates: readonly string[], limit = 3): string[] {
  const wanted = name.toUpperCase();
  return candidates
    .map((candidate) => ({ candidate, distance: editDistance(wanted, candidate.toUpperCase()) }))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map((entry) => entry.candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
