// A simulated clock for meter tests: time moves only when the test calls advance(), and timers fire in time order.
import type { Clock, Timer } from '../../src/power/core/clock.js';

/** Let pending promise callbacks and I/O callbacks run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Clock whose now() starts at `startMs` and moves by advance(); inject it where a meter takes `clock`. */
export class SimClock implements Clock {
  private nowMs: number;
  private timers: Array<{ atMs: number; fn: () => void }> = [];

  /** `moved` hears every step of time (a manual-clock fake device follows it: `(ms) => fake.advance(ms)`). */
  constructor(startMs = 1000, private readonly moved: (ms: number) => void = () => {}) {
    this.nowMs = startMs;
  }

  private moveTo(tMs: number): void {
    if (tMs <= this.nowMs) return;
    const stepMs = tMs - this.nowMs;
    this.nowMs = tMs;
    this.moved(stepMs);
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
      this.moveTo(due.atMs);
      due.fn();
    }
    this.moveTo(endMs);
    await settle();
  }
}
