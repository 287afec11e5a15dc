import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stoppingFromFlags } from '../../src/cli/args.js';
import { InputError } from '../../src/errors.js';

const defaults = { rule: 'race', equivalencePercent: 3, maxSeconds: 60 } as const;

test('--target-ci / --equivalence / --max-seconds: the rule asked for, off for fixed repetitions, nothing when none is given', () => {
  assert.equal(stoppingFromFlags({}, defaults, defaults), undefined);
  assert.deepEqual(stoppingFromFlags({ 'target-ci': '1%' }, { rule: 'race', equivalencePercent: 5, maxSeconds: 30 }, defaults), { rule: 'target-ci', targetCiPercent: 1, maxSeconds: 30 });
  assert.deepEqual(stoppingFromFlags({ 'max-seconds': '15' }, null, defaults), { rule: 'race', equivalencePercent: 3, maxSeconds: 15 });
  assert.deepEqual(stoppingFromFlags({ 'max-seconds': '15' }, { rule: 'target-ci', targetCiPercent: 4, maxSeconds: 60 }, defaults), { rule: 'target-ci', targetCiPercent: 4, maxSeconds: 15 });
  assert.deepEqual(stoppingFromFlags({ equivalence: '5%' }, { rule: 'target-ci', targetCiPercent: 4, maxSeconds: 20 }, defaults), { rule: 'race', equivalencePercent: 5, maxSeconds: 20 });
  assert.equal(stoppingFromFlags({ 'target-ci': 'off' }, defaults, defaults), false);
  assert.equal(stoppingFromFlags({ 'target-ci': 'FIXED' }, defaults, defaults), false);
});

test('--target-ci / --max-seconds: bad values and a contradiction are FLAG_INVALID naming the flag', () => {
  const rejects = (values: Record<string, string>, message: string) =>
    assert.throws(() => stoppingFromFlags(values, defaults, defaults), (error: unknown) => error instanceof InputError && error.code === 'FLAG_INVALID' && error.message === message);
  rejects({ 'target-ci': 'tight' }, '--target-ci: expected a positive percentage like 2 or 2%, or off, got "tight"');
  rejects({ 'target-ci': '0' }, '--target-ci: expected a positive percentage like 2 or 2%, or off, got "0"');
  rejects({ 'max-seconds': '-5' }, '--max-seconds: expected a positive number of seconds, got "-5"');
  rejects({ 'target-ci': 'off', 'max-seconds': '10' }, '--max-seconds caps adaptive stopping, which --target-ci off turns off');
  rejects({ 'target-ci': 'off', equivalence: '3' }, '--equivalence tunes adaptive stopping, which --target-ci off turns off');
  rejects({ 'target-ci': '2', equivalence: '3' }, '--target-ci and --equivalence choose two different stopping rules');
  rejects({ equivalence: '60' }, '--equivalence: expected a percentage above 0 and at most 50, got "60"');
});
