import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchMeansCi, mergePairs, ratioCi, type Batch } from '../../src/stats/batch-means.js';
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
