/**
 * "Did it work?" and "A against B": two periods (before and after a change) or two arms (campaigns, segments)
 * compared on conversions per click and on revenue per click.
 *
 * Conversions per click: each side's rate has the Jeffreys Beta posterior of lib/engine/estimate/rates.ts
 * (ratePosterior: Beta(1/2 + x, 1/2 + n - x), fractional conversions as pseudo-counts, conversions above clicks
 * capped). The lift is the relative change y / x - 1 of the two rates; its median and 90% interval, P(lift > 0) and
 * the expected losses come from exact quadrature (./beta.ts), not sampling.
 *
 * Revenue per click: theta = p mu, the rate p times the mean order value mu. Order values are taken as
 * Gamma(k, rate beta) with k = 1 / CV^2 of the campaign's order values (from estimateSeverity: the order rows, or
 * the lognormal fitted to the daily average order value); with the scale-invariant prior 1/beta, Y orders worth R
 * in total give beta ~ Gamma(k Y, R), so mu = k / beta has posterior mean ~ R / Y and relative sd ~ CV / sqrt(Y):
 * the standard error of a mean of Y orders. A compound model of this kind keeps the two sources of noise (how many
 * sales, how much each was worth) apart, where a Gamma-Poisson on revenue itself would let a few large orders pass
 * for many sales. The product of two posteriors has no closed-form ratio law, so the revenue figures come from a
 * seeded Monte Carlo (REVENUE_DRAWS = 10,000 draws; the standard error of its probabilities, <= 0.5 / sqrt(draws) = 0.005,
 * is returned beside them).
 *
 * Conversion lag (lagExposure). A day of age a (days before the as-of date) holds only the conversions that have
 * arrived: each final conversion has arrived with probability F(a) (lib/engine/lag.ts), so the arrived count of a day
 * with n clicks and rate p is exactly Binomial(n, F p) (Poisson(F n p) on the Poisson base). Its likelihood in p is
 * taken as that of Binomial(F n, p): the same mean F n p, and a variance F n p (1 - p) against the exact F n p (1 - F p),
 * a relative difference p (1 - F) / (1 - p) <= p / (1 - p): under 3% for conversion rates below 3%, and 0 on the
 * Poisson base, where Poisson(F n p) is exactly the likelihood of exposure F n. So a period's posterior is the Jeffreys
 * Beta(1/2 + Y, 1/2 + sum_t F_t n_t - Y) of its arrived conversions Y over its effective exposure sum_t F_t n_t
 * (lib/engine/estimate/lag-band.ts scaleProvisional, the rule the daily estimate uses), the drifting counterfactual
 * averages the rate over the after days weighted by F_t n_t, and the predicted after count is of arrived conversions:
 * the beta-binomial on the effective exposure (mean sum_t F_t n_t m, the exact mean; variance off by the same factor).
 * Read as final, the young after days would count their missing conversions as misses and bias the lift low.
 */
import { centralInterval, cdfAt, cumulative } from "../estimate/discrete";
import { DRIFT_MIN_CONCENTRATION, driftFilter, horizonMoments, windowDistribution, type DriftState } from "../estimate/drift";
import { ratePosterior, type RateEstimate } from "../estimate/rates";
import type { SeverityEstimate } from "../estimate/severity";
import { rowLag, scaleProvisional, type LagOption } from "../estimate/lag-band";
import type { DayRow } from "../estimate/types";
import { MIN_REFERENCE_DAYS } from "../estimate/verdict";
import type { Rng } from "../rng";
import { expectedLoss, probabilityGreater, ratioQuantile, type BetaShape } from "./beta";

export { daysToDetect, detectionPower } from "./plan";

/** A side's totals: clicks, conversions and revenue (null when unknown). */
export interface SideTotals {
  clicks: number;
  conversions: number;
  revenue: number | null;
}

/** A relative lift y / x - 1: its posterior median and 90% interval. */
export interface LiftInterval {
  median: number;
  lo90: number;
  hi90: number;
}

/** Two rates compared. Null figures when either side has no clicks (nothing to compare). */
export interface RateComparison {
  x: RateEstimate;
  y: RateEstimate;
  /** Posterior of y / x - 1. */
  lift: LiftInterval | null;
  /** P(y > x). */
  pGreater: number | null;
  /** E[(y - x)+] (the loss of choosing x) and E[(x - y)+] (of choosing y), in rate units (conversions per click). */
  expectedLoss: { x: number; y: number } | null;
}

/**
 * Compares two conversion rates (see the module comment).
 * @param x, y - conversions (>= 0, may be fractional) out of clicks (>= 0).
 * @example compareRates({ conversions: 300, clicks: 10000 }, { conversions: 360, clicks: 10000 }).pGreater // ~0.991
 */
export function compareRates(x: Omit<SideTotals, "revenue">, y: Omit<SideTotals, "revenue">): RateComparison {
  const px = ratePosterior(x.conversions, x.clicks);
  const py = ratePosterior(y.conversions, y.clicks);
  if (px.noData || py.noData) return { x: px, y: py, lift: null, pGreater: null, expectedLoss: null };
  const sx = { a: px.a, b: px.b };
  const sy = { a: py.a, b: py.b };
  const loss = expectedLoss(sx, sy);
  return {
    x: px,
    y: py,
    lift: {
      median: ratioQuantile(sx, sy, 0.5) - 1,
      lo90: ratioQuantile(sx, sy, 0.05) - 1,
      hi90: ratioQuantile(sx, sy, 0.95) - 1,
    },
    pGreater: probabilityGreater(sx, sy),
    expectedLoss: { x: loss.lossX, y: loss.lossY },
  };
}

/** Monte Carlo draws of the revenue comparison. */
const REVENUE_DRAWS = 10_000;

/** Revenue per click compared; null when a side has no clicks, no sales or no revenue. */
export interface RevenueComparison {
  /** Posterior means of revenue per click (currency per click). */
  meanX: number;
  meanY: number;
  lift: LiftInterval;
  pGreater: number;
  /** E[(theta_y - theta_x)+] and E[(theta_x - theta_y)+], currency per click. */
  expectedLoss: { x: number; y: number };
  /** The order values' squared CV behind the Gamma shape k = 1 / cv2, per side. */
  orderCv2: [number, number];
  draws: number;
  /** Monte Carlo standard error of pGreater. */
  se: number;
}

/**
 * Squared coefficient of variation of one order's value from a severity estimate: the empirical order values'
 * variance / mean^2, or exp(sigma^2) - 1 for the lognormal fit; null for counts only.
 * @example orderValueCv2(sev) // ~1.72 for a lognormal with sigma = 1
 */
export function orderValueCv2(sev: SeverityEstimate): number | null {
  if (sev.countsOnly) return null;
  if (sev.spec.kind === "empirical") {
    let m = 0;
    let m2 = 0;
    for (const [v, p] of sev.spec.points) {
      m += v * p;
      m2 += v * v * p;
    }
    return m > 0 ? Math.max(0, m2 / (m * m) - 1) : null;
  }
  if (sev.lognormal) return Math.expm1(sev.lognormal.sigma ** 2);
  return 0;
}

/**
 * Compares revenue per click by the compound model of the module comment, sampling REVENUE_DRAWS (or `draws`) pairs
 * from the seeded generator: p ~ Beta (as Gamma ratios), mu = k R / G with G ~ Gamma(k Y).
 * Edge cases: a side with no clicks, no conversions or revenue <= 0 gives null; orderCv2 = 0 (every order worth
 * the same) uses mu = R / Y exactly.
 * @param orderCv2 - >= 0 (orderValueCv2): one for both sides (two periods of one campaign), or one per side (two
 *   campaigns). @param rng - a seeded generator (createRng).
 * @example compareRevenue(x, y, 1.7, createRng(1))?.pGreater // a probability, same on every run
 */
export function compareRevenue(
  x: SideTotals,
  y: SideTotals,
  orderCv2: number | readonly [number, number],
  rng: Rng,
  draws = REVENUE_DRAWS,
): RevenueComparison | null {
  const sides = [x, y];
  for (const s of sides) {
    if (!(s.clicks > 0) || !(s.conversions > 0) || s.revenue === null || !(s.revenue > 0)) return null;
  }
  const cv2: [number, number] = typeof orderCv2 === "number" ? [orderCv2, orderCv2] : [orderCv2[0], orderCv2[1]];
  const shapes = cv2.map((c) => (c > 0 ? 1 / c : Infinity));
  const post = sides.map((s) => ratePosterior(s.conversions, s.clicks));
  const draw = (i: 0 | 1): number => {
    const s = sides[i]!;
    const p = post[i]!;
    const k = shapes[i]!;
    const ga = rng.gamma(p.a);
    const rate = ga / (ga + rng.gamma(p.b));
    const mu = Number.isFinite(k) ? (k * (s.revenue as number)) / rng.gamma(k * s.conversions) : (s.revenue as number) / s.conversions;
    return rate * mu;
  };
  const ratios = new Float64Array(draws);
  let greater = 0;
  let sumX = 0;
  let sumY = 0;
  let lossX = 0;
  let lossY = 0;
  for (let i = 0; i < draws; i++) {
    const tx = draw(0);
    const ty = draw(1);
    sumX += tx;
    sumY += ty;
    if (ty > tx) {
      greater++;
      lossX += ty - tx;
    } else lossY += tx - ty;
    ratios[i] = ty / tx;
  }
  ratios.sort();
  const q = (p: number) => (ratios[Math.min(draws - 1, Math.floor(p * draws))] as number) - 1;
  const pGreater = greater / draws;
  return {
    meanX: sumX / draws,
    meanY: sumY / draws,
    lift: { median: q(0.5), lo90: q(0.05), hi90: q(0.95) },
    pGreater,
    expectedLoss: { x: lossX / draws, y: lossY / draws },
    orderCv2: cv2,
    draws,
    se: Math.sqrt((pGreater * (1 - pGreater)) / draws),
  };
}

/** The after period's conversions against what the before period predicts for its clicks. */
export interface AfterPrediction {
  /** Predictive mean and 90% central interval of the after period's conversions. */
  mean: number;
  lo90: number;
  hi90: number;
  /** P(Y <= observed) and P(Y >= observed) under the predictive (observed rounded). */
  pLower: number;
  pUpper: number;
  /**
   * "drift": the before period's drifting rate (driftFilter: discount and day shock chosen on the before days) carried
   * over the after days; "fixed": the fixed-rate beta-binomial of the before totals (fewer than MIN_REFERENCE_DAYS
   * before days with clicks, or undated rows).
   */
  model: "drift" | "fixed";
  drift: { delta: number; s2: number } | null;
}

/**
 * Predictive law of the after period's conversions given the before period's days and the after period's clicks
 * per day. With MIN_REFERENCE_DAYS or more before days with clicks: windowDistribution of the drift filter's state
 * after the last before day (a beta-binomial matched to the drifting rate's mean and variance over the after days;
 * with no drift chosen it is the fixed-rate beta-binomial exactly). Otherwise the fixed-rate beta-binomial
 * BetaBinomial(after clicks, 1/2 + X, 1/2 + N - X) of the before totals (Jeffreys).
 * Edge cases: no after clicks gives a point mass at 0; no before clicks gives null.
 * @example predictAfter(beforeDays, [300, 300], 20).mean // 600 x the before rate
 * Reference: Bernardo & Smith, Bayesian Theory (1994), App. A (beta-binomial); West & Harrison (1997), sec. 10.8.
 */
export function predictAfter(before: readonly DayRow[], afterClicks: readonly number[], observed: number): AfterPrediction | null {
  const bm = beforeModel(before);
  if (!bm) return null;
  const { state, model, drift } = bm;
  const dist = windowDistribution(state, afterClicks);
  const cum = cumulative(dist);
  const band = centralInterval(dist, 0.9, cum);
  const y = Math.round(observed);
  return {
    mean: dist.mean,
    lo90: band.lo,
    hi90: band.hi,
    pLower: cdfAt(dist, y, cum),
    pUpper: 1 - cdfAt(dist, y - 1, cum),
    model,
    drift,
  };
}

/** The before period's rate: the drift filter's state after its last day, or the fixed-rate Jeffreys posterior. */
export interface BeforeModel {
  state: DriftState;
  /** "drift" with MIN_REFERENCE_DAYS or more dated before days with clicks; "fixed" otherwise. */
  model: "drift" | "fixed";
  drift: { delta: number; s2: number } | null;
}

/**
 * The before period's rate model (see predictAfter): driftFilter on the before days when there are at least
 * MIN_REFERENCE_DAYS dated days with clicks, else Beta(1/2 + X, 1/2 + N - X) of the totals as a state with discount 1
 * and no day shock. Null without before clicks.
 * @example beforeModel(days)?.model // "drift" for 60 dated days
 */
export function beforeModel(before: readonly DayRow[]): BeforeModel | null {
  let N = 0;
  let X = 0;
  let daysWithClicks = 0;
  for (const r of before) {
    if (r.clicks > 0) daysWithClicks++;
    N += r.clicks;
    X += r.conversions;
  }
  if (!(N > 0)) return null;
  if (before.every((r) => r.date !== null) && daysWithClicks >= MIN_REFERENCE_DAYS) {
    const state = driftFilter(before).state;
    return { state, model: "drift", drift: { delta: state.delta, s2: state.s2 } };
  }
  const p = ratePosterior(X, N);
  return { state: { base: "binomial", a: p.a, b: p.b, delta: 1, s2: 0 }, model: "fixed", drift: null };
}

/** The lift of a change against the rate the after days would have had without it. */
export interface ChangeLift {
  lift: LiftInterval;
  /** P(after rate > the counterfactual rate). */
  pGreater: number;
  /** The counterfactual's Beta law, and the before model it came from. */
  counterfactual: BetaShape;
  model: "drift" | "fixed";
  drift: { delta: number; s2: number } | null;
  /**
   * The drift carried over the after days leaves the counterfactual rate nearly unknown (its Beta's concentration
   * a + b below 2, e.g. a memory of a day or two carried over weeks): the lift's interval is then too wide to say
   * anything, and a shorter after window is the question to ask.
   */
  saturated: boolean;
}

/**
 * Lift with drift: the after period's average rate (its Jeffreys posterior) against the average rate its days would
 * have had with no change, which is the before period's drifting rate carried over the after days: mean m (the
 * filter's level at the change) and squared CV cvLevel2 + cvShock2 of the click-weighted average rate (horizonMoments:
 * the level's drift and the day shocks), as the Beta with those two moments,
 * Beta(m c, (1 - m) c), c = (1 - m) / (m cv^2) - 1 (the same matching windowDistribution's beta-binomial uses).
 * With no drift chosen (discount 1, no shock) the counterfactual is the before posterior itself and this is
 * compareRates. The lift then widens with the drift the before days showed, and with how long the after period runs.
 * Edge cases: no before or after clicks, or a Poisson-base filter (some day with more conversions than clicks: the
 * rate is not a proportion) give null; the caller keeps the fixed-rate comparison then.
 * @example changeLift(beforeDays, afterDays)?.pGreater // P(the change raised the rate), drift allowed for
 * Reference: West & Harrison (1997), sec. 10.8 (discounted forecasts); Brodersen et al. (2015), "Inferring causal
 *   impact using Bayesian structural time-series models", Ann. Appl. Stat. 9 (the counterfactual framing).
 */
export function changeLift(before: readonly DayRow[], after: readonly DayRow[]): ChangeLift | null {
  const bm = beforeModel(before);
  if (!bm || bm.state.base !== "binomial") return null;
  let N = 0;
  let Y = 0;
  const clicks: number[] = [];
  for (const r of after) {
    N += r.clicks;
    Y += r.conversions;
    clicks.push(r.clicks);
  }
  if (!(N > 0)) return null;
  const { state } = bm;
  let counterfactual: BetaShape = { a: state.a, b: state.b };
  if (!(state.delta === 1 && state.s2 === 0)) {
    const { m, cvLevel2, cvShock2 } = horizonMoments(state, clicks);
    const cv2 = cvLevel2 + cvShock2;
    if (m > 0 && m < 1 && cv2 > 0) {
      const c = Math.max(DRIFT_MIN_CONCENTRATION, (1 - m) / (m * cv2) - 1);
      counterfactual = { a: m * c, b: (1 - m) * c };
    }
  }
  const post = ratePosterior(Y, N);
  const y = { a: post.a, b: post.b };
  return {
    lift: {
      median: ratioQuantile(counterfactual, y, 0.5) - 1,
      lo90: ratioQuantile(counterfactual, y, 0.05) - 1,
      hi90: ratioQuantile(counterfactual, y, 0.95) - 1,
    },
    pGreater: probabilityGreater(counterfactual, y),
    counterfactual,
    model: bm.model,
    drift: bm.drift,
    saturated: counterfactual.a + counterfactual.b < 2,
  };
}

/** Two periods' days as the lift reads them under conversion lag (see the module comment). */
export interface LagExposure {
  /** The days with each provisional day's clicks scaled by F(age) (its arrived conversions kept, capped at F n). */
  before: DayRow[];
  after: DayRow[];
  /** Days with F(age) < 1 in each period. */
  provisionalBefore: number;
  provisionalAfter: number;
  /** Effective clicks sum_t F_t n_t of each period. */
  effectiveBefore: number;
  effectiveAfter: number;
}

/**
 * The before and after days with their clicks thinned to the effective exposure F(age) x clicks (module comment):
 * ages counted from `lag.asOf`, F from `lag.fractions` (ages 0 .. length - 1; older days complete). Without `lag` the
 * days are returned as they are. The Poisson base (some day with more conversions than clicks) is decided on both
 * periods together, as the estimate decides it on the campaign.
 * @example lagExposure(before, after, { asOf: "2026-03-31", fractions: [0.15, 0.4] }).effectiveAfter // < after clicks
 */
export function lagExposure(before: readonly DayRow[], after: readonly DayRow[], lag: LagOption | undefined): LagExposure {
  const sum = (rows: readonly DayRow[]) => rows.reduce((s, r) => s + r.clicks, 0);
  if (!lag) {
    return { before: [...before], after: [...after], provisionalBefore: 0, provisionalAfter: 0, effectiveBefore: sum(before), effectiveAfter: sum(after) };
  }
  const all = [...before, ...after];
  const rl = rowLag(all, lag);
  const scaled = scaleProvisional(all, rl.fractions);
  let provisionalBefore = 0;
  for (let i = 0; i < before.length; i++) if ((rl.fractions[i] as number) < 1) provisionalBefore++;
  const b = scaled.slice(0, before.length);
  const a = scaled.slice(before.length);
  return {
    before: b,
    after: a,
    provisionalBefore,
    provisionalAfter: rl.provisional - provisionalBefore,
    effectiveBefore: sum(b),
    effectiveAfter: sum(a),
  };
}
