/**
 * The checks every aggregate lattice passes before it is returned: its mean against sum_i E[N_i] E[X_i] of the
 * lattice severities, its variance against the closed form, and no more mass in the tail than Cantelli's bound
 * allows (see checkLattice). A failure is a LatticeCheckError (a RangeError) saying which figure was off.
 */
import type { CompoundTerm } from "./aggregate";
import { NeumaierAccumulator } from "./numeric";

/** sum_i i p_i / sum_i p_i (compensated). */
export function latticeMeanIndex(pmf: Float64Array): number {
  const sum = new NeumaierAccumulator();
  let w = 0;
  for (let i = 0; i < pmf.length; i++) {
    const p = pmf[i] as number;
    w += p;
    sum.add(i * p);
  }
  return sum.value / w;
}

/** Relative error allowed on the lattice mean against sum_i E[N_i] E[X_i] of the lattice severities. */
const CHECK_MEAN_TOL = 1e-6;
/** Relative error allowed on the lattice variance against sum_i (E[N_i] Var[X_i] + Var[N_i] E[X_i]^2). */
const CHECK_VARIANCE_TOL = 1e-4;
/** Cantelli bound factors t: P(S >= E[S] + t sd(S)) <= 1 / (1 + t^2) is checked at each. */
const CANTELLI_T = [5, 10, 30, 100, 300, 1000, 3000, 1e4, 3e4, 1e5, 1e6];

/**
 * Most negative probability (the sum of the values below 0 that an inverse FFT left, set to 0) a lattice may carry.
 * Round-off leaves about 1e-17 per point and E[N] eps per value; over the fuzz draws of tests/unit/engine the largest
 * seen was 8e-10 (a grid of 2^20 points with a shock mixture right to 1e-13 per frequency). A thousand times that
 * is not round-off but a transform that is wrong (a quadrature rule off by 1e-2 left 0.0135 of negative mass), and
 * the allowances for round-off in checkLattice, which grow with it, would otherwise let the lattice through.
 */
export const MAX_NEGATIVE_MASS = 1e-6;

/**
 * Whether a lattice's round-off is small enough for its other checks to mean anything.
 *
 * @param negativeMass - sum of |g_k| over the values g_k < 0 the inverse transform gave, >= 0
 * @returns null when negativeMass <= MAX_NEGATIVE_MASS, else a sentence for LatticeCheckError.
 * Example: roundoffFailure(1e-12) returns null; roundoffFailure(0.01) returns "1.00e-2 of negative probability ...".
 */
export function roundoffFailure(negativeMass: number): string | null {
  if (negativeMass <= MAX_NEGATIVE_MASS) return null;
  return `${negativeMass.toExponential(2)} of negative probability, where round-off leaves at most ${MAX_NEGATIVE_MASS.toExponential(0)} (the transform is not accurate enough)`;
}

/** Expected moments of a lattice sum, from its terms (what the lattice must reproduce). */
export interface LatticeExpectation {
  /** E[S]. */
  readonly mean: number;
  /** Var(S), or undefined when a term's count variance is unknown. */
  readonly variance?: number;
}

/**
 * The moments every lattice of these terms must have: E[S] = sum_i E[N_i] E[X_i] and
 * Var(S) = sum_i (E[N_i] Var[X_i] + Var[N_i] E[X_i]^2), from the severity lattices themselves (so the check is
 * exact whatever the discretisation).
 *
 * @param terms - compound terms on the lattice of step h
 * @param step - h > 0
 * @returns { mean, variance } (variance undefined when a term does not give Var[N_i]). Example: one Poisson(3)
 * term whose severity is 1 at 2h gives { mean: 6h, variance: 12h^2 }.
 */
export function expectedMoments(terms: ReadonlyArray<CompoundTerm>, step: number): LatticeExpectation {
  let mean = 0;
  let variance: number | undefined = 0;
  for (const t of terms) {
    let m1 = 0;
    let m2 = 0;
    for (let k = 1; k < t.severity.length; k++) {
      const p = t.severity[k] as number;
      m1 += k * p;
      m2 += k * k * p;
    }
    m1 *= step;
    m2 *= step * step;
    mean += t.claims * m1;
    if (variance !== undefined && t.claimsVariance !== undefined) {
      variance += t.claims * Math.max(0, m2 - m1 * m1) + t.claimsVariance * m1 * m1;
    } else variance = undefined;
  }
  return { mean, variance };
}

/** A lattice that failed its own checks at every method tried: the message says which check and by how much. */
export class LatticeCheckError extends RangeError {
  constructor(reason: string) {
    super(`this model's distribution could not be computed to its own checks: ${reason}`);
    this.name = "LatticeCheckError";
  }
}

/**
 * Checks a computed lattice pmf against what it must be: its mean against E[S] (relative CHECK_MEAN_TOL), its
 * variance against Var(S) (relative CHECK_VARIANCE_TOL), and its upper tail against Cantelli's bound
 * P(S >= E[S] + t sd) <= 1 / (1 + t^2) (t = 5 ... 1e6, with `slack` of absolute allowance for round-off).
 *
 * @param pmf - masses at (offset + i) h, summing to about 1
 * @param offset - lattice index of pmf[0]
 * @param step - h
 * @param expected - E[S] and (optionally) Var(S) of the exact lattice sum
 * @param slack - absolute mass allowed above a bound (round-off), >= 0
 * @param pointNoise - absolute round-off per lattice point (the FFT's largest negative value), >= 0: the moments
 * may miss what that much mass per point moves them by (a heavy tail whose probabilities sit below the FFT's
 * round-off cannot be resolved by any grid, and is not evidence of a wrong lattice)
 * @returns null when every check passes, else a sentence saying which failed. Edge cases: E[S] = 0 (all mass at
 * 0) is checked absolutely against a step. Example: checkLattice(Float64Array.of(0.5, 0.5), 0, 1, { mean: 0.5,
 * variance: 0.25 }, 0) returns null. Reference: F. P. Cantelli (1928), "Sui confini della probabilita"; the
 * moment identities: Klugman, Panjer, Willmot, "Loss Models", 5th ed., section 9.1.
 */
export function checkLattice(
  pmf: Float64Array,
  offset: number,
  step: number,
  expected: LatticeExpectation,
  slack = 0,
  pointNoise = 0,
): string | null {
  // Compensated first and second moments about the expected mean (no cancellation in E[S^2] - E[S]^2).
  const mu = expected.mean / step - offset; // in pmf index units
  let w = 0;
  const s1 = new NeumaierAccumulator();
  const s2 = new NeumaierAccumulator();
  // What round-off of pointNoise per point can move the moments by: sum_i noise |i - mu| and sum_i noise (i - mu)^2.
  let noise1 = 0;
  let noise2 = 0;
  for (let i = 0; i < pmf.length; i++) {
    const p = pmf[i] as number;
    w += p;
    const d = i - mu;
    noise1 += Math.abs(d);
    noise2 += d * d;
    const v1 = d * p;
    s1.add(v1);
    s2.add(d * v1);
  }
  if (!(w > 0) || !Number.isFinite(w)) return "the lattice holds no probability";
  const dMean = s1.value / w; // E[S] - expected, in steps
  const gotMean = expected.mean + dMean * step;
  if (Math.abs(dMean) > CHECK_MEAN_TOL * Math.max(expected.mean / step, 1) + pointNoise * noise1) {
    return `lattice mean ${fmt(gotMean)} against E[N] E[X] = ${fmt(expected.mean)}`;
  }
  const gotVar = (s2.value / w - dMean * dMean) * step * step;
  if (expected.variance !== undefined) {
    const allowed = CHECK_VARIANCE_TOL * Math.max(expected.variance, step * step) + pointNoise * noise2 * step * step;
    if (Math.abs(gotVar - expected.variance) > allowed) {
      return `lattice variance ${fmt(gotVar)} against E[N] Var[X] + Var[N] E[X]^2 = ${fmt(expected.variance)}`;
    }
  }
  const sd = Math.sqrt(expected.variance ?? Math.max(0, gotVar));
  if (sd > 0) {
    // Mass above each threshold, from the top (compensation is not needed for a bound check).
    let j = CANTELLI_T.length - 1;
    let above = 0;
    for (let i = pmf.length - 1; i >= 0 && j >= 0; i--) {
      const x = (offset + i) * step;
      while (j >= 0 && x < expected.mean + (CANTELLI_T[j] as number) * sd) {
        const t = CANTELLI_T[j] as number;
        if (above / w > 1 / (1 + t * t) + slack) {
          return `${above.toExponential(2)} of probability above E[S] + ${t} sd, where at most ${(1 / (1 + t * t)).toExponential(2)} can be`;
        }
        j--;
      }
      above += pmf[i] as number;
    }
  }
  return null;
}

function fmt(x: number): string {
  return Number(x.toPrecision(7)).toString();
}

export function headMass(pmf: Float64Array, to: number): number {
  let s = 0;
  for (let k = 0; k < to; k++) s += pmf[k] as number;
  return s;
}

export function tailMass(pmf: Float64Array, from: number): number {
  let s = 0;
  for (let k = from; k < pmf.length; k++) s += pmf[k] as number;
  return s;
}
