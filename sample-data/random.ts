/**
 * A small, self-contained seeded random number generator and the few samplers the sample-data generator needs.
 *
 * Nothing here imports project code, so the committed sample files depend only on this folder and the seed.
 * Every sampler is exact (no normal approximation to a count), and every draw goes through one `Rng`, so the same
 * seed gives the same sequence on every run. Only IEEE-754 arithmetic and V8's fdlibm-derived `Math.log`,
 * `Math.exp`, `Math.cos`, `Math.sqrt` are used; an output byte could change only if one of those moved by one ulp
 * right at a rounding or comparison boundary.
 */

const TWO_POW_53 = 9007199254740992;
/** 2^32 / golden ratio, the splitmix32 increment. */
const GOLDEN_GAMMA = 0x9e3779b9;

/**
 * One step of splitmix32: advance a 32-bit state by the golden-ratio increment and return a mixed 32-bit output.
 *
 * Formula: s <- s + 0x9E3779B9 (mod 2^32); z = s; z = (z ^ z>>>16) * 0x21F0AAFD; z = (z ^ z>>>15) * 0x735A2D97;
 * return z ^ z>>>15 (all mod 2^32). The state is returned alongside so the caller keeps it.
 *
 * @param state any 32-bit integer (signed or unsigned; taken mod 2^32).
 * @returns `[output, nextState]`, output an unsigned 32-bit integer.
 * Example: `splitmix32(0)[0]` returns 835804944 (checked by sample-data/reference/random_reference.py).
 * Reference: Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; 32-bit mixer
 * constants from Mueller's hash-prospector (lowbias32 family).
 */
export function splitmix32(state: number): [number, number] {
  const next = (state + GOLDEN_GAMMA) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aafd);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  z ^= z >>> 15;
  return [z >>> 0, next];
}

/** A seeded source of uniform numbers. `uint32()` is the raw generator; `uniform()` is in the open interval (0, 1). */
export interface Rng {
  uint32(): number;
  uniform(): number;
}

/**
 * xoshiro128** seeded from (seed, stream) through splitmix32, so that each named part of the simulation (the market
 * shock, each campaign's traffic, each campaign's order values) has its own independent stream: changing one
 * campaign's parameters leaves the others' draws untouched.
 *
 * State update (all mod 2^32): result = rotl(s1 * 5, 7) * 9; t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
 * s2 ^= t; s3 = rotl(s3, 11). Period 2^128 - 1.
 *
 * @param seed integer in [0, 2^32 - 1].
 * @param stream integer in [0, 2^32 - 1]: which independent stream.
 * Edge case: xoshiro128** is stuck at an all-zero state; four consecutive splitmix32 outputs all zero has probability
 * ~2^-128, and `xoshiro128ss` still checks and throws rather than return a constant stream.
 * Example: `createRng(42, 0).uint32()` returns 2693105327 (the Python port in
 * sample-data/reference/random_reference.py gives the same).
 * Reference: Blackman & Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 47(4), 2021;
 * https://prng.di.unimi.it/xoshiro128starstar.c
 */
export function createRng(seed: number, stream: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`createRng: seed must be an integer in [0, 2^32 - 1], got ${seed}`);
  if (!Number.isInteger(stream) || stream < 0 || stream > 0xffffffff) throw new RangeError(`createRng: stream must be an integer in [0, 2^32 - 1], got ${stream}`);
  // Mix seed and stream into one splitmix32 start so nearby (seed, stream) pairs give unrelated states.
  let sm = (splitmix32(seed)[0] ^ Math.imul(stream + 1, 0x85ebca6b)) | 0;
  const state: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [out, next] = splitmix32(sm);
    state.push(out);
    sm = next;
  }
  return xoshiro128ss(state);
}

/**
 * xoshiro128** from an explicit 128-bit state (four 32-bit words), exactly as the published C code.
 * @param state four integers in [0, 2^32 - 1], not all zero (the all-zero state is a fixed point).
 * Example: state [1, 2, 3, 4] gives 11520, 0, 5927040, 70819200, 2031721883, 1637235492 (the C reference, compiled
 * with gcc, prints the same; see sample-data/reference/random_reference.py).
 * Reference: https://prng.di.unimi.it/xoshiro128starstar.c
 */
export function xoshiro128ss(state: readonly number[]): Rng {
  if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
    throw new RangeError("xoshiro128ss: state must be four integers in [0, 2^32 - 1]");
  }
  if (state.every((w) => w === 0)) throw new RangeError("xoshiro128ss: the all-zero state never leaves zero");
  const s = Uint32Array.from(state);
  const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));
  const uint32 = (): number => {
    const s0 = s[0]!;
    const s1 = s[1]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s[2]! ^= s0;
    s[3]! ^= s1;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  };
  return {
    uint32,
    uniform: () => uniformOpen(uint32),
  };
}

/**
 * A uniform number in the open interval (0, 1) with 53 random bits.
 *
 * Formula: a = x1 >>> 5 (27 bits), b = x2 >>> 6 (26 bits) from two raw words, u = (a * 2^26 + b + 0.5) / 2^53. The +0.5 keeps u away from 0 and 1, so `log(u)` and
 * `log(1 - u)` are always finite.
 * Range: u in [2^-54, 1 - 2^-54]. Example: with both raw words 0, u = 2^-54 (about 5.55e-17).
 * Reference: the 53-bit construction of Matsumoto & Nishimura's genrand_res53 (mt19937ar.c), shifted by half a step.
 */
export function uniformOpen(uint32: () => number): number {
  const a = uint32() >>> 5;
  const b = uint32() >>> 6;
  return (a * 67108864 + b + 0.5) / TWO_POW_53;
}

/**
 * A standard normal deviate by the Box-Muller transform (the cosine branch only: one uniform pair per deviate, so
 * the number of draws per call is fixed and streams stay aligned).
 *
 * Formula: z = sqrt(-2 ln u1) cos(2 pi u2), u1, u2 ~ U(0, 1) independent.
 * Edge cases: u1 is never 0 (see `uniformOpen`), so z is always finite; |z| <= sqrt(-2 ln 2^-54) ~ 8.66.
 * Example: u1 = exp(-0.5), u2 = 0 gives z = 1.
 * Reference: Box & Muller, "A note on the generation of random normal deviates", Ann. Math. Stat. 29, 1958.
 */
export function normal(rng: Rng): number {
  const u1 = rng.uniform();
  const u2 = rng.uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A lognormal deviate exp(mu + sigma Z), Z standard normal.
 *
 * Mean exp(mu + sigma^2 / 2); to get mean m use mu = ln m - sigma^2 / 2 (see `lognormalMu`).
 * @param mu any finite number; @param sigma >= 0 (sigma = 0 returns exp(mu) exactly).
 * Example: mu = ln 80 - 0.125, sigma = 0.5 has mean 80.
 * Reference: Johnson, Kotz, Balakrishnan, Continuous Univariate Distributions vol. 1, ch. 14.
 */
export function lognormal(rng: Rng, mu: number, sigma: number): number {
  if (!(sigma >= 0) || !Number.isFinite(mu)) throw new RangeError(`lognormal: need finite mu and sigma >= 0, got ${mu}, ${sigma}`);
  return Math.exp(mu + sigma * normal(rng));
}

/**
 * The log-scale location of a lognormal with a given mean and log-sd.
 *
 * Formula: mu = ln(mean) - sigma^2 / 2, from E[exp(mu + sigma Z)] = exp(mu + sigma^2 / 2).
 * @param mean > 0; @param sigma >= 0. Example: `lognormalMu(80, 0.5)` returns ~4.257027 (ln 80 = 4.382027).
 * Reference: Johnson, Kotz, Balakrishnan, vol. 1, eq. 14.8a.
 */
export function lognormalMu(mean: number, sigma: number): number {
  if (!(mean > 0) || !(sigma >= 0)) throw new RangeError(`lognormalMu: need mean > 0 and sigma >= 0, got ${mean}, ${sigma}`);
  return Math.log(mean) - (sigma * sigma) / 2;
}

const LOGGAM_COEFFS = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4, 8.417508417508418e-4,
  -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2, 1.796443723688307e-1, -1.3924322169059,
];

/**
 * ln Gamma(x) for x > 0 by the Stirling series, shifting small arguments up to 7 and recurring back down.
 *
 * Formula: ln Gamma(x) = (x - 1/2) ln x - x + ln(2 pi)/2 + sum_k B_{2k} / (2k (2k - 1) x^(2k - 1)), k = 1..10,
 * for x >= 7; ln Gamma(x) = ln Gamma(x + n) - sum_{j=0}^{n-1} ln(x + j) below.
 * @param x > 0. Edge cases: exactly 0 at x = 1 and x = 2. Accuracy: relative error below 1e-14 for x >= 1
 * (checked against scipy.special.gammaln in the unit test).
 * Example: `logGamma(10)` returns ln(9!) = 12.801827480081469.
 * Reference: numpy/random/src/distributions/distributions.c `random_loggam` (numpy 2.x), after Abramowitz &
 * Stegun 6.1.41.
 */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`logGamma: need finite x > 0, got ${x}`);
  if (x === 1 || x === 2) return 0;
  let x0 = x;
  let n = 0;
  if (x <= 7) {
    n = Math.floor(7 - x);
    x0 = x + n;
  }
  const x2 = 1 / (x0 * x0);
  let gl0 = LOGGAM_COEFFS[9]!;
  for (let k = 8; k >= 0; k--) gl0 = gl0 * x2 + LOGGAM_COEFFS[k]!;
  let gl = gl0 / x0 + 0.5 * Math.log(2 * Math.PI) + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 1; k <= n; k++) {
    gl -= Math.log(x0 - 1);
    x0 -= 1;
  }
  return gl;
}

/**
 * A Poisson(lambda) count: Knuth's product-of-uniforms method for lambda < 10, Hoermann's PTRS (transformed
 * rejection with squeeze) above.
 *
 * Knuth: the smallest k with u_1 ... u_{k+1} < e^{-lambda}. PTRS: k = floor((2a/us + b) U + lambda + 0.43) with
 * U ~ U(-1/2, 1/2), us = 1/2 - |U|, accepted by a squeeze or by
 * ln V + ln(1/alpha) - ln(a/us^2 + b) <= -lambda + k ln lambda - ln k!  (compared in log space, so large lambda
 * never underflows).
 * @param lambda in [0, 1e9]; 0 returns 0. Mean and variance are both lambda.
 * Example: the mean of many draws at lambda = 3 is ~3.
 * Reference: Knuth, TAOCP vol. 2, 3.4.1 F; Hoermann, "The transformed rejection method for generating Poisson
 * random variables", Insurance: Mathematics and Economics 12, 1993 (numpy `random_poisson_ptrs`).
 */
export function poisson(rng: Rng, lambda: number): number {
  if (!(lambda >= 0) || !(lambda <= 1e9)) throw new RangeError(`poisson: need lambda in [0, 1e9], got ${lambda}`);
  if (lambda === 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let prod = rng.uniform();
    while (prod > limit) {
      k++;
      prod *= rng.uniform();
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = rng.uniform() - 0.5;
    const V = rng.uniform();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1)) {
      return k;
    }
  }
}

/**
 * A Binomial(n, p) count by the geometric waiting-time method: skip over the failures between successes with
 * geometric jumps and count the successes that land within n trials.
 *
 * Formula: G = floor(ln U / ln(1 - p)) ~ Geometric(p) failures before a success; positions T_j = sum_{i<=j}(G_i + 1);
 * X = #{j : T_j <= n}. `log1p(-p)` keeps ln(1 - p) accurate for small p. For p > 1/2 it returns n - Binomial(n, 1-p)
 * so the expected work is O(n min(p, 1 - p) + 1) draws.
 * @param n integer in [0, 1e9]; @param p in [0, 1]. Edge cases: n = 0 or p = 0 returns 0; p = 1 returns n.
 * Example: Binomial(200, 0.06) has mean 12 and variance 11.28.
 * Reference: Devroye, Non-Uniform Random Variate Generation, 1986, X.4.3 (first waiting time method).
 */
export function binomial(rng: Rng, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 1e9) throw new RangeError(`binomial: need an integer n in [0, 1e9], got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial: need p in [0, 1], got ${p}`);
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  const logq = Math.log1p(-p);
  let successes = 0;
  let position = 0;
  for (;;) {
    position += Math.floor(Math.log(rng.uniform()) / logq) + 1;
    if (position > n) return successes;
    successes++;
  }
}
