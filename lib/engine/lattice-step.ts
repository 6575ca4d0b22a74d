/**
 * The automatic lattice step of an aggregate: fine enough for its quantiles (a fraction of sd(S), finer for skewed
 * sums) and for the order values' scale, coarse enough for the grid limit, on "nice" numbers (1, 2, 2.5, 5 times a
 * power of ten); and whether order values are rounded to it or split linearly between its points (see autoLattice).
 * With it, the window of lattice points an aggregate's mass needs (windowOf) and the limits both use.
 */
import type { AggregateShape } from "./aggregate";
import type { DiscretisationMethod } from "./discretise";
import type { Severity } from "./severity";

/** Largest FFT grid the engine allocates (2^20 points: 8 MiB per real array). */
export const MAX_GRID = 1 << 20;
/** Standard deviations of S above its mean that the grid covers before the severity's own reach is added. */
export const TAIL_SD = 12;

/** Lattice points an aggregate occupies at step h: from 0, or (windowed) from mean - 12 sd. */
export function windowOf(shape: AggregateShape, step: number): { lo: number; points: number } {
  const full = (Math.max(shape.mean + TAIL_SD * shape.sd, shape.upper ?? 0) + shape.severityTop) / step + 2;
  // Below mean - 12 sd keep a margin of an eighth of the window (at least 16 points), so the wrap check's
  // bottom band never holds real mass, even for a sum with (almost) no spread.
  const width = (Math.max(2 * TAIL_SD * shape.sd, (shape.upper ?? 0) - shape.mean + TAIL_SD * shape.sd) + shape.severityTop) / step + 2;
  const margin = Math.ceil(width / 8) + 16;
  const lo = Math.max(0, Math.floor((shape.mean - TAIL_SD * shape.sd) / step) - margin);
  // A window pays off only when the mass sits far from 0 (many pooled claims); keep 0 inside otherwise.
  if (lo < full / 4) return { lo: 0, points: full };
  return { lo, points: full - lo };
}

/**
 * Largest "nice" number (1, 2, 2.5 or 5 times a power of ten) not above x; used so automatic steps read well.
 * Example: niceFloor(0.52) returns 0.5.
 */
function niceFloor(x: number): number {
  const e = Math.floor(Math.log10(x));
  const base = Math.pow(10, e);
  for (const m of [5, 2.5, 2, 1]) if (m * base <= x * (1 + 1e-12)) return m * base;
  return base;
}

/** Smallest nice number (1, 2, 2.5, 5 times a power of ten) not below x. Example: niceCeil(9.2) returns 10. */
export function niceCeil(x: number): number {
  const e = Math.floor(Math.log10(x));
  const base = Math.pow(10, e);
  for (const m of [1, 2, 2.5, 5, 10]) if (m * base >= x * (1 - 1e-12)) return m * base;
  return 10 * base;
}

/** Greatest common step of a set of positive values, to 1e-9 relative (e.g. prices in cents give 0.01), or null. */
function commonStep(values: ReadonlyArray<number>): number | null {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return null;
  // Try decimal steps 10^k (k from 4 down to -4) times divisors, keeping the largest that divides every value.
  const candidates: number[] = [];
  for (let e = 6; e >= -6; e--) for (const m of [5, 2.5, 2, 1]) candidates.push(m * Math.pow(10, e));
  for (const h of candidates) {
    if (positive.every((v) => Math.abs(v / h - Math.round(v / h)) <= 1e-9 * Math.max(1, v / h))) return h;
  }
  return null;
}

/** Resolution of an automatic lattice: between sd(S) / 1000 and sd(S) / 250, finer for skewed sums (see
 * `quantileResolution`). */
const SD_FINEST = 1000;
const SD_COARSEST = 250;
/** P(N = 0) from which a sum's 1% quantile is its atom at 0 (see `quantileResolution`). */
const ATOM_LEVEL = 0.01;

/**
 * The lattice step that keeps the 1% quantile of S within 0.5%: a hundredth of that quantile as a Gamma with the
 * same mean and variance puts it (Wilson-Hilferty: shape a = E[S]^2 / Var(S), q = E[S] (1 - 1/(9a) + z sqrt(1/(9a)))^3
 * with z = -2.326), kept between sd(S) / 1000 and sd(S) / 250. A lattice quantile is off by at most half a step.
 * When P(N = 0) = P0 is 1% or more, the quantiles at levels up to P0 are the atom at 0 (exact), and those at levels
 * from P0 + 1% (1 - P0) up are at least the order values' 1% quantile x01 (S >= X_1 when N >= 1, so
 * P(S <= s) <= P0 + (1 - P0) P(X <= s)): a hundredth of x01 keeps them within 0.5% as well, and the step may be
 * that coarse (still at most sd(S) / 250). A few sales a week of similar value (x01 near E[X]) then need a step of
 * about E[X] / 100, not sd(S) / 1000: a fifth of the points.
 * Example: E[S] 4500, sd 1049 (near normal) gives sd / 250 = 4.2; a skewed pool (E[S] 2822, sd 2200) gives 2.2;
 * Poisson 1.6 x lognormal(3.34, 0.092) (sd(S) 36.6, x01 22.6) gives 0.146 where sd / 1000 is 0.037.
 */
function quantileResolution(shape: AggregateShape, severity: Severity): number {
  if (!(shape.sd > 0)) return Infinity;
  let finest = Math.max(shape.sd / SD_FINEST, gammaQuantile01(shape) / 100);
  if ((shape.zeroMass ?? 0) >= ATOM_LEVEL) finest = Math.max(finest, lowerQuantile(severity, 0.01) / 100);
  return Math.min(shape.sd / SD_COARSEST, finest);
}

/** The order values' p quantile (the smallest x with P(X <= x) >= p, to 1e-12 of the median), by bisection on the
 * cdf below the median; p < 1/2. */
function lowerQuantile(severity: Severity, p: number): number {
  if (severity.cdf(0) >= p) return 0;
  let lo = 0;
  let hi = severity.median;
  while (hi - lo > 1e-12 * severity.median) {
    const mid = 0.5 * (lo + hi);
    if (severity.cdf(mid) >= p) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The 1% quantile of a Gamma with the sum's mean and variance (Wilson-Hilferty, as above); 0 for a sum so skewed
 * that the approximation reaches 0. */
function gammaQuantile01(shape: AggregateShape): number {
  const a = (shape.mean * shape.mean) / (shape.sd * shape.sd);
  const c = 1 / (9 * a);
  return shape.mean * Math.max(0, 1 - c - 2.326 * Math.sqrt(c)) ** 3;
}
/** Points: a fiftieth of sqrt(E[X^2]) (the split then adds at most 1e-4 of E[X^2] per claim to Var(S)). */
const SEVERITY_RESOLUTION = 50;
/** Continuous severities: a twentieth of min(E[X], sd(X)) (rounding then moves the mean by < 1e-5, the variance by
 * ~1e-4: lognormal and gamma shapes of the sample, checked in tests/unit/engine). */
const CONTINUOUS_RESOLUTION = 20;
/** Lattices of more points than this at the severity's resolution are sampled from the density instead (when the
 * caller can: pools, see pool.ts), at the quantile resolution. */
const DENSITY_ABOVE = 1 << 17;

/** Floor of the resolution: a four-hundredth of min(E[X], sd(X)) (see autoLattice). */
const RARE_RESOLUTION = 400;

/** Relative growth of Var(S) allowed from splitting order values across lattice points. */
const SPLIT_VARIANCE = 1e-3;

/**
 * The largest step h at which the linear split of a continuous severity adds at most SPLIT_VARIANCE Var(S) to the
 * sum's variance, from the split's own variance rather than its h^2 / 4 bound: an order x between lattice points a
 * and a + h gains (x - a)(a + h - x) of variance, at most min(x h, h^2 / 4) (a >= 0), so Var(S) grows by at most
 * E[N] h E[min(X, h / 4)], with E[min(X, c)] = E[X] - E[X; X > c] + c P(X > c). Orders far below h (a strong shock's
 * pool of millions of orders of a few dollars each, whose quantiles allow a step of thousands) then add E[N] h E[X]
 * rather than E[N] h^2 / 4: the step is a multiple of the bound's. The bound is increasing in h; the largest h under
 * the limit is found by bisection from `floor`, the h^2 / 4 bound's step, which always satisfies it.
 * Example: 48,699 sales a week (NB r 60.4) of the real daily campaign's order values (lognormal(2.57, 1.63), E[X]
 * 49.0) at rho 0.95, sd(S) 1.67 million, gives 1,441 where the h^2 / 4 bound gives 479.
 */
function splitVarianceStep(shape: AggregateShape, severity: Severity, claims: number, floor: number): number {
  const meanAbove = severity.meanAbove as (x: number) => number;
  const limit = SPLIT_VARIANCE * shape.sd * shape.sd;
  const added = (h: number): number => {
    const c = h / 4;
    return claims * h * Math.max(0, severity.mean - meanAbove(c) + c * severity.sf(c));
  };
  const floorAdded = added(floor);
  if (!(floor > 0) || !(floorAdded > 0) || !Number.isFinite(limit)) return floor;
  // added(h) >= h * added(floor) / floor for h >= floor (E[min(X, h / 4)] grows with h): an upper end.
  let lo = floor;
  let hi = (limit * floor) / floorAdded;
  if (!(hi > lo)) return floor;
  for (let i = 0; i < 60 && hi - lo > 1e-6 * lo; i++) {
    const mid = 0.5 * (lo + hi);
    if (added(mid) <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** An automatic lattice: its step and how the severity is put on it. */
export interface AutoLattice {
  readonly step: number;
  readonly discretisation: DiscretisationMethod;
  /** Whether the grid limit forced a step coarser than the resolution the distribution asks for (its quantiles are
   * then resolved on a second lattice of capped order values, see `capSeverity` and pooledShare). */
  readonly coarsened?: boolean;
}

/**
 * Automatic lattice: fine enough to resolve the distribution, coarse enough for the grid limit.
 *
 * Resolution: h <= sd(S) / 250 to sd(S) / 1000 (see `quantileResolution`), but not below min(E[X], sd(X)) / 400
 * (rare sales: the low quantiles are the atom at 0); for a continuous severity also
 * h <= min(E[X], sd(X)) / 20 (rounding moves the mean by O(h^2)), or, when the severity has its partial moments and
 * the sum so many orders that 0.063 sd(S) / sqrt(E[N]) is coarser, that bound with the split (as for points, below)
 * as long as the lattice then fits without coarsening or density sampling; for order values given as points also
 * h <= max(sqrt(E[X^2]) / 50, 0.063 sd(S) / sqrt(E[N])), which keeps the variance the split adds below 1e-3 Var(S).
 * - Points whose values share a common decimal step at least as coarse as that (whole units, a constant) use it:
 *   the lattice is then exact.
 * - Points finer than that (prices in cents) are split linearly between the two neighbouring lattice points of the
 *   nice step below the resolution ("linear" in discretise.ts): the mean stays exact and Var(S) grows by at most
 *   E[N] h^2 / 4. Resolving cents instead would cost grids of 2^19 points.
 * - Continuous severities are rounded (DESIGN.md) at the nice step below the resolution; with `density`, a sum
 *   that would need more than 2^17 points at that step gets the step of the quantile resolution and its density is
 *   sampled.
 * The step is then raised through the nice numbers until the lattice (see `gridFor`) needs at most half the grid
 * limit.
 *
 * @param shape - moments of the sum and the severity's reach
 * @param severity - the (one) severity, for its scale and atoms
 * @param density - whether the caller can sample the density of the sum (see coarse.ts)
 * @returns the step and the discretisation. Example: poisson(50) with lognormal(4, 1) gives { step: 2.5,
 * discretisation: "rounding" }; poisson(4) with 40 prices in cents (sd(S) 197) gives { step: 0.25, "linear" }.
 */
export function autoLattice(shape: AggregateShape, severity: Severity, maxGrid = MAX_GRID, density = false): AutoLattice {
  const budget = maxGrid / 2;
  const pointsAt = (h: number): number => windowOf(shape, h).points;
  // Rare sales (P(S = 0) large): the low quantiles are the atom at 0, and the others those of a few order values;
  // a four-hundredth of the order values' scale resolves those (the sd-based rule alone would ask for ~1/4000).
  const orderScale = severity.variance > 0 ? Math.min(severity.mean, Math.sqrt(severity.variance)) : severity.mean;
  const sdLimit = Math.max(quantileResolution(shape, severity), orderScale / RARE_RESOLUTION);
  // The linear split adds at most E[N] h^2 / 4 to Var(S): below 1e-3 Var(S) (sd within 0.05%) up to this step.
  const claims = severity.mean > 0 ? shape.mean / severity.mean : 0;
  const splitVarianceLimit = claims > 0 ? (2 * Math.sqrt(SPLIT_VARIANCE) * shape.sd) / Math.sqrt(claims) : 0;
  if (severity.atoms) {
    // ... or below what h = sqrt(E[X^2]) / 50 adds, whichever allows the coarser step (pooled sums have sd far
    // above the orders').
    const splitLimit = Math.max(Math.sqrt(severity.secondMoment) / SEVERITY_RESOLUTION, splitVarianceLimit);
    const resolution = niceFloor(Math.min(sdLimit, splitLimit));
    const common = commonStep(severity.atoms.map(([v]) => v));
    let h = common !== null && common >= resolution ? common : resolution;
    while (pointsAt(h) > budget) h = niceCeil(h * 1.0001);
    return { step: h, discretisation: "linear" };
  }
  const roundingLimit = orderScale / CONTINUOUS_RESOLUTION;
  let h = niceFloor(Math.min(sdLimit, roundingLimit));
  // Rounding needs h <= min(E[X], sd(X)) / 20 for the mean; the mean-preserving split (when the severity has its
  // partial moments) only the variance bound above. A sum of many orders, whose quantiles allow a step far above the
  // orders' own scale, gets the split at that step when its lattice then fits without coarsening or density sampling:
  // smaller lattices (Poisson 350 x lognormal(4, 1): 2^15 points in place of 2^16). Only where even its 1% quantile
  // keeps 100 steps (0.5%): sd / 1000 is no such bound for a skewed sum (a pool with a strong shared shock, whose
  // 5% quantile may sit at a fiftieth of an sd), and there the orders' own scale stays the limit.
  if (severity.meanAbove && splitVarianceLimit > roundingLimit) {
    // A caller that cannot sample the density takes the split at the step its actual variance allows (at least
    // splitVarianceLimit's; see splitVarianceStep), the others at the h^2 / 4 bound's.
    const varianceLimit = density ? splitVarianceLimit : splitVarianceStep(shape, severity, claims, splitVarianceLimit);
    const split = niceFloor(Math.min(sdLimit, varianceLimit, gammaQuantile01(shape) / 100));
    const splitPoints = pointsAt(split);
    // Above 2^17 points a caller that can sample the density does that instead; one that cannot (pooledShare after
    // a shock's spike near 0 refused the density) takes the split too, when rounding would not fit the grid limit
    // anyway: the grid limit would otherwise coarsen to whichever nice step fits, with the split all the same
    // (48,699 sales a week of the real campaign's order values at rho 0.95: 2^16 points in place of 3 x 2^17).
    const splitWanted = splitPoints <= DENSITY_ABOVE || (!density && pointsAt(h) > budget);
    if (split > h && splitPoints <= budget && splitWanted) return { step: split, discretisation: "linear" };
  }
  // A sum of very many claims (a large pool) is smooth on the scale of sd(S) / 250: its density can be sampled there
  // (coarse.ts) rather than resolving every order value on a lattice of millions of points.
  if (density && pointsAt(h) > DENSITY_ABOVE && Number.isFinite(sdLimit)) h = Math.max(h, niceFloor(sdLimit));
  const wanted = h;
  // Coarsen through the nice numbers until the lattice fits half the grid limit.
  while (pointsAt(h) > budget) h = niceCeil(h * 1.0001);
  // A heavy tail (lognormal sigma 2 to 3 reaches 1e6 to 1e9 times its median at 1e-13) forces a step far above the
  // order values' scale: rounding would then send most orders to 0 (Poisson 10 x lognormal(0, 2) at step 5: mean
  // 4.3% low). The mean-preserving linear split keeps E[X] exact at any step.
  if (h > wanted && h > roundingLimit) return { step: h, discretisation: "linear", coarsened: true };
  return { step: h, discretisation: "rounding", coarsened: h > wanted };
}
