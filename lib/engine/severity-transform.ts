/**
 * A severity's characteristic function phi(t) = E[exp(-i t X)] at the frequencies of a coarse lattice, for the
 * coarse aggregate (coarse.ts): exact forms for constant, empirical and gamma order values, and for the lognormal a
 * sum over a fine split of its order values, bin by bin or at a whole grid's frequencies from one FFT (with the
 * split's memos). Split from coarse.ts, which samples the aggregate's density from these transforms.
 *
 * References: as coarse.ts; each function names its own (Bracewell for the sampled transform, Gerber (1982) for
 * the moment-matched split).
 */
import erfc from "@stdlib/math-base-special-erfc";
import erfcinv from "@stdlib/math-base-special-erfcinv";
import { Lru } from "./lru";
import { discretise, latticeLength, latticeMoments, SEVERITY_TAIL_EPS } from "./discretise";
import { rfft } from "./fft";
import { NeumaierAccumulator, neumaierSum } from "./numeric";
import type { Severity } from "./severity";

/** Writes E[exp(-i t X)] to out[at], out[at + 1]. */
export type CharacteristicFunction = (t: number, out: Float64Array, at: number) => void;

/**
 * The characteristic function at every frequency of a coarse grid at once, t_j = 2 pi j / (n H) for j = 0..n/2
 * (interleaved, length n + 2), with its cost in multiply-adds; null when evaluating bin by bin is cheaper.
 */
export type GridTransform = (n: number, step: number, budget: number) => GridTable | null;

/** A grid transform: phi(t_j) interleaved, its cost, and the split's step h' and order of accuracy r (2 for the
 * mean-preserving split, 3 for the moment-matched one): |phi'(t) - phi(t)| <= C_r (t h')^r per order (see
 * GRID_ERROR_CONSTANT). */
export interface GridTable {
  /** phi(t_j) for j = 0..n/2, interleaved: one FFT of the split, made on first read. */
  readonly values: Float64Array;
  /** phi(t_j) at one frequency, written to out[at], out[at + 1]: from `values` once made, else summed over the split
   * directly (for a probe that may decide the whole table is not needed). */
  valueAt(j: number, out: Float64Array, at: number): void;
  readonly cost: number;
  readonly fine: number;
  readonly order: number;
}


/**
 * The characteristic function of a severity, phi(t) = E[exp(-i t X)], and its cost per evaluation.
 *
 * - constant v: exp(-i t v); empirical: sum p_k exp(-i t v_k) (exact);
 * - gamma(alpha, theta): (1 + i theta t)^-alpha = (1 + theta^2 t^2)^(-alpha/2) exp(-i alpha atan(theta t)) (exact);
 * - lognormal: sum_k f_k exp(-i t k h) over its rounding lattice at h = min(E[X], sd(X)) / 100 (error O((t h)^2);
 *   the coarse lattice only asks for |t| <= pi / H with H > 25 h), by a rotation recurrence re-anchored on exact
 *   cos/sin every 32 terms (the pgf multiplies an error in phi by about E[N], so phi must be good to ~1e-15).
 *
 * For the lognormal, `grid` gives the same transform at all of a coarse grid's frequencies from one FFT (see
 * `lognormalGridTransform`): a heavy tail makes each bin's sum cost 2^18 terms, and a grid needs hundreds to
 * thousands of bins.
 *
 * @param coarsest - a step of the grid's split the caller can accept (0: none): with E[N] claims the split adds at
 * most E[N] h^2 / 4 to Var(S), so h = sqrt(4e-5 Var(S) / E[N]) keeps that within 1e-5 of Var(S); the grid uses the
 * coarser of it and the bin-by-bin step
 * @returns { cf, cost, grid? }. Example: severityCharacteristic(constantSeverity(2)).cf(Math.PI / 2, out, 0) writes
 * (-1, 0).
 */
export function severityCharacteristic(
  severity: Severity,
  coarsest = 0,
): { cf: CharacteristicFunction; cost: number; grid?: GridTransform; meanError?: () => number } {
  if (severity.atoms) {
    const values = Float64Array.from(severity.atoms, (a) => a[0]);
    const probs = Float64Array.from(severity.atoms, (a) => a[1]);
    return {
      cost: values.length,
      cf(t, out, at) {
        let re = 0;
        let im = 0;
        for (let k = 0; k < values.length; k++) {
          const a = t * (values[k] as number);
          re += (probs[k] as number) * Math.cos(a);
          im -= (probs[k] as number) * Math.sin(a);
        }
        out[at] = re;
        out[at + 1] = im;
      },
    };
  }
  if (severity.kind === "gamma") {
    const theta = severity.variance / severity.mean;
    const alpha = severity.mean / theta;
    return {
      cost: 1,
      cf(t, out, at) {
        const x = theta * t;
        const mag = Math.exp(-0.5 * alpha * Math.log1p(x * x));
        const ang = -alpha * Math.atan(x);
        out[at] = mag * Math.cos(ang);
        out[at + 1] = mag * Math.sin(ang);
      },
    };
  }
  // A heavy tail (sigma ~ 2.5 reaches 1e8 x the median at 1e-13) would need hundreds of millions of points at a
  // hundredth of the scale: the step grows so the sum has at most 2^18 terms.
  const h = Math.max(Math.min(severity.mean, Math.sqrt(severity.variance)) / 100, severity.upperPoint(1e-13) / (1 << 18));
  // The rounding lattice (up to 2^18 points, an erfc each) only when a bin is summed one by one: a coarse grid
  // usually takes its transform from `grid` (one FFT of a memoized split) and never calls cf. Where it does not (the
  // Nyquist probe of a sum that then turns out not smooth), the lattice is kept for the next request on the same
  // order values: a pool-size slider at a strong correlation probed with it on every move, 60 to 75 ms of erfc each.
  // Keyed like the splits below, with the median and the 1e-13 point as well (a capped lognormal keeps its kind).
  let lattice: Float64Array | null = null;
  const rounded = (): Float64Array =>
    (lattice ??= roundingMemo.getOrCompute(
      `${severity.kind},${severity.mean},${severity.variance},${severity.median},${severity.upperPoint(SEVERITY_TAIL_EPS)},${h}`,
      () => discretise(severity, h).pmf,
    ));
  return {
    grid: (n, step, budget) => lognormalGridTransform(severity, n, step, Math.max(h, coarsest), budget),
    cost: latticeLength(severity, h),
    // The sum's lattice mean is E[N] times this lattice's, so its relative error is this one's: rounding a heavy
    // tail's orders at a step raised to keep 2^18 terms (lognormal(2.57, 1.63): h 7.9 for a mean of 49) moves E[X]
    // by far more than the coarse lattice's mean check allows, and then no bin needs to be summed to know it.
    meanError: () => Math.abs(latticeMoments(rounded(), h).mean / severity.mean - 1),
    cf(t, out, at) {
      const f = rounded();
      const a = t * h;
      const wr = Math.cos(a);
      const wi = -Math.sin(a);
      let re = 0;
      let im = 0;
      let zr = 1;
      let zi = 0;
      for (let k = 0; k < f.length; k++) {
        if ((k & 31) === 0) {
          zr = Math.cos(a * k);
          zi = -Math.sin(a * k);
        }
        const p = f[k] as number;
        re += p * zr;
        im += p * zi;
        const nr = zr * wr - zi * wi;
        zi = zr * wi + zi * wr;
        zr = nr;
      }
      out[at] = re;
      out[at + 1] = im;
    },
  };
}

/** Largest error a grid transform may leave in the lattice's cdf, bounded by sum_j 2 |dT_j| / (pi j) (the inverse
 * DFT of the transform's error dT summed over the lattice points below any point): a quantile q moves by at most
 * 1e-4 / f(q), under 3e-4 sd for any unimodal sum, far inside the automatic lattice's 0.5%. */
export const GRID_TRANSFORM_TOL = 1e-4;
/** |phi'(t) - phi(t)| <= C_r (t h')^r: within each split cell the lattice and the order values share the moments up
 * to r - 1 (about any point, hence about the cell's centre), so the Taylor remainder of exp(-i t u) over the cell's
 * half-width (h' for the moment-matched cells of 2 h', h' / 2 for the mean-preserving ones) bounds the difference
 * per unit mass by 2 |t u|^r / r!: C_3 = 1/3, C_2 = 1/4. */
export const GRID_ERROR_CONSTANT: Record<number, number> = { 2: 0.25, 3: 1 / 3 };
/** Longest severity lattice transformed at once for a grid's frequencies with the mean-preserving split (2 MiB). */
const GRID_TRANSFORM_MAX = 1 << 18;
/** The moment-matched split: 32 points per grid point, at most 2^20 (8 MiB). */
const MATCHED_PER_POINT = 32;
const MATCHED_MAX = 1 << 20;
/** Multiply-adds per point of a real FFT of size P, per log2 P (measured: a radix-2 pass costs about 2.5 per point),
 * plus the partial-moment split's two erfc per point (about 60). */
const FFT_COST_PER_POINT_LOG = 2.5;
const SPLIT_COST_PER_POINT = 60;

/**
 * A lognormal's characteristic function at the frequencies of a coarse grid, t_j = 2 pi j / (n H), j = 0..n/2, as
 * the DFT of a split of its order values at step h' = n H / P: sum_k f_k exp(-2 pi i j k / P) = sum_k f_k
 * exp(-i t_j k h') exactly. P is the smallest power of two with h' <= h (the step of the bin-by-bin sum), and the
 * split the mean-preserving one (discretise "linear"), which adds at most h'^2 / 4 to Var(X); when that would need
 * more than 2^18 points, P = max(2^18, 32 n) (at most 2^20) and the split keeps E[X] and E[X^2] both
 * (`momentMatchedLognormal`), so the sum's
 * mean and variance stay exact at any h' and the error of phi is third order, O(t^3 h'^3) per order.
 *
 * Lattice span P h' = n H covers the severity's 1e-13 point (the grid's window always includes it, see gridFor), so
 * nothing wraps. Either split keeps E[X] exact (the coarse lattice's mean check is relative 1e-6); the lattice's
 * variance is checked against the closed form after (coarseLattice).
 *
 * @param n - grid size (power of two); step - H
 * @param h - finest step the bin-by-bin sum would use
 * @param budget - multiply-adds the bin-by-bin sums would cost (Infinity: no limit)
 * @returns interleaved phi(t_j), j = 0..n/2, and the cost (multiply-adds), or null when the order values' 1e-13
 * point does not fit P points or the transform would cost more than `budget`.
 * Example: lognormal(2.57, 1.63) on 16384 points at H = 250 uses P = 2^18 (h' = 15.6), moment-matched.
 * Reference: the DFT as a sampled Fourier transform, Bracewell (3rd ed.), ch. 10.
 */
export function lognormalGridTransform(
  severity: Severity,
  n: number,
  step: number,
  h: number,
  budget = Infinity,
): GridTable | null {
  if (severity.kind !== "lognormal" || !(n >= 4 && step > 0)) return null;
  const span = n * step;
  const top = severity.upperPoint(SEVERITY_TAIL_EPS);
  // Only a whole lognormal, fixed by its mean and variance: a capped one (capSeverity, the quantile lattice's
  // orders) keeps its kind but not that law, and keeps its bins summed one by one.
  const s2 = Math.log1p(severity.variance / (severity.mean * severity.mean));
  const lognormalTop = Math.exp(Math.log(severity.mean) - 0.5 * s2 + Math.sqrt(2 * s2) * erfcinv(2 * SEVERITY_TAIL_EPS));
  if (!(Math.abs(top / lognormalTop - 1) < 1e-9)) return null;
  let p = n;
  // h' <= h, and the split's points (the 1e-13 point over h', plus two) fit the transform without wrapping.
  while (p <= GRID_TRANSFORM_MAX && (span / p > h * (1 + 1e-12) || top / (span / p) + 3 > p)) p *= 2;
  // Past GRID_TRANSFORM_MAX points the split that keeps E[X^2] too is used on GRID_TRANSFORM_MAX points.
  const matched = p > GRID_TRANSFORM_MAX;
  if (matched) {
    // A grid doubled for a wide tail keeps the split's step: its error bound grows with its cube.
    p = Math.min(MATCHED_MAX, Math.max(GRID_TRANSFORM_MAX, MATCHED_PER_POINT * n));
    if (top / (span / p) + 3 > p) return null;
  }
  const fine = span / p;
  const key = `${severity.mean},${severity.variance},${fine},${matched}`;
  const tableKey = `${key},${n}`;
  const table = transformMemo.get(tableKey);
  const order = matched ? 3 : 2;
  if (table) return { values: table, valueAt: (j, out, at) => copyValue(table, j, out, at), cost: n, fine, order };
  const split = splitMemo.get(key);
  const cost = p * ((split ? 0 : SPLIT_COST_PER_POINT) + FFT_COST_PER_POINT_LOG * Math.log2(p));
  if (cost > budget) return null;
  const f =
    split ??
    splitMemo.set(key, matched ? momentMatchedLognormal(severity, fine, top) : discretise(severity, fine, "linear", p).pmf);
  let values: Float64Array | null = null;
  return {
    get values() {
      // The first n/2 + 1 frequencies of the fine DFT are the grid's.
      return (values ??= transformMemo.set(tableKey, rfft(f, p).slice(0, n + 2)));
    },
    valueAt(j, out, at) {
      if (values) copyValue(values, j, out, at);
      else dftAt(f, p, j, out, at);
    },
    cost,
    fine,
    order,
  };
}

function copyValue(table: Float64Array, j: number, out: Float64Array, at: number): void {
  out[at] = table[2 * j] as number;
  out[at + 1] = table[2 * j + 1] as number;
}

/**
 * One coefficient of the DFT of size p, sum_k f_k exp(-2 pi i j k / p), summed directly (f shorter than p is
 * zero-padded): the rotation recurrence of `severityCharacteristic`'s bin-by-bin sum, re-anchored on exact cos/sin
 * every 32 terms.
 */
function dftAt(f: Float64Array, p: number, j: number, out: Float64Array, at: number): void {
  const a = (2 * Math.PI * j) / p;
  const wr = Math.cos(a);
  const wi = -Math.sin(a);
  // compensated sums: a million terms summed plainly would lose ~1e-13, an FFT's own round-off is ~1e-15
  const re = new NeumaierAccumulator();
  const im = new NeumaierAccumulator();
  let zr = 1;
  let zi = 0;
  const m = Math.min(f.length, p);
  for (let k = 0; k < m; k++) {
    if ((k & 31) === 0) {
      // (j k) mod p keeps the angle small and exact
      const angle = (2 * Math.PI * ((j * k) % p)) / p;
      zr = Math.cos(angle);
      zi = -Math.sin(angle);
    }
    const v = f[k] as number;
    re.add(v * zr);
    im.add(v * zi);
    const nr = zr * wr - zi * wi;
    zi = zr * wi + zi * wr;
    zr = nr;
  }
  out[at] = re.value;
  out[at + 1] = im.value;
}

/**
 * A lognormal's order values on the lattice k h with E[X] and E[X^2] kept exactly: local moment matching of degree 2
 * (Gerber 1982), each cell [2 j h, (2 j + 2) h] giving its mass to its three points with the weights of the quadratic
 * Lagrange basis, m_i = E[L_i(X); X in cell] (L_0 = (u - 1)(u - 2) / 2, L_1 = u (2 - u), L_2 = u (u - 1) / 2 with
 * u = (X - 2 j h) / h), which is exact for 1, X and X^2. The cell moments come from the partial moments
 * E[X^r; X > x] = E[X^r] Phi-bar((ln x - mu - r sigma^2) / sigma). Masses may be slightly negative (a convex density
 * within a cell); the lattice is only transformed. Mass above the 1e-13 point `top` is dropped and the rest
 * renormalised (E[X] moves by E[X; X > top] / E[X], 6e-9 at sigma 1.63).
 *
 * @param severity - a lognormal (mu and sigma from its mean and variance)
 * @param h - lattice step > 0; top - the last order value kept
 * @returns the lattice masses, length 2 ceil(top / 2h) + 1. Example: lognormal(0, 1) at h = 0.5 has lattice mean
 * e^0.5 and second moment e^2 to 1e-12 relative. Reference: H. U. Gerber (1982), "On the numerical evaluation of
 * the distribution of aggregate claims and its stop-loss premiums", Insurance: Math. Econ. 1, 13-18; Klugman, Panjer,
 * Willmot, "Loss Models", 5th ed., section 9.6.5.
 */
export function momentMatchedLognormal(severity: Severity, h: number, top: number): Float64Array {
  const mean = severity.mean;
  const s2 = Math.log1p(severity.variance / (mean * mean));
  const mu = Math.log(mean) - 0.5 * s2;
  const k = 1 / Math.sqrt(2 * s2);
  const raw = [1, mean, severity.secondMoment];
  // E[X^r; X > x] for r = 0, 1, 2.
  const tail = (x: number, r: number): number =>
    x <= 0 ? (raw[r] as number) : (raw[r] as number) * 0.5 * erfc((Math.log(x) - mu - r * s2) * k);
  const cells = Math.max(1, Math.ceil(top / (2 * h)));
  const out = new Float64Array(2 * cells + 1);
  let t0 = tail(0, 0);
  let t1 = tail(0, 1);
  let t2 = tail(0, 2);
  for (let j = 0; j < cells; j++) {
    const a = 2 * j * h;
    const b = a + 2 * h;
    const n0 = tail(b, 0);
    const n1 = tail(b, 1);
    const n2 = tail(b, 2);
    const m0 = t0 - n0;
    const m1 = t1 - n1;
    const m2 = t2 - n2;
    // Moments of u = (X - a) / h over the cell.
    const u0 = m0;
    const u1 = (m1 - a * m0) / h;
    const u2 = (m2 - 2 * a * m1 + a * a * m0) / (h * h);
    out[2 * j] = (out[2 * j] as number) + 0.5 * (u2 - 3 * u1 + 2 * u0);
    out[2 * j + 1] = (out[2 * j + 1] as number) + 2 * u1 - u2;
    out[2 * j + 2] = (out[2 * j + 2] as number) + 0.5 * (u2 - u1);
    t0 = n0;
    t1 = n1;
    t2 = n2;
  }
  const kept = neumaierSum(out);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / kept;
  return out;
}

/** Split lattices (up to 2 MiB each) and grid transforms kept for the next request on the same order values: a
 * slider moving the pool size or the correlation changes the pgf, not the severity, and the grid's span
 * n H often repeats. Keyed by the severity's mean and variance (which fix a lognormal) and the steps. */
const SPLIT_MEMO = 3;
const TRANSFORM_MEMO = 16;
const splitMemo = new Lru<string, Float64Array>(SPLIT_MEMO);
/** Rounding lattices of severityCharacteristic's bin-by-bin sum (up to 2 MiB each), kept the same way. */
const roundingMemo = new Lru<string, Float64Array>(SPLIT_MEMO);
const transformMemo = new Lru<string, Float64Array>(TRANSFORM_MEMO);