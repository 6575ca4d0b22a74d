import type { CampaignAnalysis, CampaignDetail, DatasetAnalysis } from "@/lib/analysis/types";

/** A hand-made campaign analysis with round numbers (not model output): for testing how exports lay figures out. */
export function campaign(name: string, over: Partial<CampaignAnalysis> = {}): CampaignAnalysis {
  return {
    campaign: name,
    sources: ["other"],
    units: 30,
    spend: 1500,
    impressions: 60000,
    clicks: 3000,
    conversions: 60,
    revenue: 4800,
    fractional: false,
    ctr: { observed: 0.05, mean: 0.05, lo90: 0.048, hi90: 0.052 },
    cvr: { observed: 0.02, mean: 0.0202, lo90: 0.016, hi90: 0.025 },
    cvrShrunk: { mean: 0.021, lo90: 0.017, hi90: 0.025 },
    dispersion: { model: "poisson", phi: 1.1, pValue: 0.3 },
    orderValue: { source: "orders", mean: 80, sigma: 0.5, count: 60 },
    forecast: {
      horizon: "week",
      horizonDays: 7,
      budget: 350,
      clicks: 700,
      conversions: { mean: 14, sd: 3.8, q05: 8, q50: 14, q95: 21 },
      revenue: { mean: 1120, sd: 350, q05: 590, q50: 1100, q95: 1730 },
      pZeroConversions: 8.3e-7,
      pLoss: 0.002,
      cv: 0.3125,
      pZeroDay: 0.135,
      pLosingWeek: 0.002,
    },
    calibration: { days: 23, coverage50: 0.52, coverage80: 0.78, coverage90: 0.913, rps: 0.9 },
    verdict: { label: "within", text: "Inside the noise band.", window: 30, observed: 60, expected: 61, lo90: 48, hi90: 74, pValue: 0.9 },
    coinVolatility: 4.2,
    provisionalDays: 0,
    notes: [],
    ...over,
  };
}

export function analysis(over: Partial<DatasetAnalysis> = {}): DatasetAnalysis {
  return {
    datasetId: 7,
    name: "Shop",
    currency: "USD",
    unit: "day",
    horizon: "week",
    horizonDays: 7,
    period: { start: "2026-01-01", end: "2026-01-30" },
    campaigns: [campaign("Brand"), campaign("=cmd", { verdict: { label: "worse", text: "Below.", window: 30, observed: 20, expected: 40, lo90: 30, hi90: 50, pValue: 0.001 } })],
    rho: { estimate: 0.05, lo: 0.01, hi: 0.12, raw: 0.05, pairs: 1, days: 30, method: "pairwise Pearson" },
    shrinkage: { applied: true, a: 2, b: 98, note: "" },
    pooling: { cv1: 0.3, rho: 0.05, floorCv: 0.067, cv20: 0.095, cv1000: 0.068, kFor10pct: 18 },
    lag: { source: "none", setting: null, learned: null, asOf: "2026-01-30", asOfSource: "newest-date", horizon: 0, newestAge: 0, completeness: [], campaigns: [], sentence: "Conversion lag is off.", note: "Conversion lag is off." },
    multipleTesting: { judged: 0, flagged: 0, expectedByChance: 0, fdrLevel: 0.1, survivors: [], threshold: null, text: "" },
    source: null,
    sources: [],
    notes: [],
    ...over,
  };
}

export function detail(): CampaignDetail {
  const a = campaign("Brand");
  return {
    datasetId: 7,
    campaign: "Brand",
    source: null,
    currency: "USD",
    unit: "day",
    analysis: a,
    daily: [
      { date: "2026-01-01", clicks: 100, spend: 50, conversions: 2, revenue: 160, expected: 2.1, lo90: 0, hi90: 5, outside: null, scored: true, provisional: false, completeness: 1, expectedFinal: { mean: 2, lo90: 2, hi90: 2 } },
      { date: "2026-01-02", clicks: 90, spend: 45, conversions: 9, revenue: null, expected: 1.9, lo90: 0, hi90: 4, outside: "above", scored: true, provisional: false, completeness: 1, expectedFinal: { mean: 9, lo90: 9, hi90: 9 } },
    ],
    conversionsDist: [
      { x: 0, width: 1, p: 0.25 },
      { x: 1, width: 1, p: 0.5 },
      { x: 2, width: 1, p: 0.25 },
    ],
    revenueDist: [],
    sentences: ["One.", "Two."],
    lag: { source: "none", setting: null, learned: null, asOf: "2026-01-02", asOfSource: "newest-date", horizon: 0, newestAge: 0, completeness: [], campaigns: [], sentence: "Conversion lag is off.", note: "Conversion lag is off." },
    coin: {
      campaign: 4.2,
      references: [
        { symbol: "BTC", annualizedVolatility: 0.55, period: "2025-01-01 to 2025-12-31", source: "Yahoo Finance BTC-USD" },
        { symbol: "USDC", annualizedVolatility: 0.01, period: "2025-01-01 to 2025-12-31", source: "Yahoo Finance USDC-USD" },
      ],
    },
  };
}
