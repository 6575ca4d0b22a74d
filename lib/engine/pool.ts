/**
 * Pooling: the share (S_1 + ... + S_k) / k of k budgets.
 *
 * Independent identical budgets: the transform of the sum is the single budget's raised to the k-th power,
 * G(phi)^k. For the three frequency families this is again the same family (Poisson(k lambda), Binomial(k n, p),
 * NB(k r, k m)), so the power is taken exactly by changing parameters.
 *
 * Correlated budgets: every budget's rate is multiplied by one common shock G (mean 1, cv c), and given G the
 * budgets are independent. Then Cov(S_i, S_j) = c^2 E[S]^2, and with Var(N | G) = m G + kappa (m G)^2 (kappa = 0
 * Poisson, 1/r negative binomial, -1/n binomial) the pairwise correlation is rho exactly when
 *   c^2 = rho Var_0(S) / E[S]^2 / (1 - rho (1 + kappa)),
 * Var_0 being the unshocked variance. For Poisson this is c^2 = rho / (1 - rho) E[N] E[X^2] / (E[N] E[X])^2,
 * the design's formula. Every budget's variance becomes Var_1 = Var_0 / (1 - rho (1 + kappa)) and the share's
 * CV_k = CV_1 sqrt(rho + (1 - rho) / k).
 * - Poisson: the sum of k Poisson(lambda G) given G ~ Gamma(1/c^2, c^2) is Poisson(k lambda G), and mixing over G
 *   gives exactly a negative binomial with r = 1/c^2 and mean k lambda.
 * - Negative binomial (r, m): given G the sum is NB(k r, k m G) = Poisson(k m G L) with L ~ Gamma(k r, 1/(k r)).
 *   One of the two Gamma variables is integrated exactly (giving a negative binomial) and the other, always the
 *   more concentrated one, by quadrature; where the mixed count's support is short, its pmf (the nodes' negative
 *   binomials, mixed) is evaluated as a series instead (see count-series.ts).
 * - Binomial (n, p): a Gamma shock could push p above 1, so the shared conversion rate is B = p G ~ Beta with mean
 *   p and cv c (needs c^2 < (1 - p) / p); given B the sum is Binomial(k n, B), so the pooled count is beta-binomial.
 *   Its pmf is exact by a ratio recurrence and its pgf a polynomial, evaluated as a truncated series (see
 *   count-series.ts); the mixture over B by quadrature remains for the rare transforms where that costs more.
 * Quadrature (see `adaptiveMixture`): a trapezoidal rule in log x (Gamma) or logit x (Beta) when the shapes are
 * >= 1, Gauss-Laguerre or Gauss-Jacobi otherwise, with nodes doubled until the mixture's transform is accurate to
 * 1e-13 on the unit circle. Both keep the mixture's mean exact; the other moments are exact (Gauss, 2M - 1 of
 * them) or exact to the same 1e-13 (trapezoid).

 * References: Klugman, Panjer, Willmot, "Loss Models", 5th ed., section 7.3 (mixed Poisson, common shocks);
 * G. Meyers (1980), "An analysis of retrospective rating", PCAS 67 (contagion/parameter shock on the rate).
 */
import gammaincinv from "@stdlib/math-base-special-gammaincinv";
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";
import { autoLattice, compoundLattice, frequencyTerm, gridFor, MAX_GRID, niceCeil, WorkLimitError } from "./aggregate";
import type { AggregateMethod, AggregateShape, AutoLattice, LatticeResult } from "./aggregate";
import { coarseLattice, needsCoarse, NotSmoothError } from "./coarse";
import { severityCharacteristic } from "./severity-transform";
import { discretise } from "./discretise";
import type { DiscretisationMethod } from "./discretise";
import type { Frequency } from "./frequency";
import { LatticeDistribution } from "./lattice";
import { LatticeCheckError } from "./lattice-check";
import { budgetMoments, latticeSeverityMoments, shareMoments, shockVariance } from "./pool-moments";
// The closed forms live in pool-moments.ts, the shock's transform in pool-shock.ts; re-exported here for the
// services and tests that import them with pooledShare.
export { cvCurve, latticeSeverityMoments, maxCorrelation, poolSizeForCv, shareMoments, shockVariance } from "./pool-moments";
export { adaptiveMixture, pooledTerm } from "./pool-shock";
import { capSeverity } from "./severity";
import type { Severity } from "./severity";
import { betaShock, pooledTerm } from "./pool-shock";
import type { ShockInfo, ShockMixing } from "./pool-shock";


export interface PoolOptions {
  readonly frequency: Frequency;
  readonly severity: Severity;
  /** Number of pooled budgets, integer >= 1. */
  readonly k: number;
  /** Pairwise correlation in [0, 1) (default 0). */
  readonly rho?: number;
  /** Lattice step of the sum (currency); automatic when absent. The share's lattice step is step / k. */
  readonly step?: number;
  readonly maxGrid?: number;
  /** Mix a shock over its quadrature rule at every frequency, never as a count series (for cross-checks). */
  readonly quadratureOnly?: boolean;
  /**
   * Only the mean and variance of the result will be read (a CV): a negative binomial's shock mixture then uses a
   * 2-node Gauss rule (pooledTerm's "moments" mixing). The lattice's mean and variance are the full mixture's up to
   * round-off; its shape and quantiles are not the model's.
   */
  readonly momentsOnly?: boolean;
  /** Resolve the quantiles on a second lattice of capped order values when the grid limit forced a coarse step
   * (default true; see `QuantileLattice`). */
  readonly quantileLattice?: boolean;
}

/** Share of Var(S) a density-sampled lattice's split order values may add (a tenth of the lattice check's 1e-4). */
const SPLIT_VARIANCE_SHARE = 1e-5;

/** Relative error of E[X] an automatic rounding lattice may leave before the linear split replaces it. */
const AUTO_MEAN_TOL = 1e-5;

/** Probability by which capping the order values may move the quantile lattice's cdf (see `QuantileLattice`). */
const QUANTILE_CAP_DELTA = 1e-6;

/**
 * A finer lattice for the quantiles of a heavy-tailed sum: order values capped at T with E[N_total] P(X > T) =
 * delta (QUANTILE_CAP_DELTA), so its cdf is within delta of the true one (from above) and its quantile q'(p) lies in
 * [q(p - delta), q(p)], on a step chosen for the capped sum's own spread. Mean, sd, skewness, expected shortfall and
 * stop-loss stay on the full lattice (their tail is the part the cap removes).
 */
export interface QuantileLattice {
  readonly distribution: LatticeDistribution;
  /** Lattice step of the capped sum. */
  readonly step: number;
  /** The cap T on each order value. */
  readonly cap: number;
  /** Largest cdf difference from the uncapped sum, E[N_total] P(X > T). */
  readonly delta: number;
  /** E[S - S'] per budget's share, E[N_total] E[(X - T)+] / k: what the cap removes from the mean. Stop-loss
   * E[(S - d)+] = E[(S' - d)+] + excess - e with 0 <= e <= d delta (the cap only matters where some order exceeds T). */
  readonly excess: number;
}

export interface PoolResult {
  /** Distribution of the share (sum / k), on the lattice of step `step / k`. */
  readonly distribution: LatticeDistribution;
  /** Lattice step of the sum (as requested or chosen). */
  readonly step: number;
  readonly gridSize: number;
  readonly method: AggregateMethod;
  readonly shock: ShockInfo;
  /** Present when the grid limit forced the automatic step coarser than the quantiles need (heavy-tailed orders):
   * the quantile figures' lattice. */
  readonly quantiles?: QuantileLattice;
  /** Whether the automatic step is coarser than the distribution's own resolution (the grid limit forced it). */
  readonly coarsened?: boolean;
}

/**
 * Distribution of one budget's share of a pool of k identical budgets with correlation rho.
 *
 * Lattice: the sum's, at the requested or automatic step h (the share's values are the sum's divided by k).
 * When h is much coarser than the order values but the sum is smooth on that scale (large pools, huge rates),
 * the density of the sum is sampled instead of rounding each order (see coarse.ts, method "fft-density"); when
 * that sum is not smooth (a spike near 0 from a strong shock) the rounded lattice is used if h does not exceed the
 * order values' scale, and the mean-preserving linear split otherwise. Order values given as points on an automatic lattice
 * are split linearly between lattice points (mean exact, see `autoLattice`) whatever the pool.
 *
 * @returns the share's lattice distribution and how it was computed. With k = 1 and rho = 0 this is the single
 * budget's aggregate. Example: pooledShare({ frequency: poisson(50), severity: lognormalSeverity(4, 1), k: 10,
 * step: 1 }).distribution.sd returns ~331.86.
 */
export function pooledShare(opts: PoolOptions): PoolResult {
  const { frequency, severity, k } = opts;
  const rho = opts.rho ?? 0;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be an integer >= 1, got ${k}`);
  const maxGrid = opts.maxGrid ?? MAX_GRID;
  const mixing: ShockMixing = opts.momentsOnly ? "moments" : opts.quadratureOnly ? "quadrature" : "auto";
  // Grid and step from the model's moments (the shock's size from the lattice severity's, below).
  const share = shareMoments(frequency, severity, k, rho);
  const shape: AggregateShape = {
    mean: k * share.mean,
    sd: k * share.sd,
    severityTop: severity.atoms ? severity.upperPoint(0) : severity.upperPoint(1e-13),
    upper: shockedUpper(frequency, severity, k, rho),
    // P(N = 0) of k independent budgets: the shared shock only raises it (P(N = 0 | shock g) is convex in g, E[g] = 1).
    zeroMass: Math.exp(k * frequency.logPmf(0)),
  };
  const auto = opts.step === undefined ? autoLattice(shape, severity, maxGrid, true) : null;
  let step = opts.step ?? (auto as AutoLattice).step;
  // A given step rounds (DESIGN.md); the automatic lattice splits order values given as points (see autoLattice).
  const discretisation = auto?.discretisation ?? "rounding";
  gridFor(shape, step, maxGrid); // refuses a step too fine before any lattice is allocated
  let lattice: LatticeResult | null = null;
  let shock: ShockInfo | null = null;
  const coarse = discretisation !== "linear" && needsCoarse(severity, step, shape.sd);
  if (coarse) {
    // Many claims on a lattice coarser than the orders: sample the density of the sum (see coarse.ts).
    const c2 = shockVariance(frequency, severity, rho);
    const atZero = severity.cdf(0);
    const pooled = pooledTerm(frequency, Float64Array.of(atZero), k, c2, mixing);
    // Var(S) of the sum as this term computes it (the count of the mixture actually applied).
    const claimsVariance = pooled.term.claimsVariance;
    const sumVariance =
      claimsVariance === undefined
        ? shape.sd * shape.sd
        : pooled.term.claims * severity.variance + claimsVariance * severity.mean * severity.mean;
    // A grid transform's split may add up to 1e-5 of Var(S) (E[N] h^2 / 4, see severityCharacteristic).
    const coarsest = pooled.term.claims > 0 ? Math.sqrt((4 * SPLIT_VARIANCE_SHARE * sumVariance) / pooled.term.claims) : 0;
    const { cf, cost, grid, meanError } = severityCharacteristic(severity, coarsest);
    const counting = pooled.term;
    const term = {
      cf,
      ...(grid ? { grid } : {}),
      ...(meanError ? { meanError } : {}),
      cost,
      claims: pooled.term.claims,
      atZero,
      apply: counting.apply,
      work: counting.work ?? 1,
      get spent() {
        return counting.spent;
      },
    };
    try {
      lattice = coarseLattice([term], shape, step, pooled.term.claims * severity.mean, maxGrid, sumVariance);
      shock = pooled.shock;
    } catch (e) {
      // A sum with a spike near 0 (few claims, strong shock) is not smooth: the rounded lattice handles it.
      if (!(e instanceof NotSmoothError || e instanceof WorkLimitError)) throw e;
    }
  }
  let fineAuto: AutoLattice | null = null;
  if ((lattice === null || shock === null) && coarse && auto !== null) {
    // The automatic step chose to sample the density and the sum is not smooth there: resolve the orders instead.
    fineAuto = autoLattice(shape, severity, maxGrid, false);
    step = fineAuto.step;
  }
  if (lattice === null || shock === null) {
    // A step coarser than the order values (the grid limit forced it, the sum not being smooth there): split each
    // order's mass between lattice points so the mean stays exact, rather than rounding orders to 0 or to h.
    let method: DiscretisationMethod =
      fineAuto?.discretisation === "linear" || (coarse && !(step <= Math.min(severity.mean, Math.sqrt(severity.variance))))
        ? "linear"
        : discretisation;
    let checkRetries = 0;
    for (;;) {
      let sev = discretise(severity, step, method, maxGrid);
      // A lattice's mean must be the model's: rounding a density that is steep near 0 (gamma shape < 1), or orders
      // far below a given step, moves E[X] by more than 1e-5, and the mean-preserving split is then used.
      if (method === "rounding" && !severity.atoms && severity.meanAbove) {
        const m = latticeSeverityMoments(sev.pmf, step).mean;
        if (Math.abs(m - severity.mean) > AUTO_MEAN_TOL * severity.mean) {
          method = "linear";
          sev = discretise(severity, step, method, maxGrid);
        }
      }
      // The lattice severity's own moments make the lattice budgets correlated exactly rho (as the reference cases
      // do); on a fallback lattice coarser than the orders, or with order values split across lattice points
      // (whose variance grows with the step), the model's are used.
      const modelMoments = coarse || method === "linear";
      const c2 = shockVariance(frequency, modelMoments ? severity : latticeSeverityMoments(sev.pmf, step), rho);
      const pooled = pooledTerm(frequency, sev.pmf, k, c2, mixing);
      try {
        lattice = compoundLattice([pooled.term], shape, step, maxGrid);
        shock = pooled.shock;
        break;
      } catch (e) {
        // An automatic step may give up resolution for feasibility: a shock mixture needing thousands of nodes on
        // a fine lattice is tried again on one twice as coarse (mean kept by the linear split), down to sd(S)/100.
        // A lattice that failed its own checks (a tail the tilted grid could not hold) is tried twice as coarse too,
        // at most three times; then the refusal says why.
        const retry =
          auto !== null &&
          ((e instanceof WorkLimitError && 2 * step <= shape.sd / 100) || (e instanceof LatticeCheckError && ++checkRetries <= 3));
        if (!retry) throw e;
        step = niceCeil(2 * step);
        method = "linear";
      }
    }
  }
  const coarsened = auto?.coarsened === true || fineAuto?.coarsened === true || (opts.step === undefined && step !== fineAuto?.step && step !== auto?.step);
  let quantiles: QuantileLattice | undefined;
  // Capped orders keep the sum equal to the true one outside an event of probability delta only when both share
  // the same common shock: correlated pools keep their single lattice.
  const independent = !(shock.c2 > 0);
  if (coarsened && independent && opts.step === undefined && opts.quantileLattice !== false && !opts.momentsOnly && severity.kind === "lognormal") {
    const claims = k * frequency.mean;
    const tail = QUANTILE_CAP_DELTA / claims;
    if (tail > 1e-13 && tail < 0.01) {
      const cap = severity.upperPoint(tail);
      try {
        const capped = pooledShare({ ...opts, severity: capSeverity(severity, cap), quantileLattice: false });
        if (capped.step < step) {
          const tailSf = severity.sf(cap);
          const above = (severity.meanAbove as (x: number) => number)(cap);
          quantiles = {
            distribution: capped.distribution,
            step: capped.step,
            cap,
            delta: claims * tailSf,
            excess: (claims * Math.max(0, above - cap * tailSf)) / k,
          };
        }
      } catch (e) {
        // The full lattice stands on its own; a capped one that cannot be computed leaves its quantiles in place.
        if (!(e instanceof RangeError)) throw e;
      }
    }
  }
  return {
    distribution: new LatticeDistribution(lattice.pmf, step, k, lattice.offset),
    step,
    gridSize: lattice.gridSize,
    method: lattice.method,
    shock,
    coarsened,
    ...(quantiles ? { quantiles } : {}),
  };
}

/**
 * Where a shocked pool's sum still has mass: the shock's multiplier of the rate at its 1e-13 upper quantile g, plus
 * 12 sd of the sum given that shock, k E[S_1] g + 12 sqrt(g k Var_0(S_1)). A strong shock has a tail far beyond
 * mean + 12 sd; starting the grid there saves the doubling that would find it. Undefined without a shock.
 *
 * The quantile is the shock's own (pool-shock.ts): a Gamma of shape 1 / c^2 on a Poisson or negative binomial rate,
 * and on a binomial's a Beta of mean p and squared cv c^2 (divided by p). The Wilson-Hilferty approximation of the
 * Gamma's used before erred high by 29% at c^2 = 1.3 and more for the Beta (48.4 against 33.8 for Binomial(70,
 * 0.0067) at c^2 = 1.3): a grid of 2^19 points where 3 x 2^17 hold the sum, and the pooled count's pgf evaluated
 * at a third more frequencies for nothing.
 */
function shockedUpper(frequency: Frequency, severity: Severity, k: number, rho: number): number | undefined {
  if (!(rho > 0)) return undefined;
  const c2 = shockVariance(frequency, severity, rho);
  if (!(c2 > 1e-12)) return undefined;
  const g = Math.max(1, shockQuantile(frequency, c2, SHOCK_TAIL));
  const { mean, variance } = budgetMoments(frequency, severity);
  return k * mean * g + 12 * Math.sqrt(g * k * variance);
}

/** Upper-tail probability of the shock beyond the grid's reach (see shockedUpper). */
const SHOCK_TAIL = 1e-13;

/**
 * The upper `tail` quantile of a shared shock's multiplier of the rate (mean 1, squared cv c2): the Beta of a
 * binomial's rate p (betaShock, as pool-shock.ts mixes over it) divided by p, Gamma(1 / c2, 1 / c2) otherwise.
 * @example shockQuantile(binomial(70, 0.0067), 1.2957, 1e-13) // ~33.8 (Beta(0.760, 112.7) at 1 - 1e-13, over p)
 */
export function shockQuantile(frequency: Frequency, c2: number, tail: number): number {
  if (frequency.kind === "binomial") {
    const p = frequency.params.p as number;
    const { a, b } = betaShock(p, c2);
    return (1 - betaQuantile(tail, b, a)) / p;
  }
  const shape = 1 / c2;
  return gammaincinv(tail, shape, true) / shape;
}

export interface Budget {
  readonly frequency: Frequency;
  readonly severity: Severity;
}

/**
 * Share of a heterogeneous pool of independent budgets (e.g. a user's own campaigns): the transform of the sum
 * is the product of the budgets' transforms G_i(phi_i) on one lattice; the share is the sum divided by the
 * number of budgets.
 *
 * @param budgets - one or more budgets
 * @param step - common lattice step of the sum; automatic (the finest any budget needs) when absent
 * @returns the share's distribution (lattice step step / budgets.length).
 * Example: two identical Poisson(50) budgets give the same figures as pooledShare with k = 2.
 */
export function heterogeneousPool(budgets: ReadonlyArray<Budget>, step?: number, maxGrid = MAX_GRID): PoolResult {
  if (budgets.length === 0) throw new RangeError("a pool needs at least one budget");
  let mean = 0;
  let variance = 0;
  let top = 0;
  for (const b of budgets) {
    const m = budgetMoments(b.frequency, b.severity);
    mean += m.mean;
    variance += m.variance;
    top = Math.max(top, b.severity.atoms ? b.severity.upperPoint(0) : b.severity.upperPoint(1e-13));
  }
  const shape: AggregateShape = { mean, sd: Math.sqrt(variance), severityTop: top };
  const h = step ?? Math.min(...budgets.map((b) => autoLattice(shape, b.severity, maxGrid).step));
  gridFor(shape, h, maxGrid);
  // As in pooledShare: a given step rounds; the automatic one splits order values given as points.
  const terms = budgets.map((b) => {
    const method = step === undefined && b.severity.atoms ? "linear" : "rounding";
    let pmf = discretise(b.severity, h, method, maxGrid).pmf;
    // As in pooledShare: an automatic rounding lattice that moves E[X] by more than 1e-5 is split instead.
    if (step === undefined && !b.severity.atoms && b.severity.meanAbove) {
      if (Math.abs(latticeSeverityMoments(pmf, h).mean - b.severity.mean) > AUTO_MEAN_TOL * b.severity.mean) {
        pmf = discretise(b.severity, h, "linear", maxGrid).pmf;
      }
    }
    return frequencyTerm(b.frequency, pmf);
  });
  const lattice = compoundLattice(terms, shape, h, maxGrid);
  const k = budgets.length;
  return {
    distribution: new LatticeDistribution(lattice.pmf, h, k, lattice.offset),
    step: h,
    gridSize: lattice.gridSize,
    method: lattice.method,
    shock: { c2: 0, mixing: "none", nodes: 0 },
  };
}

/**
 * P(S_1 + ... + S_k = 0) of the model: G_total(P(X = 0)), the pooled count's pgf at the severity's atom at 0
 * (P(N_total = 0) for continuous order values), with the common shock mixed as in pooledShare.
 *
 * @param frequency - one budget's frequency
 * @param severity - the model's severity (its cdf at 0)
 * @param k - pool size, integer >= 1
 * @param rho - correlation in [0, maxCorrelation)
 * @returns the probability in [0, 1]. Example: poolZero(poisson(10), lognormalSeverity(0, 2), 1, 0) returns
 * e^-10 ~ 4.54e-5. Reference: "Loss Models", 5th ed., section 9.3 (P(S = 0) = P_N(f_X(0))).
 */
export function poolZero(frequency: Frequency, severity: Severity, k: number, rho: number): number {
  const atZero = severity.cdf(0);
  const c2 = shockVariance(frequency, severity, rho);
  const z = Float64Array.of(atZero, 0);
  pooledTerm(frequency, Float64Array.of(1), k, c2).term.apply(z, 1);
  return Math.min(1, Math.max(0, z[0] as number));
}
