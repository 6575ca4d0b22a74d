/**
 * Risk figures of a distribution on the lattice {0, h, 2h, ...}: moments, cdf, quantiles, expected shortfall,
 * stop-loss and put values. All cumulative quantities are built once with compensated (Neumaier) running sums:
 * the cdf from the bottom, the survival P(S > x) from the top (so tail probabilities keep relative precision).
 *
 * References: C. Acerbi, D. Tasche (2002), "On the coherence of expected shortfall", J. Banking & Finance 26,
 * 1487-1503 (ES with the atom at the quantile split); Klugman, Panjer, Willmot, "Loss Models", 5th ed.,
 * section 9.3 (stop-loss premiums on a lattice are linear between lattice points).
 */
import { NeumaierAccumulator } from "./numeric";

/** Guard for cdf round-off in quantile searches: F(x) >= p - QUANTILE_EPS counts as reaching p. */
export const QUANTILE_EPS = 1e-12;

/** Relative tolerance for deciding that x / h is a lattice point (x = 3774.6 at h = 0.1 is point 37746). */
const ON_LATTICE_TOL = 1e-9;

export class LatticeDistribution {
  /** Probabilities at 0, h, 2h, ... (non-negative, summing to 1). */
  readonly pmf: Float64Array;
  /** Spacing of the values: base step / divisor. */
  readonly step: number;
  /** Values are (offset + i) * baseStep / divisor (a pooled share: the sum's step divided by the pool size). */
  readonly baseStep: number;
  readonly divisor: number;
  /** Lattice index of pmf[0]: a window [offset, offset + length) when the mass lies far from 0 (mass below it < 1e-16). */
  readonly offset: number;
  readonly mean: number;
  readonly variance: number;
  readonly sd: number;
  readonly skewness: number;
  /** F_i = P(S <= i h). */
  private readonly cum: Float64Array;
  /** T_i = P(S > i h), summed from the top: built on first use (`tail`), which many lattices never need. */
  private tailCache: Float64Array | null = null;
  private slCache: Float64Array | null = null;
  private putCache: Float64Array | null = null;

  /**
   * @param pmf - non-negative masses at 0, h, 2h, ...; renormalised to sum 1 (callers pass mass 1 up to
   * round-off); trailing zeros are kept
   * @param step - h > 0
   * @param divisor - values are i h / divisor (default 1); a share of k pooled budgets uses k, so that the share's
   * values are computed as exactly as the sum's (37746 * 1 / 10 = 3774.6, where 37746 * 0.1 = 3774.6000000000004)
   * @param offset - lattice index of pmf[0], an integer >= 0 (default 0)
   */
  constructor(pmf: Float64Array, step: number, divisor = 1, offset = 0) {
    if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be an integer >= 0, got ${offset}`);
    if (!(step > 0) || !Number.isFinite(step)) throw new RangeError(`step must be > 0, got ${step}`);
    if (!(divisor > 0) || !Number.isFinite(divisor)) throw new RangeError(`divisor must be > 0, got ${divisor}`);
    if (pmf.length === 0) throw new RangeError("a lattice distribution needs at least one point");
    const n = pmf.length;
    // Compensated (Neumaier) sums written out on locals: five of them per point over lattices of up to millions of
    // points, where the accumulator objects cost twice the arithmetic. Same operations in the same order as
    // NeumaierAccumulator.add, so the same values.
    // Total, then normalise (FFT round-off leaves the mass 1 +- 1e-15).
    let ts = 0;
    let tc = 0;
    for (let i = 0; i < n; i++) {
      const v = pmf[i] as number;
      if (!(v >= 0)) throw new RangeError(`probabilities must be >= 0 and finite (index ${i}: ${v})`);
      const t = ts + v;
      if (Math.abs(ts) >= Math.abs(v)) tc += ts - t + v;
      else tc += v - t + ts;
      ts = t;
    }
    const total = ts + tc;
    if (!(total > 0)) throw new RangeError("a lattice distribution needs positive total mass");
    // One pass normalises, accumulates the cdf and the mean (each sum in the same order as a pass of its own)
    const p = new Float64Array(n);
    const cum = new Float64Array(n);
    let bs = 0;
    let bc = 0;
    let ms = 0;
    let mc = 0;
    for (let i = 0; i < n; i++) {
      const v = (pmf[i] as number) / total;
      p[i] = v;
      const t = bs + v;
      if (Math.abs(bs) >= Math.abs(v)) bc += bs - t + v;
      else bc += v - t + bs;
      bs = t;
      cum[i] = bs + bc;
      const w = i * v;
      const u = ms + w;
      if (Math.abs(ms) >= Math.abs(w)) mc += ms - u + w;
      else mc += w - u + ms;
      ms = u;
    }
    this.pmf = p;
    this.baseStep = step;
    this.divisor = divisor;
    this.offset = offset;
    this.step = step / divisor;
    this.cum = cum;

    // Two-pass central moments: the mean first (above), then sums of (x - mean)^k (no E[X^2] - E[X]^2 cancellation).
    const meanIdx = ms + mc;
    let s2 = 0;
    let c2 = 0;
    let s3 = 0;
    let c3 = 0;
    for (let i = 0; i < n; i++) {
      const d = i - meanIdx;
      const v2 = d * d * (p[i] as number);
      const t2 = s2 + v2;
      if (Math.abs(s2) >= Math.abs(v2)) c2 += s2 - t2 + v2;
      else c2 += v2 - t2 + s2;
      s2 = t2;
      const v3 = v2 * d;
      const t3 = s3 + v3;
      if (Math.abs(s3) >= Math.abs(v3)) c3 += s3 - t3 + v3;
      else c3 += v3 - t3 + s3;
      s3 = t3;
    }
    const varIdx = Math.max(0, s2 + c2);
    const h = step / divisor;
    this.mean = (offset + meanIdx) * h;
    this.variance = varIdx * h * h;
    this.sd = Math.sqrt(this.variance);
    // A point mass has no spread: its skewness is defined here as 0 rather than 0/0.
    this.skewness = varIdx > 0 ? (s3 + c3) / Math.pow(varIdx, 1.5) : 0;
  }

  /** T_i = P(S > i h) for every point, summed from the top by a compensated sum. */
  private get tail(): Float64Array {
    if (this.tailCache === null) {
      const p = this.pmf;
      const tail = new Float64Array(p.length);
      const above = new NeumaierAccumulator();
      for (let i = p.length - 1; i >= 0; i--) {
        tail[i] = above.value; // mass strictly above point i
        above.add(p[i] as number);
      }
      this.tailCache = tail;
    }
    return this.tailCache;
  }

  /** The value of pmf[i]: (offset + i) h / divisor. */
  valueAt(i: number): number {
    return ((this.offset + i) * this.baseStep) / this.divisor;
  }

  /** Number of lattice points. */
  get length(): number {
    return this.pmf.length;
  }

  /** The largest lattice value with positive probability. */
  get top(): number {
    for (let i = this.pmf.length - 1; i > 0; i--) if ((this.pmf[i] as number) > 0) return this.valueAt(i);
    return this.valueAt(0);
  }

  /**
   * Coefficient of variation sd / mean. Edge case: a distribution concentrated at 0 has cv 0 (no variation).
   * Example: Poisson(50) counts give cv = 1 / sqrt(50) ~ 0.1414.
   */
  get cv(): number {
    return this.mean > 0 ? this.sd / this.mean : 0;
  }

  /** P(S = 0). */
  get pZero(): number {
    return this.offset === 0 ? (this.pmf[0] as number) : 0;
  }

  /** Lattice values (offset + i) h / divisor as a Float64Array (for charts). */
  values(): Float64Array {
    const v = new Float64Array(this.pmf.length);
    for (let i = 0; i < v.length; i++) v[i] = this.valueAt(i);
    return v;
  }

  /** pmf index of the last lattice point <= x (x within 1e-9 relative of a point counts as that point). */
  private indexAtOrBelow(x: number): number {
    const r = (x * this.divisor) / this.baseStep;
    const nearest = Math.round(r);
    if (Math.abs(r - nearest) <= ON_LATTICE_TOL * Math.max(1, Math.abs(r))) return nearest - this.offset;
    return Math.floor(r) - this.offset;
  }

  /**
   * F(x) = P(S <= x).
   *
   * @param x - any finite number (x < 0 gives 0; x beyond the lattice gives 1)
   * @returns the cdf. Example: for Poisson(3) counts, cdf(0) returns ~0.0498.
   */
  cdf(x: number): number {
    const i = this.indexAtOrBelow(x);
    if (i < 0) return 0;
    if (i >= this.pmf.length) return 1;
    return Math.min(1, this.cum[i] as number);
  }

  /**
   * P(S > x), summed from the top (keeps relative precision where it is tiny).
   * Example: for Poisson(3) counts, survival(10) returns ~2.9e-4.
   */
  survival(x: number): number {
    const i = this.indexAtOrBelow(x);
    if (i < 0) return 1;
    if (i >= this.pmf.length) return 0;
    return this.tail[i] as number;
  }

  /**
   * P(S < c): e.g. the chance that revenue falls short of a spend c.
   *
   * @param c - any finite number
   * @returns F at the last lattice point strictly below c. Example: for Poisson(3) counts, probBelow(1) returns ~0.0498.
   */
  probBelow(c: number): number {
    const r = (c * this.divisor) / this.baseStep;
    const nearest = Math.round(r);
    const onPoint = Math.abs(r - nearest) <= ON_LATTICE_TOL * Math.max(1, Math.abs(r));
    const i = (onPoint ? nearest - 1 : Math.floor(r)) - this.offset;
    if (i < 0) return 0;
    if (i >= this.pmf.length) return 1;
    return Math.min(1, this.cum[i] as number);
  }

  /**
   * P(S < c) for a lattice that stands for a continuous law (order values rounded, split or sampled onto it): each
   * point's mass, the atom at 0 aside, is read as spread evenly over its cell [x - h/2, x + h/2), so F is
   * interpolated between the cells' edges. Where the density is smooth that is off by O(h^2), where probBelow (F at
   * the point below c) is off by up to a whole point's mass, O(h). The atom at 0 (no sale) stays whole: 0 for c <= 0,
   * at least P(S = 0) above. On an exact lattice (counts, order values on the step) use probBelow.
   *
   * @param c - any finite number
   * @example Poisson 1.3 x lognormal(3.13, 0.1) (median 22.9) at step 0.1: probBelowContinuous(22.4) is 0.4232 as
   * by quadrature, where probBelow(22.4) reads 0.4201 (tests/unit/engine/lattice-continuous.test.ts).
   */
  probBelowContinuous(c: number): number {
    if (!(c > 0)) return this.probBelow(c);
    const r = (c * this.divisor) / this.baseStep;
    const j = Math.round(r);
    const i = j - this.offset;
    if (i < 0) return 0;
    if (i >= this.pmf.length) return 1;
    if (j === 0) return Math.min(1, this.cum[0] as number);
    const below = i > 0 ? (this.cum[i - 1] as number) : 0;
    return Math.min(1, below + (this.pmf[i] as number) * (r - (j - 0.5)));
  }

  private quantileIndex(p: number): number {
    const target = p - QUANTILE_EPS;
    let lo = 0;
    let hi = this.cum.length - 1;
    if ((this.cum[hi] as number) < target) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cum[mid] as number) >= target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * Quantile q_p = the smallest lattice value x with F(x) >= p (F(x) >= p - 1e-12 absorbs cdf round-off).
   *
   * @param p - probability in (0, 1)
   * @returns q_p. Example: for Poisson(3) counts, quantile(0.5) returns 3.
   */
  quantile(p: number): number {
    if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
    // A lattice point: (offset + i) h / k written with 15 significant digits, so 2126 x 0.1 reads 212.6, not
    // 212.60000000000002 (the change is below 1e-15 relative).
    return Number(this.valueAt(this.quantileIndex(p)).toPrecision(15));
  }

  /** E[(S - x_i)+] at every lattice point, by SL_i = SL_{i+1} + h P(S > x_i) from the top (positive terms only). */
  private stopLossTable(): Float64Array {
    if (this.slCache) return this.slCache;
    const n = this.pmf.length;
    const sl = new Float64Array(n);
    const sum = new NeumaierAccumulator();
    for (let i = n - 1; i >= 0; i--) {
      sum.add(this.step * (this.tail[i] as number));
      sl[i] = sum.value;
    }
    this.slCache = sl;
    return sl;
  }

  /** E[(x_i - S)+] at every lattice point, by P_i = P_{i-1} + h F(x_{i-1}) from the bottom. */
  private putTable(): Float64Array {
    if (this.putCache) return this.putCache;
    const n = this.pmf.length;
    const put = new Float64Array(n);
    const sum = new NeumaierAccumulator();
    for (let i = 1; i < n; i++) {
      sum.add(this.step * (this.cum[i - 1] as number));
      put[i] = sum.value;
    }
    this.putCache = put;
    return put;
  }

  /**
   * Stop-loss premium E[(S - d)+], exact for the lattice distribution (it is linear between lattice points).
   *
   * @param d - retention, any finite number (d < 0 gives E[S] - d; d past the top gives 0)
   * @returns the premium. Example: for Poisson(3) counts, stopLoss(0) returns 3.
   */
  stopLoss(d: number): number {
    const r = (d * this.divisor) / this.baseStep - this.offset;
    if (r <= 0) return this.mean - d; // S >= d almost surely
    const sl = this.stopLossTable();
    const i = Math.floor(r);
    if (i >= sl.length - 1) return 0;
    const frac = r - i;
    // SL(x_i + delta) = SL_i - delta P(S > x_i), 0 <= delta <= h.
    return Math.max(0, (sl[i] as number) - frac * this.step * (this.tail[i] as number));
  }

  /**
   * Put (floor) value E[(f - S)+], exact for the lattice distribution.
   *
   * @param f - floor, any finite number (f <= 0 gives 0 since S >= 0)
   * @returns the value. Example: for Poisson(3) counts, putValue(1) returns ~0.0498.
   */
  putValue(f: number): number {
    const r = (f * this.divisor) / this.baseStep - this.offset;
    if (r <= 0) return 0; // S >= f almost surely
    const put = this.putTable();
    const i = Math.floor(r);
    if (i >= put.length - 1) return f - this.mean;
    const frac = r - i;
    return (put[i] as number) + frac * this.step * (this.cum[i] as number);
  }

  /**
   * Expected shortfall (Acerbi-Tasche): ES_p = q_p + E[(S - q_p)+] / (1 - p), which splits the atom at q_p so ES is
   * the mean of the worst (1 - p) of outcomes even on a lattice.
   *
   * @param p - level in (0, 1)
   * @returns ES_p >= q_p. Example: for a point mass at 5, expectedShortfall(0.9) returns 5.
   */
  expectedShortfall(p: number): number {
    if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
    const i = this.quantileIndex(p);
    const sl = this.stopLossTable();
    return this.valueAt(i) + (sl[i] as number) / (1 - p);
  }

  /**
   * The smallest d with E[(S - d)+] = target (the stop-loss premium is continuous and non-increasing in d).
   *
   * @param target - a premium >= 0; target <= 0 returns the top of the support, target > E[S] returns
   * E[S] - target (< 0)
   * @returns d. Example: for Poisson(3) counts, stopLossInverse(3) returns 0.
   */
  stopLossInverse(target: number): number {
    if (target <= 0) return this.top;
    const bottom = this.valueAt(0);
    if (target >= this.mean - bottom) return this.mean - target; // SL(d) = E[S] - d below the support
    const sl = this.stopLossTable();
    // sl is non-increasing: find the last i with sl[i] >= target.
    let lo = 0;
    let hi = sl.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((sl[mid] as number) >= target) lo = mid;
      else hi = mid - 1;
    }
    const slope = this.step * (this.tail[lo] as number); // premium lost per lattice step above point lo
    if (!(slope > 0)) return this.valueAt(lo);
    const delta = Math.min(1, ((sl[lo] as number) - target) / slope);
    return this.valueAt(lo) + delta * this.step;
  }
}
