/**
 * The importer's shapes shared with the layers around it: the mapping fields, a detection, an import's summary and
 * its progress. The database (db/queries.ts stores and lists summaries), the importer (lib/ingest), the services and
 * the pages all read them, so they live below all of them and import nothing but the format names beside them.
 */
import type { SourceFormat } from "./sources";

/** Fields of the generic daily template; `--map field=Header` and the mapping editor use these names. */
export const TEMPLATE_FIELDS = ["date", "campaign", "impressions", "clicks", "conversions", "spend", "revenue"] as const;

/** Every field a mapping can name: the template fields plus the extra ones some formats carry. */
export const MAPPABLE_FIELDS = [
  ...TEMPLATE_FIELDS,
  "segment",
  "conversions_alt",
  "order_id",
  "value",
  "currency",
] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

/** field -> header text in the file (null when the file has no such column). */
export type Mapping = Partial<Record<MappableField, string | null>>;

export interface Totals {
  impressions: number;
  clicks: number;
  /** May be fractional (attribution). */
  conversions: number;
  spend: number;
  revenue: number;
}

export interface ReconciliationLine {
  field: keyof Totals;
  imported: number;
  reported: number;
  /** imported - reported */
  difference: number;
  matches: boolean;
}

export interface Reconciliation {
  /** The totals row used, e.g. "Total: Campaigns". */
  source: string;
  /** Line of that totals row in the file (1-based). */
  line: number;
  matches: boolean;
  lines: ReconciliationLine[];
  /** Other totals rows seen and not used, with why (e.g. "includes removed campaigns"). */
  ignored: { source: string; line: number; reason: string }[];
}

/** What the importer saw in a file before importing it: enough to show and edit the mapping. */
export interface Detection {
  sha256: string;
  fileName: string;
  sizeBytes: number;
  format: SourceFormat;
  /** Human label, e.g. "Google Ads campaign report". */
  formatLabel: string;
  encoding: "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be" | "windows-1252";
  delimiter: "," | "\t" | ";";
  /** 1-based line of the header row. */
  headerLine: number;
  headers: string[];
  mapping: Mapping;
  /** "day-first" / "month-first" when slash dates were seen, else null. */
  dateOrder: "day-first" | "month-first" | null;
  currency: string | null;
  /** Period from a date-range line, when the file has one. */
  periodFromPreamble: { start: string; end: string } | null;
  /**
   * The period the data covers as far as detection read it: from the rows' dates (the first rows and the last ones
   * of a big file) when the file has a date column ("data"), else from a date-range line above the header
   * ("preamble"); null when neither says. A report's run date or data-freshness line is never taken for it.
   */
  period?: { start: string; end: string; source: "data" | "preamble" } | null;
  /** First data rows as they appear (header -> cell). */
  previewRows: Record<string, string>[];
  warnings: string[];
  /** Decimal mark of the numbers ("," in files written as "1.234,56"). */
  decimalSeparator?: "." | ",";
  /** What the rows become: ad performance ("observations") or order-level sales ("orders"). */
  kind?: "observations" | "orders";
}

export interface ImportSummary {
  datasetId: number;
  name: string;
  /** True when these bytes (and this mapping) had already been imported: the existing dataset is returned. */
  existing: boolean;
  sha256: string;
  format: SourceFormat;
  formatLabel: string;
  encoding: Detection["encoding"];
  delimiter: Detection["delimiter"];
  mapping: Mapping;
  dateOrder: Detection["dateOrder"];
  /** "observations" for ad performance rows, "orders" for order-level sales files. */
  kind: "observations" | "orders";
  rowsImported: number;
  rowsRejected: number;
  /** Things to check (ambiguous dates, rows with more clicks than impressions, totals that do not match...). */
  warnings: string[];
  /** What the importer decided, for the record (date order and why, totals rows not used, footers skipped). */
  notes?: string[];
  reconciliation: Reconciliation | null;
  currency: string | null;
  /** Where `currency` comes from: the file (a header, a column, symbols), the user at import, or nowhere (null). */
  currencySource?: "file" | "user" | null;
  period: { start: string; end: string } | null;
  totals: Totals;
  campaigns: number;
  /**
   * For an import into an existing dataset (`intoDatasetId`): what this file changed there. With `existing: true` the
   * same bytes were already imported into it and nothing changed; `uploadId` then names that earlier upload.
   */
  upload?: UploadChange;
}

/** A dataset's live rows and their sums (superseded versions left out). */
export interface UploadTotals extends Totals {
  /** Live rows (count). */
  rows: number;
}

/** What one upload into a dataset changed. */
export interface UploadChange {
  uploadId: number;
  /** Rows of the file whose (date, campaign, segment, source) was new to the dataset (count). */
  rowsAdded: number;
  /** Older rows the file's rows replaced (count; kept as superseded versions, restored if the upload is removed). */
  rowsReplaced: number;
  /** The file ends before the last day of its source's rows: its rows replaced only the dates it covers. */
  backfill: boolean;
  totalsBefore: UploadTotals;
  totalsAfter: UploadTotals;
  /** The merge rule applied, in words. */
  rule: string;
}

export interface ImportProgress {
  bytesDone: number;
  bytesTotal: number;
  rowsDone: number;
  phase: "receiving" | "parsing" | "done" | "failed";
}
