/**
 * Overdispersion of daily conversions given the day's clicks, and the negative binomial fitted when it is real.
 */
import gammainc from "@stdlib/math-base-special-gammainc";
import gammaln from "@stdlib/math-base-special-gammaln";
import { goldenMinimise } from "./optimise";

/** Exposure and count of one unit (a day or an ad). */
export interface ExposureCount {
  /** Clicks (the exposure). */
  n: number;
  /** Conversions (may be fractional). */
  y: number;
}

/** Result of the dispersion test and fit. */
export interface DispersionFit {
  /**
   * "binomial": counts vary as Binomial(clicks, p); "poisson": as Poisson(clicks p) (chosen when some unit has more
   * conversions than clicks, which a binomial cannot produce: view-through conversions); "negbin": overdispersed,
   * Var = mu + mu^2 / r around mu = clicks p.
   */
  model: "binomial" | "poisson" | "negbin";
  /** Base model whose variance the Pearson statistic used. */
  base: "binomial" | "poisson";
  /** Pearson dispersion sum (y - mu)^2 / V(mu) / (units - 1); null when it cannot be computed (see finding). */
  phi: number | null;
  /** P(chi-square(units - 1) >= phi (units - 1)); null with phi. */
  pValue: number | null;
  /** Negative binomial size per unit (model "negbin" only). */
  r?: number;
  /** How r was obtained. */
  rMethod?: "ml" | "moments";
  /** Pooled rate sum y / sum n used for the expected counts. */
  rate: number;
  /** Units with clicks that entered the statistic. */
  units: number;
  /**
   * What the test found, for lib/analysis/messages.ts to word: "too-few-units" (fewer than two units with clicks),
   * "no-conversions", "all-converted" (every click converted), "not-overdispersed", "overdispersed".
   */
  finding: "too-few-units" | "no-conversions" | "all-converted" | "not-overdispersed" | "overdispersed";
}

/** Thresholds for calling overdispersion real: p-value below 0.05 and phi above 1.2 (a 20% variance excess). */
const OVERDISPERSION = { pValue: 0.05, phi: 1.2 } as const;

/**
 * Negative binomial (NB2) log-likelihood of counts y_t with means mu_t and common size r, without the -ln y_t!
 * terms: sum_t [lnG(y + r) - lnG(r) - r ln(1 + mu/r) + y ln(mu / (r + mu))]. log1p keeps r ln(1 + mu/r) exact for
 * r >> mu, where the NB tends to the Poisson. Fractional y enter through the gamma function.
 * @example negbinLogLikelihood([{ y: 0, mu: 1 }], 1) // returns ln(1/2) ~ -0.6931
 */
function negbinLogLikelihood(data: readonly { y: number; mu: number }[], r: number): number {
  let s = 0;
  const lgr = gammaln(r);
  for (const { y, mu } of data) {
    s += lnRising(r, y, lgr) - r * Math.log1p(mu / r);
    if (y > 0) s += y * Math.log(mu / (r + mu));
  }
  return s;
}

/** Whole counts up to this use the product form in lnRising. */
const RISING_PRODUCT_MAX = 256;

/**
 * ln Gamma(r + y) - ln Gamma(r), the log of the rising factorial r (r + 1) ... (r + y - 1).
 *
 * A whole y up to 256 takes the product, eight factors at a time between logarithms (r <= 1e8 keeps each partial
 * product below 1e66): exact to a few ulps and, unlike the difference of two log-gammas of size r ln r, without
 * cancellation when r >> y (the near-Poisson fits). Other y (fractional conversions, large counts) use the
 * difference of log-gammas.
 *
 * @param r - size > 0
 * @param y - count >= 0
 * @param lgr - ln Gamma(r), precomputed by the caller
 * @returns the log rising factorial. Example: lnRising(2, 3, 0) returns ln(2 * 3 * 4) = ln 24 ~ 3.1781.
 */
export function lnRising(r: number, y: number, lgr: number): number {
  if (y === 0) return 0;
  if (Number.isInteger(y) && y <= RISING_PRODUCT_MAX) {
    let s = 0;
    let p = 1;
    for (let j = 0; j < y; j++) {
      p *= r + j;
      if ((j & 7) === 7) {
        s += Math.log(p);
        p = 1;
      }
    }
    return s + Math.log(p);
  }
  return gammaln(y + r) - lgr;
}

/**
 * Fits the negative binomial size r to counts y_t with fixed means mu_t = n_t p (exposure n_t, pooled rate p).
 * Moment estimate: r = sum mu^2 / sum((y - mu)^2 - mu) (from Var = mu + mu^2 / r); then maximum likelihood over
 * ln r in [ln 1e-3, ln 1e8] by golden section (or within +-1 of ln `hint` when the optimum is inside that bracket).
 * Returns the moment value when the likelihood optimum is on a bound and the moment value is valid, else the bound.
 * @param hint - a previous estimate of r to search around (optional).
 * @example fitNegbinSize(data) // ~5 for counts simulated with r = 5
 * Reference: Lawless (1987), "Negative binomial and mixed Poisson regression", Can. J. Stat. 15; Hilbe,
 *   Negative Binomial Regression (2nd ed.), ch. 8.
 */
export function fitNegbinSize(
  data: readonly { y: number; mu: number }[],
  hint?: number,
): { r: number; method: "ml" | "moments"; rMoments: number | null } {
  let num = 0;
  let den = 0;
  for (const { y, mu } of data) {
    num += mu * mu;
    den += (y - mu) ** 2 - mu;
  }
  const rMoments = den > 0 ? num / den : null;
  const lo = Math.log(1e-3);
  const hi = Math.log(1e8);
  const nll = (t: number) => -negbinLogLikelihood(data, Math.exp(t));
  // ln r to 1e-9: r to ~1e-9 relative, far below its sampling error.
  let best: { x: number; f: number } | null = null;
  if (hint !== undefined && hint > 0 && Number.isFinite(hint)) {
    // A nearby previous fit (the rolling calibration refits daily): search +-1 in ln r around it first.
    const c = Math.min(hi - 1, Math.max(lo + 1, Math.log(hint)));
    const local = goldenMinimise(nll, c - 1, c + 1, 120, 1e-9);
    if (local.x > c - 1 + 1e-6 && local.x < c + 1 - 1e-6) best = local;
  }
  best ??= goldenMinimise(nll, lo, hi, 120, 1e-9);
  const onBound = best.x <= lo + 1e-6 || best.x >= hi - 1e-6;
  if (onBound && rMoments !== null) return { r: rMoments, method: "moments", rMoments };
  return { r: Math.exp(best.x), method: "ml", rMoments };
}

/**
 * Pearson dispersion test of conversions given clicks, and a negative binomial when overdispersion is real.
 *
 * phi = sum_t (y_t - n_t p)^2 / V_t / (T - 1), p = sum y / sum n, V_t = n_t p (1 - p) (binomial base) or n_t p
 * (Poisson base, used when some y_t > n_t). Under the base model phi (T - 1) ~ chi-square(T - 1) approximately,
 * so pValue = Q((T - 1)/2, phi (T - 1)/2) (upper regularised incomplete gamma: no 1 - cdf cancellation for tiny
 * p-values). Overdispersed when pValue < 0.05 and phi > 1.2; then r is fitted (see fitNegbinSize).
 *
 * Edge cases (model = base, phi and pValue null, said in note): fewer than two units with clicks; no conversions at
 * all (p = 0: every expected count and variance is 0); every click converting (p = 1 under the binomial base).
 *
 * @param units - one entry per day (or ad) with n = clicks >= 0 and y = conversions >= 0; units with n = 0 skipped.
 * @param rHint - a previous estimate of r to start the search from (see fitNegbinSize).
 * @example dispersionTest(binomialDays).model // "binomial" (phi ~ 1, pValue ~ uniform)
 * Reference: McCullagh & Nelder, Generalized Linear Models (2nd ed.), sec. 4.5 (Pearson X^2 / df); Cameron &
 *   Trivedi, Regression Analysis of Count Data (2nd ed.), sec. 5.2.
 */
export function dispersionTest(units: readonly ExposureCount[], rHint?: number): DispersionFit {
  const used = units.filter((u) => u.n > 0);
  const base: DispersionFit["base"] = used.some((u) => u.y > u.n) ? "poisson" : "binomial";
  let N = 0;
  let Y = 0;
  for (const u of used) {
    N += u.n;
    Y += u.y;
  }
  const rate = N > 0 ? Y / N : 0;
  const plain = (finding: DispersionFit["finding"]): DispersionFit => ({ model: base, base, phi: null, pValue: null, rate, units: used.length, finding });
  if (used.length < 2) return plain("too-few-units");
  if (Y <= 0) return plain("no-conversions");
  if (base === "binomial" && rate >= 1) return plain("all-converted");

  const df = used.length - 1;
  let x2 = 0;
  for (const u of used) {
    const mu = u.n * rate;
    const v = base === "binomial" ? mu * (1 - rate) : mu;
    x2 += (u.y - mu) ** 2 / v;
  }
  const phi = x2 / df;
  const pValue = gammainc(x2 / 2, df / 2, true, true);
  const over = pValue < OVERDISPERSION.pValue && phi > OVERDISPERSION.phi;
  if (!over) {
    return {
      model: base,
      base,
      phi,
      pValue,
      rate,
      units: used.length,
      finding: "not-overdispersed",
    };
  }
  const fit = fitNegbinSize(
    used.map((u) => ({ y: u.y, mu: u.n * rate })),
    rHint,
  );
  return {
    model: "negbin",
    base,
    phi,
    pValue,
    r: fit.r,
    rMethod: fit.method,
    rate,
    units: used.length,
    finding: "overdispersed",
  };
}
