// Source, year and licence of the carbon figures reach result.json (schema-valid) and every report format.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { resolveCarbon, worldDefaultGPerKWh } from '../../src/carbon/resolve.js';
import { renderRankedTable } from '../../src/cli/terminal.js';
import { analyseRuns } from '../../src/report/analysis.js';
import { renderCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { recommend } from '../../src/results/recommend.js';
import type { RunResult } from '../../src/results/types.js';
import { scenarioDefaults } from '../../src/scenario/schema.js';
import { syntheticResult } from '../fixtures/synthetic-results.js';

function plRun(): RunResult {
  const result = syntheticResult({ measurements: [{ batch: 1, samplesPerJoule: [100, 101, 99] }, { batch: 8, samplesPerJoule: [300, 301, 299] }] });
  result.carbon = { ...resolveCarbon({ region: 'PL', regions: ['FR', 'US-CAL-CISO'] }, '/') };
  result.recommendations = recommend(result.measurements, null);
  return result;
}

test('result.json with provenance, compared regions and an hourly record is valid against the schema', async () => {
  const schema = JSON.parse(await readFile(new URL('../../schema/result.schema.json', import.meta.url), 'utf8'));
  // The synthetic fixture is not a whole valid result; the carbon record is what is checked here.
  const validate = new Ajv({ allErrors: true, strict: false }).compile({ ...schema.properties.carbon, definitions: schema.definitions });
  const result = plRun();
  result.carbon = {
    ...result.carbon,
    intensityFile: { path: '/data/grid.csv', use: 'daily-profile', rows: 24, firstAt: '2025-06-01T00:00:00.000Z', lastAt: '2025-06-01T23:00:00.000Z' },
    hourly: { energyKWh: 1, durationS: 5400, gCO2e: 60, meanGPerKWh: 60, startHourUtc: 3, byConfiguration: { a: 60 }, bestStartHoursUtc: [{ hourUtc: 3, gCO2e: 60 }] },
  };
  assert.ok(validate(JSON.parse(JSON.stringify(result.carbon))), JSON.stringify(validate.errors, null, 2));
  assert.deepEqual([result.carbon.source, result.carbon.year, result.carbon.region, result.carbon.kind], ['Electricity Maps yearly average (via @tgwf/co2@0.19.0)', 2025, 'PL', 'average']);
});

test('every report names the source and year of the PL intensity and of each compared region', () => {
  const result = plRun();
  const analysis = analyseRuns([result]);
  const markdown = renderMarkdown(analysis);
  assert.match(markdown, /Carbon: 565 gCO2e\/kWh × PUE 1, region PL \(defaults: pue\) — Electricity Maps yearly average \(via @tgwf\/co2@0\.19\.0\), average, 2025, zone PL; licence ODbL/);
  assert.match(markdown, /\| FR \| 31\.0 \| .* \| Electricity Maps yearly average \(via @tgwf\/co2@0\.19\.0\), average, 2025, zone FR; licence ODbL/);
  const html = renderHtml(analysis);
  assert.match(html, /Carbon: 565 gCO2e\/kWh × PUE 1, region PL .*Electricity Maps yearly average .*2025, zone PL/);
  assert.match(html, /<th scope="col" class="key">source<\/th>/);
  const [header, row] = renderCsv(analysis).split('\n');
  const cells = Object.fromEntries(header!.split(',').map((name, i) => [name, row!.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)[i]]));
  assert.equal(cells.grid_gco2e_per_kwh, '565');
  assert.equal(cells.carbon_region, 'PL');
  assert.equal(cells.carbon_year, '2025');
  assert.match(cells.carbon_source!, /Electricity Maps yearly average/);
  const terminal = renderRankedTable(result);
  assert.match(terminal, /Carbon: 565 gCO2e\/kWh .*2025, zone PL/);
  assert.match(terminal, /in FR \(31\.0 gCO2e\/kWh\): mlp\/fp32\/cpu\/b8 /);
});

test('the default is labelled a default, and a user value "given by the user"', () => {
  const result = plRun();
  result.carbon = resolveCarbon(undefined, '/');
  assert.match(renderMarkdown(analyseRuns([result])), /Carbon: 475 gCO2e\/kWh × PUE 1, region world \(defaults: gridIntensityGPerKWh, pue, region\) — default: world average 475/);
  result.carbon = resolveCarbon({ gridIntensityGPerKWh: 120, region: 'lab' }, '/');
  assert.match(renderMarkdown(analyseRuns([result])), /Carbon: 120 gCO2e\/kWh × PUE 1, region lab \(defaults: pue\) — given by the user/);
});

test('an hourly record puts the intensity met and the cleanest start hours in the reports', () => {
  const result = plRun();
  result.carbon = {
    ...result.carbon,
    intensityFile: { path: '/data/grid.csv', use: 'daily-profile', rows: 24, firstAt: '2025-06-01T00:00:00.000Z', lastAt: '2025-06-01T23:00:00.000Z' },
    hourly: { energyKWh: 1, durationS: 5400, gCO2e: 120, meanGPerKWh: 120, startHourUtc: 11, byConfiguration: {}, bestStartHoursUtc: [{ hourUtc: 3, gCO2e: 60 }, { hourUtc: 2, gCO2e: 90 }] },
  };
  const markdown = renderMarkdown(analyseRuns([result]));
  assert.match(markdown, /Hourly intensity from \/data\/grid\.csv \(daily-profile, 24 rows .*\): the run's 1000 Wh over 5400 s met 120 gCO2e\/kWh on average, 120 gCO2e in all/);
  assert.match(markdown, /Cleanest start hours \(UTC\) for a nightly run this long: 03:00 \(60 g, -50%\), 02:00 \(90 g, -25%\), against 120 g starting at 11:00\./);
  assert.match(renderHtml(analyseRuns([result])), /Cleanest start hours \(UTC\)/);
  assert.match(renderRankedTable(result), /Cleanest start hours \(UTC\)/);
});

test('the scenario default and the resolver agree on the world average', () => {
  assert.equal(scenarioDefaults.carbon.gridIntensityGPerKWh, worldDefaultGPerKWh);
});
