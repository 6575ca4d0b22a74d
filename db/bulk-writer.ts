import "server-only";
import Database from "better-sqlite3";
import { BUSY_TIMEOUT_MS, configureConnection, type Db } from "./client";

/**
 * The SQLite side of a bulk import: the connection it writes through, and the secondary indexes dropped and rebuilt
 * around a large load. The rows themselves are written by the import's row sink (lib/ingest/row-sink.ts) through
 * statements prepared on this connection.
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

/** Drops a table's secondary indexes inside the open transaction and returns the SQL that recreates them. */
export function dropIndexes(conn: Database.Database, table: TargetTable): string[] {
  const rows = conn
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
    .all(table) as { name: string; sql: string }[];
  for (const r of rows) conn.exec(`DROP INDEX "${r.name.replace(/"/g, '""')}"`);
  return rows.map((r) => r.sql);
}
