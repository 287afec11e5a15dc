// The sysfs helpers rapl and hwmon share: reading and listing that never throw, errno codes, and the energy-counter
// delta that unwraps one wrap and refuses a reset.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { counterDeltaUj, errnoOf, listDirSync, readTextSync, tryList, tryRead } from '../../../src/power/core/sysfs.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'jb-sysfs-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('reading sysfs', () => {
  test('tryRead trims, and is null for a file that cannot be read; tryList is empty for a folder that cannot be listed', () => {
    writeFileSync(path.join(root, 'name'), 'package-0\n');
    assert.equal(tryRead(readTextSync, path.join(root, 'name')), 'package-0');
    assert.equal(tryRead(readTextSync, path.join(root, 'absent')), null);
    assert.equal(tryRead(() => { throw Object.assign(new Error('denied'), { code: 'EACCES' }); }, 'x'), null);
    assert.deepEqual(tryList(listDirSync, root), ['name']);
    assert.deepEqual(tryList(listDirSync, path.join(root, 'absent')), []);
  });

  test('errnoOf: the code of a node error, else undefined', () => {
    assert.equal(errnoOf(Object.assign(new Error('x'), { code: 'EACCES' })), 'EACCES');
    assert.equal(errnoOf(new Error('no code')), undefined);
    assert.equal(errnoOf('text'), undefined);
    assert.equal(errnoOf(null), undefined);
  });
});

describe('counterDeltaUj', () => {
  // 100 ms, at most 100 W: at most 100 W × 0.1 s = 10 J = 10,000,000 µJ.
  const dtMs = 100;
  const maxPowerW = 100;
  const range = 2 ** 32;

  test('a counter that moved forward: the difference, when it is a plausible power', () => {
    assert.equal(counterDeltaUj(1_000, 5_001_000, dtMs, maxPowerW, range), 5_000_000); // 50 W
    assert.equal(counterDeltaUj(1_000, 1_000, dtMs, maxPowerW, range), 0);
    assert.equal(counterDeltaUj(0, 10_000_000, dtMs, maxPowerW, range), 10_000_000, 'exactly the bound');
    assert.equal(counterDeltaUj(0, 10_000_001, dtMs, maxPowerW, range), null, 'just above the bound');
  });

  test('a counter that went back by one wrap is unwrapped; one that went back otherwise is a reset (null)', () => {
    // 2^32 − 1,000 → 2,000: 1,000 + 2,000 = 3,000 µJ across the wrap.
    assert.equal(counterDeltaUj(range - 1_000, 2_000, dtMs, maxPowerW, range), 3_000);
    // A reset to near 0 from mid-range would need 2^32 − 2^31 µJ ≈ 2147 J in 0.1 s: implausible.
    assert.equal(counterDeltaUj(2 ** 31, 5, dtMs, maxPowerW, range), null);
    // A 64-bit counter beyond the range that goes back cannot be a wrap of that range.
    assert.equal(counterDeltaUj(range + 10, 5, dtMs, maxPowerW, range), null);
  });

  test('no time between reads gives no energy', () => {
    assert.equal(counterDeltaUj(0, 10, 0, maxPowerW, range), null);
    assert.equal(counterDeltaUj(0, 10, -1, maxPowerW, range), null);
  });
});
