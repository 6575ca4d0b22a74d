/**
 * A pooled claim count's pgf as a truncated power series, G_M(phi) = sum_m p(m) phi^m, for counts whose pmf is cheap
 * where their pgf is not: mixtures over a shared rate.
 *
 * - Beta-binomial: k budgets of n clicks sharing a conversion rate B ~ Beta(a, b) convert M | B ~ Binomial(N, B)
 *   times in all, N = k n, so P(M = m) = C(N, m) B(m + a, N - m + b) / B(a, b), exactly, from the ratio
 *   p(m + 1) / p(m) = (N - m)(m + a) / ((m + 1)(N - m - 1 + b)).
 * - A mixture of negative binomials (the quadrature nodes of a Gamma shock on NB budgets): sum_q w_q NB(m; r, mu_q),
 *   each from p(m + 1) / p(m) = (r + m) / (m + 1) mu_q / (r + mu_q). The nodes' transform is right to 1e-13 on the
 *   unit circle (see pool.ts), so by Cauchy's estimate every coefficient, the pmf, is too.
 *
 * The series is evaluated by Horner's rule. |phi| < 1 away from the origin, so terms past the point where
 * |phi|^(m + 1) P(M > m) < 1e-18 are left out: only frequencies near phi = 1 need the whole support. Mixing the
 * frequency's pgf over the rate instead needs a complex power per node and frequency, and hundreds of nodes once the
 * pooled rate oscillates many times over the shock's spread (a large pool with a strong shared rate); a Horner step
 * is about a twentieth of such a power.
 *
 * Reference: N. L. Johnson, A. W. Kemp, S. Kotz, "Univariate Discrete Distributions", 3rd ed., sections 5.1
 * (negative binomial) and 6.7.2 (beta-binomial, pmf ratio and unimodality).
 */
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";

/** Relative mass left out at each end of a support (the pmf is renormalised over the rest). */
const SUPPORT_TAIL = 1e-20;
/** ln 1e-18: a frequency's terms past m contribute at most |phi|^(m + 1) P(M > m), dropped below this. */
const LN_TRUNCATION = Math.log(1e-18);
/** ln 1e-20: a frequency where a bound on |G_M(phi)| is below this has a transform of 0. */
const LN_NEGLIGIBLE = Math.log(1e-20);

export interface CountSeries {
  /** First point of the kept support. */
  readonly lo: number;
  /** P(M = lo + i), summing to 1. */
  readonly pmf: Float64Array;
  /** ln P(M > lo + i) (the mass after point i; -Infinity at the end). */
  readonly logTail: Float64Array;
  /** E[M] of the model (exact, not the truncated sum). */
  readonly mean: number;
  /** Horner steps (complex multiply-adds) of the last `apply`. */
  lastSteps: number;
  /** Horner steps `apply` would take at these transform values, without evaluating (for choosing a method). */
  steps(z: Float64Array, count: number): number;
  /** Horner steps at one transform value phi = zr + i zi (0 where the transform is negligible). */
  stepsAt(zr: number, zi: number): number;
  /** Replaces the value phi at z[j], z[j + 1] by G_M(phi), given stepsAt(phi). */
  evalAt(z: Float64Array, j: number, steps: number): void;
  /** Replaces `count` interleaved complex values phi by G_M(phi). */
  apply(z: Float64Array, count: number): void;
}

/**
 * A unimodal pmf from its ratio r(m) = p(m + 1) / p(m), walked from the mode outwards with p(mode) = 1 (so nothing
 * over- or underflows) and normalised. Each side stops when a geometric bound on what is left is below 1e-20 of the
 * total: going down, 1 / r(m - 1) bounds every later step when the pmf is log-concave (r falling), which is the only
 * case with a mode above 0 here; going up, `ahead(m)` must bound r(j) for every j >= m.
 *
 * @param mode - a mode of the pmf (p(mode) >= its neighbours)
 * @param last - last point of the support (Infinity when unbounded)
 * @returns the kept support's first point and probabilities, or null when it needs more than maxLength points.
 */
function walkPmf(
  mode: number,
  last: number,
  ratio: (m: number) => number,
  ahead: (m: number) => number,
  maxLength: number,
): { lo: number; pmf: Float64Array } | null {
  const down: number[] = [];
  let total = 1;
  let q = 1;
  for (let m = mode - 1; m >= 0; m--) {
    q /= ratio(m);
    down.push(q);
    total += q;
    const r = m > 0 ? 1 / ratio(m - 1) : 0;
    if (r < 1 && (q * r) / (1 - r) < SUPPORT_TAIL * total) break;
    if (down.length > maxLength) return null;
  }
  const up: number[] = [1];
  q = 1;
  for (let m = mode; m < last; m++) {
    q *= ratio(m);
    up.push(q);
    total += q;
    const r = m + 1 < last ? ahead(m + 1) : 0;
    if (r < 1 && (q * r) / (1 - r) < SUPPORT_TAIL * total) break;
    if (down.length + up.length > maxLength) return null;
  }
  const pmf = new Float64Array(down.length + up.length);
  for (let i = 0; i < down.length; i++) pmf[down.length - 1 - i] = (down[i] as number) / total;
  for (let i = 0; i < up.length; i++) pmf[down.length + i] = (up[i] as number) / total;
  return { lo: mode - down.length, pmf };
}

/**
 * Beta-binomial pmf of M over its support, as a series to evaluate at many points.
 *
 * The pmf rises while m (a + b - 2) < N (a - 1) + 1 - b, so with a + b > 2 it is unimodal; with a, b >= 1 it is
 * log-concave (the ratio falls with m), and with a < 1 the mode is 0 and every ratio is below N / (N - 1 + b) < 1.
 *
 * @param trials - N, integer >= 1
 * @param a - Beta shape of successes, > 0
 * @param b - Beta shape of failures, >= 1 (with b < 1 the pmf can rise again towards N)
 * @param maxLength - longest support to build
 * @returns the series, or null when b < 1 or the support needs more than maxLength points (the caller mixes by
 * quadrature instead). Example: betaBinomialSeries(10, 2, 3, 1e6)?.pmf[0] returns ~0.065934 (= B(2, 13) / B(2, 3) = 12 / 182).
 */
export function betaBinomialSeries(trials: number, a: number, b: number, maxLength: number): CountSeries | null {
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`trials must be an integer >= 1, got ${trials}`);
  if (!(a > 0)) throw new RangeError(`a must be > 0, got ${a}`);
  if (!(b >= 1)) return null;
  const N = trials;
  const ratio = (m: number): number => ((N - m) * (m + a)) / ((m + 1) * (N - m - 1 + b));
  const mode = a + b > 2 ? Math.min(N, Math.max(0, Math.ceil((N * (a - 1) + 1 - b) / (a + b - 2)))) : 0;
  const bound = N / (N - 1 + b);
  const walked = walkPmf(mode, N, ratio, a >= 1 ? ratio : () => bound, maxLength);
  if (walked === null) return null;
  // Given B, |G(phi)| = |1 - B w|^N with w = 1 - phi; |1 - B w| is convex in B, so over the Beta's range between
  // its 1e-22 quantiles its largest value is at one end, and the mass outside adds at most 2e-22.
  const bLow = betaQuantile(1e-22, a, b);
  const bHigh = 1 - betaQuantile(1e-22, b, a);
  const logBound = (zr: number, zi: number): number => {
    const wr = 1 - zr;
    const w2 = wr * wr + zi * zi;
    const low = Math.log1p(bLow * (bLow * w2 - 2 * wr));
    const high = Math.log1p(bHigh * (bHigh * w2 - 2 * wr));
    return 0.5 * N * Math.max(low, high);
  };
  return countSeries(walked.lo, walked.pmf, (N * a) / (a + b), logBound);
}

/**
 * The pmf of a mixture of negative binomials with one size r, sum_q w_q NB(r, mu_q), as a series.
 *
 * Each NB is log-concave when r >= 1 (mode floor((r - 1) mu / r)); with r < 1 its mode is 0 and its ratio rises
 * towards mu / (r + mu), which bounds it.
 *
 * @param r - size of every component, > 0
 * @param means - the components' means mu_q > 0
 * @param weights - their weights, summing to 1
 * @param maxLength - longest total of the components' supports to build
 * @returns the series, or null when the supports need more than maxLength points. Example: one component of
 * r 5, mean 50 gives pmf[0] ~ (5 / 55)^5 ~ 6.21e-6 (scipy.stats.nbinom(5, 5/55).pmf(0)).
 */
export function negativeBinomialMixtureSeries(
  r: number,
  means: ArrayLike<number>,
  weights: ArrayLike<number>,
  maxLength: number,
): CountSeries | null {
  if (!(r > 0)) throw new RangeError(`r must be > 0, got ${r}`);
  const parts: { lo: number; pmf: Float64Array; w: number }[] = [];
  let budget = maxLength;
  let lo = Infinity;
  let hi = -Infinity;
  let mean = 0;
  for (let q = 0; q < means.length; q++) {
    const mu = means[q] as number;
    const w = weights[q] as number;
    mean += w * mu;
    const odds = mu / (r + mu);
    const ratio = (m: number): number => ((r + m) / (m + 1)) * odds;
    const mode = r > 1 ? Math.floor(((r - 1) * mu) / r) : 0;
    const walked = walkPmf(mode, Infinity, ratio, r >= 1 ? ratio : () => odds, budget);
    if (walked === null) return null;
    budget -= walked.pmf.length;
    parts.push({ ...walked, w });
    lo = Math.min(lo, walked.lo);
    hi = Math.max(hi, walked.lo + walked.pmf.length);
  }
  const pmf = new Float64Array(hi - lo);
  for (const part of parts) {
    const at = part.lo - lo;
    for (let i = 0; i < part.pmf.length; i++) pmf[at + i] = (pmf[at + i] as number) + part.w * (part.pmf[i] as number);
  }
  // The weights sum to 1 up to rounding: renormalise.
  let total = 0;
  for (let i = 0; i < pmf.length; i++) total += pmf[i] as number;
  for (let i = 0; i < pmf.length; i++) pmf[i] = (pmf[i] as number) / total;
  // |NB(r, mu)'s pgf| = |1 + (mu / r) w|^-r with w = 1 - phi (Re w >= 0) falls as mu grows: the smallest mean bounds
  // every component.
  let smallest = Infinity;
  for (let q = 0; q < means.length; q++) smallest = Math.min(smallest, means[q] as number);
  const beta = smallest / r;
  const logBound = (zr: number, zi: number): number => {
    const wr = 1 - zr;
    return -0.5 * r * Math.log1p(beta * (2 * wr + beta * (wr * wr + zi * zi)));
  };
  return countSeries(lo, pmf, mean, logBound);
}

/**
 * The pgf of a count with pmf p(lo + i) = pmf[i] as a truncated series (see the module doc).
 *
 * @param lo - first point of the support, integer >= 0
 * @param pmf - probabilities summing to 1
 * @param mean - the count's exact mean (reported as the term's claims)
 * @param logBound - ln of an upper bound on |G_M(phi)|, from the mixture's components (where it is below ln 1e-20
 * the transform is set to 0 without a sum: the series itself, of terms near 1 in size cancelling to nothing, would
 * spend its whole support there)
 */
function countSeries(
  lo: number,
  pmf: Float64Array,
  mean: number,
  logBound: (zr: number, zi: number) => number,
): CountSeries {
  const length = pmf.length;
  // Tail masses from the top down: a plain suffix sum is exact enough, being used only to bound truncation.
  const logTail = new Float64Array(length);
  let tail = 0;
  for (let i = length - 1; i >= 0; i--) {
    logTail[i] = tail > 0 ? Math.log(tail) : -Infinity;
    tail += pmf[i] as number;
  }
  const last = length - 1;
  // Point i is the last needed at phi when (lo + i + 1) ln|phi| + ln P(M > lo + i) < ln 1e-18, that is when |phi|^2 <
  // reach2[i] = exp(2 (ln 1e-18 - ln P(M > lo + i)) / (lo + i + 1)): non-decreasing in i (a longer sum is never
  // needed where a shorter one is enough), so the first such i is found by comparing |phi|^2, without a logarithm.
  // The first SCAN are computed at once (most frequencies stop among them); the others when a binary search first
  // reads them (0 until then; a threshold is > 0): a search reads a few dozen of a support of up to a million points.
  const reach2 = new Float64Array(length);
  const reachAt = (i: number): number => {
    let v = reach2[i] as number;
    if (v === 0) {
      v = Math.exp((2 * (LN_TRUNCATION - (logTail[i] as number))) / (lo + i + 1));
      reach2[i] = v;
    }
    return v;
  };
  /** Points read one by one before the binary search: most frequencies have |phi| far below 1 and stop early. */
  const SCAN = 16;
  for (let i = 0; i < Math.min(SCAN, length); i++) reachAt(i);

  /** Last point needed at |phi|^2 = r2: the first i with r2 < reach2[i] (the whole support once |phi| >= 1). */
  const topIndex = (r2: number): number => {
    if (!(r2 < 1)) return last;
    const scan = Math.min(SCAN, last);
    for (let i = 0; i < scan; i++) if (r2 < (reach2[i] as number)) return i;
    let low = scan;
    let high = last;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (r2 < reachAt(mid)) high = mid;
      else low = mid + 1;
    }
    return low;
  };
  const logModulus = (re: number, im: number): number => Math.min(0, 0.5 * Math.log(re * re + im * im));

  const stepsAt = (zr: number, zi: number): number => {
    if (lo > 0 && zr === 0 && zi === 0) return 0;
    const top = topIndex(zr * zr + zi * zi);
    // Where a bound on |G_M(phi)| is negligible the transform is 0: only worth asking where the sum is long (terms
    // near 1 in size there cancel to nothing); a short sum at a small |phi| is exact as it is.
    if (top >= SCAN && logBound(zr, zi) < LN_NEGLIGIBLE) return 0;
    return top + 1;
  };
  const evalAt = (z: Float64Array, j: number, steps: number): void => {
    const zr = z[j] as number;
    const zi = z[j + 1] as number;
    if (steps === 0) {
      z[j] = 0;
      z[j + 1] = 0;
      return;
    }
    // sum_i p(lo + i) phi^i, i <= top, by Horner's rule in phi^2 on the even and the odd terms: two independent
    // chains, which the processor overlaps (one chain waits on each multiply's latency), then even + phi odd. Four
    // chains measured no faster.
    const sr = zr * zr - zi * zi;
    const si = 2 * zr * zi;
    let er = 0;
    let ei = 0;
    let or = 0;
    let oi = 0;
    let m = steps - 1;
    if ((m & 1) === 0) {
      er = pmf[m] as number;
      m--;
    }
    for (; m > 0; m -= 2) {
      // m odd: the odd chain takes p(m), the even chain p(m - 1).
      const nor = or * sr - oi * si + (pmf[m] as number);
      oi = or * si + oi * sr;
      or = nor;
      const ner = er * sr - ei * si + (pmf[m - 1] as number);
      ei = er * si + ei * sr;
      er = ner;
    }
    const ar = er + (or * zr - oi * zi);
    const ai = ei + (or * zi + oi * zr);
    if (lo > 0) {
      // phi^lo = |phi|^lo e^(i lo arg phi).
      const mod = Math.exp(lo * logModulus(zr, zi));
      const ang = lo * Math.atan2(zi, zr);
      const pr = mod * Math.cos(ang);
      const pi = mod * Math.sin(ang);
      z[j] = ar * pr - ai * pi;
      z[j + 1] = ar * pi + ai * pr;
    } else {
      z[j] = ar;
      z[j + 1] = ai;
    }
  };

  const series: CountSeries = {
    lo,
    pmf,
    logTail,
    mean,
    lastSteps: 0,
    stepsAt,
    evalAt,
    steps(z, count) {
      let steps = 0;
      for (let j = 0; j < 2 * count; j += 2) steps += stepsAt(z[j] as number, z[j + 1] as number);
      return steps;
    },
    apply(z, count) {
      let steps = 0;
      for (let j = 0; j < 2 * count; j += 2) {
        const s = stepsAt(z[j] as number, z[j + 1] as number);
        evalAt(z, j, s);
        steps += s;
      }
      series.lastSteps = steps;
    },
  };
  return series;
}
