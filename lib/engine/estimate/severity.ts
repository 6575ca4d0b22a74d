/**
 * The order-value (severity) distribution of a campaign: from order rows when there are any, else a lognormal whose
 * mean is revenue per conversion and whose spread comes from how the day's average order value varies with the
 * day's conversion count.
 */
import type { DayRow, SeveritySpec } from "./types";

/** Fewest units with sales needed to estimate the spread from daily average order values. */
const MIN_SALES_UNITS = 5;

/** The severity estimate: the spec for the engine plus how it was obtained. */
export interface SeverityEstimate {
  spec: SeveritySpec;
  /**
   * "orders": empirical order values (spec "empirical"; `lognormal` holds the log-moment fit);
   * "daily-aov": lognormal from revenue per conversion and the spread of daily average order values;
   * "revenue-per-conversion": lognormal with that mean and sigma = 1 (too few units with sales, flagged);
   * "counts-only": no revenue at all, every conversion worth 1 (the aggregate is then a conversion count).
   */
  source: "orders" | "daily-aov" | "revenue-per-conversion" | "counts-only";
  /** Mean order value (currency units; 1 for counts-only). */
  mean: number;
  /** Lognormal parameters (log-moment fit for orders; the fit itself otherwise); null for counts-only/constant. */
  lognormal: { mu: number; sigma: number } | null;
  /** Number of order rows or units with sales used. */
  used: number;
  /** sigma = 1 was assumed, not estimated. */
  sigmaAssumed: boolean;
  /** No revenue at all: severity is the constant 1. */
  countsOnly: boolean;
  /**
   * How the order values were obtained, for lib/analysis/messages.ts to word: "no-revenue", "no-sales" (no
   * conversions with revenue), "refunds" (revenue per conversion not positive): counts only; "few-units" (sigma
   * assumed), "constant" (every unit's average order value equal), "fitted" (lognormal from daily order values),
   * "orders" (empirical order values).
   */
  finding: "no-revenue" | "no-sales" | "refunds" | "few-units" | "constant" | "fitted" | "orders";
  /** Orders: negative values (refunds) left out, and values <= 0 left out of the lognormal fit (0 otherwise). */
  negatives: number;
  droppedFromFit: number;
}

/**
 * Empirical order-value points [value, probability] (equal values merged, sorted by value) and the lognormal fitted
 * by log-moments: mu = mean(ln v), sigma = sd(ln v) (n - 1 divisor, Welford for stability). Negative values
 * (refunds) are dropped from both; zero values (free orders) stay in the points but cannot enter the lognormal.
 * @param values - finite order values; at least one > 0.
 * @example orderValueFit([50, 50, 200]).points // [[50, 2/3], [200, 1/3]]
 * Reference: Johnson, Kotz & Balakrishnan, Continuous Univariate Distributions vol. 1 (2nd ed.), sec. 14.4.
 */
export function orderValueFit(values: readonly number[]): { points: [number, number][]; mean: number; lognormal: { mu: number; sigma: number } | null; positive: number } {
  const counts = new Map<number, number>();
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v < 0) continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
    sum += v;
    n++;
  }
  const points = [...counts.entries()].sort((p, q) => p[0] - q[0]).map(([v, c]): [number, number] => [v, c / n]);
  let k = 0;
  let m = 0;
  let s2 = 0;
  for (const v of values) {
    if (!(v > 0)) continue;
    const l = Math.log(v);
    k++;
    const d = l - m;
    m += d / k;
    s2 += d * (l - m);
  }
  const lognormal = k >= 2 ? { mu: m, sigma: Math.sqrt(s2 / (k - 1)) } : k === 1 ? { mu: m, sigma: 0 } : null;
  return { points, mean: n > 0 ? sum / n : 0, lognormal, positive: k };
}

/**
 * Lognormal severity from units' revenue and conversions.
 *
 * m = sum revenue / sum conversions over units with conversions > 0 and revenue known. A unit's average order value
 * aov_t = revenue_t / n_t has Var(aov_t | n_t) = sigma_X^2 / n_t, so
 * sigma_X^2 = sum_t n_t (aov_t - m)^2 / (T - 1); then sigma^2 = ln(1 + sigma_X^2 / m^2), mu = ln m - sigma^2 / 2
 * (the lognormal with mean m and variance sigma_X^2). Fractional n_t weigh as they are.
 *
 * Edge cases: fewer than MIN_SALES_UNITS units with sales -> sigma = 1 (flagged `sigmaAssumed`); sigma_X^2 = 0
 * (every unit's average equal to m) -> constant severity m; no revenue anywhere, or no conversions with revenue ->
 * constant 1 (counts only, flagged); m <= 0 (net refunds) -> constant 1 as well, flagged.
 * @example severityFromUnits(rows).lognormal // { mu: ~4.0, sigma: ~1.0 } for data simulated from lognormal(4, 1)
 * Reference: the delta-free moment identity of a mean of n iid order values, Var(mean) = Var(X)/n.
 */
export function severityFromUnits(rows: readonly Pick<DayRow, "conversions" | "revenue">[]): SeverityEstimate {
  const countsOnly = (finding: "no-revenue" | "no-sales" | "refunds"): SeverityEstimate => ({
    spec: { kind: "constant", value: 1 },
    source: "counts-only",
    mean: 1,
    lognormal: null,
    used: 0,
    sigmaAssumed: false,
    countsOnly: true,
    finding,
    negatives: 0,
    droppedFromFit: 0,
  });
  if (rows.every((r) => r.revenue === null)) return countsOnly("no-revenue");
  const sales = rows.filter((r) => r.revenue !== null && r.conversions > 0) as { conversions: number; revenue: number }[];
  let R = 0;
  let C = 0;
  for (const r of sales) {
    R += r.revenue;
    C += r.conversions;
  }
  if (sales.length === 0) return countsOnly("no-sales");
  const m = R / C;
  if (!(m > 0)) return countsOnly("refunds");
  if (sales.length < MIN_SALES_UNITS) {
    return {
      spec: { kind: "lognormal", mu: Math.log(m) - 0.5, sigma: 1 },
      source: "revenue-per-conversion",
      mean: m,
      lognormal: { mu: Math.log(m) - 0.5, sigma: 1 },
      used: sales.length,
      sigmaAssumed: true,
      countsOnly: false,
      finding: "few-units",
      negatives: 0,
      droppedFromFit: 0,
    };
  }
  let ss = 0;
  for (const r of sales) ss += r.conversions * (r.revenue / r.conversions - m) ** 2;
  const varX = ss / (sales.length - 1);
  if (!(varX > 0)) {
    return {
      spec: { kind: "constant", value: m },
      source: "daily-aov",
      mean: m,
      lognormal: null,
      used: sales.length,
      sigmaAssumed: false,
      countsOnly: false,
      finding: "constant",
      negatives: 0,
      droppedFromFit: 0,
    };
  }
  // log1p: exact for a small relative spread sigma_X / m.
  const s2 = Math.log1p(varX / (m * m));
  const lognormal = { mu: Math.log(m) - s2 / 2, sigma: Math.sqrt(s2) };
  return {
    spec: { kind: "lognormal", ...lognormal },
    source: "daily-aov",
    mean: m,
    lognormal,
    used: sales.length,
    sigmaAssumed: false,
    countsOnly: false,
    finding: "fitted",
    negatives: 0,
    droppedFromFit: 0,
  };
}

/**
 * The campaign's severity: empirical order values when `orderValues` has any positive value (negative values,
 * refunds, dropped), else severityFromUnits(rows).
 * @example estimateSeverity(rows, [30, 30, 90]).spec // { kind: "empirical", points: [[30, 2/3], [90, 1/3]] }
 */
export function estimateSeverity(rows: readonly Pick<DayRow, "conversions" | "revenue">[], orderValues?: readonly number[]): SeverityEstimate {
  if (orderValues && orderValues.some((v) => v > 0)) {
    const fit = orderValueFit(orderValues);
    const dropped = orderValues.length - fit.positive;
    const negatives = orderValues.filter((v) => v < 0).length;
    return {
      spec: { kind: "empirical", points: fit.points },
      source: "orders",
      mean: fit.mean,
      lognormal: fit.lognormal,
      used: orderValues.length,
      sigmaAssumed: false,
      countsOnly: false,
      finding: "orders",
      negatives,
      droppedFromFit: dropped,
    };
  }
  return severityFromUnits(rows);
}
