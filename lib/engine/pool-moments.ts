/**
 * Closed forms of pooling: the moments of one budget's aggregate and of the share of k budgets, the common shock's
 * size for a pairwise correlation rho, and the CV against pool size. The lattice work that uses them is pool.ts
 * (see its module doc for the shock model: c^2 = rho Var_0(S) / E[S]^2 / (1 - rho (1 + kappa))).
 *
 * References: Klugman, Panjer, Willmot, "Loss Models", 5th ed., section 7.3 (mixed Poisson, common shocks).
 */
import { latticeMoments } from "./discretise";
import type { Frequency } from "./frequency";
import type { Severity } from "./severity";

/** Moments of one budget's aggregate without the shock. */
export function budgetMoments(frequency: Frequency, severity: Pick<Severity, "mean" | "variance">): {
  mean: number;
  variance: number;
} {
  return {
    mean: frequency.mean * severity.mean,
    variance: frequency.mean * severity.variance + frequency.variance * severity.mean * severity.mean,
  };
}

/** Mean and variance of a severity lattice (what the FFT actually convolves). */
export function latticeSeverityMoments(pmf: Float64Array, step: number): { mean: number; variance: number } {
  const { mean, secondMoment } = latticeMoments(pmf, step);
  return { mean, variance: Math.max(0, secondMoment - mean * mean) };
}

/**
 * Largest pairwise correlation a common rate shock can produce for this frequency: 1 / (1 + kappa)
 * (1 for Poisson and binomial, r / (r + 1) for a negative binomial).
 */
export function maxCorrelation(frequency: Frequency): number {
  return frequency.kappa > 0 ? 1 / (1 + frequency.kappa) : 1;
}

/**
 * Squared cv of the common shock that makes the pairwise correlation of budgets equal rho:
 * c^2 = rho Var_0 / E[S]^2 / (1 - rho (1 + kappa)).
 *
 * @param frequency - the budget's frequency (its kappa)
 * @param severity - the budget's severity moments
 * @param rho - correlation in [0, maxCorrelation(frequency))
 * @returns c^2 >= 0 (0 for rho = 0). Throws RangeError when rho is out of reach, or (binomial) when the shared
 * rate's Beta would need c^2 >= (1 - p) / p. Example: Poisson(50), lognormal(4, 1), rho 0.2 gives
 * 0.25 * e / 50 ~ 0.013591.
 */
export function shockVariance(frequency: Frequency, severity: Pick<Severity, "mean" | "variance">, rho: number): number {
  if (!(rho >= 0 && rho < 1)) throw new RangeError(`rho must be in [0, 1), got ${rho}`);
  if (rho === 0) return 0;
  const limit = maxCorrelation(frequency);
  if (rho >= limit) {
    throw new RangeError(
      `rho ${rho} is out of reach for a negative binomial with r = ${frequency.params.r}: ` +
        `a common rate shock gives at most r / (r + 1) = ${limit.toPrecision(4)}`,
    );
  }
  const { mean, variance } = budgetMoments(frequency, severity);
  const c2 = (rho * variance) / (mean * mean) / (1 - rho * (1 + frequency.kappa));
  if (frequency.kind === "binomial") {
    const p = frequency.params.p as number;
    if (!(c2 < (1 - p) / p)) {
      throw new RangeError(
        `rho ${rho} is out of reach for a binomial with p = ${p}: the shared conversion rate would need a ` +
          `spread (cv ${Math.sqrt(c2).toPrecision(3)}) that no distribution on [0, 1] with mean p has`,
      );
    }
  }
  return c2;
}

/**
 * Closed-form moments of the share of k budgets with correlation rho: mean E[S],
 * variance Var_1 (rho + (1 - rho) / k) with Var_1 = Var_0 / (1 - rho (1 + kappa)).
 *
 * Example: Poisson(50), lognormal(4, 1), k 10, rho 0.2 gives cv ~0.13794.
 */
export function shareMoments(
  frequency: Frequency,
  severity: Pick<Severity, "mean" | "variance">,
  k: number,
  rho: number,
): { mean: number; variance: number; sd: number; cv: number; cv1: number } {
  const { mean, variance } = budgetMoments(frequency, severity);
  const var1 = rho > 0 ? variance / (1 - rho * (1 + frequency.kappa)) : variance;
  const v = var1 * (rho + (1 - rho) / k);
  return { mean, variance: v, sd: Math.sqrt(v), cv: Math.sqrt(v) / mean, cv1: Math.sqrt(var1) / mean };
}

/**
 * CV of the share against pool size: CV_k = CV_1 sqrt(rho + (1 - rho) / k), k = 1..kMax.
 *
 * @param cv1 - CV of one budget (with the shock, if any), >= 0
 * @param rho - correlation in [0, 1)
 * @param kMax - largest pool size, integer >= 1 (default 1000)
 * @returns Float64Array of length kMax whose entry k - 1 is CV_k; it decreases to the floor CV_1 sqrt(rho).
 * Example: cvCurve(0.5, 0, 4)[3] returns 0.25.
 */
export function cvCurve(cv1: number, rho: number, kMax = 1000): Float64Array {
  if (!(cv1 >= 0) || !Number.isFinite(cv1)) throw new RangeError(`cv1 must be >= 0, got ${cv1}`);
  if (!(rho >= 0 && rho < 1)) throw new RangeError(`rho must be in [0, 1), got ${rho}`);
  if (!Number.isInteger(kMax) || kMax < 1) throw new RangeError(`kMax must be an integer >= 1, got ${kMax}`);
  const out = new Float64Array(kMax);
  for (let k = 1; k <= kMax; k++) out[k - 1] = cv1 * Math.sqrt(rho + (1 - rho) / k);
  return out;
}

export type PoolSizeAnswer =
  | { readonly reachable: true; readonly k: number; readonly cv: number; readonly floorCv: number }
  | { readonly reachable: false; readonly floorCv: number };

/**
 * Smallest pool size k with CV_k <= target: k = ceil((1 - rho) / (target^2 / CV_1^2 - rho)).
 *
 * @param cv1 - CV of one budget, > 0
 * @param rho - correlation in [0, 1)
 * @param target - the CV wanted, > 0
 * @returns { reachable: true, k, cv } or, when target <= CV_1 sqrt(rho) (the floor no pool size gets below),
 * { reachable: false, floorCv }. Example: poolSizeForCv(0.5, 0, 0.25) returns { reachable: true, k: 4, ... }.
 */
export function poolSizeForCv(cv1: number, rho: number, target: number): PoolSizeAnswer {
  if (!(cv1 > 0) || !Number.isFinite(cv1)) throw new RangeError(`cv1 must be > 0, got ${cv1}`);
  if (!(rho >= 0 && rho < 1)) throw new RangeError(`rho must be in [0, 1), got ${rho}`);
  if (!(target > 0) || !Number.isFinite(target)) throw new RangeError(`target must be > 0, got ${target}`);
  const floorCv = cv1 * Math.sqrt(rho);
  if (target >= cv1) return { reachable: true, k: 1, cv: cv1, floorCv };
  const ratio = (target * target) / (cv1 * cv1);
  if (!(ratio > rho)) return { reachable: false, floorCv };
  let k = Math.ceil((1 - rho) / (ratio - rho) - 1e-9);
  // Guard the ceiling against round-off in either direction.
  while (k > 1 && cv1 * Math.sqrt(rho + (1 - rho) / (k - 1)) <= target) k--;
  while (cv1 * Math.sqrt(rho + (1 - rho) / k) > target) k++;
  return { reachable: true, k, cv: cv1 * Math.sqrt(rho + (1 - rho) / k), floorCv };
}
