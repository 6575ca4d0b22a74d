/**
 * Empirical-Bayes shrinkage of campaigns' conversion rates towards their dataset's common distribution.
 *
 * Model: campaign i has rate p_i ~ Beta(a, b) and conversions x_i | p_i ~ Binomial(n_i, p_i), so marginally x_i is
 * beta-binomial. (a, b) are fitted to all campaigns by maximum marginal likelihood; each campaign's posterior is
 * then Beta(a + x_i, b + n_i - x_i): a small campaign is pulled towards the dataset mean a/(a+b), a large one keeps
 * its own rate.
 */
import betaln from "@stdlib/math-base-special-betaln";
import { betaSummary, ratePosterior, type BetaSummary, type RateEstimate } from "./rates";
import { betaBinomialLogRatios } from "./log-gamma";
import { nelderMead } from "./optimise";

/** One campaign's totals for the fit. */
export interface RateCounts {
  campaign: string;
  /** Conversions (may be fractional; capped at trials for the fit). */
  successes: number;
  /** Clicks. */
  trials: number;
}

/** Fitted Beta(a, b) hyper-parameters of the campaigns' rates. */
export interface BetaHyperFit {
  /**
   * "ml": maximum beta-binomial marginal likelihood; "moments": the ANOVA moment estimator (used when the
   * likelihood fit fails or is asked for); "none": fewer than two campaigns with clicks, nothing to shrink towards.
   */
  method: "ml" | "moments" | "none";
  a: number;
  b: number;
  /** Prior mean a / (a + b). */
  mean: number;
  /** Prior concentration a + b (a prior "worth" this many clicks). */
  concentration: number;
  /** Intra-campaign correlation 1 / (a + b + 1): 0 = identical rates, 1 = rates all 0 or 1. */
  icc: number;
  /**
   * The campaigns' rates vary no more than binomial noise explains: the concentration ran to its bound (or the
   * moment estimate of the between-campaign variance was <= 0) and shrinkage is complete pooling at the mean.
   */
  completePooling: boolean;
  /** Campaigns used in the fit (those with clicks). */
  campaigns: number;
  /** Maximised log marginal likelihood (without the binomial coefficients); null for "none". */
  logLikelihood: number | null;
  /**
   * How the prior was obtained, for lib/analysis/messages.ts to word: "ml" (maximum marginal likelihood), "moments"
   * (asked for), "moments-fallback" (the likelihood fit did not improve on the moments), or why there is no
   * shrinkage (method "none"): "too-few-campaigns" (fewer than two with clicks), "no-conversions", "all-converted".
   */
  finding: "ml" | "moments" | "moments-fallback" | "too-few-campaigns" | "no-conversions" | "all-converted";
}

/** A campaign's conversion rate on its own (Jeffreys) and shrunk towards the dataset's Beta(a, b). */
export interface ShrunkRate {
  campaign: string;
  successes: number;
  trials: number;
  own: RateEstimate;
  /** Beta(a + x, b + n - x); equal to `own`'s numbers when nothing is shrunk (method "none"). */
  shrunk: BetaSummary;
  /** 1 - (posterior weight of the campaign's own data) = (a + b) / (a + b + n): 0 = no shrinkage, 1 = all prior. */
  shrinkageWeight: number;
}

/** Bounds of log(a + b) in the fit: 1e-3 (rates near 0/1) to 1e10 (identical rates). */
const LOG_M_MIN = Math.log(1e-3);
const LOG_M_MAX = Math.log(1e10);

function capped(items: readonly RateCounts[]): { x: number; n: number }[] {
  return items.filter((i) => i.trials > 0).map((i) => ({ x: Math.min(i.successes, i.trials), n: i.trials }));
}

/**
 * Log marginal likelihood of Beta(a, b) for counts (x_i, n_i), without the C(n_i, x_i) terms (constant in a, b):
 * l(a, b) = sum_i [ln B(x_i + a, n_i - x_i + b) - ln B(a, b)].
 * Fractional x_i enter through the continuous extension of B.
 * @example betaBinomialLogLikelihood([{ x: 1, n: 2 }], 1, 1) // returns ln(1/6) ~ -1.7918
 */
function betaBinomialLogLikelihood(data: readonly { x: number; n: number }[], a: number, b: number): number {
  const base = betaln(a, b);
  one.al[0] = a;
  one.be[0] = b;
  let s = 0;
  for (const { x, n } of data) {
    if (Number.isInteger(x) && Number.isInteger(n)) {
      // ln (a)_x (b)_(n-x) / (a + b)_n: the drift filter's ratio (log-gamma.ts), agreeing with the betaln difference
      // to ~1e-15 relative at a 1,000-campaign account's counts, at under half its cost (the fit takes hundreds of
      // evaluations of this sum)
      betaBinomialLogRatios(one.al, one.be, x, n - x, 1, one.out);
      s += one.out[0] as number;
    } else s += betaln(x + a, n - x + b) - base;
  }
  return s;
}

/** Scratch of betaBinomialLogLikelihood's one-point calls (the engine is synchronous). */
const one = { al: new Float64Array(1), be: new Float64Array(1), out: new Float64Array(1) };

/**
 * Moment (ANOVA) estimate of Beta(a, b) from binomial counts: mu = sum x / sum n, and with
 * S = sum n_i (x_i/n_i - mu)^2, k campaigns, N = sum n_i,
 * rho = (S / (mu (1 - mu)) - (k - 1)) / (N - sum n_i^2 / N - (k - 1)), a + b = 1/rho - 1.
 * rho <= 0 (rates no more spread than binomial noise) gives complete pooling (concentration at its bound).
 * @example momentBetaFit([{x: 10, n: 100}, {x: 30, n: 100}]) // mu = 0.2
 * Reference: Kleinman (1973), "Proportions with extraneous variance", JASA 68; Fleiss, Levin & Paik (2003),
 *   Statistical Methods for Rates and Proportions (3rd ed.), sec. 15.
 */
export function momentBetaFit(data: readonly { x: number; n: number }[]): { mean: number; concentration: number; completePooling: boolean } {
  const k = data.length;
  let N = 0;
  let X = 0;
  let N2 = 0;
  for (const { x, n } of data) {
    N += n;
    X += x;
    N2 += n * n;
  }
  const mu = X / N;
  let S = 0;
  for (const { x, n } of data) S += n * (x / n - mu) ** 2;
  const denom = N - N2 / N - (k - 1);
  const bound = Math.exp(LOG_M_MAX);
  if (!(mu > 0 && mu < 1) || !(denom > 0)) return { mean: mu, concentration: bound, completePooling: true };
  const rho = (S / (mu * (1 - mu)) - (k - 1)) / denom;
  if (!(rho > 0)) return { mean: mu, concentration: bound, completePooling: true };
  const m = Math.min(bound, Math.max(Math.exp(LOG_M_MIN), 1 / rho - 1));
  return { mean: mu, concentration: m, completePooling: m >= bound };
}

/**
 * Fits Beta(a, b) to campaigns' (conversions, clicks) by maximum beta-binomial marginal likelihood over
 * (logit mu, log(a + b)) with Nelder-Mead from the moment estimate; falls back to the moment estimate when the
 * likelihood is not finite or not improved.
 *
 * Edge cases: campaigns with zero clicks are left out of the fit; fewer than two campaigns with clicks -> method
 * "none" (Jeffreys, nothing to shrink towards); no conversions anywhere (mu = 0) or every click converting
 * (mu = 1) -> method "none" as well, since a Beta prior cannot sit on the boundary.
 * A concentration at its upper bound (1e10) or above 1000 x the largest campaign's clicks is reported as
 * complete pooling: the data cannot tell the rates apart.
 *
 * @example fitBetaHyper(counts).mean // the dataset's pooled conversion rate, e.g. ~0.02
 * Reference: Minka (2000), "Estimating a Dirichlet distribution" (the likelihood); Kahn & Raftery (1996) for the
 *   empirical-Bayes use.
 */
export function fitBetaHyper(items: readonly RateCounts[], method: "ml" | "moments" = "ml"): BetaHyperFit {
  const data = capped(items);
  const none = (finding: BetaHyperFit["finding"]): BetaHyperFit => ({
    method: "none",
    a: 0.5,
    b: 0.5,
    mean: 0.5,
    concentration: 1,
    icc: 0.5,
    completePooling: false,
    campaigns: data.length,
    logLikelihood: null,
    finding,
  });
  if (data.length < 2) return none("too-few-campaigns");
  const totalX = data.reduce((s, d) => s + d.x, 0);
  const totalN = data.reduce((s, d) => s + d.n, 0);
  if (totalX <= 0) return none("no-conversions");
  if (totalX >= totalN) return none("all-converted");

  const maxN = Math.max(...data.map((d) => d.n));
  const mom = momentBetaFit(data);
  const toAB = (mu: number, m: number) => ({ a: mu * m, b: (1 - mu) * m });
  const finish = (kind: "ml" | "moments", mu: number, m: number, finding: BetaHyperFit["finding"]): BetaHyperFit => {
    const { a, b } = toAB(mu, m);
    const completePooling = m >= Math.exp(LOG_M_MAX) * 0.999 || m > 1000 * maxN;
    return {
      method: kind,
      a,
      b,
      mean: mu,
      concentration: m,
      icc: 1 / (m + 1),
      completePooling,
      campaigns: data.length,
      logLikelihood: betaBinomialLogLikelihood(data, a, b),
      finding,
    };
  };
  if (method === "moments") return finish("moments", mom.mean, mom.concentration, "moments");

  const logit = (p: number) => Math.log(p / (1 - p));
  const expit = (t: number) => 1 / (1 + Math.exp(-t));
  const clampM = (t: number) => Math.min(LOG_M_MAX, Math.max(LOG_M_MIN, t));
  const negLogLik = ([t, u]: [number, number]) => {
    const mu = expit(t);
    const m = Math.exp(clampM(u));
    const { a, b } = toAB(mu, m);
    // Outside the box the objective rises linearly so the simplex comes back inside.
    return -betaBinomialLogLikelihood(data, a, b) + Math.abs(u - clampM(u));
  };
  const start: [number, number] = [logit(mom.mean), clampM(Math.log(Math.min(mom.concentration, 1e6)))];
  const res = nelderMead(negLogLik, start, [0.3, 1]);
  const mu = expit(res.x[0]);
  const m = Math.exp(clampM(res.x[1]));
  const momNll = negLogLik([logit(mom.mean), clampM(Math.log(mom.concentration))]);
  if (!Number.isFinite(res.f) || res.f > momNll) {
    return finish("moments", mom.mean, mom.concentration, "moments-fallback");
  }
  return finish("ml", mu, m, "ml");
}

/**
 * Shrinks each campaign's conversion rate: own posterior Beta(1/2 + x, 1/2 + n - x) (Jeffreys) and shrunk posterior
 * Beta(a + x, b + n - x) under the fitted dataset prior (x capped at n). With method "none" the shrunk posterior is
 * the own one (one campaign -> no shrinkage, said in `fit.finding`).
 * @example shrinkRates([{campaign: "A", successes: 0, trials: 50}, ...]).campaigns[0].shrunk.mean // > 0, pulled up
 */
export function shrinkRates(items: readonly RateCounts[], method: "ml" | "moments" = "ml"): { fit: BetaHyperFit; campaigns: ShrunkRate[] } {
  const fit = fitBetaHyper(items, method);
  const campaigns = items.map((i): ShrunkRate => {
    const own = ratePosterior(i.successes, i.trials);
    if (fit.method === "none") {
      return { campaign: i.campaign, successes: i.successes, trials: i.trials, own, shrunk: betaSummary(own.a, own.b), shrinkageWeight: 0 };
    }
    const x = Math.min(i.successes, i.trials);
    return {
      campaign: i.campaign,
      successes: i.successes,
      trials: i.trials,
      own,
      shrunk: betaSummary(fit.a + x, fit.b + i.trials - x),
      shrinkageWeight: fit.concentration / (fit.concentration + i.trials),
    };
  });
  return { fit, campaigns };
}
