import "server-only";
import fs from "node:fs";
import path from "node:path";
import { uploadsDir, type Db } from "@/db/client";
import { AppError } from "@/lib/errors";
import { detectFile } from "@/lib/ingest/detect";
import { importFile } from "@/lib/ingest/import";
import { clearProgress, setProgress } from "@/lib/ingest/progress";
import { storeFile, storeUpload } from "@/lib/ingest/store";
import type { Detection, ImportSummary, Mapping } from "@/lib/ingest/types";

/** Where a stored upload lives; sha256 is validated so it can never name a path outside the uploads folder. */
export function storedUploadPath(databasePath: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new AppError("not_found", "No stored upload with that id.");
  const p = path.join(uploadsDir(databasePath), sha256);
  if (!fs.existsSync(p)) throw new AppError("not_found", "No stored upload with that id; please upload the file again.");
  return p;
}

export interface ReceiveOptions {
  databasePath: string;
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
      const detection = await detectFile(stored.path, { fileName: opts.fileName, mapping: opts.mapping });
      return { detection, path: stored.path, sizeBytes: stored.sizeBytes };
    } catch (e) {
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
      onProgress: token
        ? (p) => setProgress(token, { phase: "parsing", bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, rowsDone: p.rowsDone })
        : undefined,
    });
    if (token)
      setProgress(token, { phase: "done", bytesDone: opts.sizeBytes, bytesTotal: opts.sizeBytes, rowsDone: summary.rowsImported });
    return summary;
  } catch (e) {
    if (token) setProgress(token, { phase: "failed", bytesDone: 0, bytesTotal: opts.sizeBytes, rowsDone: 0 });
    throw e;
  }
}

/** The CLI's path: a local file stored, detected and imported in one go. */
export async function importLocalFile(
  db: Db,
  databasePath: string,
  file: string,
  opts: { name?: string; mapping?: Mapping; isSample?: boolean; maxBytes: number },
): Promise<ImportSummary> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new AppError("unreadable", `No file at ${file}.`);
  const stored = await storeFile(file, { uploadsDir: uploadsDir(databasePath), maxBytes: opts.maxBytes });
  return runImport(db, {
    path: stored.path,
    sha256: stored.sha256,
    fileName: path.basename(file),
    sizeBytes: stored.sizeBytes,
    name: opts.name,
    mapping: opts.mapping,
    isSample: opts.isSample,
  });
}

export { clearProgress };
