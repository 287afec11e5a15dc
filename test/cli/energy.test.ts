// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
// End to end: the energy numbers of `joulebench bench` against replay traces whose integrals are known by hand.
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/results/types.js';
import {
  assertClose,
  csvRecords,
  ensureBuilt,
  fastFlags,
  fpRelTol,
  onlyRunDir,
  readResult,
  removeDir,
  repetitionTotals,
  runCli,
  tempDir,
  writeReplayTrace,
} from './helpers.js';

const joulesPerWh = 3600;
const indistinguishable = 'indistinguishable from idle';

describe('bench energy figures with a replay meter', { timeout: 120_000 }, () => {
  let work: string;
  let modelsDir: string;
  let constantRun: RunResult | undefined;

  before(async () => {
    await ensureBuilt();
    work = await tempDir('energy');
    modelsDir = path.join(work, 'models');
  });
  after(() => removeDir(work));

  async function bench(name: string, trace: { file: string; seconds: number; wattsAt: (tS: number) => number }, args: string[]) {
    const dir = await mkdtemp(path.join(work, `${name}-`));
    await writeReplayTrace(dir, trace.file, trace.seconds, trace.wattsAt);
    const cli = await runCli(['bench', 'mlp', '--meter', `replay:${trace.file}`, '--out', 'out', ...args], { cwd: dir, modelsDir });
    assert.equal(cli.code, 0, `bench failed (exit ${cli.code}):\n${cli.stderr}`);
    const runDir = await onlyRunDir(path.join(dir, 'out'));
    return { runDir, result: await readResult(runDir) };
  }

  test('constant 50 W: every window integrates to 50 W × its duration, J/sample = 50 / throughput, carbon uses the defaults', async () => {
    const { runDir, result } = await bench('constant', { file: 'constant-50w.csv', seconds: 20, wattsAt: () => 50 }, ['--batch', '1,2,4,8', ...fastFlags]);
    constantRun = result;

    assert.equal(result.meters.length, 1);
    const meter = result.meters[0]!;
    assert.equal(meter.id, 'replay');
    assert.equal(meter.kind, 'replay');
    assert.equal(meter.estimated, false, 'a replayed trace is a measurement, not an estimate');
    assert.equal(meter.periodMs, 10, 'rows 10 ms apart give a 10 ms period');

    assert.ok(result.idle, 'idle baseline recorded');
    // The idle wait is a timer; libuv's millisecond clock lets it end up to ~1 ms before performance.now() says 0.2 s.
    assert.ok(Math.abs(result.idle.durationS - 0.2) < 0.05, `idle lasted ${result.idle.durationS} s, asked for 0.2 s`);
    assertClose(result.idle.watts.replay, 50, fpRelTol, 'idle.watts.replay');

    assert.deepEqual({ g: result.carbon.gridIntensityGPerKWh, pue: result.carbon.pue }, { g: 475, pue: 1 });
    assert.deepEqual(result.measurements.map((m) => m.key), ['mlp/fp32/cpu/b1', 'mlp/fp32/cpu/b2', 'mlp/fp32/cpu/b4', 'mlp/fp32/cpu/b8']);

    const csv = csvRecords(await readFile(path.join(runDir, 'measurements.csv'), 'utf8'));
    for (const m of result.measurements) {
      assert.equal(m.status, 'ok', `${m.key}: ${m.error?.message}`);
      assert.equal(m.repetitions.length, 2);
      for (const [i, rep] of m.repetitions.entries()) {
        assert.ok(rep.durationS >= 0.1 - 1e-9, `${m.key} rep ${i}: window ${rep.durationS} s is shorter than --min-seconds 0.1`);
        assert.ok(rep.runs >= 3, `${m.key} rep ${i}: ${rep.runs} runs < --min-runs 3`);
        assert.equal(rep.samples, rep.runs * m.batchSize);
        assertClose(rep.energyJ, 50 * rep.durationS, fpRelTol, `${m.key} rep ${i} energyJ`);
        assertClose(rep.meanWatts, 50, fpRelTol, `${m.key} rep ${i} meanWatts`);
        assertClose(rep.samplesPerSecond, rep.samples / rep.durationS, fpRelTol, `${m.key} rep ${i} samplesPerSecond`);
      }
      const totals = repetitionTotals(m);
      const power = m.power!;
      const energy = m.energy!;
      assertClose(power.meanWatts, 50, fpRelTol, `${m.key} power.meanWatts`);
      assertClose(power.byMeter.replay, 50, fpRelTol, `${m.key} power.byMeter.replay`);
      assertClose(power.idleWatts, 50, fpRelTol, `${m.key} power.idleWatts`);
      assert.equal(power.peakWatts, 50);
      assertClose(energy.joulesPerSample, totals.joules / totals.samples, fpRelTol, `${m.key} joulesPerSample = ΣE/Σsamples`);
      assertClose(energy.joulesPerSample, 50 / totals.samplesPerSecond, fpRelTol, `${m.key} joulesPerSample = 50 W / pooled throughput`);
      assertClose(energy.samplesPerJoule, 1 / energy.joulesPerSample, fpRelTol, `${m.key} samplesPerJoule`);
      // Load and idle are the same 50 W: net energy is zero up to rounding.
      assert.ok(
        Math.abs(energy.netJoulesPerSample!) <= fpRelTol * energy.joulesPerSample,
        `${m.key}: netJoulesPerSample ${energy.netJoulesPerSample} should be 0 (J/sample ${energy.joulesPerSample})`,
      );
      assertClose(energy.whPer1kSamples, (energy.joulesPerSample * 1000) / joulesPerWh, fpRelTol, `${m.key} whPer1kSamples`);
      assertClose(energy.gCO2ePer1kSamples, (energy.whPer1kSamples / 1000) * 475 * 1.0, fpRelTol, `${m.key} gCO2ePer1kSamples`);
      assert.equal(energy.estimated, false);

      // The CSV row carries the same numbers (String(number) round-trips exactly).
      const row = csv.records.find((r) => r.key === m.key);
      assert.ok(row, `${m.key} missing from measurements.csv`);
      assert.equal(Number(row.samples_per_joule), energy.samplesPerJoule);
      assert.equal(Number(row.energy_j_per_sample), energy.joulesPerSample);
      assert.equal(Number(row.power_w_mean), power.meanWatts);
      assert.equal(row.energy_estimated, 'false');

      // The trace holds the 50 W rows of this configuration, 10 ms apart, inside its span.
      assert.ok(m.trace && m.spanS);
      const traceRows = (await readFile(path.join(runDir, m.trace), 'utf8')).trimEnd().split('\n');
      assert.equal(traceRows[0], 't_s,meter,device,watts,context');
      const points = traceRows.slice(1).map((line) => line.split(','));
      assert.ok(points.length >= 20, `${m.key}: only ${points.length} trace rows for two 0.1 s windows`);
      const steps = points.slice(1).map(([t], i) => Number(t) - Number(points[i]![0]));
      const jumps = steps.filter((step) => Math.abs(step - 0.01) > 0.01 * 0.02).length;
      assert.ok(jumps <= m.repetitions.length, `${m.key}: ${jumps} jumps in the trace for ${m.repetitions.length + 1} spans`);
      points.forEach(([t, id, device, watts, context], i) => {
        assert.equal(id, 'replay');
        assert.equal(device, '', 'a replay trace measures no particular device');
        assert.equal(context, '');
        assert.equal(watts, '50.000');
        assert.ok(Number(t) >= m.spanS!.start - 1e-4 && Number(t) <= m.spanS!.end + 1e-4, `${m.key}: trace time ${t} outside ${JSON.stringify(m.spanS)}`);
        // Rows are 10 ms apart inside each of the configuration's own spans (its warm-up, its windows); the model's other
        // configurations ran in between, so a jump comes only between spans.
        if (i > 0) assert.ok(Number(t) - Number(points[i - 1]![0]) >= 0.01 * (1 - 0.02), `${m.key}: trace rows at least 10 ms apart`);
      });
    }
  });

  test(
    'constant 50 W: load equal to idle is flagged "indistinguishable from idle" on every configuration',
    {},
    () => {
      assert.ok(constantRun, 'the constant-trace run above did not finish');
      for (const m of constantRun.measurements) {
        assert.ok(
          m.validity.reasons.some((reason) => reason.includes(indistinguishable)),
          `${m.key}: netJoulesPerSample ${m.energy?.netJoulesPerSample}, reasons ${JSON.stringify(m.validity.reasons)}`,
        );
        assert.equal(m.validity.valid, false);
      }
    },
  );

  test('--grid-intensity 100 --pue 1.5: gCO2e per 1k samples = Wh per 1k / 1000 × 100 × 1.5', async () => {
    const { result } = await bench('carbon', { file: 'constant-50w.csv', seconds: 20, wattsAt: () => 50 }, [
      '--batch', '2', '--grid-intensity', '100', '--pue', '1.5', ...fastFlags,
    ]);
    assert.equal(result.carbon.gridIntensityGPerKWh, 100);
    assert.equal(result.carbon.pue, 1.5);
    assert.deepEqual(result.carbon.defaulted, ['region']);
    const m = result.measurements[0]!;
    assert.equal(m.status, 'ok');
    const energy = m.energy!;
    assertClose(energy.joulesPerSample, 50 / repetitionTotals(m).samplesPerSecond, fpRelTol, 'joulesPerSample');
    assertClose(energy.whPer1kSamples, (energy.joulesPerSample * 1000) / joulesPerWh, fpRelTol, 'whPer1kSamples');
    assertClose(energy.gCO2ePer1kSamples, (energy.whPer1kSamples / 1000) * 100 * 1.5, fpRelTol, 'gCO2ePer1kSamples');
  });

  test('20 W during idle then 80 W: idle = 20 W, mean = 80 W, net J/sample = (80 − 20) / throughput', async () => {
    // Rows up to 0.49 s are 20 W, from 0.50 s on 80 W (60 s, longer than the run, so the replay never wraps).
    // The idle window is [~0, ~0.2 s]; every timed window starts after 0.2 s idle + 0.35 s of warm-up ≥ 0.55 s.
    // Both spans see a constant, so trapezoids are exact and only floating-point rounding (≪ 1e-9) remains.
    const { result } = await bench('two-level', { file: 'idle20-load80.csv', seconds: 60, wattsAt: (t) => (t < 0.495 ? 20 : 80) }, [
      '--batch', '1,4', '--min-seconds', '0.1', '--min-runs', '3', '--repetitions', '2', '--target-ci', 'off', '--idle-seconds', '0.2',
      '--warmup-runs', '1', '--warmup-seconds', '0.35',
    ]);
    const first = result.measurements[0]!;
    assert.ok(first.spanS && first.spanS.start < 0.48, `idle ended at ${first.spanS?.start} s, past the 20 W part of the trace (machine too loaded?)`);
    assert.ok(result.idle);
    assertClose(result.idle.watts.replay, 20, fpRelTol, 'idle.watts.replay');
    for (const m of result.measurements) {
      assert.equal(m.status, 'ok', `${m.key}: ${m.error?.message}`);
      for (const rep of m.repetitions) assertClose(rep.energyJ, 80 * rep.durationS, fpRelTol, `${m.key} rep energyJ`);
      const totals = repetitionTotals(m);
      assertClose(m.power!.meanWatts, 80, fpRelTol, `${m.key} meanWatts`);
      assertClose(m.power!.idleWatts, 20, fpRelTol, `${m.key} idleWatts`);
      assert.equal(m.power!.peakWatts, 80);
      assertClose(m.energy!.joulesPerSample, 80 / totals.samplesPerSecond, fpRelTol, `${m.key} joulesPerSample`);
      assertClose(m.energy!.netJoulesPerSample, (80 - 20) / totals.samplesPerSecond, fpRelTol, `${m.key} netJoulesPerSample`);
      assert.ok(!m.validity.reasons.some((r) => r.includes(indistinguishable)), `${m.key}: 60 W above idle is distinguishable`);
    }
  });
});
