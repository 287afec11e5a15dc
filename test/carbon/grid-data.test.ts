// The bundled Electricity Maps tables: zone lists per year, case-insensitive look-ups, and the "nearest" answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { electricityMaps } from '@tgwf/co2/data';
import { bundledPackage, bundledYears, bundledZones, electricityMapsSource, latestBundledYear, lookupZone, nearestNames, nearestZones } from '../../src/carbon/grid-data.js';

describe('bundledZones', () => {
  it('lists every zone of the year\'s table, FR and a sub-national zone among them', () => {
    for (const year of bundledYears) {
      const zones = bundledZones(year);
      assert.deepEqual(zones, Object.keys(electricityMaps[`yearly${year}`]!.data));
      assert.ok(zones.includes('FR') && zones.includes('US-CAL-CISO'), String(year));
    }
  });

  it('defaults to the latest bundled year, which is the last of the list', () => {
    assert.equal(latestBundledYear, bundledYears[bundledYears.length - 1]);
    assert.deepEqual(bundledZones(), bundledZones(latestBundledYear));
  });

  it('every listed zone can be looked up again', () => {
    for (const zone of bundledZones()) assert.equal(lookupZone(zone)?.zone, zone);
  });
});

describe('lookupZone', () => {
  it('FR in 2025 and 2021: 31 and 60 gCO2e/kWh with the source and licence of the package', () => {
    assert.deepEqual(lookupZone('FR'), {
      zone: 'FR', zoneName: 'France', gridIntensityGPerKWh: 31, year: 2025, kind: 'average',
      source: 'Electricity Maps yearly average (via @tgwf/co2@0.19.0)', licence: 'ODbL 1.0 (attribute Electricity Maps; share alike)',
    });
    assert.equal(lookupZone('FR', 2021)?.gridIntensityGPerKWh, 60);
    assert.equal(lookupZone('FR', 2021)?.year, 2021);
  });

  it('is case-insensitive and answers with the table\'s spelling', () => {
    assert.equal(lookupZone('fr')?.zone, 'FR');
    assert.equal(lookupZone('us-cal-ciso')?.zone, 'US-CAL-CISO');
  });

  it('an unknown zone, an empty name or a zone name (not a code) is null', () => {
    assert.equal(lookupZone('XX'), null);
    assert.equal(lookupZone(''), null);
    assert.equal(lookupZone('France'), null);
  });

  it('the source names the pinned package', () => {
    assert.ok(electricityMapsSource.source.includes(bundledPackage));
    assert.equal(bundledPackage, '@tgwf/co2@0.19.0');
  });
});

describe('nearestZones', () => {
  it('a near miss of a code puts that code first, written "CODE (name)"', () => {
    // "FRA" → "FR" is one deletion; no other zone is that close.
    const nearest = nearestZones('FRA');
    assert.equal(nearest.length, 3);
    assert.equal(nearest[0], 'FR (France)');
    for (const entry of nearest) assert.match(entry, /^[A-Z-]+(-[A-Z0-9]+)* \(.+\)$/);
  });

  it('a zone name matches by name too, whatever its case', () => {
    // "FRANCE" against the zone name "France": distance 0.
    assert.equal(nearestZones('france')[0], 'FR (France)');
    assert.equal(nearestZones('Poland', 2024)[0], 'PL (Poland)');
  });
});

describe('nearestNames', () => {
  const candidates = ['GREY', 'GRAYS', 'BLUE', 'gray'];

  it('orders by edit distance, case-insensitively, then by name', () => {
    // GRAY → gray 0, GREY 1 (A→E), GRAYS 1 (+S), BLUE 4 (every letter); the tie GRAYS/GREY goes alphabetically.
    assert.deepEqual(nearestNames('GRAY', candidates), ['gray', 'GRAYS', 'GREY']);
  });

  it('keeps `limit` names', () => {
    assert.deepEqual(nearestNames('GRAY', candidates, 1), ['gray']);
    assert.deepEqual(nearestNames('GRAY', candidates, 10), ['gray', 'GRAYS', 'GREY', 'BLUE']);
    assert.deepEqual(nearestNames('GRAY', candidates, 0), []);
  });

  it('no candidates, no names; an empty name is nearest to the shortest candidates', () => {
    assert.deepEqual(nearestNames('GRAY', []), []);
    // Distances from "" are the lengths: GREY 4, GRAYS 5, BLUE 4, gray 4 → the three four-letter names, GRAYS last.
    const fromEmpty = nearestNames('', candidates, 4);
    assert.equal(fromEmpty.at(-1), 'GRAYS');
    assert.deepEqual(new Set(fromEmpty.slice(0, 3)), new Set(['GREY', 'BLUE', 'gray']));
  });

  it('does not change the candidate list', () => {
    const list = ['b', 'a'];
    nearestNames('a', list);
    assert.deepEqual(list, ['b', 'a']);
  });
});
