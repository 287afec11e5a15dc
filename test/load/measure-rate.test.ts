// @integration — runs the CLI, child processes, real onnxruntime sessions, real tools or a browser (npm run test:unit skips it; npm test runs it)
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Metering } from '../../src/measure/metering.js';
import { replayMeterFactory } from '../../src/power/replay.js';
import { VirtualClock } from '../../src/load/clock.js';
import { measureRate } from '../../src/load/measure-rate.js';
import type { BatchSession } from '../../src/load/runner.js';

// The replay meter at a constant 10 W, started now; a simulated clock from the same instant.
async function tenWatts() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jb-load-'));
  const file = path.join(dir, 'ten.csv');
  await writeFile(file, 't_s,watts\n0,10\n0.05,10\n');
  const [meter] = await replayMeterFactory.create({ cpuTdpWatts: null, baseDir: dir, settings: { 'powercap-root': dir }, gpus: null }, file);
  await meter!.start();
  return { meter: meter!, clock: new VirtualClock(performance.now()) };
}

const standIn = (clock: VirtualClock, serviceMs: (batch: number) => number): BatchSession => ({ run: (batch) => clock.sleep(serviceMs(batch)) });
// Times are on performance.now()'s scale, so sums carry rounding of about 1e-12 ms.
const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual}, expected ${expected}`);
const everyMs = (gapMs: number, count: number) => Float64Array.from({ length: count }, (_, i) => i * gapMs);

test('a request every 40 ms, 10 ms each, 10 W, idle 4 W: utilisation 0.25, 0.4 J per request, idle share 0.3', async () => {
  const { meter, clock } = await tenWatts();
  const { numbers } = (await measureRate({
    clock, advance: () => clock.run(), sessions: [standIn(clock, () => 10)], policy: { maxBatch: 1, maxWaitMs: 0 },
    arrivalsMs: everyMs(40, 1000), scheduleSpanMs: 40_000, metering: new Metering([meter]), counted: [meter],
    accounting: { targetRate: 25, idleWatts: 4, flatOutJoulesPerSample: 0.1, sloP99Ms: 50, maxLagMs: 1 },
  }))!;
  // 40 s span, 10 s busy: 400 J over 1,000 requests; idle 30 s × 4 W = 120 J of 400.
  assert.equal(numbers.requests, 1000);
  assert.ok(Math.abs(numbers.durationS - 40) < 1e-9);
  assert.ok(Math.abs(numbers.utilisation - 0.25) < 1e-9);
  assert.ok(Math.abs(numbers.idleS - 30) < 1e-9);
  assert.ok(Math.abs(numbers.energyJ - 400) < 1e-6, `energy ${numbers.energyJ}`);
  assert.ok(Math.abs(numbers.joulesPerRequest - 0.4) < 1e-9);
  assert.ok(Math.abs(numbers.idleShare! - 0.3) < 1e-9);
  assert.ok(Math.abs(numbers.kWhPer1kRequests - 400 / 3.6e6) < 1e-15);
  assert.ok(Math.abs(numbers.meanWatts - 10) < 1e-9);
  assert.ok(Math.abs(numbers.vsFlatOut! - 4) < 1e-9);
  near(numbers.achievedRate, 25, 'achieved rate');
  near(numbers.p99Ms, 10, 'p99');
  assert.deepEqual(numbers.batchSizes, { 1: 1000 });
  assert.deepEqual(numbers.generatorLagMs, { p50: 0, p99: 0, max: 0 }); // a simulated clock is never late
  assert.equal(numbers.valid, true);
  assert.equal(numbers.overCapacity, false);
  assert.deepEqual(numbers.reasons, []);
});

test('batching: a request every 10 ms, batches of 4 in 6 ms: utilisation 0.15, latency includes the wait for the batch to fill', async () => {
  const { meter, clock } = await tenWatts();
  const { numbers } = (await measureRate({
    clock, advance: () => clock.run(), sessions: [standIn(clock, (batch) => 2 + batch)], policy: { maxBatch: 4, maxWaitMs: 35 },
    arrivalsMs: everyMs(10, 1000), scheduleSpanMs: 10_000, metering: new Metering([meter]), counted: [meter],
    accounting: { targetRate: 100, idleWatts: 4, flatOutJoulesPerSample: null, sloP99Ms: 20, maxLagMs: 1 },
  }))!;
  // Every 40 ms one batch of 4 leaves full at its 4th arrival (before its first has waited 35 ms) and runs 6 ms: latencies 36, 26, 16 and 6 ms.
  assert.deepEqual(numbers.batchSizes, { 4: 250 });
  assert.ok(Math.abs(numbers.utilisation - 0.15) < 1e-9);
  near(numbers.maxMs, 36, 'max latency');
  assert.ok(Math.abs(numbers.meanWaitMs - 15) < 1e-9);
  assert.ok(Math.abs(numbers.joulesPerRequest - 0.1) < 1e-9);
  assert.ok(Math.abs(numbers.idleShare! - (4 * 8.5) / 100) < 1e-9);
  // The p99 (36 ms) breaks the 20 ms SLO: this policy is over capacity at this rate, though the device is mostly idle.
  assert.equal(numbers.overCapacity, true);
  assert.match(numbers.reasons.join('\n'), /over capacity: p99 36\.00 ms breaks the SLO of 20 ms/);
});

test('too few requests for a stable p99, and a late generator, make a rate invalid', async () => {
  const { meter, clock } = await tenWatts();
  const late: BatchSession = { run: () => clock.sleep(1) };
  const { numbers } = (await measureRate({
    clock, advance: () => clock.run(), sessions: [late], policy: { maxBatch: 1, maxWaitMs: 0 },
    arrivalsMs: everyMs(10, 100), scheduleSpanMs: 1000, metering: new Metering([meter]), counted: [meter],
    accounting: { targetRate: 100, idleWatts: null, flatOutJoulesPerSample: null, sloP99Ms: null, maxLagMs: -1 },
  }))!;
  assert.equal(numbers.valid, false);
  assert.equal(numbers.idleShare, null);
  assert.match(numbers.reasons.join('\n'), /100 requests: a stable p99 needs at least 1000/);
  assert.match(numbers.reasons.join('\n'), /the request generator fell behind/);
});

test('an interrupt ends the rate at its next arrival and drops it', async () => {
  const { meter, clock } = await tenWatts();
  let arrivals = 0;
  const measured = await measureRate({
    clock, advance: () => clock.run(), sessions: [standIn(clock, () => 1)], policy: { maxBatch: 1, maxWaitMs: 0 },
    arrivalsMs: everyMs(10, 1000), scheduleSpanMs: 10_000, metering: new Metering([meter]), counted: [meter],
    accounting: { targetRate: 100, idleWatts: null, flatOutJoulesPerSample: null, sloP99Ms: null, maxLagMs: 1 },
    stopped: () => ++arrivals > 5,
  });
  assert.equal(measured, null);
  // Asked at each of the first 6 arrivals (the 6th stopped it) and once more after: the other 994 never came.
  assert.equal(arrivals, 7);
});

test('an idle baseline above the rate\'s mean power clamps the idle share to 1 and says why', async () => {
  const { meter, clock } = await tenWatts();
  const { numbers } = (await measureRate({
    clock, advance: () => clock.run(), sessions: [standIn(clock, () => 10)], policy: { maxBatch: 1, maxWaitMs: 0 },
    arrivalsMs: everyMs(40, 1000), scheduleSpanMs: 40_000, metering: new Metering([meter]), counted: [meter],
    accounting: { targetRate: 25, idleWatts: 20, flatOutJoulesPerSample: null, sloP99Ms: null, maxLagMs: 1 },
  }))!;
  // 20 W × 30 s idle = 600 J > the 400 J measured.
  assert.equal(numbers.idleShare, 1);
  assert.match(numbers.warnings.join('\n'), /the idle baseline \(20\.00 W\) is above this rate's mean power \(10\.00 W\)/);
});
