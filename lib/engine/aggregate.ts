/**
 * The aggregate S = X_1 + ... + X_N on a lattice of step h.
 *
 * Default method: FFT (Embrechts & Frei 2009; Klugman, Panjer, Willmot, "Loss Models", 5th ed., section 9.8).
 * The severity lattice f is zero-padded to a power-of-two grid n, transformed, the frequency's pgf is applied
 * pointwise (G(phi(t)) is the transform of the aggregate) and the result transformed back. The grid is sized
 * from the moments (mean + 12 sd of S plus the severity's truncation point) so that essentially no mass wraps
 * around the circle; when that grid would exceed the size limit, exponential tilting (Grubel & Hermesmeier 1999,
 * "Computation of compound distributions I: aliasing errors and exponential tilting", ASTIN Bulletin 29(2))
 * damps the wrapped mass instead: f_k -> f_k e^(-theta k) transforms G(phi(z)) into G(phi(z e^(-theta))), whose
 * coefficients are g_k e^(-theta k); the result is multiplied back by e^(theta k).
 *
 * Cross-check: Panjer's recursion for the (a, b, 0) class with dynamic rescaling in log space (Panjer 1981,
 * "Recursive evaluation of a family of compound distributions", ASTIN Bulletin 12(1)).
 *
 * Length: about 550 lines, over the project's 500, because the FFT path, its tilt, the exact single-order part of a
 * rare count and the trimmed tail are one computation whose pieces share the grid and the checks' allowances; the
 * checks themselves live in lattice-check.ts and the automatic step in lattice-step.ts.
 */
import { irfft, rfftMemo, spectrumScratch } from "./fft";
import { discretise } from "./discretise";
import type { DiscretisationMethod } from "./discretise";
import { applyPgfExcess, rareCount } from "./frequency";
import type { Frequency, RareCount } from "./frequency";
import { LatticeDistribution } from "./lattice";
import { checkLattice, expectedMoments, headMass, LatticeCheckError, latticeMeanIndex, roundoffFailure, tailMass } from "./lattice-check";
import { autoLattice, MAX_GRID, niceCeil, TAIL_SD, windowOf } from "./lattice-step";
import { nextFftSize, nextPow2 } from "./numeric";
// The grid limits and step helpers live in lattice-step.ts; re-exported for the many callers that read them here.
export { autoLattice, MAX_GRID, niceCeil, TAIL_SD } from "./lattice-step";
import type { AutoLattice } from "./lattice-step";
export type { AutoLattice } from "./lattice-step";
import type { Severity } from "./severity";

/** Tilt exponent theta n used when the grid is capped (wrapped mass damped by e^-20 ~ 2e-9). */
const TILT_EXPONENT = 20;
/** Smallest grid used (tiny grids cost nothing and leave room for long count tails). */
const MIN_GRID = 256;
/** Mass allowed in the top sixteenth of an untilted grid before it is judged too small (evidence of wrapping). */
const WRAP_CHECK_MASS = 1e-12;
/**
 * Most pgf evaluations one lattice may take (over its grid doublings): about two seconds of work. A request beyond
 * that (a huge pool with a shock that needs thousands of quadrature nodes) is refused with a message rather than
 * holding the server for a minute.
 */
export const MAX_PGF_WORK = 6e7;

/** A lattice that would take more than MAX_PGF_WORK pgf evaluations (see compoundLattice). */
export class WorkLimitError extends RangeError {
  /** @param spent - the pgf evaluations the lattice would take */
  constructor(spent: number) {
    super(
      `this pool needs about ${Math.round(spent / 1e6)} million transform evaluations (the limit is ` +
        `${MAX_PGF_WORK / 1e6} million): a smaller pool, a lower correlation or a coarser step computes`,
    );
    this.name = "WorkLimitError";
  }
}

/** Error per lattice point a shock mixture's quadrature may leave (its transform is right to 1e-13). */
const MIXTURE_NOISE = 1e-13;

/** Round-off floor of an FFT lattice per expected claim (phases lambda t E[X] lose about lambda eps, a few eps). */
const ROUNDOFF_PER_CLAIM = 1e-15;

/** One budget's contribution on the common lattice: its severity lattice and how its pgf acts on a spectrum. */
export interface CompoundTerm {
  /** Severity pmf at 0, h, 2h, ... */
  readonly severity: Float64Array;
  /** Replaces `count` interleaved complex values phi (the severity's transform) by the term's transform. */
  apply(spectrum: Float64Array, count: number): void;
  /** Expected number of claims E[N] of the term (used to check the lattice mean for wrapped mass). */
  readonly claims: number;
  /** Var(N) of the term's count, when known: the lattice variance is then checked against
   * Var(S) = E[N] Var(X) + Var(N) E[X]^2 on the lattice severity. */
  readonly claimsVariance?: number;
  /** Replaces `count` values phi by G(phi) - G(atZero) to relative precision (see applyPgfExcess), when the term
   * can: the transform of the sum less its atom at 0, without the cancellation of forming the two and subtracting. */
  applyExcess?(spectrum: Float64Array, count: number, atZero: number): void;
  /** A rare count's pmf split (see rareCount): a single term with it is computed as P(N = 0) delta_0 +
   * P(N = 1) f + the FFT of the rest, whose round-off is P(N >= 2) in size. */
  readonly rare?: RareCount;
  /** pgf evaluations per frequency point (1 for a plain frequency, the node count of a shock mixture). */
  readonly work?: number;
  /** pgf evaluations spent so far, for a term whose cost per point varies and which enforces the work bound itself. */
  readonly spent?: number;
}

/** "fft": lattice FFT; "fft+tilt": with exponential tilting; "fft-density": density sampled on a coarse lattice. */
export type AggregateMethod = "fft" | "fft+tilt" | "fft-density";

export interface LatticeResult {
  /** Aggregate pmf at (offset + i) h (negatives from round-off set to 0; negligible mass at both ends trimmed). */
  readonly pmf: Float64Array;
  /** Lattice index of pmf[0] (0 unless the mass sits in a window far from 0, see `gridFor`). */
  readonly offset: number;
  readonly step: number;
  readonly gridSize: number;
  readonly method: AggregateMethod;
  /** Tilt theta per lattice step (0 when not tilted). */
  readonly tilt: number;
}

/** Moments and reach of an aggregate, used to size the grid and pick an automatic step. */
export interface AggregateShape {
  /** E[S] of the lattice sum. */
  readonly mean: number;
  /** sd(S) of the lattice sum. */
  readonly sd: number;
  /** Largest severity value kept on the lattice (its truncation point), in currency. */
  readonly severityTop: number;
  /** A point the lattice must reach beyond mean + 12 sd (a shocked pool's heavy upper tail), optional. */
  readonly upper?: number;
  /**
   * A lower bound of P(N = 0), optional: at 1% or more the sum's low quantiles are its atom at 0 and the positive
   * ones are at least the order values' 1% quantile (see quantileResolution in lattice-step.ts).
   */
  readonly zeroMass?: number;
}

/**
 * Replaces `count` interleaved complex values phi by sum_{n >= 2} p_n phi^n, p_n = higher[n - 2], by Horner's rule:
 * phi^2 (p_2 + phi (p_3 + ...)). The terms are all below P(N >= 2) in size, so is the round-off.
 */
function applyHigher(higher: Float64Array, z: Float64Array, count: number): void {
  for (let i = 0, j = 0; i < count; i++, j += 2) {
    const zr = z[j] as number;
    const zi = z[j + 1] as number;
    let ar = 0;
    let ai = 0;
    for (let m = higher.length - 1; m >= 0; m--) {
      const nr = ar * zr - ai * zi + (higher[m] as number);
      ai = ar * zi + ai * zr;
      ar = nr;
    }
    const sr = zr * zr - zi * zi;
    const si = 2 * zr * zi;
    z[j] = ar * sr - ai * si;
    z[j + 1] = ar * si + ai * sr;
  }
}

/**
 * FFT of a product of compound terms on a grid of n points: pmf of the sum of independent compound variables.
 *
 * @param terms - one or more terms, each severity no longer than n
 * @param n - grid size, a power of two >= 4 or three times one >= 24 (see fft.ts)
 * @param theta - tilt per lattice step, >= 0 (0: no tilting)
 * @returns the pmf of length n (untilted, negative round-off clamped to 0).
 * Example: compoundFft([{ severity: Float64Array.of(0, 1), apply: poisson(3).applyPgf }], 64)[0] returns ~e^-3.
 */
export function compoundFft(
  terms: ReadonlyArray<CompoundTerm>,
  n: number,
  theta = 0,
  stats?: { negativeMass: number; pointNoise?: number },
): Float64Array {
  if (terms.length === 0) throw new RangeError("at least one compound term is needed");
  const half = n / 2 + 1;
  const rare = terms.length === 1 ? terms[0]?.rare : undefined;
  const excess = rare === undefined && terms.length === 1 && terms[0]?.applyExcess !== undefined;
  let product: Float64Array | null = null;
  for (const term of terms) {
    if (term.severity.length > n) {
      throw new RangeError(`a severity lattice of ${term.severity.length} points does not fit a grid of ${n}`);
    }
    // rfft zero-pads the severity to n in a scratch array of its own
    const x = theta > 0 ? term.severity.map((v, k) => v * Math.exp(-theta * k)) : term.severity;
    // The first term's spectrum becomes the product inverted below: it can live in the plan's scratch.
    const y = rfftMemo(x, n, term.severity.length, product === null ? spectrumScratch(n) : undefined);
    // A single term that can give G(phi) - G(f_0) directly does (the atom is then not subtracted below).
    if (rare) applyHigher(rare.higher, y, half);
    else if (excess) (term.applyExcess as NonNullable<CompoundTerm["applyExcess"]>)(y, half, term.severity[0] as number);
    else term.apply(y, half);
    if (product === null) product = y;
    else {
      const p: Float64Array = product;
      for (let j = 0; j < 2 * half; j += 2) {
        const ar = p[j] as number;
        const ai = p[j + 1] as number;
        const br = y[j] as number;
        const bi = y[j + 1] as number;
        p[j] = ar * br - ai * bi;
        p[j + 1] = ar * bi + ai * br;
      }
    }
  }
  // The atom at 0, g_0 = prod_i G_i(f_i0), adds the same constant to every transform value. Taking it out before
  // the inverse and putting it back afterwards keeps the round-off proportional to the rest of the distribution,
  // which matters when P(S = 0) dominates (rare conversions) and the tail is long.
  let atom = 1;
  for (const term of terms) {
    const z0 = Float64Array.of(term.severity[0] as number, 0);
    term.apply(z0, 1);
    atom *= z0[0] as number;
  }
  const spectrum = product as Float64Array;
  if (!excess && !rare) for (let j = 0; j < 2 * half; j += 2) spectrum[j] = (spectrum[j] as number) - atom;
  const g = irfft(spectrum);
  if (!rare) g[0] = (g[0] as number) + atom;
  if (theta > 0) {
    // Untilting multiplies point k by e^(theta k), up to e^20 at the top of the grid, and round-off with it: a
    // tilted value of 1e-17 (noise) would come back as 5e-9 of probability, thousands of times over. The largest
    // negative tilted value measures the round-off level; tilted values within 4 times that are noise and go to 0
    // before untilting (Grubel & Hermesmeier 1999, section 4: the tilted result is only good to its round-off).
    let floor = 0;
    for (let k = 0; k < n; k++) floor = Math.max(floor, -(g[k] as number));
    floor *= 4;
    for (let k = 0; k < n; k++) {
      const v = g[k] as number;
      g[k] = v > floor ? v * Math.exp(theta * k) : 0;
    }
  }
  if (rare) {
    // The exact part, untilted: P(N = 0) at 0 and P(N = 1) times the severity lattice.
    const f = (terms[0] as CompoundTerm).severity;
    g[0] = (g[0] as number) + rare.p0;
    for (let k = 0; k < f.length; k++) g[k] = (g[k] as number) + rare.p1 * (f[k] as number);
  }
  // Round-off leaves values of either sign around 1e-17 where the probability is below that: negatives go to 0.
  // Their total measures the round-off level (it grows with the rate: phases lambda t E[X] lose lambda * eps).
  let negative = 0;
  let worst = 0;
  for (let k = 0; k < n; k++) {
    const v = g[k] as number;
    if (!(v > 0)) {
      if (v < 0) negative -= v;
      worst = Math.max(worst, -v);
      g[k] = 0;
    }
  }
  // Positive values no larger than the largest negative one are round-off of the same size, not probability: kept,
  // they bias the variance upwards (noise at every point of a long lattice, far from the mean), so they go to 0 too.
  if (theta === 0 && worst > 0) for (let k = 1; k < n; k++) if ((g[k] as number) <= worst) g[k] = 0;
  if (stats) {
    stats.negativeMass = negative;
    stats.pointNoise = worst;
  }
  return g;
}

/**
 * Drops leading and trailing points whose combined mass at each end is below 1e-16 (FFT round-off lives there,
 * not probability). Leading points are only dropped when `dropHead` is set (a window away from 0). Trailing points
 * are kept once what they carry of the mean, sum_i (offset + i) p_i, would pass `meanBudget` (in lattice steps): a
 * heavy tail's last points hold little mass far out (1e-16 at 8e7 is 2e-6 of a rare sum's mean of 0.004).
 *
 * @returns the kept slice and how many leading points were dropped.
 */
function trimEnds(
  pmf: Float64Array,
  dropHead: boolean,
  eps = 1e-16,
  meanBudget = Infinity,
  offset = 0,
): { pmf: Float64Array; dropped: number } {
  let s = 0;
  let moment = 0;
  let end = pmf.length;
  while (end > 1) {
    const v = pmf[end - 1] as number;
    if (s + v >= eps || moment + (offset + end - 1) * v >= meanBudget) break;
    s += v;
    moment += (offset + end - 1) * v;
    end--;
  }
  let start = 0;
  if (dropHead) {
    s = 0;
    while (start < end - 1) {
      const v = pmf[start] as number;
      if (s + v >= eps) break;
      s += v;
      start++;
    }
  }
  // A view: every caller copies the kept points (LatticeDistribution) before the grid's array is reused or dropped.
  return { pmf: start === 0 && end === pmf.length ? pmf : pmf.subarray(start, end), dropped: start };
}


/**
 * Grid for an aggregate at step h: the next FFT size (a power of two, or three times one: nextFftSize) covering
 * mean + 12 sd + the severity's reach.
 *
 * When the mass sits far from 0 (mean - 12 sd beyond a quarter of that span, e.g. a large pool) only the window
 * [mean - 12 sd, mean + 12 sd + reach] is covered: the circular FFT then returns the pmf wrapped modulo n, and
 * since no mass lies outside the window it is unwrapped exactly by the window's offset.
 *
 * @returns { n, tilt, offset }: n <= maxGrid; offset = first lattice index of the window; tilt = 20 / n when the
 * moment rule asked for more than maxGrid points from 0 (the wrapped mass is then damped rather than avoided).
 * Throws RangeError when even mean + 6 sd does not fit (the step is too fine for the model), naming a step that
 * works. Example: gridFor({ mean: 4500, sd: 1049, severityTop: 85000 }, 1) returns { n: 131072, tilt: 0, offset: 0 }.
 */
export function gridFor(
  shape: AggregateShape,
  step: number,
  maxGrid = MAX_GRID,
): { n: number; tilt: number; offset: number } {
  const { lo, points } = windowOf(shape, step);
  // A grid that is mostly the orders' own reach (a heavy tail, whose far points hold probabilities at the FFT's
  // round-off) keeps the power of two the tail checks were set on: Poisson(1000) x lognormal(0, 3) at step 10,000
  // answered on 3 x 2^17 points with a variance 0.6% off, where 2^19 points and the tilted 2^20 refuse.
  const reachDominated = shape.severityTop / step > points / 2;
  const n = reachDominated ? nextPow2(Math.max(points, MIN_GRID)) : nextFftSize(Math.max(points, MIN_GRID));
  if (n <= maxGrid) return { n, tilt: 0, offset: lo };
  // Tilting damps what wraps by e^-20, which is enough once mean + 6 sd (all but < 1e-9 of the mass) fits.
  const core = (shape.mean + 6 * shape.sd) / step;
  if (lo > 0 || core > maxGrid || shape.severityTop / step > maxGrid) {
    const minStep = Math.max(
      (lo > 0 ? 2 * TAIL_SD * shape.sd + shape.severityTop : shape.mean + 6 * shape.sd) / (maxGrid / 2),
      shape.severityTop / maxGrid,
    );
    throw new RangeError(
      `step ${step} is too fine for this model: the lattice would need ${Math.ceil(points)} points ` +
        `(limit ${maxGrid}); use a step of at least ${niceCeil(minStep)}`,
    );
  }
  return { n: maxGrid, tilt: TILT_EXPONENT / maxGrid, offset: 0 };
}

/** The grid after n (n < maxGrid) when n turned out too small: twice as large, or the limit when that is smaller. */
export function doubledGrid(n: number, maxGrid: number): number {
  return Math.min(2 * n, maxGrid);
}

/**
 * Runs the FFT on a grid sized by `gridFor`, doubling it when the top sixteenth still holds more than 1e-12 of
 * mass (a sign that the tail wrapped), and tilting once the size limit is reached.
 *
 * @param terms - compound terms on the lattice of step h
 * @param shape - moments and reach of the sum (for the grid)
 * @param step - h
 * @returns the lattice pmf and how it was computed. Example: see `aggregate`.
 */
export function compoundLattice(
  terms: ReadonlyArray<CompoundTerm>,
  shape: AggregateShape,
  step: number,
  maxGrid = MAX_GRID,
): LatticeResult {
  const grid = gridFor(shape, step, maxGrid);
  const expected = expectedMoments(terms, step);
  const expectedMean = expected.mean;
  let n = grid.n;
  let tilt = grid.tilt;
  const offset = grid.offset;
  const headBand = Math.max(1, grid.n / 16);
  const claims = terms.reduce((sum, t) => sum + t.claims, 0);
  for (const t of terms) {
    if (t.severity.length > n) {
      if (t.severity.length > maxGrid) throw new RangeError(`the severity lattice does not fit ${maxGrid} points`);
      n = nextPow2(t.severity.length);
    }
  }
  const perPoint = terms.reduce((sum, t) => sum + (t.work ?? 1), 0);
  let spent = 0;
  for (;;) {
    spent += perPoint * (n / 2 + 1);
    if (spent > MAX_PGF_WORK && perPoint > 1) {
      throw new WorkLimitError(spent);
    }
    const stats: { negativeMass: number; pointNoise?: number } = { negativeMass: 0 };
    let pmf = compoundFft(terms, n, tilt, stats);
    if (offset > 0) {
      // Unwrap: lattice index offset + i was folded onto (offset + i) mod n.
      const out = new Float64Array(n);
      const shift = offset % n;
      for (let i = 0; i < n; i++) out[i] = pmf[(shift + i) % n] as number;
      pmf = out;
    }
    const band = Math.max(1, n / 16);
    // A window's bottom band stays the first grid's: a doubled grid extends the window upwards only, and a band
    // growing with it would reach into the distribution's own lower tail.
    const edge = offset > 0 ? tailMass(pmf, n - band) + headMass(pmf, headBand) : tailMass(pmf, n - band);
    // Round-off is spread evenly: the bands' share of it (positive noise ~ negative noise) is not evidence of
    // wrapping, nor is the round-off floor of about eps per expected claim.
    // A shock mixture's transform is right to 1e-13 per frequency (see adaptiveMixture), which can leave up to
    // 1e-13 per lattice point in a band: not wrapping either.
    const mixtureNoise = perPoint > terms.length ? MIXTURE_NOISE * (band + headBand) : 0;
    const noiseInBands =
      (4 * stats.negativeMass * (band + headBand)) / n + ROUNDOFF_PER_CLAIM * claims + mixtureNoise;
    // Mass that wrapped moves by n points, so the lattice mean also betrays it when it skips the top band
    // (a count distribution with gaps between its atoms); E[S] = sum E[N_i] E[X_i] holds exactly on the lattice.
    const got = (offset + latticeMeanIndex(pmf)) * step;
    // Round-off of `pointNoise` per point can move the mean by up to pointNoise sum_i |i - mu| steps (a heavy tail
    // whose probabilities sit below the FFT's round-off): more than that, or 1e-7 relative, is wrapped mass.
    const mu = expectedMean / step - offset;
    const spread = absoluteDeviationSum(n, mu);
    const meanOff =
      Math.abs(got - expectedMean) > 1e-7 * Math.max(expectedMean, step) + (stats.pointNoise ?? 0) * spread * step;
    if (tilt === 0 && (edge > WRAP_CHECK_MASS + noiseInBands || meanOff)) {
      if (n < maxGrid) {
        n = doubledGrid(n, maxGrid);
        continue;
      }
      if (offset > 0) throw new RangeError(`the lattice window of ${n} points is too small at step ${step}`);
      tilt = TILT_EXPONENT / n;
      continue;
    }
    // The trimmed tail may move the mean by at most 1e-9 of it (the mean check allows 1e-6).
    const trimmed = trimEnds(pmf, offset > 0, 1e-16, (1e-9 * expectedMean) / step, offset);
    // Every lattice passes its own checks before it leaves: mean, variance and the tail bound. An untilted grid
    // that fails gets doubled (and then tilted); a tilted one has no further resort here, so the caller hears why
    // (an automatic step is then tried coarser, see pooledShare and aggregate).
    // Round-off allowance: untilted, the FFT's own per-point level; tilted, none (noise was cut before untilting).
    const noise = tilt > 0 ? 0 : (stats.pointNoise ?? 0);
    // Round-off beyond any double-precision FFT's (a wrong transform) fails first: the allowances below grow with it.
    const failed =
      roundoffFailure(stats.negativeMass) ??
      checkLattice(trimmed.pmf, offset + trimmed.dropped, step, expected, 2 * stats.negativeMass + 1e-13, noise);
    if (failed !== null) {
      if (tilt === 0 && n < maxGrid) {
        n = doubledGrid(n, maxGrid);
        continue;
      }
      if (tilt === 0 && offset === 0) {
        tilt = TILT_EXPONENT / n;
        continue;
      }
      throw new LatticeCheckError(`${failed} (step ${step}, ${n} points${tilt > 0 ? ", tilted" : ""})`);
    }
    return {
      pmf: trimmed.pmf,
      offset: offset + trimmed.dropped,
      step,
      gridSize: n,
      method: tilt > 0 ? "fft+tilt" : "fft",
      tilt,
    };
  }
}

/**
 * sum_{i=0}^{n-1} |i - mu| in closed form: with a the last index at or below mu (-1 when mu < 0, n - 1 at most),
 * (a + 1) mu - a (a + 1) / 2 below and ((n - 1) n - a (a + 1)) / 2 - (n - 1 - a) mu above.
 * Example: absoluteDeviationSum(4, 1.5) returns 4 (1.5 + 0.5 + 0.5 + 1.5).
 */
export function absoluteDeviationSum(n: number, mu: number): number {
  const a = Math.min(n - 1, Math.max(-1, Math.floor(mu)));
  const below = (a + 1) * mu - (a * (a + 1)) / 2;
  const above = ((n - 1) * n - a * (a + 1)) / 2 - (n - 1 - a) * mu;
  return below + above;
}

/** The term for one budget: its severity lattice and its frequency's pgf. */
export function frequencyTerm(frequency: Frequency, severity: Float64Array): CompoundTerm {
  const rare = rareCount(frequency);
  return {
    severity,
    apply: (z, count) => frequency.applyPgf(z, count),
    applyExcess: (z, count, atZero) => applyPgfExcess(frequency, z, count, atZero),
    ...(rare ? { rare } : {}),
    claims: frequency.mean,
    claimsVariance: frequency.variance,
  };
}

export interface AggregateOptions {
  readonly frequency: Frequency;
  readonly severity: Severity;
  /** Lattice step; automatic (see `autoLattice`) when absent. */
  readonly step?: number;
  /** Default: "rounding" for a given step, the automatic lattice's choice otherwise. */
  readonly discretisation?: DiscretisationMethod;
  readonly maxGrid?: number;
}

export interface AggregateResult extends LatticeResult {
  readonly distribution: LatticeDistribution;
  /** The discretised severity. */
  readonly severityPmf: Float64Array;
}

/**
 * One budget's aggregate S by FFT on a lattice.
 *
 * @returns the lattice distribution plus how it was computed. Edge cases: a step too fine for the grid limit is
 * refused with a RangeError naming a workable step. Example: aggregate({ frequency: poisson(50), severity:
 * lognormalSeverity(4, 1), step: 1 }).distribution.mean returns ~4500.857.
 */
export function aggregate(opts: AggregateOptions): AggregateResult {
  const { frequency, severity } = opts;
  const maxGrid = opts.maxGrid ?? MAX_GRID;
  const reach = severity.atoms ? severity.upperPoint(0) : severity.upperPoint(1e-13);
  const shape: AggregateShape = {
    mean: frequency.mean * severity.mean,
    sd: Math.sqrt(frequency.mean * severity.variance + frequency.variance * severity.mean * severity.mean),
    severityTop: reach,
    zeroMass: frequency.pmf(0),
  };
  const auto = opts.step === undefined ? autoLattice(shape, severity, maxGrid) : null;
  const step = opts.step ?? (auto as AutoLattice).step;
  gridFor(shape, step, maxGrid); // refuses a step too fine before any lattice is allocated
  let sev = discretise(severity, step, opts.discretisation ?? auto?.discretisation ?? "rounding", maxGrid);
  // A rounding lattice must keep E[X] to 1e-5 (a density steep near 0, gamma shape < 1, does not; nor does a given
  // step far above the order values, which rounds nearly every order to 0): the mean-preserving split replaces it then.
  if (opts.discretisation === undefined && sev.method === "rounding" && severity.meanAbove) {
    let m = 0;
    for (let k = 1; k < sev.pmf.length; k++) m += k * (sev.pmf[k] as number);
    if (Math.abs(m * step - severity.mean) > 1e-5 * severity.mean) sev = discretise(severity, step, "linear", maxGrid);
  }
  const result = compoundLattice([frequencyTerm(frequency, sev.pmf)], shape, step, maxGrid);
  return {
    ...result,
    distribution: new LatticeDistribution(result.pmf, step, 1, result.offset),
    severityPmf: sev.pmf,
  };
}

/**
 * Panjer's recursion for an (a, b, 0) frequency: g_0 = G(f_0),
 * g_k = (1 / (1 - a f_0)) sum_{j=1}^{min(k, m)} (a + b j / k) f_j g_{k-j}.
 *
 * Runs on scaled values g_k e^-s with s tracked in log space: the start value g_0 = exp(-lambda (1 - f_0)) is
 * below the smallest double for lambda > ~745, so it is carried as log g_0 and everything is rescaled by 1e-200
 * whenever a value passes 1e200. Values that fall below e^-745 after rescaling are genuinely negligible.
 *
 * @param frequency - a Poisson, binomial (p < 1) or negative binomial frequency
 * @param severity - severity pmf on the lattice
 * @param length - number of aggregate points to compute (>= 1)
 * @returns g_0..g_{length-1} (not renormalised). Cost O(length * min(length, severity.length)).
 * Example: panjer(poisson(800), lognormal lattice, 150000) works where a plain start exp(-800) = 0 would not.
 */
export function panjer(frequency: Frequency, severity: Float64Array, length: number): Float64Array {
  const cls = frequency.panjer;
  if (!cls) throw new RangeError("Panjer's recursion is undefined for this frequency (binomial with p = 1)");
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`length must be an integer >= 1, got ${length}`);
  const { a, b } = cls;
  const f0 = severity[0] as number;
  const m = severity.length;
  const logG0 = frequency.logPgfReal(f0);
  const jf = new Float64Array(m);
  for (let j = 1; j < m; j++) jf[j] = j * (severity[j] as number);
  const denom = 1 - a * f0;
  const g = new Float64Array(length);
  g[0] = 1;
  let logScale = logG0; // true g_k = g[k] * exp(logScale)
  const BIG = 1e200;
  const LOG_BIG = Math.log(BIG);
  let low = 0; // g[i] === 0 for every i < low (values rescaled below the smallest double)
  for (let k = 1; k < length; k++) {
    // Terms with g[k - j] = 0 contribute nothing: j runs up to k - low only.
    const top = Math.min(k - low, m - 1);
    let sa = 0;
    let sb = 0;
    if (a !== 0) {
      for (let j = 1; j <= top; j++) {
        const gv = g[k - j] as number;
        sa += (severity[j] as number) * gv;
        sb += (jf[j] as number) * gv;
      }
    } else {
      // Four independent partial sums let the CPU overlap the multiply-adds (the recursion's hot loop).
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 1;
      for (; j + 3 <= top; j += 4) {
        sb += (jf[j] as number) * (g[k - j] as number);
        s1 += (jf[j + 1] as number) * (g[k - j - 1] as number);
        s2 += (jf[j + 2] as number) * (g[k - j - 2] as number);
        s3 += (jf[j + 3] as number) * (g[k - j - 3] as number);
      }
      for (; j <= top; j++) sb += (jf[j] as number) * (g[k - j] as number);
      sb += s1 + s2 + s3;
    }
    const v = (a * sa + (b * sb) / k) / denom;
    g[k] = v;
    if (v > BIG) {
      for (let i = low; i <= k; i++) g[i] = (g[i] as number) / BIG;
      logScale += LOG_BIG;
      while (low < k && g[low] === 0) low++;
    }
  }
  const out = new Float64Array(length);
  for (let k = 0; k < length; k++) {
    const v = g[k] as number;
    out[k] = v > 0 ? Math.exp(Math.log(v) + logScale) : 0;
  }
  return out;
}
