import "server-only";
import type Database from "better-sqlite3";
import { checkpoint } from "@/db/client";
import { bumpDataRevision } from "@/db/queries";
import {
  findUpload,
  finishUpload,
  liveTotals,
  nextObservationId,
  refreshDatasetFigures,
  sharedCampaigns,
  sourceLastDay,
  startUpload,
  supersedeOlderRows,
  uploadSources,
} from "@/db/uploads";
import { sourceOfFormat, type Source } from "@/lib/types/sources";
import { sourceLabel, sourceList } from "@/lib/format";
import { AppError } from "@/lib/errors";
import type { FileLayout } from "./detect";
import type { ImportOptions } from "./import";
import { checkCurrency, loadRows, uploadOf } from "./load";
import type { ImportSummary } from "@/lib/types/ingest";

/*
 * A dataset that grows: a newer export of the same account imported into an existing dataset. The rules (README,
 * "A dataset that grows"):
 * - the newest upload wins on each (date, campaign, segment, source): the older row is kept as a superseded version,
 *   and comes back when the newer upload is removed; dates and campaigns only in older uploads stay as they are;
 * - every row carries its source, the platform of its upload (db/schema.ts SOURCES): an export of another platform
 *   adds its rows beside the other platforms' rows, never replacing them, also on overlapping dates;
 * - campaigns are matched by exact name: the same name in two sources is one campaign whose days sum both (the
 *   account's view), and the answer warns with the shared names; a source filter shows each alone;
 * - an export that ends before the last day of its source's rows is a back-fill: the same rule, so it replaces only
 *   the dates (and campaigns) it covers, and the answer says so;
 * - the amounts must be in the dataset's currency: a file naming another one is refused; a file naming none is
 *   read in the dataset's;
 * - order lists do not grow (refused); files of other platforms may go into one dataset;
 * - the same bytes twice into one dataset change nothing, and the answer names the earlier upload;
 * - the answer reports rows added, rows replaced and the dataset's totals before and after.
 */

/** After an import into a dataset of at least this many rows, the write-ahead log is checkpointed. */
const CHECKPOINT_ROWS = 50_000;

/** The merge rule in words, for the answer. */
function mergeRule(source: Source, others: readonly Source[], backfill: boolean, periodEnd: string | null): string {
  const label = sourceLabel(source);
  let text =
    `This file's source is ${label}: rows of that source for the same date, campaign and segment were replaced by ` +
    "this file's (the older ones are kept and come back if this upload is removed); dates and campaigns not in this " +
    "file were left as they were.";
  if (others.length > 0) {
    text +=
      ` Rows of ${sourceList(others)} are never replaced by a file of another source, also on the same dates: this ` +
      "file's rows were added beside them. Campaigns are matched by exact name: a name in two sources is one campaign " +
      "whose days add up both; choose a source to see each alone.";
  }
  return backfill && periodEnd
    ? `${text} This file ends on ${periodEnd}, before the last day of the dataset's rows of ${label}: it was taken as a back-fill, so only the dates it covers changed.`
    : text;
}

/** Campaign names listed in full in the shared-names warning; more are counted. */
const SHARED_NAMES_SHOWN = 5;

/** "Brand Search is in Google Ads and Meta: counted together; ..." for the campaigns of the file other sources also have. */
function sharedNamesWarning(shared: readonly { campaign: string; sources: Source[] }[]): string | null {
  if (shared.length === 0) return null;
  const shown = shared.slice(0, SHARED_NAMES_SHOWN).map((s) => `${s.campaign} is in ${sourceList(s.sources)}`);
  const more = shared.length - shown.length;
  return (
    `${shown.join("; ")}${more > 0 ? ` (and ${more} more campaign${more === 1 ? "" : "s"} of the same name in two sources)` : ""}: ` +
    "counted together (a campaign of the same name is one campaign, its days summed across sources); choose a source to see each alone."
  );
}

interface DatasetFacts {
  id: number;
  name: string;
  status: string;
  currency: string | null;
  summaryJson: string;
}

/**
 * Writes a detected file into an existing dataset inside the write transaction the caller opened on `conn`
 * (BEGIN IMMEDIATE), and commits it. Refusals throw before anything is committed (the caller rolls back).
 */
export async function writeInto(
  conn: Database.Database,
  layout: FileLayout,
  opts: ImportOptions,
  datasetId: number,
  plain: boolean,
): Promise<ImportSummary> {
  const ds = conn
    .prepare("SELECT id, name, status, currency, summary_json AS summaryJson FROM datasets WHERE id = ?")
    .get(datasetId) as DatasetFacts | undefined;
  if (!ds || ds.status !== "ready") throw new AppError("not_found", `No dataset with id ${datasetId}.`);
  const stored = JSON.parse(ds.summaryJson) as ImportSummary;

  const earlier = findUpload(conn, datasetId, opts.sha256);
  if (earlier) {
    conn.exec("ROLLBACK");
    return {
      ...stored,
      datasetId,
      existing: true,
      upload: {
        uploadId: earlier.id,
        rowsAdded: 0,
        rowsReplaced: 0,
        backfill: earlier.backfill,
        totalsBefore: liveTotals(conn, datasetId),
        totalsAfter: liveTotals(conn, datasetId),
        rule: `These bytes were already imported into this dataset as upload ${earlier.id} (${earlier.fileName}, ${earlier.importedAt}); nothing changed.`,
      },
    };
  }
  if (stored.kind === "orders" || layout.kind === "orders") {
    throw new AppError(
      "upload_conflict",
      stored.kind === "orders"
        ? "This dataset is an order list; only ad performance exports (impressions, clicks, conversions by day) can be added to a dataset."
        : "This file is an order list; it cannot be added to a dataset of ad performance. Import it on its own.",
    );
  }
  // The file's currency against the dataset's: the user's choice (if any) must be the dataset's too.
  if (opts.currency !== undefined && ds.currency !== null && opts.currency !== ds.currency) {
    throw currencyRefusal(opts.currency, ds.currency);
  }
  const fileCurrency = layout.detection.currency;
  if (fileCurrency !== null && fileCurrency !== ds.currency) throw currencyRefusal(fileCurrency, ds.currency);

  const totalsBefore = liveTotals(conn, datasetId);
  const source = sourceOfFormat(layout.detection.format);
  const uploadId = startUpload(conn, { ...uploadOf(opts, layout), datasetId, totalsBefore });
  const firstId = nextObservationId(conn);
  const { pipeline, sawReplacement } = await loadRows(conn, layout, opts, { datasetId, uploadId, table: "observations", plain });
  const summary = pipeline.summary({ datasetId, name: ds.name, sha256: opts.sha256, sawReplacement });
  // a currency found in the rows (a currency column) is held to the dataset's as well
  if (summary.currency !== null && summary.currency !== ds.currency) throw currencyRefusal(summary.currency, ds.currency);
  checkCurrency(summary.currency, opts.currency);
  summary.currencySource = summary.currency !== null ? "file" : ds.currency !== null ? "user" : null;
  summary.currency = ds.currency;

  const { replaced, added } = supersedeOlderRows(conn, datasetId, uploadId, firstId);
  // a back-fill of its own source: another platform's rows ending later say nothing of this one's
  const lastOfSource = sourceLastDay(conn, datasetId, source, uploadId);
  const backfill = lastOfSource !== null && summary.period !== null && summary.period.end < lastOfSource;
  const others = uploadSources(conn, datasetId).filter((s) => s !== source);
  // the names this file shares with other sources' live rows (looked up only when the dataset has other sources)
  const warning = others.length > 0 ? sharedNamesWarning(sharedCampaigns(conn, datasetId, source, firstId)) : null;
  if (warning) summary.warnings.push(warning);
  const totalsAfter = refreshDatasetFigures(conn, datasetId);
  finishUpload(conn, uploadId, {
    period: summary.period,
    backfill,
    rowsImported: summary.rowsImported,
    rowsAdded: added,
    rowsReplaced: replaced,
    rowsRejected: summary.rowsRejected,
    totalsAfter,
  });
  bumpDataRevision(conn);
  conn.exec("COMMIT");
  if (pipeline.rowsDone >= CHECKPOINT_ROWS) checkpoint(conn);
  const bytesTotal = layout.detection.sizeBytes;
  opts.onProgress?.({ rowsDone: pipeline.rowsDone, bytesDone: bytesTotal, bytesTotal });
  return {
    ...summary,
    upload: { uploadId, rowsAdded: added, rowsReplaced: replaced, backfill, totalsBefore, totalsAfter, rule: mergeRule(source, others, backfill, summary.period?.end ?? null) },
  };
}

function currencyRefusal(fileCurrency: string, datasetCurrency: string | null): AppError {
  return new AppError(
    "currency_conflict",
    datasetCurrency === null
      ? `This file's amounts are in ${fileCurrency}, but the dataset's currency is not stated, so the two cannot be ` +
          "added together. Import the file as a dataset of its own."
      : `This file's amounts are in ${fileCurrency}, but the dataset's are in ${datasetCurrency}; amounts in two ` +
          "currencies cannot be added together. Nothing was written. Import the file as a dataset of its own.",
    { fileCurrency, currency: datasetCurrency },
  );
}
