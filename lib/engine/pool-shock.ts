/**
 * The common shock's side of pooling: the pooled claim count's transform when every budget's rate is multiplied by
 * one shock (pooledTerm), mixed over a quadrature rule whose nodes double until the transform is accurate to 1e-13
 * (adaptiveMixture), or, where the mixed count's support is short, evaluated as a count series (see count-series.ts).
 * The model and its references are in pool.ts's module doc.
 */
import { frequencyTerm, MAX_PGF_WORK, WorkLimitError } from "./aggregate";
import type { CompoundTerm } from "./aggregate";
import { betaBinomialSeries, negativeBinomialMixtureSeries } from "./count-series";
import type { CountSeries } from "./count-series";
import { binomial, negativeBinomial } from "./frequency";
import type { Frequency } from "./frequency";
import { betaQuadrature, betaTrapezoid, gammaQuadrature, gammaTrapezoid } from "./quadrature";

/** Squared-magnitude threshold below which a transform value is set to 0 (1e-20 in magnitude: over a grid of 2^20
 * points the inverse transform moves no probability by more than 1e-14, below the FFT's own round-off). */
const NEGLIGIBLE_SQ = 1e-40;
const MAX_NODES = 2048;
const UNDERFLOW_LOG = -745.2; // below this exp() returns 0 in double precision

/** A weighted sum of pgfs sum_j w_j G_j(z): the transform of a quadrature mixture. */
export function mixtureTerm(severity: Float64Array, parts: ReadonlyArray<Frequency>, weights: Float64Array): CompoundTerm {
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
      // Each node's pgf over all points at once (no double crosses a call): the end nodes first, whose magnitudes
      // bound every term's (|G_j(z)| is monotone or convex in the mixing variable), so the frequencies where the
      // whole mixture is below 1e-20 are skipped; the rest are gathered, mixed in node order, and scattered back.
      const ends = new Float64Array(4 * count);
      const atFirst = ends.subarray(0, 2 * count);
      const atLast = ends.subarray(2 * count);
      first.applyPgf(z, count, atFirst);
      last.applyPgf(z, count, atLast);
      const kept = new Int32Array(count);
      let n = 0;
      for (let i = 0, j = 0; i < count; i++, j += 2) {
        const a2 = (atFirst[j] as number) ** 2 + (atFirst[j + 1] as number) ** 2;
        const b2 = (atLast[j] as number) ** 2 + (atLast[j + 1] as number) ** 2;
        if (a2 < NEGLIGIBLE_SQ && b2 < NEGLIGIBLE_SQ) {
          z[j] = 0;
          z[j + 1] = 0;
        } else kept[n++] = i;
      }
      if (n === 0) return;
      const points = new Float64Array(2 * n);
      for (let b = 0; b < n; b++) {
        const j = 2 * (kept[b] as number);
        points[2 * b] = z[j] as number;
        points[2 * b + 1] = z[j + 1] as number;
      }
      const sum = new Float64Array(2 * n);
      const values = new Float64Array(2 * n);
      for (let q = 0; q < m; q++) {
        const w = weights[q] as number;
        if (q === 0 || q === m - 1) {
          const end = q === 0 ? atFirst : atLast;
          for (let b = 0; b < n; b++) {
            const j = 2 * (kept[b] as number);
            values[2 * b] = end[j] as number;
            values[2 * b + 1] = end[j + 1] as number;
          }
        } else (parts[q] as Frequency).applyPgf(points, n, values);
        for (let b = 0; b < 2 * n; b++) sum[b] = (sum[b] as number) + w * (values[b] as number);
      }
      for (let b = 0; b < n; b++) {
        const j = 2 * (kept[b] as number);
        z[j] = sum[2 * b] as number;
        z[j + 1] = sum[2 * b + 1] as number;
      }
    },
  };
}

/** Largest |v| = 1 / |B u| at which `negativeBinomialMixtureTerm` sums its series (see there). */
const FAR_V = 0.1;
/** The series' truncation error bound, absolute (the mixture's own tolerance is MIXTURE_TOL, 1e-13). */
const FAR_TAIL = 1e-16;
/** Longest series kept (a shape r so large that the series would need more is left to the nodes). */
const FAR_MAX_TERMS = 256;

/**
 * The coefficients d_j of the far-field series of sum_q w_q (1 + beta_q u)^-r (see negativeBinomialMixtureTerm),
 * d_j = binom(-r, j) sum_q w_q (B / beta_q)^(r + j), as many as keep the truncation under FAR_TAIL for |v| <= FAR_V:
 * the terms' bound |binom(-r, j)| FAR_V^j shrinks by the ratio (r + j) FAR_V / (j + 1) from one to the next, which
 * falls towards FAR_V (r >= 1) or stays below it (r < 1); once a term is below FAR_TAIL / 2 with that ratio at most
 * 1/2, the rest sum to at most FAR_TAIL. Null when more than FAR_MAX_TERMS would be needed.
 */
function farSeries(r: number, ratios: Float64Array, weights: Float64Array): Float64Array | null {
  const m = ratios.length;
  const powers = Float64Array.from(ratios, (x, q) => (weights[q] as number) * Math.pow(x, r));
  const d: number[] = [];
  let binom = 1; // binom(-r, j)
  let bound = 1; // |binom(-r, j)| FAR_V^j
  for (let j = 0; j < FAR_MAX_TERMS; j++) {
    let sum = 0;
    for (let q = 0; q < m; q++) {
      sum += powers[q] as number;
      powers[q] = (powers[q] as number) * (ratios[q] as number);
    }
    d.push(binom * sum);
    const ratio = ((r + j) * FAR_V) / (j + 1);
    if (bound * ratio < FAR_TAIL / 2 && ratio <= 0.5) return Float64Array.from(d);
    binom *= -(r + j) / (j + 1);
    bound *= ratio;
  }
  return null;
}

/** Nodes whose scale beta_q is below this share of the largest are summed one by one at every point (see below). */
const FAR_SPAN = 1e-3;

/**
 * The mixture sum_q w_q G_q(z) of negative binomials of one shape r and scales beta_q (the shocked pool's count
 * given the narrower Gamma's nodes, see pooledTerm): G_q(z) = (1 + beta_q u)^-r with u = 1 - z. For the nodes with
 * beta_q >= B (B the larger of the smallest scale and FAR_SPAN times the largest), where the severity's transform is
 * away from 1 (|B u| >= 1 / FAR_V: all but the lowest frequencies of a lattice with many claims), their sum is one
 * complex power and a short series,
 *   sum_q w_q (1 + beta_q u)^-r = (B u)^-r sum_j d_j v^j,  v = 1 / (B u),  d_j = binom(-r, j) sum_q w_q (B / beta_q)^(r + j),
 * from (1 + beta u)^-r = (beta u)^-r (1 + 1 / (beta u))^-r, whose principal branches agree because Re u >= 0 on the
 * unit disk (both factors' arguments lie in (-pi/2, pi/2)). Its truncation is below FAR_TAIL absolute (|B u|^-r <= 1
 * there), a thousandth of the nodes' own tolerance, at the cost of about one pgf and a few dozen multiply-adds per
 * point instead of one pgf per node (26 on the real daily campaign's week at rho 0.95). The nodes below B, the points
 * near z = 1, and a shape whose series would be too long are summed node by node (`mixtureTerm`).
 */
export function negativeBinomialMixtureTerm(
  severity: Float64Array,
  r: number,
  parts: ReadonlyArray<Frequency>,
  weights: Float64Array,
): CompoundTerm {
  const base = mixtureTerm(severity, parts, weights);
  const betas = Float64Array.from(parts, (f) => (f.params.mean as number) / (f.params.r as number));
  const b = Math.max(Math.min(...betas), FAR_SPAN * Math.max(...betas));
  const big: number[] = [];
  const small: number[] = [];
  betas.forEach((beta, q) => (beta >= b ? big : small).push(q));
  const d = farSeries(
    r,
    Float64Array.from(big, (q) => b / (betas[q] as number)),
    Float64Array.from(big, (q) => weights[q] as number),
  );
  if (d === null || !(b > 0)) return base;
  const rest =
    small.length > 0
      ? mixtureTerm(
          severity,
          small.map((q) => parts[q] as Frequency),
          Float64Array.from(small, (q) => weights[q] as number),
        )
      : null;
  const series = d;
  const last = series.length - 1;
  // |u|^2 at or above this: |v| <= FAR_V
  const farSq = 1 / (FAR_V * b) ** 2;
  const logB = Math.log(b);
  return {
    ...base,
    apply(z, count) {
      const near = new Int32Array(count);
      const far = new Int32Array(count);
      let nNear = 0;
      let nFar = 0;
      for (let i = 0, j = 0; i < count; i++, j += 2) {
        const ur = 1 - (z[j] as number);
        const ui = -(z[j + 1] as number);
        if (ur * ur + ui * ui < farSq) near[nNear++] = i;
        else far[nFar++] = i;
      }
      const nearZ = gather(z, near, nNear);
      const farZ = gather(z, far, nFar);
      const restZ = rest ? farZ.slice() : null;
      for (let k = 0; k < 2 * nFar; k += 2) {
        const ur = 1 - (farZ[k] as number);
        const ui = -(farZ[k + 1] as number);
        const uu = ur * ur + ui * ui;
        // (B u)^-r
        const l = -r * (logB + 0.5 * Math.log(uu));
        if (l < UNDERFLOW_LOG) {
          farZ[k] = 0;
          farZ[k + 1] = 0;
          continue;
        }
        const mag = Math.exp(l);
        const ang = -r * Math.atan2(ui, ur);
        const fr = mag * Math.cos(ang);
        const fi = mag * Math.sin(ang);
        // sum_j d_j v^j by Horner, v = conj(u) / (B |u|^2)
        const vr = ur / (b * uu);
        const vi = -ui / (b * uu);
        let sr = series[last] as number;
        let si = 0;
        for (let t = last - 1; t >= 0; t--) {
          const tr = sr * vr - si * vi + (series[t] as number);
          si = sr * vi + si * vr;
          sr = tr;
        }
        farZ[k] = fr * sr - fi * si;
        farZ[k + 1] = fr * si + fi * sr;
      }
      if (rest && restZ) {
        rest.apply(restZ, nFar);
        for (let k = 0; k < 2 * nFar; k++) farZ[k] = (farZ[k] as number) + (restZ[k] as number);
      }
      for (let k = 0; k < 2 * nFar; k += 2) {
        // below 1e-20 the node-by-node sum sets the value to 0 as well
        if ((farZ[k] as number) ** 2 + (farZ[k + 1] as number) ** 2 < NEGLIGIBLE_SQ) {
          farZ[k] = 0;
          farZ[k + 1] = 0;
        }
      }
      if (nNear > 0) base.apply(nearZ, nNear);
      scatter(z, near, nNear, nearZ);
      scatter(z, far, nFar, farZ);
    },
  };
}

/** The complex values of z at the `n` point indexes in `at`, packed. */
function gather(z: Float64Array, at: Int32Array, n: number): Float64Array {
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    const j = 2 * (at[k] as number);
    out[2 * k] = z[j] as number;
    out[2 * k + 1] = z[j + 1] as number;
  }
  return out;
}

/** Writes the packed values back to the point indexes they were gathered from. */
function scatter(z: Float64Array, at: Int32Array, n: number, values: Float64Array): void {
  for (let k = 0; k < n; k++) {
    const j = 2 * (at[k] as number);
    z[j] = values[2 * k] as number;
    z[j + 1] = values[2 * k + 1] as number;
  }
}

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
