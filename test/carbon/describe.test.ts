// The carbon sentences of every report: the basis line (value, PUE, region, defaults, provenance) and the hourly lines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { carbonBasisLine, hourlyLines } from '../../src/carbon/describe.js';
import { resolveCarbon } from '../../src/carbon/resolve.js';
import type { CarbonSpec, HourlyCarbon } from '../../src/carbon/types.js';

const fr: CarbonSpec = {
  gridIntensityGPerKWh: 31, pue: 1.2, region: 'FR', defaulted: [], zone: 'FR', basis: 'bundled',
  source: 'Electricity Maps yearly average (via @tgwf/co2@0.19.0)', year: 2025, licence: 'ODbL 1.0', kind: 'average',
};

const file = { path: '/data/grid.csv', use: 'timeline' as const, rows: 48, firstAt: '2025-06-01T00:00:00.000Z', lastAt: '2025-06-02T23:00:00.000Z' };

// 12.3456 Wh over 3600 s at a mean 123.456 g/kWh: 2 g in all (numbers chosen, not derived from each other).
const hourly: HourlyCarbon = { energyKWh: 0.0123456, durationS: 3600, gCO2e: 2, meanGPerKWh: 123.456, byConfiguration: {} };

describe('carbonBasisLine', () => {
  it('a bundled zone: value × PUE, region, then the provenance line', () => {
    assert.equal(carbonBasisLine(fr), '31 gCO2e/kWh × PUE 1.2, region FR — Electricity Maps yearly average (via @tgwf/co2@0.19.0), average, 2025, zone FR; licence ODbL 1.0');
  });

  it('the default lists every defaulted value and says it is the world average', () => {
    assert.equal(
      carbonBasisLine(resolveCarbon(undefined, '/')),
      '475 gCO2e/kWh × PUE 1, region world (defaults: gridIntensityGPerKWh, pue, region) — default: world average 475 gCO2e/kWh (CodeCarbon\'s fallback); set carbon.region for your grid',
    );
  });

  it('a defaulted intensity is only named a default when the basis is the default', () => {
    const line = carbonBasisLine({ ...fr, defaulted: ['gridIntensityGPerKWh', 'pue'] });
    assert.match(line, /region FR \(defaults: pue\) — /);
  });

  it('a user value says "given by the user"', () => {
    assert.equal(carbonBasisLine({ ...fr, basis: 'user', gridIntensityGPerKWh: 100, pue: 1 }), '100 gCO2e/kWh × PUE 1, region FR — given by the user');
  });

  it('a result from before provenance says so', () => {
    const { basis: _basis, ...old } = fr;
    assert.match(carbonBasisLine(old), /— source not recorded \(result from an older joulebench\)$/);
  });
});

describe('hourlyLines', () => {
  it('nothing without an intensity file, or without the hourly record', () => {
    assert.deepEqual(hourlyLines(fr), []);
    assert.deepEqual(hourlyLines({ ...fr, intensityFile: file }), []);
    assert.deepEqual(hourlyLines({ ...fr, hourly }), []);
  });

  it('a fallback is one line with its reason, whatever else is there', () => {
    assert.deepEqual(hourlyLines({ ...fr, intensityFile: file, hourly, hourlyFallback: 'the run started after the file ends' }), [
      'Hourly intensity not used (fallback): the run started after the file ends.',
    ]);
  });

  it('one line with three significant figures: 0.0123456 kWh → 12.3 Wh, 123.456 → 123 g/kWh', () => {
    assert.deepEqual(hourlyLines({ ...fr, intensityFile: file, hourly }), [
      'Hourly intensity from /data/grid.csv (timeline, 48 rows 2025-06-01T00:00:00.000Z – 2025-06-02T23:00:00.000Z, average): the run\'s 12.3 Wh over 3600 s met 123 gCO2e/kWh on average, 2 gCO2e in all; gCO2e per 1,000 samples use each configuration\'s own hours.',
    ]);
  });

  it('the kind is the spec\'s (marginal), average when unset', () => {
    assert.match(hourlyLines({ ...fr, kind: 'marginal', intensityFile: file, hourly })[0]!, /, marginal\): /);
    const { kind: _kind, ...noKind } = fr;
    assert.match(hourlyLines({ ...noKind, intensityFile: file, hourly })[0]!, /, average\): /);
  });

  it('the cleanest start hours against the actual start, as a change in percent', () => {
    // (1.5 − 2) / 2 = −25%; (1.9 − 2) / 2 = −5%.
    const lines = hourlyLines({ ...fr, intensityFile: { ...file, use: 'daily-profile' }, hourly: { ...hourly, startHourUtc: 14, bestStartHoursUtc: [{ hourUtc: 3, gCO2e: 1.5 }, { hourUtc: 23, gCO2e: 1.9 }] } });
    assert.equal(lines.length, 2);
    assert.equal(lines[1], 'Cleanest start hours (UTC) for a nightly run this long: 03:00 (1.5 g, -25%), 23:00 (1.9 g, -5%), against 2 g starting at 14:00.');
  });

  it('without a start hour the comparison is left out; with 0 g actual the percent is a dash', () => {
    const lines = hourlyLines({ ...fr, intensityFile: file, hourly: { ...hourly, gCO2e: 0, bestStartHoursUtc: [{ hourUtc: 0, gCO2e: 0 }] } });
    assert.equal(lines[1], 'Cleanest start hours (UTC) for a nightly run this long: 00:00 (0 g, —).');
  });

  it('an empty best-hours list adds no line; a non-finite number is a dash', () => {
    const lines = hourlyLines({ ...fr, intensityFile: file, hourly: { ...hourly, meanGPerKWh: Number.NaN, bestStartHoursUtc: [] } });
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /met — gCO2e\/kWh on average/);
  });
});
