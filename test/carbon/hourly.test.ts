// The run's hourly emissions, beyond the hand computations of test/carbon/intensity-file.test.ts: the sums with a
// stand-in intensity source, the edges (no configurations, no energy, reversed windows), the best hours kept, and
// prepareRunIntensity without a file or with a daily profile far from the file's dates.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bestHoursKept, prepareRunIntensity, summariseHourly } from '../../src/carbon/hourly.js';
import type { IntensitySource } from '../../src/carbon/intensity-file.js';
import { resolveCarbon } from '../../src/carbon/resolve.js';

const at = (iso: string) => Date.parse(iso);
const hourMs = 3_600_000;

// A source whose mean over any spans is the intensity of the UTC hour the first span starts in: 100 + that hour.
const byStartHour = (profile: number[] | null = null): IntensitySource => ({
  meanOver: (spans) => 100 + new Date(spans[0]![0]).getUTCHours(),
  profile,
});

let dir: string;
before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'jb-hourly-'))));
after(() => rm(dir, { recursive: true, force: true }));

describe('summariseHourly', () => {
  it('sums energy × each configuration\'s mean intensity × PUE; the mean met is independent of PUE', () => {
    const configs = [
      { key: 'a', energyJ: 3_600_000, spansMs: [[at('2030-01-05T02:00:00Z'), at('2030-01-05T02:30:00Z')]] as const }, // 1 kWh at 102
      { key: 'b', energyJ: 10_800_000, spansMs: [[at('2030-01-05T05:00:00Z'), at('2030-01-05T05:10:00Z')], [at('2030-01-05T05:20:00Z'), at('2030-01-05T05:25:00Z')]] as const }, // 3 kWh at 105
    ];
    const hourly = summariseHourly(configs, byStartHour(), 1.2);
    // 1·102·1.2 + 3·105·1.2 = 122.4 + 378 = 500.4 g; mean 500.4 / (4 · 1.2) = 104.25 g/kWh; 30 + 10 + 5 min = 2700 s.
    assert.equal(hourly.energyKWh, 4);
    assert.ok(Math.abs(hourly.gCO2e - 500.4) < 1e-9, String(hourly.gCO2e));
    assert.ok(Math.abs(hourly.meanGPerKWh - 104.25) < 1e-9, String(hourly.meanGPerKWh));
    assert.equal(hourly.durationS, 2700);
    assert.deepEqual(hourly.byConfiguration, { a: 102, b: 105 });
    assert.equal(hourly.startHourUtc, 2);
    assert.equal(hourly.bestStartHoursUtc, undefined, 'no daily profile, no best hours');
  });

  it('the start hour is the earliest window of any configuration, whatever their order', () => {
    const configs = [
      { key: 'late', energyJ: 1, spansMs: [[at('2030-01-05T05:30:00Z'), at('2030-01-05T05:31:00Z')]] as const },
      { key: 'early', energyJ: 1, spansMs: [[at('2030-01-05T23:59:00Z'), at('2030-01-06T00:01:00Z')], [at('2030-01-05T01:10:00Z'), at('2030-01-05T01:11:00Z')]] as const },
    ];
    assert.equal(summariseHourly(configs, byStartHour(), 1).startHourUtc, 1);
  });

  it('a window whose end is before its start adds no duration', () => {
    const hourly = summariseHourly([{ key: 'a', energyJ: 3_600_000, spansMs: [[at('2030-01-05T03:00:00Z'), at('2030-01-05T02:00:00Z')], [at('2030-01-05T04:00:00Z'), at('2030-01-05T04:01:00Z')]] }], byStartHour(), 1);
    assert.equal(hourly.durationS, 60);
  });

  it('no configurations: zeros, no start hour, no best hours (even with a profile)', () => {
    const profile = Array.from({ length: 24 }, (_, h) => 100 + h);
    assert.deepEqual(summariseHourly([], byStartHour(profile), 1.5), { energyKWh: 0, durationS: 0, gCO2e: 0, meanGPerKWh: 0, byConfiguration: {} });
  });

  it('no energy: a mean of 0 rather than 0/0, and no best hours', () => {
    const profile = Array.from({ length: 24 }, (_, h) => 100 + h);
    const hourly = summariseHourly([{ key: 'a', energyJ: 0, spansMs: [[at('2030-01-05T07:00:00Z'), at('2030-01-05T08:00:00Z')]] }], byStartHour(profile), 1);
    assert.equal(hourly.meanGPerKWh, 0);
    assert.equal(hourly.startHourUtc, 7);
    assert.equal(hourly.bestStartHoursUtc, undefined);
  });

  it(`with a daily profile: the ${bestHoursKept} cleanest start hours for a run of this length`, () => {
    assert.equal(bestHoursKept, 3);
    // Hour h is 300 − 10h g/kWh (hour 23 cleanest); a 1 kWh run of one hour at PUE 2 started at h: 1 · (300 − 10h) · 2.
    const profile = Array.from({ length: 24 }, (_, h) => 300 - 10 * h);
    const hourly = summariseHourly([{ key: 'a', energyJ: 3_600_000, spansMs: [[at('2030-01-05T00:00:00Z'), at('2030-01-05T00:00:00Z') + hourMs]] }], byStartHour(profile), 2);
    assert.deepEqual(hourly.bestStartHoursUtc, [{ hourUtc: 23, gCO2e: 140 }, { hourUtc: 22, gCO2e: 160 }, { hourUtc: 21, gCO2e: 180 }]);
  });
});

describe('prepareRunIntensity', () => {
  it('without an intensity file: no source and no fallback', () => {
    assert.deepEqual(prepareRunIntensity(resolveCarbon({ region: 'FR' }, dir), at('2030-01-01T00:00:00Z')), { source: null, fallback: null });
  });

  it('a daily profile applies on any date: the file\'s own day is not checked against the run', async () => {
    const rows = Array.from({ length: 24 }, (_, h) => `2025-06-01T${String(h).padStart(2, '0')}:00:00Z,${100 + h}`);
    await writeFile(path.join(dir, 'day.csv'), `${rows.join('\n')}\n`);
    const spec = resolveCarbon({ intensityFile: 'day.csv', intensityFileUse: 'daily-profile' }, dir);
    assert.equal(spec.intensityFile?.use, 'daily-profile');
    const { source, fallback } = prepareRunIntensity(spec, at('2031-03-03T12:00:00Z'));
    assert.equal(fallback, null);
    assert.equal(source?.profile?.[5], 105);
    assert.equal(source?.meanOver([[at('2031-03-03T05:00:00Z'), at('2031-03-03T06:00:00Z')]]), 105);
  });
});
