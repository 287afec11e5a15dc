// Significance tests over arrays: Student's t distribution and Welch's unequal-variance t-test.
import { mean } from './summary.js';

// ln Γ(x) by the Lanczos approximation (g = 7, 9 terms; ~15 significant digits for x > 0).
const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Natural log of the gamma function, x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = lanczos[0]!;
  for (let i = 1; i < lanczos.length; i++) sum += lanczos[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

// Continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes §6.4).
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), 0 ≤ x ≤ 1, a, b > 0. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t with `degreesOfFreedom` (> 0, need not be an integer: Welch's df is not). */
export function studentTCdf(t: number, degreesOfFreedom: number): number {
  if (Number.isNaN(t) || !(degreesOfFreedom > 0)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  const tail = 0.5 * regularizedIncompleteBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** P(F ≤ x) for Fisher's F with (d1, d2) degrees of freedom: I_{d1·x/(d1·x + d2)}(d1/2, d2/2). */
export function fisherFCdf(x: number, d1: number, d2: number): number {
  if (Number.isNaN(x) || !(d1 > 0) || !(d2 > 0)) return Number.NaN;
  if (x <= 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  return regularizedIncompleteBeta((d1 * x) / (d1 * x + d2), d1 / 2, d2 / 2);
}

// Quantiles already found, by p and whole df: the bisection costs ~45 µs, and the race asks for the same t(0.975; df)
// for every survivor in every round (bench/race-decision.ts asks for it millions of times).
const knownQuantiles = new Map<string, number>();

/** The t with P(T ≤ t) = p for Student's t (bisection on the CDF; exact to ~1e-10). */
export function studentTQuantile(p: number, degreesOfFreedom: number): number {
  if (!(p > 0 && p < 1) || !(degreesOfFreedom > 0)) return Number.NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, degreesOfFreedom);
  if (!Number.isInteger(degreesOfFreedom)) return bisectQuantile(p, degreesOfFreedom);
  const key = `${p}:${degreesOfFreedom}`;
  let t = knownQuantiles.get(key);
  if (t === undefined) {
    t = bisectQuantile(p, degreesOfFreedom);
    if (knownQuantiles.size < 10_000) knownQuantiles.set(key, t);
  }
  return t;
}

function bisectQuantile(p: number, degreesOfFreedom: number): number {
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, degreesOfFreedom) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, degreesOfFreedom) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The outcome of Welch's t-test: candidate mean minus baseline mean, t, Welch–Satterthwaite df, two-sided p. */
export interface WelchResult {
  meanA: number;
  meanB: number;
  /** meanB − meanA. */
  difference: number;
  /** Standard error of the difference. */
  standardError: number;
  t: number;
  degreesOfFreedom: number;
  /** Two-sided p-value. */
  pValue: number;
}

/**
 * Welch's t-test of H0 "equal means" for two samples with possibly different variances (each needs ≥ 2 values).
 * With zero variance on both sides the test is degenerate: p = 1 for equal means, 0 otherwise.
 */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>): WelchResult {
  const na = a.length;
  const nb = b.length;
  if (na < 2 || nb < 2) throw new RangeError(`Welch's t-test needs at least 2 values per sample, got ${na} and ${nb}`);
  const meanA = mean(a);
  const meanB = mean(b);
  const varA = variance(a, meanA);
  const varB = variance(b, meanB);
  const seA = varA / na;
  const seB = varB / nb;
  const standardError = Math.sqrt(seA + seB);
  const difference = meanB - meanA;
  if (standardError === 0) {
    return { meanA, meanB, difference, standardError, t: difference === 0 ? 0 : Math.sign(difference) * Infinity, degreesOfFreedom: na + nb - 2, pValue: difference === 0 ? 1 : 0 };
  }
  const t = difference / standardError;
  const degreesOfFreedom = (seA + seB) ** 2 / (seA ** 2 / (na - 1) + seB ** 2 / (nb - 1));
  const pValue = Math.min(1, 2 * studentTCdf(-Math.abs(t), degreesOfFreedom));
  return { meanA, meanB, difference, standardError, t, degreesOfFreedom, pValue };
}

function variance(values: ArrayLike<number>, m: number): number {
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - m) ** 2;
  return squares / (values.length - 1);
}
