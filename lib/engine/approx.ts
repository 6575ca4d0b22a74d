/**
 * Comparison methods for the aggregate S: the normal and normal-power approximations and a seeded Monte Carlo.
 * They exist for tests and for showing how far a quick approximation is from the lattice answer; the engine's
 * figures always come from the lattice.
 *
 * Reference: R. E. Beard, T. Pentikainen, E. Pesonen, "Risk Theory", 3rd ed. (1984), section 3.11 (normal power);
 * Klugman, Panjer, Willmot, "Loss Models", 5th ed., section 9.9 (simulation of aggregate losses).
 */
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import type { Frequency } from "./frequency";
import type { Rng } from "./rng";
import type { Severity } from "./severity";

export interface Approximation {
  cdf(x: number): number;
  quantile(p: number): number;
}

function checkMoments(mean: number, sd: number): void {
  if (!Number.isFinite(mean)) throw new RangeError(`mean must be finite, got ${mean}`);
  if (!(sd > 0) || !Number.isFinite(sd)) throw new RangeError(`sd must be > 0, got ${sd}`);
}

/**
 * Normal approximation S ~ N(mean, sd^2): F(x) = Phi((x - mean) / sd), q_p = mean + sd z_p.
 *
 * @param mean - E[S]
 * @param sd - sd(S) > 0
 * @returns cdf and quantile. Example: normalApproximation(100, 10).quantile(0.975) returns ~119.6.
 */
export function normalApproximation(mean: number, sd: number): Approximation {
  checkMoments(mean, sd);
  return {
    cdf: (x) => normalCdf(x, mean, sd),
    quantile: (p) => mean + sd * normalQuantile(p, 0, 1),
  };
}

/**
 * Normal-power approximation with skewness g:
 * q_p = mean + sd (z_p + (g / 6)(z_p^2 - 1)); F(x) = Phi(z) with z the root of z + (g / 6)(z^2 - 1) = y,
 * y = (x - mean) / sd, i.e. z = (-1 + sqrt(1 + 4a(a + y))) / (2a), a = g / 6 (the branch that tends to y as g -> 0).
 *
 * @param mean - E[S]
 * @param sd - sd(S) > 0
 * @param skewness - g, finite; |g| < 1e-9 falls back to the normal approximation; outside the range where the
 * quadratic has a root the cdf is 0 (a > 0, far left) or 1 (a < 0, far right)
 * @returns cdf and quantile. Example: normalPowerApproximation(100, 10, 0.6).quantile(0.99) returns ~127.7.
 */
export function normalPowerApproximation(mean: number, sd: number, skewness: number): Approximation {
  checkMoments(mean, sd);
  if (!Number.isFinite(skewness)) throw new RangeError(`skewness must be finite, got ${skewness}`);
  if (Math.abs(skewness) < 1e-9) return normalApproximation(mean, sd);
  const a = skewness / 6;
  return {
    cdf(x) {
      const y = (x - mean) / sd;
      const d = 1 + 4 * a * (a + y);
      if (d < 0) return a > 0 ? 0 : 1;
      // 2(a + y) / (1 + sqrt(d)) is the same root as (-1 + sqrt(d)) / (2a) without the cancellation at small a.
      const z = (2 * (a + y)) / (1 + Math.sqrt(d));
      return normalCdf(z, 0, 1);
    },
    quantile(p) {
      const z = normalQuantile(p, 0, 1);
      return mean + sd * (z + a * (z * z - 1));
    },
  };
}

/** One draw of N. */
function sampleFrequency(frequency: Frequency, rng: Rng): number {
  switch (frequency.kind) {
    case "poisson":
      return rng.poisson(frequency.params.lambda as number);
    case "binomial":
      return rng.binomial(frequency.params.n as number, frequency.params.p as number);
    case "negbin":
      return rng.negativeBinomial(frequency.params.r as number, frequency.params.mean as number);
  }
}

/**
 * Seeded Monte Carlo of the aggregate: `samples` independent draws of S = X_1 + ... + X_N.
 *
 * @param frequency - N
 * @param severity - X
 * @param samples - number of draws, integer 1..10^7
 * @param rng - a seeded generator (createRng(seed))
 * @returns the draws, sorted ascending. Cost O(samples E[N]). Example: monteCarloAggregate(poisson(3),
 * constantSeverity(1), 1e5, createRng(1)) has mean ~3.
 */
export function monteCarloAggregate(frequency: Frequency, severity: Severity, samples: number, rng: Rng): Float64Array {
  if (!Number.isInteger(samples) || samples < 1 || samples > 1e7) {
    throw new RangeError(`samples must be an integer in 1..10^7, got ${samples}`);
  }
  const out = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const n = sampleFrequency(frequency, rng);
    let s = 0;
    for (let j = 0; j < n; j++) s += severity.sample(rng);
    out[i] = s;
  }
  return out.sort();
}

/**
 * Empirical quantile of sorted draws: the smallest draw x with (#draws <= x) / n >= p.
 *
 * @param sorted - ascending draws (non-empty)
 * @param p - in (0, 1)
 * @returns sorted[ceil(p n) - 1]. Example: empiricalQuantile(Float64Array.of(1, 2, 3, 4), 0.5) returns 2.
 */
export function empiricalQuantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) throw new RangeError("no draws");
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length - 1e-9) - 1));
  return sorted[i] as number;
}
