// --region FR / PL and cloud aliases give the bundled Electricity Maps yearly averages, with source and year.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { electricityMaps } from '@tgwf/co2/data';
import { cloudRegions } from '../../src/carbon/cloud-regions.js';
import { bundledYears, lookupZone } from '../../src/carbon/grid-data.js';
import { overrideCarbon, resolveCarbon } from '../../src/carbon/resolve.js';
import { InputError } from '../../src/errors.js';
import { parseScenario } from '../../src/scenario/schema.js';

const flags = { region: '--region', compareRegions: '--compare-regions', intensityFile: '--intensity-file' };

describe('bundled region intensity', () => {
  for (const zone of ['FR', 'PL']) {
    it(`${zone} matches @tgwf/co2's Electricity Maps table for every bundled year`, () => {
      for (const year of bundledYears) {
        const expected = electricityMaps[`yearly${year}`]!.data[zone]!.carbonIntensity.value;
        const spec = resolveCarbon({ region: zone, year }, '/');
        assert.equal(spec.gridIntensityGPerKWh, expected);
        assert.equal(spec.year, year);
        assert.equal(spec.zone, zone);
        assert.equal(spec.basis, 'bundled');
        assert.equal(spec.kind, 'average');
        assert.match(spec.source!, /Electricity Maps yearly average \(via @tgwf\/co2@0\.19\.0\)/);
        assert.match(spec.licence!, /ODbL/);
      }
    });
  }

  it('hand-checked values: FR 31 and PL 565 gCO2e/kWh in 2025, FR 33 and PL 581 in 2024 (data/electricity-maps yearly_2025.js, yearly_2024.js)', () => {
    assert.equal(resolveCarbon({ region: 'FR' }, '/').gridIntensityGPerKWh, 31);
    assert.equal(resolveCarbon({ region: 'PL' }, '/').gridIntensityGPerKWh, 565);
    assert.equal(resolveCarbon({ region: 'FR' }, '/').year, 2025);
    assert.equal(resolveCarbon({ region: 'FR', year: 2024 }, '/').gridIntensityGPerKWh, 33);
    assert.equal(resolveCarbon({ region: 'PL', year: 2024 }, '/').gridIntensityGPerKWh, 581);
  });

  it('--region FR and --region PL override the default with bundled data', () => {
    const base = resolveCarbon(undefined, '/');
    assert.equal(base.basis, 'default');
    assert.equal(base.gridIntensityGPerKWh, 475);
    assert.match(base.source!, /^default: world average/);
    const fr = overrideCarbon(base, { region: 'FR' }, '/', flags);
    assert.deepEqual([fr.gridIntensityGPerKWh, fr.year, fr.zone, fr.basis], [31, 2025, 'FR', 'bundled']);
    assert.deepEqual(fr.defaulted, ['pue']);
    const pl = overrideCarbon(base, { region: 'pl' }, '/', flags);
    assert.deepEqual([pl.gridIntensityGPerKWh, pl.zone], [565, 'PL']);
  });

  it('sub-national zones resolve case-insensitively', () => {
    const spec = resolveCarbon({ region: 'us-cal-ciso' }, '/');
    assert.equal(spec.zone, 'US-CAL-CISO');
    assert.equal(spec.gridIntensityGPerKWh, electricityMaps.yearly2025!.data['US-CAL-CISO']!.carbonIntensity.value);
  });

  it('an explicit intensity wins and is labelled "given by the user"', () => {
    const spec = resolveCarbon({ region: 'FR', gridIntensityGPerKWh: 100 }, '/');
    assert.deepEqual([spec.gridIntensityGPerKWh, spec.basis, spec.source, spec.year], [100, 'user', 'given by the user', null]);
    const flagged = overrideCarbon(spec, { region: 'PL' }, '/', flags);
    assert.deepEqual([flagged.gridIntensityGPerKWh, flagged.region, flagged.basis], [100, 'PL', 'user']);
  });

  it('every cloud alias maps to a zone the bundled data has and cites a provider page', () => {
    for (const [alias, entry] of Object.entries(cloudRegions)) {
      assert.ok(lookupZone(entry.zone), `${alias} → ${entry.zone} is not bundled`);
      assert.match(entry.citation, /^https:\/\/(docs\.aws\.amazon\.com|cloud\.google\.com|learn\.microsoft\.com)\//, alias);
    }
    const spec = resolveCarbon({ region: 'aws:eu-west-3' }, '/');
    assert.deepEqual([spec.zone, spec.gridIntensityGPerKWh, spec.region], ['FR', 31, 'aws:eu-west-3']);
    assert.equal(resolveCarbon({ region: 'gcp:europe-west1' }, '/').zone, 'BE');
    assert.equal(resolveCarbon({ region: 'azure:westeurope' }, '/').zone, 'NL');
  });

  it('carbon.regions as names and --compare-regions resolve with provenance', () => {
    const spec = resolveCarbon({ region: 'FR', regions: ['DE', 'PL'] }, '/');
    assert.deepEqual(spec.regions, { DE: electricityMaps.yearly2025!.data.DE!.carbonIntensity.value, PL: 565 });
    assert.match(spec.regionSources!.PL!, /Electricity Maps .*2025, zone PL; licence ODbL/);
    const more = overrideCarbon(spec, { compareRegions: ['US-CAL-CISO'] }, '/', flags);
    assert.deepEqual(Object.keys(more.regions!), ['DE', 'PL', 'US-CAL-CISO']);
    const given = resolveCarbon({ regions: { eu: 250 } }, '/');
    assert.deepEqual([given.regions, given.regionSources], [{ eu: 250 }, { eu: 'given by the user' }]);
  });
});

describe('bad regions', () => {
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof InputError);
      return { code: error.code, message: error.message, hint: error.hint };
    }
    assert.fail('expected an InputError');
  };

  it('an unknown region names the field and the nearest zones', () => {
    const error = codeOf(() => resolveCarbon({ region: 'FRA' }, '/', { region: 'quick.yaml: carbon.region' }));
    assert.equal(error.code, 'CARBON_REGION_UNKNOWN');
    assert.match(error.message, /^quick\.yaml: carbon\.region: "FRA" is not a grid zone in the bundled 2025 data/);
    assert.match(error.message, /nearest: .*FR/);
    assert.match(error.hint!, /docs\/carbon\.md/);
  });

  it('an unknown cloud alias suggests aliases', () => {
    const error = codeOf(() => overrideCarbon(resolveCarbon(undefined, '/'), { region: 'aws:eu-west-9' }, '/', flags));
    assert.equal(error.code, 'CARBON_REGION_UNKNOWN');
    assert.match(error.message, /^--region: "aws:eu-west-9".*nearest: aws:eu-west-\d/);
  });

  it('an unknown name in --compare-regions names the flag', () => {
    const error = codeOf(() => overrideCarbon(resolveCarbon(undefined, '/'), { compareRegions: ['FR', 'XX-NOPE'] }, '/', flags));
    assert.equal(error.code, 'CARBON_REGION_UNKNOWN');
    assert.match(error.message, /^--compare-regions: "XX-NOPE"/);
  });

  it('a year the package does not bundle', () => {
    const error = codeOf(() => resolveCarbon({ region: 'FR', year: 2019 }, '/'));
    assert.equal(error.code, 'CARBON_YEAR_UNKNOWN');
    assert.match(error.message, /carbon\.year: 2019 is not a bundled year \(2021, 2022, 2023, 2024, 2025\)/);
  });
});

describe('scenario carbon block', () => {
  it('parses region, names-only regions and year through parseScenario', () => {
    const scenario = parseScenario({ models: ['mlp'], carbon: { region: 'PL', year: 2024, regions: ['FR'] } }, { file: '/work/s.yaml', baseDir: '/work' });
    assert.deepEqual([scenario.carbon.gridIntensityGPerKWh, scenario.carbon.year, scenario.carbon.regions], [581, 2024, { FR: 33 }]);
  });

  it('an unknown region in a scenario names the file and field', () => {
    assert.throws(() => parseScenario({ models: ['mlp'], carbon: { regions: ['FR', 'Atlantis'] } }, { file: '/work/s.yaml', baseDir: '/work' }), (error: unknown) => error instanceof InputError && error.code === 'CARBON_REGION_UNKNOWN' && error.message.startsWith('s.yaml: carbon.regions: "Atlantis"'));
  });
});
