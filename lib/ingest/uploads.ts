import "server-only";
import fs from "node:fs";
import path from "node:path";
import { checkpoint, uploadsDir, type Db } from "@/db/client";
import { bumpDataRevision, deleteDataset } from "@/db/queries";
import { deleteUploadRows, listUploads, refreshDatasetFigures, uploadBytesInUse } from "@/db/uploads";
import { AppError, isAppError } from "@/lib/errors";
import { detectFile } from "@/lib/ingest/detect";
import { importFile, withWriteTurn } from "@/lib/ingest/import";
import { setProgress } from "@/lib/ingest/progress";
import { removeStaleUploads, storeFile, storeUpload } from "@/lib/ingest/store";
import type { Detection, ImportSummary, Mapping } from "@/lib/types/ingest";

/** Where a stored upload lives; sha256 is validated so it can never name a path outside the uploads folder. */
export function storedUploadPath(databasePath: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new AppError("not_found", "No stored upload with that id.");
  const p = path.join(uploadsDir(databasePath), sha256);
  if (!fs.existsSync(p)) throw new AppError("not_found", "No stored upload with that id; please upload the file again.");
  return p;
}

/** True when a dataset was made from these bytes or they were imported into one. */
const bytesInUse = (db: Db, sha256: string): boolean => uploadBytesInUse(db, sha256);

/**
 * Removes the stored bytes of a refused upload or a deleted dataset, unless a dataset still uses them. Runs in the
 * database's write turn, so an import of the same bytes in this process is never cut short. Never throws.
 */
export async function discardUnlessUsed(db: Db, databasePath: string, sha256: string): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/.test(sha256)) return false;
  try {
    return await withWriteTurn(db, () => {
      if (bytesInUse(db, sha256)) return false;
      fs.rmSync(path.join(uploadsDir(databasePath), sha256), { force: true });
      return true;
    });
  } catch {
    return false;
  }
}

/**
 * A refusal that leaves the bytes stored: the file's columns were not recognised, and the user can give a mapping
 * for the stored upload (its sha256 is in the error). Every other refusal removes them ("nothing written").
 */
const keepsBytes = (e: unknown) => isAppError(e) && e.code === "unrecognised_format";

/**
 * At start (server and command line): removes temporary files left by killed uploads, stored uploads no dataset uses
 * that are older than a day, and checkpoints the write-ahead log. Returns the names of the files removed.
 */
export async function cleanUpStorage(db: Db, databasePath: string): Promise<string[]> {
  const removed = await removeStaleUploads(uploadsDir(databasePath), (sha) => bytesInUse(db, sha));
  try {
    checkpoint(db.$client);
  } catch {
    // another process is writing: its own commit and checkpoint keep the log bounded
  }
  return removed;
}

/**
 * Deletes a dataset (its rows, orders and rejected rows by cascade) in the database's write turn, then its stored
 * bytes unless another dataset uses them. Returns false when there is no such dataset.
 */
export async function removeDataset(db: Db, databasePath: string, id: number): Promise<boolean> {
  // deleteDataset bumps the data revision in its own transaction
  const gone = await withWriteTurn(db, () => deleteDataset(db, id));
  if (!gone) return false;
  for (const sha of new Set([gone.sha256, ...gone.uploads])) await discardUnlessUsed(db, databasePath, sha);
  return true;
}

export interface ReceiveOptions {
  databasePath: string;
  /** When given, the bytes of a refused file are removed (unless a dataset uses them). */
  db?: Db;
  fileName: string;
  maxBytes: number;
  /** Progress token the client polls (optional). */
  token?: string;
  /** Expected size (Content-Length), for the progress bar. */
  bytesTotal?: number;
  /** The user's mapping, when given with the upload (unknown headers can then be read). */
  mapping?: Mapping;
}

/** Streams an upload to content-addressed storage and detects its format; nothing is imported yet. */
export async function receiveUpload(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  opts: ReceiveOptions,
): Promise<{ detection: Detection; path: string; sizeBytes: number }> {
  const bytesTotal = opts.bytesTotal ?? 0;
  const report = (bytesDone: number) => {
    if (opts.token) setProgress(opts.token, { phase: "receiving", bytesDone, bytesTotal, rowsDone: 0 });
  };
  try {
    const stored = await storeUpload(source, {
      uploadsDir: uploadsDir(opts.databasePath),
      maxBytes: opts.maxBytes,
      onBytes: report,
    });
    try {
      const detection = await detectFile(stored.path, { fileName: opts.fileName, mapping: opts.mapping, sha256: stored.sha256 });
      return { detection, path: stored.path, sizeBytes: stored.sizeBytes };
    } catch (e) {
      if (opts.db && !keepsBytes(e)) await discardUnlessUsed(opts.db, opts.databasePath, stored.sha256);
      // The bytes are kept: name them so the user can give a mapping and carry on without uploading again.
      if (e instanceof AppError && e.code === "unrecognised_format") {
        throw new AppError(e.code, e.message, { ...e.details, sha256: stored.sha256, fileName: opts.fileName });
      }
      throw e;
    }
  } catch (e) {
    if (opts.token) setProgress(opts.token, { phase: "failed", bytesDone: 0, bytesTotal, rowsDone: 0 });
    throw e;
  }
}

export interface RunImportOptions {
  path: string;
  sha256: string;
  fileName: string;
  sizeBytes: number;
  name?: string;
  mapping?: Mapping;
  isSample?: boolean;
  token?: string;
  /** ISO 4217 code for a file that names no currency (refused when the file names another). */
  currency?: string;
  /** Import into this existing dataset (a newer export of the same account). */
  intoDatasetId?: number;
  /**
   * The bytes came with this request (a direct upload, the command line): a refusal removes them unless a dataset
   * uses them. Set `databasePath` with it.
   */
  discardOnRefusal?: boolean;
  databasePath?: string;
}

/** Imports a stored upload (detection is redone with the user's mapping) and reports progress under `token`. */
export async function runImport(db: Db, opts: RunImportOptions): Promise<ImportSummary> {
  const { token } = opts;
  try {
    const summary = await importFile(db, {
      path: opts.path,
      sha256: opts.sha256,
      fileName: opts.fileName,
      sizeBytes: opts.sizeBytes,
      name: opts.name,
      mapping: opts.mapping,
      isSample: opts.isSample,
      currency: opts.currency,
      intoDatasetId: opts.intoDatasetId,
      onProgress: token
        ? (p) => setProgress(token, { phase: "parsing", bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, rowsDone: p.rowsDone })
        : undefined,
    });
    if (token)
      setProgress(token, { phase: "done", bytesDone: opts.sizeBytes, bytesTotal: opts.sizeBytes, rowsDone: summary.rowsImported });
    return summary;
  } catch (e) {
    if (token) setProgress(token, { phase: "failed", bytesDone: 0, bytesTotal: opts.sizeBytes, rowsDone: 0 });
    if (opts.discardOnRefusal && opts.databasePath && isAppError(e) && !keepsBytes(e)) {
      await discardUnlessUsed(db, opts.databasePath, opts.sha256);
    }
    throw e;
  }
}

/** The CLI's path: a local file stored, detected and imported in one go. */
export async function importLocalFile(
  db: Db,
  databasePath: string,
  file: string,
  opts: { name?: string; mapping?: Mapping; isSample?: boolean; maxBytes: number; currency?: string; intoDatasetId?: number },
): Promise<ImportSummary> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new AppError("unreadable", `No file at ${file}.`);
  const stored = await storeFile(file, { uploadsDir: uploadsDir(databasePath), maxBytes: opts.maxBytes });
  return runImport(db, {
    currency: opts.currency,
    discardOnRefusal: true,
    databasePath,
    path: stored.path,
    sha256: stored.sha256,
    fileName: path.basename(file),
    sizeBytes: stored.sizeBytes,
    name: opts.name,
    mapping: opts.mapping,
    isSample: opts.isSample,
    intoDatasetId: opts.intoDatasetId,
  });
}


/**
 * Removes one upload from a dataset in the database's write turn: its rows go, the rows it replaced come back, and
 * the dataset is as it was without it; then its stored bytes unless something else uses them. The upload that made
 * the dataset is removed only with the dataset (`upload_conflict`). Returns false when there is no such upload.
 */
export async function removeUpload(db: Db, databasePath: string, datasetId: number, uploadId: number): Promise<boolean> {
  const sha = await withWriteTurn(db, () =>
    db.$client.transaction(() => {
      const conn = db.$client;
      const uploads = listUploads(conn, datasetId);
      const target = uploads.find((u) => u.id === uploadId);
      if (!target) return null;
      if (target.first) {
        throw new AppError(
          "upload_conflict",
          "This is the upload that made the dataset; it goes only with the dataset. Delete the dataset, or remove the later uploads.",
        );
      }
      const removed = deleteUploadRows(conn, datasetId, uploadId);
      refreshDatasetFigures(conn, datasetId);
      bumpDataRevision(conn);
      return removed;
    })(),
  );
  if (sha === null) return false;
  await discardUnlessUsed(db, databasePath, sha);
  return true;
}

