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
