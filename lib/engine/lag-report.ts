/**
 * The completeness curve from a time-lag report (Google Ads "Days to conversion" and similar): conversions counted by
 * their delay from click to conversion in whole-day buckets [from, to) ("<1" = [0, 1), "12-20" = [12, 21),
 * ">30" = [31, inf)). The delay T is fitted in the exponential family of lib/engine/lag.ts, G(t) = 1 - exp(-k t),
 * by maximum likelihood on the interval-censored counts,
 *   ll(k) = sum_j c_j ln(G(to_j) - G(from_j)),
 * with its 90% likelihood-ratio interval (lib/engine/lag-fit.ts). When the family fits badly (the G-test of the
 * fitted bucket shares against the observed ones, p < 0.01), the curve is the empirical one instead: G interpolated
 * linearly between the cumulative shares at the bucket ends (an open last bucket spread evenly over [L, 2L]), with
 * Jeffreys 90% intervals of each cumulative share, and F(a) = integral_0^1 G(a + v) dv as in lib/engine/lag.ts.
 * Reference: Lindsey & Ryan (1998), "Methods for interval-censored data", Stat. Med. 17 (the likelihood); Agresti,
 * Categorical Data Analysis (3rd ed.), sec. 1.5 (G-test) and 1.4 (Jeffreys interval).
 */
import gammainc from "@stdlib/math-base-special-gammainc";
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";
import { z } from "zod";
import { lagCurve, type CompletenessPoint, type LagCurve } from "./lag";
import { K_RANGE, profileLogK } from "./lag-fit";

/** One bucket of a time-lag report: `count` conversions whose delay was in [from, to) days (to null: no end). */
export interface DelayBucket {
  from: number;
  to: number | null;
  count: number;
}

const DelayBucketsSchema = z
  .array(
    z
      .object({
        from: z.number().finite().min(0, "from must be >= 0").max(3650),
        to: z.number().finite().max(3650).nullable(),
        count: z.number().finite().nonnegative("a bucket's count must be >= 0"),
      })
      .refine((b) => b.to === null || b.to > b.from, "a bucket must end after it starts"),
  )
  .min(1, "a report needs at least one bucket");

/** What fitDelayBuckets returns. */
export interface DelayFit {
  /** "exponential": the fitted family; "empirical": the report's own cumulative shares, interpolated. */
  method: "exponential" | "empirical";
  curve: LagCurve;
  /** The exponential fit (also when it was not kept): k, its 90% interval, and the G-test of its fit. */
  exponential: { k: number; kLo90: number; kHi90: number; gTest: { statistic: number; df: number; pValue: number | null } };
  /** Conversions in the report. */
  conversions: number;
}

/** The G-test p-value below which the exponential family is said to fit badly. */
const BAD_FIT_P = 0.01;
/** Ages the empirical curve is tabulated to at most (its horizon is capped there). */
const EMPIRICAL_MAX_AGE = 365;

/** G(t) = 1 - exp(-k t) and its complement, exp(-k t), for t = null (infinity) too. */
const survival = (t: number | null, k: number): number => (t === null ? 0 : Math.exp(-k * t));

/**
 * Fits the completeness curve to a time-lag report's buckets (see the module comment). Buckets may overlap nothing
 * and need not cover every delay; counts may be fractional (attribution) and enter as weights.
 * @param buckets - validated by DelayBucketsSchema (at least one bucket, to > from).
 * @param d - days at which the curve states its "q within d" (default 7).
 * @returns null when the report holds no conversion.
 * @throws RangeError naming the first invalid field.
 * @example fitDelayBuckets([{ from: 0, to: 1, count: 50 }, { from: 1, to: null, count: 50 }])?.exponential.k // ln 2
 */
export function fitDelayBuckets(buckets: readonly DelayBucket[], d = 7): DelayFit | null {
  const r = DelayBucketsSchema.safeParse(buckets);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new RangeError(`Invalid delay buckets at ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid value"}.`);
  }
  const list = r.data.filter((b) => b.count > 0);
  const n = list.reduce((s, b) => s + b.count, 0);
  if (!(n > 0)) return null;
  // Shares of the buckets among themselves: when the buckets do not cover every delay, the likelihood is conditional
  // on the delay falling in one of them (the denominator); with full cover it is 1.
  const share = (k: number, b: { from: number; to: number | null }) => survival(b.from, k) - survival(b.to, k);
  const all = r.data;
  const ll = (u: number): number => {
    const k = Math.exp(u);
    let denom = 0;
    for (const b of all) denom += share(k, b);
    let s = 0;
    for (const b of list) {
      // S(from) - S(to) = exp(-k from) (1 - exp(-k (to - from))): expm1 keeps a narrow bucket's share exact.
      const p = b.to === null ? Math.exp(-k * b.from) : -Math.exp(-k * b.from) * Math.expm1(-k * (b.to - b.from));
      s += b.count * Math.log(p);
    }
    return s - n * Math.log(denom);
  };
  const f = profileLogK(ll);
  const expCurve = lagCurve("report", f.k, f.kLo90, f.kHi90, { q: -Math.expm1(-f.k * d), d });
  // G-test: 2 sum c_j ln(c_j / (n p_j)) over the buckets, df = buckets - 1 - 1 (k fitted).
  let denom = 0;
  for (const b of all) denom += share(f.k, b);
  let g = 0;
  for (const b of list) g += 2 * b.count * Math.log(b.count / ((n * share(f.k, b)) / denom));
  const df = all.length - 2;
  const pValue = df > 0 ? gammainc(Math.max(0, g) / 2, df / 2, true, true) : null;
  const exponential = { k: f.k, kLo90: f.kLo90, kHi90: f.kHi90, gTest: { statistic: g, df, pValue } };
  const badFit = pValue !== null && pValue < BAD_FIT_P;
  if (!badFit || f.k <= K_RANGE[0]) return { method: "exponential", curve: expCurve, exponential, conversions: n };
  return { method: "empirical", curve: empiricalCurve(all, n, d), exponential, conversions: n };
}

/** A piecewise-linear cdf through (t_i, g_i), t increasing, g non-decreasing, 1 after the last point. */
interface Knots {
  t: number[];
  g: number[];
}

/** The piecewise-linear function through the knots at x (its last value after the last knot). */
function knotAt(kn: Knots, x: number): number {
  const { t, g } = kn;
  if (x <= (t[0] as number)) return g[0] as number;
  for (let i = 1; i < t.length; i++) {
    const t1 = t[i] as number;
    if (x <= t1) {
      const t0 = t[i - 1] as number;
      const g0 = g[i - 1] as number;
      return g0 + (((g[i] as number) - g0) * (x - t0)) / (t1 - t0);
    }
  }
  return g[g.length - 1] as number;
}

/** integral_a^{a+1} of a piecewise-linear function through the knots (exact: trapezoids between breakpoints). */
function dayAverage(kn: Knots, a: number): number {
  const at = (x: number) => knotAt(kn, x);
  const xs = [a, ...kn.t.filter((x) => x > a && x < a + 1), a + 1];
  let s = 0;
  for (let i = 1; i < xs.length; i++) s += (((xs[i] as number) - (xs[i - 1] as number)) * (at(xs[i] as number) + at(xs[i - 1] as number))) / 2;
  return s;
}

/**
 * The empirical curve: cumulative shares at the bucket ends (Jeffreys Beta(c + 1/2, n - c + 1/2) 5% and 95% quantiles
 * for the band), linear between them, an open last bucket [L, inf) spread evenly over [L, 2L] (an assumption: the
 * report does not say when its last conversions came), and gaps between buckets closed by the next bucket's start.
 */
function empiricalCurve(buckets: readonly DelayBucket[], n: number, d: number): LagCurve {
  const sorted = [...buckets].sort((x, y) => x.from - y.from);
  const t: number[] = [0];
  const mid: number[] = [0];
  const lo: number[] = [0];
  const hi: number[] = [0];
  let cum = 0;
  for (const b of sorted) {
    cum += b.count;
    const end = b.to ?? Math.max(2 * b.from, b.from + 1);
    const c = Math.min(cum, n);
    t.push(end);
    mid.push(c / n);
    lo.push(c >= n ? 1 : betaQuantile(0.05, c + 0.5, n - c + 0.5));
    hi.push(c >= n ? 1 : betaQuantile(0.95, c + 0.5, n - c + 0.5));
  }
  const central = { t, g: mid };
  const points: CompletenessPoint[] = [];
  let horizon = EMPIRICAL_MAX_AGE;
  for (let a = 0; a <= EMPIRICAL_MAX_AGE; a++) {
    const fraction = dayAverage(central, a);
    points.push({ age: a, fraction, lo90: Math.min(fraction, dayAverage({ t, g: lo }, a)), hi90: Math.max(fraction, dayAverage({ t, g: hi }, a)) });
    if (fraction >= 0.99) {
      horizon = a;
      break;
    }
  }
  // The share of delays within d days, and the exponential k with that share (what the curve states as "q within d").
  const fd = knotAt(central, d);
  const kEq = fd >= 1 ? K_RANGE[1] : fd <= 0 ? K_RANGE[0] : -Math.log1p(-Math.min(fd, 1 - 1e-12)) / d;
  return { source: "report", k: kEq, kLo90: kEq, kHi90: kEq, setting: { q: Math.min(Math.max(fd, 1e-9), 1 - 1e-9), d }, horizon, points };
}
