// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: `bench --region FR|PL` records the bundled intensity with source and year in result.json and every
// report; `--intensity-file` integrates the run's real hours (constant 50 W replay trace).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { electricityMaps } from '@tgwf/co2/data';
import { assertClose, csvRecords, ensureBuilt, fastFlags, onlyRunDir, readResult, removeDir, runCli, tempDir, writeReplayTrace } from '../cli/helpers.js';

describe('carbon flags through the CLI', { timeout: 180_000 }, () => {
  let work: string;
  let modelsDir: string;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('carbon-cli');
    modelsDir = path.join(work, 'models');
  });
  after(() => removeDir(work));

  async function bench(name: string, args: string[], files: Record<string, string> = {}) {
    const dir = await mkdtemp(path.join(work, `${name}-`));
    await writeReplayTrace(dir, 'trace.csv', 20, () => 50);
    for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
    const cli = await runCli(['bench', 'mlp', '--meter', 'replay:trace.csv', '--out', 'out', '--batch', '1,8', ...fastFlags, ...args], { cwd: dir, modelsDir });
    assert.equal(cli.code, 0, `bench failed (exit ${cli.code}):\n${cli.stderr}`);
    const runDir = await onlyRunDir(path.join(dir, 'out'));
    return { runDir, result: await readResult(runDir), stdout: cli.stdout };
  }

  for (const [zone, handChecked] of [['FR', 31], ['PL', 565]] as const) {
    test(`--region ${zone}: ${handChecked} gCO2e/kWh (Electricity Maps 2025) in result.json, report.md, report.html, measurements.csv and the terminal`, async () => {
      const { runDir, result, stdout } = await bench(zone.toLowerCase(), ['--region', zone, '--compare-regions', 'DE']);
      const bundled = electricityMaps.yearly2025!.data[zone]!.carbonIntensity.value;
      assert.equal(bundled, handChecked);
      assert.equal(result.carbon.gridIntensityGPerKWh, bundled);
      assert.deepEqual([result.carbon.region, result.carbon.zone, result.carbon.year, result.carbon.kind, result.carbon.basis], [zone, zone, 2025, 'average', 'bundled']);
      assert.equal(result.carbon.source, 'Electricity Maps yearly average (via @tgwf/co2@0.19.0)');
      for (const m of result.measurements.filter((x) => x.status === 'ok')) {
        assertClose(m.energy!.gCO2ePer1kSamples, (m.energy!.whPer1kSamples / 1000) * bundled, 1e-9, `${m.key} gCO2e/1k`);
      }
      const provenance = `Electricity Maps yearly average (via @tgwf/co2@0.19.0), average, 2025, zone ${zone}`;
      assert.ok((await readFile(path.join(runDir, 'report.md'), 'utf8')).includes(`Carbon: ${bundled} gCO2e/kWh × PUE 1, region ${zone} (defaults: pue) — ${provenance}`));
      assert.ok((await readFile(path.join(runDir, 'report.html'), 'utf8')).includes(provenance));
      const { records } = csvRecords(await readFile(path.join(runDir, 'measurements.csv'), 'utf8'));
      assert.deepEqual([records[0]!.grid_gco2e_per_kwh, records[0]!.carbon_year, records[0]!.carbon_region], [String(bundled), '2025', zone]);
      assert.ok(records[0]!.carbon_source!.startsWith(provenance));
      assert.ok(stdout.includes(`Carbon: ${bundled} gCO2e/kWh`) && stdout.includes(provenance), stdout);
      assert.ok(stdout.includes('in DE (342 gCO2e/kWh)'), stdout);
    });
  }

  test('--intensity-file: each configuration meets the intensity of its own hours', async () => {
    // Hourly rows around now: the whole run falls in one hour or the next, at 100 and 300 gCO2e/kWh.
    const hourMs = 3_600_000;
    const thisHour = Math.floor(Date.now() / hourMs) * hourMs;
    const rows = [-2, -1, 0, 1, 2].map((h) => `${new Date(thisHour + h * hourMs).toISOString()},${h <= 0 ? 100 : 300}`);
    const { result } = await bench('hourly', ['--region', 'PL', '--intensity-file', 'grid.csv'], { 'grid.csv': `datetime,carbon_intensity\n${rows.join('\n')}\n` });
    const hourly = result.carbon.hourly;
    assert.ok(hourly, 'carbon.hourly recorded');
    assert.equal(result.carbon.gridIntensityGPerKWh, 565, 'the yearly line stays');
    let gCO2e = 0;
    for (const m of result.measurements.filter((x) => x.status === 'ok')) {
      const meanG = hourly.byConfiguration[m.key]!;
      assert.ok(meanG >= 100 && meanG <= 300, `${m.key}: ${meanG}`);
      assertClose(m.energy!.gCO2ePer1kSamples, (m.energy!.whPer1kSamples / 1000) * meanG, 1e-9, `${m.key} gCO2e/1k`);
      gCO2e += (m.repetitions.reduce((sum, rep) => sum + rep.energyJ, 0) / 3_600_000) * meanG;
    }
    assertClose(hourly.gCO2e, gCO2e, 1e-9, 'run gCO2e');
  });
});
