import assert from 'node:assert/strict';
import { test } from 'node:test';
import { integrateEnergy, peakPower, samplesBetween } from '../../src/measure/integrate.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);

// A ramp 0 → 100 W over 1 s, sampled every 100 ms.
const ramp = Array.from({ length: 11 }, (_, i) => ({ tMs: i * 100, powerW: i * 10 }));

test('instant samples: trapezoids over a linear ramp are exact', () => {
  // ∫0..1 s of 100·t dt = 50 J
  const whole = integrateEnergy(ramp, 0, 1000, 'instant');
  close(whole.energyJ, 50, 'energy');
  close(whole.meanPowerW, 50, 'mean power');
  assert.equal(whole.covered, true);
  assert.equal(whole.samplesInWindow, 11);
  assert.equal(whole.maxGapMs, 100);
});

test('instant samples: window edges between samples are interpolated', () => {
  // ∫0.25..0.75 s of 100·t dt = 50 × (0.75² − 0.25²) = 25 J
  const part = integrateEnergy(ramp, 250, 750, 'instant');
  close(part.energyJ, 25, 'energy');
  assert.equal(part.samplesInWindow, 5); // 300..700
});

test('interval-average samples: each holds for the interval before it', () => {
  // 10 W for (0, 100], 30 W for (100, 200], 50 W for (200, 300]
  const steps = [
    { tMs: 0, powerW: 0 },
    { tMs: 100, powerW: 10 },
    { tMs: 200, powerW: 30 },
    { tMs: 300, powerW: 50 },
  ];
  close(integrateEnergy(steps, 0, 300, 'interval-average').energyJ, (10 + 30 + 50) * 0.1, 'whole');
  // 50..250: 10 W × 0.05 + 30 W × 0.1 + 50 W × 0.05 = 0.5 + 3 + 2.5 = 6 J
  close(integrateEnergy(steps, 50, 250, 'interval-average').energyJ, 6, 'partial');
});

test('a window beyond the samples holds the edge value and reports it', () => {
  const result = integrateEnergy(ramp, 900, 1200, 'instant');
  // 0.9..1.0: trapezoid (90 + 100)/2 × 0.1 = 9.5 J; 1.0..1.2 held at 100 W = 20 J
  close(result.energyJ, 29.5, 'energy');
  assert.equal(result.covered, false);
});

test('bad windows and empty samples throw', () => {
  assert.throws(() => integrateEnergy([], 0, 1, 'instant'), /no power samples/);
  assert.throws(() => integrateEnergy(ramp, 5, 5, 'instant'), /empty window/);
});

test('peak and slicing use inclusive bounds', () => {
  assert.equal(peakPower(ramp, 200, 500), 50);
  assert.ok(Number.isNaN(peakPower(ramp, 1001, 2000)));
  assert.deepEqual(samplesBetween(ramp, 150, 300).map((s) => s.tMs), [200, 300]);
});

test('edgeGapMs: the sample interval that holds a window edge, 0 when the edges fall on samples', () => {
  const samples = [0, 100, 600, 700].map((tMs) => ({ tMs, powerW: 10 }));
  // [0, 700]: both edges are samples.
  assert.equal(integrateEnergy(samples, 0, 700, 'interval-average').edgeGapMs, 0);
  // [300, 700]: 300 lies in (100, 600], 500 ms long; 700 is a sample.
  assert.equal(integrateEnergy(samples, 300, 700, 'interval-average').edgeGapMs, 500);
  // [50, 650]: (0, 100] is 100 ms, (600, 700] is 100 ms; the 500 ms gap lies inside.
  const inside = integrateEnergy(samples, 50, 650, 'interval-average');
  assert.equal(inside.edgeGapMs, 100);
  assert.equal(inside.maxGapMs, 500);
  // Past the last sample there is no interval around the edge (coverage says so instead).
  assert.equal(integrateEnergy(samples, 650, 800, 'interval-average').edgeGapMs, 100);
});
