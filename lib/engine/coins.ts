/**
 * Coins: the same variance story told with prices. Daily log returns from Yahoo-format price CSVs, realised
 * volatility (annualized by sqrt(365): coins trade every day), return histograms, the distribution of a holding's
 * value over a horizon and a collar on it; and a campaign seen as a coin (its daily revenue surprise against its spend).
 *
 * Conventions (they reproduce ../shared/data/coins/reference.json): sd with the n - 1 divisor; skewness and excess
 * kurtosis as population moment ratios g1 = m3 / m2^1.5, g2 = m4 / m2^2 - 3; quantiles by linear interpolation
 * between order statistics (Hyndman & Fan type 7, numpy's default); drawdown on the price, p_t / max_{s<=t} p_s - 1.
 */
import type { DayRow } from "./estimate/types";
import { neumaierSum } from "./numeric";

/** Days per year used to annualize daily volatility (coins trade every calendar day). */
const DAYS_PER_YEAR = 365;
/** Quantile levels reported by default (those of the reference figures). */
export const DEFAULT_QUANTILES = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999] as const;

/** A daily price series, sorted by date. */
export interface PriceSeries {
  dates: string[];
  prices: number[];
  /** Which column the prices came from: "Adj Close", "Close", or "mixed" when some rows fell back to Close. */
  priceColumn: "Adj Close" | "Close" | "mixed";
  /** Data rows left out: "null" prices, non-positive or unparseable prices, bad dates, repeated dates. */
  skippedRows: number;
}

/**
 * Daily log returns r_t = ln(p_t / p_{t-1}) (one fewer than the prices; consecutive rows, whatever the calendar gap).
 * @param prices - > 0.
 * @example logReturns([100, 110]) // [0.09531...] (ln 1.1)
 */
export function logReturns(prices: readonly number[]): number[] {
  const out: number[] = [];
  for (let t = 1; t < prices.length; t++) out.push(Math.log((prices[t] as number) / (prices[t - 1] as number)));
  return out;
}

/**
 * Type-7 quantile of sorted values: h = (n - 1) p, x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)).
 * @param sorted - ascending, non-empty. @param p - in [0, 1].
 * @example quantileSorted([1, 2, 3, 4], 0.5) // returns 2.5
 * Reference: Hyndman & Fan (1996), "Sample quantiles in statistical packages", Am. Stat. 50, definition 7.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const i = Math.floor(h);
  const lo = sorted[i] as number;
  const hi = sorted[Math.min(i + 1, sorted.length - 1)] as number;
  return lo + (h - i) * (hi - lo);
}

/** Summary of a return series. */
export interface ReturnStats {
  /** Number of returns. */
  count: number;
  mean: number;
  /** Standard deviation, n - 1 divisor. */
  sd: number;
  /** sd x sqrt(periodsPerYear). */
  annualizedVolatility: number;
  /** g1 = m3 / m2^1.5 (null when every return is equal). */
  skewness: number | null;
  /** g2 = m4 / m2^2 - 3 (null when every return is equal). */
  excessKurtosis: number | null;
  worst: number;
  best: number;
  /** Type-7 quantiles keyed by String(level). */
  quantiles: Record<string, number>;
}

/**
 * Mean, sd, annualized volatility, skewness, excess kurtosis, extremes and quantiles of returns.
 * Two passes (mean, then central moments): stable without Welford because the data are in memory.
 * annualizedVolatility = sd sqrt(periodsPerYear) (the square-root-of-time rule for independent returns).
 * @param returns - at least 2 finite values (fewer -> null: no spread to measure).
 * @param options.periodsPerYear - default 365. @param options.quantiles - levels in [0, 1].
 * @example returnStats([0.01, -0.01]).sd // returns ~0.014142 (sqrt(2e-4))
 * Reference: Joanes & Gill (1998), "Comparing measures of sample skewness and kurtosis", The Statistician 47 (g1, g2).
 */
export function returnStats(
  returns: readonly number[],
  options: { periodsPerYear?: number; quantiles?: readonly number[] } = {},
): ReturnStats | null {
  const n = returns.length;
  if (n < 2) return null;
  let mean = 0;
  for (const r of returns) mean += r;
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let worst = Infinity;
  let best = -Infinity;
  for (const r of returns) {
    const d = r - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
    if (r < worst) worst = r;
    if (r > best) best = r;
  }
  const sd = Math.sqrt(m2 / (n - 1));
  m2 /= n;
  m3 /= n;
  m4 /= n;
  // A typed array sorts numerically without a comparator call per comparison (a fifth of the time on a year of days).
  const sorted = Float64Array.from(returns).sort();
  const quantiles: Record<string, number> = {};
  for (const q of options.quantiles ?? DEFAULT_QUANTILES) quantiles[String(q)] = quantileSorted(sorted, q);
  return {
    count: n,
    mean,
    sd,
    annualizedVolatility: sd * Math.sqrt(options.periodsPerYear ?? DAYS_PER_YEAR),
    skewness: m2 > 0 ? m3 / Math.pow(m2, 1.5) : null,
    excessKurtosis: m2 > 0 ? m4 / (m2 * m2) - 3 : null,
    worst,
    best,
    quantiles,
  };
}

/**
 * Maximum drawdown: min_t (p_t / max_{s<=t} p_s - 1), in [-1, 0]; 0 for a series that never falls (or has < 2
 * prices).
 * @example maxDrawdown([100, 120, 60, 130]) // returns -0.5
 */
export function maxDrawdown(prices: readonly number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const p of prices) {
    if (p > peak) peak = p;
    const dd = p / peak - 1;
    if (dd < worst) worst = dd;
  }
  return worst;
}

/** Counts of values in equal-width bins. */
export interface Histogram {
  firstEdge: number;
  binWidth: number;
  /** counts[i] = values in [firstEdge + i w, firstEdge + (i + 1) w); the last bin also takes its right edge. */
  counts: number[];
  /** Values below firstEdge / at or above the last edge (0 when clipped into the end bins). */
  below: number;
  above: number;
}

/**
 * Histogram with `bins` bins of width `binWidth` from `firstEdge`. With `clip` (default true) values outside are
 * counted in the first/last bin (as the reference figures do), else in `below`/`above`. Bin index
 * floor((x - firstEdge) / w), so a value exactly on an inner edge goes to the bin on its right.
 * @example histogram([0.1, 0.2, 0.25], { firstEdge: 0, binWidth: 0.1, bins: 3 }).counts // [0, 1, 2]
 */
export function histogram(
  values: readonly number[],
  spec: { firstEdge: number; binWidth: number; bins: number; clip?: boolean },
): Histogram {
  const { firstEdge, binWidth, bins } = spec;
  const clip = spec.clip ?? true;
  const counts = new Array<number>(bins).fill(0);
  let below = 0;
  let above = 0;
  for (const x of values) {
    let i = Math.floor((x - firstEdge) / binWidth);
    if (i === bins && x === firstEdge + bins * binWidth) i = bins - 1;
    if (i < 0) {
      if (!clip) {
        below++;
        continue;
      }
      i = 0;
    } else if (i >= bins) {
      if (!clip) {
        above++;
        continue;
      }
      i = bins - 1;
    }
    counts[i] = (counts[i] as number) + 1;
  }
  return { firstEdge, binWidth, counts, below, above };
}

/** Everything shown for one price series. */
export interface CoinSummary {
  firstDate: string | null;
  lastDate: string | null;
  /** Prices. */
  days: number;
  stats: ReturnStats | null;
  maxDrawdown: number;
  histogram: Histogram;
}

/**
 * Describes a price series: log-return statistics, maximum drawdown and the histogram of daily log returns
 * (default bins: width 0.005 from -0.3, 120 bins, clipped: the reference figures' layout).
 * @example describeCoin(parseYahooCsv(csv)).stats?.annualizedVolatility // ~0.706 for BTC 2018-2023
 */
export function describeCoin(
  series: PriceSeries,
  bins: { firstEdge: number; binWidth: number; bins: number } = { firstEdge: -0.3, binWidth: 0.005, bins: 120 },
): CoinSummary {
  const returns = logReturns(series.prices);
  return {
    firstDate: series.dates[0] ?? null,
    lastDate: series.dates[series.dates.length - 1] ?? null,
    days: series.prices.length,
    stats: returnStats(returns),
    maxDrawdown: maxDrawdown(series.prices),
    histogram: histogram(returns, bins),
  };
}

/** A campaign seen as a coin. */
export interface CampaignAsCoin {
  dates: (string | null)[];
  /** Daily surprise s_t = revenue_t / (k spend_t) - 1, with k = sum revenue / sum spend (0 = an ordinary day). */
  surprises: number[];
  /** The daily returns the volatility is measured on: ln(1 + s_t) (`returnKind` "log"), or s_t itself ("simple")
   * when a day had spend and no revenue, where the log is -infinity. */
  returns: number[];
  returnKind: "log" | "simple";
  /** k: the campaign's revenue per unit of spend over the days used (the expectation each day is measured against). */
  revenuePerSpend: number | null;
  /** Statistics of `returns` on the coins' annualized scale (sd x sqrt(365)); null with fewer than 2 days, no
   * revenue at all, or a failed self-check (`finding` says which). */
  stats: ReturnStats | null;
  /** Days left out: no spend, or no revenue figure. */
  skipped: number;
  /** Days used that had spend and no revenue (why `returnKind` is "simple"). */
  zeroDays: number;
  /**
   * What was measured, for lib/analysis/messages.ts to word: "measured" (stats filled), "too-few-days" (fewer than
   * two days with spend and revenue), "no-revenue" (none on any day with spend), "unbalanced" (the self-check failed).
   */
  finding: CoinFinding;
}

/** See CampaignAsCoin.finding. */
export type CoinFinding = "measured" | "too-few-days" | "no-revenue" | "unbalanced";

/**
 * A campaign seen as a coin: its daily surprise against what that day's spend should bring, and the volatility of
 * that surprise on a coin's scale. Return on spend measures profitability (a steady campaign at 50x ROAS would show
 * a huge "return"); the surprise measures noise, which is what a coin's volatility measures too.
 *
 *   E[revenue_t | spend_t] = k spend_t, k = sum_t revenue_t / sum_t spend_t   (revenue per unit of spend)
 *   s_t = revenue_t / (k spend_t) - 1                                          (the day's surprise)
 *   r_t = ln(1 + s_t) = ln(revenue_t / (k spend_t))                            (like a coin's log return)
 *   volatility = sd(r_t) sqrt(365)                                             (sd with the n - 1 divisor)
 *
 * When a day has spend and no revenue, ln(1 + s_t) = ln 0 is -infinity: the simple surprises s_t are used instead
 * (`returnKind` "simple"); the two agree to first order in s_t (ln(1 + s) = s - s^2/2 + ...).
 * For a compound Poisson campaign with N_t ~ Poisson(lambda_t), lambda_t proportional to spend_t and order values of
 * coefficient of variation c_X, Var[s_t] = (1 + c_X^2) / lambda_t, so the annualized figure is close to
 * sqrt(365 mean_t((1 + c_X^2) / lambda_t)) (exactly that for the simple surprise with k known; to O(1/lambda) for
 * the log).
 * Self-check: sum_t spend_t s_t = 0 by construction; a larger residual than 1e-9 of the spend (a non-finite input
 * that got through) gives no figure rather than a wrong one.
 * @param days - rows in date order; rows without spend (spend <= 0) or with revenue null are skipped. Revenue >= 0.
 * @example campaignAsCoin([{ spend: 100, revenue: 200, ... }, { spend: 50, revenue: 100, ... }]).stats.sd // 0: revenue follows spend exactly
 * @example campaignAsCoin([{ spend: 100, revenue: 150, ... }, { spend: 100, revenue: 50, ... }]).surprises // [0.5, -0.5]
 * Reference: the daily surprise is DESIGN.md, "Coins"; the Poisson variance is Klugman, Panjer & Willmot, "Loss
 * Models" (4th ed.), section 9.3 (moments of a compound distribution).
 */
export function campaignAsCoin(days: readonly Pick<DayRow, "date" | "spend" | "revenue">[]): CampaignAsCoin {
  // The days used, as parallel arrays (no object per day: this runs on every campaign of an analysis).
  const dates: (string | null)[] = [];
  const spend: number[] = [];
  const revenue: number[] = [];
  let skipped = 0;
  for (const d of days) {
    if (!(d.spend > 0) || d.revenue === null || !Number.isFinite(d.spend) || !Number.isFinite(d.revenue) || d.revenue < 0) {
      skipped++;
      continue;
    }
    dates.push(d.date);
    spend.push(d.spend);
    revenue.push(d.revenue);
  }
  const empty = (finding: CoinFinding, revenuePerSpend: number | null = null): CampaignAsCoin => ({
    dates,
    surprises: [],
    returns: [],
    returnKind: "log",
    revenuePerSpend,
    stats: null,
    skipped,
    zeroDays: 0,
    finding,
  });
  const n = spend.length;
  if (n < 2) return empty("too-few-days");
  // Compensated (Neumaier) sums: thousands of days of spend in a currency's cents.
  const totalSpend = neumaierSum(spend);
  const totalRevenue = neumaierSum(revenue);
  if (!(totalRevenue > 0)) return empty("no-revenue", 0);
  const k = totalRevenue / totalSpend;
  const surprises = revenue.map((r, i) => r / (k * (spend[i] as number)) - 1);
  const residual = neumaierSum(spend.map((x, i) => x * (surprises[i] as number)));
  if (!(Math.abs(residual) <= 1e-9 * totalSpend)) {
    return empty("unbalanced", k);
  }
  let zeroDays = 0;
  for (const r of revenue) if (r === 0) zeroDays++;
  const returnKind = zeroDays === 0 ? "log" : "simple";
  const returns = returnKind === "log" ? revenue.map((r, i) => Math.log(r / (k * (spend[i] as number)))) : surprises;
  const stats = returnStats(returns);
  return {
    dates,
    surprises,
    returns,
    returnKind,
    revenuePerSpend: k,
    stats,
    skipped,
    zeroDays,
    finding: stats === null ? "too-few-days" : "measured",
  };
}
