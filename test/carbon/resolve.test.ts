// resolveCarbon / overrideCarbon / resolveRegion beyond test/carbon/region.test.ts: the defaulted list, PUE, "world",
// aliases, the intensity-file record, flag overrides that keep the year, and every typed error naming its field.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { overrideCarbon, resolveCarbon, resolveRegion, worldDefaultGPerKWh, worldDefaultSource } from '../../src/carbon/resolve.js';
import { InputError } from '../../src/errors.js';
import { thrownInputError as thrown } from '../fixtures/errors.js';

const flags = { region: '--region', compareRegions: '--compare-regions', intensityFile: '--intensity-file' };

// Three hourly rows, and a full day of 24 for a daily profile.
const dir = mkdtempSync(path.join(os.tmpdir(), 'jb-resolve-'));
writeFileSync(path.join(dir, 'three.csv'), 'datetime,carbon_intensity\n2025-06-01T00:00Z,100\n2025-06-01T01:00Z,300\n2025-06-01T02:00Z,200\n');
writeFileSync(path.join(dir, 'day.csv'), Array.from({ length: 24 }, (_, h) => `2025-06-01T${String(h).padStart(2, '0')}:00Z,${100 + h}`).join('\n'));

describe('resolveCarbon: defaults', () => {
  it('no block: the world average, PUE 1, every value defaulted in a fixed order', () => {
    const spec = resolveCarbon(null, '/');
    assert.deepEqual(spec, {
      gridIntensityGPerKWh: worldDefaultGPerKWh, pue: 1, region: 'world', defaulted: ['gridIntensityGPerKWh', 'pue', 'region'],
      zone: null, basis: 'default', source: worldDefaultSource, year: null, licence: null, kind: 'average',
    });
  });

  it('region "world" written out is not a default region, but still the default intensity', () => {
    const spec = resolveCarbon({ region: 'World', pue: 1.5 }, '/');
    assert.deepEqual([spec.gridIntensityGPerKWh, spec.region, spec.pue, spec.defaulted], [475, 'world', 1.5, ['gridIntensityGPerKWh']]);
  });

  it('a user value without a region: region "world" defaulted, the kind kept', () => {
    const spec = resolveCarbon({ gridIntensityGPerKWh: 200, kind: 'marginal' }, '/');
    assert.deepEqual([spec.basis, spec.region, spec.defaulted, spec.kind, spec.zone], ['user', 'world', ['pue', 'region'], 'marginal', null]);
  });

  it('a bundled region keeps only PUE defaulted; a region and a PUE default nothing', () => {
    assert.deepEqual(resolveCarbon({ region: 'FR' }, '/').defaulted, ['pue']);
    assert.deepEqual(resolveCarbon({ region: 'FR', pue: 1.1 }, '/').defaulted, []);
  });

  it('no compared regions: no regions field at all', () => {
    assert.equal('regions' in resolveCarbon({ region: 'FR' }, '/'), false);
  });
});

describe('resolveRegion', () => {
  it('a zone code: no alias; a cloud alias: the alias as written, trimmed', () => {
    assert.deepEqual([resolveRegion(' fr ', 2025, 'f').zone, resolveRegion('fr', 2025, 'f').alias], ['FR', null]);
    const alias = resolveRegion(' AWS:eu-west-3 ', 2024, 'f');
    assert.deepEqual([alias.zone, alias.alias, alias.gridIntensityGPerKWh, alias.year], ['FR', 'AWS:eu-west-3', 33, 2024]);
  });

  it('an unknown name names the field given, the year and the nearest zones, with a hint', () => {
    const error = thrown(() => resolveRegion('Frnce', 2023, 'ci.yaml: carbon.regions'));
    assert.equal(error.code, 'CARBON_REGION_UNKNOWN');
    assert.match(error.message, /^ci\.yaml: carbon\.regions: "Frnce" is not a grid zone in the bundled 2023 data \(Electricity Maps via @tgwf\/co2\); nearest: FR \(France\), /);
    assert.match(error.hint!, /ISO country code .* cloud region/);
  });
});

describe('resolveCarbon: intensity files', () => {
  it('records the absolute path, the rows and the first and last instants', () => {
    const spec = resolveCarbon({ region: 'FR', intensityFile: 'three.csv' }, dir);
    assert.deepEqual(spec.intensityFile, { path: path.join(dir, 'three.csv'), use: 'timeline', rows: 3, firstAt: '2025-06-01T00:00:00.000Z', lastAt: '2025-06-01T02:00:00.000Z' });
    assert.equal(spec.kind, 'average');
  });

  it('outside: yearly is recorded; the kind of the block applies to the file', () => {
    const spec = resolveCarbon({ intensityFile: 'three.csv', intensityFileOutside: 'yearly', kind: 'marginal' }, dir);
    assert.equal(spec.intensityFile?.outside, 'yearly');
    assert.equal(spec.kind, 'marginal');
    assert.equal('outside' in resolveCarbon({ intensityFile: 'three.csv', intensityFileOutside: 'error' }, dir).intensityFile!, false);
  });

  it('a daily profile needs all 24 hours, checked when the scenario resolves', () => {
    assert.equal(resolveCarbon({ intensityFile: 'day.csv', intensityFileUse: 'daily-profile' }, dir).intensityFile?.rows, 24);
    const error = thrown(() => resolveCarbon({ intensityFile: 'three.csv', intensityFileUse: 'daily-profile' }, dir, { intensityFile: 's.yaml: carbon.intensityFile' }));
    assert.equal(error.code, 'CARBON_PROFILE_INCOMPLETE');
    assert.match(error.message, /^s\.yaml: carbon\.intensityFile three\.csv: a daily profile needs every UTC hour 0–23; hours 3, 4, /);
  });
});

describe('overrideCarbon', () => {
  it('no overrides: an equal spec, not the same object, and its defaulted list copied', () => {
    const spec = resolveCarbon({ region: 'FR' }, '/');
    const same = overrideCarbon(spec, {}, '/', flags);
    assert.deepEqual(same, spec);
    assert.notEqual(same.defaulted, spec.defaulted);
  });

  it('--region keeps the year of a bundled scenario (PL in 2024 is 581, not 2025\'s 565)', () => {
    const spec = overrideCarbon(resolveCarbon({ region: 'FR', year: 2024 }, '/'), { region: 'PL' }, '/', flags);
    assert.deepEqual([spec.gridIntensityGPerKWh, spec.year, spec.zone, spec.region], [581, 2024, 'PL', 'PL']);
  });

  it('--region world on the default: region no longer defaulted, the default intensity kept', () => {
    const spec = overrideCarbon(resolveCarbon(undefined, '/'), { region: 'world' }, '/', flags);
    assert.deepEqual([spec.region, spec.gridIntensityGPerKWh, spec.basis, spec.defaulted], ['world', 475, 'default', ['pue']]);
  });

  it('--region on a user value relabels it and keeps gridIntensityGPerKWh out of the defaults', () => {
    const spec = overrideCarbon(resolveCarbon({ gridIntensityGPerKWh: 90 }, '/'), { region: 'Lab 3' }, '/', flags);
    assert.deepEqual([spec.region, spec.gridIntensityGPerKWh, spec.defaulted], ['Lab 3', 90, ['pue']]);
  });

  it('--compare-regions adds to the scenario\'s regions with provenance; user entries keep theirs', () => {
    const spec = overrideCarbon(resolveCarbon({ regions: { lab: 10 } }, '/'), { compareRegions: ['FR'] }, '/', flags);
    assert.deepEqual(spec.regions, { lab: 10, FR: 31 });
    assert.equal(spec.regionSources!.lab, 'given by the user');
    assert.match(spec.regionSources!.FR!, /, average, 2025, zone FR; licence ODbL/);
  });

  it('--intensity-file resolves against the working folder and replaces the scenario\'s file', () => {
    const base = resolveCarbon({ intensityFile: 'three.csv' }, dir);
    const spec = overrideCarbon(base, { intensityFile: { path: 'day.csv', use: 'daily-profile' } }, dir, flags);
    assert.deepEqual(spec.intensityFile, { path: path.join(dir, 'day.csv'), use: 'daily-profile', rows: 24, firstAt: '2025-06-01T00:00:00.000Z', lastAt: '2025-06-01T23:00:00.000Z' });
  });

  it('a missing or incomplete --intensity-file names the flag', () => {
    const missing = thrown(() => overrideCarbon(resolveCarbon(undefined, '/'), { intensityFile: { path: 'nope.csv', use: 'timeline' } }, dir, flags));
    assert.equal(missing.code, 'CARBON_FILE_MISSING');
    assert.match(missing.message, /^--intensity-file nope\.csv: cannot read the intensity file \(ENOENT\)/);
    const incomplete = thrown(() => overrideCarbon(resolveCarbon(undefined, '/'), { intensityFile: { path: 'three.csv', use: 'daily-profile' } }, dir, flags));
    assert.equal(incomplete.code, 'CARBON_PROFILE_INCOMPLETE');
  });
});
