import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchMeansCi, betweenWindowsP, mergePairs, ratioCi, windowedCi, type Batch } from '../../src/stats/batch-means.js';
import { fisherFCdf } from '../../src/stats/significance.js';
import { SeededRandom } from '../../src/stats/random.js';

const close = (actual: number, expected: number, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${actual} ≠ ${expected}`);

test('ratioCi: ΣS÷ΣE with the ratio-estimator variance and Student t (hand-computed)', () => {
  // R = 40/20 = 2; residuals S − 2E = 0, 2, −2, 0; Σd² = 8; Var = 8 / (4·3·5²) = 2/75; t(3) = 3.182.
  const ci = ratioCi([{ samples: 10, energyJ: 5 }, { samples: 12, energyJ: 5 }, { samples: 8, energyJ: 5 }, { samples: 10, energyJ: 5 }]);
  close(ci.ratio, 2);
  close(ci.halfWidthPercent, ((3.182 * Math.sqrt(2 / 75)) / 2) * 100); // 25.98%
  close(ci.lag1, -4 / 8); // (0·2 + 2·(−2) + (−2)·0) / 8
  assert.equal(ci.batches, 4);
  // Batches of different lengths in the same ratio agree exactly.
  assert.equal(ratioCi([{ samples: 10, energyJ: 5 }, { samples: 30, energyJ: 15 }, { samples: 4, energyJ: 2 }]).halfWidthPercent, 0);
  // Too few batches or no energy: no interval.
  assert.equal(ratioCi([{ samples: 10, energyJ: 5 }]).halfWidthPercent, Number.POSITIVE_INFINITY);
  assert.equal(ratioCi([{ samples: 10, energyJ: 0 }, { samples: 10, energyJ: 0 }]).halfWidthPercent, Number.POSITIVE_INFINITY);
});

test('mergePairs: adjacent pairs summed, an odd last batch joins the pair before it', () => {
  const b = (samples: number): Batch => ({ samples, energyJ: 1 });
  assert.deepEqual(mergePairs([b(1), b(2), b(3), b(4)]), [{ samples: 3, energyJ: 2 }, { samples: 7, energyJ: 2 }]);
  assert.deepEqual(mergePairs([b(1), b(2), b(3), b(4), b(5)]), [{ samples: 3, energyJ: 2 }, { samples: 12, energyJ: 3 }]);
  assert.deepEqual(mergePairs([b(1)]), [{ samples: 1, energyJ: 1 }]);
});

test('batchMeansCi: a step (positive lag-1 autocorrelation) merges batches and widens the interval', () => {
  // S = 10,10,10,10,12,12,12,12 at E = 5: R = 2.2, d = ∓1, r₁ = 5/8 = 0.625 > 1/√8 = 0.354 → merge to
  // S = 20,20,24,24 at E = 10: d = −2,−2,2,2, Σd² = 16, Var = 16 / (4·3·10²), t(3) = 3.182.
  const step = [10, 10, 10, 10, 12, 12, 12, 12].map((samples) => ({ samples, energyJ: 5 }));
  const unmerged = ratioCi(step);
  close(unmerged.halfWidthPercent, ((2.365 * Math.sqrt(8 / (8 * 7 * 25))) / 2.2) * 100); // 8.13%
  const ci = batchMeansCi(step);
  assert.equal(ci.batches, 4);
  close(ci.halfWidthPercent, ((3.182 * Math.sqrt(16 / 1200)) / 2.2) * 100); // 16.70%
  close(ci.lag1, 0.25);
  // Alternating values are negatively correlated: nothing to merge.
  assert.equal(batchMeansCi([10, 12, 10, 12, 10, 12, 10, 12].map((samples) => ({ samples, energyJ: 5 }))).batches, 8);
});

test('fisherFCdf: closed forms F(2,2) = x/(1+x) and F(1,2) = P(|T₂| ≤ √x) = √(x/(2+x))', () => {
  close(fisherFCdf(3, 2, 2), 0.75);
  close(fisherFCdf(2, 1, 2), Math.sqrt(2 / 4));
  assert.equal(fisherFCdf(0, 3, 4), 0);
  assert.equal(fisherFCdf(Number.POSITIVE_INFINITY, 3, 4), 1);
});

test('windowedCi: batch means while windows agree with their batches, one value per window when they differ (hand-computed)', () => {
  // Residuals (R = 2): window 1 → 0, 2 (mean 1), window 2 → −2, 0 (mean −1). SS_between = 4, SS_within = 4,
  // F = (4/1)/(4/2) = 2 on (1, 2) df: p = 1 − √(2/4) = 0.293 ≥ 0.1 → the 4 batches are pooled (25.98% as above).
  const agree = [[{ samples: 10, energyJ: 5 }, { samples: 12, energyJ: 5 }], [{ samples: 8, energyJ: 5 }, { samples: 10, energyJ: 5 }]];
  close(betweenWindowsP(agree)!, 1 - Math.sqrt(0.5));
  const pooled = windowedCi(agree);
  assert.equal(pooled.method, 'batch-means');
  assert.equal(pooled.batches, 4);
  close(pooled.halfWidthPercent, ((3.182 * Math.sqrt(2 / 75)) / 2) * 100);
  // Residuals (R = 2.22): −1.1, −0.9 | 0.9, 1.1. SS_between = 4, SS_within = 0.04, F = 200: p = 1 − √(200/202) = 0.005.
  // Windows then count one value each: 20.2 and 24.2 samples per 10 J, d = ∓2, Var = 8/(2·1·10²), t(1) = 12.706.
  const differ = [[{ samples: 10, energyJ: 5 }, { samples: 10.2, energyJ: 5 }], [{ samples: 12, energyJ: 5 }, { samples: 12.2, energyJ: 5 }]];
  close(betweenWindowsP(differ)!, 1 - Math.sqrt(200 / 202), 1e-6);
  const byWindow = windowedCi(differ);
  assert.equal(byWindow.method, 'windows');
  assert.equal(byWindow.batches, 2);
  close(byWindow.halfWidthPercent, ((12.706 * Math.sqrt(0.04)) / 2.22) * 100, 1e-6); // 114.5%
  // No test without two windows or without spare batches; nothing varying at all is p = 1.
  assert.equal(betweenWindowsP([[{ samples: 1, energyJ: 1 }, { samples: 1, energyJ: 1 }]]), null);
  assert.equal(betweenWindowsP([[{ samples: 1, energyJ: 1 }], [{ samples: 2, energyJ: 1 }]]), null);
  assert.equal(betweenWindowsP([[{ samples: 1, energyJ: 1 }, { samples: 1, energyJ: 1 }], [{ samples: 2, energyJ: 2 }, { samples: 2, energyJ: 2 }]]), 1);
});

// Measurement accuracy against known ground truth: how often the 95% interval holds the true ratio.
function coverage(trials: number, makeBatches: (random: SeededRandom) => Batch[], estimator: (batches: Batch[]) => { ratio: number; halfWidthPercent: number }, truth: number) {
  const random = new SeededRandom(20261124);
  let covered = 0;
  for (let trial = 0; trial < trials; trial++) {
    const ci = estimator(makeBatches(random));
    if (Math.abs(ci.ratio - truth) <= (ci.halfWidthPercent / 100) * ci.ratio) covered++;
  }
  return covered / trials;
}

test('batch-means 95% intervals hold the true samples per joule about 95% of the time (white noise, 2,000 seeded trials)', () => {
  // 15 batches (3 windows × 5): samples fixed at 100 per batch, energy 50 J × (1 + 5% noise): truth 2 samples/J.
  const white = (random: SeededRandom) => Array.from({ length: 15 }, () => ({ samples: 100, energyJ: 50 * (1 + 0.05 * random.normal()) }));
  const rate = coverage(2000, white, batchMeansCi, 2);
  assert.ok(rate >= 0.93 && rate <= 0.97, `coverage ${rate}`);
});

test('slow drift (AR(1), φ = 0.9): merging keeps the interval far more honest than naive batch means', () => {
  // 32 batches whose energy wanders slowly around 50 J: neighbouring batches are far from independent.
  const drifting = (random: SeededRandom) => {
    let state = random.normal() / Math.sqrt(1 - 0.81);
    return Array.from({ length: 32 }, () => {
      state = 0.9 * state + random.normal();
      return { samples: 100, energyJ: 50 * (1 + 0.01 * state) };
    });
  };
  const naive = coverage(2000, drifting, ratioCi, 2);
  const merged = coverage(2000, drifting, batchMeansCi, 2);
  assert.ok(merged > naive + 0.1, `naive ${naive}, merged ${merged}`);
});

test('a shift between windows (another load, a clock change) that batches inside a window cannot see: windowedCi stays honest', () => {
  // 5 windows × 10 batches; each window's energy is off by its own 2% (CV), batches add 2% white noise on top.
  // Seeded: pooled batch means hold the truth 83.7% of the time, windowedCi 94.2%.
  const random = new SeededRandom(99);
  let pooledCovered = 0;
  let windowedCovered = 0;
  const trials = 2000;
  for (let trial = 0; trial < trials; trial++) {
    const windows = Array.from({ length: 5 }, () => {
      const shift = 1 + 0.02 * random.normal();
      return Array.from({ length: 10 }, () => ({ samples: 100, energyJ: 50 * shift * (1 + 0.02 * random.normal()) }));
    });
    const truthHeld = (ci: { ratio: number; halfWidthPercent: number }) => Math.abs(ci.ratio - 2) <= (ci.halfWidthPercent / 100) * ci.ratio;
    if (truthHeld(batchMeansCi(windows.flat()))) pooledCovered++;
    if (truthHeld(windowedCi(windows))) windowedCovered++;
  }
  assert.ok(pooledCovered / trials < 0.88, `pooled ${pooledCovered / trials}`);
  assert.ok(windowedCovered / trials > 0.93, `windowed ${windowedCovered / trials}`);
});
