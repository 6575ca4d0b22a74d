/**
 * Forecast parameters for a horizon and a budget: the frequency spec (conversions) and the severity spec (order
 * value) the aggregate engine turns into a revenue distribution.
 */
import type { RateModel } from "./predictive";
import type { SeverityEstimate } from "./severity";
import type { DayRow, FrequencySpec, SeveritySpec, Unit } from "./types";

/** Named horizons in days. */
export const HORIZON_DAYS = { day: 1, week: 7, month: 30 } as const;
/** A horizon: a name or a whole number of days. */
export type Horizon = keyof typeof HORIZON_DAYS | number;

/** Forecast parameters for one campaign. */
export interface ForecastParameters {
  /** Horizon in days (null for an ad-level file, where the budget buys `units` ad-equivalents instead). */
  horizonDays: number | null;
  /** Independent units the budget is spread over: days of the horizon, or ad-equivalents (budget / spend per ad). */
  units: number;
  /** Spend over the horizon (currency units). */
  budget: number;
  /** True when the budget was the default (average spend per unit x units). */
  defaultBudget: boolean;
  /** Cost per click from the history; null when it cannot be computed (no spend or no clicks). */
  cpc: number | null;
  /** Expected clicks bought by the budget. */
  expectedClicks: number;
  /** Expected conversions = expectedClicks x posterior mean rate. */
  expectedConversions: number;
  /** Variance of the conversions under the full model (noise, dispersion and parameter uncertainty). */
  conversionsVariance: number;
  frequency: FrequencySpec;
  severity: SeveritySpec;
  /** Expected revenue = expectedConversions x mean order value (conversions when counts only). */
  expectedRevenue: number;
  /** What shaped the forecast, in the order found; lib/analysis/messages.ts (forecastNote) words each. */
  findings: ForecastFinding[];
}

/**
 * One thing that shaped a forecast: "ad-level" (rows are ads: the budget buys `units` ad-equivalents), "no-spend"
 * (clicks projected from clicks per unit), "no-clicks" (nothing to forecast), "overdispersed" (a day-level rate shock
 * with shape `r`), "rate-uncertainty" (mixed in as a negative binomial), "counts-only" (no revenue), "drift" (the
 * rate's drift over the horizon mixed in, discount `delta` a day).
 */
export type ForecastFinding =
  | { code: "ad-level"; units: number }
  | { code: "no-spend" }
  | { code: "no-clicks" }
  | { code: "overdispersed"; r: number }
  | { code: "rate-uncertainty" }
  | { code: "counts-only" }
  | { code: "drift"; delta: number };

/** Options of the forecast. */
export interface ForecastOptions {
  horizon?: Horizon;
  /** Spend over the horizon, > 0; default the history's average spend per unit x units. */
  budget?: number;
  /** Mix the rate's posterior uncertainty into the count (default true). */
  parameterUncertainty?: boolean;
}

/**
 * Moments of the horizon's conversions and the frequency spec that matches them.
 *
 * Given the rate p, N | p has mean c p (c = expected clicks) and variance c p (1 - p) (binomial base) or c p
 * (Poisson base), plus (c p)^2 / (u r) when overdispersed (u independent units each with a Gamma(r, mean 1) rate
 * shock: their average has squared CV 1/(u r)). Mixing over the rate posterior (mean m, second moment m2):
 *   E[N] = c m,
 *   Var[N] = c m - c m2 [binomial only] + c^2 m2 (1 + 1/(u r)) - c^2 m^2.
 * A Gamma-mixed Poisson with those two moments is NB(r_eff, E[N]) with r_eff = E[N]^2 / (Var[N] - E[N]). For rare
 * conversions this is r_eff = a_post (the Beta(a, b) posterior is then close to Gamma(a, a + b), and a Gamma-mixed
 * Poisson is exactly NB with r = the Gamma shape); matching the variance instead of quoting a_post keeps the spec
 * right when p is not small (a binomial's variance is below the Poisson's) and folds in the day-level dispersion.
 * When Var[N] <= E[N] (no uncertainty left, or a common rate with binomial noise) the spec is Binomial(round(c), m)
 * (binomial base) or Poisson(c m).
 *
 * Without parameter uncertainty: Binomial(round(c), m), Poisson(c m), or NB(u r, c m) when overdispersed.
 *
 * Edge cases: no expected clicks -> Poisson(0); an infinite or negligible excess variance -> the plain base law.
 * @example frequencyFor(model, 1000, 7) // NB with mean 1000 x rate when the rate rests on few conversions
 * Reference: Klugman, Panjer & Willmot, Loss Models (4th ed.), sec. 7.3 (mixed Poisson, NB as Gamma-Poisson).
 */
export function frequencyFor(
  model: RateModel,
  clicks: number,
  units: number,
  parameterUncertainty = true,
): { spec: FrequencySpec; mean: number; variance: number } {
  const m = model.mean;
  const mean = clicks * m;
  if (!(mean > 0)) return { spec: { kind: "poisson", lambda: 0 }, mean: 0, variance: 0 };
  const shock = model.r !== undefined ? 1 / (Math.max(1, units) * model.r) : 0;
  const m2 = parameterUncertainty ? m * m * (1 + model.cv2) : m * m;
  const noise = model.base === "binomial" ? clicks * m - clicks * m2 : clicks * m;
  const variance = Math.max(0, noise + clicks * clicks * (m2 * (1 + shock) - m * m));
  const excess = variance - mean;
  if (excess > 1e-12 * mean && Number.isFinite(excess)) {
    return { spec: { kind: "negbin", r: (mean * mean) / excess, mean }, mean, variance };
  }
  if (model.base === "binomial" && Math.round(clicks) >= 1) {
    const n = Math.round(clicks);
    return { spec: { kind: "binomial", n, p: Math.min(1, mean / n) }, mean, variance };
  }
  return { spec: { kind: "poisson", lambda: mean }, mean, variance };
}

/**
 * Forecast parameters for a horizon and a budget.
 *
 * Units: dated rows -> days, u = horizon days; undated rows (ads) -> u = budget / average spend per ad
 * ad-equivalents (the horizon does not apply). Default budget = average spend per unit x u (per day: total spend /
 * days in the history; per ad: total spend / ads, with u = number of ads, i.e. the file's period again).
 * Expected clicks = budget / CPC with CPC = total spend / total clicks; without spend (CPC unknown) the history's
 * clicks per unit x u, noted. Conversions: frequencyFor(model, clicks, u). Severity: the campaign's estimate.
 * @param rows - the campaign's normalised rows (at least one).
 * @example forecastParameters(rows, model, severity, { horizon: "week" }).frequency // { kind: "negbin", ... }
 */
export function forecastParameters(
  rows: readonly DayRow[],
  unit: Unit,
  model: RateModel,
  severity: SeverityEstimate,
  options: ForecastOptions = {},
): ForecastParameters {
  const findings: ForecastFinding[] = [];
  const horizon = options.horizon ?? "week";
  const horizonDays = typeof horizon === "number" ? horizon : HORIZON_DAYS[horizon];
  const spend = rows.reduce((s, r) => s + r.spend, 0);
  const clicks = rows.reduce((s, r) => s + r.clicks, 0);
  const perUnitSpend = spend / rows.length;
  const cpc = spend > 0 && clicks > 0 ? spend / clicks : null;
  let units: number;
  let budget: number;
  const defaultBudget = options.budget === undefined;
  if (unit === "day") {
    units = horizonDays;
    budget = options.budget ?? perUnitSpend * units;
  } else {
    budget = options.budget ?? spend;
    units = perUnitSpend > 0 ? budget / perUnitSpend : rows.length;
    findings.push({ code: "ad-level", units });
  }
  let expectedClicks: number;
  if (cpc !== null) {
    expectedClicks = budget / cpc;
  } else {
    expectedClicks = (clicks / rows.length) * units;
    findings.push({ code: clicks > 0 ? "no-spend" : "no-clicks" });
  }
  const parameterUncertainty = options.parameterUncertainty ?? true;
  const freq = frequencyFor(model, expectedClicks, units, parameterUncertainty);
  if (model.r !== undefined) findings.push({ code: "overdispersed", r: model.r });
  if (parameterUncertainty && freq.spec.kind === "negbin") findings.push({ code: "rate-uncertainty" });
  if (severity.countsOnly) findings.push({ code: "counts-only" });
  return {
    horizonDays: unit === "day" ? horizonDays : null,
    units,
    budget,
    defaultBudget,
    cpc,
    expectedClicks,
    expectedConversions: freq.mean,
    conversionsVariance: freq.variance,
    frequency: freq.spec,
    severity: severity.spec,
    expectedRevenue: freq.mean * severity.mean,
    findings,
  };
}
