/**
 * Flat records (one object per table row, keyed by the column header) of every table and distribution the dashboard
 * shows, built from the analysis DTOs. The CSV and JSON downloads are made from these, so an export holds the same
 * rows as the screen, with full-precision numbers instead of rounded text. Pure: runs in the browser.
 *
 * Conventions: rates and probabilities are fractions (0.023, not 2.3%), amounts are in the dataset currency (named
 * in the header when known), missing values are null.
 */
import type {
  CampaignAnalysis,
  CampaignDetail,
  DailyPoint,
  DatasetAnalysis,
  HistogramPoint,
} from "@/lib/analysis/types";
import { sourceLabel } from "@/lib/format";
import { NeumaierAccumulator } from "@/lib/engine/numeric";

export type Cell = string | number | boolean | null;
export type ExportRecord = Record<string, Cell>;

/** " (USD)" or "" when the currency is unknown. */
export function unitSuffix(currency: string | null | undefined): string {
  return currency ? ` (${currency})` : "";
}

/** False when the file has no revenue (the forecast is then of conversions only; revenue figures are not shown). */
export const hasRevenue = (c: Pick<CampaignAnalysis, "orderValue">): boolean => c.orderValue.source !== "none";

const fin = (n: number | null | undefined): number | null => (typeof n === "number" && Number.isFinite(n) ? n : null);

/** Every campaign of an analysis: observed totals, rates, forecast over the horizon, risk, calibration, verdict. */
export function campaignRecords(a: Pick<DatasetAnalysis, "currency" | "horizon" | "unit" | "campaigns">): ExportRecord[] {
  const cur = unitSuffix(a.currency);
  const h = a.horizon;
  const unitCol = a.unit === "ad" ? "ads" : "days";
  return a.campaigns.map((c) => {
    const rev = hasRevenue(c);
    return {
    campaign: c.campaign,
    // the platforms whose rows the campaign's figures sum (a name in two platforms is one campaign)
    sources: c.sources.map(sourceLabel).join(" + "),
    [unitCol]: c.units,
    [`spend${cur}`]: fin(c.spend),
    impressions: fin(c.impressions),
    clicks: fin(c.clicks),
    conversions: fin(c.conversions),
    [`revenue${cur}`]: rev ? fin(c.revenue) : null,
    "conversion rate": fin(c.cvr.observed),
    "conversion rate (Jeffreys mean)": fin(c.cvr.mean),
    "conversion rate 5%": fin(c.cvr.lo90),
    "conversion rate 95%": fin(c.cvr.hi90),
    "conversion rate shrunk": fin(c.cvrShrunk.mean),
    "conversion rate shrunk 5%": fin(c.cvrShrunk.lo90),
    "conversion rate shrunk 95%": fin(c.cvrShrunk.hi90),
    [`budget per ${h}${cur}`]: fin(c.forecast.budget),
    [`expected clicks per ${h}`]: fin(c.forecast.clicks),
    [`expected conversions per ${h}`]: fin(c.forecast.conversions.mean),
    [`conversions per ${h} 5%`]: fin(c.forecast.conversions.q05),
    [`conversions per ${h} 95%`]: fin(c.forecast.conversions.q95),
    [`expected revenue per ${h}${cur}`]: rev ? fin(c.forecast.revenue.mean) : null,
    [`revenue per ${h} 5%${cur}`]: rev ? fin(c.forecast.revenue.q05) : null,
    [`revenue per ${h} 95%${cur}`]: rev ? fin(c.forecast.revenue.q95) : null,
    [`CV per ${h}`]: fin(c.forecast.cv),
    [`P(no conversion in a ${h})`]: fin(c.forecast.pZeroConversions),
    [`P(revenue below spend in a ${h})`]: fin(c.forecast.pLoss),
    "P(zero-sale day)": fin(c.forecast.pZeroDay),
    "P(losing week)": fin(c.forecast.pLosingWeek),
    "calibration days": fin(c.calibration.days),
    "90% band coverage": fin(c.calibration.coverage90),
    "80% band coverage": fin(c.calibration.coverage80),
    "50% band coverage": fin(c.calibration.coverage50),
    "dispersion model": c.dispersion.model,
    "dispersion phi": fin(c.dispersion.phi),
    verdict: c.verdict.label,
    "verdict p-value": fin(c.verdict.pValue),
    "verdict sentence": c.verdict.text,
    "daily revenue surprise volatility (annualized)": fin(c.coinVolatility),
    };
  });
}

/** The daily series of a campaign with the band the model expected given that day's clicks. */
export function dailyRecords(daily: readonly DailyPoint[], currency: string | null): ExportRecord[] {
  const cur = unitSuffix(currency);
  return daily.map((d) => ({
    date: d.date,
    clicks: fin(d.clicks),
    [`spend${cur}`]: fin(d.spend),
    conversions: fin(d.conversions),
    [`revenue${cur}`]: fin(d.revenue),
    "expected conversions": fin(d.expected),
    "band 5%": fin(d.lo90),
    "band 95%": fin(d.hi90),
    outside: d.outside ?? "",
    provisional: d.provisional ? "yes" : "",
    completeness: fin(d.completeness),
    "expected final conversions": fin(d.expectedFinal.mean),
    "final 5%": fin(d.expectedFinal.lo90),
    "final 95%": fin(d.expectedFinal.hi90),
  }));
}

/**
 * A distribution as rows of value, bin width, probability and cumulative probability (a compensated running sum,
 * so the last row reads 1 to within rounding of the bins themselves rather than drifting over thousands of bins).
 */
export function histogramRecords(points: readonly HistogramPoint[], valueHeader: string): ExportRecord[] {
  const sum = new NeumaierAccumulator();
  return points.map((p) => {
    sum.add(p.p);
    return { [valueHeader]: fin(p.x), "bin width": fin(p.width), probability: fin(p.p), cumulative: fin(sum.value) };
  });
}

/** The figures behind a campaign's forecast: calibration, dispersion, order values, rates, as label/value rows. */
export function figureRecords(c: CampaignAnalysis, currency: string | null): ExportRecord[] {
  const cur = unitSuffix(currency);
  const rows: [string, Cell, string][] = [
    ["calibration days", c.calibration.days, "days forecast one step ahead from the campaign's own past"],
    ["50% band coverage", fin(c.calibration.coverage50), "share of days inside the 50% band (ideal 0.5)"],
    ["80% band coverage", fin(c.calibration.coverage80), "share of days inside the 80% band (ideal 0.8)"],
    ["90% band coverage", fin(c.calibration.coverage90), "share of days inside the 90% band (ideal 0.9)"],
    ["ranked probability score", fin(c.calibration.rps), "lower is better"],
    ["dispersion model", c.dispersion.model, "binomial/poisson: days vary as chance predicts; negbin: more than chance"],
    ["dispersion phi", fin(c.dispersion.phi), "Pearson dispersion of daily conversions (1 = pure chance)"],
    ["dispersion p-value", fin(c.dispersion.pValue), "chance of a phi this large if the days varied by chance alone"],
    ["negative binomial r", fin(c.dispersion.r), "smaller r = more day-to-day swing"],
    ["order value source", c.orderValue.source, ""],
    [`mean order value${cur}`, fin(c.orderValue.mean), ""],
    ["order value sigma (log scale)", fin(c.orderValue.sigma), "spread of order values"],
    ["orders seen", fin(c.orderValue.count), ""],
    ["click-through rate", fin(c.ctr.observed), `90% interval ${fin(c.ctr.lo90) ?? ""}-${fin(c.ctr.hi90) ?? ""} (Jeffreys)`],
    ["conversion rate (raw)", fin(c.cvr.observed), `90% interval ${fin(c.cvr.lo90) ?? ""}-${fin(c.cvr.hi90) ?? ""} (Jeffreys)`],
    [
      "conversion rate (shrunk)",
      fin(c.cvrShrunk.mean),
      `90% interval ${fin(c.cvrShrunk.lo90) ?? ""}-${fin(c.cvrShrunk.hi90) ?? ""}`,
    ],
    ["fractional conversions", c.fractional, "attributed (fractional) conversions used as pseudo-counts"],
  ];
  return rows.map(([figure, value, note]) => ({ figure, value, note }));
}

/** The pooling summary: correlation estimate and the CV of one budget's share by pool size. */
export function poolingRecords(a: DatasetAnalysis): ExportRecord[] {
  const p = a.pooling;
  const r = a.rho;
  const rows: [string, Cell, string][] = [
    ["correlation rho", fin(r.estimate), `90% interval ${fin(r.lo) ?? ""}-${fin(r.hi) ?? ""}; ${r.method}`],
    ["correlation rho (unclamped)", fin(r.raw), `${r.pairs} campaign pairs over ${r.days} days`],
    [`CV of revenue per ${a.horizon}, one budget`, fin(p.cv1), "median campaign"],
    ["CV in a pool of 20", fin(p.cv20), "one budget's share"],
    ["CV in a pool of 1000", fin(p.cv1000), "one budget's share"],
    ["CV floor under correlation", fin(p.floorCv), "cv1 * sqrt(rho): no pool size goes below it"],
    ["pool size for a CV under 10%", p.kFor10pct, p.kFor10pct === null ? "unreachable at this correlation" : ""],
  ];
  return rows.map(([figure, value, note]) => ({ figure, value, note }));
}

/** The campaign as a coin: the annualized volatility of its daily revenue surprise next to reference coins. */
export function coinRecords(d: CampaignDetail): ExportRecord[] {
  return [
    {
      series: d.campaign,
      "annualized volatility": fin(d.coin.campaign),
      period: null,
      source: "daily revenue / (spend x revenue per unit of spend) - 1, from this dataset",
    },
    ...d.coin.references.map((r) => ({
      series: r.symbol,
      "annualized volatility": fin(r.annualizedVolatility),
      period: r.period,
      source: r.source,
    })),
  ];
}

/** The plain sentences of a campaign as rows. */
export function sentenceRecords(sentences: readonly string[]): ExportRecord[] {
  return sentences.map((s, i) => ({ n: i + 1, sentence: s }));
}
