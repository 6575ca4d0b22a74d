/**
 * Seeded pseudo-random numbers for the engine (Monte Carlo checks, simulated data, bootstraps).
 * Every random figure in noisefloor takes one of these; nothing in lib/ calls Math.random.
 *
 * Core generator: xoshiro128** 1.1 (Blackman & Vigna 2018, https://prng.di.unimi.it/xoshiro128starstar.c),
 * seeded through splitmix32 so that nearby integer seeds give unrelated streams. 32-bit state words keep all
 * arithmetic in exact int32 (Math.imul), so a seed gives the same stream on every JavaScript engine.
 */
import gammaln from "@stdlib/math-base-special-gammaln";

/** A seeded stream of random variates. All methods advance the same underlying state. */
export interface Rng {
  /** Next raw 32-bit output as an unsigned integer in [0, 2^32). */
  uint32(): number;
  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Gamma(shape, scale = 1), shape > 0. */
  gamma(shape: number): number;
  /** Poisson(lambda), lambda >= 0. */
  poisson(lambda: number): number;
  /** Binomial(n, p), integer n >= 0, p in [0, 1]. */
  binomial(n: number, p: number): number;
  /** Negative binomial with size r > 0 and mean m >= 0 (a Gamma(r, m/r)-mixed Poisson). */
  negativeBinomial(r: number, mean: number): number;
  /** Lognormal: exp(mu + sigma Z). */
  lognormal(mu: number, sigma: number): number;
  /** The internal state, to resume a stream later. */
  state(): [number, number, number, number];
}

/**
 * splitmix32 step: turns any 32-bit seed into well-mixed 32-bit words (used only to seed xoshiro128**).
 *
 * @param seed - any integer (taken mod 2^32)
 * @returns a function returning successive uint32 values. Example: splitmix32(0)() returns a fixed uint32.
 * @see S. Vigna, splitmix64.c; this is the 32-bit variant with the MurmurHash3 finaliser constants.
 */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/**
 * Creates a seeded generator (xoshiro128** core with exact samplers for the distributions the engine uses).
 *
 * @param seed - any finite number; non-integers are truncated, and the value is reduced mod 2^32
 * @returns an `Rng`. Example: createRng(42).uniform() is the same number on every run and machine.
 * @see D. Blackman, S. Vigna (2021), "Scrambled linear pseudorandom number generators", ACM TOMS 47(4).
 */
export function createRng(seed: number): Rng {
  const mix = splitmix32(Math.trunc(seed));
  let s0 = mix();
  let s1 = mix();
  let s2 = mix();
  let s3 = mix();
  // xoshiro must not start from the all-zero state (it would stay there).
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  const uint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };

  const uniform = (): number => {
    // 27 + 26 bits -> a 53-bit integer scaled to [0, 1): every double in the grid k / 2^53 equally likely.
    const a = uint32() >>> 5;
    const b = uint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  };

  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    // Marsaglia polar method: exact, no trigonometric calls; rejects ~21% of pairs.
    for (;;) {
      const u = 2 * uniform() - 1;
      const v = 2 * uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        spare = v * f;
        return u * f;
      }
    }
  };

  const gamma = (shape: number): number => {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
    if (shape < 1) {
      // Boost: Gamma(a) = Gamma(a + 1) U^(1/a) (Marsaglia & Tsang 2000, section 6); log form avoids 0^(1/a) issues.
      const g = gamma(shape + 1);
      return g * Math.exp(Math.log(1 - uniform()) / shape);
    }
    // Marsaglia & Tsang (2000), "A simple method for generating gamma variables", ACM TOMS 26(3).
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  };

  const poisson = (lambda: number): number => {
    if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`poisson lambda must be >= 0, got ${lambda}`);
    if (lambda === 0) return 0;
    if (lambda < 10) {
      // Inversion by sequential search from 0: exact; expected lambda + 1 steps.
      let k = 0;
      let p = Math.exp(-lambda);
      let cdf = p;
      const u = uniform();
      while (u > cdf && k < 1000) {
        k++;
        p *= lambda / k;
        cdf += p;
      }
      return k;
    }
    // PTRS, transformed rejection with squeeze: W. Hormann (1993), "The transformed rejection method for
    // generating Poisson random variables", Insurance: Mathematics and Economics 12(1), 39-45.
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const U = uniform() - 0.5;
      const V = uniform();
      const us = 0.5 - Math.abs(U);
      const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
      if (us >= 0.07 && V <= vr) return k;
      if (k < 0 || (us < 0.013 && V > us)) continue;
      if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - gammaln(k + 1)) {
        return k;
      }
    }
  };

  const binomial = (n: number, p: number): number => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`binomial n must be an integer >= 0, got ${n}`);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial p must be in [0, 1], got ${p}`);
    // Knuth, TAOCP vol. 2, 3.4.1 (F): split n with a Beta order statistic until it is small, then count directly.
    // Exact, O(log n) gamma draws plus at most 32 Bernoulli trials.
    let count = 0;
    let m = n;
    let q = p;
    while (m > 32) {
      if (q <= 0) return count;
      if (q >= 1) return count + m;
      const a = 1 + Math.floor(m / 2);
      const bb = m + 1 - a;
      const ga = gamma(a);
      const x = ga / (ga + gamma(bb));
      if (x >= q) {
        m = a - 1;
        q = q / x;
      } else {
        count += a;
        m = bb - 1;
        q = (q - x) / (1 - x);
      }
    }
    for (let i = 0; i < m; i++) if (uniform() < q) count++;
    return count;
  };

  const negativeBinomial = (r: number, mean: number): number => {
    if (!(r > 0) || !(mean >= 0)) throw new RangeError(`negative binomial needs r > 0 and mean >= 0`);
    if (mean === 0) return 0;
    return poisson((gamma(r) * mean) / r);
  };

  const lognormal = (mu: number, sigma: number): number => Math.exp(mu + sigma * normal());

  return {
    uint32,
    uniform,
    normal,
    gamma,
    poisson,
    binomial,
    negativeBinomial,
    lognormal,
    state: () => [s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0],
  };
}
