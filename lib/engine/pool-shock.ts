/**
 * The common shock's side of pooling: the pooled claim count's transform when every budget's rate is multiplied by
 * one shock (pooledTerm), mixed over a quadrature rule whose nodes double until the transform is accurate to 1e-13
 * (adaptiveMixture; the mixture's transform is shock-mixture.ts), or, where the mixed count's support is short,
 * evaluated as a count series (see count-series.ts).
 * The model and its references are in pool.ts's module doc.
 */
import { frequencyTerm, MAX_PGF_WORK, WorkLimitError } from "./aggregate";
import type { CompoundTerm } from "./aggregate";
import { betaBinomialSeries, negativeBinomialMixtureSeries } from "./count-series";
import type { CountSeries } from "./count-series";
import { binomial, negativeBinomial } from "./frequency";
import type { Frequency } from "./frequency";
import { betaQuadrature, betaTrapezoid, gammaQuadrature, gammaTrapezoid } from "./quadrature";
import { mixtureTerm, negativeBinomialMixtureTerm } from "./shock-mixture";

const MAX_NODES = 2048;

/** How pooledTerm mixes a shock (see its `mixing` parameter). */
export type ShockMixing = "auto" | "quadrature" | "moments";

/** Gauss nodes of a moments-only mixture: 2 integrate polynomials up to degree 3 in the mixing variable exactly. */
const MOMENT_NODES = 2;

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
 * @param mixing - "auto": the cheaper of quadrature and count series per frequency; "quadrature": the rule at every
 * frequency, never a series (the cross-check of the series; slower); "moments": a negative binomial's Gamma mixed
 * over the 2-node Gauss-Laguerre rule, exact for E[L], E[L^2] and E[L^3], so the lattice's mean and variance (linear
 * and quadratic in L given the shock) are those of the full mixture up to round-off, its shape is not (see
 * `PoolOptions.momentsOnly`)
 * @returns the term and how the shock was mixed. Example: Poisson(50), k 10, c2 0.0136 gives an exact
 * NB(1 / 0.0136, 500) term.
 */
export function pooledTerm(
  frequency: Frequency,
  severity: Float64Array,
  k: number,
  c2: number,
  mixing: ShockMixing = "auto",
): { term: CompoundTerm; shock: ShockInfo } {
  const quadratureOnly = mixing === "quadrature";
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
    const ruleOf = (nodes: number) => {
      const rule = narrow >= 1 && mixing !== "moments" ? gammaTrapezoid(narrow, nodes) : gammaQuadrature(narrow, nodes);
      return { weights: rule.weights, parts: Array.from(rule.nodes, (x) => negativeBinomial(wide, k * m * x)) };
    };
    const mix = mixing === "moments" ? ruleOf(MOMENT_NODES) : adaptiveMixture(ruleOf);
    const quad = { term: negativeBinomialMixtureTerm(severity, wide, mix.parts, mix.weights), nodes: mix.parts.length };
    const shock = { c2, mixing: "gamma" as const, nodes: quad.nodes };
    if (mixing === "moments") return { term: quad.term, shock };
    const means = mix.parts.map((f) => f.mean);
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
  const { a, b } = betaShock(p, c2);
  const trapezoid = a >= 1 && b >= 1;
  const quadrature = (limit: number, budget: number): { term: CompoundTerm; nodes: number } | null => {
    // Finding a rule of n nodes checks every doubling at each probe (about 4 n probes pgf evaluations); a Gauss
    // rule also solves an eigenproblem per doubling (about 8 n^2 pgf evaluations' time, measured at n = 1024).
    const affordable = Math.min(budget / (4 * PROBES.length), trapezoid ? Infinity : Math.sqrt(budget / 8));
    if (Math.min(limit, affordable) < minRuleNodes(n * k)) return null;
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

/**
 * The Beta(a, b) of a binomial pool's shared rate: mean p and squared cv c2, so a + b = (1 - p) / (p c2) - 1.
 * @example betaShock(0.0067, 1.2957) // { a: ~0.760, b: ~112.7 }
 */
export function betaShock(p: number, c2: number): { a: number; b: number } {
  const total = (1 - p) / (p * c2) - 1;
  return { a: p * total, b: (1 - p) * total };
}

/**
 * Fewest nodes a rule over the shared rate B needs before it is worth looking for, for a pooled binomial of
 * `trials` trials. The integrand (1 - B + B e^(i theta))^trials turns over about trials B theta times across the
 * Beta's range and, at theta near pi, is a layer of width about 1 / trials at B = 0, where the nodes of a rule on
 * [0, 1] are about 1 / nodes^2 apart: a rule of fewer than about sqrt(trials) nodes cannot integrate it, and two such
 * rules can agree at every probe angle and both be wrong (see `verifyRule`). Measured against the exact series at 8
 * angles (tests/unit/engine/pool-shock.test.ts), Beta(0.76, 112.6): the smallest Gauss rule within 1e-12 has 64,
 * 256 and 1,024 nodes for 700, 7,000 and 70,000 trials, where 2 sqrt(trials) is 53, 167 and 529. Before this bound,
 * every rule looked for in the engine's benchmarks and fuzz regressions (9, from 700 to 1.9e7 trials) was either not
 * found within its budget or refused by `verifyRule`, after up to 900 ms per lattice; the series is exact, so
 * nothing is lost by not looking.
 */
export const minRuleNodes = (trials: number): number => 2 * Math.sqrt(trials);

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
        if (quad) {
          const checked = verifyRule(z, steps, count, quad, series);
          charge(checked.work);
          if (!checked.agrees) quad = null;
        }
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

/** Frequencies at which a rule is checked against the series before it replaces it (see `verifyRule`). */
const VERIFY_POINTS = 16;
/**
 * Largest |rule - series| accepted at a checked frequency. The series is right to about 2 L eps (Horner's rule over
 * a support of L <= 2^20 points: 5e-10); a rule whose error is within that is as good as the series.
 */
const VERIFY_TOL = 1e-9;

/**
 * Checks a quadrature rule against the series at the frequencies where it would replace the series (those dearer
 * than the rule's nodes), at up to VERIFY_POINTS of them spread evenly, the dearest included. The rule's doubling
 * stops when two rules agree at 96 probe angles of the unit circle (see adaptiveMixture), but a pooled count over
 * millions of trials has a transform that oscillates far faster than the probes are spaced: there two rules can
 * agree at every probe and both be wrong by 1e-2 in between (a beta-binomial over 1.9e7 trials with a = 0.33 did).
 * The series is exact to round-off, so it is the reference; a rule that misses it is not used.
 *
 * @param z - the transform values phi (interleaved, unchanged)
 * @param steps - the series' Horner steps at each
 * @returns whether the rule agrees everywhere checked within VERIFY_TOL, and the work spent (pgf evaluations).
 */
function verifyRule(
  z: Float64Array,
  steps: Float64Array,
  count: number,
  quad: { term: CompoundTerm; nodes: number },
  series: CountSeries,
): { agrees: boolean; work: number } {
  const cut = quad.nodes * HORNER_PER_PGF;
  const candidates: number[] = [];
  let dearest = -1;
  for (let i = 0; i < count; i++) {
    const s = steps[i] as number;
    if (s > cut) {
      candidates.push(i);
      if (dearest < 0 || s > (steps[dearest] as number)) dearest = i;
    }
  }
  if (candidates.length === 0) return { agrees: true, work: 0 };
  const picked = new Set<number>([dearest]);
  for (let j = 0; j < VERIFY_POINTS - 1 && j < candidates.length; j++) {
    picked.add(candidates[Math.floor(((j + 0.5) * candidates.length) / (VERIFY_POINTS - 1))] as number);
  }
  const at = [...picked];
  const bySeries = new Float64Array(2 * at.length);
  let work = 0;
  at.forEach((i, b) => {
    bySeries[2 * b] = z[2 * i] as number;
    bySeries[2 * b + 1] = z[2 * i + 1] as number;
    series.evalAt(bySeries, 2 * b, steps[i] as number);
    work += (steps[i] as number) / HORNER_PER_PGF;
  });
  const byRule = new Float64Array(2 * at.length);
  at.forEach((i, b) => {
    byRule[2 * b] = z[2 * i] as number;
    byRule[2 * b + 1] = z[2 * i + 1] as number;
  });
  quad.term.apply(byRule, at.length);
  work += at.length * quad.nodes;
  for (let b = 0; b < at.length; b++) {
    const d = Math.hypot((byRule[2 * b] as number) - (bySeries[2 * b] as number), (byRule[2 * b + 1] as number) - (bySeries[2 * b + 1] as number));
    if (!(d <= VERIFY_TOL)) return { agrees: false, work };
  }
  return { agrees: true, work };
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
