import type { Horizon } from "./schemas";

/** A rate (CTR, conversion rate) with its 90% posterior interval. Fractions, not percent. */
export interface RateInterval {
  mean: number;
  lo90: number;
  hi90: number;
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
  /** within: inside the noise band; better / worse: outside it. */
  label: "within" | "better" | "worse";
  /** Plain-language sentence for a marketer. */
  text: string;
  /** Days (or ads) compared. */
  window: number;
  observed: number;
  expected: number;
  lo90: number;
  hi90: number;
  /** Two-sided tail probability of something at least this far from expected. */
  pValue: number;
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
  /** Days with data (or ads, for files without dates). */
  units: number;
  spend: number;
  impressions: number;
  clicks: number;
  conversions: number;
  revenue: number;
  /** True when conversions are fractional (attribution); rates then use them as pseudo-counts. */
  fractional: boolean;
  ctr: RateInterval;
  /** Conversion rate per click: raw (Jeffreys posterior) and shrunk across the dataset's campaigns. */
  cvr: RateInterval;
  cvrShrunk: RateInterval;
  /** Pearson dispersion of daily conversions given clicks; phi and pValue null when it cannot be tested. */
  dispersion: { model: "binomial" | "poisson" | "negbin"; phi: number | null; pValue: number | null; r?: number };
  orderValue: { source: "orders" | "daily-revenue" | "fallback" | "none"; mean: number; sigma: number | null; count: number };
  forecast: Forecast;
  /** Rolling one-step-ahead calibration; coverages null when no day could be scored (too little history, or ads). */
  calibration: { days: number; coverage50: number | null; coverage80: number | null; coverage90: number | null; rps: number | null };
  verdict: Verdict;
  /** Daily return on spend seen as a coin: annualised volatility (sqrt(365)), null without revenue. */
  coinVolatility: number | null;
  notes: string[];
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
  campaigns: CampaignAnalysis[];
  /** Correlation of campaigns' daily surprises (pooling rho), clamped to [0, 0.99]; raw is unclamped. */
  rho: { estimate: number; lo: number; hi: number; raw: number; pairs: number; days: number; method: string };
  shrinkage: { applied: boolean; a: number; b: number; note: string };
  pooling: PoolingSummary;
  notes: string[];
}

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
  outside: "above" | "below" | null;
}

/** A distribution as chart points: value (count or currency) and probability of the bin. */
export interface HistogramPoint {
  x: number;
  /** Bin width in x units (1 for counts). */
  width: number;
  p: number;
}

export interface CampaignDetail {
  datasetId: number;
  campaign: string;
  currency: string | null;
  analysis: CampaignAnalysis;
  daily: DailyPoint[];
  conversionsDist: HistogramPoint[];
  revenueDist: HistogramPoint[];
  /** Plain sentences describing the forecast. */
  sentences: string[];
  coin: {
    campaign: number | null;
    references: { symbol: string; annualizedVolatility: number; period: string; source: string }[];
  };
}
