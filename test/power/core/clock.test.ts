// The real clock's timers (on node:test's mocked setTimeout, so no wall-clock time is measured) and sleep().
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { realClock, sleep } from '../../../src/power/core/clock.js';
import { SimClock } from '../sim-clock.js';

test('realClock.now is on the performance.now() scale', () => {
  const beforeMs = performance.now();
  const nowMs = realClock.now();
  assert.ok(beforeMs <= nowMs && nowMs <= performance.now());
});

test('sleep resolves after ms on the clock it is given', async () => {
  const clock = new SimClock();
  let done = false;
  void sleep(clock, 250).then(() => (done = true));
  await clock.advance(249);
  assert.equal(done, false);
  await clock.advance(1);
  assert.equal(done, true);
});

describe('realClock.after (on mocked timers)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  test('a fractional duration is rounded up to whole milliseconds; a negative one is 0', () => {
    const fired: string[] = [];
    realClock.after(10.2, () => fired.push('10.2 → 11'));
    realClock.after(-5, () => fired.push('-5 → 0'));
    mock.timers.tick(0);
    assert.deepEqual(fired, ['-5 → 0']);
    mock.timers.tick(10.5); // 10.5 ms: past 10.2, but before ceil(10.2) = 11
    assert.deepEqual(fired, ['-5 → 0']);
    mock.timers.tick(0.5); // 11 ms
    assert.deepEqual(fired, ['-5 → 0', '10.2 → 11']);
  });

  test('a cancelled timer never fires', () => {
    let fired = false;
    const timer = realClock.after(5, () => (fired = true), true);
    timer.cancel();
    mock.timers.tick(100);
    assert.equal(fired, false);
  });
});
