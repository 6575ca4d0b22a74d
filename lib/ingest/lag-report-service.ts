import "server-only";
import fs from "node:fs";
import { getDb, uploadsDir, type Db } from "@/db/client";
import { deleteLagReport, getLagReport, putLagReport } from "@/db/lag";
import { getDatasetRow } from "@/db/queries";
import { fitDelayBuckets } from "@/lib/engine/lag-report";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { withWriteTurn } from "./import-lock";
import { parseLagReport, sumBuckets, type ReportBucket, type ReportRejectedRow } from "./lag-report";
import { storeUpload } from "./store";
import { discardUnlessUsed } from "./uploads";

/*
 * A dataset's time-lag report: received (its bytes kept at uploads/<sha256> like every upload's), read
 * (./lag-report.ts), stored in lag_reports in the database's write turn (a newer report replaces the dataset's
 * earlier one, whose bytes then go unless something else uses them), and removed. Storing or removing bumps the data
 * revision, so every cached analysis of the dataset is recomputed with the report's curve.
 */

/** Largest time-lag report accepted: a few hundred rows at most in practice. */
export const LAG_REPORT_MAX_BYTES = 5 * 1024 * 1024;

/** What storing a report answers (POST /api/datasets/:id/lag-report, `lag-report <id> <file> --json`). */
export interface LagReportAnswer {
  datasetId: number;
  fileName: string;
  sha256: string;
  sizeBytes: number;
  format: "google_ads" | "plain";
  buckets: ReportBucket[];
  rejected: ReportRejectedRow[];
  /** "Total: ..." rows skipped. */
  totalRows: number;
  /** The fit to the whole account's buckets: the method kept, k with its 90% interval, the share within 7 days. */
  fit: { method: "exponential" | "empirical"; k: number; kLo90: number; kHi90: number; within7: number; gTestP: number | null; conversions: number };
  /** The sha256 of the report it replaced, if any. */
  replaced: string | null;
}

function checkDataset(db: Db, datasetId: number): void {
  const row = getDatasetRow(db, datasetId);
  if (!row || row.status !== "ready") throw new AppError("not_found", `No dataset with id ${datasetId}.`);
}

/**
 * Receives, reads and stores a time-lag report for a dataset.
 * @throws AppError not_found (no such dataset), too_large, empty_file, binary_file, unrecognised_format,
 *   no_valid_rows; the bytes of a refused file are not kept.
 */
export async function addLagReport(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  opts: { datasetId: number; fileName: string; maxBytes?: number },
  db: Db = getDb(),
  databasePath: string = env.DATABASE_PATH,
): Promise<LagReportAnswer> {
  checkDataset(db, opts.datasetId);
  const stored = await storeUpload(source, { uploadsDir: uploadsDir(databasePath), maxBytes: Math.min(opts.maxBytes ?? LAG_REPORT_MAX_BYTES, LAG_REPORT_MAX_BYTES) });
  let parsed: ReturnType<typeof parseLagReport>;
  try {
    parsed = parseLagReport(new Uint8Array(fs.readFileSync(stored.path)));
  } catch (e) {
    await discardUnlessUsed(db, databasePath, stored.sha256);
    throw e;
  }
  const fit = fitDelayBuckets(sumBuckets(parsed.buckets));
  if (fit === null) {
    await discardUnlessUsed(db, databasePath, stored.sha256);
    throw new AppError("no_valid_rows", "This time-lag report holds no conversions: there is nothing to learn from.");
  }
  const { replaced } = await withWriteTurn(db, () => {
    checkDataset(db, opts.datasetId);
    return putLagReport(db, {
      datasetId: opts.datasetId,
      fileName: opts.fileName,
      sha256: stored.sha256,
      sizeBytes: stored.sizeBytes,
      bucketsJson: JSON.stringify(parsed.buckets),
      rejectedJson: JSON.stringify(parsed.rejected),
    });
  });
  if (replaced) await discardUnlessUsed(db, databasePath, replaced);
  return {
    datasetId: opts.datasetId,
    fileName: opts.fileName,
    sha256: stored.sha256,
    sizeBytes: stored.sizeBytes,
    format: parsed.format,
    buckets: parsed.buckets,
    rejected: parsed.rejected,
    totalRows: parsed.totalRows,
    fit: {
      method: fit.method,
      k: fit.curve.k,
      kLo90: fit.curve.kLo90,
      kHi90: fit.curve.kHi90,
      within7: fit.curve.setting.q,
      gTestP: fit.exponential.gTest.pValue,
      conversions: fit.conversions,
    },
    replaced,
  };
}

/** Removes a dataset's time-lag report and its bytes (unless used elsewhere). @throws AppError not_found. */
export async function removeLagReport(datasetId: number, db: Db = getDb(), databasePath: string = env.DATABASE_PATH): Promise<{ datasetId: number; removed: string }> {
  checkDataset(db, datasetId);
  const sha = await withWriteTurn(db, () => deleteLagReport(db, datasetId));
  if (sha === null) throw new AppError("not_found", `Dataset ${datasetId} has no time-lag report.`);
  await discardUnlessUsed(db, databasePath, sha);
  return { datasetId, removed: sha };
}

/** The dataset's stored report (file name, buckets, rejected rows, when), or null; not_found without the dataset. */
export function lagReportOf(datasetId: number, db: Db = getDb()): { fileName: string; sizeBytes: number; createdAt: string; buckets: ReportBucket[]; rejected: ReportRejectedRow[] } | null {
  checkDataset(db, datasetId);
  const r = getLagReport(db, datasetId);
  if (!r) return null;
  return { fileName: r.fileName, sizeBytes: r.sizeBytes, createdAt: r.createdAt, buckets: JSON.parse(r.bucketsJson) as ReportBucket[], rejected: JSON.parse(r.rejectedJson) as ReportRejectedRow[] };
}
