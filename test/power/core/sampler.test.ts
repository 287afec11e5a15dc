// The sampler under every meter, driven by fake feeds on simulated time: per-device buffers, waiting for a sample
// after t, timeouts, failures, restart, stop and the poll loop. SimClock starts at 1000 ms.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MeterError } from '../../../src/errors.js';
import { Sampler, type Feed, type FeedSink, type Reading, type SamplerOptions } from '../../../src/power/core/sampler.js';
import type { MeterInfo } from '../../../src/power/types.js';
import { settle, SimClock } from '../sim-clock.js';

const info = (key: number): MeterInfo => ({
  id: `fake:${key}`, kind: 'fake', scope: 'gpu', device: `cuda:${key}`, periodMs: 100, estimated: false, sampleKind: 'instant', detail: 'a fake feed',
});

/** A streamed feed: the test pushes readings by hand. Counts opens and closes; `openError` makes open() throw. */
class StreamFeed implements Feed {
  sink: FeedSink | null = null;
  opens = 0;
  closes = 0;
  openError: Error | null = null;
  open(sink: FeedSink): void {
    this.opens++;
    this.sink = sink;
    if (this.openError) throw this.openError;
  }
  close(): void {
    this.closes++;
  }
  push(reading: Reading): void {
    this.sink!.push(reading);
  }
}

/** A polled feed: `read(nowMs)` is one poll (push readings, or throw for a failed poll); pollsAtMs records when. */
class PolledFeed extends StreamFeed {
  readonly pollsAtMs: number[] = [];
  constructor(private readonly clock: SimClock, private readonly read: (sink: FeedSink, nowMs: number) => void) {
    super();
  }
  poll(sink: FeedSink): void {
    this.pollsAtMs.push(this.clock.now());
    this.read(sink, this.clock.now());
  }
}

/** Whether a promise has resolved yet (read after settle() / clock.advance()). */
function track(promise: Promise<unknown>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  return state;
}

const waitFixed = (ms: number): SamplerOptions['waitMs'] => () => ms;

describe('buffers', () => {
  test('readings are kept per device in strict time order; a device without a meter is dropped', async () => {
    const feed = new StreamFeed();
    const sampler = new Sampler(feed, { clock: new SimClock(), waitMs: waitFixed(1000) });
    const gpu0 = sampler.meter(0, info(0));
    const gpu1 = sampler.meter(1, info(1));
    await gpu0.start(); // gpu1 is not started: its readings are kept all the same (one feed, the same polls)
    feed.push({ key: 0, tMs: 10, powerW: 5 });
    feed.push({ key: 1, tMs: 3, powerW: 7 });
    feed.push({ key: 0, tMs: 10, powerW: 6 }); // at the previous time: 10 + 0.001
    feed.push({ key: 0, tMs: 9, powerW: 8 }); // before it: (10 + 0.001) + 0.001
    feed.push({ key: 0, tMs: 20, powerW: 9 });
    feed.push({ key: 2, tMs: 4, powerW: 1 }); // no meter was made for device 2
    assert.deepEqual(gpu0.samples(), [
      { tMs: 10, powerW: 5 },
      { tMs: 10 + 1e-3, powerW: 6 },
      { tMs: 10 + 1e-3 + 1e-3, powerW: 8 },
      { tMs: 20, powerW: 9 },
    ]);
    assert.deepEqual(gpu1.samples(), [{ tMs: 3, powerW: 7 }]);
    assert.deepEqual(sampler.samples(2), []);
    assert.equal(feed.opens, 1);
  });

  test('an unchanged context is shared with the previous sample; a changed one is kept as given', async () => {
    const feed = new StreamFeed();
    const meter = new Sampler(feed, { clock: new SimClock(), waitMs: waitFixed(1000) }).meter(0, info(0));
    await meter.start();
    feed.push({ key: 0, tMs: 1, powerW: 5, context: { clockMHz: 1500, state: 'P0' } });
    feed.push({ key: 0, tMs: 2, powerW: 5, context: { clockMHz: 1500, state: 'P0' } });
    feed.push({ key: 0, tMs: 3, powerW: 5, context: { clockMHz: 1600, state: 'P0' } });
    const [first, second, third] = meter.samples();
    assert.equal(second!.context, first!.context);
    assert.deepEqual(third!.context, { clockMHz: 1600, state: 'P0' });
    assert.notEqual(third!.context, first!.context);
  });

  test('a null power is counted as missing with the tool\'s words, never a sample, and meets no wait', async () => {
    const clock = new SimClock();
    const feed = new StreamFeed();
    const sampler = new Sampler(feed, { clock, waitMs: waitFixed(1000) });
    const meter = sampler.meter(0, info(0));
    await meter.start();
    assert.deepEqual(sampler.missing(0), { count: 0, last: null });
    const waited = track(meter.sampleAfter(1000));
    feed.push({ key: 0, tMs: 1005, powerW: null, missing: 'N/A (Secondary die)' });
    await settle();
    assert.equal(waited.done, false);
    assert.deepEqual(meter.samples(), []);
    assert.deepEqual(sampler.missing(0), { count: 1, last: 'N/A (Secondary die)' });
    feed.push({ key: 0, tMs: 1006, powerW: null }); // no words this time: last is cleared
    assert.deepEqual(sampler.missing(0), { count: 2, last: null });
    feed.push({ key: 0, tMs: 1007, powerW: 40 });
    await settle();
    assert.equal(waited.done, true);
    assert.deepEqual(meter.samples(), [{ tMs: 1007, powerW: 40 }]);
    assert.deepEqual(sampler.missing(0), { count: 2, last: null });
  });
});

describe('waiting for a sample after t', () => {
  test('only a sample that began at or after t (sinceMs, else tMs) ends the wait', async () => {
    const feed = new StreamFeed();
    const meter = new Sampler(feed, { clock: new SimClock(), waitMs: waitFixed(1000) }).meter(0, info(0));
    await meter.start();
    const waited = track(meter.sampleAfter(1050));
    feed.push({ key: 0, tMs: 1045, powerW: 1 }); // before t
    feed.push({ key: 0, tMs: 1060, powerW: 2, sinceMs: 1040 }); // stamped after t, but began before it
    await settle();
    assert.equal(waited.done, false);
    feed.push({ key: 0, tMs: 1070, powerW: 3, sinceMs: 1050 }); // began exactly at t
    await settle();
    assert.equal(waited.done, true);
    assert.deepEqual(meter.samples().map((s) => s.tMs), [1045, 1060, 1070]);
  });

  test('a wait resolves at once when t is covered, when the meter is not started, and on stop', async () => {
    const feed = new StreamFeed();
    const meter = new Sampler(feed, { clock: new SimClock(), waitMs: waitFixed(1000) }).meter(0, info(0));
    const notStarted = track(meter.sampleAfter(5000));
    await settle();
    assert.equal(notStarted.done, true);
    await meter.start();
    feed.push({ key: 0, tMs: 1200, powerW: 1 });
    const covered = track(meter.sampleAfter(1200));
    await settle();
    assert.equal(covered.done, true);
    const pending = track(meter.sampleAfter(5000));
    await settle();
    assert.equal(pending.done, false);
    await meter.stop();
    await settle();
    assert.equal(pending.done, true);
    assert.equal(meter.failure(), null);
  });

  // waitMs here: (t − now) + 50, as the rapl meter does. sampleAfter(1100) at 1000 waits 100 + 50 = 150 ms.
  const timeoutSampler = (onTimeout: SamplerOptions['onTimeout']) => {
    const clock = new SimClock();
    const feed = new StreamFeed();
    const calls: Array<[number, number, number]> = [];
    const waitMs = (tMs: number, now: number) => Math.max(0, tMs - now) + 50;
    const sampler = new Sampler(feed, {
      clock,
      waitMs,
      ...(onTimeout && { onTimeout: (key: number, tMs: number, waitedMs: number) => (calls.push([key, tMs, waitedMs]), onTimeout(key, tMs, waitedMs)) }),
    });
    return { clock, feed, sampler, calls, gpu0: sampler.meter(0, info(0)), gpu1: sampler.meter(1, info(1)) };
  };

  test('a timeout whose verdict is an Error fails the whole feed and closes it', async () => {
    const died = new MeterError('METER_STOPPED', 'the tool went quiet');
    const { clock, feed, sampler, calls, gpu0, gpu1 } = timeoutSampler(() => died);
    await gpu0.start();
    await gpu1.start();
    const wait0 = track(gpu0.sampleAfter(1100));
    const wait1 = track(gpu1.sampleAfter(2000)); // would wait until 2000 + 50
    await clock.advance(149);
    assert.equal(wait0.done, false);
    await clock.advance(1); // 1150 = 1000 + 150
    assert.equal(wait0.done, true);
    assert.equal(wait1.done, true, 'the failure releases every waiter of the feed');
    assert.deepEqual(calls, [[0, 1100, 150]]);
    assert.equal(gpu0.failure(), died);
    assert.equal(gpu1.failure(), died);
    assert.equal(sampler.failure(0), died);
    assert.equal(feed.closes, 1);
  });

  test('a timeout whose verdict is a string fails only that device, with METER_NO_READING', async () => {
    const { clock, feed, calls, gpu0, gpu1 } = timeoutSampler((key) => `device ${key} gave no power`);
    await gpu0.start();
    await gpu1.start();
    const wait0 = track(gpu0.sampleAfter(1100));
    await clock.advance(150);
    assert.equal(wait0.done, true);
    assert.deepEqual(calls, [[0, 1100, 150]]);
    const failure = gpu0.failure();
    assert.ok(failure instanceof MeterError);
    assert.equal(failure.code, 'METER_NO_READING');
    assert.equal(failure.message, 'device 0 gave no power');
    assert.equal(gpu1.failure(), null);
    assert.equal(feed.closes, 0, 'the feed runs on for the other device');
    feed.push({ key: 1, tMs: 1160, powerW: 30 });
    assert.deepEqual(gpu1.samples(), [{ tMs: 1160, powerW: 30 }]);
    const again = track(gpu0.sampleAfter(1200)); // a failed device does not wait
    await settle();
    assert.equal(again.done, true);
  });

  test('a timeout whose verdict is null (or with no onTimeout) is a gap: nothing fails', async () => {
    for (const onTimeout of [() => null, undefined]) {
      const { clock, feed, calls, gpu0 } = timeoutSampler(onTimeout);
      await gpu0.start();
      const wait0 = track(gpu0.sampleAfter(1100));
      await clock.advance(150);
      assert.equal(wait0.done, true);
      assert.deepEqual(calls, onTimeout ? [[0, 1100, 150]] : []);
      assert.equal(gpu0.failure(), null);
      assert.equal(feed.closes, 0);
    }
  });

  test('startWaitsForSample: start() resolves once the device has its first sample', async () => {
    const feed = new StreamFeed();
    const meter = new Sampler(feed, { clock: new SimClock(), startWaitsForSample: true, waitMs: waitFixed(1000) }).meter(0, info(0));
    const started = track(meter.start());
    await settle();
    assert.equal(feed.opens, 1);
    assert.equal(started.done, false);
    feed.push({ key: 0, tMs: 900, powerW: 12 }); // any sample will do, whatever its time
    await settle();
    assert.equal(started.done, true);
  });
});

describe('failure, restart and stop', () => {
  // waitMs: (t − now) + 50; the restart below waits for a sample that began at or after the time restart() is called.
  const restartable = () => {
    const clock = new SimClock();
    const feed = new StreamFeed();
    const sampler = new Sampler(feed, { clock, waitMs: (tMs, now) => Math.max(0, tMs - now) + 50 });
    return { clock, feed, meter: sampler.meter(0, info(0)) };
  };

  test('a feed failure fails the meter; restart reopens the feed and waits for a fresh sample', async () => {
    const { clock, feed, meter } = restartable();
    await meter.start();
    feed.push({ key: 0, tMs: 1000, powerW: 10 });
    await clock.advance(200); // now 1200
    const exited = new Error('tool exited with code 1');
    feed.sink!.fail(exited);
    await settle();
    assert.equal(meter.failure(), exited);
    assert.equal(feed.closes, 1);
    const restarted = meter.restart();
    const done = track(restarted);
    await settle();
    assert.equal(feed.opens, 2);
    assert.equal(meter.failure(), null);
    feed.push({ key: 0, tMs: 1210, powerW: 11, sinceMs: 1190 }); // began before the restart: not fresh
    await settle();
    assert.equal(done.done, false);
    feed.push({ key: 0, tMs: 1220, powerW: 12 });
    assert.equal(await restarted, true);
    assert.deepEqual(meter.samples().map((s) => s.powerW), [10, 11, 12]);
  });

  test('restart is false when no fresh sample comes within waitMs (a gap, not a failure)', async () => {
    const { clock, feed, meter } = restartable();
    await meter.start();
    feed.sink!.fail(new Error('tool exited'));
    const restarted = meter.restart(); // waits (1000 − 1000) + 50 = 50 ms
    const done = track(restarted);
    await clock.advance(49);
    assert.equal(done.done, false);
    await clock.advance(1);
    assert.equal(await restarted, false);
    assert.equal(feed.opens, 2);
    assert.equal(meter.failure(), null, 'onTimeout is unset');
  });

  test('restart is false, and the meter failed, when the feed cannot open again', async () => {
    const { feed, meter } = restartable();
    await meter.start();
    feed.sink!.fail(new Error('tool exited'));
    const gone = new MeterError('METER_UNAVAILABLE', 'nvidia-smi: not found');
    feed.openError = gone;
    assert.equal(await meter.restart(), false);
    assert.equal(feed.opens, 2);
    assert.equal(meter.failure(), gone);
  });

  test('the last device to stop closes the feed, once; starting again reopens it', async () => {
    const feed = new StreamFeed();
    const sampler = new Sampler(feed, { clock: new SimClock(), waitMs: waitFixed(1000) });
    const gpu0 = sampler.meter(0, info(0));
    const gpu1 = sampler.meter(1, info(1));
    await gpu0.start();
    await gpu1.start();
    await gpu0.start(); // already started: nothing happens
    assert.equal(feed.opens, 1);
    await gpu0.stop();
    assert.equal(feed.closes, 0, 'gpu1 still runs');
    await gpu1.stop();
    assert.equal(feed.closes, 1);
    await gpu1.stop();
    await gpu0.stop();
    assert.equal(feed.closes, 1);
    await gpu1.start();
    assert.equal(feed.opens, 2);
    await gpu1.stop();
    assert.equal(feed.closes, 2);
  });

  test('a start whose feed cannot open throws, and the next start tries again', async () => {
    const feed = new StreamFeed();
    const meter = new Sampler(feed, { clock: new SimClock(), waitMs: waitFixed(1000) }).meter(0, info(0));
    const missing = new MeterError('METER_UNAVAILABLE', 'tool not found');
    feed.openError = missing;
    await assert.rejects(meter.start(), (error) => error === missing);
    assert.equal(feed.closes, 0, 'a feed that never opened is not closed');
    feed.openError = null;
    await meter.start();
    assert.equal(feed.opens, 2);
    assert.equal(meter.failure(), null);
  });
});

describe('the poll loop', () => {
  test('polls every periodMs from open; achievedPeriodMs is the mean spacing of poll starts', async () => {
    const clock = new SimClock();
    const feed = new PolledFeed(clock, (sink, nowMs) => sink.push({ key: 0, tMs: nowMs, powerW: 20 }));
    let afterPolls = 0;
    const sampler = new Sampler(feed, { clock, periodMs: 100, waitMs: waitFixed(1000), afterPoll: () => afterPolls++ });
    const meter = sampler.meter(0, info(0));
    assert.equal(sampler.achievedPeriodMs(), null);
    await meter.start(); // the first poll comes with open, at 1000
    assert.deepEqual(feed.pollsAtMs, [1000]);
    assert.equal(sampler.achievedPeriodMs(), null, 'one poll has no spacing');
    await clock.advance(250); // polls at 1100 and 1200; the next is due at 1300
    assert.deepEqual(feed.pollsAtMs, [1000, 1100, 1200]);
    assert.deepEqual(meter.samples().map((s) => s.tMs), [1000, 1100, 1200]);
    assert.equal(sampler.achievedPeriodMs(), 100); // (100 + 100) / 2
    assert.deepEqual(sampler.polls(), { count: 3, failed: 0, lastError: null });
    assert.equal(afterPolls, 3);
    await meter.stop();
    await clock.advance(1000);
    assert.equal(feed.pollsAtMs.length, 3, 'no poll after stop');
  });

  test('a poll slower than the period stretches the achieved period', async () => {
    const clock = new SimClock();
    const pollsAtMs: number[] = [];
    // Each poll is a tool run of 150 ms that pushes its reading when it ends; close() kills a run in flight.
    let kill = () => {};
    const feed: Feed = {
      open() {},
      close() {
        kill();
      },
      poll(sink) {
        const startMs = clock.now();
        pollsAtMs.push(startMs);
        return new Promise<void>((resolve) => {
          const run = clock.after(150, () => (sink.push({ key: 0, tMs: clock.now(), powerW: 1, sinceMs: startMs }), resolve()));
          kill = () => (run.cancel(), resolve());
        });
      },
    };
    const sampler = new Sampler(feed, { clock, periodMs: 100, waitMs: waitFixed(1000) });
    await sampler.meter(0, info(0)).start();
    await clock.advance(400); // polls at 1000, 1150 and 1300 (each overdue when the previous ends); the fourth ends at 1450
    assert.deepEqual(pollsAtMs, [1000, 1150, 1300]);
    assert.equal(sampler.achievedPeriodMs(), 150); // (150 + 150) / 2: counted for the two polls that ended
    assert.equal(sampler.polls().count, 2);
    await sampler.release(0);
  });

  test('failed polls are counted; failAfterPolls in a row fail the feed with tooMany\'s error', async () => {
    const clock = new SimClock();
    const outcomes = ['fail', 'fail', 'ok', 'fail', 'fail', 'fail'];
    const feed = new PolledFeed(clock, (sink, nowMs) => {
      const outcome = outcomes[feed.pollsAtMs.length - 1];
      if (outcome === 'fail') throw new Error(`read failed at ${nowMs}`);
      sink.push({ key: 0, tMs: nowMs, powerW: 7 });
    });
    const tooMany = (last: Error, count: number) => new MeterError('METER_STOPPED', `${count} polls in a row failed; last: ${last.message}`);
    const sampler = new Sampler(feed, { clock, periodMs: 100, failAfterPolls: 3, tooMany, waitMs: waitFixed(1000) });
    const meter = sampler.meter(0, info(0));
    await meter.start();
    await clock.advance(400); // polls at 1000 … 1400: fail, fail, ok, fail, fail — never three in a row
    assert.equal(meter.failure(), null);
    assert.deepEqual(sampler.polls(), { count: 5, failed: 4, lastError: 'read failed at 1400' });
    await clock.advance(100); // the poll at 1500 is the third failure in a row
    const failure = meter.failure();
    assert.ok(failure instanceof MeterError);
    assert.equal(failure.message, '3 polls in a row failed; last: read failed at 1500');
    assert.deepEqual(sampler.polls(), { count: 6, failed: 5, lastError: 'read failed at 1500' });
    await settle();
    assert.equal(feed.closes, 1);
    await clock.advance(500);
    assert.equal(feed.pollsAtMs.length, 6, 'a failed feed is not polled');
  });

  test('without retryMs, a wait for a time already passed polls at once; a future one waits for the period', async () => {
    const clock = new SimClock();
    const feed = new PolledFeed(clock, (sink, nowMs) => sink.push({ key: 0, tMs: nowMs, powerW: 3 }));
    const sampler = new Sampler(feed, { clock, periodMs: 1000, waitMs: waitFixed(5000) });
    const meter = sampler.meter(0, info(0));
    await meter.start(); // poll at 1000
    await clock.advance(50);
    const passed = track(meter.sampleAfter(1040));
    await settle();
    assert.equal(passed.done, true);
    assert.deepEqual(feed.pollsAtMs, [1000, 1050]);
    const future = track(meter.sampleAfter(1300));
    await clock.advance(850); // now 1900: no poll was due yet
    assert.equal(future.done, false);
    assert.deepEqual(feed.pollsAtMs, [1000, 1050]);
    await clock.advance(1100); // now 3000: the periodic poll has come
    assert.equal(future.done, true);
    assert.equal(feed.pollsAtMs.length, 3);
    assert.ok(meter.samples().at(-1)!.tMs >= 1300);
    await meter.stop();
  });

  test('retryMs: a wait for a future t polls at t, and a poll that brought nothing is retried every retryMs', async () => {
    const clock = new SimClock();
    // An energy counter read in-process: it has a value at 1000 (the baseline) and next ticks at 1325.
    const feed = new PolledFeed(clock, (sink, nowMs) => {
      if (nowMs === 1000 || nowMs >= 1325) sink.push({ key: 0, tMs: nowMs, powerW: 15 });
    });
    const sampler = new Sampler(feed, { clock, periodMs: 1000, retryMs: 10, waitMs: waitFixed(5000) });
    const meter = sampler.meter(0, info(0));
    await meter.start();
    const waited = track(meter.sampleAfter(1300));
    await clock.advance(329); // polls at 1300 (t), then 1310 and 1320 (retries): the counter has not ticked
    assert.equal(waited.done, false);
    assert.deepEqual(feed.pollsAtMs, [1000, 1300, 1310, 1320]);
    await clock.advance(1); // 1330 = 1320 + 10: it has
    assert.equal(waited.done, true);
    assert.deepEqual(feed.pollsAtMs, [1000, 1300, 1310, 1320, 1330]);
    assert.deepEqual(meter.samples().map((s) => s.tMs), [1000, 1330]);
    // The early polls kept the regular schedule: the next one is due at 1000 + 1000, not a period after each retry.
    await clock.advance(670);
    assert.deepEqual(feed.pollsAtMs, [1000, 1300, 1310, 1320, 1330, 2000]);
    await meter.stop();
  });
});
