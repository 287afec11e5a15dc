import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summariseWindows } from '../../src/measure/summarise.js';
import type { MeterInfo } from '../../src/power/types.js';

const meter = (id: string, estimated = false): MeterInfo => ({ id, kind: id, scope: 'test', device: null, periodMs: 10, estimated, sampleKind: 'instant', detail: '' });
const carbon = { gridIntensityGPerKWh: 400, pue: 1.5, region: 'test', defaulted: [] };

test('hand-computed energy, throughput and carbon for two meters over three windows', () => {
  // Batch 4. Windows: 2 s/100 runs, 2 s/110 runs, 2 s/90 runs. GPU meter 100 W, CPU meter 20 W → 240 J a window.
  const windows = [100, 110, 90].map((runs) => ({ durationS: 2, runs, energyJByMeter: { gpu: 200, cpu: 40 }, coverageNotes: [], peakWatts: 130 }));
  const blocks = summariseWindows({
    windows, batchSize: 4, latencyMs: [1, 2, 3, 4], meters: [meter('gpu'), meter('cpu')], idleWatts: { gpu: 60, cpu: 10 }, carbon,
  });
  assert.deepEqual(blocks.repetitions.map((r) => r.samples), [400, 440, 360]);
  assert.deepEqual(blocks.repetitions.map((r) => r.samplesPerSecond), [200, 220, 180]);
  assert.equal(blocks.repetitions[0]!.meanWatts, 120);
  assert.equal(blocks.throughput!.samplesPerSecond.mean, 200);
  // s = 20, t(2) = 4.303 → half width 4.303 × 20 / √3
  const half = (4.303 * 20) / Math.sqrt(3);
  assert.ok(Math.abs(blocks.throughput!.samplesPerSecond.ci95[1] - (200 + half)) < 1e-9);
  // 720 J over 1200 samples
  assert.equal(blocks.energy!.joulesPerSample, 0.6);
  assert.equal(blocks.energy!.samplesPerJoule, 1 / 0.6);
  // idle 70 W × 6 s = 420 J → net (720 − 420) / 1200 = 0.25
  assert.ok(Math.abs(blocks.energy!.netJoulesPerSample! - 0.25) < 1e-12);
  // 0.6 J × 1000 / 3600 = 0.1666… Wh per 1k; × 400 g/kWh × 1.5 / 1000
  assert.ok(Math.abs(blocks.energy!.whPer1kSamples - 1 / 6) < 1e-12);
  assert.ok(Math.abs(blocks.energy!.gCO2ePer1kSamples - (1 / 6 / 1000) * 400 * 1.5) < 1e-15);
  assert.equal(blocks.energy!.estimated, false);
  assert.deepEqual(blocks.power, { meanWatts: 120, idleWatts: 70, peakWatts: 130, byMeter: { gpu: 100, cpu: 20 } });
  assert.equal(blocks.latencyMs!.p50, 2.5);
  // samples/J per window 400/240, 440/240, 360/240: 10% spread between windows is noise, not unsoundness — the
  // measurement stays valid and its interval widens. Logs ln(5/3), ln(11/6), ln(3/2): mean ln(5/3) + ln(1.1 × 0.9)/3…
  assert.equal(blocks.validity.valid, true);
  const logs = [400, 440, 360].map((samples) => Math.log(samples / 240));
  const meanLog = logs.reduce((a, b) => a + b, 0) / 3;
  const sdLog = Math.sqrt(logs.reduce((a, b) => a + (b - meanLog) ** 2, 0) / 2);
  const spread = Math.exp((4.302652729911275 * sdLog) / Math.sqrt(3));
  assert.ok(Math.abs(blocks.energy!.samplesPerJouleCi95[0] - (1 / 0.6) / spread) < 1e-9);
  assert.ok(Math.abs(blocks.energy!.samplesPerJouleCi95[1] - (1 / 0.6) * spread) < 1e-9);
  assert.ok(Math.abs(blocks.energy!.samplesPerJouleCiPercent! - (spread - 1) * 100) < 1e-7);
});

test('power still rising window after window (warm-up) is unsound; power that moves up and down is noise', () => {
  const window = (watts: number) => ({ durationS: 1, runs: 100, energyJByMeter: { m: watts }, coverageNotes: [], peakWatts: watts });
  const rising = summariseWindows({ windows: [100, 102, 104, 106].map(window), batchSize: 1, latencyMs: [1], meters: [meter('m')], idleWatts: null, carbon });
  // 100 → 106 W over a 103 W mean: 5.8% > 5%
  assert.deepEqual(rising.validity.reasons, ['power was still drifting: mean watts moved 5.8% in one direction across 4 windows (more than 5%): the device was still warming up; lengthen the warm-up']);
  const noisy = summariseWindows({ windows: [100, 108, 99, 107].map(window), batchSize: 1, latencyMs: [1], meters: [meter('m')], idleWatts: null, carbon });
  assert.deepEqual(noisy.validity.reasons, []);
});

test('validity: short windows, coverage gaps, idle-level power, estimated meters', () => {
  const windows = [{ durationS: 0.05, runs: 10, energyJByMeter: { est: 0.5 }, coverageNotes: ['meter est had a 90 ms gap'], peakWatts: 10 }];
  const blocks = summariseWindows({
    windows, batchSize: 1, latencyMs: [5], meters: [meter('est', true)], idleWatts: { est: 10 }, carbon,
  });
  assert.equal(blocks.energy!.estimated, true);
  assert.equal(blocks.energy!.netJoulesPerSample, 0);
  assert.deepEqual(blocks.validity.reasons, [
    'window 0.050 s is shorter than 10 × the est period (0.010 s)',
    'meter est had a 90 ms gap',
    'load power is indistinguishable from idle (net energy ≤ 0): the meter cannot see this workload',
  ]);
});

test('no idle baseline: net energy is null, not zero', () => {
  const windows = [{ durationS: 1, runs: 10, energyJByMeter: { m: 5 }, coverageNotes: [], peakWatts: 5 }];
  const blocks = summariseWindows({ windows, batchSize: 2, latencyMs: [1], meters: [meter('m')], idleWatts: null, carbon });
  assert.equal(blocks.energy!.netJoulesPerSample, null);
  assert.equal(blocks.power!.idleWatts, null);
  assert.equal(blocks.energy!.joulesPerSample, 0.25);
});

test('too few samples in a window invalidates sampled (instant) power, not counters or interval averages', () => {
  const window = { durationS: 1, runs: 10, energyJByMeter: { m: 10 }, samplesByMeter: { m: 5 }, coverageNotes: [], peakWatts: 10 };
  const instant = summariseWindows({ windows: [window], batchSize: 1, latencyMs: [1], meters: [meter('m')], idleWatts: null, carbon });
  assert.deepEqual(instant.validity.reasons, ['meter m gave only 5 samples in a window (at least 8 needed): lengthen the window']);
  const counter = { ...meter('m'), sampleKind: 'interval-average' as const, periodMs: 100 };
  const exact = summariseWindows({ windows: [window], batchSize: 1, latencyMs: [1], meters: [counter], idleWatts: null, carbon });
  assert.deepEqual(exact.validity.reasons, []);
});

test('idle drift is judged against the load above idle, which is what net energy depends on', async () => {
  const { idleDriftWarnings } = await import('../../src/measure/sweep.js');
  const withLoad = (watts: number) => ({ status: 'ok', power: { byMeter: { gpu: watts } } }) as unknown as import('../../src/results/types.js').Measurement;
  // 70 → 80 W idle under a 630 W load: 10 / 560 = 1.8% — no warning.
  assert.deepEqual(idleDriftWarnings({ gpu: 70 }, { gpu: 80 }, [withLoad(630)]), []);
  // 70 → 100 W idle under a 200 W load: 30 / 130 = 23.1%.
  assert.deepEqual(idleDriftWarnings({ gpu: 70 }, { gpu: 100 }, [withLoad(190), withLoad(210)]), [
    'idle power of gpu moved from 70.00 to 100.00 W during the sweep, 23.1% of the mean load above idle: net energy is uncertain by about that much; add cooldown or run again',
  ]);
});

test('each repetition keeps its window\'s p99 (what compare tests p99 changes on); a window without one has none', () => {
  const base = { durationS: 1, runs: 10, energyJByMeter: { m: 5 }, coverageNotes: [], peakWatts: 5 };
  const blocks = summariseWindows({ windows: [{ ...base, p99Ms: 3.5 }, { ...base, p99Ms: 4 }, base], batchSize: 1, latencyMs: [1], meters: [meter('m')], idleWatts: null, carbon });
  assert.deepEqual(blocks.repetitions.map((r) => r.p99Ms), [3.5, 4, undefined]);
  assert.equal('p99Ms' in blocks.repetitions[2]!, false);
});
