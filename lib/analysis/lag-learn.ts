import "server-only";
/**
 * Learning a dataset's completeness curve F(age) from what it holds: its time-lag report (lag_reports) or the same
 * days read in its successive exports (every version of a row kept by db/uploads.ts). resolveLag (./lag.ts) decides
 * which curve an analysis uses.
 *
 * Successive exports. An upload's as-of date is counted the way ./lag.ts counts a dataset's: the later of the upload's
 * last day and the day before it was imported (an export is read at the end of its newest day; a file of last year
 * imported today holds complete days). A row version of day t written by upload u was read at age
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
import { dataRevision } from "@/db/queries";
import { learnLagFromPairs, type LagCurve, type LagPair } from "@/lib/engine/lag";
import { fitDelayBuckets } from "@/lib/engine/lag-report";
import { reportBucketsSchema, sumBuckets } from "@/lib/ingest/lag-report";
import { asOfDate, dayAge } from "./as-of";

/** Conversions that must be seen arriving between readings for the dataset's learned curve to be used. */
const EXPORTS_MIN_GROWN = 20;
/** The same for a campaign's own curve. */
const CAMPAIGN_MIN_GROWN = 50;
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

/** As-of date of each upload (see the module comment); null for an upload without dates. */
function uploadAsOf(uploads: readonly UploadDates[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const u of uploads) {
    const asOf = asOfDate(u.periodEnd, u.importedAt);
    if (asOf !== null) out.set(u.id, asOf);
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

/** The pairs of successive readings of a dataset's rows, summed by (a, b): for the dataset and per campaign. */
export function exportPairs(db: Db, datasetId: number): { all: LagPair[]; byCampaign: Map<string, LagPair[]>; exports: number; decreases: number } {
  const conn = db.$client;
  const asOf = uploadAsOf(uploadDates(conn, datasetId));
  const versions = rowVersions(conn, datasetId);
  const all = new Map<string, LagPair>();
  const byCampaign = new Map<string, Map<string, LagPair>>();
  const used = new Set<number>();
  let decreases = 0;
  const add = (m: Map<string, LagPair>, a: number, b: number, ya: number, yb: number) => {
    const key = `${a}:${b}`;
    const s = m.get(key);
    if (s) {
      s.ya += ya;
      s.yb += yb;
    } else m.set(key, { a, b, ya, yb });
  };
  // the readings of one key: age -> [count, upload]
  let readings = new Map<number, [number, number]>();
  const flush = (campaign: string) => {
    if (readings.size < 2) return;
    const sorted = [...readings.entries()].sort((x, y) => x[0] - y[0]);
    let own = byCampaign.get(campaign);
    if (!own) byCampaign.set(campaign, (own = new Map()));
    for (let i = 0; i + 1 < sorted.length; i++) {
      const [a, [ya, ua]] = sorted[i] as [number, [number, number]];
      const [b, [yb, ub]] = sorted[i + 1] as [number, [number, number]];
      if (ya > yb) decreases++;
      const y = Math.min(ya, yb);
      add(all, a, b, y, yb);
      add(own, a, b, y, yb);
      used.add(ua);
      used.add(ub);
    }
  };
  let prev: RowVersion | null = null;
  for (const v of versions) {
    if (prev === null || v[0] !== prev[0] || v[1] !== prev[1] || v[2] !== prev[2]) {
      if (prev !== null) flush(prev[0]);
      readings = new Map();
    }
    prev = v;
    const day = asOf.get(v[4]);
    if (day === undefined) continue;
    const age = dayAge(v[2], day);
    if (!(age >= 0 && age <= 3650)) continue;
    const count = Math.round(v[3]);
    const old = readings.get(age);
    // two uploads with the same as-of date: the later upload's reading (versions come by upload id)
    if (!old || old[1] < v[4]) readings.set(age, [count, v[4]]);
  }
  if (prev !== null) flush(prev[0]);
  return {
    all: [...all.values()],
    byCampaign: new Map([...byCampaign].map(([c, m]) => [c, [...m.values()]])),
    exports: used.size,
    decreases,
  };
}

type RowVersion = ReturnType<typeof rowVersions>[number];

/** The curve learned from pairs when it is bounded and at least `minGrown` conversions were seen arriving. */
function fromPairs(pairs: readonly LagPair[], minGrown: number, exports: number): LearnedCurve | null {
  const fit = learnLagFromPairs(pairs);
  if (fit === null || fit.atBound || fit.grown < minGrown) return null;
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
      const own = fromPairs(pairs, CAMPAIGN_MIN_GROWN, p.exports);
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
  if (fit === null) return null;
  const dataset: LearnedCurve = { curve: fit.curve, observations: fit.conversions, method: fit.method, fileName: stored.fileName };
  const campaigns = new Map<string, LearnedCurve>();
  const names = new Set(parsed.data.map((b) => b.campaign).filter((c): c is string => c !== null));
  for (const c of names) {
    const own = fitDelayBuckets(sumBuckets(parsed.data.filter((b) => b.campaign === c)));
    if (own && own.conversions >= REPORT_CAMPAIGN_MIN) {
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
  const key = `rev${dataRevision(db)}:${datasetId}`;
  return cache.getOrCompute(key, () => ({ report: learnFromReport(db, datasetId), exports: learnFromExports(db, datasetId) }));
}
