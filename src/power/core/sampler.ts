// The one sampler under every meter: a feed of readings (a tool's stream, a polled tool, counters read in-process)
// shared by the meters of all the devices it reports, with the sample buffer of each device, waiting for a sample
// after t, failure, restart, stop and the poll loop. A vendor file only probes and parses: it implements Feed.
import { MeterError } from '../../errors.js';
import type { MeterInfo, PowerMeter, PowerSample } from '../types.js';
import { realClock, type Clock } from './clock.js';

/** One reading of one device. A null power is a gap the tool admitted to (`N/A`), never 0 W. */
export interface Reading {
  /** Which device (channel) of the feed: a GPU index, 0 for a single-device feed. */
  key: number;
  tMs: number;
  powerW: number | null;
  context?: Record<string, number | string>;
  /** When the reading began (a polled tool's spawn): a wait for t is met only by readings that began at or after t. */
  sinceMs?: number;
  /** The tool's own words when powerW is null (`N/A (Secondary die)`), for messages. */
  missing?: string;
}

/** Where a feed delivers readings and failures. */
export interface FeedSink {
  push(reading: Reading): void;
  /** The feed is dead (tool exited, counter vanished): every meter on it reports `error` until restarted. */
  fail(error: Error): void;
}

/** What a vendor file implements. */
export interface Feed {
  /**
   * Begin: spawn the tool, initialise the library, read a baseline. Called when the first meter starts and again by
   * restart(). May wait for the tool's first output. Throws (a MeterError) when the feed cannot start.
   */
  open(sink: FeedSink): Promise<void> | void;
  /**
   * Polled feeds: one read of every device, pushed to the sink before it resolves. The sampler calls it every
   * periodMs, and at once when a meter waits for a time that has passed. Throwing counts as a failed poll.
   */
  poll?(sink: FeedSink): Promise<void> | void;
  /** End: kill the tool, release the library (a last read first, where reads are cheap). Resolves when done. */
  close(sink: FeedSink): Promise<void> | void;
}

/** How the sampler drives a feed. */
export interface SamplerOptions {
  /** Default: the real clock. */
  clock?: Clock;
  /** Polled feeds: time from one poll's start to the next one's (a slow poll stretches it: see achievedPeriodMs). */
  periodMs?: number;
  /**
   * Polled in-process feeds (cheap reads): a wait for a future t polls at t, and a poll that brought no sample for a
   * time already passed (a counter that has not ticked) is retried after this many ms. Unset: the next poll comes at
   * the period, or at once when someone waits for a time already passed.
   */
  retryMs?: number;
  /** Polled feeds: this many failed polls in a row fail the feed, with the error `tooMany` makes of the last one. */
  failAfterPolls?: number;
  tooMany?(last: Error, count: number): Error;
  /** start() waits for the device's first sample (within waitMs). */
  startWaitsForSample?: boolean;
  /** How long sampleAfter(tMs) waits at most, counted from when it is called. */
  waitMs(tMs: number, now: number): number;
  /**
   * sampleAfter ran out of time: return an Error to fail the whole feed, a string to fail only this device, or null
   * to let the caller go on with a gap. Default null.
   */
  onTimeout?(key: number, tMs: number, waitedMs: number): Error | string | null;
  /** Called after every poll (good or bad): meters that track the achieved period update their info here. */
  afterPoll?(): void;
}

interface Waiter {
  tMs: number;
  done: () => void;
}

/** The samples of one device, and who waits for them. */
class Channel {
  readonly samples: PowerSample[] = [];
  started = false;
  failed: Error | null = null;
  waiters: Waiter[] = [];
  /** When the latest sample began (sinceMs, else tMs). */
  coveredFromMs = Number.NEGATIVE_INFINITY;
  missingCount = 0;
  lastMissing: string | null = null;

  // Every reading of an open feed is kept, also for a device whose meter has not started (yet): meters of one feed
  // then hold the same polls.
  push(reading: Reading): void {
    if (reading.powerW === null) {
      this.missingCount++;
      this.lastMissing = reading.missing ?? null;
      return;
    }
    const last = this.samples[this.samples.length - 1];
    // Strict time order, even when a timestamp correction would reach back past the previous sample.
    const tMs = last && reading.tMs <= last.tMs ? last.tMs + 1e-3 : reading.tMs;
    // Hours of samples add up: an unchanged context shares the previous sample's object.
    const context = reading.context && last?.context && sameContext(last.context, reading.context) ? last.context : reading.context;
    this.samples.push(context ? { tMs, powerW: reading.powerW, context } : { tMs, powerW: reading.powerW });
    this.coveredFromMs = reading.sinceMs ?? tMs;
    this.settle();
  }

  has(tMs: number): boolean {
    return this.samples.length > 0 && this.coveredFromMs >= tMs;
  }

  settle(all = false): void {
    if (this.waiters.length === 0) return;
    const due = this.waiters.filter((waiter) => all || this.has(waiter.tMs));
    this.waiters = this.waiters.filter((waiter) => !due.includes(waiter));
    for (const waiter of due) waiter.done();
  }
}

function sameContext(a: Record<string, number | string>, b: Record<string, number | string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/** One feed shared by the meters of its devices: it runs while any of them is started. */
export class Sampler {
  readonly clock: Clock;
  private readonly channels = new Map<number, Channel>();
  private readonly sink: FeedSink;
  private opened = false;
  private opening: Promise<void> | null = null;
  /** Set while the feed is being closed (null otherwise: opening again then starts synchronously). */
  private closing: Promise<void> | null = null;
  private failed: Error | null = null;
  private generation = 0;
  private nap: { wake: () => void } | null = null;
  /** When the next poll is due: one period after the previous one was due (no drift), never sooner than a period after it started. */
  private dueMs = 0;
  /** sampleAfter calls in progress (the poll loop looks at waiters only when there are some). */
  private waiting = 0;
  /** An asynchronous poll in progress (a tool run): close() kills it, halt() waits for it. */
  private inFlight: Promise<void> | null = null;
  private pollCount = 0;
  private failedPolls = 0;
  private failedInARow = 0;
  private lastPollError: Error | null = null;
  private previousPollMs: number | null = null;
  private spacingSumMs = 0;
  private spacings = 0;

  constructor(private readonly feed: Feed, private readonly options: SamplerOptions) {
    this.clock = options.clock ?? realClock;
    this.sink = { push: (reading) => this.channels.get(reading.key)?.push(reading), fail: (error) => this.fail(error) };
  }

  /** A meter for device `key` with `info`; the usual way to build a vendor's meters. */
  meter(key: number, info: MeterInfo): SampledMeter {
    return new SampledMeter(this, key, info);
  }

  /** The failure of the feed, else of device `key`; null while healthy. */
  failure(key: number): Error | null {
    return this.failed ?? this.channel(key).failed;
  }

  samples(key: number): readonly PowerSample[] {
    return this.channel(key).samples;
  }

  /** Mean spacing of poll starts (null before two polls), and the counts for diagnostics. */
  achievedPeriodMs(): number | null {
    return this.spacings === 0 ? null : this.spacingSumMs / this.spacings;
  }

  polls(): { count: number; failed: number; lastError: string | null } {
    return { count: this.pollCount, failed: this.failedPolls, lastError: this.lastPollError?.message ?? null };
  }

  /** Polls that brought no power for device `key`, and the tool's words for it. */
  missing(key: number): { count: number; last: string | null } {
    const channel = this.channel(key);
    return { count: channel.missingCount, last: channel.lastMissing };
  }

  /** Count device `key` as started: opens the feed when it is the first (or after a failure). */
  async acquire(key: number): Promise<void> {
    const channel = this.channel(key);
    if (channel.started) return;
    channel.started = true;
    channel.failed = null;
    try {
      await this.open();
    } catch (error) {
      channel.started = false;
      if ([...this.channels.values()].every((c) => !c.started)) await this.halt();
      throw error;
    }
    if (this.options.startWaitsForSample && channel.samples.length === 0) await this.waitFor(key, Number.NEGATIVE_INFINITY);
  }

  /** Device `key` stops; the last one out closes the feed and waits until it is closed. */
  async release(key: number): Promise<void> {
    const channel = this.channel(key);
    channel.started = false;
    channel.settle(true);
    if ([...this.channels.values()].every((c) => !c.started)) await this.halt();
    await this.closing;
  }

  /**
   * Resolves once device `key` has a sample that began at or after tMs — or at once when it is stopped or failed,
   * or after waitMs (then onTimeout decides whether that is a failure or a gap).
   */
  async waitFor(key: number, tMs: number): Promise<void> {
    const channel = this.channel(key);
    if (channel.has(tMs) || !channel.started || this.failure(key)) return;
    const now = this.clock.now();
    let timedOut = false;
    const waitMs = this.options.waitMs(tMs, now);
    this.waiting++;
    await new Promise<void>((resolve) => {
      const timer = this.clock.after(waitMs, () => {
        timedOut = true;
        channel.waiters = channel.waiters.filter((waiter) => waiter !== entry);
        resolve();
      }, true);
      const entry: Waiter = { tMs, done: () => { timer.cancel(); resolve(); } };
      channel.waiters.push(entry);
      this.wake(); // the poll loop reconsiders when to poll next
    });
    this.waiting--;
    if (!timedOut || this.failure(key)) return;
    const verdict = this.options.onTimeout?.(key, tMs, waitMs) ?? null;
    if (verdict instanceof Error) this.fail(verdict);
    else if (typeof verdict === 'string') channel.failed = new MeterError('METER_NO_READING', verdict);
  }

  /** After a failure: close what is left, open afresh, and wait for a fresh sample of `key`; false when none comes. */
  async restart(key: number): Promise<boolean> {
    const fromMs = this.clock.now();
    if (this.failed) {
      if (this.closing || this.opened) await this.halt();
      this.failed = null;
      this.failedInARow = 0;
      this.previousPollMs = null; // the gap across the failure is not a poll spacing
    }
    const channel = this.channel(key);
    channel.failed = null;
    channel.started = false;
    try {
      await this.acquire(key);
    } catch (error) {
      this.failed ??= asError(error);
      return false;
    }
    await this.waitFor(key, fromMs);
    return this.failure(key) === null && channel.has(fromMs);
  }

  /** The feed died: every device fails, waiters are released, the tool is stopped. */
  fail(error: Error): void {
    if (this.failed) return;
    this.failed = error;
    void this.halt();
    for (const channel of this.channels.values()) channel.settle(true);
  }

  private channel(key: number): Channel {
    let channel = this.channels.get(key);
    if (!channel) this.channels.set(key, (channel = new Channel()));
    return channel;
  }

  private open(): Promise<void> {
    if (this.opened) return Promise.resolve();
    this.opening ??= (async () => {
      const generation = this.generation;
      if (this.closing) await this.closing;
      await this.feed.open(this.sink);
      if (generation !== this.generation) throw new MeterError('METER_STOPPED', 'the meter was stopped while it started');
      this.opened = true;
      this.dueMs = this.clock.now();
      if (this.feed.poll && this.options.periodMs !== undefined) this.poll(generation);
    })().finally(() => (this.opening = null));
    return this.opening;
  }

  // Stop the poll loop and close the feed (once); the promise (also `closing`) resolves when it is closed. The feed
  // closes first: that kills a poll in flight, which ends the loop.
  private halt(): Promise<void> {
    this.generation++;
    this.wake();
    if (this.opened || this.opening) {
      const { opening, inFlight } = this;
      this.opened = false;
      this.inFlight = null;
      const closing: Promise<void> = Promise.resolve(opening?.catch(() => {}))
        .then(() => this.feed.close(this.sink))
        .then(() => inFlight ?? undefined)
        .catch(() => {})
        .finally(() => {
          if (this.closing === closing) this.closing = null;
        });
      this.closing = closing;
    }
    return this.closing ?? Promise.resolve();
  }

  private wake(): void {
    this.nap?.wake();
  }

  // The poll loop, as timer callbacks (no promise per tick unless the poll itself is asynchronous): poll, record,
  // then nap until the next poll is due (recomputed whenever a waiter wakes it).
  private poll(generation: number): void {
    if (generation !== this.generation || this.failed) return;
    const startMs = this.clock.now();
    const done = (error: Error | null) => this.polled(generation, startMs, error);
    try {
      const pending = this.feed.poll!(this.sink);
      if (pending) this.inFlight = pending.then(() => done(null), (thrown: unknown) => done(asError(thrown)));
      else done(null);
    } catch (thrown) {
      done(asError(thrown));
    }
  }

  private polled(generation: number, startMs: number, error: Error | null): void {
    if (generation !== this.generation) return; // stopped meanwhile: a poll killed by close() is no failure
    this.pollCount++;
    if (this.previousPollMs !== null) {
      this.spacingSumMs += startMs - this.previousPollMs;
      this.spacings++;
    }
    this.previousPollMs = startMs;
    this.failedInARow = error ? this.failedInARow + 1 : 0;
    if (error) {
      this.failedPolls++;
      this.lastPollError = error;
      if (this.failedInARow >= (this.options.failAfterPolls ?? Infinity)) this.fail(this.options.tooMany?.(error, this.failedInARow) ?? error);
    }
    this.options.afterPoll?.();
    // A poll a waiter asked for early keeps the schedule of the regular ones (a tool is not run again within a period).
    const periodMs = this.options.periodMs!;
    const early = startMs < this.dueMs - 1;
    if (!early) this.dueMs = Math.max(this.dueMs + periodMs, startMs + periodMs - 1);
    else if (this.options.retryMs === undefined) this.dueMs = Math.max(this.dueMs, startMs + periodMs - 1);
    this.napUntilDue(generation, this.clock.now());
  }

  // Right after a poll the next one always goes through a timer, so a poll that keeps coming up empty (a counter
  // that has not ticked) cannot spin the event loop; a timer or a waiter's wake polls at once when due.
  private napUntilDue(generation: number, polledMs: number, woken = false): void {
    if (generation !== this.generation || this.failed) return;
    // A timer may fire up to a millisecond early (libuv's coarser clock): that is on time for the period, but not
    // for a waiter's edge, which must be read at or after its time.
    const waitMs = this.nextPollInMs(polledMs, woken ? 1 : 0);
    if (waitMs <= 0 && woken) return this.poll(generation);
    const again = () => {
      timer.cancel();
      this.nap = null;
      this.napUntilDue(generation, polledMs, true);
    };
    const timer = this.clock.after(Math.max(0, waitMs), again);
    this.nap = { wake: again };
  }

  // The next poll is due at the period, or sooner for a waiter: at once (retryMs after the last poll, for
  // in-process feeds) for a time already passed; at its time for in-process feeds. Recomputed on every wake.
  private nextPollInMs(polledMs: number, periodSlackMs: number): number {
    const now = this.clock.now();
    const { retryMs } = this.options;
    let waitMs = this.dueMs - periodSlackMs - now;
    if (!this.waiting) return waitMs;
    for (const channel of this.channels.values()) {
      for (const waiter of channel.waiters) {
        if (waiter.tMs <= now) waitMs = Math.min(waitMs, retryMs === undefined ? 0 : polledMs + retryMs - now);
        else if (retryMs !== undefined) waitMs = Math.min(waitMs, waiter.tMs - now);
      }
    }
    return waitMs;
  }
}

/** The PowerMeter of one device of a sampler; vendor files create these and subclass only to add diagnostics. */
export class SampledMeter implements PowerMeter {
  constructor(readonly sampler: Sampler, readonly key: number, readonly info: MeterInfo) {
    sampler.samples(key); // creates the device's buffer: readings of other devices are not kept
  }

  start(): Promise<void> {
    return this.sampler.acquire(this.key);
  }

  stop(): Promise<void> {
    return this.sampler.release(this.key);
  }

  samples(): readonly PowerSample[] {
    return this.sampler.samples(this.key);
  }

  sampleAfter(tMs: number): Promise<void> {
    return this.sampler.waitFor(this.key, tMs);
  }

  failure(): Error | null {
    return this.sampler.failure(this.key);
  }

  restart(): Promise<boolean> {
    return this.sampler.restart(this.key);
  }
}
