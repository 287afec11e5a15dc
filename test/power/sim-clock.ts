// A simulated clock for meter tests: time moves only when the test calls advance(), and timers fire in time order.
import type { Clock, Timer } from '../../src/power/core/clock.js';

/** Let pending promise callbacks and I/O callbacks run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Clock whose now() starts at `startMs` and moves by advance(); inject it where a meter takes `clock`. */
export class SimClock implements Clock {
  private nowMs: number;
  private timers: Array<{ atMs: number; fn: () => void }> = [];

  constructor(startMs = 1000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  after(ms: number, fn: () => void): Timer {
    const timer = { atMs: this.nowMs + Math.max(0, ms), fn };
    this.timers.push(timer);
    return { cancel: () => void (this.timers = this.timers.filter((t) => t !== timer)) };
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way (letting promises settle between them). */
  async advance(ms: number): Promise<void> {
    const endMs = this.nowMs + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.atMs <= endMs).sort((a, b) => a.atMs - b.atMs)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.nowMs = Math.max(this.nowMs, due.atMs);
      due.fn();
    }
    this.nowMs = endMs;
    await settle();
  }
}
