import "server-only";
import fs from "node:fs";
import Database from "better-sqlite3";
import { eq } from "drizzle-orm";
import Papa from "papaparse";
import { BUSY_TIMEOUT_MS, checkpoint, configureConnection, isBusyError, type Db } from "@/db/client";
import { bumpDataRevision } from "@/db/queries";
import { datasets, type Dataset } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { addDays, endOfMonth, parseDay, parseDayRange } from "./dates";
import { createDecoder, DecodeStream } from "./encoding";
import { inspectFile, type FileLayout } from "./detect";
import { publicMapping, sameMapping } from "./headers";
import { numberProblem, parseNumberCell, parsePlainNumber, type DecimalMark } from "./numbers";
import { isBlankRecord, joinRecord } from "./records";
import { isFooter, isTotalsCell, totalsLabel, totalsRank } from "./rows";
import type { ImportSummary, Mapping, Reconciliation, ReconciliationLine, Totals } from "@/lib/types/ingest";

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
  /** Called after every parsed chunk (about 512 KB); throwing from it aborts the import and rolls it back. */
  onProgress?: (p: { rowsDone: number; bytesDone: number; bytesTotal: number }) => void;
}

/** Rows per multi-row INSERT statement (11 columns at most: well under SQLite's 32,766 bound parameters). */
const BATCH_ROWS = 256;
/** Bytes per read from the file. */
const READ_CHUNK = 512 * 1024;
/** Bytes per read when looking for quote characters. */
const QUOTE_SCAN_CHUNK = 1024 * 1024;
/**
 * A quoted value may not run on for more than this many characters (a stray quote would swallow the file), nor a
 * line of a file without quotes (damaged line breaks would).
 */
const MAX_PENDING_CHARS = 16 * 1024 * 1024;
/** Rejected rows keep at most this much raw text. */
const MAX_RAW_CHARS = 100_000;
/** Lines listed in an aggregated warning. */
const WARNING_LINES = 10;
/** Distinct campaigns counted in memory; past this the count comes from the database. */
const MAX_CAMPAIGN_SET = 100_000;
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

/** Refuses a currency the user gives when the file names another one (`currency_conflict`). */
function checkCurrency(fileCurrency: string | null, userCurrency: string | undefined): void {
  if (userCurrency === undefined || fileCurrency === null || fileCurrency === userCurrency) return;
  throw new AppError(
    "currency_conflict",
    `The file states its amounts are in ${fileCurrency}, but ${userCurrency} was chosen. Leave the currency out ` +
      `(the file's ${fileCurrency} is used), or check that this is the file you meant.`,
    { fileCurrency, currency: userCurrency },
  );
}

/**
 * Takes the database's write lock (BEGIN IMMEDIATE) without blocking the process while another connection (another
 * import, the command line, a delete) holds it: each attempt waits at most the connection's short busy timeout,
 * and the attempts are spaced by timers, so requests keep being served. Refuses with `busy` after `waitMs`.
 */
async function beginImmediate(conn: Database.Database, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      conn.exec("BEGIN IMMEDIATE");
      return;
    } catch (e) {
      if (!isBusyError(e)) throw e;
      if (Date.now() >= deadline) {
        throw new AppError(
          "busy",
          "The database is busy writing another import. Nothing was written; please try again in a minute.",
          { retryAfterSeconds: 30 },
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(500, 25 * 2 ** Math.min(attempt, 5))));
    }
  }
}

/**
 * Runs a write to the database (a delete, say) in its turn: after the imports this process is running into the same
 * file (awaited, so the process keeps serving), retrying while another process holds the write lock (each attempt
 * waits at most the connection's short busy timeout; the pauses between attempts are timers). Refuses with `busy`
 * (HTTP 503 with Retry-After) after `waitMs`.
 */
export function withWriteTurn<T>(db: Db, fn: () => T, waitMs = 10_000): Promise<T> {
  return withImportLock(db.$client.name, async () => {
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (e) {
        if (!isBusyError(e)) throw e;
        if (Date.now() >= deadline) {
          throw new AppError("busy", "The database is busy writing an import. Nothing was changed; please try again shortly.", {
            retryAfterSeconds: 10,
          });
        }
        await new Promise((r) => setTimeout(r, Math.min(500, 25 * 2 ** Math.min(attempt, 5))));
      }
    }
  });
}

const lockHolder = globalThis as unknown as { noisefloorImportLocks?: Map<string, Promise<unknown>> };

/** Runs imports into one database file one after another (two uploads of the same bytes then give one dataset). */
function withImportLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const locks = (lockHolder.noisefloorImportLocks ??= new Map());
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  locks.set(key, settled);
  void settled.then(() => {
    if (locks.get(key) === settled) locks.delete(key);
  });
  return run;
}

/**
 * The connection the import writes through: its own connection to the same file, so the open transaction (which
 * spans many event-loop turns while the file streams in) never captures statements the rest of the app runs on
 * the shared connection. An in-memory database has only the one connection.
 */
function openWriter(db: Db): { conn: Database.Database; close: () => void } {
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
  const order = layout.dateVote.order;
  layout.detection.dateOrder = order;
  layout.detection.warnings = layout.detection.warnings.filter((w) => !w.startsWith("Every date in the file"));
}

interface ChunkInfo {
  /** Indexes (in this chunk's rows) of rows papaparse found malformed quotes in. */
  badRows: Set<number> | null;
  /** True once any quote character has been seen (only then can a row span several lines). */
  sawQuote: boolean;
  /** Bytes of the file read so far. */
  bytesDone: number;
}

/**
 * Streams the data rows (everything after the header record) through papaparse in chunk mode. `onChunk` returns
 * false to stop early. Errors thrown by `onChunk` abort the parse, close the file and reject.
 */
function streamDataRows(
  filePath: string,
  layout: FileLayout,
  onChunk: (rows: string[][], info: ChunkInfo) => boolean,
): Promise<{ sawReplacement: boolean }> {
  return new Promise((resolve, reject) => {
    const input = fs.createReadStream(filePath, { start: layout.dataStartByte, highWaterMark: READ_CHUNK });
    const decode = new DecodeStream(layout.detection.encoding);
    let settled = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      input.destroy();
      decode.destroy();
      if (err) reject(err);
      else resolve({ sawReplacement: decode.sawReplacement });
    };
    input.on("error", () => finish(new AppError("unreadable", "The stored file could not be read; please upload it again.")));
    input.pipe(decode);
    Papa.parse<string[]>(decode, {
      delimiter: layout.delimiter,
      newline: layout.newline,
      quoteChar: '"',
      header: false,
      skipEmptyLines: false,
      dynamicTyping: false,
      chunk: (results, parser) => {
        if (settled) return;
        try {
          let badRows: Set<number> | null = null;
          for (const e of results.errors) {
            if (e.type === "Quotes" && typeof e.row === "number") (badRows ??= new Set()).add(e.row);
          }
          if (decode.chars - results.meta.cursor > MAX_PENDING_CHARS) {
            throw new AppError(
              "unreadable",
              'A quoted value runs on for more than 16 million characters: the file probably has a stray " ' +
                "character. Fix the quotes and upload the file again.",
            );
          }
          const more = onChunk(results.data, {
            badRows,
            sawQuote: decode.sawQuote,
            bytesDone: Math.min(layout.detection.sizeBytes, layout.dataStartByte + input.bytesRead),
          });
          if (!more) {
            finish();
            parser.abort();
          }
        } catch (e) {
          // settle first: abort() calls `complete` synchronously, which must not resolve the import as done
          finish(e);
          parser.abort();
        }
      },
      complete: () => finish(),
      error: (e: Error) => finish(e),
    });
  });
}

/**
 * True when the data part of the file (after the header) holds no quote character, so papaparse would read every
 * chunk in its quote-free mode (split on the newline, then on the delimiter) and `streamPlainText` reads it the same
 * way with less work. Decided on the bytes: in UTF-8 and windows-1252 the byte 0x22 is '"' and nothing else.
 * UTF-16 files take the general path.
 */
async function quoteFree(filePath: string, layout: FileLayout): Promise<boolean> {
  const enc = layout.detection.encoding;
  if (enc !== "utf-8" && enc !== "utf-8-bom" && enc !== "windows-1252") return false;
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(filePath, "r");
  } catch {
    return false; // the parse that follows reports the unreadable file
  }
  try {
    const buf = Buffer.allocUnsafe(QUOTE_SCAN_CHUNK);
    let pos = layout.dataStartByte;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return true;
      if (buf.subarray(0, bytesRead).indexOf(0x22) >= 0) return false;
      pos += bytesRead;
    }
  } catch {
    return false;
  } finally {
    await fh.close();
  }
}

/**
 * Streams a quote-free file's data text (everything after the header record), decoded, in chunks of about
 * READ_CHUNK bytes, and hands it over as whole lines: `onLines(text, from, final)` reads the lines of `text` from
 * offset `from` and returns the offset just after the last line break it reached (with `final`, the end of
 * `text`); the rest is carried over to the next chunk. A line cut by a chunk boundary is handed over on its own,
 * joined, so `text` is otherwise always the decoder's own (flat) string. `afterChunk(bytesDone)` follows each chunk.
 * Errors thrown by the callbacks close the file and reject.
 */
async function streamPlainText(
  filePath: string,
  layout: FileLayout,
  onLines: (text: string, from: number, final: boolean) => number,
  afterChunk: (bytesDone: number) => void,
): Promise<{ sawReplacement: boolean }> {
  const encoding = layout.detection.encoding;
  const decoder = createDecoder(encoding);
  const checkReplacement = encoding === "utf-8" || encoding === "utf-8-bom";
  const nl = layout.newline;
  const size = layout.detection.sizeBytes;
  let sawReplacement = false;
  let pending = "";
  let bytes = 0;
  const input = fs.createReadStream(filePath, { start: layout.dataStartByte, highWaterMark: READ_CHUNK });
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch {
        throw new AppError("unreadable", "The stored file could not be read; please upload it again.");
      }
      const final = next.done === true;
      const text = final ? decoder.decode(new Uint8Array(0), false) : decoder.decode(next.value, true);
      if (!final) bytes += next.value.length;
      if (checkReplacement && !sawReplacement && text.includes("\uFFFD")) sawReplacement = true;
      let from = 0;
      if (pending.length > 0) {
        // the line cut at the end of the previous chunk goes with this chunk's text up to its first line break (if
        // that break was itself cut, "\r" | "\n", this takes one line more: `onLines` reads both)
        const cut = text.indexOf(nl);
        const end = cut < 0 ? -1 : cut + nl.length;
        if (end < 0 && !final) {
          pending += text;
          if (pending.length > MAX_PENDING_CHARS) throw longLine();
          afterChunk(Math.min(size, layout.dataStartByte + bytes));
          continue;
        }
        const head = end < 0 ? pending + text : pending + text.slice(0, end);
        onLines(head, 0, final && end < 0);
        from = end < 0 ? text.length : end;
        pending = "";
      }
      const used = onLines(text, from, final);
      afterChunk(Math.min(size, layout.dataStartByte + bytes));
      if (final) return { sawReplacement };
      pending = used < text.length ? text.slice(used) : "";
      if (pending.length > MAX_PENDING_CHARS) throw longLine();
    }
  } finally {
    input.destroy();
  }
}

const longLine = () =>
  new AppError(
    "unreadable",
    "A line runs on for more than 16 million characters: the file's line breaks are probably damaged. Export the " +
      "file again and upload it.",
  );

/** Tables whose secondary indexes are dropped and rebuilt around a bulk load. */
type TargetTable = "observations" | "orders";

/**
 * A bulk load into a table with a secondary index whose key is not in insertion order (campaign, then date) pays a
 * B-tree rebalance every few rows; building the index once afterwards (a sort) is several times cheaper. Worth it
 * when the new rows are a large share of the table (the rebuild re-reads every row of every dataset).
 */
function shouldRebuildIndexes(conn: Database.Database, table: TargetTable, estimatedRows: number): boolean {
  if (estimatedRows < 20_000) return false;
  const { m } = conn.prepare(`SELECT COALESCE(MAX(id), 0) AS m FROM ${table}`).get() as { m: number };
  return estimatedRows * 4 >= m;
}

/** Drops a table's secondary indexes inside the open transaction and returns the SQL that recreates them. */
function dropIndexes(conn: Database.Database, table: TargetTable): string[] {
  const rows = conn
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
    .all(table) as { name: string; sql: string }[];
  for (const r of rows) conn.exec(`DROP INDEX "${r.name.replace(/"/g, '""')}"`);
  return rows.map((r) => r.sql);
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
    const name = opts.name?.trim() || existing?.name || opts.fileName.replace(/\.[A-Za-z0-9]{1,5}$/, "") || opts.fileName;
    const isSample = opts.isSample ?? existing?.isSample ?? false;
    let datasetId: number;
    if (existing) {
      datasetId = existing.id;
      for (const t of ["observations", "orders", "rejected_rows"]) conn.prepare(`DELETE FROM ${t} WHERE dataset_id = ?`).run(datasetId);
    } else {
      const r = conn
        .prepare(
          `INSERT INTO datasets (name, file_name, source_format, sha256, size_bytes, status, is_sample, mapping_json, summary_json)
           VALUES (?, ?, ?, ?, ?, 'ready', ?, ?, '{}')`,
        )
        .run(name, opts.fileName, layout.detection.format, opts.sha256, opts.sizeBytes, isSample ? 1 : 0, mappingJson);
      datasetId = Number(r.lastInsertRowid);
    }
    const indexSql = shouldRebuildIndexes(conn, table, layout.estimatedRows) ? dropIndexes(conn, table) : [];

    const sink = new RowSink(conn, layout, datasetId);
    const { sawReplacement } = plain
      ? await streamPlainText(
          opts.path,
          layout,
          (text, from, final) => sink.pushPlain(text, from, final),
          (bytesDone) => opts.onProgress?.({ rowsDone: sink.imported + sink.rejected, bytesDone, bytesTotal }),
        )
      : await streamDataRows(opts.path, layout, (rows, info) => {
          sink.push(rows, info.badRows, info.sawQuote);
          opts.onProgress?.({ rowsDone: sink.imported + sink.rejected, bytesDone: info.bytesDone, bytesTotal });
          return true;
        });
    sink.finish();
    if (sink.imported === 0) {
      throw new AppError(
        "no_valid_rows",
        sink.rejected === 0
          ? "No row of this file could be imported: below the header there are only totals, footers or blank lines."
          : `No row of this file could be imported. The first problems: ${sink.firstReasons.join("; ")}.`,
        { firstReasons: sink.firstReasons, rowsRejected: sink.rejected },
      );
    }
    for (const sql of indexSql) conn.exec(sql);

    const campaigns = sink.campaignCount(table);
    const summary = sink.summary({ datasetId, name, sha256: opts.sha256, campaigns, sawReplacement });
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
    // Every cached analysis is keyed by this revision (lib/analysis/cache.ts): it moves with the data, atomically.
    bumpDataRevision(conn);
    conn.exec("COMMIT");
    committed = true;
    // keep the write-ahead log bounded: a big import's pages go into the database now, and the log is truncated
    if (sink.imported + sink.rejected >= CHECKPOINT_ROWS) checkpoint(conn);
    opts.onProgress?.({ rowsDone: sink.imported + sink.rejected, bytesDone: bytesTotal, bytesTotal });
    return summary;
  } finally {
    if (!committed && conn.inTransaction) conn.exec("ROLLBACK");
  }
}

/** Neumaier's compensated sum: the rounding error of each addition is carried, so 1M cent amounts add up exactly. */
class CompensatedSum {
  private s = 0;
  private c = 0;
  /** Adds x (finite). Reference: Neumaier (1974), ZAMM 54(1):39-51, the improved Kahan-Babuska algorithm. */
  add(x: number): void {
    const t = this.s + x;
    if (Math.abs(this.s) >= Math.abs(x)) this.c += this.s - t + x;
    else this.c += x - t + this.s;
    this.s = t;
  }
  get value(): number {
    return this.s + this.c;
  }
}

/** Counts rows that trip a check and keeps the first few line numbers, for one aggregated warning. */
class LineCounter {
  count = 0;
  lines: number[] = [];
  add(line: number): void {
    this.count++;
    if (this.lines.length < WARNING_LINES) this.lines.push(line);
  }
  describe(one: string, many: string): string {
    const lines = this.lines.join(", ") + (this.count > this.lines.length ? ", …" : "");
    return `${this.count.toLocaleString("en-US")} ${this.count === 1 ? one : many} (line${this.count === 1 ? "" : "s"} ${lines})`;
  }
}

// Called once per number cell on the plain path. A module-level reference: under the CommonJS transform (tsx: the
// CLI, the benchmark) every use of an imported name goes through a getter on the module's exports, which here cost
// about 70 ms per million rows.
const plainNumber = parsePlainNumber;
const EMPTY = -1;
/** Bound in place of period_end when it equals period_start (see the INSERT in RowSink's constructor). */
const SAME_AS_START = 0;
const MULTI_CURRENCY = "The rows are in more than one currency";

/**
 * Validates and writes rows as they stream in. One instance per import; rows arrive in order with no line numbers,
 * so the sink counts lines itself (a row spans 1 + the line breaks inside its quoted values).
 */
class RowSink {
  imported = 0;
  rejected = 0;
  firstReasons: string[] = [];
  private line: number;
  private readonly headerCount: number;
  private readonly mark: DecimalMark;
  private readonly delimiter: string;
  private readonly markCode: number;
  /** Field start offsets of the line on the plain path (headerCount + 1 entries). */
  private readonly cuts: Int32Array;
  // column indexes (-1 when not mapped)
  private readonly ci: number;
  private readonly si: number;
  private readonly di: number;
  private readonly dei: number;
  private readonly ii: number;
  private readonly cli: number;
  private readonly cvi: number;
  private readonly cai: number;
  private readonly spi: number;
  private readonly rvi: number;
  private readonly oii: number;
  private readonly vi: number;
  private readonly cui: number;
  // prepared statements and the batch being filled
  private readonly batchStmt: Database.Statement;
  private readonly oneStmt: Database.Statement;
  private readonly rejectStmt: Database.Statement;
  private readonly params: unknown[];
  private k = 0;
  private readonly width: number;
  // date caches (files repeat the same day on many consecutive rows)
  private lastDateRaw: string | null = null;
  private lastStart: string | null = null;
  private lastEnd: string | null = null;
  private lastEndRaw: string | null = null;
  private lastEndParsed: string | null = null;
  // sums and checks
  private readonly sumImpressions = new CompensatedSum();
  private readonly sumClicks = new CompensatedSum();
  private readonly sumConversions = new CompensatedSum();
  private readonly sumSpend = new CompensatedSum();
  private readonly sumRevenue = new CompensatedSum();
  private readonly clicksOverImpressions = new LineCounter();
  /** Rows whose impressions cell is empty or a missing-value marker: stored as unknown (null). */
  private readonly unknownImpressions = new LineCounter();
  /** Rows whose campaign cell had spaces or tabs around the name (removed), and the spellings seen per name. */
  private readonly paddedNames = new LineCounter();
  private readonly nameSpellings = new Map<string, Set<string>>();
  /** Meta Ads Manager leaves "Link clicks" and "Purchases" empty when there were none: there an empty cell is 0. */
  private readonly blankIsZero: boolean;
  private readonly conversionsOverClicks = new LineCounter();
  private periodMin: string | null = null;
  private periodMax: string | null = null;
  private lastAcceptedStart: string | null = null;
  private readonly campaigns = new Set<string>();
  private campaignsOverflow = false;
  private lastCampaign: string | null = null;
  /** The last campaign name would make its row a totals row (the plain path then leaves the row to pushRow). */
  private lastCampaignIsTotals = false;
  private readonly currencies = new Map<string, number>();
  private lastCurrencyRaw: string | null = null;
  private currencyRun = 0;
  private readonly totalsRows: { label: string; line: number; fields: string[] }[] = [];
  private readonly footerLines: number[] = [];
  private failReason = "";

  constructor(
    private readonly conn: Database.Database,
    private readonly layout: FileLayout,
    private readonly datasetId: number,
  ) {
    const c = layout.columns;
    this.ci = c.campaign;
    this.si = c.segment;
    this.di = c.date;
    this.dei = c.date_end;
    this.ii = c.impressions;
    this.cli = c.clicks;
    this.cvi = c.conversions;
    this.cai = c.conversions_alt;
    this.spi = c.spend;
    this.rvi = c.revenue;
    this.oii = c.order_id;
    this.vi = c.value;
    this.cui = c.currency;
    this.line = layout.firstDataLine;
    this.headerCount = layout.headers.length;
    this.mark = layout.decimalMark;
    this.delimiter = layout.delimiter;
    this.markCode = layout.decimalMark === "." ? 46 : 44;
    this.cuts = new Int32Array(this.headerCount + 1);
    this.blankIsZero = layout.detection.format === "meta_ads";

    const id = Math.trunc(datasetId);
    const table = layout.kind === "orders" ? "orders" : "observations";
    let cols: string[];
    let exprs: string[];
    let bound = 0;
    const next = () => `column${++bound}`;
    if (layout.kind === "orders") {
      cols = ["dataset_id", "campaign", "date", "order_id", "value", "line"];
      exprs = [String(id), next(), next(), next(), next(), next()];
    } else {
      cols = ["dataset_id", "campaign", "segment", "period_start", "period_end", "impressions", "clicks", "conversions", "conversions_alt", "spend", "revenue", "line"];
      const campaign = next();
      const segment = this.si >= 0 ? next() : "''";
      const start = next();
      // SAME_AS_START (a number, never a date string) stands for "period_end = period_start": one string less to bind
      const end = `CASE ${next()} WHEN ${SAME_AS_START} THEN ${start} ELSE column${bound} END`;
      exprs = [String(id), campaign, segment, start, end, next(), next(), next(), this.cai >= 0 ? next() : "NULL", next(), this.rvi >= 0 ? next() : "NULL", next()];
    }
    this.width = bound;
    const tuple = `(${Array(bound).fill("?").join(",")})`;
    const head = `INSERT INTO ${table} (${cols.join(",")}) SELECT ${exprs.join(",")} FROM (VALUES `;
    this.batchStmt = conn.prepare(`${head}${Array(BATCH_ROWS).fill(tuple).join(",")})`);
    this.oneStmt = conn.prepare(`${head}${tuple})`);
    this.rejectStmt = conn.prepare("INSERT INTO rejected_rows (dataset_id, line, raw, reason) VALUES (?, ?, ?, ?)");
    this.params = new Array<unknown>(BATCH_ROWS * this.width);
  }

  /** Takes one parsed chunk of rows. */
  push(rows: string[][], badRows: Set<number> | null, sawQuote: boolean): void {
    for (let r = 0; r < rows.length; r++) {
      const f = rows[r] as string[];
      const line = this.line;
      this.line += sawQuote ? 1 + lineBreaksIn(f) : 1;
      this.pushRow(f, line, badRows !== null && badRows.has(r));
    }
  }

  /**
   * Takes the text of a quote-free file: every line from `from` up to the last line break of `text` (to the end
   * when `final`), read exactly as papaparse reads a chunk without quotes (split on the newline, then on the
   * delimiter). Returns the offset after the last line read. Lines the plain path cannot settle by itself
   * (anything but a well-formed observation row: short or long rows, totals, empty or non-plain cells, rejections,
   * and every orders row) are split and go through `pushRow`, as papaparse's rows do.
   */
  pushPlain(text: string, from: number, final: boolean): number {
    const nl = this.layout.newline;
    const nlLen = nl.length;
    const plain = this.layout.kind === "observations" && this.headerCount > 1;
    let pos = from;
    for (;;) {
      let end = text.indexOf(nl, pos);
      if (end < 0) {
        if (!final || pos === text.length) return pos;
        end = text.length;
      }
      const line = this.line++;
      // an empty line is papaparse's [""]: a blank line, skipped
      if (end > pos && !(plain && this.plainObservation(text, pos, end, line))) {
        this.pushRow(text.slice(pos, end).split(this.delimiter), line, false);
      }
      pos = end + nlLen;
      if (pos >= text.length) return text.length;
    }
  }

  /** One record: skips blank lines, footers and totals rows (kept to reconcile), checks the width, then reads it. */
  private pushRow(f: string[], line: number, badQuotes: boolean): void {
    if (f.length === 1 && f[0] === "") return; // blank line
    if (badQuotes) {
      this.reject(line, f, 'malformed quotes (a " inside a quoted value must be doubled, and the value must end with ")');
      return;
    }
    if (f.length !== this.headerCount && !this.checkWidth(f, line)) return;
    const first = f[0] as string;
    const c0 = first.charCodeAt(0);
    const campaignCell = f[this.ci];
    const cc0 = campaignCell === undefined ? 0 : campaignCell.charCodeAt(0);
    if (c0 === 84 || c0 === 116 || c0 === 32 || cc0 === 84 || cc0 === 116 || cc0 === 32) {
      const label = totalsLabel(f, this.ci);
      if (label !== null) {
        if (this.totalsRows.length < 50) this.totalsRows.push({ label, line, fields: f });
        return;
      }
    }
    if (this.layout.kind === "orders") this.order(f, line);
    else this.observation(f, line);
  }

  /**
   * The plain path for one line `text[from, to)` of an observations file: a row with exactly the header's width
   * whose campaign, date and number cells are all in their common form is checked and queued here without
   * splitting the line into strings. Returns false, having changed nothing but the campaign and date caches, when
   * the row needs `pushRow` (which then gives exactly what the general path gives).
   */
  private plainObservation(text: string, from: number, to: number, line: number): boolean {
    const cuts = this.cuts;
    const n = this.headerCount;
    const d = this.delimiter;
    // cuts[i] = start of field i; field i ends at cuts[i + 1] - 1
    cuts[0] = from;
    let at = from;
    for (let k = 1; k < n; k++) {
      const cut = text.indexOf(d, at);
      if (cut < 0 || cut >= to) return false; // fewer values than the header
      at = cut + 1;
      cuts[k] = at;
    }
    const extra = text.indexOf(d, at);
    if (extra >= 0 && extra < to) return false; // more values than the header
    cuts[n] = to + 1;
    // a totals row has its label in the first or the campaign cell (see pushRow and totalsLabel)
    const c0 = text.charCodeAt(from);
    if ((c0 === 84 || c0 === 116 || c0 === 32) && isTotalsCell(text.slice(from, (cuts[1] as number) - 1))) return false;

    const ca = cuts[this.ci] as number;
    const ce = (cuts[this.ci + 1] as number) - 1;
    const len = ce - ca;
    if (len === 0) return false;
    let campaign = this.lastCampaign;
    if (campaign === null || len !== campaign.length || !text.startsWith(campaign, ca)) {
      // cells with spaces or controls at either end take the general path (it trims them)
      if (text.charCodeAt(ca) <= 32 || text.charCodeAt(ce - 1) <= 32) return false;
      campaign = text.slice(ca, ce);
      const cc = campaign.charCodeAt(0);
      if (campaign === "--" || ((cc === 84 || cc === 116) && isTotalsCell(campaign))) return false;
      this.noteCampaign(campaign);
    } else if (this.lastCampaignIsTotals) {
      return false; // the last name came trimmed from a cell such as "\tTotal": this cell is the totals label itself
    }

    if (this.di >= 0) {
      const a = cuts[this.di] as number;
      const e = (cuts[this.di + 1] as number) - 1;
      const raw = this.lastDateRaw;
      if (raw === null || e - a !== raw.length || !text.startsWith(raw, a)) this.readDate(text.slice(a, e));
      if (this.lastStart === null) return false;
      if (this.dei >= 0) {
        const a2 = cuts[this.dei] as number;
        const e2 = (cuts[this.dei + 1] as number) - 1;
        const endRaw = this.lastEndRaw;
        const endCell = endRaw !== null && e2 - a2 === endRaw.length && text.startsWith(endRaw, a2) ? endRaw : text.slice(a2, e2);
        if (this.readEnd(endCell) !== null) return false;
      }
    } else {
      this.noDate();
    }

    const imp = this.plainNum(text, this.ii, true);
    const clk = this.plainNum(text, this.cli, true);
    const conv = this.plainNum(text, this.cvi, false);
    const alt = this.plainNum(text, this.cai, false);
    const spend = this.plainNum(text, this.spi, false);
    const rev = this.plainNum(text, this.rvi, false);
    if (imp !== imp || clk !== clk || conv !== conv || alt !== alt || spend !== spend || rev !== rev) return false;
    if (imp === EMPTY && clk === EMPTY && conv === EMPTY && spend === EMPTY) return false;
    // a required figure missing: `pushRow` decides (a rejection, or 0 where the format writes blanks for zero)
    if ((clk === EMPTY && this.cli >= 0) || (conv === EMPTY && this.cvi >= 0) || (spend === EMPTY && this.spi >= 0)) return false;

    let segment = "";
    if (this.si >= 0) segment = text.slice(cuts[this.si] as number, (cuts[this.si + 1] as number) - 1).trim();
    let currency: string | null = null;
    if (this.cui >= 0) {
      const a = cuts[this.cui] as number;
      const e = (cuts[this.cui + 1] as number) - 1;
      const last = this.lastCurrencyRaw;
      currency = last !== null && e - a === last.length && text.startsWith(last, a) ? last : text.slice(a, e);
    }
    this.keepObservation(campaign, segment, imp, clk, conv, alt, spend, rev, currency, line);
    return true;
  }

  /**
   * A number cell on the plain path: the value, EMPTY for an empty cell or an unmapped column, or NaN when the
   * cell is not a plain non-negative number (or not whole where `whole`): `pushRow` then reads or rejects it.
   */
  private plainNum(text: string, idx: number, whole: boolean): number {
    if (idx < 0) return EMPTY;
    const a = this.cuts[idx] as number;
    const e = (this.cuts[idx + 1] as number) - 1;
    if (a === e) return EMPTY;
    const v = plainNumber(text, a, e, this.markCode);
    return whole && !Number.isInteger(v) ? NaN : v;
  }

  /** Rows narrower or wider than the header: short rows read missing cells as empty; extra values are refused. */
  private checkWidth(f: string[], line: number): boolean {
    if (isBlankRecord(f)) return false;
    if (isFooter(f)) {
      this.footerLines.push(line);
      return false;
    }
    if (f.length > this.headerCount) {
      for (let i = this.headerCount; i < f.length; i++) {
        if ((f[i] as string).trim() !== "") {
          this.reject(line, f, `${f.length} values, but the header has ${this.headerCount} columns`);
          return false;
        }
      }
    }
    if (f.length === 1 && this.headerCount > 1) {
      this.reject(line, f, "a line with a single value, not a data row");
      return false;
    }
    return true;
  }

  private campaignOf(f: string[], line: number): string | null {
    const raw = f[this.ci] ?? "";
    let campaign = raw;
    const n = campaign.length;
    if (n > 0 && (campaign.charCodeAt(0) <= 32 || campaign.charCodeAt(n - 1) <= 32)) campaign = campaign.trim();
    if (campaign !== raw && campaign !== "") this.notePadded(campaign, raw, line);
    if (campaign === "" || campaign === "--") {
      if (isBlankRecord(f)) return null;
      if (isFooter(f)) {
        this.footerLines.push(line);
        return null;
      }
      this.reject(line, f, `no campaign (the "${this.layout.headers[this.ci]}" column is empty)`);
      return null;
    }
    if (campaign !== this.lastCampaign) this.noteCampaign(campaign);
    return campaign;
  }

  /**
   * A campaign cell with spaces or tabs around the name: the name is stored trimmed (so " Alpha" and "Alpha" are one
   * campaign, as the ad platforms treat them), and the summary warns, naming the spellings merged.
   */
  private notePadded(campaign: string, raw: string, line: number): void {
    this.paddedNames.add(line);
    let spellings = this.nameSpellings.get(campaign);
    if (!spellings) {
      if (this.nameSpellings.size >= 1000) return;
      this.nameSpellings.set(campaign, (spellings = new Set()));
    }
    if (spellings.size < 20) spellings.add(raw);
  }

  /** Counts a campaign name (rows usually come grouped, so only a change of name is looked up). */
  private noteCampaign(campaign: string): void {
    this.lastCampaign = campaign;
    const c = campaign.charCodeAt(0);
    this.lastCampaignIsTotals = (c === 84 || c === 116) && isTotalsCell(campaign);
    if (!this.campaignsOverflow) {
      this.campaigns.add(campaign);
      if (this.campaigns.size > MAX_CAMPAIGN_SET) this.campaignsOverflow = true;
    }
  }

  /** Reads a row's date cell (cached: consecutive rows usually share the day). Sets lastStart/lastEnd. */
  private readDate(cell: string): void {
    if (cell === this.lastDateRaw) return;
    this.lastDateRaw = cell;
    const order = this.layout.dateVote.order;
    const day = parseDay(cell, order);
    let range = day === null ? parseDayRange(cell, order) : { start: day, end: day };
    if (range && day !== null && this.layout.dateSpan !== "day") {
      range = { start: day, end: this.layout.dateSpan === "week" ? addDays(day, 6) : endOfMonth(day) };
    }
    this.lastStart = range?.start ?? null;
    this.lastEnd = range?.end ?? null;
  }

  /** The period of a row, or a rejection reason. */
  private period(f: string[], line: number): boolean {
    if (this.di < 0) {
      this.noDate();
      return true;
    }
    const cell = f[this.di] ?? "";
    this.readDate(cell);
    if (this.lastStart === null) {
      const h = this.layout.headers[this.di];
      this.reject(line, f, cell.trim() === "" ? `no date (the "${h}" column is empty)` : `"${cell.trim()}" in "${h}" is not a date we can read`);
      return false;
    }
    if (this.dei >= 0) {
      const reason = this.readEnd(f[this.dei] ?? "");
      if (reason !== null) {
        this.reject(line, f, reason);
        return false;
      }
    }
    return true;
  }

  /** A file without a date column: every row covers the period of the date-range line above the header, if any. */
  private noDate(): void {
    this.lastStart = this.layout.preambleRange?.start ?? null;
    this.lastEnd = this.layout.preambleRange?.end ?? null;
  }

  /**
   * Reads a row's end-date cell (cached) after its start (`readDate`): a readable end replaces lastEnd, an empty
   * cell keeps it. Returns the rejection reason when the cell is not a date or the period ends before it starts.
   */
  private readEnd(endCell: string): string | null {
    if (endCell !== this.lastEndRaw) {
      this.lastEndRaw = endCell;
      this.lastEndParsed = endCell.trim() === "" ? null : parseDay(endCell, this.layout.dateVote.order);
    }
    if (this.lastEndParsed === null && endCell.trim() !== "") {
      return `"${endCell.trim()}" in "${this.layout.headers[this.dei]}" is not a date we can read`;
    }
    if (this.lastEndParsed !== null) {
      if (this.lastStart !== null && this.lastEndParsed < this.lastStart) {
        return `the period ends (${this.lastEndParsed}) before it starts (${this.lastStart})`;
      }
      this.lastEnd = this.lastEndParsed;
    }
    return null;
  }

  /**
   * One number cell: the value (>= 0), EMPTY for an empty cell, or NaN with `failReason` set (not a number,
   * negative, or a fractional count where whole numbers are required).
   */
  private num(f: string[], idx: number, whole: boolean): number {
    if (idx < 0) return EMPTY;
    const cell = f[idx];
    const v = parseNumberCell(cell, this.mark);
    if (v === null) return EMPTY;
    if (v >= 0 && (!whole || Number.isInteger(v))) return v;
    const h = `"${this.layout.headers[idx]}"`;
    const text = (cell ?? "").trim();
    if (Number.isNaN(v)) this.failReason = `${h}: ${numberProblem(text, this.mark)}`;
    else if (v < 0) this.failReason = `${h} is negative (${text})`;
    else this.failReason = `${h} must be a whole number (${text})`;
    return NaN;
  }

  private observation(f: string[], line: number): void {
    const campaign = this.campaignOf(f, line);
    if (campaign === null) return;
    if (!this.period(f, line)) return;
    const imp = this.num(f, this.ii, true);
    const clk = this.required(f, this.cli, this.num(f, this.cli, true), "clicks");
    const conv = this.required(f, this.cvi, this.num(f, this.cvi, false), "conversions");
    const alt = this.num(f, this.cai, false);
    const spend = this.required(f, this.spi, this.num(f, this.spi, false), "spend");
    const rev = this.num(f, this.rvi, false);
    if (imp !== imp || clk !== clk || conv !== conv || alt !== alt || spend !== spend || rev !== rev) {
      this.reject(line, f, this.failReason);
      return;
    }
    if (imp === EMPTY && clk === EMPTY && conv === EMPTY && spend === EMPTY) {
      this.reject(line, f, "no figures in this row (impressions, clicks, conversions and spend are all empty)");
      return;
    }
    const segment = this.si >= 0 ? (f[this.si] ?? "").trim() : "";
    this.keepObservation(campaign, segment, imp, clk, conv, alt, spend, rev, this.cui >= 0 ? (f[this.cui] ?? "") : null, line);
  }

  /**
   * A required figure (clicks, conversions, spend) read by `num`: passes a value (or NaN) through; an empty cell or
   * a missing-value marker ("n/a", " --", "null"...) in a mapped column gives NaN with the reason in `failReason`
   * (the row is rejected, never imported as 0), except an empty clicks or conversions cell where the format writes
   * blanks for zero (`blankIsZero`). An unmapped column (idx < 0) stays EMPTY.
   */
  private required(f: string[], idx: number, v: number, field: string): number {
    if (idx < 0 || v !== EMPTY) return v;
    const text = (f[idx] ?? "").trim();
    if (text === "" && this.blankIsZero && field !== "spend") return 0;
    const h = `"${this.layout.headers[idx]}"`;
    this.failReason =
      text === ""
        ? `no ${field}: ${h} is empty (a required figure)`
        : `no ${field}: ${h} is "${text}", a missing-value marker (a required figure)`;
    return NaN;
  }

  /** Counts and queues a valid observation row (numbers: value or EMPTY; `currencyCell` null when not mapped). */
  private keepObservation(
    campaign: string,
    segment: string,
    imp: number,
    clk: number,
    conv: number,
    alt: number,
    spend: number,
    rev: number,
    currencyCell: string | null,
    line: number,
  ): void {
    // unknown impressions are never compared with clicks
    if (this.ii >= 0 && imp === EMPTY) this.unknownImpressions.add(line);
    else if (this.ii >= 0 && this.cli >= 0 && clk > imp) this.clicksOverImpressions.add(line);
    if (this.cli >= 0 && this.cvi >= 0 && conv > clk) this.conversionsOverClicks.add(line);
    if (currencyCell !== null) this.noteCurrency(currencyCell);
    this.notePeriod();

    const clkV = clk === EMPTY ? 0 : clk;
    const convV = conv === EMPTY ? 0 : conv;
    const spendV = spend === EMPTY ? 0 : spend;
    if (imp !== EMPTY) this.sumImpressions.add(imp);
    this.sumClicks.add(clkV);
    this.sumConversions.add(convV);
    this.sumSpend.add(spendV);
    if (rev !== EMPTY) this.sumRevenue.add(rev);

    const p = this.params;
    let k = this.k;
    p[k++] = campaign;
    if (this.si >= 0) p[k++] = segment;
    p[k++] = this.lastStart;
    p[k++] = this.lastEnd === this.lastStart && this.lastEnd !== null ? SAME_AS_START : this.lastEnd;
    p[k++] = imp === EMPTY ? null : imp;
    p[k++] = clkV;
    p[k++] = convV;
    if (this.cai >= 0) p[k++] = alt === EMPTY ? null : alt;
    p[k++] = spendV;
    if (this.rvi >= 0) p[k++] = rev === EMPTY ? null : rev;
    p[k++] = line;
    this.k = k;
    this.imported++;
    if (k === p.length) this.flush();
  }

  private order(f: string[], line: number): void {
    const campaign = this.campaignOf(f, line);
    if (campaign === null) return;
    let date: string | null = null;
    if (this.di >= 0) {
      if (!this.period(f, line)) return;
      date = this.lastStart;
    }
    const value = this.num(f, this.vi, false);
    if (value !== value) {
      this.reject(line, f, this.failReason);
      return;
    }
    if (value === EMPTY) {
      this.reject(line, f, `no order value (the "${this.layout.headers[this.vi]}" column is empty)`);
      return;
    }
    if (this.cui >= 0) this.noteCurrency(f[this.cui] ?? "");
    if (date !== null) this.notePeriod();
    this.sumConversions.add(1);
    this.sumRevenue.add(value);
    const p = this.params;
    let k = this.k;
    p[k++] = campaign;
    p[k++] = date;
    const orderId = this.oii >= 0 ? (f[this.oii] ?? "").trim() : "";
    p[k++] = orderId === "" ? null : orderId;
    p[k++] = value;
    p[k++] = line;
    this.k = k;
    this.imported++;
    if (k === p.length) this.flush();
  }

  private notePeriod(): void {
    const start = this.lastStart;
    if (start === null || start === this.lastAcceptedStart) return;
    this.lastAcceptedStart = start;
    const end = this.lastEnd ?? start;
    if (this.periodMin === null || start < this.periodMin) this.periodMin = start;
    if (this.periodMax === null || end > this.periodMax) this.periodMax = end;
  }

  /** Counts a row's currency cell (runs of the same text are counted once the run ends). */
  private noteCurrency(raw: string): void {
    if (raw === this.lastCurrencyRaw) {
      this.currencyRun++;
      return;
    }
    this.flushCurrencyRun();
    this.lastCurrencyRaw = raw;
    this.currencyRun = 1;
  }

  private flushCurrencyRun(): void {
    if (this.lastCurrencyRaw === null || this.currencyRun === 0) return;
    const code = this.lastCurrencyRaw.trim().toUpperCase();
    if (/^[A-Z]{3}$/.test(code)) this.currencies.set(code, (this.currencies.get(code) ?? 0) + this.currencyRun);
    this.currencyRun = 0;
  }

  private flush(): void {
    // spread, not an array: better-sqlite3 reads call arguments directly but an array element by element through
    // V8's generic property access (measured: ~800 ms of inserts per million rows with an array, ~570 ms spread)
    this.batchStmt.run(...this.params);
    this.k = 0;
  }

  private reject(line: number, f: string[], reason: string): void {
    let raw = joinRecord(f, this.delimiter);
    if (raw.length > MAX_RAW_CHARS) raw = `${raw.slice(0, MAX_RAW_CHARS)}… (cut at ${MAX_RAW_CHARS} characters)`;
    this.rejectStmt.run(this.datasetId, line, raw, reason);
    this.rejected++;
    if (this.firstReasons.length < 5) this.firstReasons.push(`line ${line}: ${reason}`);
  }

  /** Writes the last, partial batch. */
  finish(): void {
    const w = this.width;
    for (let i = 0; i < this.k; i += w) this.oneStmt.run(this.params.slice(i, i + w));
    this.k = 0;
    this.flushCurrencyRun();
  }

  campaignCount(table: TargetTable): number {
    if (!this.campaignsOverflow) return this.campaigns.size;
    const r = this.conn.prepare(`SELECT COUNT(DISTINCT campaign) AS n FROM ${table} WHERE dataset_id = ?`).get(this.datasetId) as { n: number };
    return r.n;
  }

  totals(): Totals {
    return {
      impressions: this.sumImpressions.value,
      clicks: this.sumClicks.value,
      conversions: this.sumConversions.value,
      spend: this.sumSpend.value,
      revenue: this.sumRevenue.value,
    };
  }

  summary(extra: { datasetId: number; name: string; sha256: string; campaigns: number; sawReplacement: boolean }): ImportSummary {
    const L = this.layout;
    const d = L.detection;
    const totals = this.totals();
    // the import counts currencies over every row; detection's count (first rows only) gives way to it
    const warnings = d.warnings.filter((w) => !w.startsWith(MULTI_CURRENCY));
    const notes: string[] = [];
    if (extra.sawReplacement) {
      warnings.push("Some bytes further into the file are not valid UTF-8 and were replaced by �; check names with accents.");
    }
    const explained = L.dateVote.explain();
    if (explained && !explained.ambiguous) notes.push(explained.text);
    if (this.rejected > 0) {
      warnings.push(
        `${this.rejected.toLocaleString("en-US")} row${this.rejected === 1 ? "" : "s"} could not be imported; ` +
          "the rejected rows, with their line numbers and reasons, can be downloaded.",
      );
    }
    if (this.clicksOverImpressions.count > 0) {
      warnings.push(this.clicksOverImpressions.describe("row has more clicks than impressions", "rows have more clicks than impressions"));
    }
    if (this.unknownImpressions.count > 0) {
      warnings.push(
        this.unknownImpressions.describe(
          "row does not state its impressions: stored as unknown (not 0) and left out of click-through rates",
          "rows do not state their impressions: stored as unknown (not 0) and left out of click-through rates",
        ),
      );
    }
    if (this.paddedNames.count > 0) {
      const names = [...this.nameSpellings.entries()]
        .slice(0, 5)
        .map(([name, raws]) => `"${name}" (also written ${[...raws].map((r) => JSON.stringify(r)).join(", ")})`);
      warnings.push(
        this.paddedNames.describe(
          "row has spaces or tabs around its campaign name",
          "rows have spaces or tabs around their campaign names",
        ) +
          `: they were removed, so names that differ only by them are one campaign: ${names.join("; ")}` +
          (this.nameSpellings.size > 5 ? "; …" : "") +
          ".",
      );
    }
    if (this.conversionsOverClicks.count > 0) {
      warnings.push(this.conversionsOverClicks.describe("row has more conversions than clicks", "rows have more conversions than clicks"));
    }
    if (this.currencies.size > 1) {
      const list = [...this.currencies.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([c, n]) => `${c} (${n.toLocaleString("en-US")} row${n === 1 ? "" : "s"})`);
      warnings.push(`${MULTI_CURRENCY}: ${list.join(", ")}. Sums mix them.`);
    }
    if (this.footerLines.length > 0) notes.push(`Skipped the footer on line ${this.footerLines.join(", ")}.`);
    const reconciliation = this.reconcile(totals);
    if (reconciliation) {
      if (reconciliation.matches) {
        notes.push(`The imported sums match the file's "${reconciliation.source}" row (line ${reconciliation.line}).`);
      } else {
        const diffs = reconciliation.lines
          .filter((l) => !l.matches)
          .map((l) => `${l.field} ${fmt(l.imported)} imported vs ${fmt(l.reported)} reported`);
        warnings.push(
          `The imported sums do not match the file's "${reconciliation.source}" row (line ${reconciliation.line}): ${diffs.join("; ")}.`,
        );
      }
      for (const ig of reconciliation.ignored) notes.push(`Not reconciled against "${ig.source}" (line ${ig.line}): ${ig.reason}.`);
    }
    let currency: string | null = null;
    if (this.currencies.size > 0) currency = [...this.currencies.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
    currency ??= L.headerCurrency ?? L.cellCurrency;
    const period =
      this.periodMin !== null && this.periodMax !== null
        ? { start: this.periodMin, end: this.periodMax }
        : L.columns.date < 0 && L.preambleRange
          ? { ...L.preambleRange }
          : null;
    return {
      datasetId: extra.datasetId,
      name: extra.name,
      existing: false,
      sha256: extra.sha256,
      format: d.format,
      formatLabel: d.formatLabel,
      encoding: d.encoding,
      delimiter: d.delimiter,
      mapping: publicMapping(L.mapping),
      dateOrder: L.dateVote.seen ? L.dateVote.order : null,
      kind: L.kind,
      rowsImported: this.imported,
      rowsRejected: this.rejected,
      warnings,
      notes,
      reconciliation,
      currency,
      period,
      totals,
      campaigns: extra.campaigns,
    };
  }

  /**
   * Compares the imported sums with the file's own totals row. The row used: "Total: Campaigns" (the sum of the
   * campaign rows listed), else a plain "Total", else "Total: Account" (which also counts campaigns not listed,
   * e.g. removed ones). Subtotals ("Total: Search") are noted as ignored. A figure matches when the difference is
   * within rounding: the totals row and every imported row are each rounded to the totals row's last decimal, so
   * the bound is (rows + 1) half-units; impressions and clicks are whole counts and must be equal.
   */
  private reconcile(totals: Totals): Reconciliation | null {
    if (this.totalsRows.length === 0) return null;
    const ranked = this.totalsRows.map((t) => ({ ...t, ...totalsRank(t.label) }));
    const usable = ranked.filter((t) => t.rank < 9).sort((a, b) => a.rank - b.rank || a.line - b.line);
    const used = usable[0];
    const ignored = ranked
      .filter((t) => t !== used)
      .map((t) => ({ source: t.label, line: t.line, reason: t.reason || "another totals row was used" }));
    if (!used) return null;
    const fields: { field: keyof Totals; idx: number }[] = [
      { field: "impressions", idx: this.ii },
      { field: "clicks", idx: this.cli },
      { field: "conversions", idx: this.layout.kind === "orders" ? -1 : this.cvi },
      { field: "spend", idx: this.spi },
      { field: "revenue", idx: this.layout.kind === "orders" ? this.vi : this.rvi },
    ];
    const lines: ReconciliationLine[] = [];
    for (const { field, idx } of fields) {
      if (idx < 0) continue;
      const cell = (used.fields[idx] ?? "").trim();
      const reported = parseNumberCell(cell, this.mark);
      if (reported === null || Number.isNaN(reported)) continue;
      const imported = totals[field];
      const whole = field === "impressions" || field === "clicks";
      const halfUnit = 0.5 * 10 ** -decimalsOf(cell, this.mark);
      const tolerance = whole ? 0.5 : halfUnit * (this.imported + 1) + 1e-9 * Math.abs(reported);
      const difference = imported - reported;
      lines.push({ field, imported, reported, difference, matches: Math.abs(difference) <= tolerance });
    }
    return { source: used.label, line: used.line, matches: lines.every((l) => l.matches), lines, ignored };
  }
}

/** Digits after the decimal mark in a written number ("18,703.32" -> 2 with "."; "1.234,5" -> 1 with ","). */
function decimalsOf(cell: string, mark: DecimalMark): number {
  const digits = cell.replace(/[^\d.,]/g, "");
  const at = digits.lastIndexOf(mark);
  return at < 0 ? 0 : digits.length - at - 1;
}

const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 2 });

/** Line breaks inside a row's quoted values (CRLF counts once). */
function lineBreaksIn(f: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < f.length; i++) {
    const s = f[i] as string;
    if (s.indexOf("\n") < 0 && s.indexOf("\r") < 0) continue;
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === 10 || (c === 13 && s.charCodeAt(j + 1) !== 10)) n++;
    }
  }
  return n;
}
