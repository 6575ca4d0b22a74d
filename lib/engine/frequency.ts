/**
 * Claim-count (conversion-count) distributions N of the aggregate S = X_1 + ... + X_N.
 *
 * Each factory validates its parameters once and returns an immutable object with the moments, the pmf (log
 * space), the probability generating function G(z) = E[z^N] applied to complex z (for the FFT method) and the
 * Panjer (a, b, 0) class parameters (for the recursion). All three families satisfy, under a rate scaling
 * mean -> m g, Var(N) = m + kappa m^2 with kappa = 0 (Poisson), -1/n (binomial), 1/r (negative binomial); the
 * pooling code uses that to set a common shock's size.
 *
 * Reference: S. Klugman, H. Panjer, G. Willmot, "Loss Models: From Data to Decisions", 5th ed., sections 6.2-6.5
 * (the (a, b, 0) class) and 9.6 (Panjer's recursion).
 */
import gammaln from "@stdlib/math-base-special-gammaln";

export type FrequencyKind = "poisson" | "binomial" | "negbin";

/** Panjer (a, b, 0) parameters: P(N = k) = (a + b / k) P(N = k - 1), k >= 1. */
export interface PanjerClass {
  readonly a: number;
  readonly b: number;
  /** log P(N = 0); finite for every valid parameter (e.g. -800 for Poisson(800)). */
  readonly logP0: number;
}

export interface Frequency {
  readonly kind: FrequencyKind;
  /** Parameters as given (for display and for re-creating the object). */
  readonly params: Readonly<Record<string, number>>;
  readonly mean: number;
  readonly variance: number;
  /** E[N^2] = Var(N) + E[N]^2. */
  readonly secondMoment: number;
  /** Var(N) = E[N] + kappa E[N]^2 (0 Poisson, -1/n binomial, 1/r negative binomial). */
  readonly kappa: number;
  /** Panjer parameters, or null when the recursion does not apply (binomial with p = 1). */
  readonly panjer: PanjerClass | null;
  /** log P(N = k) for integer k >= 0 (-Infinity outside the support). */
  logPmf(k: number): number;
  /** P(N = k), computed as exp(logPmf(k)). */
  pmf(k: number): number;
  /** log G(x) for a real x in [0, 1]: used for Panjer's start value, which may underflow (exp(-800)). */
  logPgfReal(x: number): number;
  /** G(z) for one complex z = re + i im with |z| <= 1; writes the result to out[at], out[at + 1]. */
  pgfAt(re: number, im: number, out: Float64Array, at: number): void;
  /** G(z) at the `count` interleaved complex values z (re, im, re, im, ...) of `z`, written to `out` (default: `z`
   * itself, in place). The loops of the transforms: one call for all points, so no double crosses a call. */
  applyPgf(z: Float64Array, count: number, out?: Float64Array): void;
  /** logPgfAt at the `count` interleaved values of `z`, written to `out` (default `z`, in place). */
  applyLogPgf(z: Float64Array, count: number, out?: Float64Array): void;
  /** log G(z) for one complex z with |z| <= 1 (the branch pgfAt exponentiates; real part -Infinity where G = 0):
   * writes it to out[at], out[at + 1]. Its error is eps relative to log G, so differences log G(z) - log G(x) keep
   * the precision of a rare count (E[N] small) that G(z) - G(x) loses (see `applyPgfExcess`). */
  logPgfAt(re: number, im: number, out: Float64Array, at: number): void;
  /** The same family with its rate multiplied by g > 0 (mean -> mean g; binomial: p -> p g, needs p g <= 1). */
  scaleRate(g: number): Frequency;
  /** The distribution of the sum of k independent copies (k a positive integer). */
  sumOf(k: number): Frequency;
}

const UNDERFLOW_LOG = -745.2; // below this exp() returns 0 in double precision

/**
 * A pgf (or log-pgf) at one point through the family's batched form, so that each formula is written once: for the
 * few scalar calls (quadrature probes, the atom at 0), never a per-point loop.
 */
function atOnePoint(
  apply: (z: Float64Array, count: number, out?: Float64Array) => void,
  re: number,
  im: number,
  out: Float64Array,
  at: number,
): void {
  const z = Float64Array.of(re, im);
  apply(z, 1, z);
  out[at] = z[0] as number;
  out[at + 1] = z[1] as number;
}

/** pgfAt and logPgfAt of a family, through its batched forms (see atOnePoint). */
function onePointForms(of: () => Pick<Frequency, "applyPgf" | "applyLogPgf">): Pick<Frequency, "pgfAt" | "logPgfAt"> {
  return {
    pgfAt: (re, im, out, at) => atOnePoint(of().applyPgf, re, im, out, at),
    logPgfAt: (re, im, out, at) => atOnePoint(of().applyLogPgf, re, im, out, at),
  };
}

function requireFinite(name: string, v: number): void {
  if (!Number.isFinite(v)) throw new RangeError(`${name} must be a finite number, got ${v}`);
}

/**
 * Poisson(lambda) claim counts: P(N = k) = e^-lambda lambda^k / k!, G(z) = exp(lambda (z - 1)).
 *
 * @param lambda - expected count, lambda > 0 (finite)
 * @returns a `Frequency`. Edge cases: exp(-lambda) underflows for lambda > ~745; every quantity here is computed
 * in log space so nothing depends on it. Example: poisson(3).pmf(0) returns ~0.049787.
 * @see Klugman, Panjer, Willmot, Loss Models, 5th ed., section 6.2.
 */
export function poisson(lambda: number): Frequency {
  requireFinite("lambda", lambda);
  if (!(lambda > 0)) throw new RangeError(`lambda must be > 0, got ${lambda}`);
  const logLambda = Math.log(lambda);
  const self: Frequency = {
    kind: "poisson",
    params: { lambda },
    mean: lambda,
    variance: lambda,
    secondMoment: lambda + lambda * lambda,
    kappa: 0,
    panjer: { a: 0, b: lambda, logP0: -lambda },
    logPmf(k) {
      if (!Number.isInteger(k) || k < 0) return -Infinity;
      return -lambda + k * logLambda - gammaln(k + 1);
    },
    pmf(k) {
      return Math.exp(self.logPmf(k));
    },
    logPgfReal(x) {
      return lambda * (x - 1);
    },
    ...onePointForms(() => self),
    applyPgf(z, count, out = z) {
      for (let i = 0, j = 0; i < count; i++, j += 2) {
        const l = lambda * ((z[j] as number) - 1);
        if (l < UNDERFLOW_LOG) {
          out[j] = 0;
          out[j + 1] = 0;
          continue;
        }
        const m = Math.exp(l);
        const ang = lambda * (z[j + 1] as number);
        out[j] = m * Math.cos(ang);
        out[j + 1] = m * Math.sin(ang);
      }
    },
    applyLogPgf(z, count, out = z) {
      for (let j = 0; j < 2 * count; j += 2) {
        const re = z[j] as number;
        const im = z[j + 1] as number;
        out[j] = lambda * (re - 1);
        out[j + 1] = lambda * im;
      }
    },
    scaleRate(g) {
      return poisson(lambda * g);
    },
    sumOf(k) {
      return poisson(lambda * k);
    },
  };
  return self;
}

/**
 * Binomial(n, p) claim counts (n clicks, each converting with probability p):
 * P(N = k) = C(n, k) p^k (1 - p)^(n - k), G(z) = (1 - p + p z)^n.
 *
 * The complex power is taken as exp(n log w) with log|w| = log1p(2 u_r + |u|^2) / 2 for w = 1 + u, u = p (z - 1),
 * so values of z near 1 (where the aggregate's mass lives) keep full relative precision.
 *
 * @param n - number of trials, integer >= 1
 * @param p - success probability, 0 < p <= 1 (p = 1 gives N = n exactly; Panjer's recursion is then undefined)
 * @returns a `Frequency`. Example: binomial(2000, 0.025).mean returns 50.
 * @see Klugman, Panjer, Willmot, Loss Models, 5th ed., section 6.3.
 */
export function binomial(n: number, p: number): Frequency {
  requireFinite("n", n);
  requireFinite("p", p);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be an integer >= 1, got ${n}`);
  if (!(p > 0 && p <= 1)) throw new RangeError(`p must be in (0, 1], got ${p}`);
  const logP = Math.log(p);
  const log1mP = Math.log1p(-p);
  const logNFact = gammaln(n + 1);
  const self: Frequency = {
    kind: "binomial",
    params: { n, p },
    mean: n * p,
    variance: n * p * (1 - p),
    secondMoment: n * p * (1 - p) + n * n * p * p,
    kappa: -1 / n,
    panjer: p < 1 ? { a: -p / (1 - p), b: ((n + 1) * p) / (1 - p), logP0: n * log1mP } : null,
    logPmf(k) {
      if (!Number.isInteger(k) || k < 0 || k > n) return -Infinity;
      if (p === 1) return k === n ? 0 : -Infinity;
      return logNFact - gammaln(k + 1) - gammaln(n - k + 1) + k * logP + (n - k) * log1mP;
    },
    pmf(k) {
      return Math.exp(self.logPmf(k));
    },
    logPgfReal(x) {
      return n * Math.log1p(-p * (1 - x));
    },
    ...onePointForms(() => self),
    applyPgf(z, count, out = z) {
      for (let j = 0; j < 2 * count; j += 2) {
        const ur = p * ((z[j] as number) - 1);
        const ui = p * (z[j + 1] as number);
        const l = 0.5 * n * Math.log1p(2 * ur + ur * ur + ui * ui);
        if (l < UNDERFLOW_LOG) {
          out[j] = 0;
          out[j + 1] = 0;
          continue;
        }
        const m = Math.exp(l);
        const ang = n * Math.atan2(ui, 1 + ur);
        out[j] = m * Math.cos(ang);
        out[j + 1] = m * Math.sin(ang);
      }
    },
    applyLogPgf(z, count, out = z) {
      for (let j = 0; j < 2 * count; j += 2) {
        const ur = p * ((z[j] as number) - 1);
        const ui = p * (z[j + 1] as number);
        out[j] = 0.5 * n * Math.log1p(2 * ur + ur * ur + ui * ui);
        out[j + 1] = n * Math.atan2(ui, 1 + ur);
      }
    },
    scaleRate(g) {
      const q = p * g;
      if (!(q <= 1)) throw new RangeError(`a rate shock of ${g} would push p = ${p} above 1`);
      return binomial(n, q);
    },
    sumOf(k) {
      return binomial(n * k, p);
    },
  };
  return self;
}

/**
 * Negative binomial claim counts with size r and mean m (a Poisson whose rate is Gamma(r, m / r)-distributed):
 * P(N = k) = Gamma(k + r) / (Gamma(r) k!) (r / (r + m))^r (m / (r + m))^k, Var(N) = m + m^2 / r,
 * G(z) = (1 + (m / r)(1 - z))^-r.
 *
 * The complex power is exp(-r log w) with w = 1 + u, u = (m / r)(1 - z), log|w| = log1p(2 u_r + |u|^2) / 2 and
 * arg w = atan2(u_i, 1 + u_r): stable for large r (near-Poisson) and for z near 1.
 *
 * @param r - size (dispersion), r > 0; r -> infinity tends to Poisson(m)
 * @param mean - m > 0
 * @returns a `Frequency`. Example: negativeBinomial(5, 50).variance returns 550.
 * @see Klugman, Panjer, Willmot, Loss Models, 5th ed., section 6.3.
 */
export function negativeBinomial(r: number, mean: number): Frequency {
  requireFinite("r", r);
  requireFinite("mean", mean);
  if (!(r > 0)) throw new RangeError(`r must be > 0, got ${r}`);
  if (!(mean > 0)) throw new RangeError(`mean must be > 0, got ${mean}`);
  const beta = mean / r;
  // log(r / (r + m)) = -log1p(m / r) and log(m / (r + m)) = -log1p(r / m): no cancellation for either extreme.
  const logQ = -Math.log1p(beta);
  const logPk = -Math.log1p(r / mean);
  const lgR = gammaln(r);
  const self: Frequency = {
    kind: "negbin",
    params: { r, mean },
    mean,
    variance: mean + (mean * mean) / r,
    secondMoment: mean + (mean * mean) / r + mean * mean,
    kappa: 1 / r,
    panjer: { a: beta / (1 + beta), b: ((r - 1) * beta) / (1 + beta), logP0: r * logQ },
    logPmf(k) {
      if (!Number.isInteger(k) || k < 0) return -Infinity;
      return gammaln(k + r) - lgR - gammaln(k + 1) + r * logQ + k * logPk;
    },
    pmf(k) {
      return Math.exp(self.logPmf(k));
    },
    logPgfReal(x) {
      return -r * Math.log1p(beta * (1 - x));
    },
    ...onePointForms(() => self),
    applyPgf(z, count, out = z) {
      for (let j = 0; j < 2 * count; j += 2) {
        const ur = beta * (1 - (z[j] as number));
        const ui = -beta * (z[j + 1] as number);
        const l = -0.5 * r * Math.log1p(2 * ur + ur * ur + ui * ui);
        if (l < UNDERFLOW_LOG) {
          out[j] = 0;
          out[j + 1] = 0;
          continue;
        }
        const m = Math.exp(l);
        const ang = -r * Math.atan2(ui, 1 + ur);
        out[j] = m * Math.cos(ang);
        out[j + 1] = m * Math.sin(ang);
      }
    },
    applyLogPgf(z, count, out = z) {
      for (let j = 0; j < 2 * count; j += 2) {
        const ur = beta * (1 - (z[j] as number));
        const ui = -beta * (z[j + 1] as number);
        out[j] = -0.5 * r * Math.log1p(2 * ur + ur * ur + ui * ui);
        out[j + 1] = -r * Math.atan2(ui, 1 + ur);
      }
    },
    scaleRate(g) {
      return negativeBinomial(r, mean * g);
    },
    sumOf(k) {
      return negativeBinomial(r * k, mean * k);
    },
  };
  return self;
}

/** Frequency parameters as they appear in a model request (see contract.ts). */
export type FrequencySpec =
  | { kind: "poisson"; lambda: number }
  | { kind: "binomial"; n: number; p: number }
  | { kind: "negbin"; r: number; mean: number };

/** Builds the `Frequency` for a request's parameters (already validated by the contract's schema). */
export function frequencyFromSpec(spec: FrequencySpec): Frequency {
  switch (spec.kind) {
    case "poisson":
      return poisson(spec.lambda);
    case "binomial":
      return binomial(spec.n, spec.p);
    case "negbin":
      return negativeBinomial(spec.r, spec.mean);
  }
}

/**
 * Replaces `count` interleaved complex values phi by G(phi) - G(x0), computed as G(x0) expm1(log G(phi) - log G(x0)):
 * for a rare count (E[N] = 3e-4) G(phi) and G(x0) agree to about E[N], and forming G(phi) - G(x0) from the two
 * would leave an absolute error of eps, E[N] / eps times the error of the difference itself. An FFT of the
 * difference then resolves probabilities E[N] times smaller (a heavy tail's far points) than one of G(phi).
 * expm1(a + ib) = expm1(a) cos b - 2 sin^2(b / 2) + i e^a sin b. Where |G(phi)| > 1.6 G(x0) (no cancellation) or
 * G(x0) underflows, the difference is formed directly; where G(phi) underflows, it is -G(x0).
 *
 * @param frequency - any Frequency
 * @param z - interleaved complex values phi with |phi| <= 1 (overwritten)
 * @param count - how many
 * @param x0 - a real point in [0, 1] (the severity lattice's mass at 0)
 * Example: for poisson(1e-4), phi = 0.5 and x0 = 1 the result is e^(-5e-5) - 1 ~ -5e-5 with full relative precision.
 * Reference: N. J. Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., section 1.14.1 (expm1).
 */
export function applyPgfExcess(frequency: Frequency, z: Float64Array, count: number, x0: number): void {
  const t = new Float64Array(2);
  frequency.logPgfAt(x0, 0, t, 0);
  const l0 = t[0] as number;
  const g0 = Math.exp(l0);
  // Where |phi| <= SMALL_PHI (most of a smooth severity's high frequencies, whose transform is round-off) the series
  // G(phi) = P(N = 0) + P(N = 1) phi + sum_{n >= 2} P(N = n) phi^n gives G(phi) - G(x0) = e0 + P(N = 1) phi with an
  // error below P(N >= 2) |phi|^2 <= 1e-18, e0 = G(0) - G(x0) taken once by the exact path: no transcendental call.
  let small = 0;
  for (let j = 0; j < 2 * count; j += 2) {
    const re = z[j] as number;
    const im = z[j + 1] as number;
    if (re * re + im * im <= SMALL_PHI2) small++;
  }
  if (small < SMALL_PHI_SHARE * count) {
    frequency.applyLogPgf(z, count);
    excessFromLog(z, count, l0, g0);
    return;
  }
  const e = new Float64Array(2);
  frequency.applyLogPgf(e, 1);
  excessFromLog(e, 1, l0, g0);
  const e0 = e[0] as number;
  const p1 = frequency.pmf(1);
  const rest = new Float64Array(2 * (count - small));
  const at = new Int32Array(count - small);
  for (let i = 0, j = 0, r = 0; i < count; i++, j += 2) {
    const re = z[j] as number;
    const im = z[j + 1] as number;
    if (re * re + im * im <= SMALL_PHI2) {
      z[j] = e0 + p1 * re;
      z[j + 1] = p1 * im;
    } else {
      rest[2 * r] = re;
      rest[2 * r + 1] = im;
      at[r++] = j;
    }
  }
  frequency.applyLogPgf(rest, count - small);
  excessFromLog(rest, count - small, l0, g0);
  for (let r = 0; r < count - small; r++) {
    const j = at[r] as number;
    z[j] = rest[2 * r] as number;
    z[j + 1] = rest[2 * r + 1] as number;
  }
}

/** |phi| up to which applyPgfExcess takes G(phi) from its first two terms (squared). */
const SMALL_PHI2 = 1e-18;
/** Share of small points from which applyPgfExcess separates them (below it, one pass over all is cheaper). */
const SMALL_PHI_SHARE = 0.125;

/** log G(phi) (as applyLogPgf leaves it) to G(phi) - G(x0), G(x0) = e^l0 = g0 (see applyPgfExcess). */
function excessFromLog(z: Float64Array, count: number, l0: number, g0: number): void {
  for (let i = 0, j = 0; i < count; i++, j += 2) {
    const lr = z[j] as number;
    const li = z[j + 1] as number;
    if (!(lr > UNDERFLOW_LOG)) {
      z[j] = -g0;
      z[j + 1] = 0;
      continue;
    }
    const dr = lr - l0;
    if (dr > 0.5 || !(g0 > 0)) {
      const m = Math.exp(lr);
      z[j] = m * Math.cos(li) - g0;
      z[j + 1] = m * Math.sin(li);
      continue;
    }
    // cos li = 1 - 2 s^2 and sin li = 2 s c with s, c the sine and cosine of li / 2, and e^dr = 1 + expm1(dr): two
    // trigonometric calls and one exponential a point instead of four and two, each identity exact to an ulp or two
    const s = Math.sin(li / 2);
    const c = Math.cos(li / 2);
    const versine = 2 * s * s; // 1 - cos li
    const em1 = Math.expm1(dr);
    z[j] = g0 * (em1 * (1 - versine) - versine);
    z[j + 1] = g0 * (1 + em1) * (2 * s * c);
  }
}

/** A count's pmf split for a rare count: P(N = 0), P(N = 1) and P(N = n) for n = 2 ... (see `rareCount`). */
export interface RareCount {
  readonly p0: number;
  readonly p1: number;
  /** P(N = 2), P(N = 3), ... up to the last above 1e-22. */
  readonly higher: Float64Array;
}

/** Largest E[N] for which `rareCount` splits the pmf (beyond it the excess transform does as well). */
const RARE_MEAN = 1;

/**
 * The pmf of a rare count (E[N] <= 1) as P(N = 0), P(N = 1) and the short list P(N = n), n >= 2, ending where
 * P(N = n) <= 1e-22 (by then the rest is below 1e-22 too: the ratio P(N = n + 1) / P(N = n) is E[N] / (n + 1) for
 * Poisson, below it for a binomial and at most m / (r + m) <= 1/2 past the mode for a negative binomial with
 * m <= 1; the list is cut at 64 terms, beyond which null is returned). A compound sum is then
 * g = P(N = 0) delta_0 + P(N = 1) f + IFFT(sum_{n >= 2} P(N = n) phi^n): the single-order part, which holds a heavy
 * tail's far points, is exact, and the transform left to the FFT is P(N >= 2) in size, so its round-off is too.
 *
 * @param frequency - any Frequency
 * @returns the split, or null when E[N] > 1 or the list would pass 64 terms. Example: rareCount(binomial(1, 0.01))
 * returns { p0: 0.99, p1: 0.01, higher: [] }.
 */
export function rareCount(frequency: Frequency): RareCount | null {
  if (!(frequency.mean <= RARE_MEAN)) return null;
  const higher: number[] = [];
  for (let n = 2; ; n++) {
    const pn = frequency.pmf(n);
    if (!(pn > 1e-22)) break;
    if (n > 64) return null;
    higher.push(pn);
  }
  return { p0: frequency.pmf(0), p1: frequency.pmf(1), higher: Float64Array.from(higher) };
}
