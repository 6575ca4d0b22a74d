/**
 * Coins: the same variance story told with prices. Daily log returns from Yahoo-format price CSVs, realised
 * volatility (annualised by sqrt(365): coins trade every day), return histograms, the distribution of a holding's
 * value over a horizon and a collar on it; and a campaign seen as a coin (its daily revenue surprise against its spend).
 *
 * Conventions (they reproduce ../shared/data/coins/reference.json): sd with the n - 1 divisor; skewness and excess
 * kurtosis as population moment ratios g1 = m3 / m2^1.5, g2 = m4 / m2^2 - 3; quantiles by linear interpolation
 * between order statistics (Hyndman & Fan type 7, numpy's default); drawdown on the price, p_t / max_{s<=t} p_s - 1.
 */
import { AppError } from "@/lib/errors";
import { irfft, rfft } from "./fft";
import type { DayRow } from "./estimate/types";

/** Days per year used to annualise daily volatility (coins trade every calendar day). */
export const DAYS_PER_YEAR = 365;
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

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/**
 * Parses a Yahoo Finance daily price CSV (`Date,Open,High,Low,Close,Adj Close,Volume`) into a date-sorted series.
 * The price is Adj Close, falling back to Close on a row whose Adj Close is missing or "null"; rows whose price is
 * "null", empty, not a positive number, or whose date is not `YYYY-MM-DD` are skipped and counted; a repeated date
 * keeps its first row. Columns are found by header name (case and spacing ignored), so their order does not matter.
 * @param text - the file's text (a UTF-8 BOM and CRLF line ends are accepted).
 * @throws AppError("unrecognised_format") when there is no Date column or neither Close nor Adj Close.
 * @example parseYahooCsv("Date,Close\n2024-01-02,2\n2024-01-01,1\n").prices // [1, 2]
 */
export function parseYahooCsv(text: string): PriceSeries {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = splitCsvLine(lines[0] ?? "").map((h) => h.toLowerCase().replace(/\s+/g, " "));
  const iDate = header.indexOf("date");
  const iAdj = header.indexOf("adj close");
  const iClose = header.indexOf("close");
  if (iDate < 0 || (iAdj < 0 && iClose < 0)) {
    throw new AppError("unrecognised_format", "Not a daily price file: expected a Date column and a Close or Adj Close column.");
  }
  const seen = new Set<string>();
  const rows: { date: string; price: number }[] = [];
  let skipped = 0;
  let fromAdj = 0;
  let fromClose = 0;
  const num = (s: string | undefined) => {
    if (s === undefined || s === "" || s.toLowerCase() === "null") return Number.NaN;
    return Number(s.replace(/,/g, ""));
  };
  for (const line of lines.slice(1)) {
    const cells = splitCsvLine(line);
    const date = cells[iDate] ?? "";
    let price = iAdj >= 0 ? num(cells[iAdj]) : Number.NaN;
    let adj = true;
    if (!(price > 0) && iClose >= 0) {
      price = num(cells[iClose]);
      adj = false;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !(price > 0) || !Number.isFinite(price) || seen.has(date)) {
      skipped++;
      continue;
    }
    seen.add(date);
    rows.push({ date, price });
    if (adj) fromAdj++;
    else fromClose++;
  }
  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return {
    dates: rows.map((r) => r.date),
    prices: rows.map((r) => r.price),
    priceColumn: fromClose === 0 ? "Adj Close" : fromAdj === 0 ? "Close" : "mixed",
    skippedRows: skipped,
  };
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
export function quantileSorted(sorted: readonly number[], p: number): number {
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
  annualisedVolatility: number;
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
 * Mean, sd, annualised volatility, skewness, excess kurtosis, extremes and quantiles of returns.
 * Two passes (mean, then central moments): stable without Welford because the data are in memory.
 * annualisedVolatility = sd sqrt(periodsPerYear) (the square-root-of-time rule for independent returns).
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
  const sorted = [...returns].sort((a, b) => a - b);
  const quantiles: Record<string, number> = {};
  for (const q of options.quantiles ?? DEFAULT_QUANTILES) quantiles[String(q)] = quantileSorted(sorted, q);
  return {
    count: n,
    mean,
    sd,
    annualisedVolatility: sd * Math.sqrt(options.periodsPerYear ?? DAYS_PER_YEAR),
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
 * @example describeCoin(parseYahooCsv(csv)).stats?.annualisedVolatility // ~0.706 for BTC 2018-2023
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

/** Distribution of a holding's value after h days. Typed arrays: a distribution. */
export interface HoldingDistribution {
  days: number;
  /** Value today. */
  initialValue: number;
  /** Log-return grid: logReturn[k] = start + k step. */
  start: number;
  step: number;
  /** Holding values initialValue exp(logReturn[k]), ascending. */
  values: Float64Array;
  /** probs[k] = P(value = values[k]); sums to 1. */
  probs: Float64Array;
  mean: number;
  sd: number;
  /** P(value < initialValue). */
  pLoss: number;
  /** Quantiles of the value keyed by String(level). */
  quantiles: Record<string, number>;
}

/** Smallest grid value whose cumulative probability reaches p (1e-12 slack for summation rounding). */
function latticeQuantile(values: Float64Array, probs: Float64Array, p: number): number {
  let c = 0;
  for (let k = 0; k < probs.length; k++) {
    c += probs[k] as number;
    if (c >= p - 1e-12) return values[k] as number;
  }
  return values[values.length - 1] as number;
}

/**
 * Distribution of a holding's value after `days` days, resampling the empirical daily log returns independently:
 * the h-fold convolution of the empirical return distribution, computed on a grid (deterministic; the exact limit
 * of an i.i.d. bootstrap, without its sampling noise).
 *
 * Grid: step = min(sd / 20, the step that keeps the h-day support [h min, h max] within maxGrid points); each daily
 * return is split between its two neighbouring grid points in proportion to distance (the grid mean equals the
 * sample mean exactly; the variance grows by at most step^2/4 a day). The daily pmf is raised to the h-th power in
 * Fourier space (FFT of size >= the whole h-day support, so nothing wraps around), modulus and angle taken
 * separately, then inverted; values below 1e-11 x the peak (FFT rounding noise) are set to 0 and the mass
 * renormalised. Check: the mean is (mean of e^r over the grid)^h, the grid's exact value.
 *
 * @param returns - daily log returns, at least 2, not all equal (else the holding is deterministic: a single point).
 * @param options.days - horizon h, integer in [1, 3650]. @param options.value - value today (> 0, default 1).
 * @param options.maxGrid - most grid points of the h-day support (default 2^20).
 * @param options.step - grid step in log return, > 0, overriding the automatic choice (returns that are multiples
 *   of it are then represented exactly).
 * @example holdingDistribution(btcReturns, { days: 30 }).quantiles["0.05"] // ~0.7 of the value today
 * Reference: Efron & Tibshirani (1993), ch. 6 (bootstrap distribution); Klugman, Panjer & Willmot, Loss Models,
 *   sec. 9.8 (convolutions by FFT).
 */
export function holdingDistribution(
  returns: readonly number[],
  options: { days: number; value?: number; maxGrid?: number; step?: number; quantiles?: readonly number[] },
): HoldingDistribution {
  const h = options.days;
  const v0 = options.value ?? 1;
  if (!(Number.isInteger(h) && h >= 1 && h <= 3650)) throw new AppError("invalid_body", "Horizon must be a whole number of days from 1 to 3650.");
  if (!(v0 > 0)) throw new AppError("invalid_body", "Holding value must be positive.");
  if (returns.length < 1) throw new AppError("invalid_body", "At least one daily return is needed.");
  const stats = returnStats(returns);
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of returns) {
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  const finish = (start: number, step: number, probs: Float64Array): HoldingDistribution => {
    const values = Float64Array.from(probs, (_, k) => v0 * Math.exp(start + k * step));
    let mean = 0;
    let pLoss = 0;
    for (let k = 0; k < probs.length; k++) {
      mean += (probs[k] as number) * (values[k] as number);
      if ((values[k] as number) < v0 * (1 - 1e-12)) pLoss += probs[k] as number;
    }
    let varc = 0;
    for (let k = 0; k < probs.length; k++) varc += (probs[k] as number) * ((values[k] as number) - mean) ** 2;
    const quantiles: Record<string, number> = {};
    for (const q of options.quantiles ?? DEFAULT_QUANTILES) quantiles[String(q)] = latticeQuantile(values, probs, q);
    return { days: h, initialValue: v0, start, step, values, probs, mean, sd: Math.sqrt(varc), pLoss, quantiles };
  };
  if (!(hi > lo) || stats === null) return finish(h * lo, 1, Float64Array.of(1));

  const maxGrid = options.maxGrid ?? 1 << 20;
  const width = hi - lo;
  const step = options.step !== undefined && options.step > 0 ? options.step : Math.max(stats.sd / 20, (h * width) / (maxGrid - 1));
  const K = Math.ceil(width / step) + 1;
  const daily = new Float64Array(K);
  const w = 1 / returns.length;
  for (const r of returns) {
    const x = (r - lo) / step;
    const i = Math.min(Math.floor(x), K - 2);
    const f = x - i;
    daily[i] = (daily[i] as number) + w * (1 - f);
    daily[i + 1] = (daily[i + 1] as number) + w * f;
  }
  const support = h * (K - 1) + 1;
  if (h === 1) return finish(lo, step, daily);
  let n = 4;
  while (n < support) n *= 2;
  const spec = rfft(daily, n);
  for (let k = 0; k < spec.length; k += 2) {
    const re = spec[k] as number;
    const im = spec[k + 1] as number;
    // Polar power: |z|^h underflows cleanly to 0 where the spectrum is negligible.
    const mod = Math.pow(Math.hypot(re, im), h);
    const ang = h * Math.atan2(im, re);
    spec[k] = mod * Math.cos(ang);
    spec[k + 1] = mod * Math.sin(ang);
  }
  const full = irfft(spec);
  const probs = new Float64Array(support);
  let peak = 0;
  for (let k = 0; k < support; k++) peak = Math.max(peak, full[k] as number);
  // FFT rounding leaves noise of ~1e-14 x the peak everywhere; on a grid of values e^(h max) that noise would swamp
  // the mean, so values below 1e-11 x the peak (true tail mass there is many sd out and negligible) are set to 0.
  const floorNoise = 1e-11 * peak;
  let total = 0;
  for (let k = 0; k < support; k++) {
    const p = full[k] as number;
    const q = p > floorNoise ? p : 0;
    probs[k] = q;
    total += q;
  }
  for (let k = 0; k < support; k++) probs[k] = (probs[k] as number) / total;
  // Trim the far tails (mass below 1e-16 on each side) to keep the arrays small.
  let a = 0;
  let cum = 0;
  while (a < support - 1 && cum + (probs[a] as number) < 1e-16) cum += probs[a++] as number;
  let b = support - 1;
  cum = 0;
  while (b > a && cum + (probs[b] as number) < 1e-16) cum += probs[b--] as number;
  const kept = probs.slice(a, b + 1);
  let s = 0;
  for (const p of kept) s += p;
  for (let k = 0; k < kept.length; k++) kept[k] = (kept[k] as number) / s;
  return finish(h * lo + a * step, step, kept);
}

/** A collar on a holding: a floor bought with a cap, both valued at their expected payoffs. */
export interface HoldingCollar {
  floor: number;
  /** Value of the floor: E[(floor - V)+]. */
  put: number;
  /** Cap C with E[(V - C)+] = put (zero net cost); null when no cap can finance the floor, or the floor is free. */
  zeroCostCap: number | null;
  /** Average upside surrendered above the cap, E[(V - C)+] (equal to `put` at zero cost). */
  meanGivenUp: number;
  /** E[V] and E[collared]; equal up to grid rounding (expected-payoff pricing is mean-neutral). */
  meanBefore: number;
  meanAfter: number;
  /** 5% quantile of V and of the collared value min(max(V, floor), cap); their difference is the gain. */
  q05Before: number;
  q05After: number;
  q05Gained: number;
  /** P(V < floor): how often the floor pays. */
  pFloorPays: number;
  /** P(V > cap): how often the cap binds. */
  pCapBinds: number;
  note: string;
}

/**
 * Collar on a holding's value V: payoff min(max(V, F), C) = V + (F - V)+ - (V - C)+.
 * put = E[(F - V)+]; the zero-cost cap solves E[(V - C)+] = put. The stop-loss g(C) = E[(V - C)+] is linear between
 * grid values and decreasing, so C is found exactly by locating the bracketing grid values and interpolating.
 * The collared 5% quantile is min(max(q05(V), F), C) (a monotone payoff maps quantiles to quantiles).
 * @param floor - a value, or "q05" for the 5% quantile of V.
 * Edge cases: a floor below every value -> put 0, no cap (null); a floor so high that even C = min V cannot pay
 * for it -> cap null, noted.
 * @example collarOnHolding(dist, { floor: "q05" }).zeroCostCap // ~1.48 x the value today for BTC 2018-2023, 30 days
 * Reference: Hull, Options, Futures and Other Derivatives (10th ed.), sec. 12.3 (collars); valuation here is by
 *   expected payoff under the empirical law, not risk-neutral.
 */
export function collarOnHolding(dist: HoldingDistribution, options: { floor: number | "q05" }): HoldingCollar {
  const { values, probs } = dist;
  const n = values.length;
  const F = options.floor === "q05" ? latticeQuantile(values, probs, 0.05) : options.floor;
  let put = 0;
  let pFloor = 0;
  for (let k = 0; k < n; k++) {
    const v = values[k] as number;
    if (v < F) {
      put += (probs[k] as number) * (F - v);
      pFloor += probs[k] as number;
    }
  }
  // g(v_k) = sum_{j>k} p_j (v_j - v_k) = T_k - v_k P_k, filled from the top.
  const g = new Float64Array(n);
  let T = 0;
  let P = 0;
  for (let k = n - 1; k >= 0; k--) {
    g[k] = T - (values[k] as number) * P;
    T += (probs[k] as number) * (values[k] as number);
    P += probs[k] as number;
  }
  const meanBefore = T;
  const q05Before = latticeQuantile(values, probs, 0.05);
  let cap: number | null = null;
  let note: string;
  if (!(put > 0)) {
    note = "The floor is below every outcome: it costs nothing and needs no cap.";
  } else if (put > (g[0] as number)) {
    note = "The floor is worth more than all the upside: no cap can pay for it.";
  } else {
    let k = 0;
    while (k < n - 1 && (g[k + 1] as number) >= put) k++;
    const v1 = values[k] as number;
    const v2 = values[Math.min(k + 1, n - 1)] as number;
    const g1 = g[k] as number;
    const g2 = g[Math.min(k + 1, n - 1)] as number;
    cap = g1 === g2 ? v1 : v1 + ((g1 - put) / (g1 - g2)) * (v2 - v1);
    note = "Floor and cap valued at expected payoffs under the holding's distribution: the collar costs nothing on average.";
  }
  let meanAfter = 0;
  let capBinds = 0;
  for (let k = 0; k < n; k++) {
    const v = values[k] as number;
    const c = Math.min(Math.max(v, F), cap ?? Infinity);
    meanAfter += (probs[k] as number) * c;
    if (cap !== null && v > cap) capBinds += probs[k] as number;
  }
  const q05After = Math.min(Math.max(q05Before, F), cap ?? Infinity);
  return {
    floor: F,
    put,
    zeroCostCap: cap,
    meanGivenUp: cap === null ? 0 : put,
    meanBefore,
    meanAfter,
    q05Before,
    q05After,
    q05Gained: q05After - q05Before,
    pFloorPays: pFloor,
    pCapBinds: capBinds,
    note,
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
  /** Statistics of `returns` on the coins' annualised scale (sd x sqrt(365)); null with fewer than 2 days, no
   * revenue at all, or a failed self-check (`note` says which). */
  stats: ReturnStats | null;
  /** Days left out: no spend, or no revenue figure. */
  skipped: number;
  /** One sentence saying what was measured, or why nothing was. */
  note: string;
}

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
 * coefficient of variation c_X, Var[s_t] = (1 + c_X^2) / lambda_t, so the annualised figure is close to
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
  const used: { date: string | null; spend: number; revenue: number }[] = [];
  let skipped = 0;
  for (const d of days) {
    if (!(d.spend > 0) || d.revenue === null || !Number.isFinite(d.spend) || !Number.isFinite(d.revenue) || d.revenue < 0) {
      skipped++;
      continue;
    }
    used.push({ date: d.date, spend: d.spend, revenue: d.revenue });
  }
  const dates = used.map((u) => u.date);
  const empty = (note: string, revenuePerSpend: number | null = null): CampaignAsCoin => ({
    dates,
    surprises: [],
    returns: [],
    returnKind: "log",
    revenuePerSpend,
    stats: null,
    skipped,
    note,
  });
  if (used.length < 2) return empty("Fewer than two days with spend and revenue: no volatility to measure.");
  // Compensated (Neumaier) sums: thousands of days of spend in a currency's cents.
  const totalSpend = neumaierSum(used.map((u) => u.spend));
  const totalRevenue = neumaierSum(used.map((u) => u.revenue));
  if (!(totalRevenue > 0)) return empty("No revenue on any day with spend: no surprise to measure.", 0);
  const k = totalRevenue / totalSpend;
  const surprises = used.map((u) => u.revenue / (k * u.spend) - 1);
  const residual = neumaierSum(used.map((u, i) => u.spend * (surprises[i] as number)));
  if (!(Math.abs(residual) <= 1e-9 * totalSpend)) {
    return empty("The daily surprises did not balance against the spend (a self-check); no volatility is shown.", k);
  }
  const zeroDays = used.filter((u) => u.revenue === 0).length;
  const returnKind = zeroDays === 0 ? "log" : "simple";
  const returns = returnKind === "log" ? used.map((u) => Math.log(u.revenue / (k * u.spend))) : surprises;
  const stats = returnStats(returns);
  const what =
    returnKind === "log"
      ? `Each day's revenue against what its spend brings on average (${formatRatio(k)} per unit spent), as a log return`
      : `Each day's revenue against what its spend brings on average (${formatRatio(k)} per unit spent); ${zeroDays} of ${used.length} days had no revenue, so simple (not log) surprises are used`;
  return {
    dates,
    surprises,
    returns,
    returnKind,
    revenuePerSpend: k,
    stats,
    skipped,
    note:
      stats === null
        ? "Fewer than two days with spend and revenue: no volatility to measure."
        : `${what}, over ${used.length} days; annualised volatility ${(stats.annualisedVolatility * 100).toFixed(0)}%.`,
  };
}

/** k printed for a note: 3 significant digits. */
function formatRatio(k: number): string {
  return Number(k.toPrecision(3)).toString();
}

/**
 * Neumaier's compensated sum (Kahan-Babuska): exact to about one rounding whatever the order of magnitudes.
 * @example neumaierSum([1e16, 1, -1e16]) // returns 1 (a plain sum returns 0)
 * Reference: Neumaier (1974), "Rundungsfehleranalyse einiger Verfahren zur Summation endlicher Summen", ZAMM 54.
 */
function neumaierSum(xs: readonly number[]): number {
  let sum = 0;
  let c = 0;
  for (const x of xs) {
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + c;
}
