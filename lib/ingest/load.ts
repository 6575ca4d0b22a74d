import "server-only";
import type Database from "better-sqlite3";
import { SqliteRowSink, type TargetTable } from "@/db/bulk-writer";
import type { UploadStart } from "@/db/uploads";
import { sourceOfFormat } from "@/lib/types/sources";
import { AppError } from "@/lib/errors";
import type { FileLayout } from "./detect";
import type { ImportOptions } from "./import";
import { ImportPipeline, readInto } from "./pipeline";

/* What a new dataset's import and an import into an existing one share: the currency check and the row load. */

/** Refuses a currency the user gives when the file names another one (`currency_conflict`). */
export function checkCurrency(fileCurrency: string | null, userCurrency: string | undefined): void {
  if (userCurrency === undefined || fileCurrency === null || fileCurrency === userCurrency) return;
  throw new AppError(
    "currency_conflict",
    `The file states its amounts are in ${fileCurrency}, but ${userCurrency} was chosen. Leave the currency out ` +
      `(the file's ${fileCurrency} is used), or check that this is the file you meant.`,
    { fileCurrency, currency: userCurrency },
  );
}

/** The totals of a dataset with no rows yet. */
export const NO_ROWS = { rows: 0, impressions: 0, clicks: 0, conversions: 0, spend: 0, revenue: 0 } as const;

/** The upload record's facts known before the rows are read. */
export const uploadOf = (opts: ImportOptions, layout: FileLayout): Omit<UploadStart, "datasetId" | "totalsBefore"> => ({
  sha256: opts.sha256,
  fileName: opts.fileName,
  sourceFormat: layout.detection.format,
  sizeBytes: opts.sizeBytes,
});

/**
 * Reads the file's rows into the dataset inside the open transaction, tagged with the upload; refuses a file where
 * no row survives (`no_valid_rows`), which rolls everything back.
 */
export async function loadRows(
  conn: Database.Database,
  layout: FileLayout,
  opts: ImportOptions,
  target: { datasetId: number; uploadId: number; table: TargetTable; plain: boolean },
): Promise<{ pipeline: ImportPipeline; sawReplacement: boolean }> {
  const c = layout.columns;
  const sink = new SqliteRowSink(conn, {
    datasetId: target.datasetId,
    uploadId: target.uploadId,
    source: sourceOfFormat(layout.detection.format),
    table: target.table,
    segment: c.segment >= 0,
    conversionsAlt: c.conversions_alt >= 0,
    revenue: c.revenue >= 0,
  });
  const pipeline = new ImportPipeline(layout, sink);
  const bytesTotal = layout.detection.sizeBytes;
  const { sawReplacement } = await readInto(opts.path, layout, pipeline, target.plain, (bytesDone) =>
    opts.onProgress?.({ rowsDone: pipeline.rowsDone, bytesDone, bytesTotal }),
  );
  const { tally } = pipeline;
  if (tally.imported === 0) {
    throw new AppError(
      "no_valid_rows",
      tally.rejected === 0
        ? "No row of this file could be imported: below the header there are only totals, footers or blank lines."
        : `No row of this file could be imported. The first problems: ${tally.firstReasons.join("; ")}.`,
      { firstReasons: tally.firstReasons, rowsRejected: tally.rejected },
    );
  }
  return { pipeline, sawReplacement };
}

