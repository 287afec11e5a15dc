// The `load:` section on its own: the schema (one value or a list, aliases of keys, bounds, the message each field
// gives) and toLoadSpec (defaults, copies, a trace path from the scenario's folder).
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { issuesToProblems } from '../../src/scenario/issues.js';
import { loadDefaults, loadSection, toLoadSpec } from '../../src/scenario/load-section.js';

const parsed = (value: unknown) => {
  const result = loadSection.safeParse(value, { reportInput: true });
  assert.ok(result.success, JSON.stringify(result.error?.issues));
  return result.data;
};

// Each problem as "path: message" (and " [hint]" when there is one).
function problems(value: unknown): string[] {
  const result = loadSection.safeParse(value, { reportInput: true });
  assert.ok(!result.success, 'expected the section to be refused');
  return issuesToProblems(result.error.issues).map((p) => `${p.path.join('.')}: ${p.message}${p.hint ? ` [${p.hint}]` : ''}`);
}

describe('toLoadSpec', () => {
  it('only rates: every other field from loadDefaults', () => {
    assert.deepEqual(toLoadSpec(parsed({ rates: [20, 200] }), '/work'), { rates: [20, 200], ...loadDefaults });
    assert.deepEqual(loadDefaults, { maxBatch: [8], maxWaitMs: [5], sessions: 1, requests: 1000, seconds: 10, seed: 1, trace: null, flatOutSeconds: 2 });
    // Copies, not the defaults' own lists: a caller that edits its spec cannot change the next one's defaults.
    const spec = toLoadSpec(parsed({ rates: [20] }), '/work');
    assert.notEqual(spec.maxBatch, loadDefaults.maxBatch);
    assert.notEqual(spec.maxWaitMs, loadDefaults.maxWaitMs);
  });

  it('one value is a list of one; every field given is kept', () => {
    const spec = toLoadSpec(parsed({ rates: 50, maxBatch: [1, 16], maxWaitMs: 0, sessions: 2, requests: 300, seconds: 0, seed: -7, flatOutSeconds: 0.5 }), '/work');
    assert.deepEqual(spec, { rates: [50], maxBatch: [1, 16], maxWaitMs: [0], sessions: 2, requests: 300, seconds: 0, seed: -7, trace: null, flatOutSeconds: 0.5 });
  });

  it('null fields take the defaults', () => {
    const spec = toLoadSpec(parsed({ rates: [1], maxBatch: null, maxWaitMs: null, sessions: null, seed: null, trace: null }), '/work');
    assert.deepEqual(spec, { rates: [1], ...loadDefaults });
  });

  it('a relative trace is taken from the scenario\'s folder; an absolute one is kept', () => {
    assert.equal(toLoadSpec(parsed({ rates: [1], trace: 'traces/a.csv' }), '/work/scenarios').trace, path.resolve('/work/scenarios', 'traces/a.csv'));
    assert.equal(toLoadSpec(parsed({ rates: [1], trace: '/data/a.csv' }), '/work').trace, '/data/a.csv');
  });

  it('the lists given are copies: changing the spec leaves the parsed value alone', () => {
    const input = parsed({ rates: [1], maxWaitMs: [2] });
    const spec = toLoadSpec(input, '/w');
    spec.rates.push(9);
    spec.maxWaitMs.push(9);
    assert.deepEqual([input.rates, input.maxWaitMs], [[1], [2]]);
  });
});

describe('loadSection: refused values name the field and what is expected', () => {
  it('rates: missing, empty, zero, negative or not a number', () => {
    assert.deepEqual(problems({}), ['rates: required, got nothing']);
    assert.deepEqual(problems({ rates: [] }), ['rates: expected at least one value, got []']);
    assert.deepEqual(problems({ rates: [20, 0] }), ['rates.1: expected a request rate above 0 (requests per second), got 0']);
    assert.deepEqual(problems({ rates: -5 }), ['rates.0: expected a request rate above 0 (requests per second), got -5']);
    assert.deepEqual(problems({ rates: 'fast' }), ['rates.0: expected a request rate above 0 (requests per second), got "fast"']);
  });

  it('whole numbers at least 1 for maxBatch, sessions and requests', () => {
    assert.deepEqual(problems({ rates: 1, maxBatch: [8, 2.5] }), ['maxBatch.1: expected a whole number of requests, at least 1, got 2.5']);
    assert.deepEqual(problems({ rates: 1, sessions: 0 }), ['sessions: expected a whole number of sessions, at least 1, got 0']);
    assert.deepEqual(problems({ rates: 1, requests: 10.5 }), ['requests: expected a whole number of requests, at least 1, got 10.5']);
  });

  it('0 or more for maxWaitMs, seconds and flatOutSeconds; a whole seed; a non-empty trace path', () => {
    assert.deepEqual(problems({ rates: 1, maxWaitMs: -1 }), ['maxWaitMs.0: expected milliseconds, 0 or more, got -1']);
    assert.deepEqual(problems({ rates: 1, seconds: -0.5 }), ['seconds: expected seconds, 0 or more, got -0.5']);
    assert.deepEqual(problems({ rates: 1, flatOutSeconds: 'two' }), ['flatOutSeconds: expected seconds, 0 or more, got "two"']);
    assert.deepEqual(problems({ rates: 1, seed: 1.5 }), ['seed: expected a whole number, got 1.5']);
    assert.deepEqual(problems({ rates: 1, trace: '' }), ['trace: expected the path of an arrival trace, got ""']);
  });

  it('not a mapping: an example of one', () => {
    assert.deepEqual(problems([20, 200]), [': expected a mapping like {rates: [20, 200], maxBatch: 8, maxWaitMs: 5}, got [20,200]']);
  });

  it('an unknown key: the key meant, through an alias or by spelling, with the valid keys as the hint', () => {
    const [alias] = problems({ rates: 1, concurrency: 4 });
    assert.match(alias!, /^: unknown key "concurrency" — did you mean "sessions"\? \[valid keys here: rates, maxBatch, maxWaitMs, sessions, requests, seconds, seed, trace, flatOutSeconds\]$/);
    assert.match(problems({ rates: 1, max_batch: 4 })[0]!, /did you mean "maxBatch"\?/);
    assert.match(problems({ rates: 1, duration: 4 })[0]!, /did you mean "seconds"\?/);
    assert.match(problems({ rates: 1, sesions: 4 })[0]!, /did you mean "sessions"\?/);
  });
});
