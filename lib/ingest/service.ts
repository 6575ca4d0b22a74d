import "server-only";
import fs from "node:fs";
import path from "node:path";
import { closeDb, ensureDatabaseFolder, getDb } from "@/db/client";
import { env } from "@/lib/env";
import type { Detection, ImportSummary, Mapping } from "@/lib/types/ingest";
import { ensureSampleData, loadSampleData } from "./sample";
import {
  cleanUpStorage,
  importLocalFile,
  receiveUpload,
  removeDataset,
  removeUpload,
  runImport,
  storedUploadPath,
  type ReceiveOptions,
  type RunImportOptions,
} from "./uploads";

/*
 * The importer's entry points for pages, API routes and the command line: they take ids, files and the user's
 * choices, and get the database (DATABASE_PATH, the process's own connection) themselves.
 */

/**
 * Stops early, with a SettingError naming DATABASE_PATH, when the database's folder cannot be made or written
 * (before `npm start` spends a build on it).
 */
export function checkDatabasePath(): void {
  ensureDatabaseFolder(env.DATABASE_PATH);
}

/**
 * At start: opens the database (applying migrations), removes files left by killed or unused uploads, loads the
 * sample into an empty database when `sampleData` is on, and closes the connection again.
 */
export async function prepareDatabase(opts: { sampleData: boolean }): Promise<{ file: string; removed: string[]; loaded: ImportSummary[] }> {
  try {
    const db = getDb();
    const removed = await cleanUpStorage(db, env.DATABASE_PATH);
    const loaded = await ensureSampleData(db, env.DATABASE_PATH, { enabled: opts.sampleData });
    return { file: path.resolve(env.DATABASE_PATH), removed, loaded };
  } finally {
    closeDb();
  }
}

/** Loads the bundled sample dataset (again: the same files give the same datasets back). */
export function loadSample(): Promise<ImportSummary[]> {
  return loadSampleData(getDb(), env.DATABASE_PATH);
}

/**
 * Deletes a dataset and its rows in the database's write turn, then its stored bytes unless another dataset uses
 * them. False when there is no such dataset.
 */
export function deleteDataset(id: number): Promise<boolean> {
  return removeDataset(getDb(), env.DATABASE_PATH, id);
}

/**
 * Removes one upload from a dataset (its rows go, the rows it replaced come back) in the database's write turn.
 * False when the dataset has no such upload; `upload_conflict` for the upload that made the dataset.
 */
export function removeDatasetUpload(datasetId: number, uploadId: number): Promise<boolean> {
  return removeUpload(getDb(), env.DATABASE_PATH, datasetId, uploadId);
}

/** Streams an upload to storage and detects its format (nothing imported); refused bytes are removed. */
export function receiveUploadBody(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  opts: Omit<ReceiveOptions, "db" | "databasePath">,
): Promise<{ detection: Detection; path: string; sizeBytes: number }> {
  return receiveUpload(source, { ...opts, db: getDb(), databasePath: env.DATABASE_PATH });
}

/** Imports bytes this request stored (a direct upload): a refusal removes them unless a dataset uses them. */
export function importReceived(opts: Omit<RunImportOptions, "discardOnRefusal" | "databasePath">): Promise<ImportSummary> {
  return runImport(getDb(), { ...opts, discardOnRefusal: true, databasePath: env.DATABASE_PATH });
}

/** Imports an upload stored by an earlier preview (named by its sha256) with the mapping the user confirmed. */
export function importStoredUpload(
  sha256: string,
  opts: Omit<RunImportOptions, "path" | "sha256" | "sizeBytes" | "discardOnRefusal" | "databasePath">,
): Promise<ImportSummary> {
  const file = storedUploadPath(env.DATABASE_PATH, sha256);
  return runImport(getDb(), { ...opts, path: file, sha256, sizeBytes: fs.statSync(file).size });
}

/** The stored upload's path (for detection again with the user's mapping); not_found when there is none. */
export function storedUpload(sha256: string): string {
  return storedUploadPath(env.DATABASE_PATH, sha256);
}

/** The command line's import: removes what killed uploads left, then stores, detects and imports a local file. */
export async function importFromDisk(
  file: string,
  opts: { name?: string; mapping?: Mapping; currency?: string; maxBytes: number; intoDatasetId?: number },
): Promise<ImportSummary> {
  const db = getDb();
  await cleanUpStorage(db, env.DATABASE_PATH);
  return importLocalFile(db, env.DATABASE_PATH, file, opts);
}
