// The powermetrics meter: plist documents as powermetrics writes them (keys cited in src/power/powermetrics.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MeterError } from '../../src/errors.js';
import { parsePlist, powermetricsArgs, powermetricsSample, splitPlistStream } from '../../src/power/powermetrics.js';

const header = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n';

// A sample with power keys (mW), shaped like one captured on macOS 14/15 (elapsed_ns, processor, gpu).
const current = `${header}<plist version="1.0">
<dict>
  <key>is_delta</key><true/>
  <key>elapsed_ns</key><integer>1023685416</integer>
  <key>timestamp</key><date>2026-01-22T21:07:07Z</date>
  <key>thermal_pressure</key><string>Nominal</string>
  <key>processor</key>
  <dict>
    <key>clusters</key><array><dict><key>name</key><string>E-Cluster</string><key>freq_hz</key><real>9.6e+08</real><key>cpus</key><array/></dict></array>
    <key>cpu_power</key><real>2978.45</real>
    <key>gpu_power</key><real>269.614</real>
    <key>ane_power</key><real>0</real>
    <key>combined_power</key><real>3248.06</real>
  </dict>
  <key>gpu</key>
  <dict>
    <key>freq_hz</key><real>338</real>
    <key>idle_ratio</key><real>0.877343</real>
    <key>gpu_energy</key><integer>284</integer>
  </dict>
</dict>
</plist>
`;

// An older macOS sample: energies in mJ over elapsed_ns, no power keys (asitop's first parser read these).
const older = `${header}<plist version="1.0"><dict>
<key>elapsed_ns</key><integer>500000000</integer>
<key>processor</key><dict>
<key>ane_energy</key><integer>12</integer>
<key>cpu_energy</key><integer>640</integer>
<key>gpu_energy</key><integer>305</integer>
</dict></dict></plist>
`;

describe('powermetrics plist', () => {
  test('a sample with power keys: combined power, and its parts', () => {
    const sample = powermetricsSample(parsePlist(current));
    const rounded = Object.fromEntries(Object.entries(sample).map(([key, value]) => [key, Math.round((value as number) * 1e9) / 1e9]));
    assert.deepEqual(rounded, { elapsedMs: 1023.685416, powerW: 3.24806, cpuW: 2.97845, gpuW: 0.269614, aneW: 0 });
  });

  test('an older sample with energies only: mJ over elapsed ms, summed', () => {
    const sample = powermetricsSample(parsePlist(older));
    assert.equal(sample.elapsedMs, 500);
    assert.equal(sample.cpuW, 1.28);
    assert.equal(sample.gpuW, 0.61);
    assert.equal(sample.aneW, 0.024);
    assert.ok(Math.abs(sample.powerW - 1.914) < 1e-12);
  });

  test('a NUL-separated stream splits into documents; an unfinished one stays for the next chunk', () => {
    const stream = `${current}\0${older}\0${current.slice(0, 100)}`;
    const { documents, rest } = splitPlistStream(stream);
    assert.equal(documents.length, 2);
    assert.equal(rest, current.slice(0, 100));
    assert.equal(powermetricsSample(parsePlist(documents[1]!)).elapsedMs, 500);
  });

  test('the stream arguments', () => {
    assert.deepEqual(powermetricsArgs(100), ['--samplers', 'cpu_power,gpu_power,ane_power', '-i', '100', '--format', 'plist']);
  });

  test('not a plist, a broken plist, an Intel Mac sample, a negative power: POWERMETRICS_FORMAT', () => {
    const isFormat = (e: unknown) => e instanceof MeterError && e.code === 'POWERMETRICS_FORMAT';
    assert.throws(() => parsePlist('powermetrics must be invoked as the superuser'), isFormat);
    assert.throws(() => parsePlist(`${header}<plist version="1.0"><dict><key>elapsed_ns</key><integer>12x</integer></dict></plist>`), isFormat);
    assert.throws(() => parsePlist(`${header}<plist version="1.0"><dict><key>a</key><blob>1</blob></dict></plist>`), isFormat);
    const intel = `${header}<plist version="1.0"><dict><key>elapsed_ns</key><integer>1000000000</integer><key>processor</key><dict><key>package_joules</key><real>4.5</real></dict></dict></plist>`;
    assert.throws(() => powermetricsSample(parsePlist(intel)), (e: unknown) => isFormat(e) && /Apple-silicon Macs only/.test((e as Error).message));
    const negative = `${header}<plist version="1.0"><dict><key>processor</key><dict><key>combined_power</key><real>-5</real></dict></dict></plist>`;
    assert.throws(() => powermetricsSample(parsePlist(negative)), isFormat);
  });
});
