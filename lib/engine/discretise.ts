/**
 * Severity on a lattice {0, h, 2h, ...}: the input to the FFT and to Panjer's recursion.
 *
 * Three schemes (Klugman, Panjer, Willmot, "Loss Models", 5th ed., section 9.6.5; Embrechts & Frei (2009),
 * "Panjer recursion versus FFT for compound distributions", Math. Meth. Oper. Res. 69, section 3):
 * - rounding (mass point at the nearest lattice point): f_0 = F(h/2), f_k = F((k + 1/2)h) - F((k - 1/2)h);
 * - lower (mass moved down, S_lower <= S in distribution): f_k = F((k + 1)h) - F(kh);
 * - upper (mass moved up, S <= S_upper in distribution): f_0 = F(0), f_k = F(kh) - F((k - 1)h).
 * The lower and upper lattices bracket every quantile and every cdf value of the continuous model.
 * - linear: an atom at v between the lattice points kh < v < (k + 1)h is split into
 *   p ((k + 1)h - v) / h at kh and p (v - kh) / h at (k + 1)h. Mass and mean are kept exactly; the variance grows by
 *   p (v - kh)((k + 1)h - v) <= p h^2 / 4 per atom. This is local moment matching of order 1 (H. U. Gerber, D. A.
 *   Jones (1976), "Some practical considerations in connection with the calculation of stop-loss premiums",
 *   Transactions of the Society of Actuaries 28; "Loss Models", 5th ed., section 9.6.5): it lets order values in
 *   cents sit on a lattice of whole currency units without moving the mean. A continuous severity is split cell by
 *   cell the same way (see linearContinuous).
 *
 * The lattice ends at the first k whose remaining mass is below 1e-13; the kept mass is then renormalised to 1.
 * Differences of F are taken as differences of 1 - F above the median so tail masses keep relative precision.
 */
import { neumaierSum } from "./numeric";
import type { Severity } from "./severity";

export type DiscretisationMethod = "rounding" | "lower" | "upper" | "linear";

/** Tail mass left off the end of a severity lattice. */
export const SEVERITY_TAIL_EPS = 1e-13;

export interface SeverityLattice {
  /** Probabilities at 0, h, 2h, ...; sums to 1. */
  readonly pmf: Float64Array;
  readonly step: number;
  readonly method: DiscretisationMethod;
  /** Mass dropped beyond the last lattice point before renormalising (< 1e-13 for continuous severities). */
  readonly droppedMass: number;
}

/** Relative tolerance for treating v / h as a whole number (keeps on-lattice values such as 90 / 1 exact). */
const ON_LATTICE_TOL = 1e-9;

/** Whether r = v / h is a whole number up to the tolerance. */
function onLattice(r: number): boolean {
  return Math.abs(r - Math.round(r)) <= ON_LATTICE_TOL * Math.max(1, Math.abs(r));
}

function atomIndex(v: number, h: number, method: DiscretisationMethod): number {
  const r = v / h;
  if (onLattice(r)) return Math.round(r);
  if (method === "lower") return Math.floor(r);
  if (method === "upper" || method === "linear") return Math.ceil(r); // linear: the upper of the two points
  // Rounding with right-continuous F: a value exactly half-way between two points goes to the lower one.
  return Math.ceil(r - 0.5);
}

/**
 * The number of lattice points (K + 1) a severity needs at step h under a given scheme: the last point K is the
 * first whose cell's upper edge leaves at most 1e-13 of mass beyond it (the largest atom for a discrete severity).
 *
 * @param severity - any `Severity`
 * @param step - h > 0
 * @returns K + 1 >= 1. Example: latticeLength(lognormalSeverity(4, 1), 1) returns ~85,000.
 */
export function latticeLength(severity: Severity, step: number, method: DiscretisationMethod = "rounding"): number {
  if (severity.atoms) {
    let top = 0;
    for (const [v] of severity.atoms) top = Math.max(top, atomIndex(v, step, method));
    return top + 1;
  }
  const x = severity.upperPoint(SEVERITY_TAIL_EPS) / step;
  // Cell upper edges: rounding (k + 1/2) h, lower (k + 1) h, upper k h.
  const k = method === "rounding" ? Math.ceil(x - 0.5) : method === "lower" ? Math.ceil(x - 1) : Math.ceil(x);
  return Math.max(0, k) + 1;
}

/**
 * Discretises a severity on the lattice of step h.
 *
 * @param severity - any `Severity`
 * @param step - lattice step h > 0 (finite)
 * @param method - "rounding" (default), "lower", "upper" or "linear" (mean-preserving split)
 * @param maxLength - refuse (RangeError) rather than allocate more than this many points (default 2^22)
 * @returns a `SeverityLattice` whose pmf sums to 1. Edge cases: a discrete severity puts each atom on its lattice
 * point (exactly when the value is a multiple of h); a continuous one is truncated where the remaining mass is
 * below 1e-13. Example: discretise(constantSeverity(90), 1).pmf[90] returns 1.
 */
export function discretise(
  severity: Severity,
  step: number,
  method: DiscretisationMethod = "rounding",
  maxLength = 1 << 22,
): SeverityLattice {
  if (!(step > 0) || !Number.isFinite(step)) throw new RangeError(`step must be a finite number > 0, got ${step}`);
  if (method === "linear" && !severity.atoms) return linearContinuous(severity, step, maxLength);
  const length = latticeLength(severity, step, method);
  if (length > maxLength) {
    throw new RangeError(`the severity needs ${length} lattice points at step ${step} (limit ${maxLength})`);
  }
  const pmf = new Float64Array(length);
  if (severity.atoms) {
    for (const [v, p] of severity.atoms) {
      const k = atomIndex(v, step, method);
      const r = v / step;
      if (method === "linear" && !onLattice(r)) {
        // Off the lattice: split between k - 1 and k in proportion to the distances (the mean stays v).
        const w = r - (k - 1);
        pmf[k - 1] = (pmf[k - 1] as number) + p * (1 - w);
        pmf[k] = (pmf[k] as number) + p * w;
      } else {
        pmf[k] = (pmf[k] as number) + p;
      }
    }
    return { pmf, step, method, droppedMass: 0 };
  }

  // Cell k is (lo_k, hi_k] with edges shifted by `offset` cells: rounding -1/2, lower 0, upper -1.
  const offset = method === "rounding" ? -0.5 : method === "lower" ? 0 : -1;
  // Each edge's cdf value below the median, its survival value from there on (so F = 1 - S is never formed).
  const firstEdge = offset * step;
  let prevUpper = false; // whether prevVal holds S rather than F
  let prevVal = firstEdge <= 0 ? 0 : severity.cdf(firstEdge);
  for (let k = 0; k < length; k++) {
    const x = (k + 1 + offset) * step;
    let val: number;
    let upper: boolean;
    if (prevUpper || x >= severity.median) {
      val = severity.sf(x);
      upper = true;
    } else {
      val = severity.cdf(x);
      upper = false;
    }
    let mass: number;
    if (!prevUpper && !upper) mass = val - prevVal;
    else if (prevUpper && upper) mass = prevVal - val;
    else mass = 1 - val - prevVal; // crossing the median: both terms are near 1/2, no cancellation issue
    pmf[k] = mass > 0 ? mass : 0;
    prevVal = val;
    prevUpper = upper;
  }
  const kept = neumaierSum(pmf);
  // What lies beyond the last cell's upper edge (computed from the survival function, not as 1 - kept).
  const dropped = severity.sf((length + offset) * step);
  // Renormalise what is kept (the dropped tail is below 1e-13 by construction).
  for (let k = 0; k < length; k++) pmf[k] = (pmf[k] as number) / kept;
  return { pmf, step, method, droppedMass: dropped };
}

/**
 * Mean and second moment of a lattice pmf at step h: sum k h f_k and sum (k h)^2 f_k (compensated sums).
 *
 * @returns { mean, secondMoment }. Example: latticeMoments(Float64Array.of(0.5, 0.5), 2) returns { mean: 1, secondMoment: 2 }.
 */
export function latticeMoments(pmf: Float64Array, step: number): { mean: number; secondMoment: number } {
  const a = new Float64Array(pmf.length);
  const b = new Float64Array(pmf.length);
  for (let k = 0; k < pmf.length; k++) {
    const x = k * step;
    a[k] = x * (pmf[k] as number);
    b[k] = x * x * (pmf[k] as number);
  }
  return { mean: neumaierSum(a), secondMoment: neumaierSum(b) };
}

/**
 * The linear split of a continuous severity: the mass of each cell (kh, (k + 1)h] goes to its two ends in the
 * proportions that keep the cell's mean, m_k (1 - f) at kh and m_k f at (k + 1)h with f = (mu_k - kh) / h, mu_k the
 * mean of X within the cell (from E[X 1{X > x}]). Mass and mean are exact, whatever the step (a lattice much
 * coarser than the order values puts each order at 0 or h with P(h) = E[X] / h); Var grows by at most h^2 / 4.
 * The lattice ends where the survival is below 1e-13; the kept mass is renormalised.
 * Reference: Gerber & Jones (1976); "Loss Models", 5th ed., section 9.6.5 (local moment matching).
 */
function linearContinuous(severity: Severity, step: number, maxLength: number): SeverityLattice {
  const meanAbove = severity.meanAbove;
  if (!meanAbove) throw new RangeError(`the linear split needs the partial moments of a ${severity.kind} severity`);
  const top = severity.upperPoint(SEVERITY_TAIL_EPS);
  const cells = Math.max(1, Math.ceil(top / step));
  if (cells + 1 > maxLength) {
    throw new RangeError(`the severity needs ${cells + 1} lattice points at step ${step} (limit ${maxLength})`);
  }
  const pmf = new Float64Array(cells + 1);
  let sPrev = 1;
  let ePrev = severity.mean;
  for (let k = 0; k < cells; k++) {
    const x = (k + 1) * step;
    const sNext = severity.sf(x);
    const eNext = meanAbove(x);
    const mass = Math.max(0, sPrev - sNext);
    const moment = Math.max(0, ePrev - eNext);
    // Fraction of the cell's mass at its upper end, clamped against round-off in nearly empty cells.
    const f = mass > 0 ? Math.min(1, Math.max(0, (moment - k * step * mass) / (step * mass))) : 0;
    pmf[k] = (pmf[k] as number) + mass * (1 - f);
    pmf[k + 1] = (pmf[k + 1] as number) + mass * f;
    sPrev = sNext;
    ePrev = eNext;
  }
  const kept = neumaierSum(pmf);
  for (let k = 0; k <= cells; k++) pmf[k] = (pmf[k] as number) / kept;
  return { pmf, step, method: "linear", droppedMass: sPrev };
}
