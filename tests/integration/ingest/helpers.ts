import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "@/db/client";
import { detectFile } from "@/lib/ingest/detect";
import { importFile, type ImportOptions } from "@/lib/ingest/import";
import { storeFile, storeUpload, type StoredUpload } from "@/lib/ingest/store";
import type { Detection, ImportSummary, Mapping } from "@/lib/types/ingest";

export const FIXTURES = path.resolve(__dirname, "../../fixtures/ingest");
export const fixture = (name: string) => path.join(FIXTURES, name);

/** Reference totals computed by tests/fixtures/ingest/expected.py (Python csv + decimal.Decimal). */
export const EXPECTED = JSON.parse(fs.readFileSync(path.join(FIXTURES, "expected.json"), "utf8")) as Record<
  string,
  { rows: number; campaigns: number; impressions: number; clicks: number; conversions: number; spend: number; revenue: number; conversions_alt?: number }
>;

export interface Sandbox {
  dir: string;
  uploads: string;
  db: Db;
  dbPath: string;
  cleanup: () => void;
}

/** A fresh temporary database (real migrations) and uploads folder. */
export function sandbox(): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-ingest-"));
  const dbPath = path.join(dir, "test.db");
  const db = openDatabase(dbPath);
  return {
    dir,
    uploads: path.join(dir, "uploads"),
    db,
    dbPath,
    cleanup: () => {
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The upload path: store the bytes, detect, import (what the route handlers and the CLI do). */
export async function uploadAndImport(
  sb: Sandbox,
  source: string | Buffer,
  opts: { fileName?: string; mapping?: Mapping; name?: string; onProgress?: ImportOptions["onProgress"] } = {},
): Promise<{ stored: StoredUpload; detection: Detection; summary: ImportSummary }> {
  const stored = await store(sb, source);
  const fileName = opts.fileName ?? (typeof source === "string" ? path.basename(source) : "upload.csv");
  const detection = await detectFile(stored.path, { fileName, mapping: opts.mapping });
  const summary = await importFile(sb.db, {
    path: stored.path,
    sha256: stored.sha256,
    fileName,
    sizeBytes: stored.sizeBytes,
    mapping: opts.mapping,
    name: opts.name,
    onProgress: opts.onProgress,
  });
  return { stored, detection, summary };
}

export async function store(sb: Sandbox, source: string | Buffer, maxBytes = 64 * 1024 * 1024): Promise<StoredUpload> {
  return typeof source === "string"
    ? storeFile(source, { uploadsDir: sb.uploads, maxBytes })
    : storeUpload(
        (async function* () {
          yield new Uint8Array(source);
        })(),
        { uploadsDir: sb.uploads, maxBytes },
      );
}

export const count = (db: Db, table: string, datasetId?: number): number =>
  (
    db.$client
      .prepare(`SELECT COUNT(*) AS n FROM ${table}${datasetId === undefined ? "" : " WHERE dataset_id = ?"}`)
      .get(...(datasetId === undefined ? [] : [datasetId])) as { n: number }
  ).n;


/**
 * A database file in `dir` made by the migrations before `tag` (e.g. "0005"): what an older version of the app left,
 * for a test to fill with the old columns (`openOld`) and then open with every migration (`openDatabase(file)`).
 */
export function databaseBefore(tag: string, dir: string): { file: string; openOld: () => Db } {
  const migrations = path.join(dir, `migrations-before-${tag}`);
  fs.mkdirSync(path.join(migrations, "meta"), { recursive: true });
  const src = path.resolve(__dirname, "../../../drizzle");
  const journal = JSON.parse(fs.readFileSync(path.join(src, "meta/_journal.json"), "utf8")) as { entries: { tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.tag < tag);
  fs.writeFileSync(path.join(migrations, "meta/_journal.json"), JSON.stringify(journal));
  for (const e of journal.entries) fs.copyFileSync(path.join(src, `${e.tag}.sql`), path.join(migrations, `${e.tag}.sql`));
  const file = path.join(dir, `before-${tag}.db`);
  openDatabase(file, migrations).$client.close();
  // opened with the old migrations only: the file stays as the older version left it
  return { file, openOld: () => openDatabase(file, migrations) };
}
