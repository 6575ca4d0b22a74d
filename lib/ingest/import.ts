import "server-only";
import type Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import { dropIndexes, openWriter, shouldRebuildIndexes, type TargetTable } from "@/db/bulk-writer";
import { checkpoint, type Db } from "@/db/client";
import { bumpDataRevision } from "@/db/queries";
import { datasets, type Dataset } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { inspectFile, type FileLayout } from "./detect";
import { publicMapping, sameMapping } from "./headers";
import { deleteObservations, finishUpload, startUpload } from "@/db/uploads";
import { beginImmediate, withImportLock } from "./import-lock";
import { writeInto } from "./grow";
import { checkCurrency, loadRows, NO_ROWS, uploadOf } from "./load";
import { dateOrderUncertain, warningText, type ImportWarning } from "./messages";
import { lineBreaksIn, quoteFree, streamDataRows } from "./streams";
import type { ImportSummary, Mapping } from "@/lib/types/ingest";

export { withWriteTurn } from "./import-lock";

export interface ImportOptions {
  /** The stored upload (uploads/<sha256>). */
  path: string;
  sha256: string;
  fileName: string;
  sizeBytes: number;
  /** Dataset name; defaults to the file name without its extension. */
  name?: string;
  /** The user's column mapping, over the detected one. */
  mapping?: Mapping;
  isSample?: boolean;
  /**
   * ISO 4217 code the user gives for a file that names no currency. When the file names another one the import is
   * refused (`currency_conflict`) and nothing is written.
   */
  currency?: string;
  /** How long to wait for another process's write to the database before answering `busy` (ms; default 120 s). */
  waitMs?: number;
  /**
   * Import into this existing dataset instead of making one (a newer export of the same account): see `writeInto`
   * for the rules. The same bytes twice into it change nothing.
   */
  intoDatasetId?: number;
  /** Called after every parsed chunk (about 64 KB); throwing from it aborts the import and rolls it back. */
  onProgress?: (p: { rowsDone: number; bytesDone: number; bytesTotal: number }) => void;
}


/** How long an import waits for another connection's write transaction by default (ms). */
const DEFAULT_WAIT_MS = 120_000;
/** After an import of at least this many rows, the write-ahead log is checkpointed and truncated. */
const CHECKPOINT_ROWS = 50_000;

/**
 * Imports a stored file into the database in ONE transaction: the dataset row, its observations (or orders),
 * and every rejected row with its line number and reason. A failure at any point (a database error, a refusal,
 * an exception from `onProgress`) rolls everything back, so there is never half a dataset.
 *
 * The same bytes again with no mapping (or the same mapping) return the stored summary with `existing: true` and
 * write nothing. The same bytes with a different mapping are re-imported into the same dataset id (its old rows
 * are replaced inside the same transaction). A file where no row survives is refused with `no_valid_rows` and
 * the first reasons; nothing is written (the stored upload stays).
 *
 * Memory stays flat in the file size: the file is streamed (papaparse chunk mode over a read stream through a
 * decoder; a file with no quote character after its header is split line by line directly, which is what
 * papaparse does with such text, and its common rows are checked without building a string per cell) and rows are
 * written in batches with reused prepared statements.
 */
export async function importFile(db: Db, opts: ImportOptions): Promise<ImportSummary> {
  return withImportLock(db.$client.name, () => importNow(db, opts));
}

async function importNow(db: Db, opts: ImportOptions): Promise<ImportSummary> {
  if (opts.intoDatasetId !== undefined) return importInto(db, opts, opts.intoDatasetId);
  const found = db.select().from(datasets).where(eq(datasets.sha256, opts.sha256)).get();
  const existing = found ? existingOf(found) : null;
  const userMapping = opts.mapping && Object.keys(opts.mapping).length > 0 ? opts.mapping : undefined;
  if (existing && existing.status === "ready" && !userMapping && currencyFits(existing, opts.currency)) return storedSummary(existing);

  const layout = await inspectFile(opts.path, { fileName: opts.fileName, mapping: userMapping, sha256: opts.sha256 });
  checkCurrency(layout.detection.currency, opts.currency);
  if (layout.dateVote.seen && !layout.dateVote.decided && !layout.wholeFileRead) await scanDateOrder(opts.path, layout);

  const writer = openWriter(db);
  try {
    return await writeDataset(writer.conn, layout, opts, userMapping !== undefined);
  } finally {
    writer.close();
  }
}

/** What the importer needs of a dataset already made from the same bytes. */
interface ExistingDataset {
  id: number;
  name: string;
  isSample: boolean;
  status: string;
  mappingJson: string;
  summaryJson: string;
}

const existingOf = (d: Dataset): ExistingDataset => ({
  id: d.id,
  name: d.name,
  isSample: d.isSample,
  status: d.status,
  mappingJson: d.mappingJson,
  summaryJson: d.summaryJson,
});

function storedSummary(row: ExistingDataset): ImportSummary {
  return { ...(JSON.parse(row.summaryJson) as ImportSummary), datasetId: row.id, existing: true };
}

/** The stored dataset answers a request for `currency` as it is (no currency asked, or the same one). */
function currencyFits(row: ExistingDataset, currency: string | undefined): boolean {
  if (currency === undefined) return true;
  return (JSON.parse(row.summaryJson) as ImportSummary).currency === currency;
}

/** Reads the whole file's date column(s) until slash dates settle day-first vs month-first (or the file ends). */
async function scanDateOrder(filePath: string, layout: FileLayout): Promise<void> {
  const cols = [layout.columns.date, layout.columns.date_end].filter((c) => c >= 0);
  let line = layout.firstDataLine;
  await streamDataRows(filePath, layout, (rows, info) => {
    for (const f of rows) {
      for (const c of cols) layout.dateVote.add(f[c] ?? "", line);
      line += info.sawQuote ? 1 + lineBreaksIn(f) : 1;
      if (layout.dateVote.decided) return false;
    }
    return true;
  });
  layout.detection.dateOrder = layout.dateVote.order;
  // detection's warning on the guess: replaced by the whole file's evidence (a date that settles it becomes a note of
  // the summary; a guess over the whole file stays a warning, as it is for a file detection reads whole)
  const evidence = layout.dateVote.explain();
  const uncertain = evidence !== null && dateOrderUncertain(evidence);
  layout.warnings = layout.warnings.flatMap((w): ImportWarning[] =>
    w.code !== "date_order" ? [w] : uncertain ? [{ code: "date_order", evidence }] : [],
  );
  layout.detection.warnings = layout.warnings.map(warningText);
}

async function writeDataset(
  conn: Database.Database,
  layout: FileLayout,
  opts: ImportOptions,
  userMapped: boolean,
): Promise<ImportSummary> {
  const table: TargetTable = layout.kind === "orders" ? "orders" : "observations";
  const mappingJson = JSON.stringify(publicMapping(layout.mapping));
  const bytesTotal = layout.detection.sizeBytes;
  const plain = await quoteFree(opts.path, layout);

  await beginImmediate(conn, opts.waitMs ?? DEFAULT_WAIT_MS);
  let committed = false;
  try {
    // Read under the write lock: another process may have imported the same bytes while this one waited.
    const row = conn
      .prepare("SELECT id, name, is_sample AS isSample, status, mapping_json AS mappingJson, summary_json AS summaryJson FROM datasets WHERE sha256 = ?")
      .get(opts.sha256) as (Omit<ExistingDataset, "isSample"> & { isSample: number }) | undefined;
    const existing: ExistingDataset | null = row ? { ...row, isSample: row.isSample === 1 } : null;
    if (
      existing &&
      existing.status === "ready" &&
      (!userMapped || sameMapping(publicMapping(layout.mapping), JSON.parse(existing.mappingJson) as Mapping))
    ) {
      const stored = storedSummary(existing);
      if (opts.currency === undefined || stored.currency === opts.currency) return stored;
      // the same import asked in another currency: only where the file names none (then the user's choice stands)
      if (stored.currencySource === "file" || stored.currencySource === undefined) checkCurrency(stored.currency, opts.currency);
      if (stored.currencySource === "file") return stored;
    }
    if (existing && (conn.prepare("SELECT count(*) FROM dataset_uploads WHERE dataset_id = ?").pluck().get(existing.id) as number) > 1) {
      throw new AppError(
        "upload_conflict",
        "Later exports were imported into the dataset made from this file, so it cannot be read again with another " +
          "mapping: remove those uploads first, or import the file as a new dataset under another mapping.",
      );
    }
    const name = opts.name?.trim() || existing?.name || opts.fileName.replace(/\.[A-Za-z0-9]{1,5}$/, "") || opts.fileName;
    const isSample = opts.isSample ?? existing?.isSample ?? false;
    let datasetId: number;
    if (existing) {
      datasetId = existing.id;
      deleteObservations(conn, datasetId);
      for (const t of ["orders", "rejected_rows", "dataset_uploads"]) conn.prepare(`DELETE FROM ${t} WHERE dataset_id = ?`).run(datasetId);
    } else {
      const r = conn
        .prepare(
          `INSERT INTO datasets (name, file_name, source_format, sha256, size_bytes, status, is_sample, mapping_json, summary_json)
           VALUES (?, ?, ?, ?, ?, 'ready', ?, ?, '{}')`,
        )
        .run(name, opts.fileName, layout.detection.format, opts.sha256, opts.sizeBytes, isSample ? 1 : 0, mappingJson);
      datasetId = Number(r.lastInsertRowid);
    }
    const uploadId = startUpload(conn, { ...uploadOf(opts, layout), datasetId, totalsBefore: NO_ROWS });
    const indexSql = shouldRebuildIndexes(conn, table, layout.estimatedRows) ? dropIndexes(conn, table) : [];
    const { pipeline, sawReplacement } = await loadRows(conn, layout, opts, { datasetId, uploadId, table, plain });

    const summary = pipeline.summary({ datasetId, name, sha256: opts.sha256, sawReplacement });
    checkCurrency(summary.currency, opts.currency);
    summary.currencySource = summary.currency !== null ? "file" : opts.currency !== undefined ? "user" : null;
    summary.currency ??= opts.currency ?? null;
    conn
      .prepare(
        `UPDATE datasets SET name = ?, file_name = ?, source_format = ?, size_bytes = ?, currency = ?, status = 'ready',
           is_sample = ?, period_start = ?, period_end = ?, rows_imported = ?, rows_rejected = ?, mapping_json = ?,
           summary_json = ? WHERE id = ?`,
      )
      .run(
        name,
        opts.fileName,
        layout.detection.format,
        opts.sizeBytes,
        summary.currency,
        isSample ? 1 : 0,
        summary.period?.start ?? null,
        summary.period?.end ?? null,
        summary.rowsImported,
        summary.rowsRejected,
        mappingJson,
        JSON.stringify(summary),
        datasetId,
      );
    // A new dataset's live rows are exactly the rows just written: the tally's sums are its totals, and reading a
    // million rows back through the index (about 3 s cold) is not needed.
    const rows = summary.rowsImported;
    finishUpload(conn, uploadId, { period: summary.period, backfill: false, rowsImported: rows, rowsAdded: rows, rowsReplaced: 0, rowsRejected: summary.rowsRejected, totalsAfter: { rows, ...summary.totals } });
    // Every cached analysis is keyed by this revision (lib/analysis/cache.ts): it moves with the data, atomically.
    bumpDataRevision(conn);
    // The indexes are rebuilt last: the pages the statements above change (the dataset's and the upload's rows, kept
    // in the page cache through the load by the sink) are then written once, at the commit. Changed after the
    // rebuild, they would have been spilled to the write-ahead log during it and be written over in place, which
    // makes SQLite re-read and re-checksum every frame the log holds from there (see db/bulk-writer.ts).
    for (const sql of indexSql) conn.exec(sql);
    conn.exec("COMMIT");
    committed = true;
    // keep the write-ahead log bounded: a big import's pages go into the database now, and the log is truncated
    if (pipeline.rowsDone >= CHECKPOINT_ROWS) checkpoint(conn);
    opts.onProgress?.({ rowsDone: pipeline.rowsDone, bytesDone: bytesTotal, bytesTotal });
    return summary;
  } finally {
    if (!committed && conn.inTransaction) conn.exec("ROLLBACK");
  }
}

/** An import into an existing dataset: detection as for a new one, then `writeInto` (./grow) on its own connection. */
async function importInto(db: Db, opts: ImportOptions, datasetId: number): Promise<ImportSummary> {
  const layout = await inspectFile(opts.path, { fileName: opts.fileName, mapping: opts.mapping, sha256: opts.sha256 });
  checkCurrency(layout.detection.currency, opts.currency);
  if (layout.dateVote.seen && !layout.dateVote.decided && !layout.wholeFileRead) await scanDateOrder(opts.path, layout);
  const plain = await quoteFree(opts.path, layout);
  const writer = openWriter(db);
  try {
    await beginImmediate(writer.conn, opts.waitMs ?? DEFAULT_WAIT_MS);
    return await writeInto(writer.conn, layout, opts, datasetId, plain);
  } finally {
    if (writer.conn.inTransaction) writer.conn.exec("ROLLBACK");
    writer.close();
  }
}

