/**
 * Collars on an outcome S (revenue, or a conversion count when the severity is the constant 1):
 * the holder keeps min(max(S, F), C) = S + (F - S)+ - (S - C)+, buying a floor F (a put worth E[(F - S)+]) and
 * paying for it with the upside above a cap C (a call worth E[(S - C)+]). The zero-cost cap solves
 * E[(S - C)+] = E[(F - S)+]; both sides are exact, piecewise-linear functions on a lattice, and the call value is
 * non-increasing in C, so the solution is found by a binary search plus one linear interpolation.
 *
 * Reference: J. C. Hull, "Options, Futures, and Other Derivatives", 10th ed., section 12.3 (collars); the
 * stop-loss premium on a lattice: Klugman, Panjer, Willmot, "Loss Models", 5th ed., section 9.3.
 */
import { QUANTILE_EPS } from "./lattice";
import type { LatticeDistribution } from "./lattice";

export interface CollaredDistribution {
  /** Increasing support: the floor, the lattice points strictly between floor and cap, the cap. */
  readonly values: Float64Array;
  readonly pmf: Float64Array;
}

export interface CollarResult {
  readonly floor: number;
  readonly cap: number;
  /** E[(F - S)+]: what the floor is worth. */
  readonly putValue: number;
  /** E[(S - C)+]: the expected upside handed over above the cap. */
  readonly capValue: number;
  readonly meanBefore: number;
  readonly meanAfter: number;
  /** E[S] - E[collared S] = capValue - putValue (0 for a zero-cost collar, up to round-off). */
  readonly meanGivenUp: number;
  readonly sdBefore: number;
  readonly sdAfter: number;
  readonly q05Before: number;
  readonly q05After: number;
  /** q05After - q05Before >= 0: how much the 5% worst case improves. */
  readonly q05Gained: number;
  readonly distribution: CollaredDistribution;
}

/**
 * Zero-cost cap: the smallest C with E[(S - C)+] = E[(F - S)+].
 *
 * @param dist - the outcome's lattice distribution
 * @param floor - F, finite
 * @returns C >= F, or null when F > E[S] (then even C = F leaves a net cost of F - E[S]: no cap pays for that
 * floor). Edge case: a floor at or below the support's minimum costs nothing and the cap is the top of the
 * support (it never binds). Example: Poisson(50) x lognormal(4, 1) at step 1 with F = q05 = 2960 gives ~6876.66.
 */
export function zeroCostCap(dist: LatticeDistribution, floor: number): number | null {
  if (!Number.isFinite(floor)) throw new RangeError(`floor must be finite, got ${floor}`);
  if (floor > dist.mean) return null;
  const put = dist.putValue(floor);
  return Math.max(floor, dist.stopLossInverse(put));
}

function quantileOf(values: Float64Array, pmf: Float64Array, p: number): number {
  let acc = 0;
  for (let i = 0; i < pmf.length; i++) {
    acc += pmf[i] as number;
    if (acc >= p - QUANTILE_EPS) return values[i] as number;
  }
  return values[values.length - 1] as number;
}

/**
 * The collar (floor F, cap C) on S: values of both legs, the collared distribution and what changes.
 *
 * @param dist - the outcome's lattice distribution
 * @param floor - F, finite
 * @param cap - C >= F, finite
 * @returns a `CollarResult`; the collared payoff always lies in [F, C]. Example: collar(d, 2960, 6876.66)
 * has putValue ~= capValue ~= 14.894 for the Poisson(50) x lognormal(4, 1) lattice at step 1.
 */
export function collar(dist: LatticeDistribution, floor: number, cap: number): CollarResult {
  if (!Number.isFinite(floor) || !Number.isFinite(cap)) throw new RangeError("floor and cap must be finite");
  if (!(cap >= floor)) throw new RangeError(`the cap (${cap}) must not be below the floor (${floor})`);
  const putValue = dist.putValue(floor);
  const capValue = dist.stopLoss(cap);

  const values: number[] = [floor];
  const probs: number[] = [dist.cdf(floor)];
  if (cap > floor) {
    const n = dist.length;
    for (let i = 0; i < n; i++) {
      const x = dist.valueAt(i);
      if (x <= floor) continue;
      if (x >= cap) break;
      values.push(x);
      probs.push(dist.pmf[i] as number);
    }
    values.push(cap);
    probs.push(dist.survival(cap) + (dist.cdf(cap) - dist.probBelow(cap))); // P(S >= C)
  } else {
    probs[0] = 1;
  }
  const v = Float64Array.from(values);
  const pm = Float64Array.from(probs, (x) => Math.max(0, x));
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += (v[i] as number) * (pm[i] as number);
  let m2 = 0;
  for (let i = 0; i < v.length; i++) m2 += ((v[i] as number) - mean) ** 2 * (pm[i] as number);
  const q05Before = dist.quantile(0.05);
  const q05After = quantileOf(v, pm, 0.05);
  return {
    floor,
    cap,
    putValue,
    capValue,
    meanBefore: dist.mean,
    meanAfter: dist.mean + putValue - capValue,
    meanGivenUp: capValue - putValue,
    sdBefore: dist.sd,
    sdAfter: Math.sqrt(m2),
    q05Before,
    q05After,
    q05Gained: q05After - q05Before,
    distribution: { values: v, pmf: pm },
  };
}

/**
 * The zero-cost collar with floor F (cap from `zeroCostCap`), or null when no cap pays for the floor.
 * Example: zeroCostCollar(d, d.quantile(0.05)) for a revenue lattice d.
 */
export function zeroCostCollar(dist: LatticeDistribution, floor: number): CollarResult | null {
  const cap = zeroCostCap(dist, floor);
  return cap === null ? null : collar(dist, floor, cap);
}
