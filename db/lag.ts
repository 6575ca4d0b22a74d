import "server-only";
import type Database from "better-sqlite3";
import type { Db } from "./client";
import { bumpDataRevision } from "./queries";

/*
 * What the conversion-lag learners read: every stored version of a dataset's daily rows (live and superseded, each
 * with the upload that wrote it) and the dataset's time-lag report (lag_reports). Every function runs on the
 * connection given and inside the caller's transaction when there is one.
 */

/** An upload of a dataset as the lag learner needs it: its last day and when it was imported. */
export interface UploadDates {
  id: number;
  /** Last day of the file's rows (ISO date), null without dates. */
  periodEnd: string | null;
  /** ISO timestamp (UTC). */
  importedAt: string;
}

/** The uploads of a dataset, oldest first. */
export function uploadDates(conn: Database.Database, datasetId: number): UploadDates[] {
  return conn
    .prepare("SELECT id, period_end AS periodEnd, imported_at AS importedAt FROM dataset_uploads WHERE dataset_id = ? ORDER BY id")
    .all(datasetId) as UploadDates[];
}

/** One version of a daily row, raw: [campaign, segment, day (days since 1970-01-01), conversions, uploadId]. */
export type RowVersion = [string, string, number, number, number];

/**
 * Every version of a dataset's one-day rows (period_start = period_end, or no end), live and superseded, with the
 * upload that wrote it, in storage order (no sort). Rows of several days (a report with one row per period) and rows
 * without an upload are left out. One pass over the table, not through an index: reading the versions through
 * an index looks each row up in the table, which cost ten times the scan (a 100-campaign account
 * after 52 weekly exports holds 556,500 versions: 1.6 s of CPU through the index, 0.14 s scanned, before the rows
 * reach JavaScript). Raw arrays, iterated (no array of all rows held at once).
 */
export function rowVersions(conn: Database.Database, datasetId: number): IterableIterator<RowVersion> {
  return conn
    .prepare(
      `SELECT campaign, segment, unixepoch(period_start) / 86400, conversions, upload_id FROM observations NOT INDEXED
       WHERE dataset_id = ? AND upload_id IS NOT NULL AND period_start IS NOT NULL
         AND (period_end IS NULL OR period_end = period_start)`,
    )
    .raw(true)
    .iterate(datasetId) as IterableIterator<RowVersion>;
}

/** A dataset's time-lag report as stored. */
export interface StoredLagReport {
  id: number;
  datasetId: number;
  fileName: string;
  sha256: string;
  sizeBytes: number;
  bucketsJson: string;
  rejectedJson: string;
  createdAt: string;
}

const REPORT_COLUMNS = `id, dataset_id AS datasetId, file_name AS fileName, sha256, size_bytes AS sizeBytes,
  buckets_json AS bucketsJson, rejected_json AS rejectedJson, created_at AS createdAt`;

/** The dataset's time-lag report, or undefined. */
export function getLagReport(db: Db, datasetId: number): StoredLagReport | undefined {
  return db.$client.prepare(`SELECT ${REPORT_COLUMNS} FROM lag_reports WHERE dataset_id = ?`).get(datasetId) as StoredLagReport | undefined;
}

/**
 * Stores a dataset's time-lag report in one transaction, replacing the one it had, and bumps the data revision (so
 * every cached analysis of it is recomputed). Returns the new report and the sha256 of the one it replaced, if any.
 */
export function putLagReport(
  db: Db,
  r: Pick<StoredLagReport, "datasetId" | "fileName" | "sha256" | "sizeBytes" | "bucketsJson" | "rejectedJson">,
): { report: StoredLagReport; replaced: string | null } {
  const conn = db.$client;
  return conn.transaction(() => {
    const old = getLagReport(db, r.datasetId);
    conn.prepare("DELETE FROM lag_reports WHERE dataset_id = ?").run(r.datasetId);
    conn
      .prepare(
        `INSERT INTO lag_reports (dataset_id, file_name, sha256, size_bytes, buckets_json, rejected_json) VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(r.datasetId, r.fileName, r.sha256, r.sizeBytes, r.bucketsJson, r.rejectedJson);
    bumpDataRevision(conn);
    return { report: getLagReport(db, r.datasetId) as StoredLagReport, replaced: old && old.sha256 !== r.sha256 ? old.sha256 : null };
  })();
}

/** Removes a dataset's time-lag report (bumping the data revision); returns its sha256, or null when it had none. */
export function deleteLagReport(db: Db, datasetId: number): string | null {
  const conn = db.$client;
  return conn.transaction(() => {
    const old = getLagReport(db, datasetId);
    if (!old) return null;
    conn.prepare("DELETE FROM lag_reports WHERE dataset_id = ?").run(datasetId);
    bumpDataRevision(conn);
    return old.sha256;
  })();
}
