// One rate of one configuration: drive the sessions with its arrivals, then read the energy the meters saw over the
// whole span (busy and idle alike) and account it.
import type { Metering } from '../measure/metering.js';
import type { PowerMeter } from '../power/types.js';
import { accountLoad, windowEndMs, type AccountingInput, type LoadNumbers } from './accounting.js';
import type { LoadClock } from './clock.js';
import { runLoad, type BatchPolicy, type BatchSession, type LoadTrace } from './runner.js';

/** Everything measureRate needs. */
export interface RateOptions {
  clock: LoadClock;
  /** Makes a simulated clock advance (tests); absent for the real clock. */
  advance?: () => Promise<void>;
  sessions: BatchSession[];
  policy: BatchPolicy;
  arrivalsMs: Float64Array;
  scheduleSpanMs: number;
  metering: Metering;
  counted: PowerMeter[];
  accounting: Omit<AccountingInput, 'energyJ' | 'sessions' | 'estimated'>;
  /** The schedule starts this long after the call (ms), so its first timer is set in time. */
  leadMs?: number;
  /** True ends the rate at its next arrival (interrupt): measureRate then returns null. */
  stopped?: () => boolean;
}

/** Measure one rate; throws what a batch threw. */
export async function measureRate(options: RateOptions): Promise<{ numbers: LoadNumbers; trace: LoadTrace } | null> {
  const startMs = options.clock.now() + (options.leadMs ?? 20);
  const running = runLoad({ clock: options.clock, sessions: options.sessions, policy: options.policy, arrivalsMs: options.arrivalsMs, scheduleSpanMs: options.scheduleSpanMs, startMs, ...(options.stopped ? { stopped: options.stopped } : {}) });
  await options.advance?.();
  const trace = await running;
  if (trace.error !== null) throw trace.error;
  if (options.stopped?.()) return null;
  const span = await options.metering.energyOver(trace.startMs, windowEndMs(trace), options.counted);
  const energyJ = Object.values(span.byMeter).reduce((sum, joules) => sum + joules, 0);
  const numbers = accountLoad(trace, {
    ...options.accounting,
    energyJ,
    sessions: options.sessions.length,
    estimated: options.counted.some((meter) => meter.info.estimated),
  });
  // A meter that failed during the span makes the energy incomplete; a gap in its samples is worth a warning.
  for (const note of span.notes) {
    if (note.startsWith('incomplete')) {
      numbers.valid = false;
      numbers.reasons.push(note);
    } else numbers.warnings.push(note);
  }
  return { numbers, trace };
}
