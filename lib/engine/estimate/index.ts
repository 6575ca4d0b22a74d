/**
 * Estimation from campaign data: the two entries lib/analysis calls, `estimateCampaign` and `estimateDataset`, and
 * the pieces they are made of. Everything is pure: plain arrays in, plain DTO-ready objects out.
 */
import { z } from "zod";
import { driftCalibration, noiseBand, type BandDay, type CalibrationResult } from "./calibration";
import { dailyResiduals, surpriseCorrelation, type SurpriseCorrelation } from "./correlation";
import type { DispersionFit } from "./dispersion";
import { horizonRateModel, type DriftState } from "./drift";
import { lagBand, LagOptionSchema, rowLag, scaleProvisional } from "./lag-band";
import { lazyArray } from "./lazy";
import { forecastParameters, HORIZON_DAYS, type ForecastParameters } from "./forecast";
import { rateModel, type RateModel } from "./predictive";
import { betaSummary, ratePosterior, type BetaSummary, type RateEstimate } from "./rates";
import { estimateSeverity, type SeverityEstimate } from "./severity";
import { shrinkRates, type BetaHyperFit, type ShrunkRate } from "./shrinkage";
import { CampaignInputSchema, isValidCampaignInput, normaliseRows, parseOrThrow, type CampaignInput, type DayRow, type Unit } from "./types";
import { campaignVerdict, MIN_REFERENCE_DAYS, type Verdict } from "./verdict";

export * from "./types";
export * from "./rates";
export * from "./shrinkage";
export * from "./dispersion";
export * from "./severity";
export * from "./predictive";
export * from "./forecast";
export * from "./calibration";
export * from "./correlation";
export * from "./verdict";
export * from "./discrete";
export * from "./drift";
export { lnGamma, risingLog } from "./log-gamma";
export * from "./lag-band";
export { seededRandom } from "./rng";

const positive = z.number().finite().positive();

/** zod schema of the options shared by estimateCampaign and estimateDataset (defaults filled in). */
const EstimateOptionsSchema = z.object({
  /** "day" | "week" | "month" or a number of days (1..3650). */
  horizon: z.union([z.enum(["day", "week", "month"]), z.number().int().min(1).max(3650)]).default("week"),
  /** Mix the rate's posterior uncertainty into the forecast count. */
  parameterUncertainty: z.boolean().default(true),
  /** Days of history before the first day scored by the rolling calibration. */
  warmupDays: z.number().int().min(2).max(3650).default(14),
  /** Days judged by the verdict, or "all". */
  verdictWindow: z.union([z.number().int().min(1).max(3650), z.literal("all")]).default(7),
  /** Seed of every random draw (randomised PIT, bootstrap). */
  seed: z.number().int().default(1),
  /**
   * Report the rolling one-step-ahead calibration (one O(days) filtering pass, always run for dated rows since the
   * band and verdict come from it; off only leaves `calibration` null).
   */
  calibration: z.boolean().default(true),
  /**
   * Conversion lag (dated rows): the as-of date and F(age) for the provisional ages (./lag-band.ts). Provisional days
   * are judged against their thinned law, left out of what the rate learns, and the verdict's window is thinned.
   */
  lag: LagOptionSchema.optional(),
});

/** zod schema of estimateCampaign's options. */
const CampaignOptionsSchema = EstimateOptionsSchema.extend({
  /** Spend over the horizon (default: average spend per day x horizon days). */
  budget: positive.optional(),
  /** A Beta prior of the conversion rate from the dataset (empirical Bayes); Jeffreys when absent. */
  prior: z.object({ a: positive, b: positive }).optional(),
});

/** zod schema of estimateDataset's options. */
const DatasetOptionsSchema = EstimateOptionsSchema.extend({
  /** Spend over the horizon per campaign name (default per campaign: its average daily spend x horizon days). */
  budgets: z.record(z.string(), positive).optional(),
  /** Fit of the shrinkage prior. */
  shrinkage: z.enum(["ml", "moments"]).default("ml"),
  /** Bootstrap resamples of the correlation interval. */
  resamples: z.number().int().min(50).max(10_000).default(400),
  /** A campaign's own conversion-lag option (its own learned curve), over `lag`, by campaign name. */
  lagByCampaign: z.record(z.string(), LagOptionSchema).optional(),
});

/** Options of estimateCampaign as a caller writes them (all optional). */
export type CampaignOptions = z.input<typeof CampaignOptionsSchema>;
/** Options of estimateDataset as a caller writes them (all optional). */
export type DatasetOptions = z.input<typeof DatasetOptionsSchema>;

/** Everything estimated for one campaign. */
export interface CampaignEstimate {
  campaign: string;
  /** "day": dated rows, modelled across days; "ad": undated rows (ads/segments), modelled across ads. */
  unit: Unit;
  /** Rows after summing rows that share a date. */
  units: number;
  /** First and last date (null for ads). */
  period: { start: string; end: string } | null;
  totals: { impressions: number; clicks: number; conversions: number; spend: number; revenue: number | null };
  /** Clicks / impressions, Jeffreys Beta posterior. */
  ctr: RateEstimate;
  /** Conversions / clicks, Jeffreys Beta posterior (fractional and capped flags inside). */
  conversionRate: RateEstimate;
  /** Conversion rate under the dataset prior, Beta(a + x, b + n - x); null without a prior. */
  shrunkConversionRate: BetaSummary | null;
  dispersion: DispersionFit;
  /**
   * The drifting rate's state after the last day, from which forecasts start (dated rows with at least
   * MIN_REFERENCE_DAYS days with clicks); null when forecasts use the fixed-rate model.
   */
  driftState: DriftState | null;
  severity: SeverityEstimate;
  forecast: ForecastParameters;
  /** Rolling one-step-ahead calibration (dated rows only; null for ads or when turned off). */
  calibration: CalibrationResult | null;
  /**
   * Noise band per unit. Dated rows: the one-step-ahead band the calibration scores (warm-up days marked `warmup`,
   * scored days marked `scored`; the share of scored days inside the 90% band is calibration.coverage90). Ads: the
   * in-sample band of the fixed-rate model fitted to all ads.
   */
  band: BandDay[];
  verdict: Verdict;
  /** Conditions a reader should know about, as stable codes. */
  flags: CampaignFlag[];
  /** Days younger than the lag curve's horizon (0 without a lag option, and for ads). */
  provisionalDays: number;
}

/**
 * "fractional-conversions": attribution fractions used as Beta pseudo-counts; "conversions-exceed-clicks":
 * view-through conversions, rate capped at 1; "no-clicks"; "no-conversions"; "single-unit": one day/ad, no
 * dispersion test; "counts-only": no revenue; "sigma-assumed": order-value spread assumed (sigma = 1);
 * "overdispersed": negative binomial in use.
 */
export type CampaignFlag =
  | "fractional-conversions"
  | "conversions-exceed-clicks"
  | "no-clicks"
  | "no-conversions"
  | "single-unit"
  | "counts-only"
  | "sigma-assumed"
  | "overdispersed";

/** The sum of `pick` over `xs`, by index (no array of the picked values, no iterator: called once or twice per
 * campaign, it never runs long enough to be optimised, and an unoptimised for-of allocates a result per element). */
function sumOf<T>(xs: readonly T[], pick: (x: T) => number): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += pick(xs[i] as T);
  return s;
}

/**
 * The rate model behind a forecast over `horizonDays` days: the drifting rate's current state with its drift over
 * the horizon mixed in (horizonRateModel) when there is one, else the fixed-rate model. estimateCampaign uses it for
 * its own horizon; lib/analysis calls it for the other horizons of the same estimate.
 * @param driftState - CampaignEstimate.driftState. @param fixed - the fitted fixed-rate model (with the dataset prior).
 * @param dispersion - the campaign's dispersion fit (CampaignEstimate.dispersion). @param horizonDays - >= 1.
 */
export function forecastRateModel(driftState: DriftState | null, fixed: RateModel, dispersion: DispersionFit, horizonDays: number): RateModel {
  return driftState ? horizonRateModel(driftState, horizonDays, dispersion) : fixed;
}

/**
 * Estimates one campaign: rates with Jeffreys posteriors (and the dataset-prior posterior when `options.prior` is
 * given), the dispersion test, order values, and for dated rows one pass of the drifting-rate filter (driftFilter)
 * that gives the rolling one-step-ahead calibration, the chart's band (the same one-step-ahead band), the state the
 * verdict judges the last days from, and the state the forecast for the horizon and budget starts from (with the
 * rate's drift over the horizon mixed in). Ads (undated rows) keep the fixed-rate model and an in-sample band.
 *
 * @param input - a CampaignInput (validated; rows sharing a date are summed; undated rows are ads).
 * @param options - CampaignOptions (validated; defaults: week horizon, default budget, 14-day warm-up, seed 1).
 * @throws RangeError naming the first invalid field (lib/engine/contract.ts wraps this entry for services).
 * @example estimateCampaign({ campaign: "A", days }).forecast.frequency // e.g. { kind: "negbin", r: 12.3, mean: 9.1 }
 */
export function estimateCampaign(input: CampaignInput, options: CampaignOptions = {}): CampaignEstimate {
  const data = parseOrThrow(CampaignInputSchema, input, "campaign");
  const opts = parseOrThrow(CampaignOptionsSchema, options, "options");
  return estimateValidated(data, normaliseRows(data.days), opts).estimate;
}

/** estimateCampaign on input and options already validated (estimateDataset validates the whole list once). */
function estimateValidated(
  data: CampaignInput,
  normalised: { unit: Unit; rows: readonly Readonly<DayRow>[] },
  opts: z.output<typeof CampaignOptionsSchema>,
): { estimate: CampaignEstimate; own: RateModel; completeRows: readonly Readonly<DayRow>[] } {
  const { unit, rows } = normalised;
  // Conversion lag: provisional days (F < 1) teach the rate as F x their clicks (see ./lag-band.ts).
  const lag = unit === "day" && opts.lag ? rowLag(rows, opts.lag) : null;
  const young = lag !== null && lag.provisional > 0;
  const learnRows = young ? scaleProvisional(rows, lag.fractions) : rows;
  const completeRows = young && lag.provisional < rows.length ? rows.filter((_, i) => (lag.fractions[i] as number) >= 1) : rows;
  // Impressions are unknown on some rows of some exports: the total and the CTR use only the rows that state them.
  let impressions = 0;
  let ctrClicks = 0;
  for (const r of data.days) {
    if (r.impressions === null) continue;
    impressions += r.impressions;
    ctrClicks += r.clicks;
  }
  let clicks = 0;
  let conversions = 0;
  let spend = 0;
  let revenueSum = 0;
  let anyRevenue = false;
  for (const r of rows) {
    clicks += r.clicks;
    conversions += r.conversions;
    spend += r.spend;
    if (r.revenue !== null) anyRevenue = true;
    revenueSum += r.revenue ?? 0;
  }
  const revenue = anyRevenue ? revenueSum : null;

  const units = completeRows.map((r) => ({ n: r.clicks, y: r.conversions }));
  const own = rateModel(units);
  const model = opts.prior ? rateModel(units, opts.prior, undefined, own.dispersion) : own;
  const conversionRate = ratePosterior(conversions, clicks);
  const severity = estimateSeverity(rows, data.orderValues);
  // Dated rows: one filtering pass gives the calibration, the chart's band, the verdict's state and the forecast's.
  // Provisional days are the last ones (ages count back from the as-of date): the calibration scores the days before.
  const scoreUntil = young ? rows.length - lag.provisional : rows.length;
  const drift = unit === "day" ? driftCalibration(learnRows, { warmupDays: opts.warmupDays, seed: opts.seed, scoreUntil }) : null;
  const daysWithClicks = completeRows.filter((r) => r.clicks > 0).length;
  const horizonDays = typeof opts.horizon === "number" ? opts.horizon : HORIZON_DAYS[opts.horizon];
  const driftState = drift && daysWithClicks >= MIN_REFERENCE_DAYS && drift.filter.state.b > 0 ? drift.filter.state : null;
  const forecastModel = forecastRateModel(driftState, model, own.dispersion, horizonDays);
  const forecast = forecastParameters(rows, unit, forecastModel, severity, {
    horizon: opts.horizon,
    budget: opts.budget,
    parameterUncertainty: opts.parameterUncertainty,
  });
  if (drift && forecastModel !== model) {
    const d = drift.filter.state;
    if (d.delta < 1) forecast.findings.push({ code: "drift", delta: d.delta });
  }
  const calibration = drift && opts.calibration ? drift.calibration : null;
  const size = opts.verdictWindow === "all" ? rows.length : opts.verdictWindow;
  const windowStart = Math.max(0, rows.length - size);
  const verdict = campaignVerdict(rows, {
    window: opts.verdictWindow,
    datasetPrior: opts.prior,
    state: drift?.filter.stateBefore(windowStart),
    calibration: drift?.calibration,
    completeness: lag?.fractions,
  });

  const flags: CampaignFlag[] = [];
  if (conversionRate.fractional || rows.some((r) => !Number.isInteger(r.conversions))) flags.push("fractional-conversions");
  if (rows.some((r) => r.conversions > r.clicks)) flags.push("conversions-exceed-clicks");
  if (clicks === 0) flags.push("no-clicks");
  if (conversions === 0) flags.push("no-conversions");
  if (rows.length === 1) flags.push("single-unit");
  if (severity.countsOnly) flags.push("counts-only");
  if (severity.sigmaAssumed) flags.push("sigma-assumed");
  if (own.dispersion.model === "negbin") flags.push("overdispersed");

  const first = rows[0]?.date;
  const last = rows[rows.length - 1]?.date;
  const estimate: CampaignEstimate = {
    campaign: data.campaign,
    unit,
    units: rows.length,
    period: unit === "day" && first && last ? { start: first, end: last } : null,
    totals: { impressions, clicks, conversions, spend, revenue },
    ctr: ratePosterior(ctrClicks, impressions),
    conversionRate,
    shrunkConversionRate: opts.prior
      ? betaSummary(opts.prior.a + Math.min(conversions, clicks), opts.prior.b + clicks - Math.min(conversions, clicks))
      : null,
    dispersion: own.dispersion,
    driftState,
    severity,
    forecast,
    calibration,
    band: [],
    verdict,
    flags,
    provisionalDays: lag?.provisional ?? 0,
  };
  // Dated rows: the calibration's band, built when first read (most of a dataset's bands are not).
  if (drift) lazyArray(estimate, "band", () => (lag ? lagBand(drift.band, rows, lag, drift.filter, drift.calibration.warmupDays) : drift.band));
  else estimate.band = noiseBand(rows, own);
  return { estimate, own, completeRows };
}

/** Everything estimated for a dataset's campaigns. */
export interface DatasetEstimate {
  /** One estimate per campaign, in input order, each using the shrinkage prior when there is one. */
  campaigns: CampaignEstimate[];
  /** The fitted Beta prior and every campaign's own and shrunk conversion rate. */
  shrinkage: { fit: BetaHyperFit; campaigns: ShrunkRate[] };
  /** Correlation of daily surprises across campaigns (dated campaigns only). */
  correlation: SurpriseCorrelation;
  /** Dataset totals' conversion rate (Jeffreys). */
  pooledConversionRate: RateEstimate;
}

/**
 * Estimates a dataset: fits the empirical-Bayes Beta prior to the campaigns' (conversions, clicks), estimates each
 * campaign with that prior (forecasts and shrunk rates use it; with one campaign there is no prior, said in
 * shrinkage.fit.finding), and estimates the correlation of daily surprises across campaigns.
 * @param campaigns - at least one CampaignInput (campaign names must be unique).
 * @throws RangeError naming the first invalid field (lib/engine/contract.ts wraps this entry for services).
 * @example estimateDataset([a, b, c]).correlation.estimate // e.g. 0.12
 */
export function estimateDataset(campaigns: CampaignInput[], options: DatasetOptions = {}): DatasetEstimate {
  // Valid input (every dataset read from the database) is checked by a plain loop; anything else goes through zod,
  // whose message names the first offending field.
  const valid =
    Array.isArray(campaigns) &&
    campaigns.length > 0 &&
    campaigns.every(isValidCampaignInput) &&
    new Set(campaigns.map((c) => c.campaign)).size === campaigns.length;
  const list = valid
    ? campaigns
    : parseOrThrow(
        z
          .array(CampaignInputSchema)
          .min(1, "a dataset needs at least one campaign")
          .refine((cs) => new Set(cs.map((c) => c.campaign)).size === cs.length, "campaign names must be unique"),
        campaigns,
        "dataset",
      );
  const opts = parseOrThrow(DatasetOptionsSchema, options, "options");
  const totals = list.map((c) => ({
    campaign: c.campaign,
    successes: sumOf(c.days, (d) => d.conversions),
    trials: sumOf(c.days, (d) => d.clicks),
  }));
  const shrinkage = shrinkRates(totals, opts.shrinkage);
  const prior = shrinkage.fit.method === "none" ? undefined : { a: shrinkage.fit.a, b: shrinkage.fit.b };
  const { budgets, shrinkage: _method, resamples, lagByCampaign, ...shared } = opts;
  const dated: { campaign: string; days: readonly Readonly<DayRow>[]; residuals: Map<string, number> }[] = [];
  const estimates = list.map((c) => {
    const normalised = normaliseRows(c.days);
    const { estimate, own, completeRows } = estimateValidated(c, normalised, {
      ...shared,
      budget: budgets?.[c.campaign],
      prior,
      ...(lagByCampaign?.[c.campaign] ? { lag: lagByCampaign[c.campaign] } : {}),
    });
    // Provisional days would all read low together across campaigns: the correlation uses complete days.
    if (normalised.unit === "day") dated.push({ campaign: c.campaign, days: completeRows, residuals: dailyResiduals(completeRows, own) });
    return estimate;
  });
  return {
    campaigns: estimates,
    shrinkage,
    correlation: surpriseCorrelation(dated, { seed: opts.seed, resamples }),
    pooledConversionRate: ratePosterior(
      sumOf(totals, (t) => t.successes),
      sumOf(totals, (t) => t.trials),
    ),
  };
}
