/**
 * A holding's value over a horizon: the h-fold convolution of a coin's empirical daily log returns (by FFT), and a
 * collar (a floor bought with a cap) on that value. The returns come from lib/engine/coins.ts (returnStats); price
 * files are read elsewhere (lib/ingest/prices.ts).
 *
 * Failure rule: invalid parameters throw RangeError (see lib/engine/contract.ts).
 */
import { DEFAULT_QUANTILES, returnStats } from "./coins";
import { irfft, rfft } from "./fft";

/** Distribution of a holding's value after h days. Typed arrays: a distribution. */
export interface HoldingDistribution {
  days: number;
  /** Value today. */
  initialValue: number;
  /** Log-return grid: logReturn[k] = start + k step. */
  start: number;
  step: number;
  /** Holding values initialValue exp(logReturn[k]), ascending. */
  values: Float64Array;
  /** probs[k] = P(value = values[k]); sums to 1. */
  probs: Float64Array;
  mean: number;
  sd: number;
  /** P(value < initialValue). */
  pLoss: number;
  /** Quantiles of the value keyed by String(level). */
  quantiles: Record<string, number>;
}

/** Smallest grid value whose cumulative probability reaches p (1e-12 slack for summation rounding). */
function latticeQuantile(values: Float64Array, probs: Float64Array, p: number): number {
  let c = 0;
  for (let k = 0; k < probs.length; k++) {
    c += probs[k] as number;
    if (c >= p - 1e-12) return values[k] as number;
  }
  return values[values.length - 1] as number;
}

/**
 * Distribution of a holding's value after `days` days, resampling the empirical daily log returns independently:
 * the h-fold convolution of the empirical return distribution, computed on a grid (deterministic; the exact limit
 * of an i.i.d. bootstrap, without its sampling noise).
 *
 * Grid: step = min(sd / 20, the step that keeps the h-day support [h min, h max] within maxGrid points); each daily
 * return is split between its two neighbouring grid points in proportion to distance (the grid mean equals the
 * sample mean exactly; the variance grows by at most step^2/4 a day). The daily pmf is raised to the h-th power in
 * Fourier space (FFT of size >= the whole h-day support, so nothing wraps around), modulus and angle taken
 * separately, then inverted; values below 1e-11 x the peak (FFT rounding noise) are set to 0 and the mass
 * renormalised. Check: the mean is (mean of e^r over the grid)^h, the grid's exact value.
 *
 * @param returns - daily log returns, at least 2, not all equal (else the holding is deterministic: a single point).
 * @param options.days - horizon h, integer in [1, 3650]. @param options.value - value today (> 0, default 1).
 * @param options.maxGrid - most grid points of the h-day support (default 2^20).
 * @param options.step - grid step in log return, > 0, overriding the automatic choice (returns that are multiples
 *   of it are then represented exactly).
 * @example holdingDistribution(btcReturns, { days: 30 }).quantiles["0.05"] // ~0.7 of the value today
 * Reference: Efron & Tibshirani (1993), ch. 6 (bootstrap distribution); Klugman, Panjer & Willmot, Loss Models,
 *   sec. 9.8 (convolutions by FFT).
 */
export function holdingDistribution(
  returns: readonly number[],
  options: { days: number; value?: number; maxGrid?: number; step?: number; quantiles?: readonly number[] },
): HoldingDistribution {
  const h = options.days;
  const v0 = options.value ?? 1;
  if (!(Number.isInteger(h) && h >= 1 && h <= 3650)) throw new RangeError("Horizon must be a whole number of days from 1 to 3650.");
  if (!(v0 > 0)) throw new RangeError("Holding value must be positive.");
  if (returns.length < 1) throw new RangeError("At least one daily return is needed.");
  const stats = returnStats(returns);
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of returns) {
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  const finish = (start: number, step: number, probs: Float64Array): HoldingDistribution => {
    const values = Float64Array.from(probs, (_, k) => v0 * Math.exp(start + k * step));
    let mean = 0;
    let pLoss = 0;
    for (let k = 0; k < probs.length; k++) {
      mean += (probs[k] as number) * (values[k] as number);
      if ((values[k] as number) < v0 * (1 - 1e-12)) pLoss += probs[k] as number;
    }
    let varc = 0;
    for (let k = 0; k < probs.length; k++) varc += (probs[k] as number) * ((values[k] as number) - mean) ** 2;
    const quantiles: Record<string, number> = {};
    for (const q of options.quantiles ?? DEFAULT_QUANTILES) quantiles[String(q)] = latticeQuantile(values, probs, q);
    return { days: h, initialValue: v0, start, step, values, probs, mean, sd: Math.sqrt(varc), pLoss, quantiles };
  };
  if (!(hi > lo) || stats === null) return finish(h * lo, 1, Float64Array.of(1));

  const maxGrid = options.maxGrid ?? 1 << 20;
  const width = hi - lo;
  const step = options.step !== undefined && options.step > 0 ? options.step : Math.max(stats.sd / 20, (h * width) / (maxGrid - 1));
  const K = Math.ceil(width / step) + 1;
  const daily = new Float64Array(K);
  const w = 1 / returns.length;
  for (const r of returns) {
    const x = (r - lo) / step;
    const i = Math.min(Math.floor(x), K - 2);
    const f = x - i;
    daily[i] = (daily[i] as number) + w * (1 - f);
    daily[i + 1] = (daily[i + 1] as number) + w * f;
  }
  const support = h * (K - 1) + 1;
  if (h === 1) return finish(lo, step, daily);
  let n = 4;
  while (n < support) n *= 2;
  const spec = rfft(daily, n);
  for (let k = 0; k < spec.length; k += 2) {
    const re = spec[k] as number;
    const im = spec[k + 1] as number;
    // Polar power: |z|^h underflows cleanly to 0 where the spectrum is negligible.
    const mod = Math.pow(Math.hypot(re, im), h);
    const ang = h * Math.atan2(im, re);
    spec[k] = mod * Math.cos(ang);
    spec[k + 1] = mod * Math.sin(ang);
  }
  const full = irfft(spec);
  const probs = new Float64Array(support);
  let peak = 0;
  for (let k = 0; k < support; k++) peak = Math.max(peak, full[k] as number);
  // FFT rounding leaves noise of ~1e-14 x the peak everywhere; on a grid of values e^(h max) that noise would swamp
  // the mean, so values below 1e-11 x the peak (true tail mass there is many sd out and negligible) are set to 0.
  const floorNoise = 1e-11 * peak;
  let total = 0;
  for (let k = 0; k < support; k++) {
    const p = full[k] as number;
    const q = p > floorNoise ? p : 0;
    probs[k] = q;
    total += q;
  }
  for (let k = 0; k < support; k++) probs[k] = (probs[k] as number) / total;
  // Trim the far tails (mass below 1e-16 on each side) to keep the arrays small.
  let a = 0;
  let cum = 0;
  while (a < support - 1 && cum + (probs[a] as number) < 1e-16) cum += probs[a++] as number;
  let b = support - 1;
  cum = 0;
  while (b > a && cum + (probs[b] as number) < 1e-16) cum += probs[b--] as number;
  const kept = probs.slice(a, b + 1);
  let s = 0;
  for (const p of kept) s += p;
  for (let k = 0; k < kept.length; k++) kept[k] = (kept[k] as number) / s;
  return finish(h * lo + a * step, step, kept);
}

/** A collar on a holding: a floor bought with a cap, both valued at their expected payoffs. */
export interface HoldingCollar {
  floor: number;
  /** Value of the floor: E[(floor - V)+]. */
  put: number;
  /** Cap C with E[(V - C)+] = put (zero net cost); null when no cap can finance the floor, or the floor is free. */
  zeroCostCap: number | null;
  /** Average upside surrendered above the cap, E[(V - C)+] (equal to `put` at zero cost). */
  meanGivenUp: number;
  /** E[V] and E[collared]; equal up to grid rounding (expected-payoff pricing is mean-neutral). */
  meanBefore: number;
  meanAfter: number;
  /** 5% quantile of V and of the collared value min(max(V, floor), cap); their difference is the gain. */
  q05Before: number;
  q05After: number;
  q05Gained: number;
  /** P(V < floor): how often the floor pays. */
  pFloorPays: number;
  /** P(V > cap): how often the cap binds. */
  pCapBinds: number;
  /**
   * How the cap came out, for lib/analysis/messages.ts to word: "zero-cost" (a cap finances the floor), "free-floor"
   * (the floor is below every outcome: no cap), "floor-too-dear" (the floor is worth more than all the upside).
   */
  finding: "zero-cost" | "free-floor" | "floor-too-dear";
}

/**
 * Collar on a holding's value V: payoff min(max(V, F), C) = V + (F - V)+ - (V - C)+.
 * put = E[(F - V)+]; the zero-cost cap solves E[(V - C)+] = put. The stop-loss g(C) = E[(V - C)+] is linear between
 * grid values and decreasing, so C is found exactly by locating the bracketing grid values and interpolating.
 * The collared 5% quantile is min(max(q05(V), F), C) (a monotone payoff maps quantiles to quantiles).
 * @param floor - a value, or "q05" for the 5% quantile of V.
 * Edge cases: a floor below every value -> put 0, no cap (null); a floor so high that even C = min V cannot pay
 * for it -> cap null, noted.
 * @example collarOnHolding(dist, { floor: "q05" }).zeroCostCap // ~1.48 x the value today for BTC 2018-2023, 30 days
 * Reference: Hull, Options, Futures and Other Derivatives (10th ed.), sec. 12.3 (collars); valuation here is by
 *   expected payoff under the empirical law, not risk-neutral.
 */
export function collarOnHolding(dist: HoldingDistribution, options: { floor: number | "q05" }): HoldingCollar {
  const { values, probs } = dist;
  const n = values.length;
  const F = options.floor === "q05" ? latticeQuantile(values, probs, 0.05) : options.floor;
  let put = 0;
  let pFloor = 0;
  for (let k = 0; k < n; k++) {
    const v = values[k] as number;
    if (v < F) {
      put += (probs[k] as number) * (F - v);
      pFloor += probs[k] as number;
    }
  }
  // g(v_k) = sum_{j>k} p_j (v_j - v_k) = T_k - v_k P_k, filled from the top.
  const g = new Float64Array(n);
  let T = 0;
  let P = 0;
  for (let k = n - 1; k >= 0; k--) {
    g[k] = T - (values[k] as number) * P;
    T += (probs[k] as number) * (values[k] as number);
    P += probs[k] as number;
  }
  const meanBefore = T;
  const q05Before = latticeQuantile(values, probs, 0.05);
  let cap: number | null = null;
  let finding: HoldingCollar["finding"];
  if (!(put > 0)) {
    finding = "free-floor";
  } else if (put > (g[0] as number)) {
    finding = "floor-too-dear";
  } else {
    let k = 0;
    while (k < n - 1 && (g[k + 1] as number) >= put) k++;
    const v1 = values[k] as number;
    const v2 = values[Math.min(k + 1, n - 1)] as number;
    const g1 = g[k] as number;
    const g2 = g[Math.min(k + 1, n - 1)] as number;
    cap = g1 === g2 ? v1 : v1 + ((g1 - put) / (g1 - g2)) * (v2 - v1);
    finding = "zero-cost";
  }
  let meanAfter = 0;
  let capBinds = 0;
  for (let k = 0; k < n; k++) {
    const v = values[k] as number;
    const c = Math.min(Math.max(v, F), cap ?? Infinity);
    meanAfter += (probs[k] as number) * c;
    if (cap !== null && v > cap) capBinds += probs[k] as number;
  }
  const q05After = Math.min(Math.max(q05Before, F), cap ?? Infinity);
  return {
    floor: F,
    put,
    zeroCostCap: cap,
    meanGivenUp: cap === null ? 0 : put,
    meanBefore,
    meanAfter,
    q05Before,
    q05After,
    q05Gained: q05After - q05Before,
    pFloorPays: pFloor,
    pCapBinds: capBinds,
    finding,
  };
}
