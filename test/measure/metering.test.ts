// The sweep's view of its meters (src/measure/metering.ts) on fake PowerMeters with known samples: energy over a span
// for instant and interval-average samples, coverage and gap notes, peak power, a meter with no samples, a meter that
// fails (restarted once, then fatal), idle power and the cool-down wait. Metering subtracts no idle power itself
// (summarise.ts does): byMeter is the whole energy each meter saw.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MeterError } from '../../src/errors.js';
import { Metering } from '../../src/measure/metering.js';
import type { PowerMeter, PowerSample, SampleKind } from '../../src/power/types.js';

// A meter whose samples are given; sampleAfter records the times asked for; failure and restart are set by the test.
class FakeMeter implements PowerMeter {
  readonly info: PowerMeter['info'];
  failed: Error | null = null;
  restartResult: boolean | Error = true;
  restartCalls = 0;
  readonly askedAfterMs: number[] = [];
  private readonly sampleAfterFails: boolean;
  private readonly sampleAfterDelayMs: number;
  constructor(id: string, private readonly recorded: PowerSample[], options: { periodMs?: number; sampleKind?: SampleKind; sampleAfterFails?: boolean; sampleAfterDelayMs?: number } = {}) {
    this.info = { id, kind: 'fake', scope: 'test', device: 'cpu', periodMs: options.periodMs ?? 100, estimated: false, sampleKind: options.sampleKind ?? 'instant', detail: 'fake' };
    this.sampleAfterFails = options.sampleAfterFails ?? false;
    this.sampleAfterDelayMs = options.sampleAfterDelayMs ?? 0;
  }
  async start() {}
  async stop() {}
  samples() { return this.recorded; }
  async sampleAfter(tMs: number) {
    this.askedAfterMs.push(tMs);
    // A real meter's next sample comes up to a period later.
    if (this.sampleAfterDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.sampleAfterDelayMs));
    if (this.sampleAfterFails) throw new Error('the tool is gone');
  }
  failure() { return this.failed; }
  async restart() {
    this.restartCalls++;
    if (this.restartResult instanceof Error) throw this.restartResult;
    if (this.restartResult) this.failed = null;
    return this.restartResult;
  }
}

// 10 W at 0 ms, 20 W at 100 and 200 ms, 10 W at 300 ms.
const steps = (): PowerSample[] => [{ tMs: 0, powerW: 10 }, { tMs: 100, powerW: 20 }, { tMs: 200, powerW: 20 }, { tMs: 300, powerW: 10 }];
// A constant power far on both sides of any performance.now() a test sees.
const constant = (powerW: number): PowerSample[] => [{ tMs: -1e12, powerW }, { tMs: 1e12, powerW }];
const near = (actual: number, expected: number, what = 'value') => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual}, expected ${expected}`);

describe('meter periods and the shortest window', () => {
  const metering = new Metering([new FakeMeter('a', [], { periodMs: 100 }), new FakeMeter('b', [], { periodMs: 250 })]);

  test('slowestPeriodMs over all meters, over the counted ones, 0 for none', () => {
    assert.equal(metering.slowestPeriodMs(), 250);
    assert.equal(metering.slowestPeriodMs([metering.meters[0]!]), 100);
    assert.equal(metering.slowestPeriodMs([]), 0);
    assert.equal(new Metering([]).slowestPeriodMs(), 0);
  });

  test('minWindowS: ten slowest periods, never under the floor', () => {
    // 10 × 250 ms = 2.5 s > floor 1 s
    assert.equal(metering.minWindowS(metering.meters, 1), 2.5);
    // 10 × 250 ms = 2.5 s < floor 5 s
    assert.equal(metering.minWindowS(metering.meters, 5), 5);
    // only a: 10 × 100 ms = 1 s vs floor 0.5 s
    assert.equal(metering.minWindowS([metering.meters[0]!], 0.5), 1);
    assert.equal(metering.minWindowS([], 0.2), 0.2);
  });

  test('a period learnt while running is read again per window', () => {
    const meter = new FakeMeter('slow', [], { periodMs: 100 });
    const own = new Metering([meter]);
    assert.equal(own.minWindowS([meter], 0), 1);
    (meter.info as { periodMs: number }).periodMs = 400; // rocm-smi slowed down by load
    assert.equal(own.minWindowS([meter], 0), 4); // 10 × 400 ms
  });
});

describe('energyOver', () => {
  test('instant samples: trapezoids, interpolated at the edges', async () => {
    const meter = new FakeMeter('a', steps());
    const span = await new Metering([meter]).energyOver(50, 250, [meter]);
    // P(50) = 15 W, P(250) = 15 W (linear between samples):
    // 50→100: (15+20)/2 × 50 ms = 875; 100→200: 20 × 100 = 2000; 200→250: (20+15)/2 × 50 = 875; 3750 W·ms = 3.75 J
    near(span.byMeter.a!, 3.75, 'energy');
    assert.deepEqual(span.samplesByMeter, { a: 2 }); // the samples at 100 and 200 ms
    assert.equal(span.peakWatts, 20);
    assert.deepEqual(span.notes, []);
    assert.deepEqual(meter.askedAfterMs, [250], 'waited for a sample past the window end');
  });

  test('interval-average samples: each holds over the interval before it', async () => {
    const meter = new FakeMeter('b', steps(), { sampleKind: 'interval-average' });
    const span = await new Metering([meter]).energyOver(50, 250, [meter]);
    // (50,100] from the 100 ms sample: 20 × 50 = 1000; (100,200]: 20 × 100 = 2000; (200,250] from the 300 ms one: 10 × 50 = 500
    // 3500 W·ms = 3.5 J
    near(span.byMeter.b!, 3.5, 'energy');
    assert.equal(span.peakWatts, 20);
  });

  test('several meters: energy per meter, peaks summed; only the counted meters', async () => {
    const a = new FakeMeter('a', steps());
    const b = new FakeMeter('b', steps(), { sampleKind: 'interval-average' });
    const c = new FakeMeter('c', constant(99));
    const span = await new Metering([a, b, c]).energyOver(50, 250, [a, b]);
    near(span.byMeter.a!, 3.75);
    near(span.byMeter.b!, 3.5);
    assert.deepEqual(Object.keys(span.byMeter), ['a', 'b']);
    assert.equal(span.peakWatts, 40); // 20 + 20
    assert.deepEqual(c.askedAfterMs, []);
  });

  test('no sample inside the span: the mean power stands in for the peak', async () => {
    const meter = new FakeMeter('a', [{ tMs: 0, powerW: 10 }, { tMs: 1000, powerW: 30 }], { periodMs: 1000 });
    const span = await new Metering([meter]).energyOver(200, 400, [meter]);
    // P(200) = 14 W, P(400) = 18 W: (14+18)/2 × 200 ms = 3.2 J; mean 3.2 J / 0.2 s = 16 W
    near(span.byMeter.a!, 3.2);
    assert.equal(span.samplesByMeter.a, 0);
    near(span.peakWatts, 16, 'peak');
    assert.deepEqual(span.notes, [], 'a 1000 ms gap is one period of a 1000 ms meter');
  });

  test('a span the samples do not reach is extrapolated and says so', async () => {
    const meter = new FakeMeter('a', steps().slice(0, 3)); // up to 200 ms
    const span = await new Metering([meter]).energyOver(50, 250, [meter]);
    // 875 + 2000 + 20 W held × 50 ms = 1000 → 3875 W·ms
    near(span.byMeter.a!, 3.875);
    assert.deepEqual(span.notes, ['meter a did not cover the whole window (values extrapolated)']);
  });

  test('a gap over three periods (and over the period) is noted with its length', async () => {
    const meter = new FakeMeter('a', [{ tMs: 0, powerW: 10 }, { tMs: 100, powerW: 10 }, { tMs: 600, powerW: 10 }, { tMs: 700, powerW: 10 }], { periodMs: 100 });
    const span = await new Metering([meter]).energyOver(0, 700, [meter]);
    near(span.byMeter.a!, 7); // 10 W × 0.7 s
    // 600 − 100 = 500 ms > min(3 × 100, 1000) = 300 ms
    assert.deepEqual(span.notes, ['meter a had a 500 ms gap between samples (period 100 ms)']);
    // With a 200 ms period: 500 < 3 × 200 = 600, no note.
    const relaxed = new FakeMeter('b', meter.samples() as PowerSample[], { periodMs: 200 });
    assert.deepEqual((await new Metering([relaxed]).energyOver(0, 700, [relaxed])).notes, []);
  });

  test('interval averages: a gap inside the window is exact (no note); one across a window edge is noted', async () => {
    // A counter read at 0, 100, 600, 700: the sample at 600 holds the exact mean over (100, 600].
    const samples = [{ tMs: 0, powerW: 10 }, { tMs: 100, powerW: 10 }, { tMs: 600, powerW: 20 }, { tMs: 700, powerW: 10 }];
    const counter = new FakeMeter('c', samples, { periodMs: 100, sampleKind: 'interval-average' });
    const inside = await new Metering([counter]).energyOver(0, 700, [counter]);
    near(inside.byMeter.c!, 12); // 10 W × 0.1 s + 20 W × 0.5 s + 10 W × 0.1 s
    assert.deepEqual(inside.notes, []);
    // A window from 300 ms splits the 500 ms interval as if its 20 W were even: 300 > min(3 × 100, 1000) is noted.
    const edge = await new Metering([counter]).energyOver(300, 700, [counter]);
    near(edge.byMeter.c!, 7); // 20 W × 0.3 s + 10 W × 0.1 s
    assert.deepEqual(edge.notes, ['meter c had a 500 ms gap between samples across a window edge (period 100 ms)']);
  });

  test('a meter whose sampleAfter fails is still integrated on what it has', async () => {
    const meter = new FakeMeter('a', steps(), { sampleAfterFails: true });
    near((await new Metering([meter]).energyOver(50, 250, [meter])).byMeter.a!, 3.75);
  });

  test('a meter with no samples is METER_NO_SAMPLES naming it, and its failure when it has one', async () => {
    const empty = new FakeMeter('nvidia-smi:0', []);
    await assert.rejects(new Metering([empty]).energyOver(0, 100, [empty]), (error: unknown) => {
      assert.ok(error instanceof MeterError);
      assert.equal(error.code, 'METER_NO_SAMPLES');
      assert.equal(error.message, 'meter nvidia-smi:0 produced no power samples');
      return true;
    });
    empty.failed = new Error('nvidia-smi exited with code 9');
    await assert.rejects(new Metering([empty]).energyOver(0, 100, [empty]), { code: 'METER_NO_SAMPLES', message: 'meter nvidia-smi:0 produced no power samples: nvidia-smi exited with code 9' });
  });
});

describe('a meter that fails during a window', () => {
  test('restarted once: the window is marked incomplete, the run goes on', async () => {
    const meter = new FakeMeter('rapl', steps());
    meter.failed = new Error('energy_uj vanished');
    const metering = new Metering([meter]);
    const span = await metering.energyOver(50, 250, [meter]);
    near(span.byMeter.rapl!, 3.75, 'the samples it has still count');
    assert.deepEqual(span.notes, ['incomplete: meter rapl failed during this window (energy_uj vanished); it was restarted']);
    assert.equal(meter.restartCalls, 1);
    assert.equal(metering.fatalMeter, null);
  });

  test('failing again after its restart: no second restart, it becomes the fatal meter', async () => {
    const meter = new FakeMeter('rapl', steps());
    const metering = new Metering([meter]);
    meter.failed = new Error('first');
    await metering.energyOver(50, 250, [meter]);
    meter.failed = new Error('second');
    const span = await metering.energyOver(50, 250, [meter]);
    assert.deepEqual(span.notes, ['incomplete: meter rapl failed during this window (second)']);
    assert.equal(meter.restartCalls, 1);
    assert.equal(metering.fatalMeter, meter);
  });

  test('a restart that resolves false or throws leaves it fatal at once', async () => {
    for (const restartResult of [false, new Error('cannot spawn')]) {
      const meter = new FakeMeter('nvml:0', steps());
      meter.failed = new Error('NVML_ERROR_GPU_IS_LOST');
      meter.restartResult = restartResult;
      const metering = new Metering([meter]);
      const span = await metering.energyOver(50, 250, [meter]);
      assert.deepEqual(span.notes, ['incomplete: meter nvml:0 failed during this window (NVML_ERROR_GPU_IS_LOST)']);
      assert.equal(metering.fatalMeter, meter);
    }
  });

  test('coverage notes come first, then the failure notes', async () => {
    const meter = new FakeMeter('a', steps().slice(0, 3));
    meter.failed = new Error('gone');
    const span = await new Metering([meter]).energyOver(50, 250, [meter]);
    assert.deepEqual(span.notes, ['meter a did not cover the whole window (values extrapolated)', 'incomplete: meter a failed during this window (gone); it was restarted']);
  });
});

describe('idle power and cooling down', () => {
  test('measureIdle: mean power per meter over the quiet span', async () => {
    const metering = new Metering([new FakeMeter('cpu', constant(12)), new FakeMeter('gpu', constant(30), { sampleKind: 'interval-average' })]);
    const idle = await metering.measureIdle(0.02);
    // A constant power's energy over any span divided by that span is the power itself.
    near(idle.watts.cpu!, 12, 'cpu');
    near(idle.watts.gpu!, 30, 'gpu');
    assert.deepEqual(Object.keys(idle.watts), ['cpu', 'gpu']);
    assert.ok(idle.durationS > 0);
    assert.deepEqual(idle.warnings, []);
  });

  test('coolDown: one check when the counted meters are already within the margin of their idle power', async () => {
    // The meter takes 50 ms to deliver the sample past each check's end: that wait is not part of the span.
    const cpu = new FakeMeter('cpu', constant(21), { sampleAfterDelayMs: 50 });
    const gpu = new FakeMeter('gpu', constant(500));
    const metering = new Metering([cpu, gpu]);
    const seen: Array<{ watts: number; targetWatts: number }> = [];
    const waitedS = await metering.coolDown([cpu], { cpu: 20, gpu: 100 }, { maxSeconds: 10, marginPercent: 10 }, () => false, (step) => seen.push(step));
    assert.equal(seen.length, 1);
    // target: idle of the counted meter only, 20 W × (1 + 10/100) = 22 W; 21 W ≤ 22 W
    near(seen[0]!.targetWatts, 22, 'target');
    near(seen[0]!.watts, 21, 'watts');
    assert.ok(waitedS > 0);
  });

  test('coolDown: still too hot, it checks again until stopped; stopped before it starts, it does not check', async () => {
    const cpu = new FakeMeter('cpu', constant(50), { sampleAfterDelayMs: 50 });
    const metering = new Metering([cpu]);
    const seen: number[] = [];
    await metering.coolDown([cpu], { cpu: 20 }, { maxSeconds: 60, marginPercent: 0 }, () => seen.length >= 1, (step) => seen.push(step.watts));
    assert.equal(seen.length, 1, 'stopped after the first check');
    near(seen[0]!, 50);
    let checks = 0;
    assert.equal(typeof (await metering.coolDown([cpu], { cpu: 20 }, { maxSeconds: 60, marginPercent: 0 }, () => true, () => checks++)), 'number');
    // maxSeconds 0: no time to wait, so no check at all.
    await metering.coolDown([cpu], { cpu: 20 }, { maxSeconds: 0, marginPercent: 10 }, () => false, () => checks++);
    assert.equal(checks, 0);
  });
});
