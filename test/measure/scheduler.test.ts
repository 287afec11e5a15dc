import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FixedScheduler, RaceScheduler, TargetCiScheduler, type Entrant, type RaceSettings, type Scheduler, type Slot } from '../../src/measure/scheduler.js';
import { SeededRandom } from '../../src/stats/random.js';

// A configuration's windows: samples per joule of the i-th window it runs (0-based) and in round r (1-based, or 0 when
// the slot is not a round). Truth times noise; the scheduler sees only samples, joules, seconds and p99.
type Stream = (i: number, round: number) => number;

interface Drive {
  slots: Slot[];
  windows: Map<string, number>;
}

// Runs a scheduler to the end over known streams: 10 J and 1 s per window, p99 from `p99Ms` (default 5 ms).
function drive(scheduler: Scheduler, streams: Record<string, Stream>, options: { p99Ms?: Record<string, number>; beforeRound?: (round: number) => void; maxSlots?: number } = {}): Drive {
  const slots: Slot[] = [];
  const windows = new Map<string, number>();
  for (let slot = scheduler.next(); slot !== null; slot = scheduler.next()) {
    slots.push(slot);
    assert.ok(slots.length <= (options.maxSlots ?? 1000), 'the scheduler never ends');
    options.beforeRound?.(slots.length);
    for (const key of slot.keys) {
      const i = windows.get(key) ?? 0;
      windows.set(key, i + 1);
      const energyJ = 10;
      scheduler.record(key, { samples: streams[key]!(i, slot.round ?? 0) * energyJ, energyJ, durationS: 1, p99Ms: options.p99Ms?.[key] ?? 5 });
    }
  }
  return { slots, windows };
}

// Log-normal window noise of a given CV around a true samples/J, from one seeded generator.
const noisy = (truth: number, cv: number, random: SeededRandom): Stream => () => truth * Math.exp(cv * random.normal());
const entrants = (...keys: string[]): Entrant[] => keys.map((key) => ({ key, excludedBecause: null }));
const race = (overrides: Partial<RaceSettings> = {}): RaceSettings => ({ equivalencePercent: 3, maxSeconds: 60, minRounds: 3, alpha: 0.05, ...overrides });
const verdict = (scheduler: Scheduler, key: string) => {
  const decision = scheduler.decision(key);
  assert.equal(decision.rule, 'race');
  assert.ok(decision.race, `${key} has a race verdict`);
  return decision.race;
};

test('race: configurations 2× apart are separated at round minRounds, with the round and the evidence', () => {
  const random = new SeededRandom(1);
  const scheduler = new RaceScheduler(entrants('fast', 'slow1', 'slow2'), race(), null, new SeededRandom(11));
  const { slots, windows } = drive(scheduler, { fast: noisy(2, 0.02, random), slow1: noisy(1, 0.02, random), slow2: noisy(1, 0.02, random) });
  assert.equal(slots.length, 3, 'three rounds, then the race is over');
  assert.deepEqual(slots.map((slot) => slot.round), [1, 2, 3]);
  assert.deepEqual([...windows.values()], [3, 3, 3]);
  const best = verdict(scheduler, 'fast');
  assert.equal(best.status, 'best');
  assert.equal(best.round, null);
  assert.match(best.reason, /every other configuration was eliminated or excluded by round 3/);
  for (const key of ['slow1', 'slow2']) {
    const lost = verdict(scheduler, key);
    assert.equal(lost.status, 'eliminated');
    assert.equal(lost.round, 3);
    assert.equal(lost.versus, 'fast');
    assert.ok(lost.ratio, 'the ratio is recorded');
    assert.ok(Math.abs(lost.ratio.estimate - 2) < 0.1, `ratio ≈ 2, got ${lost.ratio.estimate}`);
    assert.ok(lost.ratio.ci95[0] > 1.7 && lost.ratio.ci95[1] < 2.3, `CI ${lost.ratio.ci95}`);
    // Holm over two comparisons: the smaller p passes 0.05/2, the larger 0.05.
    assert.ok(lost.ratio.p !== null && lost.ratio.p < 0.05);
    assert.match(lost.reason, /^fast has [12]\.\d\d× its samples\/J \(95% CI .*, 3 paired rounds, one-sided p [0-9.e-]+ below Holm's threshold over every pair\)$/);
  }
});

test('race: nothing is eliminated before minRounds, however clear the gap', () => {
  const scheduler = new RaceScheduler(entrants('a', 'b'), race({ minRounds: 5 }), null, new SeededRandom(3));
  const { slots } = drive(scheduler, { a: (i) => 4 * (1 + 0.01 * (i % 2)), b: (i) => 1 * (1 + 0.01 * ((i + 1) % 2)) });
  assert.equal(slots.length, 5);
  assert.equal(verdict(scheduler, 'b').round, 5);
});

test('race: equal configurations end once no survivor can be more than 3% above the leader; those within ±3% are tied with it', () => {
  const random = new SeededRandom(2);
  const scheduler = new RaceScheduler(entrants('a', 'b', 'c'), race(), null, new SeededRandom(5));
  const { slots } = drive(scheduler, { a: noisy(1, 0.01, random), b: noisy(1, 0.01, random), c: noisy(1, 0.01, random) });
  assert.ok(slots.length >= 3 && slots.length < 60, `decided before the cap, after ${slots.length} rounds`);
  const verdicts = ['a', 'b', 'c'].map((key) => verdict(scheduler, key));
  assert.deepEqual(verdicts.map((v) => v.round), [null, null, null]);
  const leader = verdicts.filter((v) => v.versus === null);
  assert.equal(leader.length, 1, 'one leader; the others name it');
  assert.ok(['best', 'tied'].includes(leader[0]!.status));
  for (const v of verdicts.filter((v) => v.versus !== null)) {
    assert.ok(['tied', 'not-better'].includes(v.status), v.status);
    // At 1% noise the two-sided CI is narrow too: the others are tied with the leader.
    assert.equal(v.status, 'tied');
    assert.ok(v.ratio && v.ratio.ci95[0] >= 1 / 1.03 && v.ratio.ci95[1] <= 1.03, `CI within ±3%: ${v.ratio?.ci95}`);
  }
});

test('race: at 5% noise, equal configurations stop on non-inferiority long before the cap; the leader is best', () => {
  const random = new SeededRandom(11);
  const keys = ['a', 'b', 'c', 'd'];
  const scheduler = new RaceScheduler(entrants(...keys), race(), null, new SeededRandom(12));
  const { slots } = drive(scheduler, Object.fromEntries(keys.map((key) => [key, noisy(1, 0.05, random)])));
  assert.ok(slots.length < 60, `decided after ${slots.length} rounds, before the 60 s cap`);
  const verdicts = keys.map((key) => verdict(scheduler, key));
  const best = verdicts.filter((v) => v.status === 'best');
  assert.equal(best.length, 1);
  assert.match(best[0]!.reason, /^no other of the \d survivors has more than 3% more samples\/J \(each at one-sided 97\.5%\) after round \d+$/);
  for (const v of verdicts.filter((v) => v.status !== 'best')) {
    assert.ok(['tied', 'not-better', 'eliminated'].includes(v.status), v.status);
    // Nobody left standing can be more than 3% above the leader: the ratio leader ÷ it is not far below 1.
    if (v.status !== 'eliminated') assert.ok(v.ratio!.estimate > 1 / 1.03, String(v.ratio!.estimate));
  }
});

test('race: equal configurations that cannot be told apart end unresolved at the cap', () => {
  // a swings ±20% around b from round to round: paired log differences ±ln 1.2, mean 0 over every pair of rounds.
  const scheduler = new RaceScheduler(entrants('a', 'b'), race({ maxSeconds: 10 }), null, new SeededRandom(7));
  const { slots, windows } = drive(scheduler, { a: (_i, round) => (round % 2 === 0 ? 1.2 : 1 / 1.2), b: () => 1 });
  assert.equal(slots.length, 10, 'ten 1 s windows each: the 10 s cap');
  assert.deepEqual([...windows.values()], [10, 10]);
  const a = verdict(scheduler, 'a');
  const b = verdict(scheduler, 'b');
  assert.deepEqual([a.status, b.status], ['unresolved', 'unresolved']);
  assert.equal(a.round, null);
  assert.match(a.reason, /still racing at the 10 s cap/);
  // The leader has no ratio; the other names it.
  assert.equal([a, b].filter((v) => v.versus === null && v.ratio === null).length, 1);
  assert.equal([a, b].filter((v) => v.versus !== null && v.ratio !== null).length, 1);
});

test('race: an excluded entrant is measured exactly minRounds windows, then leaves as excluded, never the winner', () => {
  const random = new SeededRandom(4);
  const field: Entrant[] = [...entrants('a', 'b'), { key: 'lossy', excludedBecause: 'cosine 0.95 is below the 0.99 fidelity bound' }];
  const scheduler = new RaceScheduler(field, race({ minRounds: 4 }), null, new SeededRandom(9));
  const { windows } = drive(scheduler, { a: noisy(1, 0.02, random), b: noisy(0.5, 0.02, random), lossy: noisy(3, 0.02, random) });
  assert.equal(windows.get('lossy'), 4);
  const lossy = verdict(scheduler, 'lossy');
  assert.equal(lossy.status, 'excluded');
  assert.equal(lossy.round, 4);
  assert.equal(lossy.reason, 'cosine 0.95 is below the 0.99 fidelity bound');
  assert.equal(verdict(scheduler, 'a').status, 'best', 'the leader is chosen among the racing, though lossy is 3×');
  assert.equal(verdict(scheduler, 'b').versus, 'a');
});

test('race: a configuration whose median window p99 misses the SLO leaves as excluded', () => {
  const random = new SeededRandom(6);
  const scheduler = new RaceScheduler(entrants('big', 'small'), race(), 10, new SeededRandom(1));
  drive(scheduler, { big: noisy(2, 0.02, random), small: noisy(1, 0.02, random) }, { p99Ms: { big: 25, small: 4 } });
  const big = verdict(scheduler, 'big');
  assert.equal(big.status, 'excluded');
  assert.equal(big.round, 3);
  assert.match(big.reason, /^p99 25\.0 ms \(median of its windows\) misses the 10 ms SLO$/);
  assert.equal(verdict(scheduler, 'small').status, 'best');
});

test('race: when no configuration meets the SLO, all are excluded and nothing is best', () => {
  const scheduler = new RaceScheduler(entrants('a', 'b'), race(), 1, new SeededRandom(1));
  const { slots } = drive(scheduler, { a: () => 2, b: () => 1 });
  assert.equal(slots.length, 3);
  assert.deepEqual(['a', 'b'].map((key) => verdict(scheduler, key).status), ['excluded', 'excluded']);
});

test('race: a failed configuration leaves the schedule; the others race on', () => {
  const random = new SeededRandom(8);
  const scheduler = new RaceScheduler(entrants('a', 'broken', 'c'), race(), null, new SeededRandom(2));
  const { slots } = drive(scheduler, { a: noisy(2, 0.02, random), broken: noisy(5, 0.02, random), c: noisy(1, 0.02, random) }, {
    beforeRound: (round) => {
      if (round === 2) scheduler.fail('broken');
    },
  });
  assert.ok(slots[0]!.keys.includes('broken'));
  for (const slot of slots.slice(2)) assert.ok(!slot.keys.includes('broken'), `round ${slot.round} has no broken`);
  assert.equal(verdict(scheduler, 'a').status, 'best', 'broken (5×, but failed) is not the leader');
  assert.equal(verdict(scheduler, 'c').versus, 'a');
  assert.throws(() => scheduler.decision('nope'), RangeError);
});

test('race: windows are paired by round, so a drift shared by all rounds cancels (10% gap under a 16× drift)', () => {
  // Every round multiplies both by a common factor between ¼ and 4; within the round a is 1.1× b (±0.5%).
  const random = new SeededRandom(10);
  const drift = new Map<number, number>();
  const common = (round: number) => {
    if (!drift.has(round)) drift.set(round, 4 ** (2 * random.next() - 1));
    return drift.get(round)!;
  };
  const noise = new SeededRandom(12);
  const scheduler = new RaceScheduler(entrants('a', 'b'), race(), null, new SeededRandom(3));
  const { slots } = drive(scheduler, {
    a: (_i, round) => 1.1 * common(round) * Math.exp(0.005 * noise.normal()),
    b: (_i, round) => common(round) * Math.exp(0.005 * noise.normal()),
  });
  assert.equal(slots.length, 3);
  const b = verdict(scheduler, 'b');
  assert.equal(b.status, 'eliminated');
  assert.match(b.reason, /3 paired rounds/);
  assert.ok(b.ratio && b.ratio.ci95[0] > 1.05 && b.ratio.ci95[1] < 1.15, `paired CI ${b.ratio?.ci95}`);
});

test('race: the order is shuffled every round, and the same seed gives the same order', () => {
  const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
  const orders = (seed: number) => {
    const scheduler = new RaceScheduler(entrants(...keys), race({ maxSeconds: 8 }), null, new SeededRandom(seed));
    const streams = Object.fromEntries(keys.map((key) => [key, (_i: number, round: number) => 1 + 0.3 * Math.sin(round + key.charCodeAt(0))]));
    return drive(scheduler, streams).slots.map((slot) => slot.keys.join(''));
  };
  const first = orders(42);
  assert.equal(first.length, 8);
  for (const order of first) assert.deepEqual([...order].sort(), keys, 'each round holds every configuration once');
  assert.ok(new Set(first).size > 1, `the order changes between rounds: ${first.join(' ')}`);
  assert.deepEqual(orders(42), first, 'same seed, same orders');
  assert.notDeepEqual(orders(43), first, 'another seed, other orders');
});

test('fixed, interleaved: `repetitions` rounds of every configuration in the scenario order', () => {
  const scheduler: Scheduler = new FixedScheduler(['a', 'b', 'c'], 3, 'interleaved', new SeededRandom(1));
  const { slots, windows } = drive(scheduler, { a: () => 1, b: () => 2, c: () => 3 });
  assert.deepEqual(slots, [{ round: 1, keys: ['a', 'b', 'c'] }, { round: 2, keys: ['a', 'b', 'c'] }, { round: 3, keys: ['a', 'b', 'c'] }]);
  assert.deepEqual([...windows.entries()], [['a', 3], ['b', 3], ['c', 3]]);
  assert.deepEqual(scheduler.decision('a'), { rule: 'repetitions' });
});

test('fixed, sequential: every window of one configuration, then the next', () => {
  const scheduler = new FixedScheduler(['a', 'b', 'c'], 3, 'sequential', new SeededRandom(1));
  const { slots } = drive(scheduler, { a: () => 1, b: () => 2, c: () => 3 });
  assert.deepEqual(slots, [{ round: null, keys: ['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c'] }]);
});

test('fixed, random: the same windows in a seeded shuffled order, not in rounds', () => {
  const run = (seed: number) => drive(new FixedScheduler(['a', 'b', 'c'], 3, 'random', new SeededRandom(seed)), { a: () => 1, b: () => 2, c: () => 3 });
  const { slots, windows } = run(5);
  assert.equal(slots.length, 1);
  assert.equal(slots[0]!.round, null);
  assert.deepEqual([...slots[0]!.keys].sort(), ['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c']);
  assert.notDeepEqual(slots[0]!.keys, ['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c']);
  assert.deepEqual([...windows.values()].sort(), [3, 3, 3]);
  assert.deepEqual(run(5).slots, slots);
});

test('fixed: a configuration that failed before its windows is left out', () => {
  const scheduler = new FixedScheduler(['a', 'b'], 2, 'interleaved', new SeededRandom(1));
  scheduler.fail('b');
  assert.deepEqual(drive(scheduler, { a: () => 1, b: () => 2 }).slots, [{ round: 1, keys: ['a'] }, { round: 2, keys: ['a'] }]);
});

test('target-ci: each configuration stops when its own interval is within target, or at the cap', () => {
  const random = new SeededRandom(13);
  const scheduler = new TargetCiScheduler(['steady', 'noisy'], { targetCiPercent: 2, maxSeconds: 20, repetitions: 3 }, new SeededRandom(1));
  // steady: identical windows, ±0% after its 3 floor windows; noisy: 20% per window, ±2% needs ~400 windows.
  const { slots, windows } = drive(scheduler, { steady: () => 1, noisy: noisy(1, 0.2, random) });
  assert.equal(windows.get('steady'), 3);
  assert.equal(windows.get('noisy'), 20);
  assert.deepEqual(scheduler.decision('steady'), { rule: 'target-ci' });
  assert.deepEqual(scheduler.decision('noisy'), { rule: 'max-seconds' });
  assert.deepEqual(slots.slice(3).map((slot) => slot.keys), Array(17).fill(['noisy']));
});

test('target-ci: a configuration at ±1% after the floor stops there (hand-computed interval)', () => {
  // Windows 1, 1.01, 1.0201: logs d = ln 1.01 apart, ± = exp(4.302653 · d / √3) − 1 = 2.50% after 3; the 4th window
  // 1.01 gives deviations −d, 0, d, 0: s = d·√(2/3) = 0.008124, se = 0.004062, t(0.975; 3) = 3.182446 → ±1.30%: stops
  // after 4.
  const values = [1, 1.01, 1.0201, 1.01];
  const scheduler = new TargetCiScheduler(['a'], { targetCiPercent: 2, maxSeconds: 60, repetitions: 3 }, new SeededRandom(1));
  const { windows } = drive(scheduler, { a: (i) => values[i] ?? 1 });
  assert.equal(windows.get('a'), 4);
  assert.deepEqual(scheduler.decision('a'), { rule: 'target-ci' });
});
