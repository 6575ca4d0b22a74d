import "server-only";
import type { Db } from "@/db/client";
import { getCampaignSources, getDatasetRow, getObservationsByCampaign, getOrderValues, revisionKey } from "@/db/queries";
import { campaignAsCoin } from "@/lib/engine/coins";
import { estimateDataset } from "@/lib/engine/contract";
import {
  forecastParameters,
  forecastRateModel,
  normaliseRows,
  rateModel,
  type CampaignEstimate,
  type CampaignInput,
  type DatasetEstimate,
  type DayRow,
  type ForecastParameters,
  type RateModel,
} from "@/lib/engine/estimate";
import type { LatticeDistribution } from "@/lib/engine/lattice";
import { cvCurve, poolSizeForCv } from "@/lib/engine/pool";
import { AppError } from "@/lib/errors";
import { formatFixed, plural } from "@/lib/format";
import type { ImportSummary } from "@/lib/types/ingest";
import { cacheNamespace } from "./cache";
import { resolveLag } from "./lag";
import { observationDays } from "./observation-days";
import { datasetSources, resolveSource, singleSourceSummary, sourceSummaries } from "./sources";
import { learnedLag, newestUploadAt } from "./lag-learn";
import { correlationNote, shrinkageNote, verdictMessage } from "./messages";
import { multipleTesting } from "./multiple-testing";
import { outcomeDistribution, probabilityOfZero, summarise } from "./distributions";
import { HORIZON_DAYS, type AnalysisQuery } from "./schemas";
import type { CampaignAnalysis, DatasetAnalysis, DatasetSummary, PoolingSummary, RowSpan, Verdict } from "./types";

/** What one analysis computed, kept so the campaign page can reuse the estimates without redoing them. */
export interface AnalysisRun {
  result: DatasetAnalysis;
  inputs: CampaignInput[];
  estimate: DatasetEstimate;
}

/** Whole analyzes (with the estimates the campaign pages reuse), keyed by data revision, dataset and query. */
const analyzes = cacheNamespace<AnalysisRun>("analysis", 32);
/** The campaign table's part alone (part=summary), same keys. */
const summaries = cacheNamespace<DatasetSummary>("analysis-summary", 64);

/** Cache key of an analysis: the global data revision (bumped by every write), the dataset and the query (with its source). */
export function analysisKey(db: Db, datasetId: number, q: AnalysisQuery): string {
  // the source as given (a key or a label, any case): two spellings of one source are two entries, never a wrong one
  return `${revisionKey(db)}:${datasetId}:${q.horizon}:${q.budget ?? ""}:${q.lag ?? ""}:${q.asOf ?? ""}:${JSON.stringify(q.source ?? null)}`;
}

/** What a campaign's rows read from the database: the estimator's input and the days its rows cover. */
export interface CampaignRows {
  inputs: CampaignInput[];
  /** Per campaign (same order): the period its undated rows cover, when every one of them states one. */
  spans: (RowSpan | null)[];
}

/** Days from ISO date a to ISO date b inclusive (UTC calendar days). Example: 2026-01-27 to 2026-02-23 gives 28. */
function daysInclusive(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000) + 1;
}

/**
 * The days a set of periods covers (their union, so segments of one period count it once) and the typical length
 * of one row's period (the mean over distinct periods).
 */
function spanOf(periods: { start: string; end: string }[]): RowSpan | null {
  if (periods.length === 0) return null;
  const distinct = [...new Map(periods.map((p) => [`${p.start}/${p.end}`, p])).values()].sort((x, y) => (x.start < y.start ? -1 : 1));
  let covered = 0;
  let curStart = "";
  let curEnd = "";
  for (const p of distinct) {
    if (curEnd === "" || p.start > curEnd) {
      if (curEnd !== "") covered += daysInclusive(curStart, curEnd);
      curStart = p.start;
      curEnd = p.end;
    } else if (p.end > curEnd) curEnd = p.end;
  }
  covered += daysInclusive(curStart, curEnd);
  const perRow = distinct.reduce((sum, p) => sum + daysInclusive(p.start, p.end), 0) / distinct.length;
  const ends = distinct.map((p) => p.end).sort();
  return { days: perRow, coveredDays: covered, start: distinct[0]!.start, end: ends[ends.length - 1]!, periods: distinct.length };
}

/**
 * A campaign's rows as the estimator wants them: rows of one campaign and date are summed (segments), undated
 * rows (ad-level files, or a file with one row per campaign for a multi-day period) stay one unit each.
 */
export function campaignInputs(db: Db, datasetId: number): CampaignInput[] {
  return campaignRows(db, datasetId).inputs;
}

/**
 * campaignInputs plus, per campaign, the period its undated rows cover (a row from 27 Jan to 23 Feb: 28 days).
 * `only`: just these campaigns (compare and ab read one or two); `source`: only that source's rows (a SOURCES key).
 */
export function campaignRows(db: Db, datasetId: number, only?: readonly string[], source?: string): CampaignRows {
  // One campaign's rows at a time (getObservationsByCampaign: raw arrays, campaigns in name order).
  const names: string[] = [];
  const dayLists: DayRow[][] = [];
  const spans: (RowSpan | null)[] = [];
  for (const { campaign, rows } of getObservationsByCampaign(db, datasetId, only, source)) {
    const { days, periods } = observationDays(rows);
    names.push(campaign);
    dayLists.push(days);
    spans.push(spanOf(periods ?? []));
  }
  const orders = getOrderValues(db, datasetId, names);
  const inputs = names.map((campaign, i) => {
    const days = dayLists[i]!;
    const values = orders.get(campaign);
    return values && values.length > 0 ? { campaign, days, orderValues: values } : { campaign, days };
  });
  return { inputs, spans };
}

function verdictOf(e: CampaignEstimate, unitLabel: string): Verdict {
  const v = e.verdict;
  const poorFit = v.fit === "poor";
  const label = poorFit ? "poor-fit" : v.verdict === "insufficient" ? "within" : v.verdict;
  const window = v.window.units;
  const tail = v.tailProbability ?? 1;
  return {
    label,
    text:
      poorFit || v.verdict !== "insufficient"
        ? verdictMessage(v)
        : `Not enough history to judge the last ${window === 1 ? unitLabel : plural(window, unitLabel)} yet; nothing stands out.`,
    window,
    observed: v.window.conversions,
    expected: v.expected ?? v.window.conversions,
    lo90: v.lo90 ?? 0,
    hi90: v.hi90 ?? 0,
    // A model that does not fit the campaign gives no p-value as if it did.
    pValue: poorFit ? null : Math.min(1, 2 * tail),
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

/**
 * The forecast of a campaign for another horizon (and budget), from the same fitted rate model and order values as
 * its estimate: `forecastParameters` with the drifting rate's state carried over the horizon (or, without one,
 * `rateModel` under the dataset's shrinkage prior), exactly what the estimator runs for a horizon, without
 * estimating everything else again.
 */
function forecastAt(
  rows: ReturnType<typeof normaliseRows>,
  model: RateModel,
  e: CampaignEstimate,
  horizonDays: number,
  budget: number | undefined,
): ForecastParameters {
  const forecastModel = forecastRateModel(e.driftState, model, e.dispersion, horizonDays);
  return forecastParameters(rows.rows, rows.unit, forecastModel, e.severity, { horizon: horizonDays, budget });
}

/**
 * The campaign's rate model (what `rateModel(units, prior)` returns) with its estimate's dispersion fit passed in
 * instead of fitting the dispersion again (the negative binomial size search was a third of a 100-campaign
 * analysis), with the prior the estimate used.
 *
 * @param rows - the campaign's normalised rows (units with no clicks add nothing)
 * @example for 100 clicks and 2 conversions without a prior: mean 2.5 / 101 ~ 0.02475
 */
function rateModelOf(e: CampaignEstimate, rows: readonly DayRow[], prior: { a: number; b: number } | undefined): RateModel {
  return rateModel(
    rows.map((r) => ({ n: r.clicks, y: r.conversions })),
    prior,
    undefined,
    e.dispersion,
  );
}

interface CampaignContext {
  e: CampaignEstimate;
  input: CampaignInput;
  /** The sources the campaign has rows of (all of them, whatever the filter). */
  sources: string[];
  /** The forecast of a week and of a day at the current spend (the horizon's own when it is one of them). */
  weekly: ForecastParameters;
  daily: ForecastParameters;
  span: RowSpan | null;
  unitLabel: string;
  q: AnalysisQuery;
  horizonDays: number;
}

/**
 * P(revenue < spend) on a revenue lattice: read between the cells' edges for a continuous (lognormal) order value,
 * whose lattice stands for a density (probBelowContinuous: O(h^2), where the point below is off by up to a point's
 * mass), at the point below for order values given as points or a constant, whose lattice is exact.
 */
function shortfall(revenue: LatticeDistribution, severity: ForecastParameters["severity"], spend: number): number {
  return severity.kind === "lognormal" ? revenue.probBelowContinuous(spend) : revenue.probBelow(spend);
}

/** a / b, or null when b is not above 0. @example ratioOrNull(0, 2) // 0; ratioOrNull(0, 0) // null */
const ratioOrNull = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function analyzeCampaign(c: CampaignContext): CampaignAnalysis {
  const { e, input, sources, weekly, daily, span, unitLabel, q, horizonDays } = c;
  const f = e.forecast;
  const counts = outcomeDistribution(f.frequency, f.severity, { counts: true });
  const revenueDist = e.severity.countsOnly ? counts : outcomeDistribution(f.frequency, f.severity);
  const conversions = summarise(counts);
  const revenue = summarise(revenueDist);
  // A week at the current daily spend: P(revenue < spend).
  const sameAsHorizon = weekly.budget === f.budget && weekly.horizonDays === f.horizonDays;
  const weekRevenue = e.severity.countsOnly ? null : sameAsHorizon ? revenueDist : outcomeDistribution(weekly.frequency, weekly.severity);
  const pLosingWeek = weekRevenue === null ? null : shortfall(weekRevenue, weekly.severity, weekly.budget);
  const coin = campaignAsCoin(input.days);
  const rate = e.conversionRate;
  const shrunk = e.shrunkConversionRate;
  const cal = e.calibration;
  const notes = e.flags.map((fl) => NOTE_TEXT[fl] ?? fl);
  if (span) notes.push(spanNote(span));
  return {
    campaign: e.campaign,
    sources,
    units: e.units,
    spend: e.totals.spend,
    impressions: e.totals.impressions,
    clicks: e.totals.clicks,
    conversions: e.totals.conversions,
    revenue: e.totals.revenue ?? 0,
    fractional: e.flags.includes("fractional-conversions"),
    ctr: { observed: ratioOrNull(e.totals.clicks, e.totals.impressions), mean: e.ctr.mean, lo90: e.ctr.lo90, hi90: e.ctr.hi90 },
    cvr: { observed: ratioOrNull(e.totals.conversions, e.totals.clicks), mean: rate.mean, lo90: rate.lo90, hi90: rate.hi90 },
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
      pZeroConversions: probabilityOfZero(f.frequency),
      pLoss: e.severity.countsOnly ? null : shortfall(revenueDist, f.severity, f.budget),
      cv: revenue.mean > 0 ? revenue.sd / revenue.mean : null,
      pZeroDay: probabilityOfZero(daily.frequency),
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
    coinVolatility: coin.stats ? coin.stats.annualizedVolatility : null,
    rowSpan: span,
    provisionalDays: e.provisionalDays,
    notes,
  };
}

/** "Each row covers 28 days (2026-01-27 to 2026-02-23): ..." for rows that cover a period. */
function spanNote(span: RowSpan): string {
  const each = Number.isInteger(span.days) ? `${span.days} days` : `${formatFixed(span.days, 1)} days on average`;
  return span.periods === 1
    ? `Each row covers ${each} (${span.start} to ${span.end}): per-day figures are the period's divided by ${span.coveredDays}, and forecasts are for the horizon at the spend per day of that period.`
    : `Each row covers ${each} (${span.periods} periods, ${span.coveredDays} days from ${span.start} to ${span.end}): forecasts are for the horizon at the spend per day over those days.`;
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
 * Runs the whole analysis of a dataset (estimation, forecasts, calibration, correlation, pooling), kept in the
 * analysis cache under the data revision, the dataset and the query (see ./cache.ts).
 */
export function runAnalysis(db: Db, datasetId: number, q: AnalysisQuery): AnalysisRun {
  return computeAnalysis(db, datasetId, q, true);
}

/** The dataset row of a performance dataset, or the AppError a user sees (unknown id, an order list). */
function performanceRow(db: Db, datasetId: number) {
  const row = getDatasetRow(db, datasetId);
  if (!row || row.status !== "ready") throw new AppError("not_found", `No dataset with id ${datasetId}.`);
  const summary = JSON.parse(row.summaryJson) as ImportSummary;
  if (summary.kind === "orders") {
    throw new AppError(
      "invalid_query",
      "This dataset is an order list: its order values feed the campaigns of the same names in your performance datasets. Open one of those for forecasts.",
    );
  }
  return row;
}

/**
 * The analysis itself; `useCache` false always recomputes (benchmarks).
 *
 * One estimation of the dataset (at the query's horizon and budget); the week and day forecasts behind "a losing
 * week" and "a day with no sale" are derived from the same fitted models (`forecastAt`), not estimated again.
 * `calibration` false skips the rolling calibration (the campaign table's part, `analysisSummary`).
 */
export function computeAnalysis(db: Db, datasetId: number, q: AnalysisQuery, useCache = false, calibration = true): AnalysisRun {
  const key = `${analysisKey(db, datasetId, q)}:${calibration ? "full" : "summary"}`;
  if (useCache) {
    const hit = analyzes.get(key);
    if (hit) return hit;
  }
  const row = performanceRow(db, datasetId);
  const source = resolveSource(db, datasetId, q.source);
  const { inputs, spans } = campaignRows(db, datasetId, undefined, source);
  if (inputs.length === 0) throw new AppError("not_found", `Dataset ${datasetId} has no rows to analyze${source ? " from this source" : ""}.`);
  // One source (the usual dataset): every campaign has it, and its figures are the rows just read.
  const sourceList = datasetSources(db, datasetId);
  const single = sourceList.length === 1 ? sourceList[0]! : null;
  const sourcesOf = single !== null ? null : getCampaignSources(db, datasetId);
  const horizonDays = HORIZON_DAYS[q.horizon];
  // Rows covering n days are n days of data: the default budget is the spend per day of those days x the horizon.
  const perDay = inputs.map((c, i) => {
    const span = spans[i];
    return span ? c.days.reduce((s, d) => s + d.spend, 0) / span.coveredDays : null;
  });
  const budgetOf = (i: number, days: number, given?: number): number | undefined => {
    if (given !== undefined) return given;
    const p = perDay[i];
    return p !== null && p !== undefined && p > 0 ? p * days : undefined;
  };
  const budgetEntries = inputs.map((c, i) => [c.campaign, budgetOf(i, horizonDays, q.budget)] as const).filter((x): x is readonly [string, number] => x[1] !== undefined);
  const budgets = budgetEntries.length > 0 ? Object.fromEntries(budgetEntries) : undefined;
  // The summary part shows no correlation: its bootstrap interval is run with the fewest resamples allowed.
  const lag = resolveLag(q, inputs, newestUploadAt(db, datasetId) ?? row.createdAt, q.lag === undefined ? learnedLag(db, datasetId) : null);
  const estimate = estimateDataset(inputs, {
    horizon: q.horizon,
    budgets,
    seed: 1,
    calibration,
    ...(calibration ? {} : { resamples: 50 }),
    ...(lag.option ? { lag: lag.option } : {}),
    ...(lag.byCampaign ? { lagByCampaign: lag.byCampaign } : {}),
  });
  const unit = estimate.campaigns[0]?.unit ?? "day";
  const unitLabel = unit === "day" ? "day" : "ad";
  const fit = estimate.shrinkage.fit;
  const prior = fit.method === "none" ? undefined : { a: fit.a, b: fit.b };

  const campaigns = estimate.campaigns.map((e, i) => {
    const input = inputs[i]!;
    const rows = normaliseRows(input.days);
    const model = rateModelOf(e, rows.rows, prior);
    const current = (days: number, name: "week" | "day") =>
      q.horizon === name && q.budget === undefined ? e.forecast : forecastAt(rows, model, e, days, budgetOf(i, days));
    return analyzeCampaign({
      e,
      input,
      sources: sourcesOf ? (sourcesOf.get(input.campaign) ?? []) : [single!],
      weekly: current(7, "week"),
      daily: current(1, "day"),
      span: spans[i] ?? null,
      unitLabel,
      q,
      horizonDays,
    });
  });
  const corr = estimate.correlation;
  const rhoEstimate = corr.estimate ?? 0;
  const cv1 = median(campaigns.map((c) => c.forecast.cv));
  const notes: string[] = [];
  const span = datasetSpan(spans);
  if (unit === "ad") {
    const oneRowEach = estimate.campaigns.every((c) => c.units === 1);
    const period = row.periodStart && row.periodEnd ? ` (${row.periodStart} to ${row.periodEnd})` : "";
    if (span) notes.push(spanNote(span));
    else
      notes.push(
        oneRowEach
          ? `This report has one row per campaign for its whole period${period}: forecasts are for the same spend over a period like it, and the horizon does not apply. Export it by day for day-to-day figures.`
          : "This file has no dates: figures are across ads (each row is one ad or segment), not across days; forecasts are for the spend you set, spread like the ads in the file.",
      );
  }
  if (corr.estimate === null) {
    // Without dates there are no days for campaigns to share: say that, not that campaigns are missing.
    notes.push(unit === "ad" ? "The rows are not by day, so campaigns have no days in common: their correlation cannot be estimated, and the pooling figures take it as 0." : correlationNote(corr));
  }
  const result: DatasetAnalysis = {
    datasetId,
    name: row.name,
    currency: row.currency,
    unit,
    horizon: q.horizon,
    horizonDays,
    period: row.periodStart && row.periodEnd ? { start: row.periodStart, end: row.periodEnd } : null,
    rowSpan: span,
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
    shrinkage: { applied: fit.method !== "none", a: fit.a, b: fit.b, note: shrinkageNote(fit) },
    pooling: poolingSummary(cv1, rhoEstimate),
    lag: lag.summary,
    multipleTesting: multipleTesting(campaigns),
    source: source ?? null,
    sources: single !== null ? [singleSourceSummary(single, inputs)] : sourceSummaries(db, datasetId),
    notes,
  };
  const run = { result, inputs, estimate };
  return useCache ? analyzes.set(key, run) : run;
}

/** The span every period-row campaign shares (same start, end and row length), or the widest when they differ. */
function datasetSpan(spans: (RowSpan | null)[]): RowSpan | null {
  const known = spans.filter((s): s is RowSpan => s !== null);
  if (known.length === 0 || known.length < spans.length) return null;
  return known.reduce((a, b) => (b.coveredDays > a.coveredDays ? b : a));
}

/** GET /api/datasets/:id/analysis (part=full) and `cli analyze`: the dataset's analysis as plain JSON. */
export function analyzeDataset(db: Db, datasetId: number, q: AnalysisQuery): DatasetAnalysis {
  return runAnalysis(db, datasetId, q).result;
}

/**
 * The campaign table's part of the analysis (figures, forecasts, verdicts), served before the rest: the estimation
 * without the rolling calibration, and without the correlation and pooling summary. Taken from the full analysis
 * when that is already cached. GET /api/datasets/:id/analysis?part=summary.
 */
export function analysisSummary(db: Db, datasetId: number, q: AnalysisQuery): DatasetSummary {
  const base = analysisKey(db, datasetId, q);
  const full = analyzes.get(`${base}:full`);
  return summaries.getOrCompute(`${base}:${full ? "full" : "summary"}`, () => {
    const run = full ?? computeAnalysis(db, datasetId, q, false, false);
    const { rho: _rho, shrinkage: _shrinkage, pooling: _pooling, ...rest } = run.result;
    return { ...rest, part: "summary", calibrated: full !== undefined };
  });
}
