/**
 * Correlation of campaigns' daily surprises: do a dataset's campaigns have good and bad days together? The answer is
 * the rho the pooling model needs (a common rate shock on every budget).
 */
import { rateModel } from "./predictive";
import { seededRandom, type Random } from "./rng";
import type { DayRow } from "./types";

/** Estimated correlation of daily surprises across campaigns. */
export interface SurpriseCorrelation {
  /** Mean pairwise correlation clamped to [0, 0.99] (for use as a pooling rho); null when no pair qualifies. */
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
  blockLength: number;
  resamples: number;
  note: string;
}

/** Options of the correlation estimate. */
export interface CorrelationOptions {
  /** Fewest common dates for a pair to count (default 10, at least 3). */
  minCommonDays?: number;
  /** Bootstrap resamples (default 400; lowered for large inputs so the work stays under ~3e7 pair-days). */
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
 * @example dailyResiduals(rows).get("2026-01-05") // ~N(0, 1) under the model
 */
export function dailyResiduals(rows: readonly DayRow[]): Map<string, number> {
  const units = rows.map((r) => ({ n: r.clicks, y: r.conversions }));
  const model = rateModel(units);
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

/** Pearson correlation of paired values; null when fewer than 3 pairs or either side is constant. */
function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] as number;
    my += ys[i] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (!(sxx > 0 && syy > 0)) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Mean pairwise correlation of campaigns' daily standardised residuals over common dates, with a 90% interval from a
 * moving-block bootstrap over dates.
 *
 * For every pair of campaigns with at least minCommonDays common dates: Pearson correlation of their residuals
 * (dailyResiduals) on those dates; the estimate is the mean over pairs. The interval resamples the sorted union of
 * dates in blocks of `blockLength` consecutive dates (start uniform, seeded), recomputes the mean pairwise
 * correlation on each resample and takes its 5% and 95% percentiles. A block bootstrap is used rather than a Fisher
 * z interval because pairs share campaigns and days (their correlations are not independent) and daily surprises
 * can be autocorrelated; resampling whole dates keeps both dependences.
 *
 * The estimate, lo and hi are clamped to [0, 0.99] for use as the pooling rho (a common shock cannot produce a
 * negative correlation); `raw` keeps them unclamped.
 * Edge cases: fewer than two campaigns with residuals, or no qualifying pair -> nulls, pairs 0.
 * @example surpriseCorrelation([campaignA, campaignB, campaignC]).estimate // ~0.3 for a common shock of that size
 * Reference: Kuensch (1989), "The jackknife and the bootstrap for general stationary observations", Ann. Stat. 17;
 *   Efron & Tibshirani, An Introduction to the Bootstrap (1993), ch. 13 (percentile interval).
 */
export function surpriseCorrelation(
  campaigns: readonly { campaign: string; days: readonly DayRow[] }[],
  options: CorrelationOptions = {},
): SurpriseCorrelation {
  const minCommon = Math.max(3, Math.floor(options.minCommonDays ?? 10));
  const blockLength = Math.max(1, Math.floor(options.blockLength ?? 7));
  const residuals = campaigns.map((c) => dailyResiduals(c.days)).filter((m) => m.size > 0);
  const dates = [...new Set(residuals.flatMap((m) => [...m.keys()]))].sort();
  const D = dates.length;
  const K = residuals.length;
  // Dense matrix [campaign][date index] with NaN for a missing day.
  const Z = residuals.map((m) => Float64Array.from(dates, (d) => m.get(d) ?? Number.NaN));
  const pairs: [number, number][] = [];
  for (let i = 0; i < K; i++) {
    for (let j = i + 1; j < K; j++) {
      let common = 0;
      const zi = Z[i] as Float64Array;
      const zj = Z[j] as Float64Array;
      for (let t = 0; t < D; t++) if (!Number.isNaN(zi[t] as number) && !Number.isNaN(zj[t] as number)) common++;
      if (common >= minCommon) pairs.push([i, j]);
    }
  }
  const empty = (note: string): SurpriseCorrelation => ({
    estimate: null,
    lo: null,
    hi: null,
    raw: { estimate: null, lo: null, hi: null },
    pairs: 0,
    days: 0,
    method: "moving-block-bootstrap",
    blockLength,
    resamples: 0,
    note,
  });
  if (pairs.length === 0) {
    return empty(
      K < 2
        ? "Fewer than two campaigns with daily conversions: correlation cannot be estimated."
        : `No two campaigns share ${minCommon} days: correlation cannot be estimated.`,
    );
  }
  const used = new Set<number>();
  const meanCorrelation = (index: ArrayLike<number>, record = false): number | null => {
    let sum = 0;
    let count = 0;
    const xs: number[] = [];
    const ys: number[] = [];
    for (const [i, j] of pairs) {
      xs.length = 0;
      ys.length = 0;
      const zi = Z[i] as Float64Array;
      const zj = Z[j] as Float64Array;
      for (let k = 0; k < index.length; k++) {
        const t = index[k] as number;
        const a = zi[t] as number;
        const b = zj[t] as number;
        if (Number.isNaN(a) || Number.isNaN(b)) continue;
        xs.push(a);
        ys.push(b);
        if (record) used.add(t);
      }
      const r = pearson(xs, ys);
      if (r !== null) {
        sum += r;
        count++;
      }
    }
    return count > 0 ? sum / count : null;
  };
  const identity = Int32Array.from({ length: D }, (_, t) => t);
  const estimate = meanCorrelation(identity, true);
  const budget = 3e7;
  const resamples = Math.max(50, Math.min(Math.floor(options.resamples ?? 400), Math.floor(budget / (pairs.length * D))));
  const random: Random = seededRandom(options.seed ?? 1);
  const L = Math.min(blockLength, D);
  // Each resample is a run of blocks [start, start + L) of dates. Per pair, prefix sums over dates of the count and
  // of a, b, a^2, b^2, ab (days where both campaigns have a residual) give each block's sums in O(1), so a resample
  // costs O(blocks x pairs) instead of O(days x pairs); the correlation then comes from the sums (the residuals are
  // standardised, O(1), so the one-pass form loses nothing over 180-odd days).
  const P = pairs.length;
  const prefix = new Float64Array(P * 6 * (D + 1));
  pairs.forEach(([i, j], q) => {
    const zi = Z[i] as Float64Array;
    const zj = Z[j] as Float64Array;
    const base = q * 6 * (D + 1);
    for (let t = 0; t < D; t++) {
      const a = zi[t] as number;
      const b = zj[t] as number;
      const ok = !Number.isNaN(a) && !Number.isNaN(b);
      const at = base + 6 * t;
      prefix[at + 6] = (prefix[at] as number) + (ok ? 1 : 0);
      prefix[at + 7] = (prefix[at + 1] as number) + (ok ? a : 0);
      prefix[at + 8] = (prefix[at + 2] as number) + (ok ? b : 0);
      prefix[at + 9] = (prefix[at + 3] as number) + (ok ? a * a : 0);
      prefix[at + 10] = (prefix[at + 4] as number) + (ok ? b * b : 0);
      prefix[at + 11] = (prefix[at + 5] as number) + (ok ? a * b : 0);
    }
  });
  const starts: number[] = [];
  const ends: number[] = [];
  const sums = new Float64Array(6);
  const boot: number[] = [];
  for (let b = 0; b < resamples; b++) {
    starts.length = 0;
    ends.length = 0;
    for (let k = 0; k < D; ) {
      const start = Math.floor(random() * (D - L + 1));
      const len = Math.min(L, D - k);
      starts.push(start);
      ends.push(start + len);
      k += len;
    }
    let sum = 0;
    let count = 0;
    for (let q = 0; q < P; q++) {
      const base = q * 6 * (D + 1);
      sums.fill(0);
      for (let m = 0; m < starts.length; m++) {
        const lo = base + 6 * (starts[m] as number);
        const hi = base + 6 * (ends[m] as number);
        for (let c = 0; c < 6; c++) sums[c] = (sums[c] as number) + (prefix[hi + c] as number) - (prefix[lo + c] as number);
      }
      const n = sums[0] as number;
      if (n < 3) continue;
      const sxy = (sums[5] as number) - ((sums[1] as number) * (sums[2] as number)) / n;
      const sxx = (sums[3] as number) - ((sums[1] as number) * (sums[1] as number)) / n;
      const syy = (sums[4] as number) - ((sums[2] as number) * (sums[2] as number)) / n;
      // A constant side (no variation among the resampled days) has no correlation, as in pearson().
      if (!(sxx > 1e-12 * n && syy > 1e-12 * n)) continue;
      sum += sxy / Math.sqrt(sxx * syy);
      count++;
    }
    if (count > 0) boot.push(sum / count);
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
    pairs: pairs.length,
    days: used.size,
    method: "moving-block-bootstrap",
    blockLength: L,
    resamples,
    note: `Mean correlation of daily surprises over ${pairs.length} campaign pair(s) and ${used.size} days; 90% interval by a ${L}-day moving-block bootstrap (${resamples} resamples).`,
  };
}
