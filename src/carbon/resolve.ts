// Turn a scenario's `carbon:` block into intensities with provenance: bundled zone, cloud alias, user value or default.
import path from 'node:path';
import { InputError } from '../errors.js';
import { cloudRegions } from './cloud-regions.js';
import { bundledYears, latestBundledYear, lookupZone, nearestNames, nearestZones, type BundledYear, type ZoneIntensity } from './grid-data.js';
import { dailyProfile, readIntensityFile } from './intensity-file.js';
import { provenanceLine, type CarbonSpec } from './types.js';

/** CodeCarbon's world-average fallback; used, and labelled a default, when no region or intensity is given. */
export const worldDefaultGPerKWh = 475;
/** How the default is labelled wherever it appears. */
export const worldDefaultSource = 'default: world average 475 gCO2e/kWh (CodeCarbon\'s fallback); set carbon.region for your grid';

/** The `carbon:` block as validated by the scenario schema (every field optional). */
export interface CarbonInput {
  gridIntensityGPerKWh?: number | null;
  pue?: number | null;
  region?: string | null;
  year?: number | null;
  kind?: 'average' | 'marginal' | null;
  regions?: Record<string, number> | string[] | null;
  intensityFile?: string | null;
  intensityFileUse?: 'timeline' | 'daily-profile' | null;
  intensityFileOutside?: 'error' | 'yearly' | null;
}

/** Where a name came from, for error messages: a scenario field or a CLI flag. */
export interface CarbonFieldNames {
  region: string;
  regions: string;
  intensityFile: string;
}

const defaultFieldNames: CarbonFieldNames = { region: 'carbon.region', regions: 'carbon.regions', intensityFile: 'carbon.intensityFile' };

/** The grid zone behind a region name: a zone code or a `provider:region` alias. Throws with the nearest names. */
export function resolveRegion(name: string, year: BundledYear, field: string): ZoneIntensity & { alias: string | null } {
  const trimmed = name.trim();
  const alias = cloudRegions[trimmed.toLowerCase()];
  const zone = alias ? alias.zone : trimmed;
  const found = lookupZone(zone, year);
  if (found) return { ...found, alias: alias ? trimmed : null };
  const nearest = trimmed.includes(':') ? nearestNames(trimmed, Object.keys(cloudRegions)) : nearestZones(trimmed, year);
  throw new InputError('CARBON_REGION_UNKNOWN', `${field}: "${name}" is not a grid zone in the bundled ${year} data (Electricity Maps via @tgwf/co2)${alias ? '' : `; nearest: ${nearest.join(', ')}`}`, {
    hint: 'use an ISO country code (FR, PL), a grid zone (US-CAL-CISO, AU-NSW) or a cloud region (aws:eu-west-3, gcp:europe-west1, azure:westeurope); docs/carbon.md lists them',
  });
}

function bundledYear(year: number | null | undefined): BundledYear {
  if (year == null) return latestBundledYear;
  const match = bundledYears.find((y) => y === year);
  if (match === undefined) {
    throw new InputError('CARBON_YEAR_UNKNOWN', `carbon.year: ${year} is not a bundled year (${bundledYears.join(', ')})`, { hint: `omit carbon.year for ${latestBundledYear}, or pick one of the bundled years` });
  }
  return match;
}

function label(found: ZoneIntensity): string {
  return provenanceLine({ basis: 'bundled', source: found.source, kind: found.kind, year: found.year, licence: found.licence, zone: found.zone, region: '' });
}

/** Resolve the block; `baseDir` anchors a relative intensity file; `fields` names the flags when they set the values. */
export function resolveCarbon(input: CarbonInput | null | undefined, baseDir: string, fields: Partial<CarbonFieldNames> = {}): CarbonSpec {
  const names = { ...defaultFieldNames, ...fields };
  const carbon = input ?? {};
  const defaulted: CarbonSpec['defaulted'] = [];
  const year = bundledYear(carbon.year);
  const pue = carbon.pue ?? (defaulted.push('pue'), 1.0);
  let spec: CarbonSpec;
  if (carbon.gridIntensityGPerKWh != null) {
    // An explicit number wins; the region is then only a label.
    const region = carbon.region ?? (defaulted.push('region'), 'world');
    spec = { gridIntensityGPerKWh: carbon.gridIntensityGPerKWh, pue, region, defaulted, zone: null, basis: 'user', source: 'given by the user', year: null, licence: null, kind: carbon.kind ?? 'average' };
  } else if (carbon.region != null && carbon.region.toLowerCase() !== 'world') {
    const found = resolveRegion(carbon.region, year, names.region);
    spec = { gridIntensityGPerKWh: found.gridIntensityGPerKWh, pue, region: carbon.region, defaulted, zone: found.zone, basis: 'bundled', source: found.source, year: found.year, licence: found.licence, kind: 'average' };
  } else {
    if (carbon.region == null) defaulted.push('region');
    defaulted.push('gridIntensityGPerKWh');
    spec = { gridIntensityGPerKWh: worldDefaultGPerKWh, pue, region: 'world', defaulted, zone: null, basis: 'default', source: worldDefaultSource, year: null, licence: null, kind: 'average' };
  }
  defaulted.sort((a, b) => ['gridIntensityGPerKWh', 'pue', 'region'].indexOf(a) - ['gridIntensityGPerKWh', 'pue', 'region'].indexOf(b));

  if (carbon.regions) {
    const regions: Record<string, number> = {};
    const regionSources: Record<string, string> = {};
    if (Array.isArray(carbon.regions)) {
      for (const name of carbon.regions) {
        const found = resolveRegion(name, year, names.regions);
        regions[name] = found.gridIntensityGPerKWh;
        regionSources[name] = label(found);
      }
    } else {
      for (const [name, value] of Object.entries(carbon.regions)) {
        regions[name] = value;
        regionSources[name] = 'given by the user';
      }
    }
    spec.regions = regions;
    spec.regionSources = regionSources;
  }

  if (carbon.intensityFile != null) {
    const absolute = path.resolve(baseDir, carbon.intensityFile);
    const timeline = readIntensityFile(absolute, `${names.intensityFile} ${carbon.intensityFile}`);
    if ((carbon.intensityFileUse ?? 'timeline') === 'daily-profile') dailyProfile(timeline);
    spec.intensityFile = {
      path: absolute,
      use: carbon.intensityFileUse ?? 'timeline',
      ...(carbon.intensityFileOutside === 'yearly' ? { outside: 'yearly' as const } : {}),
      rows: timeline.points.length,
      firstAt: new Date(timeline.points[0]!.atMs).toISOString(),
      lastAt: new Date(timeline.points[timeline.points.length - 1]!.atMs).toISOString(),
    };
    if (carbon.kind) spec.kind = carbon.kind;
  }
  return spec;
}

/** What the CLI flags ask for, on top of a resolved scenario. */
export interface CarbonOverrides {
  region?: string;
  compareRegions?: string[];
  intensityFile?: { path: string; use: 'timeline' | 'daily-profile' };
}

/** Apply `--region`, `--compare-regions` and `--intensity-file/--intensity-profile` to a resolved spec; an explicit user intensity still wins. */
export function overrideCarbon(spec: CarbonSpec, overrides: CarbonOverrides, cwd: string, flags: { region: string; compareRegions: string; intensityFile: string }): CarbonSpec {
  let next: CarbonSpec = { ...spec, defaulted: [...spec.defaulted] };
  const year = (next.basis === 'bundled' && next.year != null ? next.year : latestBundledYear) as BundledYear;
  if (overrides.region !== undefined) {
    const defaulted = next.defaulted.filter((key) => key !== 'region' && (next.basis === 'user' || key !== 'gridIntensityGPerKWh'));
    if (next.basis === 'user') {
      next = { ...next, region: overrides.region, defaulted };
    } else if (overrides.region.toLowerCase() === 'world') {
      next = { ...next, region: 'world', defaulted };
    } else {
      const found = resolveRegion(overrides.region, year, flags.region);
      next = { ...next, gridIntensityGPerKWh: found.gridIntensityGPerKWh, region: overrides.region, defaulted, zone: found.zone, basis: 'bundled', source: found.source, year: found.year, licence: found.licence, kind: 'average' };
    }
  }
  if (overrides.compareRegions !== undefined) {
    const regions = { ...(next.regions ?? {}) };
    const regionSources = { ...(next.regionSources ?? {}) };
    for (const name of overrides.compareRegions) {
      const found = resolveRegion(name, year, flags.compareRegions);
      regions[name] = found.gridIntensityGPerKWh;
      regionSources[name] = label(found);
    }
    next = { ...next, regions, regionSources };
  }
  if (overrides.intensityFile !== undefined) {
    const absolute = path.resolve(cwd, overrides.intensityFile.path);
    const timeline = readIntensityFile(absolute, `${flags.intensityFile} ${overrides.intensityFile.path}`);
    if (overrides.intensityFile.use === 'daily-profile') dailyProfile(timeline);
    next = {
      ...next,
      intensityFile: {
        path: absolute, use: overrides.intensityFile.use, rows: timeline.points.length,
        firstAt: new Date(timeline.points[0]!.atMs).toISOString(), lastAt: new Date(timeline.points[timeline.points.length - 1]!.atMs).toISOString(),
      },
    };
  }
  return next;
}
