import "server-only";
import type { Db } from "@/db/client";
import { getCampaignSegments, getDatasetRow, getOrderValues, getSegmentObservations } from "@/db/queries";
import { estimateSeverity } from "@/lib/engine/estimate/severity";
import type { CampaignInput, DayRow } from "@/lib/engine/estimate/types";
import {
  changeLift,
  compareRates,
  compareRevenue,
  daysToDetect,
  lagExposure,
  orderValueCv2,
  predictAfter,
  type LiftInterval,
  type RevenueComparison,
} from "@/lib/engine/lift";
import { createRng } from "@/lib/engine/rng";
import { AppError } from "@/lib/errors";
import { formatPercent, plural } from "@/lib/format";
import { campaignRows } from "./dataset";
import { learnedLag, newestUploadAt } from "./lag-learn";
import { observationDays } from "./observation-days";
import { resolveLag } from "./lag";
import { resolveSource } from "./sources";
import type { AbQuery, CompareQuery } from "./schemas";
import type { LagSummary } from "./types";

export { abQuerySchema, compareQuerySchema, type AbQuery, type CompareQuery } from "./schemas";

/*
 * "Did it work?" (a campaign before and after a change date) and "A against B" (two campaigns), read from a
 * dataset's campaign rows (lib/analysis/dataset.ts campaignRows: segments of a day summed) and answered by
 * lib/engine/lift. One contract for the command line and GET /api/datasets/:id/compare and /ab.
 */

/** Seed of the revenue comparison's Monte Carlo: the same answer on every call. */
const REVENUE_SEED = 20261205;
/** Relative lifts the duration planner is asked about. */
const PLANNED_LIFTS = { lift10: 0.1, lift20: 0.2 } as const;
/** Days of clicks the planner's "current clicks per day" is averaged over when there is no after period yet. */
const RECENT_DAYS = 28;

/**
 * One side's totals as shown: clicks, conversions (arrived so far), the rate (null without clicks), revenue, days.
 * Under conversion lag (compare only) `rate` and `revenuePerClick` are per effective click (the clicks whose
 * conversions have arrived, sum F(age) x clicks: see lib/engine/lift lagExposure); without lag they are per click.
 */
export interface SideSummary {
  clicks: number;
  conversions: number;
  rate: number | null;
  /** sum_t F(age_t) clicks_t: equal to `clicks` when no day is provisional. */
  effectiveClicks: number;
  /** Days whose conversions are still arriving (F(age) < 1). */
  provisionalDays: number;
  revenue: number | null;
  revenuePerClick: number | null;
  days: number;
  from: string | null;
  to: string | null;
}

/** Revenue per click compared (seeded Monte Carlo of the compound model; `se` is its standard error). */
export interface RevenueAnswer {
  /** Posterior of the second side's revenue per click over the first's, less 1 (after / before; B / A). */
  lift: LiftInterval;
  /** P(second side > first). */
  pPositive: number;
  draws: number;
  se: number;
  orderCv2: [number, number];
}

/** The answer of `compare`. */
export interface CompareResult {
  datasetId: number;
  campaign: string;
  /** The source (platform) whose rows were compared (a SOURCES key), or null for all of them. */
  source: string | null;
  changeDate: string;
  before: SideSummary;
  after: SideSummary;
  /**
   * Posterior of after rate / before rate - 1 (conversions per click); null without clicks on a side. The before
   * rate is the one the after days would have had with no change: the before period's drifting rate carried over
   * them (liftModel "drift": the filter chose a discount or a day shock), else the before period's fixed rate.
   */
  lift: LiftInterval | null;
  /** P(after rate > before rate), with the same before rate. */
  pPositive: number | null;
  liftModel: "drift" | "fixed";
  /**
   * True when the drift carried over the after days leaves the rate it would have had nearly unknown (see
   * ChangeLift.saturated): `lift` and `pPositive` then say nothing, and pages show that instead of their figures.
   */
  liftSaturated: boolean;
  /** The same two figures against the before period's fixed rate (both periods' totals, Jeffreys posteriors). */
  fixedRate: { lift: LiftInterval | null; pPositive: number | null };
  /** The after period's conversions as the before period predicts them for its clicks (drift included). */
  expectedAfter: {
    mean: number;
    lo90: number;
    hi90: number;
    observed: number;
    pLower: number;
    pUpper: number;
    model: "drift" | "fixed";
    drift: { delta: number; s2: number } | null;
  } | null;
  /**
   * Days of after-period data (from the change date) needed to see a 10% / 20% lift with probability 0.8, at the
   * current clicks per day; null when no duration up to 10 years would do. `afterDays`: days after so far.
   */
  daysToDetect: { lift10: number | null; lift20: number | null; clicksPerDay: number; afterDays: number; threshold: number; power: number };
  revenue: RevenueAnswer | null;
  /**
   * The conversion-lag curve the periods were read with (source, setting, asOf, horizon, completeness, note), and
   * what it changed: `provisionalDays` (after-period days still gaining conversions), `provisionalBeforeDays`, and
   * `afterCompleteness` (effective over actual after clicks: the share of the after period's final conversions
   * expected to have arrived; 1 when none is provisional).
   */
  lag: LagSummary & { provisionalDays: number; provisionalBeforeDays: number; afterCompleteness: number };
  notes: string[];
}

/** The answer of `ab`. */
export interface AbResult {
  datasetId: number;
  /** The source (platform) whose rows were compared (a SOURCES key), or null for all of them. */
  source: string | null;
  /** The campaigns compared; with segments, the campaign and each side's segment. */
  a: SideSummary & { campaign: string; segment?: string };
  b: SideSummary & { campaign: string; segment?: string };
  /** Days both campaigns ran (the comparison's period), or null when either has no dates. */
  period: { from: string; to: string; days: number } | null;
  pBBeatsA: number | null;
  /** E[(p_B - p_A)+] (the loss of choosing A) and E[(p_A - p_B)+], in conversions per click. */
  expectedLoss: { a: number; b: number } | null;
  /** Posterior of p_B / p_A - 1. */
  lift: LiftInterval | null;
  /** Revenue per click; expectedLoss in currency per click. */
  revenue: (RevenueAnswer & { expectedLoss: { a: number; b: number } }) | null;
  notes: string[];
}

function findCampaign(inputs: CampaignInput[], datasetId: number, name: string): CampaignInput {
  const found = inputs.find((c) => c.campaign === name);
  if (!found) throw new AppError("not_found", `No campaign "${name.slice(0, 80)}" in dataset ${datasetId}.`);
  return found;
}

/**
 * A side's totals; `effective`: the same days with provisional clicks thinned (lagExposure), or omitted when no day is
 * provisional. Rates are per effective click.
 */
function summarise(rows: readonly DayRow[], effective: readonly DayRow[] = rows, provisionalDays = 0): SideSummary {
  let clicks = 0;
  let conversions = 0;
  let revenue: number | null = null;
  for (const r of rows) {
    clicks += r.clicks;
    conversions += r.conversions;
    if (r.revenue !== null) revenue = (revenue ?? 0) + r.revenue;
  }
  const effectiveClicks = effective === rows ? clicks : effective.reduce((s, r) => s + r.clicks, 0);
  return {
    clicks,
    conversions,
    rate: effectiveClicks > 0 ? conversions / effectiveClicks : null,
    effectiveClicks,
    provisionalDays,
    revenue,
    revenuePerClick: effectiveClicks > 0 && revenue !== null ? revenue / effectiveClicks : null,
    days: rows.length,
    from: rows[0]?.date ?? null,
    to: rows[rows.length - 1]?.date ?? null,
  };
}

function revenueAnswer(r: RevenueComparison): RevenueAnswer {
  return { lift: r.lift, pPositive: r.pGreater, draws: r.draws, se: r.se, orderCv2: r.orderCv2 };
}

/**
 * Did the change on `changeDate` work? Before: the campaign's days before the date; after: that day and later.
 * Refused (invalid_query) when the campaign has no dates or no days on one side of the date.
 */
export function compareChange(db: Db, datasetId: number, q: CompareQuery): CompareResult {
  const source = resolveSource(db, datasetId, q.source);
  const input = findCampaign(campaignRows(db, datasetId, [q.campaign], source).inputs, datasetId, q.campaign);
  const rows = input.days;
  if (rows.length === 0 || rows.some((r) => r.date === null)) {
    throw new AppError("invalid_query", `Campaign "${q.campaign.slice(0, 80)}" has no dates: a change date cannot split it. Compare two campaigns with ab instead.`);
  }
  const before = rows.filter((r) => (r.date as string) < q.changeDate);
  const after = rows.filter((r) => (r.date as string) >= q.changeDate);
  const first = rows[0]!.date as string;
  const last = rows[rows.length - 1]!.date as string;
  if (before.length === 0) throw new AppError("invalid_query", `No days before ${q.changeDate}: the campaign's rows start on ${first}.`);
  if (after.length === 0) throw new AppError("invalid_query", `No days on or after ${q.changeDate}: the campaign's rows end on ${last}.`);

  // Conversion lag: the days younger than the curve's horizon enter with their arrived conversions over F x clicks.
  const dataset = getDatasetRow(db, datasetId);
  // the curve the analysis uses: the query's setting, else the dataset's report or exports (cached by revision)
  const learned = q.lag === undefined ? learnedLag(db, datasetId) : null;
  const uploadedAt = newestUploadAt(db, datasetId) ?? dataset?.createdAt ?? null;
  const lag = resolveLag({ horizon: "week", lag: q.lag, asOf: q.asOf }, [input], uploadedAt, learned, dataset?.periodEnd ?? null);
  const ex = lagExposure(before, after, lag.byCampaign?.[input.campaign] ?? lag.option);
  const b = summarise(before, ex.before, ex.provisionalBefore);
  const a = summarise(after, ex.after, ex.provisionalAfter);
  const rates = compareRates({ clicks: b.effectiveClicks, conversions: b.conversions }, { clicks: a.effectiveClicks, conversions: a.conversions });
  const drifting = changeLift(ex.before, ex.after);
  const notes: string[] = [];
  if (ex.provisionalAfter > 0) {
    notes.push(provisionalNote(ex.provisionalAfter, after.length, ex.effectiveAfter / Math.max(1e-300, a.clicks), ex.provisionalBefore));
    notes.push(lag.summary.note);
  }
  if (drifting && drifting.model === "drift" && drifting.drift && (drifting.drift.delta < 1 || drifting.drift.s2 > 0)) {
    notes.push(
      drifting.saturated
        ? `The conversion rate was drifting so fast before the change that where it would be ${after.length} days on is anyone's guess: the lift cannot be told from drift over this long an after period. Try a change date closer to the last day, or compare two campaigns over the same days (ab).`
        : "The conversion rate was drifting before the change: the lift is judged against where that drift would have taken it, which widens its interval.",
    );
    notes.push("Revenue per click and the waiting times compare steady rates: they do not allow for that drift.");
  }
  // the range of the arrived conversions: the after days' effective clicks
  const expected = predictAfter(
    ex.before,
    ex.after.map((r) => r.clicks),
    a.conversions,
  );

  // the planner's clicks per day: the after period's, else the last RECENT_DAYS days'
  const recent = after.length > 0 ? after : before.slice(-RECENT_DAYS);
  const clicksPerDay = recent.reduce((s, r) => s + r.clicks, 0) / Math.max(1, recent.length);
  const plan = { lift10: null as number | null, lift20: null as number | null };
  if (!rates.x.noData) {
    for (const [key, lift] of Object.entries(PLANNED_LIFTS) as [keyof typeof PLANNED_LIFTS, number][]) {
      plan[key] = daysToDetect({ a: rates.x.a, b: rates.x.b }, clicksPerDay, lift);
    }
  }
  if (plan.lift10 === null) notes.push("A 10% lift cannot be told apart at these clicks within 10 years, or the before period is too uncertain for it.");

  const sev = estimateSeverity(rows, input.orderValues);
  const cv2 = orderValueCv2(sev);
  // revenue per effective click: the arrived revenue over the clicks whose sales have arrived
  const revenue = cv2 === null ? null : compareRevenue({ ...b, clicks: b.effectiveClicks }, { ...a, clicks: a.effectiveClicks }, cv2, createRng(REVENUE_SEED));
  if (cv2 === null) notes.push("No revenue in this campaign: revenue per click is not compared.");
  else if (!revenue) notes.push("Revenue per click needs sales with revenue on both sides of the change date.");

  return {
    datasetId,
    campaign: q.campaign,
    source: source ?? null,
    changeDate: q.changeDate,
    before: b,
    after: a,
    lift: drifting ? drifting.lift : rates.lift,
    pPositive: drifting ? drifting.pGreater : rates.pGreater,
    liftModel: drifting && drifting.drift && (drifting.drift.delta < 1 || drifting.drift.s2 > 0) ? "drift" : "fixed",
    liftSaturated: drifting?.saturated ?? false,
    fixedRate: { lift: rates.lift, pPositive: rates.pGreater },
    expectedAfter: expected
      ? {
          mean: expected.mean,
          lo90: expected.lo90,
          hi90: expected.hi90,
          observed: a.conversions,
          pLower: expected.pLower,
          pUpper: expected.pUpper,
          model: expected.model,
          drift: expected.drift,
        }
      : null,
    daysToDetect: { ...plan, clicksPerDay, afterDays: after.length, threshold: 0.95, power: 0.8 },
    revenue: revenue ? revenueAnswer(revenue) : null,
    lag: {
      ...lag.summary,
      provisionalDays: ex.provisionalAfter,
      provisionalBeforeDays: ex.provisionalBefore,
      afterCompleteness: a.clicks > 0 ? ex.effectiveAfter / a.clicks : 1,
    },
    notes,
  };
}

/** The note of an after period with provisional days: how many, how complete, and how they were read. */
function provisionalNote(provisional: number, afterDays: number, completeness: number, provisionalBefore: number): string {
  const which = provisional === afterDays ? `All ${plural(afterDays, "day")} after the change are` : `The last ${plural(provisional, "day")} of the ${afterDays} after the change ${provisional === 1 ? "is" : "are"}`;
  return (
    `${which} provisional: their sales are still being credited, and about ${formatPercent(completeness, 0)} of the after period's final conversions have arrived. ` +
    `The lift compares the sales arrived with the clicks whose sales have had time to arrive, so the missing ones do not count as a drop; ` +
    `the predicted range is of the sales arrived by now.${provisionalBefore > 0 ? ` ${plural(provisionalBefore, "day")} before the change ${provisionalBefore === 1 ? "is" : "are"} provisional too, and read the same way.` : ""}`
  );
}

/** The two arms of `ab` as campaign inputs: two campaigns, or two segments of one (the campaign's order values for both). */
function armsOf(db: Db, datasetId: number, q: AbQuery, source: string | undefined): [CampaignInput, CampaignInput] {
  if (q.campaign === undefined) {
    const inputs = campaignRows(db, datasetId, [q.a, q.b], source).inputs;
    return [findCampaign(inputs, datasetId, q.a), findCampaign(inputs, datasetId, q.b)];
  }
  const campaign = q.campaign;
  const segments = getCampaignSegments(db, datasetId, campaign, source);
  if (segments.length === 0) throw new AppError("not_found", `No campaign "${campaign.slice(0, 80)}" in dataset ${datasetId}.`);
  const orders = getOrderValues(db, datasetId, [campaign]).get(campaign);
  return [q.a, q.b].map((segment) => {
    if (!segments.includes(segment)) {
      const named = segments.filter((x) => x !== "").slice(0, 5);
      throw new AppError(
        "not_found",
        `No segment "${segment.slice(0, 80)}" in campaign "${campaign.slice(0, 80)}"${named.length > 0 ? ` (segments: ${named.join(", ")}${segments.length > named.length ? ", ..." : ""})` : " (its rows have no segments)"}.`,
      );
    }
    const { days } = observationDays(getSegmentObservations(db, datasetId, campaign, segment, source));
    return orders && orders.length > 0 ? { campaign: segment, days, orderValues: orders } : { campaign: segment, days };
  }) as [CampaignInput, CampaignInput];
}

/**
 * A against B: two campaigns of a dataset, or two segments of one campaign (`q.campaign`), compared on conversions
 * per click and revenue per click. When both have dates, only the days both ran are compared (the same weeks, so a
 * season does not pass for a difference); with no common day, or undated rows, all their rows are, and a note says
 * so.
 */
export function compareArms(db: Db, datasetId: number, q: AbQuery): AbResult {
  const source = resolveSource(db, datasetId, q.source);
  const [ia, ib] = armsOf(db, datasetId, q, source);
  const notes: string[] = [];
  let rowsA = ia.days;
  let rowsB = ib.days;
  let period: AbResult["period"] = null;
  const dated = (rows: readonly DayRow[]) => rows.length > 0 && rows.every((r) => r.date !== null);
  if (dated(rowsA) && dated(rowsB)) {
    const datesB = new Set(rowsB.map((r) => r.date));
    const common = new Set(rowsA.filter((r) => datesB.has(r.date)).map((r) => r.date));
    if (common.size > 0) {
      rowsA = rowsA.filter((r) => common.has(r.date));
      rowsB = rowsB.filter((r) => common.has(r.date));
      const sorted = [...common].sort() as string[];
      period = { from: sorted[0]!, to: sorted[sorted.length - 1]!, days: sorted.length };
      if (rowsA.length < ia.days.length || rowsB.length < ib.days.length) notes.push(`Compared over the ${sorted.length} days both ran.`);
    } else notes.push("The two never ran on the same day: all their rows are compared, so a change in season or auction between their periods counts as a difference.");
  }
  const a = summarise(rowsA);
  const b = summarise(rowsB);
  const rates = compareRates(a, b);
  const cva = orderValueCv2(estimateSeverity(ia.days, ia.orderValues));
  const cvb = orderValueCv2(estimateSeverity(ib.days, ib.orderValues));
  const revenue = cva === null || cvb === null ? null : compareRevenue(a, b, [cva, cvb], createRng(REVENUE_SEED));
  if (!revenue) notes.push("Revenue per click needs sales with revenue on both sides.");
  const side = (name: string) => (q.campaign === undefined ? { campaign: name } : { campaign: q.campaign, segment: name });
  return {
    datasetId,
    source: source ?? null,
    a: { ...side(q.a), ...a },
    b: { ...side(q.b), ...b },
    period,
    pBBeatsA: rates.pGreater,
    expectedLoss: rates.expectedLoss ? { a: rates.expectedLoss.x, b: rates.expectedLoss.y } : null,
    lift: rates.lift,
    revenue: revenue ? { ...revenueAnswer(revenue), expectedLoss: { a: revenue.expectedLoss.x, b: revenue.expectedLoss.y } } : null,
    notes,
  };
}
