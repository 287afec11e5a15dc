import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stoppingFromFlags } from '../../src/cli/args.js';
import { InputError } from '../../src/errors.js';

const defaults = { targetCiPercent: 2, maxSeconds: 60 };

test('--target-ci / --max-seconds: adaptive settings, off for fixed repetitions, nothing when neither is given', () => {
  assert.equal(stoppingFromFlags({}, defaults, defaults), undefined);
  assert.deepEqual(stoppingFromFlags({ 'target-ci': '1%' }, { targetCiPercent: 5, maxSeconds: 30 }, defaults), { targetCiPercent: 1, maxSeconds: 30 });
  assert.deepEqual(stoppingFromFlags({ 'max-seconds': '15' }, null, defaults), { targetCiPercent: 2, maxSeconds: 15 });
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
});
