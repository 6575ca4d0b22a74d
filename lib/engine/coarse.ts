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
 * The severity's transforms it samples from live in severity-transform.ts.
 */
import { doubledGrid, gridFor, MAX_GRID } from "./aggregate";
import { checkLattice, roundoffFailure } from "./lattice-check";
import type { AggregateShape, LatticeResult } from "./aggregate";
import { irfft } from "./fft";
import { neumaierSum } from "./numeric";
import { GRID_ERROR_CONSTANT, GRID_TRANSFORM_TOL, type CharacteristicFunction, type GridTransform } from "./severity-transform";
import type { Severity } from "./severity";
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
/** Relative tolerance of the coarse lattice's mean against E[S] (see coarseLattice). */
const MEAN_TOL = 1e-6;
const PGF_COST = 50;

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
  /** |E[X] of the lattice behind `cf` / E[X] - 1|, when that lattice is an approximation (see severityCharacteristic). */
  readonly meanError?: () => number;
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
function compoundCoarse(
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
  // The grids' tables are made (an FFT of up to 2^20 points each) only once the Nyquist probe below has passed.
  let tables: (Float64Array | null)[] = grids.map(() => null);
  // A grid transform's error per order, (t h')^r, moves the sum's transform by at most E[N] (t h')^r |G| (the pgf's
  // derivative is E[N] times a transform no larger than G's own magnitude for Poisson and mixed Poisson counts):
  // kept below GRID_TRANSFORM_TOL at every bin, or the density is not sampled with it.
  let gridError = 0;
  const cfAt = (q: number, j: number, out: Float64Array, at: number): void => {
    const table = tables[q];
    const grid = grids[q];
    if (table) {
      out[at] = table[2 * j] as number;
      out[at + 1] = table[2 * j + 1] as number;
    } else if (grid) grid.valueAt(j, out, at);
    else (terms[q] as CoarseTerm).cf((2 * Math.PI * j) / (n * step), out, at);
  };
  const perBin = terms.reduce(
    (s, t, q) => s + (grids[q] ? 1 : t.cost) + (t.spent === undefined ? PGF_COST * (t.work ?? 1) : 0),
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
  // A term summed bin by bin over a lattice whose mean misses E[X] by more than the mean check allows would be
  // refused by it (coarseLattice) after all the bins: refused before them.
  if (terms.some((t, q) => grids[q] === null && t.meanError !== undefined && t.meanError() > MEAN_TOL)) throw new NotSmoothError();
  tables = grids.map((g) => g?.values ?? null);
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
 * more than 1e-12 of mass sits in the edge sixteenths of the window; a lattice mean that misses E[S] by 1e-6 with
 * the edges clear is refused (NotSmoothError), since a larger grid would not move it.
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
    const meanOff = Math.abs(m * step - expectedMean) > MEAN_TOL * expectedMean;
    if (edge > 1e-12) {
      if (n < maxGrid) {
        n = doubledGrid(n, maxGrid);
        continue;
      }
      throw new RangeError(`the lattice of ${n} points at step ${step} cannot hold this distribution`);
    }
    // A mean missed with nothing at the edges did not wrap (a larger grid at this step would miss it again): the
    // transform is not good enough here, and the caller resolves the orders instead.
    if (meanOff) throw new NotSmoothError();
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
