/**
 * Posterior predictive law of a conversion count given clicks, from a fitted history: the rate posterior (Beta for
 * the binomial base, Gamma for the Poisson base) mixed with the unit-level negative binomial noise when the history
 * is overdispersed. Used by the calibration, the noise band and the verdict.
 */
import { betaBinomialDistribution, negativeBinomialDistribution, type CountDistribution } from "./discrete";
import { dispersionTest, type DispersionFit, type ExposureCount } from "./dispersion";

/** A fitted rate model of conversions per click. */
export interface RateModel {
  /** Count law given the rate: Binomial(clicks, p) or Poisson(clicks p). */
  base: "binomial" | "poisson";
  /**
   * Rate posterior: Beta(a, b) for the binomial base; Gamma(shape a, rate b) (b in clicks) for the Poisson base.
   */
  a: number;
  b: number;
  /** Posterior mean rate per click. */
  mean: number;
  /** Posterior squared coefficient of variation of the rate, Var(p) / E[p]^2. */
  cv2: number;
  /** Negative binomial size per unit (day or ad) when overdispersed; absent otherwise. */
  r?: number;
  /** The dispersion test the model came from. */
  dispersion: DispersionFit;
}

/**
 * Fits a RateModel to units (clicks n, conversions y): Jeffreys prior (or `prior`) updated by the totals, and the
 * dispersion test on the units. Conversions above clicks are capped for the Beta update (binomial base only arises
 * when no unit has them).
 * Beta posterior (binomial base): Beta(a0 + Y, b0 + N - Y), CV^2 = b / (a (a + b + 1)).
 * Gamma posterior (Poisson base): Gamma(a0 + Y, b0' + N) with the Jeffreys Gamma(1/2, 0), or the Beta(a0, b0) prior
 * read as Gamma(a0, a0 + b0) (its small-rate limit); CV^2 = 1/a.
 * @param rHint - a previous negative binomial size to start its fit from.
 * @param fitted - the dispersion test of these same units, when already run (skips refitting it).
 * @example rateModel([{ n: 100, y: 2 }]).mean // returns 2.5 / 101 ~ 0.02475
 */
export function rateModel(
  units: readonly ExposureCount[],
  prior?: { a: number; b: number },
  rHint?: number,
  fitted?: DispersionFit,
): RateModel {
  const dispersion = fitted ?? dispersionTest(units, rHint);
  let N = 0;
  let Y = 0;
  for (const u of units) {
    if (!(u.n > 0)) continue;
    N += u.n;
    Y += u.y;
  }
  const r = dispersion.model === "negbin" ? dispersion.r : undefined;
  if (dispersion.base === "binomial") {
    const y = Math.min(Y, N);
    const a = (prior?.a ?? 0.5) + y;
    const b = (prior?.b ?? 0.5) + N - y;
    return { base: "binomial", a, b, mean: a / (a + b), cv2: b / (a * (a + b + 1)), r, dispersion };
  }
  const a = (prior?.a ?? 0.5) + Y;
  const b = (prior ? prior.a + prior.b : 0) + N;
  return { base: "poisson", a, b, mean: a / b, cv2: 1 / a, r, dispersion };
}

/**
 * Predictive law of the conversions from `clicks` clicks spread over `units` independent units (days/ads).
 *
 * Not overdispersed: binomial base -> beta-binomial(clicks, a, b) (exact); Poisson base -> NB(r = a, mean = clicks a/b)
 * (the Gamma-Poisson mixture, exact).
 * Overdispersed with size r per unit: each unit's rate carries an independent Gamma(r, mean 1) shock, so the window's
 * average shock has squared CV c1 = 1/(units r); with the rate's posterior squared CV c2, the count is Poisson with a
 * mean whose squared CV is (1 + c1)(1 + c2) - 1 = c1 + c2 + c1 c2, matched by NB(r_eff = 1/(c1 + c2 + c1 c2)).
 *
 * @param clicks - >= 0 (rounded to an integer for the beta-binomial). @param units - >= 1.
 * @example predictiveCounts(model, 300).mean // 300 x the posterior mean rate
 * Reference: Bernardo & Smith, Bayesian Theory (1994), App. A (beta-binomial, Poisson-gamma predictives).
 */
export function predictiveCounts(model: RateModel, clicks: number, units = 1): CountDistribution {
  const n = Math.round(clicks);
  const mean = clicks * model.mean;
  if (model.r === undefined) {
    if (model.base === "binomial") return betaBinomialDistribution(n, model.a, model.b);
    return negativeBinomialDistribution(model.a, mean);
  }
  const c1 = 1 / (Math.max(1, units) * model.r);
  const c2 = model.cv2;
  return negativeBinomialDistribution(1 / (c1 + c2 + c1 * c2), mean);
}
