/**
 * Log-gamma functions for the drift filter's log scores (./drift.ts), which call them millions of times per
 * analysis: ln Gamma by Stirling's series, and ln Gamma(x + k) - ln Gamma(x) as the log of a product, per point or
 * over a whole grid of x at once.
 */

const HALF_LN_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln Gamma(x) for x > 0: Stirling's series with four correction terms at x >= 10, the recurrence
 * Gamma(x) = Gamma(x + k) / (x (x + 1) ... (x + k - 1)) below. Absolute error < 1e-12 (series remainder
 * < 1/(1188 x^9) at x >= 10); used where ln Gamma is called millions of times (the filter's log scores).
 * @param x - > 0.
 * @example lnGamma(5) // returns ln 24 ~ 3.1781
 * Reference: Abramowitz & Stegun (1964), 6.1.40.
 */
export function lnGamma(x: number): number {
  let shift = 0;
  if (x < 10) {
    let p = 1;
    while (x < 10) {
      p *= x;
      x += 1;
    }
    shift = Math.log(p);
  }
  const r = 1 / x;
  const r2 = r * r;
  const series = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680))));
  return (x - 0.5) * Math.log(x) - x + HALF_LN_TWO_PI + series - shift;
}

/**
 * ln Gamma(x + k) - ln Gamma(x) for x > 0 and a whole k >= 0: for k <= 32 the log of the product x (x + 1) ...
 * (x + k - 1), in one logarithm when x < 1e9 (the product stays below 1e289), else eight factors at a time (x <= 1e30
 * keeps a partial product finite); exact to a few ulps and free of the cancellation of two large log-gammas;
 * otherwise (k > 32) the difference of lnGamma.
 * @example risingLog(2, 3) // returns ln 24 ~ 3.1781
 */
export function risingLog(x: number, k: number): number {
  const v = Float64Array.of(x);
  risingLogs(v, k, 1, v);
  return v[0] as number;
}

/**
 * risingLog(x[g], k) for g < count, into out[g] (out may be x): the filter's form, one call a day for every grid
 * point, so that no double crosses a call (a boxed number each: 1.3 GB of garbage per analysis of 1,000 campaigns
 * when the three factorials were called per point).
 */
export function risingLogs(x: Float64Array, k: number, count: number, out: Float64Array): void {
  if (k === 0) {
    out.fill(0, 0, count);
    return;
  }
  for (let g = 0; g < count; g++) {
    const xg = x[g] as number;
    if (k > 32) {
      out[g] = lnGamma(xg + k) - lnGamma(xg);
      continue;
    }
    let p = xg;
    if (xg < 1e9) {
      // (1e9 + 32)^32 < 1e289: the whole product is finite; one logarithm. Four partial products side by side, so
      // the multiplications do not wait on each other (the chain of k dependent products was most of the cost).
      let p1 = 1;
      let p2 = 1;
      let p3 = 1;
      let j = 1;
      for (; j + 3 < k; j += 4) {
        p *= xg + j;
        p1 *= xg + j + 1;
        p2 *= xg + j + 2;
        p3 *= xg + j + 3;
      }
      for (; j < k; j++) p *= xg + j;
      out[g] = Math.log(p * p1 * (p2 * p3));
      continue;
    }
    let s = 0;
    for (let j = 1; j < k; j++) {
      if ((j & 7) === 0) {
        s += Math.log(p);
        p = 1;
      }
      p *= xg + j;
    }
    out[g] = s + Math.log(p);
  }
}

/** Rising factorials of at most this many factors are taken as products (see betaBinomialLogRatios). */
const PRODUCT_TERMS = 32;
/** Products of PRODUCT_TERMS factors below this base stay below 1e224 (finite, and their ratios too). */
const PRODUCT_BASE = 1e7;

/**
 * ln(1 + a/x) for a >= 0, x > 0: 2 atanh(t) with t = a / (2x + a) by its series while a <= x/4 (t <= 1/9, nine terms,
 * remainder below t^19 / 19 < 2e-20), Math.log1p above. Relative error ~1e-16; a fraction of a logarithm's cost.
 */
function log1pRatio(a: number, x: number): number {
  if (!(a <= 0.25 * x)) return Math.log1p(a / x);
  const t = a / (2 * x + a);
  const t2 = t * t;
  return (
    2 * t * (1 + t2 * (1 / 3 + t2 * (1 / 5 + t2 * (1 / 7 + t2 * (1 / 9 + t2 * (1 / 11 + t2 * (1 / 13 + t2 * (1 / 15 + t2 * (1 / 17)))))))))
  );
}

/**
 * [S(x) - S(y)] - [S(u) - S(v)] for x, y, u, v >= 10, S(x) = ln Gamma(x) + x - (x - 1/2) ln x - ln sqrt(2 pi)
 * (Stirling's correction series, four terms as in lnGamma), with one division: 1 / (x y u v) gives the four
 * reciprocals (1/x = y u v / (x y u v), ...). Below 1e300 for arguments below 4e74.
 */
function stirlingDifferences(x: number, y: number, u: number, v: number): number {
  const xy = x * y;
  const uv = u * v;
  const d = 1 / (xy * uv);
  const qxy = uv * d;
  const quv = xy * d;
  const rx = y * qxy;
  const ry = x * qxy;
  const ru = v * quv;
  const rv = u * quv;
  const rx2 = rx * rx;
  const ry2 = ry * ry;
  const ru2 = ru * ru;
  const rv2 = rv * rv;
  return (
    rx * (1 / 12 - rx2 * (1 / 360 - rx2 * (1 / 1260 - rx2 * (1 / 1680)))) -
    ry * (1 / 12 - ry2 * (1 / 360 - ry2 * (1 / 1260 - ry2 * (1 / 1680)))) -
    ru * (1 / 12 - ru2 * (1 / 360 - ru2 * (1 / 1260 - ru2 * (1 / 1680)))) +
    rv * (1 / 12 - rv2 * (1 / 360 - rv2 * (1 / 1260 - rv2 * (1 / 1680))))
  );
}

/** Scratch of longRisingLogs (one day's grid; grown as needed: the engine is synchronous). */
let longScratch = new Float64Array(64);

/**
 * ln [(al)_y / (al + be + k)_y] for every point, y > PRODUCT_TERMS, as the difference of four lnGamma, in a loop of its
 * own: there its four log-gammas are inlined (600 of V8's 920 bytes), where as calls from betaBinomialLogRatios's loop
 * (past its inlining budget) each boxed its argument and result (83 MB a 1,000-campaign analysis, 1.1 million such
 * points). Returns the scratch (valid until the next call).
 */
function longRisingLogs(al: Float64Array, be: Float64Array, y: number, k: number, count: number): Float64Array {
  if (longScratch.length < count) longScratch = new Float64Array(count);
  const out = longScratch;
  for (let g = 0; g < count; g++) {
    const a = al[g] as number;
    const base = a + (be[g] as number) + k;
    out[g] = lnGamma(a + y) - lnGamma(a) - (lnGamma(base + y) - lnGamma(base));
  }
  return out;
}

/**
 * ln [B(al + y, be + k) / B(al, be)] = ln (al)_y + ln (be)_k - ln (al + be)_(y+k) for al[g], be[g] > 0 and whole
 * y, k >= 0, into out[g] for g < count (out may be al or be): the beta-binomial log pmf of y successes in y + k
 * trials without its binomial coefficient, for every point of the drift filter's grid in one call a day.
 *
 * With c = al + be, (c)_(y+k) = (c)_k (c + k)_y, so the score is the sum of two ratios of rising factorials of equal
 * length, ln [(al)_y / (c + k)_y] + ln [(be)_k / (c)_k]. A ratio of at most 32 factors on bases below 1e7 is a
 * quotient of two products (each below 1e224); a longer second ratio is four Stirling series written so that its
 * pairs of arguments, which differ by al, meet in ln(1 + al/x) (a short series at a low conversion rate) and one
 * ln(1 + k/c), arguments below 10 raised by the recurrence and their products put in the quotient. The quotients are
 * multiplied and take one logarithm (two when their product would underflow): one logarithm a point for a day of at
 * most 32 clicks, two for a larger day, where three separate rising factorials took three to seven. Anything else
 * (more than 32 conversions, a base of 1e7 or more within a short ratio) is the difference of lnGamma.
 * Exact to ~1e-12 relative of the largest log-gamma involved (cancellation between them, as in any such difference).
 * @example betaBinomialLogRatios(Float64Array.of(2), Float64Array.of(3), 1, 1, 1, out) // out[0] = ln(2 * 3 / (5 * 6)) = ln 0.2
 */
export function betaBinomialLogRatios(al: Float64Array, be: Float64Array, y: number, k: number, count: number, out: Float64Array): void {
  // A day of more than PRODUCT_TERMS conversions: its first ratio at every point beforehand (see longRisingLogs).
  const long = y > PRODUCT_TERMS ? longRisingLogs(al, be, y, k, count) : null;
  for (let g = 0; g < count; g++) {
    const a = al[g] as number;
    const b = be[g] as number;
    const c = a + b;
    let ratio = 1;
    let logs = 0;
    // ln [(a)_y / (c + k)_y]
    if (long !== null) logs = long[g] as number;
    else if (y > 0) {
      const base = c + k;
      if (base < PRODUCT_BASE) {
        // (a)_y / (base)_y as a quotient of two products, two of each side by side so that the multiplications do not
        // wait on each other. Written out here and below rather than called: as a helper (138 bytes of bytecode) its
        // two calls were the first that V8's cumulative inlining budget (920 bytes) left out beside the Stirling and
        // log-gamma calls, whichever path the first campaigns it saw took most, and each call then boxed its doubles.
        let num = a;
        let den = base;
        let num1 = 1;
        let den1 = 1;
        let j = 1;
        for (; j + 1 < y; j += 2) {
          num *= a + j;
          den *= base + j;
          num1 *= a + j + 1;
          den1 *= base + j + 1;
        }
        if (j < y) {
          num *= a + j;
          den *= base + j;
        }
        ratio = (num * num1) / (den * den1);
      } else {
        logs = lnGamma(a + y) - lnGamma(a) - (lnGamma(base + y) - lnGamma(base));
      }
    }
    // ln [(b)_k / (c)_k]
    if (k > 0) {
      if (k <= PRODUCT_TERMS && c + k < PRODUCT_BASE) {
        // (b)_k / (c)_k, as above
        let num = b;
        let den = c;
        let num1 = 1;
        let den1 = 1;
        let j = 1;
        for (; j + 1 < k; j += 2) {
          num *= b + j;
          den *= c + j;
          num1 *= b + j + 1;
          den1 *= c + j + 1;
        }
        if (j < k) {
          num *= b + j;
          den *= c + j;
        }
        const r = (num * num1) / (den * den1);
        const both = ratio * r;
        if (both > 1e-300) ratio = both;
        else {
          logs += Math.log(ratio);
          ratio = r;
        }
      } else if (k > PRODUCT_TERMS) {
        // ln Gamma(b + k) - ln Gamma(b) - ln Gamma(c + k) + ln Gamma(c) with c = b + a, b + k and c + k above 32.
        // Below 10, b and c are raised by the same s (ln Gamma(x) = ln Gamma(x + s) - ln x (x + 1) ... (x + s - 1),
        // the products' quotient joining `ratio`), so the pairs still differ by a. With L(x) = (x - 1/2) ln x - x +
        // S(x) (Stirling; ln sqrt(2 pi) cancels) and u = b + s, v = c + s:
        //   L(b + k) - L(c + k) - L(u) + L(v) = (u - 1/2) ln(1 + a/u) - (b + k - 1/2) ln(1 + a/(b + k))
        //                                       - a ln(1 + (k - s)/v) + S(b + k) - S(c + k) - S(u) + S(v)
        // two log1p of a/x, small for a low conversion rate (a series), and one Math.log1p. This loop's callees stay
        // within V8's inlining budget (920 bytes of bytecode in all): a third series call for ln(1 + (k - s)/v) put
        // them over it, and every call then boxed its doubles (1.6 GB allocated per 1,000-campaign analysis, not 0.8).
        let u = b;
        let v = c;
        if (u < 10) {
          let pu = 1;
          let pv = 1;
          while (u < 10) {
            pu *= u;
            pv *= v;
            u += 1;
            v += 1;
          }
          const both = ratio * (pu / pv);
          if (both > 1e-300 && both < 1e300) ratio = both;
          else {
            logs += Math.log(ratio) + Math.log(pu / pv);
            ratio = 1;
          }
        }
        const bk = b + k;
        const ck = c + k;
        logs +=
          (u - 0.5) * log1pRatio(a, u) - (bk - 0.5) * log1pRatio(a, bk) - a * Math.log1p((ck - v) / v) + stirlingDifferences(bk, ck, u, v);
      } else {
        logs += lnGamma(b + k) - lnGamma(b) - (lnGamma(c + k) - lnGamma(c));
      }
    }
    out[g] = ratio === 1 ? logs : logs + Math.log(ratio);
  }
}
