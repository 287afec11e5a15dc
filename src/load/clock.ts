// Time for the load runner: a real clock with a precise timer, and a simulated clock for deterministic tests.

/** What the load runner needs of time: the current time (ms) and a callback at an absolute time. */
export interface LoadClock {
  now(): number;
  /** Call `fn` at `tMs` (at once, asynchronously, when that is past); returns a function that cancels it. */
  at(tMs: number, fn: () => void): () => void;
}

/**
 * The real clock. setTimeout fires on a 1 ms grid and late under load, so a timer sleeps until `spinMs` before its
 * time and then polls with setImmediate (which still lets onnxruntime's completions and I/O run) until it is due.
 * The spin costs CPU, which a utilisation-based meter counts as energy, so it is kept short; the lag left over is
 * measured per request, never hidden.
 */
export class RealClock implements LoadClock {
  constructor(private readonly spinMs = 0) {}

  now(): number {
    return performance.now();
  }

  at(tMs: number, fn: () => void): () => void {
    let cancelled = false;
    let timeout: NodeJS.Timeout | null = null;
    let immediate: NodeJS.Immediate | null = null;
    const poll = () => {
      if (cancelled) return;
      if (performance.now() >= tMs) fn();
      else immediate = setImmediate(poll);
    };
    const waitMs = tMs - performance.now() - this.spinMs;
    if (waitMs >= 1) timeout = setTimeout(poll, Math.floor(waitMs));
    else immediate = setImmediate(poll);
    return () => {
      cancelled = true;
      if (timeout) clearTimeout(timeout);
      if (immediate) clearImmediate(immediate);
    };
  }
}

/**
 * Simulated time: timers fire in time order (ties in the order they were set), and time jumps from one to the next.
 * Between two timers every promise continuation runs (a macrotask turn), so code written with async/await against
 * this clock runs exactly as it would in real time, only instantly and deterministically.
 */
export class VirtualClock implements LoadClock {
  private nowMs: number;
  private sequence = 0;
  private timers: Array<{ tMs: number; seq: number; fn: () => void; cancelled: boolean }> = [];

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  at(tMs: number, fn: () => void): () => void {
    const timer = { tMs: Math.max(tMs, this.nowMs), seq: this.sequence++, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** A promise that resolves `ms` of simulated time from now. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.at(this.nowMs + ms, resolve));
  }

  /** Fire timers in order until none is left (or `untilMs` is reached); resolves when done. */
  async run(untilMs = Number.POSITIVE_INFINITY): Promise<void> {
    await turn();
    for (;;) {
      const next = this.popNext(untilMs);
      if (!next) return;
      this.nowMs = next.tMs;
      next.fn();
      await turn();
    }
  }

  // The earliest timer due by `untilMs`, taken off the list; a later one stays for the next run().
  private popNext(untilMs: number): { tMs: number; fn: () => void } | null {
    this.timers = this.timers.filter((timer) => !timer.cancelled);
    let best = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const timer = this.timers[i]!;
      const current = best < 0 ? null : this.timers[best]!;
      if (!current || timer.tMs < current.tMs || (timer.tMs === current.tMs && timer.seq < current.seq)) best = i;
    }
    if (best < 0 || this.timers[best]!.tMs > untilMs) return null;
    const [timer] = this.timers.splice(best, 1);
    return timer!;
  }
}

// One macrotask turn: every pending promise continuation has run when it resolves.
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
