import type { Horizon } from "./schemas";

/** A rate (CTR, conversion rate) with its 90% posterior interval. Fractions, not percent. */
export interface RateInterval {
  mean: number;
  lo90: number;
  hi90: number;
}

/**
 * A rate seen in the rows with its interval: `observed` is the plain ratio (conversions / clicks, clicks /
 * impressions), null when the denominator is 0; `mean` is the Jeffreys posterior mean, which differs from it for
 * small counts (0 of 2 clicks: observed 0, mean 16.7%; no clicks at all: observed null, mean 50%).
 */
export interface ObservedRate extends RateInterval {
  observed: number | null;
}

/** Summary of a distribution: mean, sd and quantiles (counts or currency). */
export interface DistSummary {
  mean: number;
  sd: number;
  q05: number;
  q50: number;
  q95: number;
}

export interface Verdict {
  /**
   * within: inside the noise band; better / worse: outside it; poor-fit: the campaign's own one-day-ahead 90% band
   * held on too few or too many of its days (outside 80-97%), so no verdict is given and no p-value shown.
   */
  label: "within" | "better" | "worse" | "poor-fit";
  /** Plain-language sentence for a marketer. */
  text: string;
  /** Days (or ads) compared. */
  window: number;
  observed: number;
  expected: number;
  lo90: number;
  hi90: number;
  /** Two-sided tail probability of something at least this far from expected; null when the model does not fit. */
  pValue: number | null;
}

export interface Forecast {
  horizon: Horizon;
  horizonDays: number;
  /** Spend over the horizon (currency). */
  budget: number;
  /** Expected clicks bought by that budget. */
  clicks: number;
  conversions: DistSummary;
  revenue: DistSummary;
  /** P(no conversion over the horizon). */
  pZeroConversions: number;
  /** P(revenue < budget) over the horizon; null when the file has no revenue. */
  pLoss: number | null;
  /** Coefficient of variation of revenue (of conversions when the file has no revenue) over the horizon. */
  cv: number | null;
  /** At the current daily spend: P(a day with no sale) and P(a week whose revenue is below its spend). */
  pZeroDay: number;
  pLosingWeek: number | null;
}

export interface CampaignAnalysis {
  campaign: string;
  /** The sources (platforms, db/schema.ts SOURCES keys) the campaign has live rows of in the dataset, whatever the filter. */
  sources: string[];
  /** Days with data (or ads, for files without dates). */
  units: number;
  spend: number;
  impressions: number;
  clicks: number;
  conversions: number;
  revenue: number;
  /** True when conversions are fractional (attribution); rates then use them as pseudo-counts. */
  fractional: boolean;
  ctr: ObservedRate;
  /** Conversion rate per click: raw (observed, with its Jeffreys posterior) and shrunk across the dataset's campaigns. */
  cvr: ObservedRate;
  cvrShrunk: RateInterval;
  /** Pearson dispersion of daily conversions given clicks; phi and pValue null when it cannot be tested. */
  dispersion: { model: "binomial" | "poisson" | "negbin"; phi: number | null; pValue: number | null; r?: number };
  orderValue: { source: "orders" | "daily-revenue" | "fallback" | "none"; mean: number; sigma: number | null; count: number };
  forecast: Forecast;
  /** Rolling one-step-ahead calibration; coverages null when no day could be scored (too little history, or ads). */
  calibration: { days: number; coverage50: number | null; coverage80: number | null; coverage90: number | null; rps: number | null };
  verdict: Verdict;
  /** Daily return on spend seen as a coin: annualized volatility (sqrt(365)), null without revenue. */
  coinVolatility: number | null;
  /** What the campaign's rows cover when each is a multi-day period (a report with one row for 27 Jan-23 Feb). */
  rowSpan?: RowSpan | null;
  /** Days younger than the lag curve's horizon: provisional, judged on what has arrived so far. */
  provisionalDays: number;
  notes: string[];
}

/**
 * The period rows cover when a file has one row per campaign (or ad) for a multi-day period instead of one per day:
 * such a row is `days` days of data, so per-day figures divide by the days covered.
 */
export interface RowSpan {
  /** Days one row covers (the mean over distinct periods when they differ). */
  days: number;
  /** Days all the rows cover together (their union: segments of one period count it once). */
  coveredDays: number;
  /** First and last day covered (ISO dates). */
  start: string;
  end: string;
  /** Distinct periods among the rows. */
  periods: number;
}

export interface PoolingSummary {
  /** CV of one budget's revenue over the horizon, solo (median campaign); null when it cannot be computed. */
  cv1: number | null;
  rho: number;
  /** CV floor under correlation: cv1 * sqrt(rho). */
  floorCv: number | null;
  /** CV of one budget's share in a pool of 20 and 1000. */
  cv20: number | null;
  cv1000: number | null;
  /** Pool size giving a CV under 10%, or null when correlation makes it unreachable. */
  kFor10pct: number | null;
}

export interface DatasetAnalysis {
  datasetId: number;
  name: string;
  currency: string | null;
  /** "day" for dated files; "ad" for ad-level files without dates (modelled across ads). */
  unit: "day" | "ad";
  horizon: Horizon;
  horizonDays: number;
  period: { start: string; end: string } | null;
  /** What the rows cover when they are multi-day periods (null for daily rows and for ads without dates). */
  rowSpan?: RowSpan | null;
  campaigns: CampaignAnalysis[];
  /** Correlation of campaigns' daily surprises (pooling rho), clamped to [0, 0.99]; raw is unclamped. */
  rho: { estimate: number; lo: number; hi: number; raw: number; pairs: number; days: number; method: string };
  shrinkage: { applied: boolean; a: number; b: number; note: string };
  pooling: PoolingSummary;
  /** Conversion lag: the completeness curve used and where it comes from. */
  lag: LagSummary;
  /** The flags across campaigns: how many chance explains, and which survive the false discovery rate. */
  multipleTesting: MultipleTesting;
  /** The source the figures are filtered to (a SOURCES key), or null for all of them. */
  source: string | null;
  /** The dataset's live figures per source (all sources, whatever the filter), in source-key order. */
  sources: SourceSummary[];
  notes: string[];
}

/** One source's line of the "By source" table. */
export interface SourceSummary {
  /** SOURCES key, e.g. "meta_ads", and its label, e.g. "Meta". */
  source: string;
  label: string;
  /** Counts (conversions may be fractional). */
  clicks: number;
  conversions: number;
  /** conversions / clicks; null without clicks. */
  conversionRate: number | null;
  /** Currency amounts in the dataset's currency; revenue null when no row states it. */
  spend: number;
  revenue: number | null;
  campaigns: number;
  /** Distinct days with rows (0 for undated files). */
  days: number;
}

/** Flags across a dataset's campaigns held to a false discovery rate (lib/analysis/multiple-testing.ts). */
export interface MultipleTesting {
  /** Campaigns with a verdict p-value (a poor fit has none). */
  judged: number;
  /** Campaigns whose verdict is better or worse (a tail below 5% in either direction). */
  flagged: number;
  /** Flags noise alone gives at most: judged x 0.1. */
  expectedByChance: number;
  /** The false discovery rate of the Benjamini-Hochberg step-up (0.1). */
  fdrLevel: number;
  /** Flagged campaigns that survive it. */
  survivors: string[];
  /** The largest p-value kept, or null when none is. */
  threshold: number | null;
  /** The same in one sentence. */
  text: string;
}

/**
 * The campaign table's part of an analysis (GET /api/datasets/:id/analysis?part=summary): every field of
 * DatasetAnalysis except the correlation, shrinkage and pooling summary. `calibrated` false: the campaigns'
 * calibration fields are empty (days 0, coverages null) because the rolling calibration was not run for it.
 */
export type DatasetSummary = Omit<DatasetAnalysis, "rho" | "shrinkage" | "pooling"> & { part: "summary"; calibrated: boolean };

/** What the campaign table reads of an analysis: a DatasetSummary or a DatasetAnalysis both give it. */
export type CampaignTableData = Pick<
  DatasetAnalysis,
  "datasetId" | "name" | "currency" | "unit" | "horizon" | "horizonDays" | "campaigns" | "source" | "sources"
>;

/** One day of a campaign with the band the model expected given that day's clicks. */
export interface DailyPoint {
  date: string;
  clicks: number;
  spend: number;
  conversions: number;
  revenue: number | null;
  expected: number;
  lo90: number;
  hi90: number;
  /** Outside the one-day-ahead 90% band; null inside it and on warm-up days (which are not judged). */
  outside: "above" | "below" | null;
  /**
   * True for a day forecast from the days before it and counted in the calibration (coverage90 is the share of these
   * inside their band); false for the first days, drawn with the first forecast's band but not judged.
   */
  scored: boolean;
  /** Younger than the lag curve's horizon: its band is that of the sales arrived so far (thinned by completeness). */
  provisional: boolean;
  /** Share of the day's final sales arrived by now, F(age) (1 for a day taken as complete). */
  completeness: number;
  /** The day's final count given what has arrived: mean and 90% range (the count itself for a complete day). */
  expectedFinal: { mean: number; lo90: number; hi90: number };
}

/**
 * One bin of a distribution drawn as a histogram (lib/analysis/histogram.ts makes them): the bin covers
 * [x - width/2, x + width/2) and holds probability p. Charts draw it from x - width/2 to x + width/2.
 */
export interface HistogramPoint {
  /** The bin's centre, in the outcome's unit (a count, a currency amount, a log return). Never its left edge. */
  x: number;
  /** Full bin width in x units (1 for single counts). */
  width: number;
  /** Probability of the outcomes inside the bin. */
  p: number;
}

export interface CampaignDetail {
  datasetId: number;
  campaign: string;
  /** The source the figures are filtered to (a SOURCES key), or null for all of them. */
  source: string | null;
  currency: string | null;
  /** The dataset analysis's unit: "ad" also for rows that each cover a period (a campaign report), not only undated ads. */
  unit: "day" | "ad";
  analysis: CampaignAnalysis;
  daily: DailyPoint[];
  conversionsDist: HistogramPoint[];
  revenueDist: HistogramPoint[];
  /** Plain sentences describing the forecast. */
  sentences: string[];
  /** The conversion-lag curve the daily series was judged with (the dataset analysis's own). */
  lag: LagSummary;
  coin: {
    campaign: number | null;
    references: { symbol: string; annualizedVolatility: number; period: string; source: string }[];
  };
}

/** A learned completeness curve's parameters and what it was learned from. */
export interface LagLearned {
  /** The exponential delay rate k (per day) and its 90% interval (for an empirical curve: the k with its share within d days). */
  k: number;
  kLo90: number;
  kHi90: number;
  /** Exports: conversions at the older readings of the pairs; report: conversions in its buckets. */
  observations: number;
  /** Exports: conversions seen arriving between two readings; uploads that gave a reading. */
  grown?: number;
  exports?: number;
  /** Report: "exponential" (the fitted family) or "empirical" (its own shares, interpolated: the family fitted badly). */
  method?: "exponential" | "empirical";
  fileName?: string;
}

/** How conversion lag was taken into account (GET .../analysis and `analyze --json`: `lag`). */
export interface LagSummary {
  /**
   * Where the curve comes from, in precedence order: "setting" (the query's q@d), "report" (the dataset's time-lag
   * report), "exports" (learned from its successive exports), "default" (90% within 7 days); "none": lag turned off,
   * or no dates.
   */
  source: "setting" | "report" | "exports" | "default" | "none";
  /** The share q arrived within d days (a learned curve's implied one; null for "none"). */
  setting: { q: number; d: number } | null;
  /** For "report" and "exports": the learned parameters and the observations behind them; else null. */
  learned: LagLearned | null;
  /**
   * The date ages are counted from (null without dates): the query's asOf, else the later of the dataset's newest date
   * and the day before its upload (see lib/analysis/as-of.ts).
   */
  asOf: string | null;
  asOfSource: "query" | "newest-date" | "upload";
  /** Days younger than this are provisional (their completeness is below 0.99); 0 for "none". */
  horizon: number;
  /**
   * Age in days of the rows' newest date, counted from asOf (0 when asOf is that date; null without dates): that day
   * holds completeness[newestAge] of its final conversions, and no day is provisional when it is >= horizon.
   */
  newestAge: number | null;
  /** F(age) for ages 0 .. horizon, with its 90% interval (equal to F for a setting). */
  completeness: { age: number; fraction: number; lo90: number; hi90: number }[];
  /** Campaigns with a curve of their own (from the same source, where they alone have enough information). */
  campaigns: { campaign: string; horizon: number; learned: LagLearned; completeness: { age: number; fraction: number; lo90: number; hi90: number }[] }[];
  /** One plain sentence: where the curve comes from ("learned from 12 exports of this dataset"). */
  sentence: string;
  /** The same with the setting, the as-of date and the provisional days. */
  note: string;
}
