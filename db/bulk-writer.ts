import "server-only";
import Database from "better-sqlite3";
import type { ObservationRow, OrderRow, RowSink } from "@/lib/types/ingest-rows";
import { SOURCES, type Source } from "./schema";
import { BUSY_TIMEOUT_MS, configureConnection, type Db } from "./client";
import { forgetSeries } from "./series";

/**
 * The SQLite side of a bulk import: the connection it writes through, the row sink that writes the rows in
 * multi-row INSERTs, and the secondary indexes dropped and rebuilt around a large load.
 */

/**
 * The connection the import writes through: its own connection to the same file, so the open transaction (which
 * spans many event-loop turns while the file streams in) never captures statements the rest of the app runs on
 * the shared connection. An in-memory database has only the one connection.
 */
export function openWriter(db: Db): { conn: Database.Database; close: () => void } {
  const client = db.$client;
  if (client.memory) return { conn: client, close: () => {} };
  const conn = new Database(client.name, { timeout: BUSY_TIMEOUT_MS });
  configureConnection(conn);
  // Rows reference the dataset row this transaction created; checking that per row costs a lookup each.
  conn.pragma("foreign_keys = OFF");
  // Let SQLite's sorter use a helper thread when it rebuilds an index after a bulk load.
  conn.pragma("threads = 2");
  // SQLite's own default page cache (better-sqlite3 builds it with 16 MB). The sorter cuts its input into runs of
  // the cache's size: 2 MB runs are sorted by the helper threads while the main thread keeps scanning, and each
  // fits in the CPU caches. Measured on 1M rows (2 cores, busy): index rebuild ~570 -> ~360 ms, peak RSS 202 ->
  // 149 MB; the inserts and the commit did not change. A larger cache made the rebuild slower.
  conn.pragma("cache_size = -2000");
  return { conn, close: () => conn.close() };
}

/** Tables whose secondary indexes are dropped and rebuilt around a bulk load. */
export type TargetTable = "observations" | "orders";

/**
 * A bulk load into a table with a secondary index whose key is not in insertion order (campaign, then date) pays a
 * B-tree rebalance every few rows; building the index once afterwards (a sort) is several times cheaper. Worth it
 * when the new rows are a large share of the table (the rebuild re-reads every row of every dataset).
 */
export function shouldRebuildIndexes(conn: Database.Database, table: TargetTable, estimatedRows: number): boolean {
  if (estimatedRows < 20_000) return false;
  const { m } = conn.prepare(`SELECT COALESCE(MAX(id), 0) AS m FROM ${table}`).get() as { m: number };
  return estimatedRows * 4 >= m;
}

/**
 * Indexes a load leaves in place: observations_replaced holds only superseded row versions, and every row is written
 * live, so the load adds nothing to it; rebuilding it would scan the whole table to find the few it holds (about
 * 0.1 s per million rows).
 */
const KEPT_DURING_LOAD = new Set(["observations_replaced"]);

/** Drops a table's secondary indexes inside the open transaction and returns the SQL that recreates them. */
export function dropIndexes(conn: Database.Database, table: TargetTable): string[] {
  const rows = (
    conn.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").all(table) as {
      name: string;
      sql: string;
    }[]
  ).filter((r) => !KEPT_DURING_LOAD.has(r.name));
  for (const r of rows) conn.exec(`DROP INDEX "${r.name.replace(/"/g, '""')}"`);
  return rows.map((r) => r.sql);
}

/** Rows per multi-row INSERT statement (12 parameters at most: well under SQLite's 32,766 bound parameters). */
const BATCH_ROWS = 256;
/**
 * Batches between two reads of the pages the transaction changed before the load (see `warmStatement`). A batch
 * of 256 observations fills about 6 pages, and the writer's cache holds about 450: a page read every 8 batches is
 * always near the head of the cache's dirty list, far from the tail that is spilled.
 */
const WARM_EVERY_BATCHES = 8;

/**
 * A read of every page that the import's transaction changes before the load and again after it: the schema (a
 * dropped index is recreated), the dataset's row and the upload's row with their indexes, and the rejected rows'
 * last pages (a rejection may come at any time). Why: when the page cache is full, SQLite writes its least recently
 * used dirty page to the write-ahead log; a page written there and then changed again in the same transaction is
 * written over in place, and at the commit SQLite then re-reads every frame of the log from that one on to redo
 * their checksums. One early page changed at the end made the commit of a 1,000,000-row import re-read the whole
 * 115 MB log (about 0.6 s of a 3.2 s import, measured with strace: 28,338 reads of 4,120 bytes). Reading a dirty
 * page moves it to the head of the cache's dirty list, so these pages are never the ones spilled.
 */
function warmStatement(conn: Database.Database, table: TargetTable): Database.Statement {
  const rows = table === "orders" ? "orders" : "observations";
  return conn.prepare(
    `SELECT
       (SELECT count(*) FROM sqlite_master WHERE sql IS NOT NULL),
       (SELECT length(summary_json) FROM datasets WHERE id = @d),
       (SELECT count(*) FROM datasets WHERE sha256 = (SELECT sha256 FROM datasets WHERE id = @d)),
       (SELECT length(totals_before_json) FROM dataset_uploads WHERE id = @u),
       (SELECT count(*) FROM dataset_uploads WHERE dataset_id = @d),
       (SELECT count(*) FROM dataset_uploads WHERE sha256 = (SELECT sha256 FROM dataset_uploads WHERE id = @u)),
       (SELECT max(id) FROM rejected_rows),
       (SELECT max(line) FROM rejected_rows WHERE dataset_id = @d),
       (SELECT max(id) FROM ${rows})`,
  );
}
/** Bound in place of period_end when it equals period_start (see the INSERT in SqliteRowSink's constructor). */
const SAME_AS_START = 0;

/** The dataset the rows belong to, and which optional columns the file has (the INSERT binds only those). */
export interface SqliteSinkOptions {
  datasetId: number;
  /** The dataset_uploads row the rows are tagged with (observations and rejected rows). */
  uploadId: number;
  /** The platform of the upload, written on every observation row (a constant of the INSERT, not a parameter). */
  source: Source;
  table: TargetTable;
  segment: boolean;
  conversionsAlt: boolean;
  revenue: boolean;
}

/**
 * Writes an import's rows inside the caller's open transaction: rows are queued into one parameter array and written
 * BATCH_ROWS at a time by one prepared multi-row INSERT (one statement call per batch instead of one per row).
 */
export class SqliteRowSink implements RowSink {
  private readonly batchStmt: Database.Statement;
  private readonly oneStmt: Database.Statement;
  private readonly rejectStmt: Database.Statement;
  /** Parameters of the batch being filled (`width` per row), and the next free slot. */
  private readonly params: unknown[];
  private k = 0;
  private readonly width: number;
  private readonly warmStmt: Database.Statement;
  private readonly warmArgs: { d: number; u: number };
  private batches = 0;

  constructor(
    private readonly conn: Database.Database,
    private readonly opts: SqliteSinkOptions,
  ) {
    const id = Math.trunc(opts.datasetId);
    const uploadId = Math.trunc(opts.uploadId);
    // one of SOURCES, checked here because it is written into the statement's text
    if (!SOURCES.includes(opts.source)) throw new Error(`unknown source ${String(opts.source)}`);
    let cols: string[];
    let exprs: string[];
    let bound = 0;
    const next = () => `column${++bound}`;
    if (opts.table === "orders") {
      cols = ["dataset_id", "campaign", "date", "order_id", "value", "line"];
      exprs = [String(id), next(), next(), next(), next(), next()];
    } else {
      cols = ["dataset_id", "upload_id", "source", "campaign", "segment", "period_start", "period_end", "impressions", "clicks", "conversions", "conversions_alt", "spend", "revenue", "line"];
      const campaign = next();
      const segment = opts.segment ? next() : "''";
      const start = next();
      // SAME_AS_START (a number, never a date string) stands for "period_end = period_start": one string less to bind
      const end = `CASE ${next()} WHEN ${SAME_AS_START} THEN ${start} ELSE column${bound} END`;
      exprs = [String(id), String(uploadId), `'${opts.source}'`, campaign, segment, start, end, next(), next(), next(), opts.conversionsAlt ? next() : "NULL", next(), opts.revenue ? next() : "NULL", next()];
    }
    this.width = bound;
    const tuple = `(${Array(bound).fill("?").join(",")})`;
    const head = `INSERT INTO ${opts.table} (${cols.join(",")}) SELECT ${exprs.join(",")} FROM (VALUES `;
    this.batchStmt = conn.prepare(`${head}${Array(BATCH_ROWS).fill(tuple).join(",")})`);
    this.oneStmt = conn.prepare(`${head}${tuple})`);
    this.rejectStmt = conn.prepare(`INSERT INTO rejected_rows (dataset_id, upload_id, line, raw, reason) VALUES (?, ${uploadId}, ?, ?, ?)`);
    this.params = new Array<unknown>(BATCH_ROWS * this.width);
    this.warmStmt = warmStatement(conn, opts.table);
    this.warmArgs = { d: id, u: uploadId };
    // the rows written change the dataset's live rows: its packed copy goes in the same transaction (this connection
    // has foreign keys off, so a cascade would not take it)
    if (opts.table === "observations") forgetSeries(conn, id);
  }

  observation(row: ObservationRow): void {
    const p = this.params;
    let k = this.k;
    p[k++] = row.campaign;
    if (this.opts.segment) p[k++] = row.segment;
    p[k++] = row.periodStart;
    p[k++] = row.periodEnd === row.periodStart && row.periodEnd !== null ? SAME_AS_START : row.periodEnd;
    p[k++] = row.impressions;
    p[k++] = row.clicks;
    p[k++] = row.conversions;
    if (this.opts.conversionsAlt) p[k++] = row.conversionsAlt;
    p[k++] = row.spend;
    if (this.opts.revenue) p[k++] = row.revenue;
    p[k++] = row.line;
    this.k = k;
    if (k === p.length) this.flush();
  }

  order(row: OrderRow): void {
    const p = this.params;
    let k = this.k;
    p[k++] = row.campaign;
    p[k++] = row.date;
    p[k++] = row.orderId;
    p[k++] = row.value;
    p[k++] = row.line;
    this.k = k;
    if (k === p.length) this.flush();
  }

  rejected(line: number, raw: string, reason: string): void {
    this.rejectStmt.run(this.opts.datasetId, line, raw, reason);
  }

  /** Writes the last, partial batch. */
  finish(): void {
    const w = this.width;
    for (let i = 0; i < this.k; i += w) this.oneStmt.run(this.params.slice(i, i + w));
    this.k = 0;
  }

  distinctCampaigns(): number {
    // the rows of this upload (a dataset grown by several uploads is counted by the importer over its live rows)
    const byUpload = this.opts.table === "observations" ? " AND upload_id = ?" : "";
    const args = this.opts.table === "observations" ? [this.opts.datasetId, this.opts.uploadId] : [this.opts.datasetId];
    const r = this.conn.prepare(`SELECT COUNT(DISTINCT campaign) AS n FROM ${this.opts.table} WHERE dataset_id = ?${byUpload}`).get(...args) as { n: number };
    return r.n;
  }

  private flush(): void {
    // spread, not an array: better-sqlite3 reads call arguments directly but an array element by element through
    // V8's generic property access (measured: ~800 ms of inserts per million rows with an array, ~570 ms spread)
    this.batchStmt.run(...this.params);
    this.k = 0;
    if (++this.batches % WARM_EVERY_BATCHES === 0) this.warmStmt.get(this.warmArgs);
  }
}
