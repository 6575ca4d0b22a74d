/**
 * The beta-binomial count of a binomial pool with a shared Beta rate, and its pgf as a truncated power series.
 *
 * k budgets of n clicks sharing a conversion rate B ~ Beta(a, b) convert M | B ~ Binomial(N, B) times in all, N = k n,
 * so M is beta-binomial: P(M = m) = C(N, m) B(m + a, N - m + b) / B(a, b). Its pmf follows from the ratio
 *   p(m + 1) / p(m) = (N - m)(m + a) / ((m + 1)(N - m - 1 + b)),
 * which is exact in floating point term by term, and the pool's transform is the pgf at the severity's transform,
 * G_M(phi) = sum_m p(m) phi^m: a polynomial, evaluated by Horner's rule. |phi| < 1 away from the origin, so the
 * terms past the point where |phi|^(m + 1) P(M > m) < 1e-18 are left out: only the frequencies near phi = 1 need the
 * whole support. That is the exact mixture, where integrating Binomial(N, B) over B by quadrature needs hundreds of
 * nodes, each a complex power, once N B oscillates many times over the Beta's spread (a large pool with a
 * strong shared rate).
 *
 * Reference: N. L. Johnson, A. W. Kemp, S. Kotz, "Univariate Discrete Distributions", 3rd ed., section 6.7.2
 * (beta-binomial, pmf ratio and unimodality).
 */

/** Relative mass left out at each end of the support (the pmf is renormalised over the rest). */
const SUPPORT_TAIL = 1e-20;
/** ln 1e-18: a frequency's terms past m contribute at most |phi|^(m + 1) P(M > m), dropped below this. */
const LN_TRUNCATION = Math.log(1e-18);
/** ln 1e-20: a frequency where |phi|^lo is below this (lo the support's first point) has a transform of 0. */
const LN_NEGLIGIBLE = Math.log(1e-20);

export interface BetaBinomialSeries {
  /** First point of the kept support. */
  readonly lo: number;
  /** P(M = lo + i), summing to 1. */
  readonly pmf: Float64Array;
  /** ln P(M > lo + i) (the mass after point i; -Infinity at the end). */
  readonly logTail: Float64Array;
  /** E[M] = N a / (a + b). */
  readonly mean: number;
  /** Horner steps (complex multiply-adds) of the last `apply`. */
  lastSteps: number;
  /** Horner steps `apply` would take at these transform values, without evaluating (for choosing a method). */
  steps(z: Float64Array, count: number): number;
  /** Replaces `count` interleaved complex values phi by G_M(phi). */
  apply(z: Float64Array, count: number): void;
}

/**
 * Beta-binomial pmf of M over its support, as a series to evaluate at many points.
 *
 * Computed from the mode outwards by the ratio above (so no value over- or underflows), each side stopped when a
 * geometric bound on what is left is below 1e-20 of the total: with a, b >= 1 the pmf is log-concave (the ratio
 * falls with m) so the current ratio bounds every later one; with a < 1 the mode is 0 and every ratio is below
 * N / (N - 1 + b) < 1.
 *
 * @param trials - N, integer >= 1
 * @param a - Beta shape of successes, > 0
 * @param b - Beta shape of failures, >= 1 (with b < 1 the pmf can rise again towards N)
 * @param maxLength - longest support to build
 * @returns the series, or null when b < 1 or the support needs more than maxLength points (the caller mixes by
 * quadrature instead). Example: betaBinomialSeries(10, 2, 3, 1e6)?.pmf[0] returns ~0.065934 (= B(2, 13) / B(2, 3) = 12 / 182).
 */
export function betaBinomialSeries(trials: number, a: number, b: number, maxLength: number): BetaBinomialSeries | null {
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`trials must be an integer >= 1, got ${trials}`);
  if (!(a > 0)) throw new RangeError(`a must be > 0, got ${a}`);
  if (!(b >= 1)) return null;
  const N = trials;
  const ratio = (m: number): number => ((N - m) * (m + a)) / ((m + 1) * (N - m - 1 + b));
  // p rises while m (a + b - 2) < N (a - 1) + 1 - b: the mode is the first m where that fails.
  const mode = a + b > 2 ? Math.min(N, Math.max(0, Math.ceil((N * (a - 1) + 1 - b) / (a + b - 2)))) : 0;
  const logConcave = a >= 1;
  const ratioBound = N / (N - 1 + b);
  // Downwards from the mode (only when a >= 1: otherwise the mode is 0).
  const down: number[] = [];
  let total = 1;
  let q = 1;
  for (let m = mode - 1; m >= 0; m--) {
    q /= ratio(m);
    down.push(q);
    total += q;
    // Going down, each step multiplies by 1 / ratio(m - 1) <= 1 / ratio(m) (log-concave).
    const r = m > 0 ? 1 / ratio(m - 1) : 0;
    if (r < 1 && (q * r) / (1 - r) < SUPPORT_TAIL * total) break;
    if (down.length > maxLength) return null;
  }
  const up: number[] = [1];
  q = 1;
  for (let m = mode; m < N; m++) {
    q *= ratio(m);
    up.push(q);
    total += q;
    const r = m + 1 < N ? (logConcave ? ratio(m + 1) : ratioBound) : 0;
    if (r < 1 && (q * r) / (1 - r) < SUPPORT_TAIL * total) break;
    if (down.length + up.length > maxLength) return null;
  }
  const lo = mode - down.length;
  const length = down.length + up.length;
  const pmf = new Float64Array(length);
  for (let i = 0; i < down.length; i++) pmf[down.length - 1 - i] = (down[i] as number) / total;
  for (let i = 0; i < up.length; i++) pmf[down.length + i] = (up[i] as number) / total;
  // Tail masses from the top down: a plain suffix sum is exact enough, being used only to bound truncation.
  const logTail = new Float64Array(length);
  let tail = 0;
  for (let i = length - 1; i >= 0; i--) {
    logTail[i] = tail > 0 ? Math.log(tail) : -Infinity;
    tail += pmf[i] as number;
  }
  const last = length - 1;

  /** Last point needed at |phi| = e^lnr: the first i with (lo + i + 1) lnr + ln P(M > lo + i) < ln 1e-18. */
  const topIndex = (lnr: number): number => {
    if (!(lnr < 0)) return last;
    let low = 0;
    let high = last;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((lo + mid + 1) * lnr + (logTail[mid] as number) < LN_TRUNCATION) high = mid;
      else low = mid + 1;
    }
    return low;
  };
  const logModulus = (re: number, im: number): number => Math.min(0, 0.5 * Math.log(re * re + im * im));

  const series: BetaBinomialSeries = {
    lo,
    pmf,
    logTail,
    mean: (N * a) / (a + b),
    lastSteps: 0,
    steps(z, count) {
      let steps = 0;
      for (let i = 0, j = 0; i < count; i++, j += 2) {
        const lnr = logModulus(z[j] as number, z[j + 1] as number);
        if (lo * lnr < LN_NEGLIGIBLE) continue;
        steps += topIndex(lnr) + 1;
      }
      return steps;
    },
    apply(z, count) {
      let steps = 0;
      for (let i = 0, j = 0; i < count; i++, j += 2) {
        const zr = z[j] as number;
        const zi = z[j + 1] as number;
        const lnr = logModulus(zr, zi);
        if (lo * lnr < LN_NEGLIGIBLE || (lo > 0 && zr === 0 && zi === 0)) {
          z[j] = 0;
          z[j + 1] = 0;
          continue;
        }
        const top = topIndex(lnr);
        steps += top + 1;
        // sum_i p(lo + i) phi^i by Horner's rule in phi^2 on the even and the odd terms: two independent chains,
        // which the processor overlaps (one chain waits on each multiply's latency), then even + phi odd. Four
        // chains measured no faster.
        const sr = zr * zr - zi * zi;
        const si = 2 * zr * zi;
        let er = 0;
        let ei = 0;
        let or = 0;
        let oi = 0;
        let m = top;
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
          const mod = Math.exp(lo * lnr);
          const ang = lo * Math.atan2(zi, zr);
          const pr = mod * Math.cos(ang);
          const pi = mod * Math.sin(ang);
          z[j] = ar * pr - ai * pi;
          z[j + 1] = ar * pi + ai * pr;
        } else {
          z[j] = ar;
          z[j + 1] = ai;
        }
      }
      series.lastSteps = steps;
    },
  };
  return series;
}
