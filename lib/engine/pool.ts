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
import {
  autoLattice,
  compoundLattice,
  frequencyTerm,
  gridFor,
  MAX_GRID,
  MAX_PGF_WORK,
  niceCeil,
  WorkLimitError,
} from "./aggregate";
import type { AggregateMethod, AggregateShape, AutoLattice, CompoundTerm, LatticeResult } from "./aggregate";
import { betaBinomialSeries, negativeBinomialMixtureSeries } from "./count-series";
import type { CountSeries } from "./count-series";
import { coarseLattice, needsCoarse, NotSmoothError, severityCharacteristic } from "./coarse";
import { discretise } from "./discretise";
import type { DiscretisationMethod } from "./discretise";
import { binomial, negativeBinomial } from "./frequency";
import type { Frequency } from "./frequency";
import { LatticeDistribution } from "./lattice";
import { LatticeCheckError } from "./lattice-check";
import { budgetMoments, latticeSeverityMoments, shareMoments, shockVariance } from "./pool-moments";
// The closed forms live in pool-moments.ts; re-exported here for the services and tests that import them with pooledShare.
export { budgetMoments, cvCurve, latticeSeverityMoments, maxCorrelation, poolSizeForCv, shareMoments, shockVariance } from "./pool-moments";
export type { PoolSizeAnswer } from "./pool-moments";
import { betaQuadrature, betaTrapezoid, gammaQuadrature, gammaTrapezoid } from "./quadrature";
import { capSeverity } from "./severity";
import type { Severity } from "./severity";

/** Squared-magnitude threshold below which a transform value is set to 0 (1e-20 in magnitude: over a grid of 2^20
 * points the inverse transform moves no probability by more than 1e-14, below the FFT's own round-off). */
const NEGLIGIBLE_SQ = 1e-40;
const MAX_NODES = 2048;

/** A weighted sum of pgfs sum_j w_j G_j(z): the transform of a quadrature mixture. */
function mixtureTerm(severity: Float64Array, parts: ReadonlyArray<Frequency>, weights: Float64Array): CompoundTerm {
  const m = parts.length;
  const first = parts[0] as Frequency;
  const last = parts[m - 1] as Frequency;
  let claims = 0;
  let second = 0;
  for (let q = 0; q < m; q++) {
    const f = parts[q] as Frequency;
    claims += (weights[q] as number) * f.mean;
    second += (weights[q] as number) * f.secondMoment;
  }
  return {
    severity,
    claims,
    // Var(M) = sum_q w_q E[N_q^2] - E[M]^2 of the mixture actually applied (the lattice's own count).
    claimsVariance: Math.max(0, second - claims * claims),
    work: m + 2,
    apply(z, count) {
      const tmp = new Float64Array(2);
      for (let i = 0, j = 0; i < count; i++, j += 2) {
        const zr = z[j] as number;
        const zi = z[j + 1] as number;
        // |G_j(z)| is monotone or convex in the mixing variable, so the end nodes bound every term: skip the
        // frequencies where the whole mixture is below 1e-20.
        first.pgfAt(zr, zi, tmp, 0);
        const a2 = (tmp[0] as number) ** 2 + (tmp[1] as number) ** 2;
        last.pgfAt(zr, zi, tmp, 0);
        const b2 = (tmp[0] as number) ** 2 + (tmp[1] as number) ** 2;
        if (a2 < NEGLIGIBLE_SQ && b2 < NEGLIGIBLE_SQ) {
          z[j] = 0;
          z[j + 1] = 0;
          continue;
        }
        let sr = 0;
        let si = 0;
        for (let q = 0; q < m; q++) {
          (parts[q] as Frequency).pgfAt(zr, zi, tmp, 0);
          const w = weights[q] as number;
          sr += w * (tmp[0] as number);
          si += w * (tmp[1] as number);
        }
        z[j] = sr;
        z[j + 1] = si;
      }
    },
  };
}

/** Quadrature nodes used for a correlated pool (for reporting). */
export interface ShockInfo {
  /** c^2 of the common shock. */
  readonly c2: number;
  /** "exact" (Poisson -> negative binomial), "beta-binomial" (the pooled count's pmf, evaluated as a series), or the
   * shock distribution integrated by quadrature ("gamma", "beta"). */
  readonly mixing: "none" | "exact" | "gamma" | "beta" | "beta-binomial";
  readonly nodes: number;
}

/**
 * The compound term of the sum of k budgets sharing a common rate shock of squared cv c2 (see module doc).
 *
 * @param quadratureOnly - mix the shock over its quadrature rule at every frequency, never as a count series (the
 * cross-check of the series; slower)
 * @returns the term and how the shock was mixed. Example: Poisson(50), k 10, c2 0.0136 gives an exact
 * NB(1 / 0.0136, 500) term.
 */
export function pooledTerm(
  frequency: Frequency,
  severity: Float64Array,
  k: number,
  c2: number,
  quadratureOnly = false,
): { term: CompoundTerm; shock: ShockInfo } {
  // A shock with c^2 below 1e-12 changes no figure beyond round-off (NB with r > 1e12 is Poisson): ignore it.
  if (!(c2 > 1e-12)) return { term: frequencyTerm(frequency.sumOf(k), severity), shock: { c2, mixing: "none", nodes: 0 } };
  if (frequency.kind === "poisson") {
    const nb = negativeBinomial(1 / c2, k * frequency.mean);
    return { term: frequencyTerm(nb, severity), shock: { c2, mixing: "exact", nodes: 0 } };
  }
  if (frequency.kind === "negbin") {
    const r = frequency.params.r as number;
    const m = frequency.params.mean as number;
    const shockShape = 1 / c2;
    const ownShape = k * r;
    // Integrate over the narrower Gamma: given L ~ Gamma(k r), mixing Poisson(k m G L) over G is NB(1/c^2, k m L);
    // given G, it is NB(k r, k m G).
    const narrow = Math.max(ownShape, shockShape);
    const wide = Math.min(ownShape, shockShape);
    const mix = adaptiveMixture((nodes) => {
      const rule = narrow >= 1 ? gammaTrapezoid(narrow, nodes) : gammaQuadrature(narrow, nodes);
      return { weights: rule.weights, parts: Array.from(rule.nodes, (x) => negativeBinomial(wide, k * m * x)) };
    });
    const quad = { term: mixtureTerm(severity, mix.parts, mix.weights), nodes: mix.parts.length };
    const means = mix.parts.map((f) => f.mean);
    const shock = { c2, mixing: "gamma" as const, nodes: quad.nodes };
    // The series' support, from the components' means +- 45 sd (a 1e-20 tail is within ~10 sd of a narrow NB, and
    // within 45 sd of one as wide as Gamma(0.3) mixing): a Horner sum over it costs support / HORNER_PER_PGF pgf
    // evaluations at the frequencies near 0. Past a few times the rule's nodes the series would only pay off where
    // the rule's own skip of negligible frequencies already does, and building it costs time of its own.
    const reach = (mu: number): number => 45 * Math.sqrt(mu + (mu * mu) / wide);
    const top = Math.max(...means.map((mu) => mu + reach(mu)));
    const bottom = Math.max(0, Math.min(...means.map((mu) => mu - reach(mu))));
    if (quadratureOnly || top - bottom > 4 * quad.nodes * HORNER_PER_PGF) return { term: quad.term, shock };
    const series = negativeBinomialMixtureSeries(wide, means, mix.weights, MAX_SERIES);
    if (series === null) return { term: quad.term, shock };
    return { term: seriesTerm(severity, series, () => quad), shock };
  }
  // Binomial: shared rate B ~ Beta with mean p and squared cv c2; given B the sum is Binomial(k n, B), so the
  // pooled count is beta-binomial.
  const n = frequency.params.n as number;
  const p = frequency.params.p as number;
  const total = (1 - p) / (p * c2) - 1; // alpha + beta of the Beta
  const a = p * total;
  const b = (1 - p) * total;
  const trapezoid = a >= 1 && b >= 1;
  const quadrature = (limit: number, budget: number): { term: CompoundTerm; nodes: number } | null => {
    // Finding a rule of n nodes checks every doubling at each probe (about 4 n probes pgf evaluations); a Gauss
    // rule also solves an eigenproblem per doubling (about 8 n^2 pgf evaluations' time, measured at n = 1024).
    const affordable = Math.min(budget / (4 * PROBES.length), trapezoid ? Infinity : Math.sqrt(budget / 8));
    const mix = adaptiveMixtureWithin((nodes) => {
      const rule = trapezoid ? betaTrapezoid(a, b, nodes) : betaQuadrature(a, b, nodes);
      return { weights: rule.weights, parts: Array.from(rule.nodes, (rate) => binomial(n * k, rate)) };
    }, Math.min(limit, affordable));
    return mix && { term: mixtureTerm(severity, mix.parts, mix.weights), nodes: mix.parts.length };
  };
  const series = quadratureOnly ? null : betaBinomialSeries(n * k, a, b, MAX_SERIES);
  if (series === null) {
    const q = quadrature(Infinity, Infinity) as { term: CompoundTerm; nodes: number };
    return { term: q.term, shock: { c2, mixing: "beta", nodes: q.nodes } };
  }
  const shock = { c2, mixing: "beta-binomial" as const, nodes: 0 };
  return { term: seriesTerm(severity, series, quadrature, shock), shock };
}

/** Horner steps (a complex multiply-add each, about 1.1 ns here) per binomial pgf evaluation (a log, an exp, an
 * atan2, a cos and a sin: about 22 ns), to pick the cheaper of series and quadrature and to count the work. */
const HORNER_PER_PGF = 20;
/** Fewest transform values on which a series term chooses between series and quadrature. */
const DECIDING_BATCH = 64;
/** Longest beta-binomial support evaluated as a series (8 MiB of pmf). */
const MAX_SERIES = 1 << 20;

/**
 * The compound term of a pooled count given as a series (see count-series.ts), with the shock mixture by quadrature
 * at the frequencies where that costs less (|phi| near 1 over a long support, where the series needs every term).
 * Both are right to about 1e-13. The rule is built once, on the first batch of frequencies, and only if it needs
 * fewer nodes than the dearest frequency's series and costs at most a quarter of the series' work to find; then
 * each frequency takes the cheaper of its Horner steps and the rule's nodes. The work bound (MAX_PGF_WORK pgf
 * evaluations, a Horner step counted as 1 / HORNER_PER_PGF of one) is enforced over every call, as the lattice's
 * grid doubles, and the work spent is exposed for the density-sampled path's own bound.
 *
 * @param quadrature - the mixture term and its node count, or null when it needs more than `limit` nodes or more
 * work to find than `budget` pgf evaluations
 * @param shock - when given, its node count is set if the quadrature is used
 */
function seriesTerm(
  severity: Float64Array,
  series: CountSeries,
  quadrature: (limit: number, budget: number) => { term: CompoundTerm; nodes: number } | null,
  shock?: { nodes: number },
): CompoundTerm {
  let quad: { term: CompoundTerm; nodes: number } | null | undefined;
  let spent = 0;
  const charge = (work: number): void => {
    spent += work;
    if (spent > MAX_PGF_WORK) throw new WorkLimitError(spent);
  };
  // Var(M) of the series' own pmf about its exact mean (compensation is not needed at the 1e-4 check).
  let second = 0;
  for (let i = 0; i < series.pmf.length; i++) second += (series.pmf[i] as number) * (series.lo + i - series.mean) ** 2;
  return {
    severity,
    claims: series.mean,
    claimsVariance: second,
    // Two or more: the pre-computation work check leaves this term to `charge`, and the wrap check allows for a
    // mixture's round-off (the series' Horner sums carry about (support length) eps).
    work: 2,
    get spent() {
      return spent;
    },
    apply(z, count) {
      const steps = new Float64Array(count);
      let worst = 0;
      for (let i = 0; i < count; i++) {
        const s = series.stepsAt(z[2 * i] as number, z[2 * i + 1] as number);
        steps[i] = s;
        worst = Math.max(worst, s);
      }
      // A single point (the atom at 0, a coarse lattice's bins) says little about the rest: decide on a batch.
      // A rule is worth building only if it needs fewer nodes than the dearest frequency's series, and if finding
      // it costs at most a quarter of the series' work.
      if (quad === undefined && count >= DECIDING_BATCH) {
        let total = 0;
        for (let i = 0; i < count; i++) total += steps[i] as number;
        quad = quadrature(Math.max(FIRST_NODES, worst / HORNER_PER_PGF), total / HORNER_PER_PGF / 4);
        if (quad && shock && worst > quad.nodes * HORNER_PER_PGF) shock.nodes = quad.nodes;
      }
      // Per frequency, the cheaper: the series' Horner steps or the rule's nodes (plus a logarithm and a binary
      // search per frequency for where to truncate).
      const cut = quad ? quad.nodes * HORNER_PER_PGF : Infinity;
      let work = count;
      const nodes = quad ? quad.nodes : 0;
      for (let i = 0; i < count; i++) {
        const s = steps[i] as number;
        work += s > cut ? nodes : s / HORNER_PER_PGF;
      }
      charge(work);
      // The rule's frequencies in one batch (gathered, mixed, scattered back).
      const picked: number[] = [];
      for (let i = 0; i < count; i++) {
        const s = steps[i] as number;
        if (quad && s > cut) picked.push(i);
        else series.evalAt(z, 2 * i, s);
      }
      if (quad && picked.length > 0) {
        const batch = new Float64Array(2 * picked.length);
        picked.forEach((i, b) => {
          batch[2 * b] = z[2 * i] as number;
          batch[2 * b + 1] = z[2 * i + 1] as number;
        });
        quad.term.apply(batch, picked.length);
        picked.forEach((i, b) => {
          z[2 * i] = batch[2 * b] as number;
          z[2 * i + 1] = batch[2 * b + 1] as number;
        });
      }
    },
  };
}

/** Absolute agreement of two quadrature rules on the unit circle that ends the node doubling. */
const MIXTURE_TOL = 1e-13;
/** Below this, a difference that no longer halves with the node count is round-off in the pgfs (n eps for a
 * binomial with n trials), not quadrature error: the doubling stops there too. */
const MIXTURE_FLOOR = 1e-11;
const FIRST_NODES = 8;
/** Probe angles on the unit circle, log-spaced from 1e-9 to pi (the error is largest near theta ~ 1 / sd(N)). */
const PROBES = Array.from({ length: 96 }, (_, i) => 1e-9 * Math.pow(Math.PI / 1e-9, i / 95));

/** sum_q w_q G_q(e^(i theta)) at every probe angle, interleaved. */
function mixtureAtProbes(parts: ReadonlyArray<Frequency>, weights: Float64Array): Float64Array {
  const out = new Float64Array(2 * PROBES.length);
  const tmp = new Float64Array(2);
  PROBES.forEach((theta, i) => {
    const zr = Math.cos(theta);
    const zi = Math.sin(theta);
    let sr = 0;
    let si = 0;
    parts.forEach((f, q) => {
      f.pgfAt(zr, zi, tmp, 0);
      sr += (weights[q] as number) * (tmp[0] as number);
      si += (weights[q] as number) * (tmp[1] as number);
    });
    out[2 * i] = sr;
    out[2 * i + 1] = si;
  });
  return out;
}

/** Total weight of the nodes a mixture may leave out (every |G_q| <= 1 on the disk, so they move it by less). */
const PRUNED_WEIGHT = 1e-16;

/**
 * A quadrature rule without its negligible nodes: the smallest weights whose sum stays below 1e-16 are dropped and
 * the rest renormalised. Gauss rules with many nodes spread them over the whole support, far beyond where a
 * concentrated shock has its mass, and those nodes' weights underflow: dropping them changes the mixture by less
 * than 1e-16 and saves most of the work.
 *
 * @returns the kept nodes (in their original order) and weights summing to 1.
 */
function pruneNodes(rule: { parts: Frequency[]; weights: Float64Array }): { parts: Frequency[]; weights: Float64Array } {
  const order = Array.from(rule.weights.keys()).sort((a, b) => (rule.weights[a] as number) - (rule.weights[b] as number));
  const drop = new Set<number>();
  let dropped = 0;
  for (const q of order) {
    const w = rule.weights[q] as number;
    if (dropped + w >= PRUNED_WEIGHT) break;
    dropped += w;
    drop.add(q);
  }
  if (drop.size === 0) return rule;
  const parts: Frequency[] = [];
  const kept: number[] = [];
  rule.parts.forEach((f, q) => {
    if (!drop.has(q)) {
      parts.push(f);
      kept.push(rule.weights[q] as number);
    }
  });
  const total = kept.reduce((a, b) => a + b, 0);
  return { parts, weights: Float64Array.from(kept, (w) => w / total) };
}

/**
 * The smallest quadrature mixture (8, 16, 32, ... nodes, at most 2048) whose transform agrees with the rule of twice
 * as many nodes within 1e-13 everywhere on the unit circle (or, below 1e-11, stops improving: round-off).
 *
 * Why the circle is enough: the error of a rule, sum_q w_q G_q(z) - E[G_B(z)], is a power series in z with
 * absolutely summable coefficients (differences of probabilities), so by the maximum modulus principle its largest
 * value over the closed unit disk, where every severity transform lies, is taken on the circle. Gauss rules
 * converge geometrically in the node count for these analytic integrands, so the difference of two successive
 * rules measures the error of the smaller one. A narrow shock (large shape) stops at 8 nodes; a wide one with a
 * large pool needs more.
 *
 * @param build - the rule with a given node count: its weights and one frequency per node
 * @returns the parts and weights to mix. Example: a Gamma(1000) shock on NB(5, 20) stops at 8 nodes.
 */
export function adaptiveMixture(rule: (nodes: number) => { parts: Frequency[]; weights: Float64Array }): {
  parts: Frequency[];
  weights: Float64Array;
} {
  return adaptiveMixtureWithin(rule, Infinity) as { parts: Frequency[]; weights: Float64Array };
}

/**
 * `adaptiveMixture`, given up (null) once the rule in hand keeps more than `limit` nodes without having converged:
 * for a caller with a cheaper method past that point.
 */
function adaptiveMixtureWithin(
  rule: (nodes: number) => { parts: Frequency[]; weights: Float64Array },
  limit: number,
): { parts: Frequency[]; weights: Float64Array } | null {
  const build = (nodes: number): { parts: Frequency[]; weights: Float64Array } => pruneNodes(rule(nodes));
  let current = build(FIRST_NODES);
  let values = mixtureAtProbes(current.parts, current.weights);
  let previous = Infinity;
  for (let nodes = FIRST_NODES; nodes < MAX_NODES; nodes *= 2) {
    if (current.parts.length > limit) return null;
    const next = build(2 * nodes);
    const nextValues = mixtureAtProbes(next.parts, next.weights);
    let worst = 0;
    for (let i = 0; i < values.length; i += 2) {
      const dr = (values[i] as number) - (nextValues[i] as number);
      const di = (values[i + 1] as number) - (nextValues[i + 1] as number);
      worst = Math.max(worst, Math.hypot(dr, di));
    }
    if (worst < MIXTURE_TOL) return current;
    if (worst < MIXTURE_FLOOR && worst > previous / 2) return next;
    previous = worst;
    current = next;
    values = nextValues;
  }
  return current;
}

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
  /** Resolve the quantiles on a second lattice of capped order values when the grid limit forced a coarse step
   * (default true; see `QuantileLattice`). */
  readonly quantileLattice?: boolean;
}

/** Share of Var(S) a density-sampled lattice's split order values may add (a tenth of the lattice check's 1e-4). */
const SPLIT_VARIANCE_SHARE = 1e-5;

/** Relative error of E[X] an automatic rounding lattice may leave before the linear split replaces it. */
const AUTO_MEAN_TOL = 1e-5;

/** Probability by which capping the order values may move the quantile lattice's cdf (see `QuantileLattice`). */
export const QUANTILE_CAP_DELTA = 1e-6;

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
  // Grid and step from the model's moments (the shock's size from the lattice severity's, below).
  const share = shareMoments(frequency, severity, k, rho);
  const shape: AggregateShape = {
    mean: k * share.mean,
    sd: k * share.sd,
    severityTop: severity.atoms ? severity.upperPoint(0) : severity.upperPoint(1e-13),
    upper: shockedUpper(frequency, severity, k, rho),
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
    const pooled = pooledTerm(frequency, Float64Array.of(atZero), k, c2, opts.quadratureOnly);
    // Var(S) of the sum as this term computes it (the count of the mixture actually applied).
    const claimsVariance = pooled.term.claimsVariance;
    const sumVariance =
      claimsVariance === undefined
        ? shape.sd * shape.sd
        : pooled.term.claims * severity.variance + claimsVariance * severity.mean * severity.mean;
    // A grid transform's split may add up to 1e-5 of Var(S) (E[N] h^2 / 4, see severityCharacteristic).
    const coarsest = pooled.term.claims > 0 ? Math.sqrt((4 * SPLIT_VARIANCE_SHARE * sumVariance) / pooled.term.claims) : 0;
    const { cf, cost, grid } = severityCharacteristic(severity, coarsest);
    const counting = pooled.term;
    const term = {
      cf,
      ...(grid ? { grid } : {}),
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
      // An automatic lattice's mean must be the model's: rounding a density that is steep near 0 (gamma shape < 1)
      // moves E[X] by more than the 1e-5 the automatic step promises, and the mean-preserving split is then used.
      if (auto !== null && method === "rounding" && !severity.atoms && severity.meanAbove) {
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
      const pooled = pooledTerm(frequency, sev.pmf, k, c2, opts.quadratureOnly);
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
  if (coarsened && independent && opts.step === undefined && opts.quantileLattice !== false && severity.kind === "lognormal") {
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
 * Where a shocked pool's sum still has mass: the shock at its 1e-13 upper quantile g (of a Gamma with the shock's
 * shape 1 / c^2; for the Beta of a binomial this errs high), plus 12 sd of the sum given that shock,
 * k E[S_1] g + 12 sqrt(g k Var_0(S_1)). A strong shock has a tail far beyond mean + 12 sd; starting the grid there
 * saves the doubling that would find it. Undefined without a shock.
 */
function shockedUpper(frequency: Frequency, severity: Severity, k: number, rho: number): number | undefined {
  if (!(rho > 0)) return undefined;
  const c2 = shockVariance(frequency, severity, rho);
  if (!(c2 > 1e-12)) return undefined;
  // Wilson-Hilferty at z = 7.35 (1e-13): cheap, and above the exact quantile for shapes from 0.3 up (a grid a
  // little larger than needed rather than a doubling).
  const g = Math.max(1, 1 - c2 / 9 + 7.35 * Math.sqrt(c2 / 9)) ** 3;
  const { mean, variance } = budgetMoments(frequency, severity);
  return k * mean * g + 12 * Math.sqrt(g * k * variance);
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
