/**
 * Severity on a lattice {0, h, 2h, ...}: the input to the FFT and to Panjer's recursion.
 *
 * Three schemes (Klugman, Panjer, Willmot, "Loss Models", 5th ed., section 9.6.5; Embrechts & Frei (2009),
 * "Panjer recursion versus FFT for compound distributions", Math. Meth. Oper. Res. 69, section 3):
 * - rounding (mass point at the nearest lattice point): f_0 = F(h/2), f_k = F((k + 1/2)h) - F((k - 1/2)h);
 * - lower (mass moved down, S_lower <= S in distribution): f_k = F((k + 1)h) - F(kh);
 * - upper (mass moved up, S <= S_upper in distribution): f_0 = F(0), f_k = F(kh) - F((k - 1)h).
 * The lower and upper lattices bracket every quantile and every cdf value of the continuous model.
 *
 * The lattice ends at the first k whose remaining mass is below 1e-13; the kept mass is then renormalised to 1.
 * Differences of F are taken as differences of 1 - F above the median so tail masses keep relative precision.
 */
import { neumaierSum } from "./numeric";
import type { Severity } from "./severity";

export type DiscretisationMethod = "rounding" | "lower" | "upper";

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

function atomIndex(v: number, h: number, method: DiscretisationMethod): number {
  const r = v / h;
  const nearest = Math.round(r);
  if (Math.abs(r - nearest) <= ON_LATTICE_TOL * Math.max(1, Math.abs(r))) return nearest;
  if (method === "lower") return Math.floor(r);
  if (method === "upper") return Math.ceil(r);
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
 * @param method - "rounding" (default), "lower" or "upper"
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
  const length = latticeLength(severity, step, method);
  if (length > maxLength) {
    throw new RangeError(`the severity needs ${length} lattice points at step ${step} (limit ${maxLength})`);
  }
  const pmf = new Float64Array(length);
  if (severity.atoms) {
    for (const [v, p] of severity.atoms) {
      const k = atomIndex(v, step, method);
      pmf[k] = (pmf[k] as number) + p;
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
