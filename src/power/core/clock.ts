// Time for meters: one injectable clock, so meter tests can run on simulated time (test/power/sim-clock.ts).

/** A timer that can be cancelled. */
export interface Timer {
  cancel(): void;
}

/** Where a meter reads the time and sets its timers. Samples are stamped with now(). */
export interface Clock {
  /** Milliseconds on the performance.now() scale. */
  now(): number;
  /** Call `fn` after `ms`. `keepAlive` holds the Node process open until then (real clock; default: it does not). */
  after(ms: number, fn: () => void, keepAlive?: boolean): Timer;
}

/** performance.now() and setTimeout: what every meter uses unless a test injects another clock. */
export const realClock: Clock = {
  now: () => performance.now(),
  after(ms, fn, keepAlive = false) {
    // Whole milliseconds: Node keeps one timer list per distinct duration, and a fraction would make a new one each time.
    const handle = setTimeout(fn, Math.max(0, Math.ceil(ms)));
    if (!keepAlive) handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

/** Resolves after `ms` on `clock` (keeping Node alive meanwhile, as an awaited wait should). */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.after(ms, resolve, true));
}
