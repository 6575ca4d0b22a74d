import "server-only";
import type { Db } from "@/db/client";
import { getDatasetRow, getObservations, getOrderValues } from "@/db/queries";
import { campaignAsCoin } from "@/lib/engine/coins";
import { estimateDataset, type CampaignEstimate, type CampaignInput, type DatasetEstimate, type DayRow } from "@/lib/engine/estimate";
import { cvCurve, poolSizeForCv } from "@/lib/engine/pool";
import { AppError } from "@/lib/errors";
import type { ImportSummary } from "@/lib/ingest/types";
import { outcomeDistribution, probabilityOfZero, summarise } from "./distributions";
import { HORIZON_DAYS, type AnalysisQuery } from "./schemas";
import type { CampaignAnalysis, DatasetAnalysis, PoolingSummary, Verdict } from "./types";

/** What one analysis computed, kept so the campaign page can reuse the estimates without redoing them. */
export interface AnalysisRun {
  result: DatasetAnalysis;
  inputs: CampaignInput[];
  estimate: DatasetEstimate;
}

const CACHE_MAX = 64;
const cache = new Map<string, AnalysisRun>();

function remember(key: string, run: AnalysisRun): AnalysisRun {
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, run);
  return run;
}

/**
 * A campaign's rows as the estimator wants them: rows of one campaign and date are summed (segments), undated
 * rows (ad-level files, or a file with one row per campaign for a multi-day period) stay one unit each.
 */
export function campaignInputs(db: Db, datasetId: number): CampaignInput[] {
  const obs = getObservations(db, datasetId);
  const byCampaign = new Map<string, Map<string, DayRow> | DayRow[]>();
  for (const o of obs) {
    const date = o.periodStart && o.periodStart === o.periodEnd ? o.periodStart : null;
    const row: DayRow = {
      date,
      impressions: o.impressions,
      clicks: o.clicks,
      conversions: o.conversions,
      spend: o.spend,
      revenue: o.revenue,
    };
    let slot = byCampaign.get(o.campaign);
    if (!slot) {
      slot = date === null ? [] : new Map<string, DayRow>();
      byCampaign.set(o.campaign, slot);
    }
    if (Array.isArray(slot)) {
      slot.push({ ...row, date: null });
    } else if (date === null) {
      // A campaign mixing dated and undated rows: keep the dated ones (undated rows are period totals).
      continue;
    } else {
      const prev = slot.get(date);
      if (!prev) slot.set(date, row);
      else {
        prev.impressions =
          prev.impressions === null && row.impressions === null ? null : (prev.impressions ?? 0) + (row.impressions ?? 0);
        prev.clicks += row.clicks;
        prev.conversions += row.conversions;
        prev.spend += row.spend;
        prev.revenue = prev.revenue === null && row.revenue === null ? null : (prev.revenue ?? 0) + (row.revenue ?? 0);
      }
    }
  }
  const names = [...byCampaign.keys()];
  const orders = getOrderValues(db, datasetId, names);
  return names.map((campaign) => {
    const slot = byCampaign.get(campaign)!;
    const days = Array.isArray(slot) ? slot : [...slot.values()].sort((a, b) => (a.date! < b.date! ? -1 : 1));
    const values = orders.get(campaign);
    return values && values.length > 0 ? { campaign, days, orderValues: values } : { campaign, days };
  });
}

function verdictOf(e: CampaignEstimate, unitLabel: string): Verdict {
  const v = e.verdict;
  const label = v.verdict === "insufficient" ? "within" : v.verdict;
  const window = v.window.units;
  const tail = v.tailProbability ?? 1;
  return {
    label,
    text:
      v.verdict === "insufficient"
        ? `Not enough history to judge the last ${window} ${unitLabel}s yet; nothing stands out.`
        : v.message,
    window,
    observed: v.window.conversions,
    expected: v.expected ?? v.window.conversions,
    lo90: v.lo90 ?? 0,
    hi90: v.hi90 ?? 0,
    pValue: Math.min(1, 2 * tail),
  };
}

const NOTE_TEXT: Record<string, string> = {
  "fractional-conversions": "Conversions are fractional (attribution); they are used as fractional counts.",
  "conversions-exceed-clicks": "Some rows have more conversions than clicks (view-through conversions); the rate is capped at 1.",
  "no-clicks": "No clicks recorded: rates cannot be estimated.",
  "no-conversions": "No conversions yet: the rate estimate rests on the prior.",
  "single-unit": "Only one row: no dispersion test is possible.",
  "counts-only": "No revenue in the file: outcomes are counted in conversions, not money.",
  "sigma-assumed": "Too few days with sales to measure how order values vary; a typical spread (lognormal sigma 1) is assumed.",
  overdispersed: "Daily conversions vary more than clicks explain: a negative binomial model is used.",
};

function analyseCampaign(
  e: CampaignEstimate,
  input: CampaignInput,
  weekly: CampaignEstimate | undefined,
  daily: CampaignEstimate | undefined,
  unitLabel: string,
  q: AnalysisQuery,
  horizonDays: number,
): CampaignAnalysis {
  const f = e.forecast;
  const counts = outcomeDistribution(f.frequency, f.severity, { counts: true });
  const revenueDist = e.severity.countsOnly ? counts : outcomeDistribution(f.frequency, f.severity);
  const conversions = summarise(counts);
  const revenue = summarise(revenueDist);
  // A week at the current daily spend: P(revenue < spend).
  const week = weekly ?? e;
  const weekRevenue = week === e ? revenueDist : outcomeDistribution(week.forecast.frequency, week.forecast.severity);
  const pLosingWeek = e.severity.countsOnly ? null : weekRevenue.probBelow(week.forecast.budget);
  const coin = campaignAsCoin(input.days);
  const rate = e.conversionRate;
  const shrunk = e.shrunkConversionRate;
  const cal = e.calibration;
  return {
    campaign: e.campaign,
    units: e.units,
    spend: e.totals.spend,
    impressions: e.totals.impressions,
    clicks: e.totals.clicks,
    conversions: e.totals.conversions,
    revenue: e.totals.revenue ?? 0,
    fractional: e.flags.includes("fractional-conversions"),
    ctr: { mean: e.ctr.mean, lo90: e.ctr.lo90, hi90: e.ctr.hi90 },
    cvr: { mean: rate.mean, lo90: rate.lo90, hi90: rate.hi90 },
    cvrShrunk: shrunk ? { mean: shrunk.mean, lo90: shrunk.lo90, hi90: shrunk.hi90 } : { mean: rate.mean, lo90: rate.lo90, hi90: rate.hi90 },
    dispersion: {
      model: e.dispersion.model,
      phi: e.dispersion.phi,
      pValue: e.dispersion.pValue,
      ...(e.dispersion.r !== undefined ? { r: e.dispersion.r } : {}),
    },
    orderValue: {
      source:
        e.severity.source === "orders"
          ? "orders"
          : e.severity.source === "daily-aov"
            ? "daily-revenue"
            : e.severity.source === "counts-only"
              ? "none"
              : "fallback",
      mean: e.severity.mean,
      sigma: e.severity.lognormal?.sigma ?? null,
      count: e.severity.used,
    },
    forecast: {
      horizon: q.horizon,
      horizonDays,
      budget: f.budget,
      clicks: f.expectedClicks,
      conversions,
      revenue,
      pZeroConversions: counts.pZero,
      pLoss: e.severity.countsOnly ? null : revenueDist.probBelow(f.budget),
      cv: revenue.mean > 0 ? revenue.sd / revenue.mean : null,
      pZeroDay: probabilityOfZero((daily ?? e).forecast.frequency),
      pLosingWeek,
    },
    calibration: {
      days: cal?.days ?? 0,
      coverage50: cal?.coverage50 ?? null,
      coverage80: cal?.coverage80 ?? null,
      coverage90: cal?.coverage90 ?? null,
      rps: cal?.meanRps ?? null,
    },
    verdict: verdictOf(e, unitLabel),
    coinVolatility: coin.stats ? coin.stats.annualisedVolatility : null,
    notes: e.flags.map((fl) => NOTE_TEXT[fl] ?? fl),
  };
}

function median(xs: (number | null)[]): number | null {
  const s = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function poolingSummary(cv1: number | null, rho: number): PoolingSummary {
  if (cv1 === null || !(cv1 > 0)) return { cv1, rho, floorCv: null, cv20: null, cv1000: null, kFor10pct: null };
  const curve = cvCurve(cv1, rho, 1000);
  const answer = poolSizeForCv(cv1, rho, 0.1);
  return {
    cv1,
    rho,
    floorCv: cv1 * Math.sqrt(rho),
    cv20: curve[19] as number,
    cv1000: curve[999] as number,
    kFor10pct: answer.reachable ? answer.k : null,
  };
}

/**
 * Runs the whole analysis of a dataset (estimation, forecasts, calibration, correlation, pooling) and keeps the
 * result in a small in-memory cache keyed by the dataset's id and import time and the query.
 */
export function runAnalysis(db: Db, datasetId: number, q: AnalysisQuery): AnalysisRun {
  return computeAnalysis(db, datasetId, q, true);
}

/** The analysis itself; `useCache` false always recomputes (benchmarks). */
export function computeAnalysis(db: Db, datasetId: number, q: AnalysisQuery, useCache = false): AnalysisRun {
  const row = getDatasetRow(db, datasetId);
  if (!row || row.status !== "ready") throw new AppError("not_found", `No dataset with id ${datasetId}.`);
  const summary = JSON.parse(row.summaryJson) as ImportSummary;
  if (summary.kind === "orders") {
    throw new AppError(
      "invalid_query",
      "This dataset is an order list: its order values feed the campaigns of the same names in your performance datasets. Open one of those for forecasts.",
    );
  }
  const key = `${datasetId}:${row.createdAt}:${row.sha256}:${q.horizon}:${q.budget ?? ""}`;
  const hit = useCache ? cache.get(key) : undefined;
  if (hit) return hit;

  const inputs = campaignInputs(db, datasetId);
  if (inputs.length === 0) throw new AppError("not_found", `Dataset ${datasetId} has no rows to analyse.`);
  const horizonDays = HORIZON_DAYS[q.horizon];
  const budgets = q.budget ? Object.fromEntries(inputs.map((c) => [c.campaign, q.budget!])) : undefined;
  const estimate = estimateDataset(inputs, { horizon: q.horizon, budgets, seed: 1 });
  const weekly = q.horizon === "week" && !q.budget ? undefined : estimateDataset(inputs, { horizon: "week", calibration: false, seed: 1 });
  const daily = q.horizon === "day" && !q.budget ? undefined : estimateDataset(inputs, { horizon: "day", calibration: false, seed: 1 });
  const unit = estimate.campaigns[0]?.unit ?? "day";
  const unitLabel = unit === "day" ? "day" : "ad";

  const campaigns = estimate.campaigns.map((e, i) =>
    analyseCampaign(e, inputs[i]!, weekly?.campaigns[i], daily?.campaigns[i], unitLabel, q, horizonDays),
  );
  const corr = estimate.correlation;
  const rhoEstimate = corr.estimate ?? 0;
  const cv1 = median(campaigns.map((c) => c.forecast.cv));
  const fit = estimate.shrinkage.fit;
  const notes: string[] = [];
  if (unit === "ad") {
    const oneRowEach = estimate.campaigns.every((c) => c.units === 1);
    const span = row.periodStart && row.periodEnd ? ` (${row.periodStart} to ${row.periodEnd})` : "";
    notes.push(
      oneRowEach
        ? `This report has one row per campaign for its whole period${span}: forecasts are for the same spend over a period like it, and the horizon does not apply. Export it by day for day-to-day figures.`
        : "This file has no dates: figures are across ads (each row is one ad or segment), not across days; forecasts are for the spend you set, spread like the ads in the file.",
    );
  }
  if (corr.estimate === null) notes.push(corr.note);
  const result: DatasetAnalysis = {
    datasetId,
    name: row.name,
    currency: row.currency,
    unit,
    horizon: q.horizon,
    horizonDays,
    period: row.periodStart && row.periodEnd ? { start: row.periodStart, end: row.periodEnd } : null,
    campaigns,
    rho: {
      estimate: rhoEstimate,
      lo: corr.lo ?? 0,
      hi: corr.hi ?? 0,
      raw: corr.raw.estimate ?? 0,
      pairs: corr.pairs,
      days: corr.days,
      method: corr.method,
    },
    shrinkage: { applied: fit.method !== "none", a: fit.a, b: fit.b, note: fit.note },
    pooling: poolingSummary(cv1, rhoEstimate),
    notes,
  };
  const run = { result, inputs, estimate };
  return useCache ? remember(key, run) : run;
}

/** GET /api/datasets/:id/analysis and `cli analyze`: the dataset's analysis as plain JSON. */
export function analyzeDataset(db: Db, datasetId: number, q: AnalysisQuery): DatasetAnalysis {
  return runAnalysis(db, datasetId, q).result;
}
