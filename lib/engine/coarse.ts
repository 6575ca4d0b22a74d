/**
 * Aggregates of very many claims (large pools, huge rates) on a lattice much coarser than the order values.
 *
 * Rounding the severity to a lattice step H several times its scale would move whole orders to 0 or to H and
 * bias every figure. When S itself is smooth on the scale H (sd(S) >= 50 H), the lattice instead carries the
 * density of S sampled at the lattice points: the transform of S is evaluated at the grid's frequencies
 * t_j = 2 pi j / (n H), |t_j| <= pi / H, from the severity's own characteristic function E[e^(-itX)] (exact for
 * constant, empirical and gamma order values; a direct sum over a fine lattice for the lognormal), and the inverse
 * FFT returns H f_S(x) at x = (offset + i) H. Transform values below 1e-22 for 256 bins in a row end the
 * evaluation (the rest are set to 0), so only the few hundred low frequencies that carry S are computed.
 *
 * Reference: the sampling (Poisson summation) form of the FFT method, e.g. P. Embrechts, M. Frei (2009), "Panjer
 * recursion versus FFT for compound distributions", Math. Meth. Oper. Res. 69, section 2; band-limited sampling:
 * R. N. Bracewell, "The Fourier Transform and Its Applications", 3rd ed., ch. 10.
 */
import { gridFor, MAX_GRID } from "./aggregate";
import { checkLattice, roundoffFailure } from "./lattice-check";
import type { AggregateShape, LatticeResult } from "./aggregate";
import erfc from "@stdlib/math-base-special-erfc";
import erfcinv from "@stdlib/math-base-special-erfcinv";
import { irfft, rfft } from "./fft";
import { discretise, SEVERITY_TAIL_EPS } from "./discretise";
import { neumaierSum } from "./numeric";
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
  readonly values: Float64Array;
  readonly cost: number;
  readonly fine: number;
  readonly order: number;
}

/** Below this transform magnitude a bin is negligible; 256 such bins in a row end the evaluation. */
const NEGLIGIBLE = 1e-22;
const NEGLIGIBLE_RUN = 256;
/** t sd at which exp(-t^2 sd^2 / 2) = NEGLIGIBLE: sqrt(2 ln 1e22). */
const GAUSS_NEGLIGIBLE_T = Math.sqrt(2 * Math.log(1 / NEGLIGIBLE));
/** Bins evaluated together (a term's transform is applied to a block at a time). */
const COARSE_BLOCK = 64;
/** Transform magnitude at the Nyquist frequency pi / H above which the sampled density is aliased (1e-10 per point
 * over a grid's worth of frequencies moves no lattice probability by more than about 1e-10). */
const ALIASED = 1e-10;
/** Upper bound on the work per request (bins x work per bin), to bound the time: a severity term costs 1 (a
 * multiply-add), a pgf evaluation (complex log, exp, sin, cos) about 50. */
const MAX_WORK = 1e8;
const PGF_COST = 50;

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
): { cf: CharacteristicFunction; cost: number; grid?: GridTransform } {
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
  const f = discretise(severity, h).pmf;
  return {
    grid: (n, step, budget) => lognormalGridTransform(severity, n, step, Math.max(h, coarsest), budget),
    cost: f.length,
    cf(t, out, at) {
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
const GRID_TRANSFORM_TOL = 1e-4;
/** |phi'(t) - phi(t)| <= C_r (t h')^r: within each split cell the lattice and the order values share the moments up
 * to r - 1 (about any point, hence about the cell's centre), so the Taylor remainder of exp(-i t u) over the cell's
 * half-width (h' for the moment-matched cells of 2 h', h' / 2 for the mean-preserving ones) bounds the difference
 * per unit mass by 2 |t u|^r / r!: C_3 = 1/3, C_2 = 1/4. */
const GRID_ERROR_CONSTANT: Record<number, number> = { 2: 0.25, 3: 1 / 3 };
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
  const table = memoGet(transformMemo, tableKey);
  const order = matched ? 3 : 2;
  if (table) return { values: table, cost: n, fine, order };
  const split = memoGet(splitMemo, key);
  const cost = p * ((split ? 0 : SPLIT_COST_PER_POINT) + FFT_COST_PER_POINT_LOG * Math.log2(p));
  if (cost > budget) return null;
  const f =
    split ??
    memoSet(splitMemo, key, matched ? momentMatchedLognormal(severity, fine, top) : discretise(severity, fine, "linear", p).pmf, SPLIT_MEMO);
  // The first n/2 + 1 frequencies of the fine DFT are the grid's.
  return { values: memoSet(transformMemo, tableKey, rfft(f, p).slice(0, n + 2), TRANSFORM_MEMO), cost, fine, order };
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
const splitMemo = new Map<string, Float64Array>();
const transformMemo = new Map<string, Float64Array>();

function memoGet(memo: Map<string, Float64Array>, key: string): Float64Array | undefined {
  const v = memo.get(key);
  if (v !== undefined) {
    memo.delete(key);
    memo.set(key, v);
  }
  return v;
}

function memoSet(memo: Map<string, Float64Array>, key: string, value: Float64Array, max: number): Float64Array {
  memo.delete(key);
  if (memo.size >= max) memo.delete(memo.keys().next().value as string);
  memo.set(key, value);
  return value;
}

/** The transform did not decay within the work bound: S is not smooth on the lattice's scale. */
export class NotSmoothError extends RangeError {
  constructor() {
    super("this model's distribution is not smooth enough for a lattice this coarse");
    this.name = "NotSmoothError";
  }
}

/** A budget's contribution on a coarse lattice: its severity's characteristic function and its pgf. */
export interface CoarseTerm {
  readonly cf: CharacteristicFunction;
  /** The cf at all of a grid's frequencies at once, when the severity offers it (see severityCharacteristic). */
  readonly grid?: GridTransform;
  /** E[N] of the term (bounds what a grid transform's error per order does to the sum's transform). */
  readonly claims?: number;
  /** Cost of one cf evaluation (severity terms summed). */
  readonly cost: number;
  /** P(X = 0). */
  readonly atZero: number;
  /** pgf evaluations per bin (the node count of a shock mixture; 1 when absent). */
  readonly work?: number;
  /** pgf evaluations spent so far, for a term whose cost per bin varies (then `work` is not used). */
  readonly spent?: number;
  /** Replaces `count` interleaved complex values phi by the term's transform G(phi). */
  apply(z: Float64Array, count: number): void;
}

/**
 * Density-sampled lattice of a sum of independent compound terms at step H on n points, unwrapped at `offset`.
 *
 * @param terms - one or more terms
 * @param n - grid size (power of two)
 * @param step - H
 * @param offset - first lattice index of the window (0 for a lattice from 0)
 * @returns the pmf (length n, negatives from round-off set to 0; mass 1 up to the sampling error).
 * Throws RangeError when the transform does not decay within the work bound (S not smooth on the scale H).
 */
export function compoundCoarse(
  terms: ReadonlyArray<CoarseTerm>,
  n: number,
  step: number,
  offset: number,
  stats?: { negativeMass: number },
  sd = 0,
  useGrid = true,
): Float64Array {
  const half = n / 2 + 1;
  const spectrum = new Float64Array(2 * half);
  // The atom of S at 0 (all orders worth 0, or no orders) is not smooth: keep it out of the sampled part.
  let atom = 1;
  for (const term of terms) {
    const z0 = Float64Array.of(term.atZero, 0);
    term.apply(z0, 1);
    atom *= z0[0] as number;
  }
  if (offset > 0) atom = 0; // the window starts 12 sd above 0: the atom is below 1e-30
  // Per bin: the severity transform's terms and the pgf evaluations (a shock mixture's nodes), unless the term
  // counts what it spends (a series term's cost varies with the bin).
  // A severity whose cf costs many terms per bin gives all the grid's frequencies from one FFT when that costs
  // less than the bins a decaying transform needs at the least (NEGLIGIBLE_RUN of them, or the whole half grid).
  // Bins the evaluation needs at the least: up to t sd(S) = 10.07, where a normal law with S's variance has a
  // transform of 1e-22 (a compound Poisson sum's transform is never below it, |phi_S(t)| >= exp(-t^2 Var(S) / 2), as
  // 1 - Re phi_X(t) <= t^2 E[X^2] / 2; mixed counts decay more slowly still), then the NEGLIGIBLE_RUN that ends it.
  const fewestBins = Math.min(
    half,
    (sd > 0 ? Math.ceil((GAUSS_NEGLIGIBLE_T * n * step) / (2 * Math.PI * sd)) : 0) + NEGLIGIBLE_RUN,
  );
  const grids = terms.map((t) => (useGrid ? (t.grid?.(n, step, fewestBins * t.cost) ?? null) : null));
  const tables = grids.map((g) => g?.values ?? null);
  // A grid transform's error per order, (t h')^r, moves the sum's transform by at most E[N] (t h')^r |G| (the pgf's
  // derivative is E[N] times a transform no larger than G's own magnitude for Poisson and mixed Poisson counts):
  // kept below GRID_TRANSFORM_TOL at every bin, or the density is not sampled with it.
  let gridError = 0;
  const cfAt = (q: number, j: number, out: Float64Array, at: number): void => {
    const table = tables[q];
    if (table) {
      out[at] = table[2 * j] as number;
      out[at + 1] = table[2 * j + 1] as number;
    } else (terms[q] as CoarseTerm).cf((2 * Math.PI * j) / (n * step), out, at);
  };
  const perBin = terms.reduce(
    (s, t, q) => s + (tables[q] ? 1 : t.cost) + (t.spent === undefined ? PGF_COST * (t.work ?? 1) : 0),
    0,
  );
  // The transform's own cost is bounded by its size limit (GRID_TRANSFORM_MAX) and chosen against the bins' above.
  const counted = (): number => terms.reduce((s, t) => s + PGF_COST * (t.spent ?? 0), 0);
  // Decided up front: bins that cannot all be afforded are not started (the caller resolves the orders instead).
  if (fewestBins * perBin > MAX_WORK) throw new NotSmoothError();
  // The transform at the Nyquist frequency pi / H first: if it has not decayed there the density is not resolved
  // at this step (see below), and that is known before any other bin is spent.
  const nyquist = Float64Array.of(1, 0);
  const probe = new Float64Array(2);
  for (let q = 0; q < terms.length; q++) {
    const term = terms[q] as CoarseTerm;
    cfAt(q, n / 2, probe, 0);
    term.apply(probe, 1);
    const [ar, ai, br, bi] = [nyquist[0] as number, nyquist[1] as number, probe[0] as number, probe[1] as number];
    nyquist[0] = ar * br - ai * bi;
    nyquist[1] = ar * bi + ai * br;
  }
  if (Math.hypot((nyquist[0] as number) - atom, nyquist[1] as number) > ALIASED) throw new NotSmoothError();
  // Bins go to the terms in blocks, so a term can choose its method on a batch (see pool.ts's series terms).
  const buf = new Float64Array(2 * COARSE_BLOCK);
  const prod = new Float64Array(2 * COARSE_BLOCK);
  let quiet = 0;
  let last = 0;
  let done = false;
  for (let j0 = 0; j0 < half && !done; j0 += COARSE_BLOCK) {
    const m = Math.min(COARSE_BLOCK, half - j0);
    if ((j0 + m) * perBin + counted() > MAX_WORK) {
      throw new NotSmoothError();
    }
    prod.fill(0);
    for (let b = 0; b < m; b++) prod[2 * b] = 1;
    for (let q = 0; q < terms.length; q++) {
      const term = terms[q] as CoarseTerm;
      for (let b = 0; b < m; b++) cfAt(q, j0 + b, buf, 2 * b);
      term.apply(buf, m);
      for (let b = 0; b < m; b++) {
        const ar = prod[2 * b] as number;
        const ai = prod[2 * b + 1] as number;
        const br = buf[2 * b] as number;
        const bi = buf[2 * b + 1] as number;
        prod[2 * b] = ar * br - ai * bi;
        prod[2 * b + 1] = ar * bi + ai * br;
      }
    }
    for (let b = 0; b < m; b++) {
      const j = j0 + b;
      const ar = (prod[2 * b] as number) - atom;
      const ai = prod[2 * b + 1] as number;
      spectrum[2 * j] = ar;
      spectrum[2 * j + 1] = ai;
      last = Math.hypot(ar, ai);
      for (let q = 0; q < terms.length; q++) {
        const g = grids[q];
        if (g) {
          const th = ((2 * Math.PI * j) / (n * step)) * g.fine;
          const dT = (GRID_ERROR_CONSTANT[g.order] ?? 1) * ((terms[q] as CoarseTerm).claims ?? 1) * th ** g.order * Math.hypot(ar + atom, ai);
          if (j > 0) gridError += (2 * dT) / (Math.PI * j);
        }
      }
      if (last < NEGLIGIBLE) {
        if (++quiet >= NEGLIGIBLE_RUN) {
          done = true;
          break;
        }
      } else quiet = 0;
    }
  }
  // Sampling at step H folds the transform beyond pi / H onto the lattice: if it has not decayed by then, the
  // density is not resolved at this step, and no larger grid (which only refines the frequencies) changes that.
  if (last > ALIASED) throw new NotSmoothError();
  // A grid transform too coarse for this sum: the bin-by-bin sums instead (when the work bound allows them).
  if (gridError > GRID_TRANSFORM_TOL) return compoundCoarse(terms, n, step, offset, stats, sd, false);
  // Sampling the density at lattice points: the inverse DFT of the transform gives H f_S there (wrapped mod n).
  const g = irfft(spectrum);
  const out = new Float64Array(n);
  const shift = offset % n;
  let negative = 0;
  for (let i = 0; i < n; i++) {
    const v = g[(shift + i) % n] as number;
    if (v > 0) out[i] = v;
    else negative -= v;
  }
  if (stats) stats.negativeMass = negative;
  out[0] = (out[0] as number) + atom;
  // Sampling leaves the mass 1 up to the (tiny) aliasing error; normalise it away.
  const total = neumaierSum(out);
  if (!(total > 0)) throw new RangeError("the coarse lattice lost the distribution (no mass)");
  for (let i = 0; i < n; i++) out[i] = (out[i] as number) / total;
  return out;
}

/** Relative tolerance for values being multiples of the step (prices in cents on a step of 0.01). */
const MULTIPLE_TOL = 1e-9;

/**
 * Whether a lattice of step H is too coarse for the severity yet fine for the sum, so the density-sampled path
 * must be used: sd(S) >= 50 H, and either some order value is not a multiple of H (discrete severities) or H
 * exceeds min(E[X], sd(X)) / 20 (continuous ones: rounding would then shift the mean by ~1e-4).
 *
 * Example: Poisson(5e6) orders of lognormal(4, 1) at H = 20 (a pool of 100,000 budgets) returns true.
 */
export function needsCoarse(severity: Severity, step: number, sdSum: number): boolean {
  if (sdSum < 50 * step) return false;
  if (severity.atoms) {
    return !severity.atoms.every(([v]) => {
      const r = v / step;
      return Math.abs(r - Math.round(r)) <= MULTIPLE_TOL * Math.max(1, r);
    });
  }
  const scale = Math.min(severity.mean, Math.sqrt(severity.variance));
  return step > scale / 20;
}

/**
 * The density-sampled lattice of a sum of compound terms at step H, with the grid from `gridFor` doubled while
 * more than 1e-12 of mass sits in the edge sixteenths of the window or the lattice mean misses E[S] by 1e-6.
 *
 * @param expectedMean - E[S] of the sum (sum of E[N_i] E[X_i]), for the wrap check
 * @returns the lattice result with method "fft-density". Example: a pool of 100,000 Poisson(50) budgets with
 * lognormal(4, 1) orders at H = 20 gives the share's mean 4500.857 to 1e-9.
 */
export function coarseLattice(
  terms: ReadonlyArray<CoarseTerm>,
  shape: AggregateShape,
  step: number,
  expectedMean: number,
  maxGrid = MAX_GRID,
  expectedVariance?: number,
): LatticeResult {
  const grid = gridFor(shape, step, maxGrid);
  if (grid.tilt > 0) throw new RangeError(`step ${step} is too fine for this model`);
  let n = grid.n;
  const offset = grid.offset;
  const headBand = Math.max(1, grid.n / 16);
  for (;;) {
    const stats = { negativeMass: 0 };
    const pmf = compoundCoarse(terms, n, step, offset, stats, Math.sqrt(expectedVariance ?? shape.sd * shape.sd));
    const band = Math.max(1, n / 16);
    let edge = 0;
    for (let i = 0; i < band; i++) edge += pmf[n - 1 - i] as number;
    // A window's bottom band stays the first grid's (a doubled grid extends the window upwards only).
    if (offset > 0) for (let i = 0; i < headBand; i++) edge += pmf[i] as number;
    // Round-off spreads evenly (about E[N] eps relative for E[N] claims); the bands' share of it is not wrapping.
    edge = Math.max(0, edge - (4 * stats.negativeMass * (band + headBand)) / n);
    let m = 0;
    for (let i = 0; i < n; i++) m += (offset + i) * (pmf[i] as number);
    const meanOff = Math.abs(m * step - expectedMean) > 1e-6 * expectedMean;
    if (edge > 1e-12 || meanOff) {
      if (n < maxGrid) {
        n *= 2;
        continue;
      }
      throw new RangeError(`the lattice of ${n} points at step ${step} cannot hold this distribution`);
    }
    // The checks of every lattice (aggregate.ts): mean, variance against the closed form, Cantelli's tail bound. A
    // sampled density that fails them is not answered: the caller resolves the orders on a fine lattice instead.
    if (expectedVariance !== undefined) {
      const failed =
        roundoffFailure(stats.negativeMass) ??
        checkLattice(pmf, offset, step, { mean: expectedMean, variance: expectedVariance }, 2 * stats.negativeMass + 1e-13);
      if (failed !== null) throw new NotSmoothError();
    }
    // Drop the negligible ends like the fine path does.
    let end = n;
    let acc = 0;
    while (end > 1 && acc + (pmf[end - 1] as number) < 1e-16) acc += pmf[--end] as number;
    let start = 0;
    acc = 0;
    if (offset > 0) while (start < end - 1 && acc + (pmf[start] as number) < 1e-16) acc += pmf[start++] as number;
    return {
      pmf: pmf.slice(start, end),
      offset: offset + start,
      step,
      gridSize: n,
      method: "fft-density",
      tilt: 0,
    };
  }
}
