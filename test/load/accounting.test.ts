// Per-rate accounting of a load run from hand-built traces: the interval union, the p99 interval, energy per request
// with its idle share, utilisation, and every reason a rate is invalid or over capacity.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountLoad, minRequestsForP99, percentileCi95, unionMs, windowEndMs, type AccountingInput } from '../../src/load/accounting.js';
import type { LoadTrace } from '../../src/load/runner.js';

const near = (actual: number | null, expected: number, what: string) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual}, expected ${expected}`);

// 1,000 requests every 10 ms from 0 to the schedule's end at 10,000 ms, each served alone in 2 ms by one session, the
// generator never late: the steady trace that every test below bends one way.
function steady(count = 1000, gapMs = 10, serviceMs = 2): LoadTrace {
  const batches = Array.from({ length: count }, (_, i) => ({ size: 1, session: 0, startMs: i * gapMs, endMs: i * gapMs + serviceMs }));
  return {
    startMs: 0,
    scheduleEndMs: count * gapMs,
    lastDoneMs: (count - 1) * gapMs + serviceMs,
    latenciesMs: new Float64Array(count).fill(serviceMs),
    waitsMs: new Float64Array(count),
    lagsMs: new Float64Array(count),
    lastIssueMs: (count - 1) * gapMs,
    batches,
    error: null,
  };
}

const input = (over: Partial<AccountingInput> = {}): AccountingInput => ({
  targetRate: 100, sessions: 1, energyJ: 50, idleWatts: 3, flatOutJoulesPerSample: 0.04, sloP99Ms: null, maxLagMs: 1, estimated: false, ...over,
});

describe('windowEndMs and unionMs', () => {
  it('the energy window ends at the schedule\'s end or the last completion, whichever is later', () => {
    assert.equal(windowEndMs({ ...steady(), scheduleEndMs: 10_000, lastDoneMs: 9992 }), 10_000);
    assert.equal(windowEndMs({ ...steady(), scheduleEndMs: 10_000, lastDoneMs: 12_345 }), 12_345);
  });

  it('the union counts overlapping time once, in any input order, without reordering the input', () => {
    assert.equal(unionMs([]), 0);
    assert.equal(unionMs([{ startMs: 0, endMs: 10 }, { startMs: 20, endMs: 25 }]), 15); // disjoint: 10 + 5
    assert.equal(unionMs([{ startMs: 5, endMs: 15 }, { startMs: 0, endMs: 10 }]), 15); // overlap: [0, 15]
    assert.equal(unionMs([{ startMs: 0, endMs: 100 }, { startMs: 10, endMs: 20 }]), 100); // nested
    assert.equal(unionMs([{ startMs: 0, endMs: 10 }, { startMs: 10, endMs: 20 }]), 20); // touching
    assert.equal(unionMs([{ startMs: 5, endMs: 5 }]), 0); // empty
    // [0, 60] and [80, 90] of two sessions' batches [0, 40], [20, 60], [80, 90]: 60 + 10 = 70.
    const batches = [{ startMs: 80, endMs: 90 }, { startMs: 20, endMs: 60 }, { startMs: 0, endMs: 40 }];
    assert.equal(unionMs(batches), 70);
    assert.deepEqual(batches.map((b) => b.startMs), [80, 20, 0]);
  });
});

describe('percentileCi95', () => {
  const ramp = (n: number) => Float64Array.from({ length: n }, (_, i) => i);

  it('the order statistics n·q ± 1.96·√(n·q·(1−q))', () => {
    // n = 1000, p99: 990 ± 1.96·√9.9 = 990 ± 6.167 → ranks floor(983.83) = 983 and ceil(996.17) = 997.
    assert.deepEqual(percentileCi95(ramp(1000), 99), [983, 997]);
    // n = 100, p50: 50 ± 1.96·√25 = 50 ± 9.8 → ranks 40 and 60.
    assert.deepEqual(percentileCi95(ramp(100), 50), [40, 60]);
  });

  it('null when a rank falls outside the data', () => {
    // n = 100, p99: 99 ± 1.96·√0.99 = 99 ± 1.95 → rank 101 > 99.
    assert.equal(percentileCi95(ramp(100), 99), null);
    assert.equal(percentileCi95(ramp(0), 50), null);
  });
});

describe('accountLoad', () => {
  it('a steady rate: rates, latency, energy per request, idle share and utilisation by hand', () => {
    const numbers = accountLoad(steady(), input());
    // Window [0, max(10,000, 9,992)] = 10 s; issued over the 10 s schedule (last lag 0): 1000 / 10 = 100 req/s.
    assert.equal(numbers.requests, 1000);
    assert.equal(numbers.durationS, 10);
    assert.equal(numbers.achievedRate, 100);
    near(numbers.throughputRate, 1000 / 9.992, 'completions per second up to the last completion');
    assert.deepEqual([numbers.p50Ms, numbers.p90Ms, numbers.p99Ms, numbers.maxMs], [2, 2, 2, 2]);
    assert.deepEqual(numbers.p99Ci95Ms, [2, 2]);
    assert.equal(numbers.meanWaitMs, 0);
    assert.deepEqual(numbers.generatorLagMs, { p50: 0, p99: 0, max: 0 });
    assert.equal(numbers.batches, 1000);
    assert.equal(numbers.meanBatchSize, 1);
    assert.deepEqual(numbers.batchSizes, { 1: 1000 });
    // Busy 1000 × 2 ms = 2 s of 1 session × 10 s; idle 8 s.
    assert.equal(numbers.utilisation, 0.2);
    assert.equal(numbers.idleS, 8);
    // 50 J over 10 s = 5 W; 50 J / 1000 = 0.05 J per request = 0.05 × 1000 / 3.6e6 kWh per 1000.
    assert.equal(numbers.meanWatts, 5);
    assert.equal(numbers.joulesPerRequest, 0.05);
    assert.equal(numbers.kWhPer1kRequests, 50 / 3.6e6);
    near(numbers.idleShare, (3 * 8) / 50, 'idle share: 3 W × 8 s of 50 J = 0.48');
    near(numbers.vsFlatOut, 0.05 / 0.04, 'vs flat out: 1.25');
    assert.equal(numbers.flatOutJoulesPerSample, 0.04);
    assert.equal(numbers.idleWatts, 3);
    assert.equal(numbers.energyJ, 50);
    assert.equal(numbers.estimated, false);
    assert.equal(numbers.valid, true);
    assert.equal(numbers.overCapacity, false);
    assert.deepEqual(numbers.reasons, []);
    assert.deepEqual(numbers.warnings, []);
  });

  it('latency percentiles interpolate over the sorted latencies, with the p99 interval', () => {
    // Latencies 1000, 999, …, 1 ms (unsorted on purpose): p50 at rank 499.5 → 500.5; p90 at 899.1 → 900.1;
    // p99 at 989.01 → 990.01; its interval is ranks 983 and 997 → 984 and 998 ms.
    const trace = { ...steady(), latenciesMs: Float64Array.from({ length: 1000 }, (_, i) => 1000 - i) };
    const numbers = accountLoad(trace, input());
    near(numbers.p50Ms, 500.5, 'p50');
    near(numbers.p90Ms, 900.1, 'p90');
    near(numbers.p99Ms, 990.01, 'p99');
    assert.deepEqual(numbers.p99Ci95Ms, [984, 998]);
    assert.equal(numbers.maxMs, 1000);
    assert.equal(trace.latenciesMs[0], 1000, 'the trace is not sorted in place');
  });

  it('two sessions: utilisation counts busy time per session; idle time is when neither ran', () => {
    const trace: LoadTrace = {
      ...steady(6),
      startMs: 0, scheduleEndMs: 100, lastDoneMs: 90,
      batches: [{ size: 2, session: 0, startMs: 0, endMs: 40 }, { size: 3, session: 1, startMs: 20, endMs: 60 }, { size: 1, session: 0, startMs: 80, endMs: 90 }],
    };
    const numbers = accountLoad(trace, input({ sessions: 2, targetRate: 60, energyJ: 1 }));
    // Busy 40 + 40 + 10 = 90 ms of 2 × 100 ms = 0.45; union [0, 60] ∪ [80, 90] = 70 ms, so 30 ms idle.
    assert.equal(numbers.utilisation, 0.45);
    near(numbers.idleS, 0.03, 'idle seconds');
    assert.deepEqual(numbers.batchSizes, { 1: 1, 2: 1, 3: 1 });
    assert.equal(numbers.meanBatchSize, 2); // 6 requests in 3 batches
  });

  it('a generator behind for the typical request makes the rate invalid; late only in the tail is a warning', () => {
    // Median lag 2 ms > 1 ms: the arrivals were not the intended process.
    const behind = accountLoad({ ...steady(), lagsMs: new Float64Array(1000).fill(2) }, input());
    assert.equal(behind.valid, false);
    assert.match(behind.reasons.join('\n'), /the request generator fell behind: median lag 2\.00 ms > 1 ms, so the arrivals were not the intended process \(fewer sessions, a quieter machine, or a lower rate\)/);
    // The first 20 of 1000 issued 5 ms late: sorted, ranks 980–999 are 5, so the p99 (rank 989.01) is 5 and the median 0.
    const lagsMs = new Float64Array(1000);
    lagsMs.fill(5, 0, 20);
    const jitter = accountLoad({ ...steady(), lagsMs }, input());
    assert.equal(jitter.valid, true);
    assert.deepEqual(jitter.generatorLagMs, { p50: 0, p99: 5, max: 5 });
    assert.deepEqual(jitter.reasons, []);
    assert.deepEqual(jitter.warnings, ['scheduling jitter: 1% of requests were issued more than 5.00 ms late (limit 1 ms; the median 0.00 ms is within it): the machine is busy; latency is timed from the scheduled arrival, so it includes this']);
  });

  it('the last request\'s lag stretches the issuing span', () => {
    const lagsMs = new Float64Array(1000);
    lagsMs[999] = 50; // 10 s + 0.05 s → 1000 / 10.05 = 99.50 req/s: within 1% of 100
    const numbers = accountLoad({ ...steady(), lagsMs }, input({ maxLagMs: 100 }));
    near(numbers.achievedRate, 1000 / 10.05, 'achieved rate');
    assert.equal(numbers.valid, true);
  });

  it('a rate achieved more than 1% off its target is invalid', () => {
    // 1000 requests over 10 s = 100 req/s against 102: 2% off.
    const numbers = accountLoad(steady(), input({ targetRate: 102 }));
    assert.equal(numbers.valid, false);
    // Completions (1000 / 9.992 s = 100.08 req/s) are also below 0.99 × 102 = 100.98: over capacity too.
    assert.deepEqual(numbers.reasons, ['achieved 100.00 req/s, more than 1% from the target 102', 'over capacity: completions 100.08 req/s fell behind the arrivals (102 req/s)']);
    // 0.5% off is within the tolerance.
    assert.equal(accountLoad(steady(), input({ targetRate: 100.5 })).valid, true);
  });

  it(`fewer than ${minRequestsForP99} requests: no stable p99, no interval, and the fix named`, () => {
    // 999 requests every 10 ms over 9.99 s: 100 req/s, so the count is the only reason.
    const numbers = accountLoad(steady(999), input());
    assert.equal(numbers.valid, false);
    assert.equal(numbers.p99Ci95Ms, null);
    assert.deepEqual(numbers.reasons, ['999 requests: a stable p99 needs at least 1000 (10 beyond it); raise --requests or --seconds (load: requests, seconds)']);
  });

  it('over capacity: a p99 above the SLO, or completions behind the arrivals (valid stays as measured)', () => {
    const slo = accountLoad(steady(), input({ sloP99Ms: 1.5 }));
    assert.equal(slo.overCapacity, true);
    assert.equal(slo.valid, true);
    assert.deepEqual(slo.reasons, ['over capacity: p99 2.00 ms breaks the SLO of 1.5 ms']);
    assert.equal(accountLoad(steady(), input({ sloP99Ms: 2 })).overCapacity, false, 'a p99 equal to the SLO keeps it');
    // The last completion at 20 s: 1000 / 20 = 50 req/s against 100 arriving; the window becomes 20 s.
    const behind = accountLoad({ ...steady(), lastDoneMs: 20_000 }, input());
    assert.equal(behind.overCapacity, true);
    assert.equal(behind.durationS, 20);
    assert.deepEqual(behind.reasons, ['over capacity: completions 50.00 req/s fell behind the arrivals (100 req/s)']);
  });

  it('an idle baseline above the mean power clamps the idle share to 1 and warns', () => {
    // 50 J over 10 s is 5 W; an idle baseline of 8 W × 8 s idle = 64 J > 50 J.
    const numbers = accountLoad(steady(), input({ idleWatts: 8 }));
    assert.equal(numbers.idleShare, 1);
    assert.equal(numbers.valid, true);
    assert.deepEqual(numbers.warnings, ['the idle baseline (8.00 W) is above this rate\'s mean power (5.00 W): the machine\'s background load changed since the baseline, so the idle share (clamped to 1) overstates the idle energy; measure on a quiet machine or with a hardware meter']);
  });

  it('no idle baseline and no flat-out figure: their shares are null; estimated is passed through', () => {
    const numbers = accountLoad(steady(), input({ idleWatts: null, flatOutJoulesPerSample: null, estimated: true }));
    assert.deepEqual([numbers.idleWatts, numbers.idleShare, numbers.flatOutJoulesPerSample, numbers.vsFlatOut, numbers.estimated], [null, null, null, null, true]);
  });

  it('a trace without requests is invalid, not an exception', () => {
    const empty = steady(0);
    const numbers = accountLoad({ ...empty, scheduleEndMs: 1000, lastDoneMs: 0 }, input());
    assert.equal(numbers.requests, 0);
    assert.equal(numbers.achievedRate, 0);
    assert.equal(numbers.valid, false);
    assert.match(numbers.reasons.join('\n'), /achieved 0\.00 req\/s, more than 1% from the target 100/);
    assert.match(numbers.reasons.join('\n'), /0 requests: a stable p99 needs at least 1000/);
  });
});
