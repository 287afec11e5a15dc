// Hourly intensity files: integration against hand computations, the daily profile's best hours, every bad file.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { prepareRunIntensity, summariseHourly } from '../../src/carbon/hourly.js';
import { assertCovers, bestStartHours, dailyProfile, intensitySource, parseIntensityCsv } from '../../src/carbon/intensity-file.js';
import { resolveCarbon } from '../../src/carbon/resolve.js';
import { InputError } from '../../src/errors.js';

const at = (iso: string) => Date.parse(iso);
const small = ['Datetime (UTC),Carbon Intensity gCO2eq/kWh (LCA)', '2025-06-01 00:00:00,100', '2025-06-01 01:00:00,300', '2025-06-01 02:00:00,200', ''].join('\n');

describe('hourly integration', () => {
  it('parses an Electricity Maps export (header, UTC timestamps without a zone)', () => {
    const timeline = parseIntensityCsv(small, 'em.csv');
    assert.deepEqual(timeline.points, [
      { atMs: at('2025-06-01T00:00:00Z'), gPerKWh: 100 },
      { atMs: at('2025-06-01T01:00:00Z'), gPerKWh: 300 },
      { atMs: at('2025-06-01T02:00:00Z'), gPerKWh: 200 },
    ]);
    assert.equal(timeline.stepMs, 3_600_000);
  });

  it('reads the life-cycle intensity column of a full Electricity Maps export, quoted names with commas included', () => {
    const header = 'Datetime (UTC),Country,Zone name,Zone id,Carbon intensity gCO₂eq/kWh (direct),Carbon intensity gCO₂eq/kWh (Life cycle)';
    const text = [header, '2025-06-01 00:00:00,"Korea, Republic of",South Korea,KR,400.5,450', '2025-06-01 01:00:00,"Korea, Republic of",South Korea,KR,410,460'].join('\n');
    assert.deepEqual(parseIntensityCsv(text, 'kr.csv').points.map((p) => p.gPerKWh), [450, 460], 'the life-cycle column');
  });

  it('parses a headerless file with ISO timestamps and offsets (WattTime-like)', () => {
    const timeline = parseIntensityCsv('2025-06-01T02:00:00+02:00,50\n2025-06-01T01:00:00Z,60\n', 'wt.csv');
    assert.deepEqual(timeline.points.map((p) => p.atMs), [at('2025-06-01T00:00:00Z'), at('2025-06-01T01:00:00Z')]);
  });

  it('matches a hand computation: Σ energy × mean intensity of its windows × PUE', () => {
    const source = intensitySource(parseIntensityCsv(small, 'em.csv'), 'timeline');
    // A: 00:30–01:30 → (100·30 + 300·30)/60 = 200 g/kWh; B: 01:45–02:15 → (300·15 + 200·15)/30 = 250 g/kWh.
    const a = [[at('2025-06-01T00:30:00Z'), at('2025-06-01T01:30:00Z')]] as const;
    const b = [[at('2025-06-01T01:45:00Z'), at('2025-06-01T02:15:00Z')]] as const;
    assert.equal(source.meanOver(a), 200);
    assert.equal(source.meanOver(b), 250);
    // Two windows: 00:30–00:45 and 00:50–01:20 → (100·15 + 100·10 + 300·20)/45 = 8500/45.
    assert.equal(source.meanOver([[at('2025-06-01T00:30:00Z'), at('2025-06-01T00:45:00Z')], [at('2025-06-01T00:50:00Z'), at('2025-06-01T01:20:00Z')]]), 8500 / 45);
    // A: 1 kWh, B: 2 kWh, PUE 1.5 → 1·200·1.5 + 2·250·1.5 = 1050 g; mean 1050 / (3 · 1.5) g/kWh.
    const hourly = summariseHourly([{ key: 'a', energyJ: 3_600_000, spansMs: a }, { key: 'b', energyJ: 7_200_000, spansMs: b }], source, 1.5);
    assert.equal(hourly.energyKWh, 3);
    assert.equal(hourly.durationS, 5400);
    assert.equal(hourly.gCO2e, 1050);
    assert.equal(hourly.meanGPerKWh, 1050 / 4.5);
    assert.deepEqual(hourly.byConfiguration, { a: 200, b: 250 });
    assert.equal(hourly.startHourUtc, 0);
    assert.equal(hourly.bestStartHoursUtc, undefined, 'three hours are no daily profile');
  });

  it('the last row holds for one step; after that, the last value', () => {
    const source = intensitySource(parseIntensityCsv(small, 'em.csv'), 'timeline');
    assert.equal(source.meanOver([[at('2025-06-01T02:30:00Z'), at('2025-06-01T03:30:00Z')]]), 200);
  });

  it('a daily profile names the cleanest start hours for a run of that length (hand computed)', () => {
    const rows = Array.from({ length: 24 }, (_, h) => `2025-06-01T${String(h).padStart(2, '0')}:00:00Z,${h === 3 ? 20 : 100 + 10 * h}`);
    const timeline = parseIntensityCsv(rows.join('\n'), 'day.csv');
    const profile = dailyProfile(timeline);
    assert.equal(profile[3], 20);
    // 1 kWh over 1.5 h: start 03:00 → (20·1 + 140·0.5)/1.5 = 60; 02:00 → (120 + 20·0.5)/1.5 = 86.67; 00:00 → (100 + 110·0.5)/1.5 = 103.33.
    const best = bestStartHours(profile, 5400, 1, 1).slice(0, 3);
    assert.deepEqual(best.map((entry) => entry.hourUtc), [3, 2, 0]);
    assert.ok(Math.abs(best[0]!.gCO2e - 60) < 1e-9);
    assert.ok(Math.abs(best[1]!.gCO2e - 260 / 3) < 1e-9);
    assert.ok(Math.abs(best[2]!.gCO2e - 310 / 3) < 1e-9);
    // Used as a profile, any day maps onto the same hours: a window 2030-01-05 03:00–04:00 meets 20 g/kWh.
    const source = intensitySource(timeline, 'daily-profile');
    assert.equal(source.meanOver([[at('2030-01-05T03:00:00Z'), at('2030-01-05T04:00:00Z')]]), 20);
    const hourly = summariseHourly([{ key: 'a', energyJ: 3_600_000, spansMs: [[at('2030-01-05T05:00:00Z'), at('2030-01-05T06:30:00Z')]] }], source, 1);
    assert.equal(hourly.gCO2e, (150 + 160 * 0.5) / 1.5);
    assert.deepEqual(hourly.bestStartHoursUtc?.map((entry) => entry.hourUtc), [3, 2, 0]);
  });
});

describe('bad intensity files', () => {
  const fails = (text: string, code: string, message: RegExp) => {
    assert.throws(() => parseIntensityCsv(text, 'grid.csv'), (error: unknown) => {
      assert.ok(error instanceof InputError, String(error));
      assert.equal(error.code, code);
      assert.match(error.message, message);
      assert.ok(error.hint && error.hint.length > 0);
      assert.equal(error.exitCode, 2);
      return true;
    });
  };

  it('a bad timestamp', () => fails('2025-06-01T00:00Z,100\nyesterday,200\n', 'CARBON_FILE_TIMESTAMP', /^grid\.csv: line 2: "yesterday" is not a timestamp/));
  it('a date that does not exist', () => fails('2025-02-28T00:00Z,100\n2025-02-30T00:00Z,200\n', 'CARBON_FILE_TIMESTAMP', /line 2: "2025-02-30T00:00Z"/));
  it('a non-numeric value', () => fails('2025-06-01T00:00Z,100\n2025-06-01T01:00Z,n/a\n', 'CARBON_FILE_VALUE', /line 2: intensity "n\/a" is not a number/));
  it('an empty value', () => fails('2025-06-01T00:00Z,100\n2025-06-01T01:00Z,\n', 'CARBON_FILE_VALUE', /line 2: intensity "" is not a number/));
  it('a negative value', () => fails('2025-06-01T00:00Z,100\n2025-06-01T01:00Z,-5\n', 'CARBON_FILE_VALUE', /line 2: intensity -5 is negative/));
  it('rows out of order', () => fails('2025-06-01T01:00Z,100\n2025-06-01T00:00Z,200\n', 'CARBON_FILE_ORDER', /line 2: 2025-06-01T00:00Z is not after the row before it/));
  it('a gap longer than two steps', () => fails('2025-06-01T00:00Z,1\n2025-06-01T01:00Z,2\n2025-06-01T02:00Z,3\n2025-06-01T09:00Z,4\n', 'CARBON_FILE_GAP', /a gap of 7 h after 2025-06-01T02:00:00\.000Z; the other rows are 60 min apart/));
  it('fewer than two rows', () => fails('datetime,carbon_intensity\n2025-06-01T00:00Z,100\n', 'CARBON_FILE_EMPTY', /needs at least 2 rows .* found 1/));
  it('a header without the columns', () => fails('when,how much\n2025-06-01T00:00Z,100\n', 'CARBON_FILE_HEADER', /line 1: the header names no timestamp and intensity columns/));
  it('a daily profile missing hours', () => {
    assert.throws(() => dailyProfile(parseIntensityCsv(small, 'em.csv')), (error: unknown) => error instanceof InputError && error.code === 'CARBON_PROFILE_INCOMPLETE' && /hours 3, 4, .*23 have no row/.test(error.message));
  });
  it('a run that starts outside the file\'s range', () => {
    const timeline = parseIntensityCsv(small, 'em.csv');
    assert.doesNotThrow(() => assertCovers(timeline, at('2025-06-01T02:59:00Z')));
    for (const start of ['2025-05-31T23:59:00Z', '2025-06-01T03:00:00Z']) {
      assert.throws(() => assertCovers(timeline, at(start)), (error: unknown) => error instanceof InputError && error.code === 'CARBON_RUN_OUTSIDE_FILE' && error.message.includes(`the run starts at ${new Date(at(start)).toISOString()}, outside the file's range 2025-06-01T00:00:00.000Z – 2025-06-01T03:00:00.000Z`));
    }
  });
  it('a missing file, named by the scenario field', () => {
    assert.throws(() => resolveCarbon({ intensityFile: 'nope.csv' }, os.tmpdir(), { intensityFile: 'quick.yaml: carbon.intensityFile' }), (error: unknown) => error instanceof InputError && error.code === 'CARBON_FILE_MISSING' && error.message.startsWith('quick.yaml: carbon.intensityFile nope.csv: cannot read the intensity file (ENOENT)'));
  });
  it('the run start is checked before measuring (prepareRunIntensity)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'jb-carbon-'));
    await writeFile(path.join(dir, 'em.csv'), small);
    const spec = resolveCarbon({ intensityFile: 'em.csv' }, dir);
    assert.equal(spec.intensityFile?.rows, 3);
    assert.ok(prepareRunIntensity(spec, at('2025-06-01T01:00:00Z')).source);
    assert.throws(() => prepareRunIntensity(spec, at('2026-01-01T00:00:00Z')), (error: unknown) => error instanceof InputError && error.code === 'CARBON_RUN_OUTSIDE_FILE');
    // A fallback only when asked for: the yearly figure, with the reason recorded.
    const yearly = resolveCarbon({ region: 'FR', intensityFile: 'em.csv', intensityFileOutside: 'yearly' }, dir);
    const fallback = prepareRunIntensity(yearly, at('2026-01-01T00:00:00Z'));
    assert.equal(fallback.source, null);
    assert.match(fallback.fallback!, /the run starts at 2026-01-01T00:00:00\.000Z, outside the file's range .*; the yearly intensity was used instead, as carbon\.intensityFileOutside: yearly asks$/);
    // As a daily profile the same three hours are incomplete: refused up front, whatever the date.
    assert.throws(() => prepareRunIntensity({ ...spec, intensityFile: { ...spec.intensityFile!, use: 'daily-profile' } }, at('2026-01-01T00:00:00Z')), (error: unknown) => error instanceof InputError && error.code === 'CARBON_PROFILE_INCOMPLETE');
  });
});
