/**
 * A conversion rate that drifts: a discounted (power-discounted) conjugate filter of the rate, with day-level
 * overdispersion on top, its discount and overdispersion chosen by one-step-ahead log score over a small grid, all
 * in one pass over the days (O(days x grid)).
 *
 * Model, for day t with clicks n_t and conversions y_t (binomial base; the Poisson base is the same with a Gamma):
 *   level:      p_t | days < t  ~  Beta(delta a_{t-1}, delta b_{t-1})          (power discounting)
 *   day shock:  q_t = p_t G_t, E[G_t] = 1, Var[G_t] = s2, independent across days
 *   count:      y_t | q_t ~ Binomial(n_t, q_t)   (Poisson(n_t q_t) when some day has more conversions than clicks)
 *   update:     a_t = delta a_{t-1} + w_t y_t,  b_t = delta b_{t-1} + w_t (n_t - y_t)
 * with w_t = 1 / (1 + s2 n_t m_t / (1 - m_t)) (Poisson base: 1 / (1 + s2 n_t m_t)), m_t the predictive mean: the
 * ratio of the binomial variance of y_t to its variance with the day shock, so a day worth n_t clicks informs the
 * level like n_t w_t clicks would (a tempered likelihood; exact when s2 = 0). With delta = 1 and s2 = 0 the filter
 * is the fixed-rate model: Beta(a_0 + sum y, b_0 + sum (n - y)) and a beta-binomial predictive.
 *
 * One-step-ahead predictive of y_t: the day's rate q_t has mean m = a/(a+b) (a, b after discounting) and variance
 * V_q = V_l + s2 (V_l + m^2), V_l = m (1 - m) / (a + b + 1); the count is beta-binomial(n_t, m c, (1 - m) c) with
 * c = m (1 - m) / V_q - 1 (exact when s2 = 0; the two moments of q matched otherwise). Poisson base: Gamma level,
 * V_l = m^2 / a, count NB(r = m^2 / V_q, mean n_t m).
 *
 * Reference: West & Harrison, Bayesian Forecasting and Dynamic Models (2nd ed., 1997), sec. 10.8 (discounting) and
 *   ch. 14 (dynamic generalised linear models, conjugate updating); Smith (1979), "A generalization of the Bayesian
 *   steady forecasting model", JRSS B 41 (power-discounted Beta/Gamma steady models); Gneiting & Raftery (2007),
 *   JASA 102 (the logarithmic score); Dawid (1984), "Statistical theory: the prequential approach", JRSS A 147.
 */
import { betaBinomialDistribution, negativeBinomialDistribution, pointMassAtZero, type CountDistribution } from "./discrete";
import type { DispersionFit } from "./dispersion";
import type { RateModel } from "./predictive";
import type { DayRow } from "./types";
import { betaBinomialLogRatios, risingLogs } from "./log-gamma";

/**
 * Discounts searched (1 = a fixed rate; 0.35 keeps about a day and a half of memory: 1 / (1 - delta) days).
 * Chosen with DRIFT_SHOCKS and DRIFT_SCORE_DISCOUNT on the real daily campaign of ../shared/data/ads (91 days,
 * 2020-04-01 to 2020-06-30) and on seeded fixed-rate and random-walk simulations (tests/bench/calibration.bench.ts).
 */
const DRIFT_DISCOUNTS = [1, 0.97, 0.9, 0.75, 0.55, 0.35] as const;
/** Day-level squared CVs of the rate searched (0 = none; 0.3 is a day rate varying by ~55%). */
const DRIFT_SHOCKS = [0, 0.003, 0.01, 0.03, 0.1, 0.3] as const;
/**
 * Forgetting of the grid points' log scores in the online choice: 0.9 weighs the last ~10 days most, so the choice
 * follows a campaign whose behaviour changes (on the real campaign above its 90% band held on 86% of days, 79% with
 * equal weights). The final model (forecasts) is chosen on the undiscounted total.
 */
const DRIFT_SCORE_DISCOUNT = 0.9;

/** Floor of the state's pseudo-counts a and b (see driftFilter). */
const MIN_STATE = 1e-9;
/** Smallest beta-binomial concentration used when the day shock exceeds what a Beta can hold. */
export const DRIFT_MIN_CONCENTRATION = 0.01;
const MIN_CONCENTRATION = DRIFT_MIN_CONCENTRATION;

/** A filter state: the level's posterior and the grid point it runs under. */
export interface DriftState {
  base: "binomial" | "poisson";
  /** Beta(a, b) (binomial base) or Gamma(shape a, rate b per click) (Poisson base), before the next discount. */
  a: number;
  b: number;
  /** Discount per day in (0, 1]. */
  delta: number;
  /** Squared CV of the day-level shock on the rate, >= 0. */
  s2: number;
}

/**
 * Parameters of a day's predictive: beta-binomial (alpha, beta) for the binomial base, NB (r, mean n m) for the
 * Poisson base.
 */
interface Predictive {
  m: number;
  /** Beta-binomial alpha or NB size r. */
  p1: number;
  /** Beta-binomial beta (binomial base); unused for the Poisson base. */
  p2: number;
}

/**
 * The beta-binomial concentration c of a day's predictive under a day shock s2 > 0 (alpha = m c, beta = (1 - m) c),
 * from a state (a, b) already discounted: c = m (1 - m) / V_q - 1 with m = a / (a + b), V_l = m (1 - m) / (a + b + 1)
 * and V_q = V_l + s2 (V_l + m^2), which is b (a + b + 1) / (b (1 + s2) + s2 a (a + b + 1)) - 1: one division (the
 * filter's inner loop, the calibration's day law and dayDistribution all use this one). At least
 * DRIFT_MIN_CONCENTRATION (a shock larger than a Beta can hold).
 * @example shockedConcentration(30, 970, 0.1) // ~237.6 (m = 0.03, V_l = 2.9e-5, V_q = 1.22e-4)
 */
export function shockedConcentration(a: number, b: number, s2: number): number {
  const t1 = a + b + 1;
  return Math.max(MIN_CONCENTRATION, (b * t1) / (b * (1 + s2) + s2 * a * t1) - 1);
}

/**
 * The day's predictive parameters from a state (a, b) already discounted, and the day shock s2 (see the module
 * comment). Writes into `out` (called in the inner loop).
 */
function predictive(base: "binomial" | "poisson", a: number, b: number, s2: number, out: Predictive): void {
  if (base === "binomial") {
    const m = a / (a + b);
    out.m = m;
    if (s2 === 0) {
      out.p1 = a;
      out.p2 = b;
      return;
    }
    const c = shockedConcentration(a, b, s2);
    out.p1 = m * c;
    out.p2 = (1 - m) * c;
    return;
  }
  const m = a / b;
  out.m = m;
  if (s2 === 0) {
    out.p1 = a;
    return;
  }
  const vl = (m * m) / a;
  out.p1 = (m * m) / (vl + s2 * (vl + m * m));
}

/**
 * The count law of one day's predictive (see the module comment), tabulated.
 * @example dayDistribution({ base: "binomial", a: 30, b: 970, delta: 1, s2: 0 }, 300).mean // 9
 */
export function dayDistribution(state: DriftState, clicks: number): CountDistribution {
  const n = Math.round(clicks);
  if (!(n > 0)) return pointMassAtZero();
  const q: Predictive = { m: 0, p1: 0, p2: 0 };
  predictive(state.base, state.delta * state.a, state.delta * state.b, state.s2, q);
  if (state.base === "binomial") return betaBinomialDistribution(n, q.p1, q.p2);
  return negativeBinomialDistribution(q.p1, clicks * q.m);
}

/** Result of the filtering pass. */
export interface DriftFilter {
  base: "binomial" | "poisson";
  /** Grid searched, and each point's one-step-ahead log score (model-dependent terms only) over scored days. */
  grid: { delta: number; s2: number; logScore: number }[];
  /** Index of the grid point with the best log score over all days: the campaign's drift model. */
  best: number;
  /** Its state after the last day. */
  state: DriftState;
  /** The fixed-rate point (delta 1, s2 0) after the last day: the reference without drift. */
  fixedState: DriftState;
  /**
   * The state day t (0 <= t <= days) was forecast with: the online choice (best log score on the days before) and its
   * state after day t - 1; its predictive is dayDistribution(state, clicks_t). t = days gives the next day's.
   */
  stateBefore: (t: number) => DriftState;
  /** Days whose log score entered the choice (days with clicks after the first). */
  scoredDays: number;
  /**
   * stateBefore's values as arrays (read in the calibration's loop without building a state a day): day t was
   * forecast with grid point point[t], from the state (a[t], b[t]) before its discount; t = days is the next day.
   */
  path: { a: Float64Array; b: Float64Array; point: Int32Array; delta: Float64Array; s2: Float64Array };
}

/** Options of the filter. */
export interface DriftOptions {
  /** Beta(a, b) prior of the rate (Poisson base: Gamma(a, a + b)); default Jeffreys Beta(1/2, 1/2), Gamma(1/2, 0). */
  prior?: { a: number; b: number };
  /** Discounts to search (default DRIFT_DISCOUNTS; the first point of the grid wins ties). */
  discounts?: readonly number[];
  /** Day shocks to search (default DRIFT_SHOCKS). */
  shocks?: readonly number[];
  /** Forgetting of the grid's log scores in the online choice (default DRIFT_SCORE_DISCOUNT; 1 = all days equal). */
  scoreDiscount?: number;
}

/**
 * One day of the binomial-base filter for every grid point (the inner loop of driftFilter, written out on typed
 * arrays): discount, score the day's count under the beta-binomial predictive (see predictive and logScore, whose
 * formulas these are), update. n, y as observed (y capped at n); nr, yr rounded for the score.
 */
function binomialStep(
  G: number,
  gd: Float64Array,
  gs: Float64Array,
  A: Float64Array,
  B: Float64Array,
  score: Float64Array,
  recent: Float64Array,
  lam: number,
  scoring: boolean,
  n: number,
  y: number,
  nr: number,
  yr: number,
  work: StepScratch,
): void {
  const ny = nr - yr;
  const { x1, x2, m: ms } = work;
  // Discount every state and find the predictive's (alpha, beta); the states hold the discounted (a, b) until the
  // update below.
  for (let g = 0; g < G; g++) {
    const d = gd[g] as number;
    const s2 = gs[g] as number;
    const a = d * (A[g] as number);
    const b = d * (B[g] as number);
    A[g] = a;
    B[g] = b;
    const t = a + b;
    const m = a / t;
    ms[g] = m;
    let al = a;
    let be = b;
    if (s2 !== 0) {
      const c = shockedConcentration(a, b, s2);
      al = m * c;
      be = (1 - m) * c;
    }
    x1[g] = al;
    x2[g] = be;
  }
  // ln [B(y + al, n - y + be) / B(al, be)] (n, y whole): one logarithm a point while n <= 32, two above
  if (scoring) betaBinomialLogRatios(x1, x2, yr, ny, G, x1);
  for (let g = 0; g < G; g++) {
    const s2 = gs[g] as number;
    const a = A[g] as number;
    const b = B[g] as number;
    if (scoring) {
      const lp = x1[g] as number;
      score[g] = (score[g] as number) + lp;
      recent[g] = lam * (recent[g] as number) + lp;
    }
    let w = 1;
    if (s2 !== 0) {
      // 1 / (1 + s2 n m / (1 - m)), with one division (m from the first loop: a and b are the same)
      const m = ms[g] as number;
      const q = Math.max(1e-12, 1 - m);
      w = q / (q + s2 * n * m);
    }
    // A long run without conversions under a small discount would decay a to 0 (m = 0, no finite predictive):
    // the floor keeps it a positive pseudo-count far below anything observable.
    A[g] = Math.max(MIN_STATE, a + w * y);
    B[g] = Math.max(MIN_STATE, b + w * (n - y));
  }
}

/** Per-grid-point scratch of the step functions (allocated once per filter). */
interface StepScratch {
  x1: Float64Array;
  x2: Float64Array;
  /** Each point's predictive mean a / (a + b) of the day (binomial base). */
  m: Float64Array;
}

/** One day of the Poisson-base filter for every grid point (see binomialStep; NB predictive). */
function poissonStep(
  G: number,
  gd: Float64Array,
  gs: Float64Array,
  A: Float64Array,
  B: Float64Array,
  score: Float64Array,
  recent: Float64Array,
  lam: number,
  scoring: boolean,
  n: number,
  y: number,
  yr: number,
  work: StepScratch,
): void {
  const nr = Math.round(n);
  const rs = work.x1;
  for (let g = 0; g < G; g++) {
    const d = gd[g] as number;
    const s2 = gs[g] as number;
    const a = d * (A[g] as number);
    const b = d * (B[g] as number);
    A[g] = a;
    B[g] = b;
    let r = a;
    if (b > 0 && s2 !== 0) {
      const m = a / b;
      const vl = (m * m) / a;
      r = (m * m) / (vl + s2 * (vl + m * m));
    }
    rs[g] = r;
  }
  const lg = work.x2;
  if (scoring) risingLogs(rs, yr, G, lg);
  for (let g = 0; g < G; g++) {
    const s2 = gs[g] as number;
    const a = A[g] as number;
    const b = B[g] as number;
    if (!(b > 0)) {
      // The improper Gamma(1/2, 0) and no clicks yet: nothing to predict with; learn only.
      A[g] = a + y;
      B[g] = b + n;
      continue;
    }
    const m = a / b;
    if (scoring) {
      const r = rs[g] as number;
      const mu = nr * m;
      // log1p keeps r ln(1 + mu/r) exact when r >> mu (a nearly Poisson day).
      const lp = (lg[g] as number) - r * Math.log1p(mu / r) + (yr > 0 ? yr * Math.log(mu / (r + mu)) : 0);
      score[g] = (score[g] as number) + lp;
      recent[g] = lam * (recent[g] as number) + lp;
    }
    const w = s2 === 0 ? 1 : 1 / (1 + s2 * n * m);
    A[g] = Math.max(MIN_STATE, a + w * y);
    B[g] = Math.max(MIN_STATE, b + w * n);
  }
}

/**
 * One filtering pass over days (sorted, one row per day) for every grid point (discount delta, day shock s2) at
 * once: each day, every point's one-step-ahead log predictive probability of the day's conversions is added to its
 * score (from the second day with clicks on), then every state is updated. The point with the best score on the days
 * before t, older days forgotten by scoreDiscount per day (ties to the earlier grid point, the fixed rate first), is
 * the one day t is forecast with (`days`), so every band is out of sample, hyper-parameters included; the point best
 * over all days (undiscounted) is the campaign's model (`best`, `state`) for forecasts.
 *
 * Base: Poisson when some day has more conversions than clicks (view-through), binomial otherwise. Fractional
 * conversions enter the update as they are and are scored rounded.
 * Edge cases: a day without clicks only discounts the states (time passes, nothing is learnt); no rows -> the prior.
 * Cost: O(days x grid): one beta-binomial log ratio per grid point and day (one to five logarithms, see
 * betaBinomialLogRatios).
 * @example driftFilter(rows).grid[driftFilter(rows).best] // { delta: 1, s2: 0, ... } on a steady campaign
 */
export function driftFilter(rows: readonly DayRow[], options: DriftOptions = {}): DriftFilter {
  const base: "binomial" | "poisson" = rows.some((r) => r.conversions > r.clicks) ? "poisson" : "binomial";
  const deltas = options.discounts ?? DRIFT_DISCOUNTS;
  const shocks = options.shocks ?? DRIFT_SHOCKS;
  const G = deltas.length * shocks.length;
  const gd = new Float64Array(G);
  const gs = new Float64Array(G);
  for (let i = 0; i < deltas.length; i++) {
    for (let j = 0; j < shocks.length; j++) {
      gd[i * shocks.length + j] = deltas[i] as number;
      gs[i * shocks.length + j] = shocks[j] as number;
    }
  }
  const a0 = options.prior?.a ?? 0.5;
  const b0 = base === "binomial" ? (options.prior?.b ?? 0.5) : options.prior ? options.prior.a + options.prior.b : 0;
  const A = new Float64Array(G).fill(a0);
  const B = new Float64Array(G).fill(b0);
  const score = new Float64Array(G);
  const recent = new Float64Array(G);
  const work: StepScratch = { x1: new Float64Array(G), x2: new Float64Array(G), m: new Float64Array(G) };
  const lam = options.scoreDiscount ?? DRIFT_SCORE_DISCOUNT;
  const T = rows.length;
  const dayA = new Float64Array(T + 1);
  const dayB = new Float64Array(T + 1);
  const dayG = new Int32Array(T + 1);
  const binomialBase = base === "binomial";
  let seen = false;
  let scoredDays = 0;
  let chosen = 0;
  for (let t = 0; t < T; t++) {
    const row = rows[t] as DayRow;
    dayA[t] = A[chosen] as number;
    dayB[t] = B[chosen] as number;
    dayG[t] = chosen;
    const n = row.clicks;
    if (!(n > 0)) {
      // A day without clicks: time passes (every state is discounted), nothing is scored or learnt.
      for (let g = 0; g < G; g++) {
        const d = gd[g] as number;
        A[g] = d * (A[g] as number);
        B[g] = d * (B[g] as number);
      }
    } else {
      const scoring = seen;
      const y = binomialBase ? Math.min(row.conversions, n) : row.conversions;
      const nr = Math.round(n);
      const yr = Math.min(Math.round(y), binomialBase ? nr : Infinity);
      if (binomialBase) binomialStep(G, gd, gs, A, B, score, recent, lam, scoring, n, y, nr, yr, work);
      else poissonStep(G, gd, gs, A, B, score, recent, lam, scoring, n, y, yr, work);
      if (scoring) scoredDays++;
      seen = true;
    }
    // The next day's choice: best score so far; ties keep the earlier grid point.
    chosen = 0;
    for (let g = 1; g < G; g++) if ((recent[g] as number) > (recent[chosen] as number) + 1e-9) chosen = g;
  }
  dayA[T] = A[chosen] as number;
  dayB[T] = B[chosen] as number;
  dayG[T] = chosen;
  let best = 0;
  for (let g = 1; g < G; g++) if ((score[g] as number) > (score[best] as number) + 1e-9) best = g;
  const state = (g: number): DriftState => ({ base, a: A[g] as number, b: B[g] as number, delta: gd[g] as number, s2: gs[g] as number });
  const grid = Array.from({ length: G }, (_, g) => ({ delta: gd[g] as number, s2: gs[g] as number, logScore: score[g] as number }));
  const fixed = grid.findIndex((p) => p.delta === 1 && p.s2 === 0);
  return {
    base,
    grid,
    best,
    state: state(best),
    fixedState: fixed >= 0 ? state(fixed) : { base, a: a0, b: b0, delta: 1, s2: 0 },
    stateBefore: (t: number): DriftState => {
      const i = Math.min(Math.max(0, Math.floor(t)), T);
      const g = dayG[i] as number;
      return { base, a: dayA[i] as number, b: dayB[i] as number, delta: gd[g] as number, s2: gs[g] as number };
    },
    scoredDays,
    path: { a: dayA, b: dayB, point: dayG, delta: gd, s2: gs },
  };
}

/**
 * Mean and variance of the click-weighted average day rate over the next days, from a state: the level drifts as a
 * martingale whose variance after k discounts is V_k (Beta: m (1 - m) / (delta^k (a + b) + 1); Gamma: m^2 / (delta^k
 * a)), so Cov(p_j, p_k) = V_min(j,k); each day's shock adds s2 (V_k + m^2) on its own day.
 *   Var(sum n_k q_k) = sum_k V_k (n_k^2 + 2 n_k sum_{j>k} n_j) + s2 sum_k n_k^2 (V_k + m^2).
 * Returned as the squared CVs of the level part (cvLevel2) and of the shock part (cvShock2) of q-bar.
 * @param clicks - clicks of each future day, >= 0 (at least one > 0).
 * @example horizonMoments(state, [300, 300]) // { m, cvLevel2, cvShock2 }
 */
export function horizonMoments(state: DriftState, clicks: readonly number[]): { m: number; cvLevel2: number; cvShock2: number } {
  const { a, b, delta, s2 } = state;
  const m = state.base === "binomial" ? a / (a + b) : a / b;
  let N = 0;
  for (const n of clicks) N += n;
  if (!(N > 0) || !(m > 0)) return { m, cvLevel2: 0, cvShock2: 0 };
  let after = N;
  let level = 0;
  let shock = 0;
  let dk = 1;
  for (const n of clicks) {
    dk *= delta;
    after -= n;
    const vk = state.base === "binomial" ? (m * (1 - m)) / (dk * (a + b) + 1) : (m * m) / (dk * a);
    level += vk * (n * n + 2 * n * after);
    shock += s2 * n * n * (vk + m * m);
  }
  return { m, cvLevel2: level / (N * N * m * m), cvShock2: shock / (N * N * m * m) };
}

/**
 * A RateModel (the shape forecastParameters, frequencyFor and predictiveCounts take) for the average rate over
 * `days` future days of equal clicks, from a drift state: mean m, squared CV of the level averaged over the days
 * (its drift mixed in), and the day shock as a negative binomial size r = 1/s2 per day (absent when s2 = 0). The
 * Beta (Gamma) parameters a, b are those with that mean and CV; with delta = 1 they are the state's own.
 * @param days - horizon in days, >= 1.
 * @example horizonRateModel(state, 7, dispersion).cv2 // larger than the one-day cv2 when delta < 1
 */
export function horizonRateModel(state: DriftState, days: number, dispersion: DispersionFit): RateModel {
  const h = Math.max(1, Math.round(days));
  const { m, cvLevel2 } = horizonMoments(state, new Array<number>(h).fill(1));
  const r = state.s2 > 0 ? 1 / state.s2 : undefined;
  if (state.base === "binomial") {
    let a = state.a;
    let b = state.b;
    if (state.delta !== 1 && cvLevel2 > 0) {
      const c = Math.max(MIN_CONCENTRATION, (1 - m) / (m * cvLevel2) - 1);
      a = m * c;
      b = (1 - m) * c;
    }
    return { base: "binomial", a, b, mean: m, cv2: b / (a * (a + b + 1)), ...(r !== undefined ? { r } : {}), dispersion };
  }
  const a = state.delta !== 1 && cvLevel2 > 0 ? 1 / cvLevel2 : state.a;
  return { base: "poisson", a, b: a / m, mean: m, cv2: 1 / a, ...(r !== undefined ? { r } : {}), dispersion };
}

/**
 * The law of the total conversions over future days with the given clicks, from a drift state: beta-binomial
 * (total clicks, m c, (1 - m) c) with c matched to Var(q-bar) = m^2 (cvLevel2 + cvShock2) (binomial base), or
 * NB(1 / (cvLevel2 + cvShock2), N m) (Poisson base). With delta = 1 and s2 = 0 it is the fixed-rate beta-binomial
 * (total clicks, a, b) exactly.
 * @example windowDistribution(state, [300, 310, 290]).mean // 900 m
 */
export function windowDistribution(state: DriftState, clicks: readonly number[]): CountDistribution {
  let N = 0;
  for (const n of clicks) N += n;
  if (!(N > 0)) return pointMassAtZero();
  if (state.delta === 1 && state.s2 === 0) {
    if (state.base === "binomial") return betaBinomialDistribution(Math.round(N), state.a, state.b);
    return negativeBinomialDistribution(state.a, (N * state.a) / state.b);
  }
  const { m, cvLevel2, cvShock2 } = horizonMoments(state, clicks);
  const cv2 = cvLevel2 + cvShock2;
  if (state.base === "binomial") {
    const c = Math.max(MIN_CONCENTRATION, (1 - m) / (m * cv2) - 1);
    return betaBinomialDistribution(Math.round(N), m * c, (1 - m) * c);
  }
  return negativeBinomialDistribution(1 / cv2, N * m);
}
