// The load runner's clocks. VirtualClock: timers in time order (ties in the order set), time that only moves forward,
// async code that runs as in real time, run(untilMs) that keeps later timers. RealClock: a callback never before its
// time, asynchronous even when the time is past, and cancellable (no assertion on how late it is).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealClock, VirtualClock } from '../../src/load/clock.js';

describe('VirtualClock', () => {
  it('starts at its start time and fires timers in time order, ties in the order they were set', async () => {
    const clock = new VirtualClock(1000);
    assert.equal(clock.now(), 1000);
    const fired: Array<[string, number]> = [];
    const log = (name: string) => () => fired.push([name, clock.now()]);
    clock.at(1030, log('c'));
    clock.at(1010, log('a'));
    clock.at(1020, log('b1'));
    clock.at(1020, log('b2'));
    await clock.run();
    assert.deepEqual(fired, [['a', 1010], ['b1', 1020], ['b2', 1020], ['c', 1030]]);
    assert.equal(clock.now(), 1030); // time stays at the last timer
  });

  it('a time already past fires at the current time: time never goes backwards', async () => {
    const clock = new VirtualClock(100);
    const seen: number[] = [];
    clock.at(50, () => seen.push(clock.now()));
    clock.at(100, () => seen.push(clock.now()));
    await clock.run();
    assert.deepEqual(seen, [100, 100]); // the past one was set first, so it fires first of the two at 100
  });

  it('a cancelled timer never fires; cancelling after it fired is harmless', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const cancelA = clock.at(10, () => fired.push('a'));
    const cancelB = clock.at(20, () => fired.push('b'));
    cancelA();
    await clock.run();
    cancelB();
    assert.deepEqual(fired, ['b']);
    assert.equal(clock.now(), 20); // the cancelled timer did not move time either
  });

  it('timers set by a callback fire in the same run', async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const tick = () => {
      fired.push(clock.now());
      if (clock.now() < 30) clock.at(clock.now() + 10, tick);
    };
    clock.at(0, tick);
    await clock.run();
    assert.deepEqual(fired, [0, 10, 20, 30]);
  });

  it('async code with sleep runs as in real time, tasks interleaving by simulated time', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const task = async (name: string, stepsMs: number[]) => {
      for (const stepMs of stepsMs) {
        await clock.sleep(stepMs);
        log.push(`${name}@${clock.now()}`);
      }
    };
    // A: 10, 10 + 15 = 25, 25 + 1 = 26; B: 12, 12 + 12 = 24, 24 + 6 = 30.
    const done = Promise.all([task('A', [10, 15, 1]), task('B', [12, 12, 6])]);
    await clock.run();
    await done;
    assert.deepEqual(log, ['A@10', 'B@12', 'B@24', 'A@25', 'A@26', 'B@30']);
  });

  it('sleep(0) resolves at the same time, after the timers already due then', async () => {
    const clock = new VirtualClock(5);
    const log: string[] = [];
    clock.at(5, () => log.push('timer'));
    const slept = clock.sleep(0).then(() => log.push(`slept@${clock.now()}`));
    await clock.run();
    await slept;
    assert.deepEqual(log, ['timer', 'slept@5']);
  });

  it('run(untilMs) fires the timers due by then and keeps the later ones for the next run', async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    for (const tMs of [10, 20, 30, 40]) clock.at(tMs, () => fired.push(tMs));
    await clock.run(20); // inclusive: 20 is due
    assert.deepEqual(fired, [10, 20]);
    assert.equal(clock.now(), 20);
    await clock.run(25);
    assert.deepEqual(fired, [10, 20], 'nothing due in (20, 25]');
    await clock.run();
    assert.deepEqual(fired, [10, 20, 30, 40]);
  });

  it('run() with no timers resolves and leaves the time alone', async () => {
    const clock = new VirtualClock(7);
    await clock.run();
    assert.equal(clock.now(), 7);
  });
});

describe('RealClock', () => {
  // Resolves when `fn` is called through clock.at, with the time it saw then.
  const calledAt = (clock: RealClock, tMs: number) => new Promise<number>((resolve) => clock.at(tMs, () => resolve(performance.now())));

  it('now() is performance.now(): monotonic, in ms', () => {
    const clock = new RealClock();
    const before = performance.now();
    const now = clock.now();
    assert.ok(now >= before && performance.now() >= now);
  });

  it('never calls back before the time asked for, with or without a spin', async () => {
    for (const spinMs of [0, 3]) {
      const clock = new RealClock(spinMs);
      for (const aheadMs of [0.5, 4]) {
        const tMs = performance.now() + aheadMs;
        assert.ok((await calledAt(clock, tMs)) >= tMs, `spin ${spinMs} ms, ${aheadMs} ms ahead`);
      }
    }
  });

  it('a time already past calls back asynchronously, not inside at()', async () => {
    const clock = new RealClock();
    let called = false;
    const done = new Promise<void>((resolve) => clock.at(performance.now() - 100, () => {
      called = true;
      resolve();
    }));
    assert.equal(called, false);
    await done;
    assert.equal(called, true);
  });

  it('a cancelled callback never comes, whether cancelled while sleeping or while spinning', async () => {
    const clock = new RealClock(5);
    const fired: string[] = [];
    clock.at(performance.now() + 20, () => fired.push('sleeping'))(); // 20 − 5 ms: a setTimeout
    clock.at(performance.now() + 2, () => fired.push('spinning'))(); // within the spin: setImmediate polling
    clock.at(performance.now() - 1, () => fired.push('past'))();
    await calledAt(clock, performance.now() + 30); // a later timer: by then the cancelled ones would have come
    assert.deepEqual(fired, []);
  });
});
