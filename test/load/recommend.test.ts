import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recommendPerRate } from '../../src/load/recommend.js';
import type { LoadRecord } from '../../src/results/load-types.js';

const record = (key: string, targetRate: number, joulesPerRequest: number, extra: Partial<LoadRecord> = {}): LoadRecord =>
  ({ key, targetRate, joulesPerRequest, p99Ms: 10, sloP99Ms: 50, valid: true, overCapacity: false, estimated: false, status: 'ok', reasons: [], ...extra }) as LoadRecord;

test('per rate: the least energy per request among the valid records within the SLO', () => {
  const recs = recommendPerRate([
    record('a@50', 50, 0.02),
    record('b@50', 50, 0.01, { overCapacity: true, reasons: ['over capacity: p99 80 ms breaks the SLO of 50 ms'] }),
    record('c@50', 50, 0.015),
    record('a@200', 200, 0.005, { valid: false, reasons: ['the request generator fell behind'] }),
  ]);
  assert.equal(recs.length, 2);
  assert.equal(recs[0]!.key, 'c@50');
  assert.match(recs[0]!.reason, /among 2 eligible .*25\.0% less energy per request than a@50/);
  assert.equal(recs[1]!.key, null);
  assert.match(recs[1]!.reason, /a@200: the request generator fell behind/);
});
