import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateCpuTdp } from '../../src/power/cpu-tdp.js';
import { EstimateMeter, estimatePowerW, estimateMeterFactory } from '../../src/power/estimate.js';
import { SimClock } from './sim-clock.js';

test('estimated power is TDP × (0.1 + 0.9 × utilisation), clamped to [0, 1]', () => {
  assert.equal(estimatePowerW(100, 0), 10);
  assert.equal(estimatePowerW(100, 1), 100);
  assert.ok(Math.abs(estimatePowerW(100, 0.5) - 55) < 1e-12);
  assert.equal(estimatePowerW(100, 1.7), 100);
  assert.equal(estimatePowerW(100, -1), 10);
});

test('TDP table: a known family scales to the visible threads', () => {
  const full = estimateCpuTdp('AMD EPYC 7763 64-Core Processor', 128);
  assert.equal(full.tdpW, 280);
  assert.match(full.source, /EPYC 7002\/7003/);
  const slice = estimateCpuTdp('AMD EPYC 7763 64-Core Processor', 8);
  assert.equal(slice.tdpW, 17.5); // 280 × 8/128
  assert.match(slice.source, /scaled to 8 of 128 threads/);
  assert.equal(estimateCpuTdp('Intel(R) Xeon(R) Platinum 8480+', 224).tdpW, 350); // more threads than the reference: not scaled up
});

test('TDP table: an unknown CPU takes CodeCarbon\'s 85 W default and says so', () => {
  const unknown = estimateCpuTdp('Mystery CPU 9000', 4);
  assert.equal(unknown.tdpW, 21.25); // 85 × 4/16
  assert.match(unknown.source, /unknown CPU "Mystery CPU 9000"/);
  assert.match(unknown.source, /--cpu-tdp-watts/);
});

test('the estimate meter is always marked estimated and uses --cpu-tdp-watts when given', async () => {
  const [meter] = await estimateMeterFactory.create({ cpuTdpWatts: 40, baseDir: '.', settings: { 'powercap-root': '/nonexistent' }, gpus: null }, null);
  assert.ok(meter);
  assert.equal(meter.info.estimated, true);
  assert.equal(meter.info.sampleKind, 'interval-average');
  assert.match(meter.info.detail, /^ESTIMATED: 40 W TDP/);
  // The same meter on simulated time: 50 ms pass without waiting for them.
  const clock = new SimClock();
  const timed = new EstimateMeter(40, 'TDP given by --cpu-tdp-watts / cpuTdpWatts', 50, { clock });
  assert.deepEqual(timed.info, meter.info);
  await timed.start();
  await clock.advance(50);
  const t = clock.now();
  await timed.sampleAfter(t);
  await timed.stop();
  const samples = timed.samples();
  assert.ok(samples.length >= 2);
  assert.ok(samples[samples.length - 1]!.tMs >= t);
  for (const sample of samples) assert.ok(sample.powerW >= 4 && sample.powerW <= 40, `${sample.powerW} W within [10%, 100%] of 40 W`);
});

test('EstimateMeter never reports below the idle floor', async () => {
  const meter = new EstimateMeter(10, 'test', 10);
  await meter.start();
  await meter.stop();
  assert.ok(meter.samples().every((sample) => sample.powerW >= 1));
});
