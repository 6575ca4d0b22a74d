/**
 * Claim-size (order-value) distributions X of the aggregate S = X_1 + ... + X_N.
 *
 * Each factory validates once and returns the moments, the cdf F, the survival function 1 - F computed from a
 * complementary function (erfc, the upper incomplete gamma) so the far tail keeps its relative precision, the
 * point beyond which the remaining mass is below a tolerance (the lattice truncation point), and a sampler.
 * Special functions come from stdlib-js (https://github.com/stdlib-js/stdlib).
 */
import erfc from "@stdlib/math-base-special-erfc";
import erfcinv from "@stdlib/math-base-special-erfcinv";
import gammainc from "@stdlib/math-base-special-gammainc";
import gammaCdf from "@stdlib/stats-base-dists-gamma-cdf";
import lognormalCdf from "@stdlib/stats-base-dists-lognormal-cdf";
import type { Rng } from "./rng";

export type SeverityKind = "constant" | "lognormal" | "gamma" | "empirical";

export interface Severity {
  readonly kind: SeverityKind;
  readonly mean: number;
  /** E[X^2]. */
  readonly secondMoment: number;
  readonly variance: number;
  /** A median (P(X <= m) >= 1/2 <= P(X >= m)): below it the cdf is the precise side, above it the survival. */
  readonly median: number;
  /** The atoms of a discrete severity, sorted by value with merged duplicates; null for a continuous one. */
  readonly atoms: ReadonlyArray<readonly [number, number]> | null;
  /** P(X <= x). */
  cdf(x: number): number;
  /** P(X > x), accurate to relative precision in the upper tail. */
  sf(x: number): number;
  /** Smallest x with P(X > x) <= eps (eps in (0, 0.5)); the largest atom for a discrete severity. */
  upperPoint(eps: number): number;
  /** E[X 1{X > x}], the first moment above x (continuous severities; used by the mean-preserving split). */
  meanAbove?(x: number): number;
  /** One draw. */
  sample(rng: Rng): number;
}

function requireFinite(name: string, v: number): void {
  if (!Number.isFinite(v)) throw new RangeError(`${name} must be a finite number, got ${v}`);
}

function discrete(kind: SeverityKind, atoms: Array<[number, number]>): Severity {
  // Sort and merge equal values; renormalise so the probabilities sum to exactly 1 in double precision.
  atoms.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [v, p] of atoms) {
    const last = merged[merged.length - 1];
    if (last && last[0] === v) last[1] += p;
    else merged.push([v, p]);
  }
  const kept = merged.filter(([, p]) => p > 0);
  if (kept.length === 0) throw new RangeError("a discrete severity needs at least one point with probability > 0");
  const total = kept.reduce((s, [, p]) => s + p, 0);
  for (const a of kept) a[1] /= total;
  const values = Float64Array.from(kept, (a) => a[0]);
  const probs = Float64Array.from(kept, (a) => a[1]);
  // Survival at each atom, summed from the top so tail probabilities keep their precision.
  const above = new Float64Array(kept.length);
  for (let i = kept.length - 2; i >= 0; i--) above[i] = (above[i + 1] as number) + (probs[i + 1] as number);
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const p = probs[i] as number;
    mean += v * p;
    m2 += v * v * p;
  }
  if (!(mean > 0)) throw new RangeError("a severity must have a positive mean (some value > 0)");
  // Index of the last atom <= x (binary search), -1 when x is below every atom.
  const lastAtOrBelow = (x: number): number => {
    let lo = -1;
    let hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((values[mid] as number) <= x) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const cum = new Float64Array(kept.length);
  let acc = 0;
  for (let i = 0; i < kept.length; i++) {
    acc += probs[i] as number;
    cum[i] = acc;
  }
  const top = values[values.length - 1] as number;
  let medianIdx = 0;
  while (medianIdx < cum.length - 1 && (cum[medianIdx] as number) < 0.5) medianIdx++;
  return {
    kind,
    median: values[medianIdx] as number,
    mean,
    secondMoment: m2,
    variance: Math.max(0, m2 - mean * mean),
    atoms: kept.map(([v, p]) => [v, p] as const),
    cdf(x) {
      const i = lastAtOrBelow(x);
      return i < 0 ? 0 : Math.min(1, cum[i] as number);
    },
    sf(x) {
      const i = lastAtOrBelow(x);
      return i < 0 ? 1 : (above[i] as number);
    },
    upperPoint() {
      return top;
    },
    sample(rng) {
      const u = rng.uniform();
      let lo = 0;
      let hi = values.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((cum[mid] as number) > u) hi = mid;
        else lo = mid + 1;
      }
      return values[lo] as number;
    },
  };
}

/**
 * Every order worth the same amount: X = value with probability 1.
 *
 * @param value - value > 0 (finite). value = 1 turns the aggregate into the conversion count itself.
 * @returns a `Severity` with mean value and variance 0. Example: constantSeverity(90).mean returns 90.
 */
export function constantSeverity(value: number): Severity {
  requireFinite("value", value);
  if (!(value > 0)) throw new RangeError(`value must be > 0, got ${value}`);
  return discrete("constant", [[value, 1]]);
}

/**
 * Order values from data: X takes value v_i with probability p_i.
 *
 * @param points - [value, prob] pairs: value >= 0 finite, prob >= 0, probabilities summing to 1 (they are
 * renormalised; the contract's schema bounds how far from 1 they may be), at least one value > 0
 * @returns a `Severity`. Example: empiricalSeverity([[10, 0.5], [30, 0.5]]).mean returns 20.
 */
export function empiricalSeverity(points: ReadonlyArray<readonly [number, number]>): Severity {
  if (points.length === 0) throw new RangeError("an empirical severity needs at least one point");
  const atoms: Array<[number, number]> = [];
  for (const [v, p] of points) {
    requireFinite("value", v);
    requireFinite("prob", p);
    if (v < 0) throw new RangeError(`values must be >= 0, got ${v}`);
    if (p < 0) throw new RangeError(`probabilities must be >= 0, got ${p}`);
    atoms.push([v, p]);
  }
  return discrete("empirical", atoms);
}

/**
 * Lognormal order values: log X ~ Normal(mu, sigma^2).
 *
 * F(x) = Phi((ln x - mu) / sigma); 1 - F(x) = erfc((ln x - mu) / (sigma sqrt 2)) / 2 (no cancellation in the tail);
 * E[X] = exp(mu + sigma^2 / 2), E[X^2] = exp(2 mu + 2 sigma^2); the truncation point for tail mass eps is
 * exp(mu + sigma sqrt(2) erfcinv(2 eps)).
 *
 * @param mu - location of log X, finite
 * @param sigma - scale of log X, sigma > 0
 * @returns a `Severity`. Example: lognormalSeverity(4, 1).mean returns ~90.0171.
 * @see N. L. Johnson, S. Kotz, N. Balakrishnan, "Continuous Univariate Distributions" vol. 1, ch. 14.
 */
export function lognormalSeverity(mu: number, sigma: number): Severity {
  requireFinite("mu", mu);
  requireFinite("sigma", sigma);
  if (!(sigma > 0)) throw new RangeError(`sigma must be > 0, got ${sigma}`);
  const mean = Math.exp(mu + 0.5 * sigma * sigma);
  const m2 = Math.exp(2 * mu + 2 * sigma * sigma);
  const k = 1 / (sigma * Math.SQRT2);
  return {
    kind: "lognormal",
    median: Math.exp(mu),
    mean,
    secondMoment: m2,
    // Var = E[X]^2 (exp(sigma^2) - 1): expm1 keeps small sigma accurate.
    variance: mean * mean * Math.expm1(sigma * sigma),
    atoms: null,
    cdf(x) {
      return x <= 0 ? 0 : lognormalCdf(x, mu, sigma);
    },
    sf(x) {
      return x <= 0 ? 1 : 0.5 * erfc((Math.log(x) - mu) * k);
    },
    upperPoint(eps) {
      return Math.exp(mu + sigma * Math.SQRT2 * erfcinv(2 * eps));
    },
    meanAbove(x) {
      // E[X 1{X > x}] = E[X] Phi-bar((ln x - mu - sigma^2) / sigma) (the size-biased law is lognormal(mu + sigma^2)).
      return x <= 0 ? mean : mean * 0.5 * erfc((Math.log(x) - mu - sigma * sigma) * k);
    },
    sample(rng) {
      return rng.lognormal(mu, sigma);
    },
  };
}

/**
 * Gamma order values with shape alpha and scale theta: density x^(alpha-1) e^(-x/theta) / (Gamma(alpha) theta^alpha).
 *
 * F(x) = P(alpha, x / theta) (regularised lower incomplete gamma); 1 - F(x) = Q(alpha, x / theta) computed
 * directly as the upper regularised incomplete gamma; E[X] = alpha theta, E[X^2] = alpha (alpha + 1) theta^2.
 *
 * @param shape - alpha > 0
 * @param scale - theta > 0
 * @returns a `Severity`. Example: gammaSeverity(2, 40).mean returns 80.
 * @see Johnson, Kotz, Balakrishnan, "Continuous Univariate Distributions" vol. 1, ch. 17.
 */
export function gammaSeverity(shape: number, scale: number): Severity {
  requireFinite("shape", shape);
  requireFinite("scale", scale);
  if (!(shape > 0)) throw new RangeError(`shape must be > 0, got ${shape}`);
  if (!(scale > 0)) throw new RangeError(`scale must be > 0, got ${scale}`);
  const rate = 1 / scale;
  const sf = (x: number): number => (x <= 0 ? 1 : gammainc(x * rate, shape, true, true));
  // Median by bisection on the cdf (once per severity; no closed form).
  let lo = 0;
  let hi = Math.max(shape * scale, scale);
  while (gammaCdf(hi, shape, rate) < 0.5) hi *= 2;
  for (let i = 0; i < 100 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (gammaCdf(mid, shape, rate) < 0.5) lo = mid;
    else hi = mid;
  }
  return {
    kind: "gamma",
    median: hi,
    mean: shape * scale,
    secondMoment: shape * (shape + 1) * scale * scale,
    variance: shape * scale * scale,
    atoms: null,
    cdf(x) {
      return x <= 0 ? 0 : gammaCdf(x, shape, rate);
    },
    sf,
    upperPoint(eps) {
      // Bracket by doubling from the mean, then bisect on the monotone survival function.
      let lo = 0;
      let hi = Math.max(shape * scale, scale);
      while (sf(hi) > eps) {
        lo = hi;
        hi *= 2;
      }
      for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
        const mid = 0.5 * (lo + hi);
        if (sf(mid) > eps) lo = mid;
        else hi = mid;
      }
      return hi;
    },
    meanAbove(x) {
      // E[X 1{X > x}] = alpha theta Q(alpha + 1, x / theta) (the size-biased law is Gamma(alpha + 1, theta)).
      return x <= 0 ? shape * scale : shape * scale * gammainc(x * rate, shape + 1, true, true);
    },
    sample(rng) {
      return rng.gamma(shape) * scale;
    },
  };
}

/** Severity parameters as they appear in a model request (see contract.ts). */
export type SeveritySpec =
  | { kind: "constant"; value: number }
  | { kind: "lognormal"; mu: number; sigma: number }
  | { kind: "gamma"; shape: number; scale: number }
  | { kind: "empirical"; points: ReadonlyArray<readonly [number, number]> };

/** Builds the `Severity` for a request's parameters (already validated by the contract's schema). */
export function severityFromSpec(spec: SeveritySpec): Severity {
  switch (spec.kind) {
    case "constant":
      return constantSeverity(spec.value);
    case "lognormal":
      return lognormalSeverity(spec.mu, spec.sigma);
    case "gamma":
      return gammaSeverity(spec.shape, spec.scale);
    case "empirical":
      return empiricalSeverity(spec.points);
  }
}

/**
 * Order values capped at T: X' = min(X, T), for a lognormal X (the heavy tail whose reach forces coarse lattices).
 *
 * F'(x) = F(x) for x < T and 1 from T on (an atom P(X > T) at T); E[X'] = E[X] - E[X 1{X > T}] + T P(X > T);
 * E[X'^2] = E[X^2] - E[X^2 1{X > T}] + T^2 P(X > T), with E[X^j 1{X > x}] = E[X^j] Phi-bar((ln x - mu - j sigma^2)
 * / sigma). Sums of capped orders equal the true sums unless some order exceeds T, so with E[N] claims every cdf
 * value of S' is within E[N] P(X > T) of S's (from above), and every quantile q'(p) lies in [q(p - delta), q(p)],
 * delta = E[N] P(X > T).
 *
 * @param severity - a lognormal severity (mu and sigma are read back from its median and mean)
 * @param cap - T > 0
 * @returns the capped severity (kind "lognormal", atoms null). Edge cases: a cap beyond the 1e-13 point returns
 * the severity unchanged. Example: capSeverity(lognormalSeverity(0, 3), 6.6e7).mean returns ~89.6 (E[X] 90.02).
 * Reference: Klugman, Panjer, Willmot, "Loss Models", 5th ed., section 3.1 (limited expected values).
 */
export function capSeverity(severity: Severity, cap: number): Severity {
  if (severity.kind !== "lognormal") throw new RangeError(`capping is implemented for lognormal order values, not ${severity.kind}`);
  if (!(cap > 0) || !Number.isFinite(cap)) throw new RangeError(`cap must be a finite number > 0, got ${cap}`);
  if (cap >= severity.upperPoint(1e-13)) return severity;
  const mu = Math.log(severity.median);
  const sigma = Math.sqrt(2 * Math.log(severity.mean / severity.median));
  const k = 1 / (sigma * Math.SQRT2);
  const above = (j: number, x: number): number => 0.5 * erfc((Math.log(x) - mu - j * sigma * sigma) * k);
  const tail = severity.sf(cap);
  const mean = severity.mean * (1 - above(1, cap)) + cap * tail;
  const m2 = severity.secondMoment * (1 - above(2, cap)) + cap * cap * tail;
  const meanAbove = severity.meanAbove as (x: number) => number;
  return {
    kind: "lognormal",
    median: severity.median,
    mean,
    secondMoment: m2,
    variance: Math.max(0, m2 - mean * mean),
    atoms: null,
    cdf: (x) => (x >= cap ? 1 : severity.cdf(x)),
    sf: (x) => (x >= cap ? 0 : severity.sf(x)),
    upperPoint: (eps) => Math.min(cap, severity.upperPoint(eps)),
    meanAbove: (x) => (x >= cap ? 0 : meanAbove(x) - meanAbove(cap) + cap * tail),
    sample: (rng) => Math.min(cap, severity.sample(rng)),
  };
}
