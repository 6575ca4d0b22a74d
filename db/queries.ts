import "server-only";
import type Database from "better-sqlite3";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "./client";
import { appMeta, datasets, datasetUploads, lagReports, observations, orders, SOURCES, sourceOfFormat, type Dataset, type Source } from "./schema";
import { readSeries, SeriesBuilder, storeSeries } from "./series";
import { deleteObservations, uploadSources } from "./uploads";
import type { ImportSummary } from "@/lib/types/ingest";

/** A dataset as listed to users (no internal JSON blobs). */
export interface DatasetListItem {
  id: number;
  name: string;
  fileName: string;
  format: Dataset["sourceFormat"];
  currency: string | null;
  isSample: boolean;
  periodStart: string | null;
  periodEnd: string | null;
  rowsImported: number;
  rowsRejected: number;
  createdAt: string;
  kind: ImportSummary["kind"];
  campaigns: number;
  totals: ImportSummary["totals"];
  /** The sources (platforms, SOURCES keys) of its uploads, in SOURCES order. */
  sources: Source[];
}

function parseSummary(row: Dataset): ImportSummary {
  return JSON.parse(row.summaryJson) as ImportSummary;
}

function toListItem(row: Dataset, sources: Source[]): DatasetListItem {
  const s = parseSummary(row);
  return {
    id: row.id,
    name: row.name,
    fileName: row.fileName,
    format: row.sourceFormat,
    currency: row.currency,
    isSample: row.isSample,
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    rowsImported: row.rowsImported,
    rowsRejected: row.rowsRejected,
    createdAt: row.createdAt,
    kind: s.kind,
    campaigns: s.campaigns,
    totals: s.totals,
    sources,
  };
}

export function listDatasets(db: Db): DatasetListItem[] {
  const formats = db.selectDistinct({ id: datasetUploads.datasetId, format: datasetUploads.sourceFormat }).from(datasetUploads).all();
  const byDataset = new Map<number, Set<Source>>();
  for (const f of formats) {
    let set = byDataset.get(f.id);
    if (!set) byDataset.set(f.id, (set = new Set()));
    set.add(sourceOfFormat(f.format));
  }
  return db
    .select()
    .from(datasets)
    .where(eq(datasets.status, "ready"))
    .orderBy(desc(datasets.id))
    .all()
    .map((row) => toListItem(row, SOURCES.filter((x) => byDataset.get(row.id)?.has(x))));
}

export function getDatasetRow(db: Db, id: number): Dataset | undefined {
  return db.select().from(datasets).where(eq(datasets.id, id)).get();
}

/**
 * Whether a dataset has a campaign of one of these names, matched exactly against the campaigns of its exposure rows
 * or, for an order list, of its orders. Uses the (dataset_id, campaign) indexes of both tables.
 */
export function datasetHasCampaign(db: Db, datasetId: number, names: readonly string[]): boolean {
  if (names.length === 0) return false;
  const live = db
    .select({ campaign: observations.campaign })
    .from(observations)
    .where(and(eq(observations.datasetId, datasetId), inArray(observations.campaign, [...names]), isNull(observations.supersededBy)))
    .limit(1)
    .get();
  if (live) return true;
  const order = db
    .select({ campaign: orders.campaign })
    .from(orders)
    .where(and(eq(orders.datasetId, datasetId), inArray(orders.campaign, [...names])))
    .limit(1)
    .get();
  return order !== undefined;
}

export function getDataset(db: Db, id: number): (DatasetListItem & { summary: ImportSummary }) | undefined {
  const row = getDatasetRow(db, id);
  if (!row) return undefined;
  return { ...toListItem(row, uploadSources(db.$client, id)), summary: parseSummary(row) };
}

/**
 * Deletes a dataset and (by cascade) its uploads, observations, orders, rejected rows and campaign series, and bumps
 * the data revision in the same transaction. Returns the sha256 of its bytes and of every file imported into it, or null.
 */
export function deleteDataset(db: Db, id: number): { sha256: string; uploads: string[] } | null {
  return db.$client.transaction(() => {
    const row = getDatasetRow(db, id);
    if (!row) return null;
    const uploads = db.select({ sha256: datasetUploads.sha256 }).from(datasetUploads).where(eq(datasetUploads.datasetId, id)).all();
    // the time-lag report's bytes go with the dataset too (its row goes by cascade)
    uploads.push(...db.select({ sha256: lagReports.sha256 }).from(lagReports).where(eq(lagReports.datasetId, id)).all());
    // its observations first, in one pass in storage order (the cascade would find them through no index)
    deleteObservations(db.$client, id);
    db.delete(datasets).where(eq(datasets.id, id)).run();
    bumpDataRevision(db.$client);
    return { sha256: row.sha256, uploads: [...new Set(uploads.map((u) => u.sha256))] };
  })();
}

/** app_meta key of the global data revision. */
export const DATA_REVISION_KEY = "data_revision";

/**
 * Bumps the global data revision (app_meta `data_revision`, an integer counting writes; absent = 0). Call it inside
 * the transaction of every write that changes what an analysis reads (import, re-import with another mapping,
 * delete, order lists, a dataset's currency): the new revision then becomes visible to readers together with the
 * data, in this process and in any other writing the same file (server and CLI).
 *
 * @param conn - the connection that holds the open transaction (the import's own writer, or db.$client)
 */
export function bumpDataRevision(conn: Database.Database): void {
  conn
    .prepare(
      `INSERT INTO app_meta (key, value) VALUES (?, '1')
       ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT),
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
    )
    .run(DATA_REVISION_KEY);
}

const revisionStatements = new WeakMap<Database.Database, Database.Statement>();

/**
 * The global data revision: one indexed lookup on a prepared statement (a few microseconds), read per request so
 * that a write by another process is seen at once. 0 before the first write.
 */
export function dataRevision(db: Db): number {
  const conn = db.$client;
  let stmt = revisionStatements.get(conn);
  if (!stmt) revisionStatements.set(conn, (stmt = conn.prepare("SELECT value FROM app_meta WHERE key = ?").pluck()));
  const v = stmt.get(DATA_REVISION_KEY) as string | undefined;
  return v === undefined ? 0 : Number(v);
}

const connectionIds = new WeakMap<Database.Database, number>();
let lastConnectionId = 0;

/**
 * What every cached result derived from stored data is keyed by: the data revision and the connection it was read
 * through ("rev12@1"). The revision moves with every write; the connection tells apart two databases open in one
 * process (tests, tools) that stand at the same revision, whose answers would otherwise be taken for each other's.
 * @example revisionKey(db) // "rev12@1"
 */
export function revisionKey(db: Db): string {
  const conn = db.$client;
  let id = connectionIds.get(conn);
  if (id === undefined) connectionIds.set(conn, (id = ++lastConnectionId));
  return `rev${dataRevision(db)}@${id}`;
}

export function countDatasets(db: Db): number {
  const r = db.select({ n: sql<number>`count(*)` }).from(datasets).get();
  return r?.n ?? 0;
}

export function getMeta(db: Db, key: string): string | undefined {
  return db.select().from(appMeta).where(eq(appMeta.key, key)).get()?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.insert(appMeta)
    .values({ key, value })
    .onConflictDoUpdate({ target: appMeta.key, set: { value, updatedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))` } })
    .run();
}

const orderStatements = new WeakMap<Database.Database, { any: Database.Statement; own: Database.Statement; shared: Database.Statement }>();

/**
 * Order values grouped by campaign, for the campaigns named: from this dataset when it holds orders itself, else from
 * the order lists (ready datasets) whose campaigns match. Filtered in SQL (the campaigns as one JSON parameter, the
 * (dataset_id, campaign) index for the own orders), each campaign's values in row order.
 */
export function getOrderValues(db: Db, datasetId: number, campaigns: string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (campaigns.length === 0) return out;
  const conn = db.$client;
  let stmts = orderStatements.get(conn);
  if (!stmts) {
    stmts = {
      any: conn.prepare("SELECT 1 FROM orders WHERE dataset_id = ? LIMIT 1").pluck(),
      own: conn.prepare(
        `SELECT campaign, value FROM orders
         WHERE dataset_id = ? AND campaign IN (SELECT value FROM json_each(?)) ORDER BY id`,
      ),
      shared: conn.prepare(
        `SELECT o.campaign AS campaign, o.value AS value FROM orders o JOIN datasets d ON d.id = o.dataset_id
         WHERE d.status = 'ready' AND o.campaign IN (SELECT value FROM json_each(?)) ORDER BY o.id`,
      ),
    };
    orderStatements.set(conn, stmts);
  }
  const wanted = JSON.stringify(campaigns);
  const rows = (
    stmts.any.get(datasetId) !== undefined ? stmts.own.all(datasetId, wanted) : stmts.shared.all(wanted)
  ) as { campaign: string; value: number }[];
  for (const r of rows) {
    let list = out.get(r.campaign);
    if (!list) out.set(r.campaign, (list = []));
    list.push(r.value);
  }
  return out;
}

/**
 * One observation row of a campaign as better-sqlite3 returns it in raw mode (no object per row):
 * [periodStart, periodEnd, impressions, clicks, conversions, spend, revenue].
 */
export type CampaignObservationRow = [string | null, string | null, number | null, number, number, number, number | null];

interface CampaignStatements {
  rowCount: Database.Statement;
  names: Database.Statement;
  rows: Database.Statement;
  sourceNames: Database.Statement;
  sourceRows: Database.Statement;
}

const campaignStatements = new WeakMap<Database.Database, CampaignStatements>();

const ROW_COLUMNS = "period_start, period_end, impressions, clicks, conversions, spend, revenue";

/**
 * A dataset's live observation rows (superseded versions left out: db/uploads.ts) one campaign at a time, campaigns in
 * name order and each campaign's rows by period then id, read through the partial index observations_live; with
 * `only`, just those campaigns; with `source`, only the rows of that source (db/schema.ts SOURCES). One campaign's rows
 * are in memory at a time and come as arrays: on 1,000 campaigns x 365 days this read costs a third of reading all
 * rows as objects at once (0.36 s against 1.1 s of CPU), most of which was the garbage collector's.
 *
 * Without `source`, the rows come from the dataset's campaign series (db/series.ts: one blob, the same arrays) when it
 * has one. A read of the whole dataset from SQL (no `only`, no `source`) that runs to its end stores the series for
 * the next reads, unless a write committed while it read.
 */
export function* getObservationsByCampaign(
  db: Db,
  datasetId: number,
  only?: readonly string[],
  source?: string,
): Generator<{ campaign: string; rows: CampaignObservationRow[] }> {
  const conn = db.$client;
  let s = campaignStatements.get(conn);
  if (!s) {
    const live = "FROM observations WHERE dataset_id = ? AND superseded_by IS NULL";
    s = {
      rowCount: conn.prepare("SELECT rows_imported FROM datasets WHERE id = ?").pluck(),
      names: conn.prepare(`SELECT DISTINCT campaign ${live} ORDER BY campaign`).pluck(),
      rows: conn.prepare(`SELECT ${ROW_COLUMNS} ${live} AND campaign = ? ORDER BY period_start, id`).raw(true),
      sourceNames: conn.prepare(`SELECT DISTINCT campaign ${live} AND source = ? ORDER BY campaign`).pluck(),
      sourceRows: conn.prepare(`SELECT ${ROW_COLUMNS} ${live} AND campaign = ? AND source = ? ORDER BY period_start, id`).raw(true),
    };
    campaignStatements.set(conn, s);
  }
  if (source === undefined) {
    const series = readSeries(conn, datasetId);
    if (series) {
      yield* series.campaigns(only);
      return;
    }
  }
  // A read of the whole dataset packs the rows as it yields them, into columns sized by the dataset's live row count
  // (rows_imported, a hint only); the revision, read before the rows, tells whether a write committed meanwhile.
  const builder = source === undefined && only === undefined ? new SeriesBuilder(Number(s.rowCount.get(datasetId) ?? 0)) : null;
  const revision = builder ? dataRevision(db) : 0;
  // `only`: just these campaigns (those the dataset has), still in name order
  const names = (source === undefined ? s.names.all(datasetId) : s.sourceNames.all(datasetId, source)) as string[];
  for (const campaign of only ? names.filter((n) => only.includes(n)) : names) {
    const rows = (source === undefined ? s.rows.all(datasetId, campaign) : s.sourceRows.all(datasetId, campaign, source)) as CampaignObservationRow[];
    builder?.add(campaign, rows);
    yield { campaign, rows };
  }
  const packed = builder?.finish();
  if (packed) storeSeries(conn, datasetId, packed, () => dataRevision(db) === revision);
}

/** One source's live figures in a dataset: sums, distinct campaigns and distinct days (dated rows). */
export interface SourceFigures {
  source: string;
  /** Counts; conversions may be fractional (attribution). */
  clicks: number;
  conversions: number;
  /** Currency amounts in the dataset's currency; revenue null when no row of the source states it. */
  spend: number;
  revenue: number | null;
  campaigns: number;
  /** Distinct dates of the source's dated rows (count; 0 for undated files). */
  days: number;
}

/** A dataset's live figures per source, in source-key order (one pass over its live rows, grouped by source). */
export function getSourceFigures(db: Db, datasetId: number): SourceFigures[] {
  return db.$client
    .prepare(
      `SELECT source, coalesce(sum(clicks), 0) AS clicks, coalesce(sum(conversions), 0) AS conversions,
         coalesce(sum(spend), 0) AS spend, sum(revenue) AS revenue, count(DISTINCT campaign) AS campaigns,
         count(DISTINCT CASE WHEN period_start = period_end THEN period_start END) AS days
       FROM observations WHERE dataset_id = ? AND superseded_by IS NULL GROUP BY source ORDER BY source`,
    )
    .all(datasetId) as SourceFigures[];
}

/** Per campaign of a dataset, the sources of its live rows (in source-key order). */
export function getCampaignSources(db: Db, datasetId: number): Map<string, string[]> {
  const rows = db.$client
    .prepare("SELECT DISTINCT campaign, source FROM observations WHERE dataset_id = ? AND superseded_by IS NULL ORDER BY campaign, source")
    .raw(true)
    .all(datasetId) as [string, string][];
  const out = new Map<string, string[]>();
  for (const [campaign, source] of rows) {
    const list = out.get(campaign);
    if (list) list.push(source);
    else out.set(campaign, [source]);
  }
  return out;
}

const segmentStatements = new WeakMap<Database.Database, { names: Database.Statement; rows: Database.Statement }>();

/**
 * The segments (ads, ad sets, keywords: the file's segment column) of one campaign, in name order, and one
 * segment's observation rows as raw arrays like getObservationsByCampaign's, by period then id; with `source`, only
 * the rows of that source (db/schema.ts SOURCES).
 */
export function getCampaignSegments(db: Db, datasetId: number, campaign: string, source?: string): string[] {
  return segmentQueries(db).names.all({ d: datasetId, c: campaign, s: source ?? null }) as string[];
}

/** See getCampaignSegments. */
export function getSegmentObservations(db: Db, datasetId: number, campaign: string, segment: string, source?: string): CampaignObservationRow[] {
  return segmentQueries(db).rows.all({ d: datasetId, c: campaign, g: segment, s: source ?? null }) as CampaignObservationRow[];
}

function segmentQueries(db: Db): { names: Database.Statement; rows: Database.Statement } {
  const conn = db.$client;
  let s = segmentStatements.get(conn);
  if (!s) {
    const live = "FROM observations WHERE dataset_id = @d AND campaign = @c AND superseded_by IS NULL AND (@s IS NULL OR source = @s)";
    s = {
      names: conn.prepare(`SELECT DISTINCT segment ${live} ORDER BY segment`).pluck(),
      rows: conn
        .prepare(`SELECT period_start, period_end, impressions, clicks, conversions, spend, revenue ${live} AND segment = @g ORDER BY period_start, id`)
        .raw(true),
    };
    segmentStatements.set(conn, s);
  }
  return s;
}
