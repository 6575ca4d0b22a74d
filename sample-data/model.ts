/**
 * The true parameters of the sample dataset and the simulation that draws one realisation of it.
 *
 * Per campaign c and day t (t = 0..179, 2026-03-02 .. 2026-08-28):
 *   shape_t       = weekday_c[dow(t)] * (1 + trend_c (t / 179 - 1/2)) * exp(0.08 e_t - 0.08^2 / 2)
 *   impressions_t ~ Poisson(clicksPerDay_c / ctr_c * shape_t)
 *   clicks_t      ~ Binomial(impressions_t, ctr_c)
 *   spend_t       = round_cents(clicks_t * cpc_c * exp(0.06 f_t - 0.06^2 / 2))
 *   conversions_t ~ Binomial(clicks_t, min(1, p_c Z_t))
 *   revenue_t     = sum of conversions_t order values, each round_cents(LogNormal(mu_c, sigma_c)), at least 0.01
 * with e_t, f_t standard normal, and one market shock Z_t shared by all campaigns:
 *   x_0 ~ N(0, s^2), x_t = phi x_{t-1} + s sqrt(1 - phi^2) g_t, Z_t = exp(x_t - s^2 / 2)   (E[Z_t] = 1)
 * Every factor with a random part has mean 1, so clicksPerDay, cpc and p_c are the period's true means.
 */
import { binomial, createRng, lognormal, lognormalMu, normal, poisson } from "./random";

export const START_DATE = "2026-03-02";
export const DAYS = 180;
export const CURRENCY = "USD";
export const DEFAULT_SEED = 20260302;

/** Log-sd of the daily budget-pacing factor on impressions (mean-one lognormal): ~8% day-to-day wobble. */
export const PACING_LOG_SD = 0.08;
/** Log-sd of the daily average CPC around the campaign's mean (mean-one lognormal): ~6% auction noise. */
export const CPC_LOG_SD = 0.06;

/**
 * The shared market shock on every campaign's conversion rate: a stationary Gaussian AR(1) on the log scale.
 * logSd 0.15 gives Var[Z] = exp(0.15^2) - 1 ~ 0.0228, i.e. conversion rates move together by ~15% from day to day,
 * and daily surprises of the larger campaigns correlate at ~0.1-0.25 (see `expectedSurpriseCorrelation`).
 * phi 0.6: a good or bad day tends to be followed by another (half-life ~1.4 days).
 */
export const SHOCK = { phi: 0.6, logSd: 0.15 } as const;

export type Channel = "search" | "shopping" | "display" | "video" | "social";

/** Relative traffic by weekday, Monday first, before normalising to a mean of 1. */
const WEEKDAY_PROFILES: Record<Channel, readonly number[]> = {
  // Search: office-hours intent, quieter Saturday.
  search: [1.06, 1.08, 1.06, 1.03, 0.97, 0.86, 0.94],
  // Shopping: browsing peaks at the weekend.
  shopping: [0.95, 0.97, 0.96, 0.97, 1.0, 1.06, 1.12],
  // Display remarketing: nearly flat, follows site traffic.
  display: [1.02, 1.02, 1.02, 1.01, 0.99, 0.96, 0.98],
  // Video and social feeds: leisure time, busier Friday to Sunday.
  video: [0.92, 0.93, 0.95, 0.97, 1.03, 1.1, 1.1],
  social: [0.92, 0.93, 0.95, 0.97, 1.03, 1.1, 1.1],
};

export const WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

export interface CampaignSpec {
  name: string;
  channel: Channel;
  /** Mean conversions (sales) per day over the period (count/day). */
  salesPerDay: number;
  /** Click-through rate, clicks / impressions, in (0, 1). */
  ctr: number;
  /** Mean cost per click (USD). */
  cpc: number;
  /** Mean conversion rate p, conversions / clicks, in (0, 1); the shock multiplies it day by day. */
  conversionRate: number;
  /** Mean order value (USD) of the lognormal order-value distribution. */
  orderValueMean: number;
  /** Log-sd sigma of the order-value lognormal. */
  orderValueSigma: number;
  /** Linear trend: relative change of traffic from the first to the last day (0.2 = +20%), mean over the period 1. */
  trend: number;
}

/** The six sample campaigns, from about one sale a week to about thirty a day. Order = order in every file. */
export const CAMPAIGNS: readonly CampaignSpec[] = [
  {
    name: "Brand Search",
    channel: "search",
    salesPerDay: 7,
    ctr: 0.09,
    cpc: 0.85,
    conversionRate: 0.06,
    orderValueMean: 80,
    orderValueSigma: 0.55,
    trend: 0.05,
  },
  {
    name: "Generic Search - Running Shoes",
    channel: "search",
    salesPerDay: 3,
    ctr: 0.032,
    cpc: 2.95,
    conversionRate: 0.022,
    orderValueMean: 135,
    orderValueSigma: 0.45,
    trend: 0.15,
  },
  {
    name: "Shopping - All Products",
    channel: "shopping",
    salesPerDay: 28,
    ctr: 0.011,
    cpc: 0.62,
    conversionRate: 0.016,
    orderValueMean: 62,
    orderValueSigma: 0.7,
    trend: 0.2,
  },
  {
    name: "Display Remarketing",
    channel: "display",
    salesPerDay: 1.5,
    ctr: 0.004,
    cpc: 0.38,
    conversionRate: 0.009,
    orderValueMean: 42,
    orderValueSigma: 0.6,
    trend: -0.1,
  },
  {
    name: "Video Prospecting",
    channel: "video",
    salesPerDay: 0.15,
    ctr: 0.006,
    cpc: 0.32,
    conversionRate: 0.003,
    orderValueMean: 240,
    orderValueSigma: 0.5,
    trend: 0,
  },
  {
    name: "Social Lookalike",
    channel: "social",
    salesPerDay: 0.5,
    ctr: 0.009,
    cpc: 1.15,
    conversionRate: 0.007,
    orderValueMean: 95,
    orderValueSigma: 0.5,
    trend: -0.05,
  },
];

/**
 * The weekday multipliers of a channel, Monday first, scaled to average exactly 1 over a week.
 * Formula: w_d = raw_d * 7 / sum(raw). Example: search Saturday 0.86 * 7 / 7.00 = 0.86.
 */
export function weekdayFactors(channel: Channel): number[] {
  const raw = WEEKDAY_PROFILES[channel];
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => (w * 7) / total);
}

/**
 * The linear trend multiplier on day t of the period.
 * Formula: 1 + g (t / (DAYS - 1) - 1/2), so it runs from 1 - g/2 to 1 + g/2 and averages exactly 1.
 * @param g in (-2, 2) so the multiplier stays positive; @param t integer in [0, DAYS - 1].
 * Example: g = 0.2, t = 0 gives 0.9.
 */
export function trendFactor(g: number, t: number): number {
  return 1 + g * (t / (DAYS - 1) - 0.5);
}

/** Mean clicks per day implied by a campaign's sales and conversion rate: salesPerDay / p. */
export function clicksPerDay(c: CampaignSpec): number {
  return c.salesPerDay / c.conversionRate;
}

/** ISO date (YYYY-MM-DD) of day t of the period, by UTC calendar arithmetic (no time zone can shift it). */
export function dateOf(t: number): string {
  const [y, m, d] = START_DATE.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + t)).toISOString().slice(0, 10);
}

/** Weekday index of day t, 0 = Monday .. 6 = Sunday. */
export function weekdayOf(t: number): number {
  const [y, m, d] = START_DATE.split("-").map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, m - 1, d + t)).getUTCDay() + 6) % 7;
}

/** One campaign-day of the simulated data; money in integer cents so sums are exact. */
export interface DayRow {
  day: number;
  date: string;
  campaign: string;
  impressions: number;
  clicks: number;
  conversions: number;
  spendCents: number;
  /** The order values of this day's conversions (cents), in draw order; revenue is their sum. */
  orderCents: number[];
  revenueCents: number;
}

export interface Simulation {
  seed: number;
  /** Market shock factor Z_t per day (mean 1). */
  shock: number[];
  /** One array of DAYS rows per campaign, in CAMPAIGNS order. */
  rows: DayRow[][];
}

/** Stream ids: 0 is the market shock; campaign i uses 1 + 2i (traffic) and 2 + 2i (order values). */
const SHOCK_STREAM = 0;

/**
 * The shared market shock path Z_0..Z_{DAYS-1}: a stationary AR(1) on the log scale, exponentiated with a mean
 * correction so E[Z_t] = 1 for every t.
 * Formula: x_0 = s g_0, x_t = phi x_{t-1} + s sqrt(1 - phi^2) g_t, Z_t = exp(x_t - s^2 / 2), g_t ~ N(0, 1).
 * Parameters: phi in (-1, 1), s >= 0 (s = 0 gives Z_t = 1). Example: with s = 0.15 about 95% of days fall in
 * [0.74, 1.33]. Reference: Hamilton, Time Series Analysis, 1994, sec. 3.4 (stationary AR(1) variance s^2).
 */
export function marketShock(seed: number, phi = SHOCK.phi, logSd = SHOCK.logSd): number[] {
  const rng = createRng(seed, SHOCK_STREAM);
  const innovationSd = logSd * Math.sqrt(1 - phi * phi);
  const z: number[] = [];
  let x = logSd * normal(rng);
  for (let t = 0; t < DAYS; t++) {
    if (t > 0) x = phi * x + innovationSd * normal(rng);
    z.push(Math.exp(x - (logSd * logSd) / 2));
  }
  return z;
}

/** Draws one realisation of all six campaigns over the period. Pure: same seed, same result. */
export function simulate(seed: number): Simulation {
  const shock = marketShock(seed);
  const rows = CAMPAIGNS.map((c, i) => {
    const traffic = createRng(seed, 1 + 2 * i);
    const orders = createRng(seed, 2 + 2 * i);
    const weekday = weekdayFactors(c.channel);
    const impressionsPerDay = clicksPerDay(c) / c.ctr;
    const mu = lognormalMu(c.orderValueMean, c.orderValueSigma);
    const out: DayRow[] = [];
    for (let t = 0; t < DAYS; t++) {
      // Fixed draw order per day (pacing, impressions, clicks, cpc, conversions) keeps the stream aligned.
      const pacing = Math.exp(PACING_LOG_SD * normal(traffic) - (PACING_LOG_SD * PACING_LOG_SD) / 2);
      const shape = weekday[weekdayOf(t)]! * trendFactor(c.trend, t) * pacing;
      const impressions = poisson(traffic, impressionsPerDay * shape);
      const clicks = binomial(traffic, impressions, c.ctr);
      const cpcToday = c.cpc * Math.exp(CPC_LOG_SD * normal(traffic) - (CPC_LOG_SD * CPC_LOG_SD) / 2);
      const spendCents = Math.round(clicks * cpcToday * 100);
      // p Z_t stays far below 1 for these parameters (max p = 0.06, Z < 3); the cap only guards the domain.
      const conversions = binomial(traffic, clicks, Math.min(1, c.conversionRate * shock[t]!));
      const orderCents: number[] = [];
      let revenueCents = 0;
      for (let k = 0; k < conversions; k++) {
        const cents = Math.max(1, Math.round(lognormal(orders, mu, c.orderValueSigma) * 100));
        orderCents.push(cents);
        revenueCents += cents;
      }
      out.push({ day: t, date: dateOf(t), campaign: c.name, impressions, clicks, conversions, spendCents, orderCents, revenueCents });
    }
    return out;
  });
  return { seed, shock, rows };
}
