/**
 * What the sample dataset should look like (expected values from the true parameters) and what one realisation
 * does look like (realised totals, dispersion, surprise correlations). Both go into truth.json and README.md.
 */
import { CAMPAIGNS, DAYS, SHOCK, clicksPerDay, trendFactor, weekdayFactors, weekdayOf } from "./model";
import type { CampaignSpec, DayRow } from "./model";

/**
 * Variance of the mean-one lognormal shock factor Z = exp(x - s^2/2), x ~ N(0, s^2).
 * Formula: Var[Z] = exp(s^2) - 1, computed with expm1 so small s keeps its digits.
 * @param logSd s >= 0. Example: s = 0.15 returns ~0.0227550. Reference: Johnson, Kotz, Balakrishnan, vol. 1, eq. 14.9.
 */
export function shockVariance(logSd: number = SHOCK.logSd): number {
  return Math.expm1(logSd * logSd);
}

/** Expected period totals of one campaign under its true parameters (spend before rounding to cents). */
export interface ExpectedTotals {
  impressions: number;
  clicks: number;
  conversions: number;
  spend: number;
  revenue: number;
}

/**
 * Expected totals over the period: the daily mean of each count summed over the actual calendar days.
 * Formula: E[clicks] = sum_t K w_{dow(t)} (1 + g (t/179 - 1/2)) (pacing has mean 1); E[impressions] = E[clicks] / ctr;
 * E[conversions] = p E[clicks] (E[Z_t] = 1 and Z is independent of clicks); E[spend] = cpc E[clicks];
 * E[revenue] = orderValueMean E[conversions]. The 180 days hold 26 Mondays..Fridays and 25 Saturdays/Sundays, so
 * the weekday mix moves the totals slightly off 180 K.
 * Example: Shopping - All Products (K = 1750) gives ~314,708 clicks.
 */
export function expectedTotals(c: CampaignSpec): ExpectedTotals {
  const w = weekdayFactors(c.channel);
  const k = clicksPerDay(c);
  let clicks = 0;
  for (let t = 0; t < DAYS; t++) clicks += k * w[weekdayOf(t)]! * trendFactor(c.trend, t);
  const conversions = clicks * c.conversionRate;
  return {
    impressions: clicks / c.ctr,
    clicks,
    conversions,
    spend: clicks * c.cpc,
    revenue: conversions * c.orderValueMean,
  };
}

/**
 * Variance of a campaign's daily conversion count given its clicks, with the shared shock mixed in, at mean m = k p.
 * Formula: Var[N | k] = E[k p Z (1 - p Z)] + (k p)^2 Var[Z] = m (1 - p (1 + v)) + m^2 v, v = Var[Z].
 * Example: m = 28, p = 0.016, v = 0.02276 gives ~45.38 (a plain binomial would give 27.55).
 */
function conversionVariance(mean: number, p: number, v: number = shockVariance()): number {
  return mean * (1 - p * (1 + v)) + mean * mean * v;
}

/**
 * Expected Pearson dispersion of daily conversions, E[(N - k p)^2 / (k p (1 - p))], at mean m = k p.
 * Formula: Var[N | k] / (m (1 - p)), 1 for a plain binomial; above 1 is the overdispersion the shock creates.
 * Example: m = 28, p = 0.016 gives ~1.647.
 */
export function expectedDispersion(mean: number, p: number, v: number = shockVariance()): number {
  return conversionVariance(mean, p, v) / (mean * (1 - p));
}

/**
 * Correlation between two campaigns' daily surprises (N - k p) / sqrt(k p (1 - p)) caused by the shared shock, at
 * the average day's volume.
 * Formula: corr = m_i m_j v / sqrt(Var_i Var_j), Var from `conversionVariance`; same-day covariance is
 * Cov[N_i, N_j] = m_i m_j Var[Z] because the two counts are independent given Z.
 * Edge cases: a zero mean on either side returns 0. Example: m = 28 and m = 7 (p = 0.016, 0.06) give ~0.2388.
 */
export function expectedSurpriseCorrelation(mi: number, pi: number, mj: number, pj: number, v: number = shockVariance()): number {
  if (mi <= 0 || mj <= 0) return 0;
  return (mi * mj * v) / Math.sqrt(conversionVariance(mi, pi, v) * conversionVariance(mj, pj, v));
}

/** Realised figures of one campaign in one simulated dataset. */
export interface RealisedStats {
  days: number;
  impressions: number;
  clicks: number;
  conversions: number;
  spend: number;
  revenue: number;
  salesPerDay: number;
  ctr: number;
  cpc: number;
  conversionRate: number;
  averageOrderValue: number;
  zeroSaleDays: number;
  /** Pearson dispersion of daily conversions around clicks * realised rate, over DAYS - 1 degrees of freedom. */
  dispersion: number;
  /** Order-value log mean and log sd (sample, n - 1). */
  orderLogMean: number;
  orderLogSd: number;
}

/**
 * Realised summary of one campaign's rows. Sums are exact integer cents; ratios guard empty denominators
 * (a campaign with no clicks or no orders reports 0 for the ratio rather than NaN).
 * Dispersion: sum_t (n_t - k_t p^)^2 / (k_t p^ (1 - p^)) / (T - 1), days with no clicks skipped.
 * Log moments of order values by Welford's update (no cancellation over thousands of orders).
 */
export function realisedStats(rows: readonly DayRow[]): RealisedStats {
  let impressions = 0;
  let clicks = 0;
  let conversions = 0;
  let spendCents = 0;
  let revenueCents = 0;
  let zeroSaleDays = 0;
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const r of rows) {
    impressions += r.impressions;
    clicks += r.clicks;
    conversions += r.conversions;
    spendCents += r.spendCents;
    revenueCents += r.revenueCents;
    if (r.conversions === 0) zeroSaleDays++;
    for (const cents of r.orderCents) {
      n++;
      const x = Math.log(cents / 100);
      const d = x - mean;
      mean += d / n;
      m2 += d * (x - mean);
    }
  }
  const p = clicks > 0 ? conversions / clicks : 0;
  let chi2 = 0;
  let used = 0;
  for (const r of rows) {
    const expected = r.clicks * p;
    const variance = expected * (1 - p);
    if (variance <= 0) continue;
    chi2 += (r.conversions - expected) ** 2 / variance;
    used++;
  }
  return {
    days: rows.length,
    impressions,
    clicks,
    conversions,
    spend: spendCents / 100,
    revenue: revenueCents / 100,
    salesPerDay: rows.length > 0 ? conversions / rows.length : 0,
    ctr: impressions > 0 ? clicks / impressions : 0,
    cpc: clicks > 0 ? spendCents / 100 / clicks : 0,
    conversionRate: p,
    averageOrderValue: conversions > 0 ? revenueCents / 100 / conversions : 0,
    zeroSaleDays,
    dispersion: used > 1 ? chi2 / (used - 1) : 0,
    orderLogMean: mean,
    orderLogSd: n > 1 ? Math.sqrt(m2 / (n - 1)) : 0,
  };
}

/**
 * Daily standardised surprises of a campaign against its true conversion rate p.
 * Formula: s_t = (n_t - k_t p) / sqrt(k_t p (1 - p)); a day with no clicks has no surprise and gives 0.
 */
function dailySurprises(rows: readonly DayRow[], p: number): number[] {
  return rows.map((r) => {
    const expected = r.clicks * p;
    const variance = expected * (1 - p);
    return variance > 0 ? (r.conversions - expected) / Math.sqrt(variance) : 0;
  });
}

/**
 * Pearson sample correlation of two equally long series, two-pass (means first) for stability.
 * Formula: sum (x - xbar)(y - ybar) / sqrt(sum (x - xbar)^2 sum (y - ybar)^2).
 * Edge cases: fewer than two points or a constant series returns 0 (no linear association can be measured).
 * Example: [1, 2, 3] with [2, 4, 7] gives ~0.9934.
 */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = Math.min(x.length, y.length);
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return 0;
  return sxy / Math.sqrt(sxx * syy);
}

export interface PairCorrelation {
  a: string;
  b: string;
  expected: number;
  realised: number;
}

/** Expected and realised surprise correlation for every pair of campaigns, in CAMPAIGNS order. */
export function surpriseCorrelations(rows: readonly (readonly DayRow[])[]): PairCorrelation[] {
  const means = CAMPAIGNS.map((c) => expectedTotals(c).conversions / DAYS);
  const surprises = CAMPAIGNS.map((c, i) => dailySurprises(rows[i] ?? [], c.conversionRate));
  const out: PairCorrelation[] = [];
  for (let i = 0; i < CAMPAIGNS.length; i++) {
    for (let j = i + 1; j < CAMPAIGNS.length; j++) {
      out.push({
        a: CAMPAIGNS[i]!.name,
        b: CAMPAIGNS[j]!.name,
        expected: expectedSurpriseCorrelation(means[i]!, CAMPAIGNS[i]!.conversionRate, means[j]!, CAMPAIGNS[j]!.conversionRate),
        realised: pearson(surprises[i]!, surprises[j]!),
      });
    }
  }
  return out;
}
