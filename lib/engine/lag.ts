/**
 * Conversion lag: platforms credit a conversion to the day of its click, so a day's count keeps growing after the day
 * ends. This module holds the completeness curve F(age) (the fraction of a day's final conversions that have arrived
 * by the time the day is `age` days old), the exact thinning of a day's count law by F, the law of the final count
 * given what has arrived, and a maximum-likelihood learner of the curve from successive exports of the same days.
 *
 * The shape. The delay T from a click to the conversion being credited is Exponential(k): G(t) = 1 - exp(-k t).
 * A setting "q of conversions arrive within d days" fixes k = -ln(1 - q) / d (so G(d) = q). Clicks fall uniformly
 * over their day, and an export is read at the end of its newest day, so a click of a day of age a (a = 0: the
 * newest day) has waited a + v days, v ~ U(0, 1):
 *   F(a) = integral_0^1 G(a + v) dv = 1 - exp(-k a) (1 - exp(-k)) / k.
 * F(a) < G(a + 1) < 1 for every a; F(d) is a little below q (with 90% within 7 days: F(7) ~ 0.915 since a day of age 7
 * holds clicks 7 to 8 days old; F(0) ~ 0.147). This is the discretised exponential delay of the actuarial
 * reporting-delay models (Kaminsky 1987, "Prediction of IBNR claims using a stochastic model"; Lawless 1994,
 * "Adjustments for reporting delays and the prediction of occurred but not reported events", Can. J. Stat. 22).
 *
 * Thinning. Each final conversion has arrived by age a with probability F(a), independently of the others and of
 * its value, so a day whose final count K has pgf P(z) holds arrived conversions with pgf P(1 - F + F z): exact
 * binomial thinning (Poisson(lambda) -> Poisson(F lambda), Binomial(n, p) -> Binomial(n, F p), NB(r, m) -> NB(r, F m),
 * any tabulated law by the binomial mixture sum_k P(K = k) Bin(y; k, F)); Johnson, Kemp & Kotz, Univariate Discrete
 * Distributions (3rd ed.), sec. 1.2.11 and 5.12.
 */
import gammaln from "@stdlib/math-base-special-gammaln";
import { z } from "zod";
import {
  binomialDistribution,
  centralInterval,
  cumulative,
  negativeBinomialDistribution,
  pointMassAtZero,
  type CountDistribution,
} from "./estimate/discrete";
import type { FrequencySpec } from "./estimate/types";
import { profileLogK } from "./lag-fit";

/** A lag setting: a share `q` of a day's conversions arrive within `d` days of the click. */
export interface LagSetting {
  /** Share arrived, in (0, 1). */
  q: number;
  /** Days, in (0, 365]. */
  d: number;
}

/** zod schema of a LagSetting (the boundary for callers with untrusted numbers). */
const LagSettingSchema = z.object({
  q: z.number().gt(0, "q must be > 0").lt(1, "q must be < 1"),
  d: z.number().gt(0, "d must be > 0").max(365, "d must be at most 365 days"),
});

/**
 * The default setting: 90% of conversions within 7 days. Google Ads' own default click-through conversion window is
 * 30 days and its "days to conversion" reports for retail typically put most conversions in the first week; the
 * figure is an assumption to be replaced by a learned curve, said as such wherever it is shown.
 */
export const DEFAULT_LAG: LagSetting = { q: 0.9, d: 7 };

/** Completeness a day must reach to stop being provisional. */
const COMPLETE_LEVEL = 0.99;

/**
 * The exponential delay rate of a setting: k = -ln(1 - q) / d (per day), so that 1 - exp(-k d) = q.
 * @param setting - q in (0, 1), d > 0.
 * @example lagRate({ q: 0.9, d: 7 }) // returns ~0.32894 (ln 10 / 7)
 */
export function lagRate(setting: LagSetting): number {
  // log1p keeps -ln(1 - q) exact for small q.
  return -Math.log1p(-setting.q) / setting.d;
}

/**
 * Completeness of a day of age `age`: F(a) = 1 - exp(-k a) (1 - exp(-k)) / k (see the module comment).
 * @param age - days since the day (0 = the newest day of the export), >= 0; negative ages are taken as 0.
 * @param k - delay rate per day, > 0 (Infinity: every conversion arrives at once, F = 1).
 * Edge cases: k -> 0 gives F -> 0 (nothing ever arrives).
 * @example completeness(7, Math.log(10) / 7) // returns ~0.914783
 */
export function completeness(age: number, k: number): number {
  if (!(k > 0)) return 0;
  if (!Number.isFinite(k)) return 1;
  const a = Math.max(0, age);
  // -expm1(-k)/k: the mean of exp(-k v) over v in [0, 1), exact for small k.
  return 1 - Math.exp(-k * a) * (-Math.expm1(-k) / k);
}

/**
 * The first whole age at which a day is complete to `level`: the smallest integer a >= 0 with F(a) >= level, i.e.
 * a = ceil(ln(c / (1 - level)) / k) with c = (1 - exp(-k)) / k. Days younger than this are provisional.
 * @param k - delay rate, > 0. @param level - in (0, 1) (default COMPLETE_LEVEL, 0.99).
 * @example lagHorizon(Math.log(10) / 7) // returns 14
 */
export function lagHorizon(k: number, level: number = COMPLETE_LEVEL): number {
  if (!Number.isFinite(k)) return 0;
  if (!(k > 0)) return Infinity;
  let a = Math.max(0, Math.ceil(Math.log(-Math.expm1(-k) / k / (1 - level)) / k));
  // The closed form rounded up can sit one day off on a tie; settle it on F itself.
  while (a > 0 && completeness(a - 1, k) >= level) a--;
  while (completeness(a, k) < level) a++;
  return a;
}

/** One age of a completeness curve: F(age), with its 90% interval (equal to F when the curve is a setting). */
export interface CompletenessPoint {
  age: number;
  fraction: number;
  lo90: number;
  hi90: number;
}

/** A completeness curve and where it comes from. */
export interface LagCurve {
  /**
   * "setting": from a "q within d days" setting; "learned": fitted to successive exports (learnLag); "report": fitted
   * to a time-lag report's buckets (lib/engine/lag-report.ts), exponential or empirical.
   */
  source: "setting" | "learned" | "report";
  /** The delay rate k (per day) and its 90% interval (both k for a setting). */
  k: number;
  kLo90: number;
  kHi90: number;
  /** The setting the curve came from (for "learned": the q-within-d it implies, at the setting's d). */
  setting: LagSetting;
  /** Days younger than this are provisional (F < COMPLETE_LEVEL at the central k). */
  horizon: number;
  /** F at ages 0 .. horizon (the last is >= COMPLETE_LEVEL). */
  points: CompletenessPoint[];
}

/**
 * The curve of a delay rate k with its interval [kLo, kHi]: F is increasing in k, so lo90(a) = F(a; kLo) and
 * hi90(a) = F(a; kHi). Ages 0 .. horizon of the central k.
 * @example lagCurve("setting", 0.329, 0.329, 0.329, { q: 0.9, d: 7 }).points[0].fraction // ~0.147
 */
export function lagCurve(source: LagCurve["source"], k: number, kLo: number, kHi: number, setting: LagSetting): LagCurve {
  const horizon = lagHorizon(k);
  const points: CompletenessPoint[] = [];
  for (let a = 0; a <= horizon; a++) {
    points.push({ age: a, fraction: completeness(a, k), lo90: completeness(a, kLo), hi90: completeness(a, kHi) });
  }
  return { source, k, kLo90: kLo, kHi90: kHi, setting, horizon, points };
}

/**
 * The completeness curve of a setting (source "setting", no uncertainty: lo90 = hi90 = F).
 * @param setting - validated by LagSettingSchema (default DEFAULT_LAG).
 * @throws RangeError when the setting is out of range.
 * @example lagCurveFromSetting({ q: 0.9, d: 7 }).horizon // 14
 */
export function lagCurveFromSetting(setting: LagSetting = DEFAULT_LAG): LagCurve {
  const r = LagSettingSchema.safeParse(setting);
  if (!r.success) throw new RangeError(`Invalid lag setting: ${r.error.issues[0]?.message ?? "invalid value"}.`);
  const k = lagRate(r.data);
  return lagCurve("setting", k, k, k, r.data);
}

function checkFraction(f: number): void {
  if (!(f >= 0 && f <= 1)) throw new RangeError(`completeness must be in [0, 1], got ${f}`);
}

/**
 * The frequency of the arrived conversions when each of N arrives with probability f (exact binomial thinning):
 * Poisson(lambda) -> Poisson(f lambda); Binomial(n, p) -> Binomial(n, f p); NB(r, m) -> NB(r, f m).
 * @param f - completeness in [0, 1]. Edge cases: f = 1 returns the spec unchanged; f = 0 a zero mean.
 * @example thinFrequency({ kind: "poisson", lambda: 10 }, 0.5) // { kind: "poisson", lambda: 5 }
 */
export function thinFrequency(spec: FrequencySpec, f: number): FrequencySpec {
  checkFraction(f);
  if (f === 1) return spec;
  if (spec.kind === "poisson") return { kind: "poisson", lambda: f * spec.lambda };
  if (spec.kind === "binomial") return { kind: "binomial", n: spec.n, p: f * spec.p };
  return { kind: "negbin", r: spec.r, mean: f * spec.mean };
}

/**
 * The law of the arrived count of a day whose final count has the tabulated law `dist`, each conversion arrived with
 * probability f: P(Y = y) = sum_k P(K = k) C(k, y) f^y (1 - f)^(k - y) (exact; the inner binomials are built by
 * binomialDistribution's ratio walk, so nothing underflows for large k). Mean f E[K], variance f^2 Var K + f (1 - f) E K.
 * @param f - completeness in [0, 1]. Edge cases: f = 1 returns `dist`; f = 0 the point mass at 0.
 * Cost: O(support x binomial width), about support x 40 sqrt(k) for the widest k.
 * @example thinCount(poissonDistribution(10), 0.3).mean // 3, and its pmf is Poisson(3)'s
 */
export function thinCount(dist: CountDistribution, f: number): CountDistribution {
  checkFraction(f);
  if (f === 1) return dist;
  if (f === 0) return pointMassAtZero();
  const maxK = dist.offset + dist.pmf.length - 1;
  const out = new Float64Array(maxK + 1);
  for (let i = 0; i < dist.pmf.length; i++) {
    const pk = dist.pmf[i] as number;
    if (!(pk > 0)) continue;
    const b = binomialDistribution(dist.offset + i, f);
    for (let j = 0; j < b.pmf.length; j++) out[b.offset + j] = (out[b.offset + j] as number) + pk * (b.pmf[j] as number);
  }
  // Leading and trailing cells below 1e-300 are dropped (the binomial walks already cut their tails at 1e-15).
  let lo = 0;
  while (lo < out.length - 1 && !((out[lo] as number) > 1e-300)) lo++;
  let hi = out.length - 1;
  while (hi > lo && !((out[hi] as number) > 1e-300)) hi--;
  return { offset: lo, pmf: out.slice(lo, hi + 1), mean: f * dist.mean };
}

/** Mean and central 90% interval of a count law. */
export interface CountSummary {
  mean: number;
  lo90: number;
  hi90: number;
}

/**
 * Mean and central 90% interval [quantile(0.05), quantile(0.95)] of a tabulated count law.
 * @example summarise(poissonDistribution(7.5)) // { mean: 7.5, lo90: 3, hi90: 12 }
 */
export function summarise(dist: CountDistribution): CountSummary {
  const band = centralInterval(dist, 0.9, cumulative(dist));
  return { mean: dist.mean, lo90: band.lo, hi90: band.hi };
}

/**
 * The law of a day's final count K given that y of its conversions have arrived at completeness f, under the prior
 * law `prior` of K (the day's predictive): P(K = k | y) proportional to P(K = k) C(k, y) f^y (1 - f)^(k - y), k >= y
 * (Bayes with the binomial thinning likelihood, in log space since C(k, y) overflows). For a Poisson prior this is
 * y + Poisson(lambda (1 - f)) exactly.
 * @param y - arrived count, >= 0 (rounded). @param f - completeness in (0, 1].
 * Edge cases: f = 1 -> the point mass at y; f = 0 -> the prior itself; y beyond the prior's support (the prior gives
 * it no mass) -> the flat-prior posterior y + NB(y + 1, f), mean y + (y + 1)(1 - f)/f.
 * @example finalGivenArrived(poissonDistribution(10), 0.4, 3).mean // 3 + 6 = 9
 */
export function finalGivenArrived(prior: CountDistribution, f: number, y: number): CountDistribution {
  checkFraction(f);
  const yr = Math.max(0, Math.round(y));
  if (f === 1) return { offset: yr, pmf: Float64Array.of(1), mean: yr };
  if (f === 0) return prior;
  const maxK = prior.offset + prior.pmf.length - 1;
  const from = Math.max(yr, prior.offset);
  const fallback = (): CountDistribution => {
    const rest = negativeBinomialDistribution(yr + 1, ((yr + 1) * (1 - f)) / f);
    return { offset: rest.offset + yr, pmf: rest.pmf, mean: rest.mean + yr };
  };
  if (from > maxK) return fallback();
  const logQ = Math.log1p(-f);
  const logw = new Float64Array(maxK - from + 1);
  let top = -Infinity;
  for (let k = from; k <= maxK; k++) {
    const pk = prior.pmf[k - prior.offset] as number;
    const lw = pk > 0 ? Math.log(pk) + gammaln(k + 1) - gammaln(k - yr + 1) + (k - yr) * logQ : -Infinity;
    logw[k - from] = lw;
    if (lw > top) top = lw;
  }
  if (top === -Infinity) return fallback();
  const pmf = new Float64Array(logw.length);
  let total = 0;
  let mean = 0;
  for (let i = 0; i < logw.length; i++) {
    const w = Math.exp((logw[i] as number) - top);
    pmf[i] = w;
    total += w;
  }
  for (let i = 0; i < pmf.length; i++) {
    const p = (pmf[i] as number) / total;
    pmf[i] = p;
    mean += (from + i) * p;
  }
  return { offset: from, pmf, mean };
}

/** One reading of a day's conversions: the count an export showed for `day` when the day was `age` days old. */
export interface LagObservation {
  /** ISO date of the day the conversions are credited to. */
  day: string;
  /** Age of the day in the export (0 = the export's newest day), integer >= 0. */
  age: number;
  /** Conversions the export showed for the day (rounded to whole conversions). */
  count: number;
}

/** zod schema of a list of LagObservation. */
const LagObservationsSchema = z.array(
  z.object({
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "day must be an ISO date YYYY-MM-DD"),
    age: z.number().int("age must be a whole number of days").min(0).max(3650),
    count: z.number().finite().nonnegative(),
  }),
);

/** What learnLag fits. */
export interface LagFit {
  /** The learned curve (source "learned"), k with its 90% likelihood-ratio interval. */
  curve: LagCurve;
  /** Pairs of successive readings of the same day used, and those with a conversion at the older age (informative). */
  pairs: number;
  informativePairs: number;
  /** Pairs where the younger reading was above the older one (conversions removed): the younger count capped. */
  decreases: number;
  /** Conversions seen at the older readings of the informative pairs, and of those, the ones that arrived between. */
  conversions: number;
  grown: number;
  /** Log-likelihood at the estimate (the binomial terms' k-dependent part). */
  logLikelihood: number;
  /** The estimate or an interval end sits on the search range [1e-4, 100] per day (the data cannot bound it). */
  atBound: boolean;
}

/**
 * One pair of readings of the same day (or the sum of several pairs with the same ages: the likelihood depends on the
 * counts only through their sums per (a, b)): `ya` conversions seen at age a, `yb` >= ya at the older age b > a.
 */
export interface LagPair {
  a: number;
  b: number;
  ya: number;
  yb: number;
}

/** zod schema of a list of LagPair. */
const LagPairsSchema = z.array(
  z
    .object({
      a: z.number().int("a must be a whole number of days").min(0).max(3650),
      b: z.number().int("b must be a whole number of days").min(1).max(3650),
      ya: z.number().finite().nonnegative(),
      yb: z.number().finite().nonnegative(),
    })
    .refine((p) => p.b > p.a, "b must be older than a")
    .refine((p) => p.ya <= p.yb, "ya must not exceed yb"),
);

/**
 * Learns the completeness curve from successive exports: maximum likelihood of the delay rate k on the binomial
 * thinning. The conversions a day showed at its older reading b each arrived by the younger age a with probability
 * F(a) / F(b), independently (their arrival times are i.i.d. given that they arrived by b), so for the readings
 * a_1 < a_2 < ... < a_m of one day
 *   y(a_i) | y(a_(i+1)) ~ Binomial(y(a_(i+1)), F(a_i) / F(a_(i+1))),
 * and the log-likelihood given each day's oldest reading is sum over successive pairs of
 *   y_a ln r + (y_b - y_a) ln(1 - r),  r = F(a; k) / F(b; k).
 * (Read forwards, the same model says the later count is the earlier plus a thinning of what was still to come:
 * y_b - y_a | y_a ~ Binomial(K - y_a, (F(b) - F(a)) / (1 - F(a))) for the day's final count K; conditioning on the
 * oldest reading removes K.) It is maximised over ln k by profileLogK (lib/engine/lag-fit.ts); the 90% interval is
 * the likelihood-ratio one. The curve's lo90/hi90 are F at the interval's ends (F increases with k).
 *
 * @param observations - (day, age, count) readings, validated by LagObservationsSchema; counts are rounded; two
 *   readings of one day at the same age: the later in the list is kept.
 * @param d - days at which the learned curve states its "q within d" (default DEFAULT_LAG.d).
 * @returns the fit, or null when no day was read at two ages with a conversion at the older one (nothing to learn).
 * Edge cases: a younger reading above the older one (a conversion removed) is capped at the older count and counted
 *   in `decreases`; every day already complete at its younger reading drives k to the top of its range (atBound).
 * @throws RangeError naming the first invalid field.
 * @example learnLag([{ day: "2026-01-01", age: 0, count: 3 }, { day: "2026-01-01", age: 7, count: 10 }])?.curve.k // ~0.35
 * Reference: Lawless (1994), Can. J. Stat. 22, sec. 3 (conditional likelihood of reported counts); Wilks (1938).
 */
export function learnLag(observations: readonly LagObservation[], d: number = DEFAULT_LAG.d): LagFit | null {
  const r = LagObservationsSchema.safeParse(observations);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new RangeError(`Invalid lag observations at ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid value"}.`);
  }
  const byDay = new Map<string, Map<number, number>>();
  for (const o of r.data) {
    let ages = byDay.get(o.day);
    if (!ages) byDay.set(o.day, (ages = new Map()));
    ages.set(o.age, Math.round(o.count));
  }
  const pairs: LagPair[] = [];
  let decreases = 0;
  let total = 0;
  for (const ages of byDay.values()) {
    const sorted = [...ages.entries()].sort((x, y) => x[0] - y[0]);
    for (let i = 0; i + 1 < sorted.length; i++) {
      const [a, ya] = sorted[i] as [number, number];
      const [b, yb] = sorted[i + 1] as [number, number];
      total++;
      if (ya > yb) decreases++;
      pairs.push({ a, b, ya: Math.min(ya, yb), yb });
    }
  }
  const fit = learnLagFromPairs(pairs, d);
  return fit === null ? null : { ...fit, pairs: total, decreases };
}

/**
 * learnLag on pairs already formed (ya capped at yb, counts possibly summed over days with the same ages a < b, and
 * possibly fractional: each enters the log-likelihood as a weight). Same model, estimate and interval as learnLag.
 * @param pairs - validated by LagPairsSchema. @param d - as learnLag's.
 * @param near - optional k the estimate is expected near (a campaign's fit near its dataset's): a shorter search
 *   (lib/engine/lag-fit.ts profileLogK), the same estimate.
 * @returns the fit (pairs = pairs given, decreases 0), or null when no pair has a conversion at b.
 * @throws RangeError naming the first invalid field.
 * @example learnLagFromPairs([{ a: 0, b: 7, ya: 3, yb: 10 }])?.curve.k // ~0.35, as learnLag's example
 */
export function learnLagFromPairs(pairs: readonly LagPair[], d: number = DEFAULT_LAG.d, near?: number): LagFit | null {
  const r = LagPairsSchema.safeParse(pairs);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new RangeError(`Invalid lag pairs at ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid value"}.`);
  }
  if (!(d > 0 && d <= 365)) throw new RangeError("d must be in (0, 365]");
  // One entry per (a, b) with a conversion at b: the log-likelihood is linear in ya and yb - ya.
  const sums = new Map<string, LagPair>();
  for (const p of r.data) {
    if (p.yb === 0) continue;
    const key = `${p.a}:${p.b}`;
    const s = sums.get(key);
    if (s) {
      s.ya += p.ya;
      s.yb += p.yb;
    } else sums.set(key, { ...p });
  }
  if (sums.size === 0) return null;
  const list = [...sums.values()];
  let conversions = 0;
  let grown = 0;
  for (const p of list) {
    conversions += p.yb;
    grown += p.yb - p.ya;
  }
  const informativePairs = r.data.filter((p) => p.yb > 0).length;
  // The terms through the distinct ages and gaps b - a (a few hundred at most, however many days were read):
  // ln F(x) = ln(1 - exp(-k x) c) and ln(F(b) - F(a)) = ln c - k a + ln(1 - exp(-k (b - a))), c = (1 - exp(-k)) / k,
  // with expm1/log1p so nothing cancels when k a or b - a is small.
  const ages = [...new Set(list.flatMap((p) => [p.a, p.b]))];
  const gaps = [...new Set(list.map((p) => p.b - p.a))];
  const ageIndex = new Map(ages.map((x, i) => [x, i]));
  const gapIndex = new Map(gaps.map((x, i) => [x, i]));
  const terms = list.map((p) => ({ ia: ageIndex.get(p.a) as number, ib: ageIndex.get(p.b) as number, ig: gapIndex.get(p.b - p.a) as number, a: p.a, ya: p.ya, grown: p.yb - p.ya }));
  const logF = new Float64Array(ages.length);
  const logGap = new Float64Array(gaps.length);
  const ll = (u: number): number => {
    const k = Math.exp(u);
    const c = -Math.expm1(-k) / k;
    const logC = Math.log(c);
    for (let i = 0; i < ages.length; i++) logF[i] = Math.log1p(-Math.exp(-k * (ages[i] as number)) * c);
    for (let i = 0; i < gaps.length; i++) logGap[i] = Math.log(-Math.expm1(-k * (gaps[i] as number)));
    let s = 0;
    for (const t of terms) {
      const lb = logF[t.ib] as number;
      if (t.ya > 0) s += t.ya * ((logF[t.ia] as number) - lb);
      if (t.grown > 0) s += t.grown * (logC - k * t.a + (logGap[t.ig] as number) - lb);
    }
    return s;
  };
  const f = profileLogK(ll, near);
  const curve = lagCurve("learned", f.k, f.kLo90, f.kHi90, { q: -Math.expm1(-f.k * d), d });
  return { curve, pairs: r.data.length, informativePairs, decreases: 0, conversions, grown, logLikelihood: f.logLikelihood, atBound: f.atBound };
}
