/**
 * Rates with Beta posteriors: CTR (clicks / impressions) and conversion rate (conversions / clicks).
 */
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";

/** The Jeffreys prior Beta(1/2, 1/2): invariant under reparametrisation, worth one pseudo-observation in total. */
const JEFFREYS = { a: 0.5, b: 0.5 } as const;

/** A Beta(a, b) posterior of a rate with its mean and 90% equal-tailed interval. */
export interface BetaSummary {
  a: number;
  b: number;
  mean: number;
  /** 5% quantile of the posterior. */
  lo90: number;
  /** 95% quantile of the posterior. */
  hi90: number;
}

/** A rate estimate: the observed ratio and its Beta posterior under a prior, with the flags that qualify it. */
export interface RateEstimate extends BetaSummary {
  successes: number;
  trials: number;
  /** successes / trials as observed (may exceed 1 for view-through conversions); null when trials = 0. */
  observed: number | null;
  /** Successes were fractional (attribution) and were used as the Beta pseudo-count as they are. */
  fractional: boolean;
  /** Successes exceeded trials; the posterior used successes = trials (a rate cannot exceed 1). */
  capped: boolean;
  /** No trials: the posterior is the prior. */
  noData: boolean;
}

/**
 * Summary of Beta(a, b): mean a/(a+b) and the 5%/95% quantiles.
 * @param a, b - > 0.
 * @example betaSummary(2.5, 10.5).lo90 // returns ~0.0497
 * Reference: stdlib `@stdlib/stats-base-dists-beta-quantile` (inverse regularised incomplete beta).
 */
export function betaSummary(a: number, b: number): BetaSummary {
  return { a, b, mean: a / (a + b), lo90: betaQuantile(0.05, a, b), hi90: betaQuantile(0.95, a, b) };
}

/**
 * Beta posterior of a rate: Beta(prior.a + x, prior.b + n - x), x = min(successes, trials).
 *
 * @param successes - >= 0, may be fractional (used directly as a pseudo-count) and may exceed trials (then capped at
 *   trials and flagged `capped`).
 * @param trials - >= 0; 0 gives the prior itself (flagged `noData`).
 * @param prior - Beta hyper-parameters, both > 0 (default Jeffreys Beta(1/2, 1/2)).
 * @example ratePosterior(2, 12).mean // returns 0.1923 (= 2.5 / 13)
 * Reference: Brown, Cai & DasGupta (2001), "Interval estimation for a binomial proportion", Stat. Sci. 16 (the
 *   Jeffreys interval).
 */
export function ratePosterior(
  successes: number,
  trials: number,
  prior: { a: number; b: number } = JEFFREYS,
): RateEstimate {
  const capped = successes > trials;
  const x = capped ? trials : successes;
  return {
    ...betaSummary(prior.a + x, prior.b + trials - x),
    successes,
    trials,
    observed: trials > 0 ? successes / trials : null,
    fractional: !Number.isInteger(successes),
    capped,
    noData: trials === 0,
  };
}
