/**
 * Correlation of campaigns' daily surprises: do a dataset's campaigns have good and bad days together? The answer is
 * the rho the pooling model needs (a common rate shock on every budget).
 */
import { rateModel, type RateModel } from "./predictive";
import { seededRandom, type Random } from "./rng";
import type { DayRow } from "./types";

/** Estimated correlation of daily surprises across campaigns. */
export interface SurpriseCorrelation {
  /**
   * Mean pairwise correlation (weighted by common days) clamped to [0, 0.99] (for use as a pooling rho); null when no
   * pair qualifies.
   */
  estimate: number | null;
  /** 5% and 95% bootstrap percentiles, clamped to [0, 0.99]. */
  lo: number | null;
  hi: number | null;
  /** The same figures unclamped. */
  raw: { estimate: number | null; lo: number | null; hi: number | null };
  /** Campaign pairs with at least `minCommonDays` common days. */
  pairs: number;
  /** Distinct dates used by at least one pair. */
  days: number;
  /** "moving-block-bootstrap" over dates (seeded). */
  method: "moving-block-bootstrap";
  /**
   * "aggregate-variance": the variance of the daily sum of standardised surprises against the sum of their
   * variances, (sum_t (S_t^2 - Q_t)) / (sum_t K_t (K_t - 1)); O(campaigns x days).
   */
  estimator: "aggregate-variance";
  blockLength: number;
  resamples: number;
  /**
   * For lib/analysis/messages.ts to word: "estimated", "too-few-campaigns" (fewer than two campaigns with daily
   * conversions) or "no-common-days" (no two campaigns share `minCommonDays` dates).
   */
  finding: "estimated" | "too-few-campaigns" | "no-common-days";
  /** Fewest common dates for a pair to count (the option, after its bounds). */
  minCommonDays: number;
}

/** Options of the correlation estimate. */
export interface CorrelationOptions {
  /** Fewest common dates for a pair to count (default 10, at least 3). */
  minCommonDays?: number;
  /** Bootstrap resamples (default 400). */
  resamples?: number;
  /** Block length in days (default 7, keeping weekday effects inside blocks). */
  blockLength?: number;
  seed?: number;
}

/**
 * Standardised daily residuals of one campaign: z_t = (y_t - n_t p) / sqrt(V_t), p the campaign's pooled rate
 * (Jeffreys posterior mean), V_t = n_t p (1 - p) (binomial), n_t p (Poisson) or mu + mu^2/r (negative binomial
 * when overdispersed). Days without clicks, and every day of a campaign without conversions (p carries no signal),
 * give no residual.
 * @param model - the rate model fitted to these rows (rateModel of them), when already at hand.
 * @example dailyResiduals(rows).get("2026-01-05") // ~N(0, 1) under the model
 */
export function dailyResiduals(rows: readonly DayRow[], model: RateModel = rateModel(rows.map((r) => ({ n: r.clicks, y: r.conversions })))): Map<string, number> {
  const out = new Map<string, number>();
  if (!(rows.some((r) => r.conversions > 0))) return out;
  const p = model.mean;
  for (const r of rows) {
    if (r.date === null || !(r.clicks > 0)) continue;
    const mu = r.clicks * p;
    const v = model.r !== undefined ? mu + (mu * mu) / model.r : model.base === "binomial" ? mu * (1 - p) : mu;
    if (v > 0) out.set(r.date, (r.conversions - mu) / Math.sqrt(v));
  }
  return out;
}

/**
 * One campaign's residuals as (date index, z) arrays, z standardised by the campaign's own mean and population sd
 * (mean 0 and mean square exactly 1 over its days), with the bitset of its date indexes; null when the residuals do
 * not vary. A function of its own so that its loops are optimised after a few campaigns: in surpriseCorrelation's
 * body, which runs once, every double they add up was boxed (and the map's for-of allocated per element).
 */
function standardised(m: Map<string, number>, index: Map<string, number>, words: number): { t: Int32Array; z: Float64Array; bits: Uint32Array } | null {
  const n = m.size;
  const t = new Int32Array(n);
  const z = new Float64Array(n);
  let k = 0;
  m.forEach((v, d) => {
    t[k] = index.get(d) as number;
    z[k] = v;
    k++;
  });
  let sum = 0;
  for (let j = 0; j < n; j++) sum += z[j] as number;
  const mean = sum / n;
  let ss = 0;
  for (let j = 0; j < n; j++) ss += ((z[j] as number) - mean) ** 2;
  const sd = Math.sqrt(ss / n);
  if (!(sd > 0)) return null;
  const bits = new Uint32Array(words);
  for (let j = 0; j < n; j++) {
    const i = t[j] as number;
    z[j] = ((z[j] as number) - mean) / sd;
    bits[i >>> 5] = (bits[i >>> 5] as number) | (1 << (i & 31));
  }
  return { t, z, bits };
}

/** Number of set bits of a 32-bit word. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * Mean pairwise correlation of campaigns' daily surprises, from the variance of their daily sum, with a 90% interval
 * from a moving-block bootstrap over dates. O(campaigns x days).
 *
 * Each campaign's residuals (dailyResiduals, or the `residuals` given with it) are centred and scaled to mean 0 and variance 1 over its own days
 * (z_it). On date t with K_t campaigns, S_t = sum_i z_it and Q_t = sum_i z_it^2, so S_t^2 - Q_t = sum_{i != j}
 * z_it z_jt: the estimate
 *   rho = sum_t (S_t^2 - Q_t) / sum_t K_t (K_t - 1)
 * is the mean over campaign pairs of their correlation, each pair weighted by its common days (with every campaign
 * on every date it is exactly the mean pairwise Pearson correlation). It is the one-factor reading of "the variance
 * of the aggregate against the sum of the parts' variances": Var(S) = K + K (K - 1) rho. Campaigns enter when they
 * share at least minCommonDays dates with another campaign (pairs counted exactly on bitsets of dates, campaigns
 * with the same dates grouped first). The interval resamples the dates in blocks of `blockLength` consecutive dates
 * (start uniform, seeded) and recomputes the ratio from block sums of the numerator and denominator (prefix sums:
 * O(days) per resample; the campaigns' standardisation is not redone per resample). Pairs share campaigns and days,
 * and daily surprises can be autocorrelated; resampling whole dates keeps both dependences.
 *
 * The estimate, lo and hi are clamped to [0, 0.99] for use as the pooling rho (a common shock cannot produce a
 * negative correlation); `raw` keeps them unclamped.
 * Edge cases: fewer than two campaigns with residuals, or no qualifying pair -> nulls, pairs 0.
 * @example surpriseCorrelation([campaignA, campaignB, campaignC]).estimate // ~0.3 for a common shock of that size
 * Reference: Kuensch (1989), "The jackknife and the bootstrap for general stationary observations", Ann. Stat. 17;
 *   Efron & Tibshirani, An Introduction to the Bootstrap (1993), ch. 13 (percentile interval); Vasicek (2002),
 *   "The distribution of loan portfolio value", Risk 15 (the one-factor model of a common shock).
 */
export function surpriseCorrelation(
  campaigns: readonly { campaign: string; days: readonly DayRow[]; residuals?: Map<string, number> }[],
  options: CorrelationOptions = {},
): SurpriseCorrelation {
  const minCommon = Math.max(3, Math.floor(options.minCommonDays ?? 10));
  const blockLength = Math.max(1, Math.floor(options.blockLength ?? 7));
  const residuals = campaigns.map((c) => c.residuals ?? dailyResiduals(c.days)).filter((m) => m.size >= 3);
  // The maps are walked with forEach: this runs once per analysis, mostly unoptimised, where a for-of over a map
  // allocates an iterator result (and an entry array) per element: 47 MB for 1,000 campaigns x 365 days.
  const dateSet = new Set<string>();
  for (const m of residuals) m.forEach((_, d) => dateSet.add(d));
  const dates = [...dateSet].sort();
  const D = dates.length;
  const index = new Map(dates.map((d, t) => [d, t]));
  const words = (D + 31) >>> 5;
  // Standardised residuals of each campaign as (date index, z) lists, and its bitset of dates.
  const series: { t: Int32Array; z: Float64Array }[] = [];
  const groups = new Map<string, { bits: Uint32Array; members: number[] }>();
  for (const m of residuals) {
    const standard = standardised(m, index, words);
    if (standard === null) continue;
    const { t, z, bits } = standard;
    const key = Array.prototype.join.call(bits, ",") as string;
    const g = groups.get(key);
    if (g) g.members.push(series.length);
    else groups.set(key, { bits, members: [series.length] });
    series.push({ t, z });
  }
  // Exact count of campaign pairs with >= minCommon common dates: within a group of identical date sets, and across
  // groups by the popcount of the intersection (O(groups^2 x days / 32)).
  const list = [...groups.values()];
  const sizes = list.map((g) => g.bits.reduce((s, w) => s + popcount(w), 0));
  const qualifies = new Uint8Array(list.length);
  let pairCount = 0;
  for (let g = 0; g < list.length; g++) {
    const gi = list[g] as { bits: Uint32Array; members: number[] };
    const n = gi.members.length;
    if (n >= 2 && (sizes[g] as number) >= minCommon) {
      pairCount += (n * (n - 1)) / 2;
      qualifies[g] = 1;
    }
    for (let h = g + 1; h < list.length; h++) {
      const hj = list[h] as { bits: Uint32Array; members: number[] };
      let common = 0;
      for (let w = 0; w < words; w++) common += popcount((gi.bits[w] as number) & (hj.bits[w] as number));
      if (common >= minCommon) {
        pairCount += n * hj.members.length;
        qualifies[g] = 1;
        qualifies[h] = 1;
      }
    }
  }
  const empty = (finding: SurpriseCorrelation["finding"]): SurpriseCorrelation => ({
    estimate: null,
    lo: null,
    hi: null,
    raw: { estimate: null, lo: null, hi: null },
    pairs: 0,
    days: 0,
    method: "moving-block-bootstrap",
    estimator: "aggregate-variance",
    blockLength,
    resamples: 0,
    finding,
    minCommonDays: minCommon,
  });
  if (pairCount === 0) return empty(series.length < 2 ? "too-few-campaigns" : "no-common-days");
  // Per date: S_t, Q_t, K_t over the campaigns that qualify.
  const S = new Float64Array(D);
  const Q = new Float64Array(D);
  const K = new Float64Array(D);
  list.forEach((g, gi) => {
    if (!qualifies[gi]) return;
    for (const c of g.members) {
      const { t, z } = series[c] as { t: Int32Array; z: Float64Array };
      for (let k = 0; k < t.length; k++) {
        const i = t[k] as number;
        const v = z[k] as number;
        S[i] = (S[i] as number) + v;
        Q[i] = (Q[i] as number) + v * v;
        K[i] = (K[i] as number) + 1;
      }
    }
  });
  // Prefix sums of the numerator and denominator over dates.
  const num = new Float64Array(D + 1);
  const den = new Float64Array(D + 1);
  let used = 0;
  for (let i = 0; i < D; i++) {
    const k = K[i] as number;
    const s = S[i] as number;
    num[i + 1] = (num[i] as number) + s * s - (Q[i] as number);
    den[i + 1] = (den[i] as number) + k * (k - 1);
    if (k >= 2) used++;
  }
  const estimate = (den[D] as number) > 0 ? (num[D] as number) / (den[D] as number) : null;
  const resamples = Math.max(50, Math.floor(options.resamples ?? 400));
  const random: Random = seededRandom(options.seed ?? 1);
  const L = Math.min(blockLength, D);
  const boot: number[] = [];
  for (let b = 0; b < resamples; b++) {
    let sn = 0;
    let sd = 0;
    for (let k = 0; k < D; ) {
      const start = Math.floor(random() * (D - L + 1));
      const len = Math.min(L, D - k);
      sn += (num[start + len] as number) - (num[start] as number);
      sd += (den[start + len] as number) - (den[start] as number);
      k += len;
    }
    if (sd > 0) boot.push(sn / sd);
  }
  boot.sort((x, y) => x - y);
  const pct = (q: number): number | null => {
    if (boot.length === 0) return null;
    // Type-7 percentile (linear between order statistics).
    const h = (boot.length - 1) * q;
    const i = Math.floor(h);
    const lo = boot[i] as number;
    const hi = boot[Math.min(i + 1, boot.length - 1)] as number;
    return lo + (h - i) * (hi - lo);
  };
  const rawLo = pct(0.05);
  const rawHi = pct(0.95);
  const clamp = (x: number | null) => (x === null ? null : Math.min(0.99, Math.max(0, x)));
  return {
    estimate: clamp(estimate),
    lo: clamp(rawLo),
    hi: clamp(rawHi),
    raw: { estimate, lo: rawLo, hi: rawHi },
    pairs: pairCount,
    days: used,
    method: "moving-block-bootstrap",
    estimator: "aggregate-variance",
    blockLength: L,
    resamples,
    finding: "estimated",
    minCommonDays: minCommon,
  };
}
