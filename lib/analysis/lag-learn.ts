import "server-only";
/**
 * Learning a dataset's completeness curve F(age) from what it holds: its time-lag report (lag_reports) or the same
 * days read in its successive exports (every version of a row kept by db/uploads.ts). resolveLag (./lag.ts) decides
 * which curve an analysis uses.
 *
 * Successive exports. An upload's as-of date is counted the way ./lag.ts counts a dataset's: the later of the upload's
 * last day and the day before it was imported (an export is read at the end of its newest day; a file of last year
 * imported today holds complete days; so an archive of old exports imported in one go reads as taken on one day, and
 * teaches nothing). A row version of day t written by upload u was read at age
 * a = asOf(u) - t days. The versions of one (day, campaign, segment), sorted by age (two at the same age: the later
 * upload's), give successive pairs (a, b, y_a, y_b), each the binomial thinning learnLag's likelihood describes
 * (lib/engine/lag.ts: y_a | y_b ~ Binomial(y_b, F(a) / F(b))). Counts are rounded; a younger count above the older
 * one (conversions withdrawn) is capped at it and counted. The pairs are summed by (a, b), which leaves the likelihood
 * unchanged (it is linear in the counts), per dataset and per campaign.
 *
 * Enough information. The dataset's curve is used when the fit is bounded (neither k nor its 90% interval at the
 * search range's ends) and at least EXPORTS_MIN_GROWN = 20 conversions were seen arriving between two readings; a
 * campaign gets its own curve when its own fit is bounded and it saw CAMPAIGN_MIN_GROWN = 50 arrive (about a 30%
 * relative standard error on k when the pairs are a week apart), else it takes the dataset's. A report's campaign
 * gets its own curve from REPORT_CAMPAIGN_MIN = 50 conversions, else the report's whole-account curve.
 */
import { cacheNamespace } from "./cache";
import type { Db } from "@/db/client";
import { getLagReport, rowVersions, uploadDates, type UploadDates } from "@/db/lag";
import { revisionKey } from "@/db/queries";
import { learnLagFromPairs, type LagCurve, type LagPair } from "@/lib/engine/lag";
import { fitDelayBuckets } from "@/lib/engine/lag-report";
import { reportBucketsSchema, sumBuckets } from "@/lib/ingest/lag-report";
import { asOfDate } from "./as-of";

/** Conversions that must be seen arriving between readings for the dataset's learned curve to be used. */
const EXPORTS_MIN_GROWN = 20;
/** The same for a campaign's own curve. */
const CAMPAIGN_MIN_GROWN = 50;
/** Longest horizon (days to 99% complete) a learned curve may have to be used. */
const MAX_HORIZON = 365;
/** Conversions a campaign needs in the report for its own curve. */
const REPORT_CAMPAIGN_MIN = 50;

/** A learned curve and what it was learned from. */
export interface LearnedCurve {
  curve: LagCurve;
  /** Exports: conversions seen at the older readings of the pairs; report: conversions in its buckets. */
  observations: number;
  /** Exports: conversions that arrived between two readings (what the curve is learned from). */
  grown?: number;
  /** Exports: uploads with a reading in a pair. */
  exports?: number;
  /** Report: "exponential" (the fitted family) or "empirical" (the report's shares: the family fitted badly). */
  method?: "exponential" | "empirical";
  /** Report: its file name. */
  fileName?: string;
}

/** The curves a dataset's data give: the whole dataset's (null when not enough information) and its campaigns'. */
export interface LearnedSource {
  dataset: LearnedCurve | null;
  campaigns: Map<string, LearnedCurve>;
}

export interface LearnedLag {
  report: LearnedSource | null;
  exports: LearnedSource | null;
}

const cache = cacheNamespace<LearnedLag>("lag-learned", 32);

/** As-of date of each upload (see the module comment) in days since 1970-01-01; uploads without dates left out. */
function uploadAsOf(uploads: readonly UploadDates[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const u of uploads) {
    const asOf = asOfDate(u.periodEnd, u.importedAt);
    if (asOf !== null) out.set(u.id, Math.round(Date.parse(`${asOf}T00:00:00Z`) / 86_400_000));
  }
  return out;
}

/**
 * When the upload holding the dataset's newest day was imported (the latest such upload), or null: what the dataset's
 * as-of date is counted from (./as-of.ts), so a dataset grown by weekly exports is as old as its newest export.
 */
export function newestUploadAt(db: Db, datasetId: number): string | null {
  let best: UploadDates | null = null;
  for (const u of uploadDates(db.$client, datasetId)) {
    if (u.periodEnd !== null && (best === null || best.periodEnd === null || u.periodEnd >= best.periodEnd)) best = u;
  }
  return best?.importedAt ?? null;
}

/** Adds a pair's counts to its (a, b) entry. */
function addPair(m: Map<number, LagPair>, a: number, b: number, ya: number, yb: number): void {
  const key = a * 4096 + b;
  const s = m.get(key);
  if (s) {
    s.ya += ya;
    s.yb += yb;
  } else m.set(key, { a, b, ya, yb });
}

/** The pairs of successive readings of a dataset's rows, summed by (a, b): for the dataset and per campaign. */
export function exportPairs(db: Db, datasetId: number): { all: LagPair[]; byCampaign: Map<string, LagPair[]>; exports: number; decreases: number } {
  const conn = db.$client;
  const asOf = uploadAsOf(uploadDates(conn, datasetId));
  // A pair needs a day read by two uploads: one upload (most datasets) has none, and its rows are not read (1.3 s
  // for a year of 1,000 campaigns).
  if (asOf.size < 2) return { all: [], byCampaign: new Map(), exports: 0, decreases: 0 };
  // Each (campaign, segment) gets a number; a key is that number and the day. Its readings: [age, count, upload]
  // triples, appended flat (a day is read by a handful of uploads).
  const series = new Map<string, number>();
  const campaignOf: string[] = [];
  const readings = new Map<number, number[]>();
  for (const [campaign, segment, day, conversions, upload] of rowVersions(conn, datasetId)) {
    const at = asOf.get(upload);
    if (at === undefined) continue;
    const age = at - day;
    if (!(age >= 0 && age <= 3650)) continue;
    const name = segment === "" ? campaign : `${campaign}\u0000${segment}`;
    let sid = series.get(name);
    if (sid === undefined) {
      sid = campaignOf.length;
      series.set(name, sid);
      campaignOf.push(campaign);
    }
    const key = sid * 1_000_000 + day;
    const list = readings.get(key);
    if (list) list.push(age, Math.round(conversions), upload);
    else readings.set(key, [age, Math.round(conversions), upload]);
  }
  const all = new Map<number, LagPair>();
  const own = new Map<string, Map<number, LagPair>>();
  const used = new Set<number>();
  let decreases = 0;
  for (const [key, list] of readings) {
    if (list.length < 6) continue;
    const n = list.length / 3;
    const order = Array.from({ length: n }, (_, i) => i);
    // by age; two readings at the same age (uploads with the same as-of date): the later upload's is kept
    order.sort((x, y) => (list[3 * x] as number) - (list[3 * y] as number) || (list[3 * x + 2] as number) - (list[3 * y + 2] as number));
    const kept: number[] = [];
    for (const i of order) {
      if (kept.length > 0 && list[3 * (kept.at(-1) as number)] === list[3 * i]) kept[kept.length - 1] = i;
      else kept.push(i);
    }
    if (kept.length < 2) continue;
    const campaign = campaignOf[Math.floor(key / 1_000_000)] as string;
    let mine = own.get(campaign);
    if (!mine) own.set(campaign, (mine = new Map()));
    for (let j = 0; j + 1 < kept.length; j++) {
      const p = 3 * (kept[j] as number);
      const q = 3 * (kept[j + 1] as number);
      const ya = list[p + 1] as number;
      const yb = list[q + 1] as number;
      if (ya > yb) decreases++;
      addPair(all, list[p] as number, list[q] as number, Math.min(ya, yb), yb);
      addPair(mine, list[p] as number, list[q] as number, Math.min(ya, yb), yb);
      used.add(list[p + 2] as number);
      used.add(list[q + 2] as number);
    }
  }
  return { all: [...all.values()], byCampaign: new Map([...own].map(([c, m]) => [c, [...m.values()]])), exports: used.size, decreases };
}

/** The curve learned from pairs when it is bounded and at least `minGrown` conversions were seen arriving. */
function fromPairs(pairs: readonly LagPair[], minGrown: number, exports: number, near?: number): LearnedCurve | null {
  // below the threshold there is no need to fit: the curve would not be used
  if (pairs.reduce((s, p) => s + p.yb - p.ya, 0) < minGrown) return null;
  const fit = learnLagFromPairs(pairs, undefined, near);
  // a curve still below 99% after a year is not one the analysis can use (nor one a platform's export has)
  if (fit === null || fit.atBound || fit.grown < minGrown || fit.curve.horizon > MAX_HORIZON) return null;
  return { curve: fit.curve, observations: fit.conversions, grown: fit.grown, exports };
}

/** The dataset's curve from successive exports and its campaigns' own (see the module comment). */
function learnFromExports(db: Db, datasetId: number): LearnedSource | null {
  const p = exportPairs(db, datasetId);
  if (p.all.length === 0) return null;
  const dataset = fromPairs(p.all, EXPORTS_MIN_GROWN, p.exports);
  const campaigns = new Map<string, LearnedCurve>();
  if (dataset !== null) {
    for (const [c, pairs] of p.byCampaign) {
      const own = fromPairs(pairs, CAMPAIGN_MIN_GROWN, p.exports, dataset.curve.k);
      if (own) campaigns.set(c, own);
    }
  }
  return { dataset, campaigns };
}

/** The dataset's curve from its time-lag report, and its campaigns' when the report has a campaign column. */
function learnFromReport(db: Db, datasetId: number): LearnedSource | null {
  const stored = getLagReport(db, datasetId);
  if (!stored) return null;
  const parsed = reportBucketsSchema.safeParse(JSON.parse(stored.bucketsJson));
  if (!parsed.success) return null;
  const fit = fitDelayBuckets(sumBuckets(parsed.data));
  if (fit === null || fit.curve.horizon > MAX_HORIZON) return null;
  const dataset: LearnedCurve = { curve: fit.curve, observations: fit.conversions, method: fit.method, fileName: stored.fileName };
  const campaigns = new Map<string, LearnedCurve>();
  const names = new Set(parsed.data.map((b) => b.campaign).filter((c): c is string => c !== null));
  for (const c of names) {
    const own = fitDelayBuckets(sumBuckets(parsed.data.filter((b) => b.campaign === c)));
    if (own && own.conversions >= REPORT_CAMPAIGN_MIN && own.curve.horizon <= MAX_HORIZON) {
      campaigns.set(c, { curve: own.curve, observations: own.conversions, method: own.method, fileName: stored.fileName });
    }
  }
  return { dataset, campaigns };
}

/**
 * What the dataset's report and exports say about its conversion lag (either may be null), cached by the data
 * revision (an import, a removed upload or a report bumps it).
 */
export function learnedLag(db: Db, datasetId: number): LearnedLag {
  const key = `${revisionKey(db)}:${datasetId}`;
  return cache.getOrCompute(key, () => ({ report: learnFromReport(db, datasetId), exports: learnFromExports(db, datasetId) }));
}
