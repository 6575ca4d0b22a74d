import { sql } from "drizzle-orm";
import { blob, index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// The formats and sources live with the shapes every layer shares; the schema's enums are built from them.
import { SOURCE_FORMATS, SOURCES } from "../lib/types/sources";
export { SOURCE_FORMATS, SOURCES, sourceOfFormat, type Source, type SourceFormat } from "../lib/types/sources";

export const DATASET_STATUSES = ["ready", "failed"] as const;
export type DatasetStatus = (typeof DATASET_STATUSES)[number];

/** One uploaded file (identified by the SHA-256 of its bytes) and the summary of its import. */
export const datasets = sqliteTable(
  "datasets",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    /** Original file name as given by the user (display only). */
    fileName: text("file_name").notNull(),
    sourceFormat: text("source_format", { enum: SOURCE_FORMATS }).notNull(),
    /** Hex SHA-256 of the uploaded bytes; the bytes live at uploads/<sha256>. */
    sha256: text("sha256").notNull(),
    /** Size of the upload in bytes. */
    sizeBytes: integer("size_bytes").notNull(),
    /** ISO 4217 code (e.g. "USD"); null when the file does not say. */
    currency: text("currency"),
    status: text("status", { enum: DATASET_STATUSES }).notNull().default("ready"),
    /** True for the bundled sample dataset. */
    isSample: integer("is_sample", { mode: "boolean" }).notNull().default(false),
    /** First and last day covered (ISO date), null for files without dates. */
    periodStart: text("period_start"),
    periodEnd: text("period_end"),
    /** Rows imported / rejected (count). */
    rowsImported: integer("rows_imported").notNull().default(0),
    rowsRejected: integer("rows_rejected").notNull().default(0),
    /** The column mapping used, JSON {field: header}. */
    mappingJson: text("mapping_json").notNull(),
    /** The full import summary returned to the user, JSON. */
    summaryJson: text("summary_json").notNull(),
    /** ISO timestamp (UTC). */
    createdAt: text("created_at")
      .notNull()
      .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [uniqueIndex("datasets_sha256_unique").on(t.sha256)],
);
export type Dataset = typeof datasets.$inferSelect;
export type NewDataset = typeof datasets.$inferInsert;

/** One row of exposure: a campaign-day (or a segment of it), or an ad over the whole period when a file has no dates. */
export const observations = sqliteTable(
  "observations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    datasetId: integer("dataset_id")
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    campaign: text("campaign").notNull(),
    /** Ad, ad group, device...: what distinguishes several rows of one campaign and period; "" when none. */
    segment: text("segment").notNull().default(""),
    /** ISO dates (inclusive); null when the file has no dates and no date-range line. */
    periodStart: text("period_start"),
    periodEnd: text("period_end"),
    /**
     * Count; null when the file does not say (an empty cell or a missing-value marker such as "n/a" or " --"):
     * unknown, never 0, and left out of click-through rates and of clicks-versus-impressions checks.
     */
    impressions: integer("impressions"),
    /** Count. */
    clicks: integer("clicks").notNull().default(0),
    /** Count; may be fractional (attribution). */
    conversions: real("conversions").notNull().default(0),
    /** Secondary conversion count (e.g. "Approved_Conversion"); null when absent. */
    conversionsAlt: real("conversions_alt"),
    /** Currency amounts in the dataset currency. */
    spend: real("spend").notNull().default(0),
    revenue: real("revenue"),
    /** 1-based line number in the source file. */
    line: integer("line").notNull(),
    /** The dataset_uploads row whose file wrote this row (deleted with it). */
    uploadId: integer("upload_id"),
    /** The platform of the upload that wrote this row (SOURCES); rows of two sources never replace each other. */
    source: text("source", { enum: SOURCES }).notNull().default("other"),
    /**
     * The later upload whose row for the same (period, campaign, segment, source) replaced this one; null while this row is
     * the live version. Every read of a dataset's figures takes only rows where this is null.
     */
    supersededBy: integer("superseded_by"),
  },
  (t) => [
    // the replaced versions only, for giving a row back its state when the upload that replaced it is removed; it
    // starts empty, so a first import builds one index over its rows instead of two (the live rows are the other)
    index("observations_replaced").on(t.datasetId, t.campaign, t.periodStart).where(sql`superseded_by IS NOT NULL`),
    // the live versions only: what every analysis reads, and what stays the size of the dataset as uploads pile up
    index("observations_live").on(t.datasetId, t.campaign, t.periodStart).where(sql`superseded_by IS NULL`),
  ],
);
export type Observation = typeof observations.$inferSelect;
export type NewObservation = typeof observations.$inferInsert;

/**
 * A packed copy of a dataset's live observation rows, what getObservationsByCampaign (db/queries.ts) yields, so that
 * an analysis reads one blob instead of a row per campaign-day (layout: db/series.ts). Built by the first full read
 * after a write and deleted in the transaction of every write that changes which rows are live (db/series.ts
 * forgetSeries); a migration that changes observation rows must empty this table too.
 */
export const campaignSeries = sqliteTable("campaign_series", {
  datasetId: integer("dataset_id")
    .primaryKey()
    .references(() => datasets.id, { onDelete: "cascade" }),
  /** JSON {v, campaigns, counts, dates}: campaign names in name order, rows per campaign (count), distinct ISO dates. */
  meta: text("meta").notNull(),
  /** The rows' columns, packed (db/series.ts): amounts in the dataset currency, counts, and indexes into meta.dates. */
  data: blob("data", { mode: "buffer" }).notNull(),
});
export type CampaignSeries = typeof campaignSeries.$inferSelect;

/**
 * One file imported into a dataset: the first made it, each later one (`import --into`) added or replaced rows.
 * Totals are of the dataset's live rows just before and just after this upload was written.
 */
export const datasetUploads = sqliteTable(
  "dataset_uploads",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    datasetId: integer("dataset_id")
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    /** Hex SHA-256 of the file's bytes (uploads/<sha256>). */
    sha256: text("sha256").notNull(),
    /** File name as given by the user (display only). */
    fileName: text("file_name").notNull(),
    sourceFormat: text("source_format", { enum: SOURCE_FORMATS }).notNull(),
    /** Size of the file in bytes. */
    sizeBytes: integer("size_bytes").notNull(),
    /** ISO timestamp (UTC). */
    importedAt: text("imported_at")
      .notNull()
      .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    /** First and last day of the file's rows (ISO dates), null for files without dates. */
    periodStart: text("period_start"),
    periodEnd: text("period_end"),
    /** True when the file's last day is before the last day of its source's rows when it was imported (a back-fill). */
    backfill: integer("backfill", { mode: "boolean" }).notNull().default(false),
    /** Rows the file wrote (count). */
    rowsImported: integer("rows_imported").notNull().default(0),
    /** Of those, rows whose (period, campaign, segment, source) was new to the dataset (count). */
    rowsAdded: integer("rows_added").notNull().default(0),
    /** Older live rows this file's rows replaced (count). */
    rowsReplaced: integer("rows_replaced").notNull().default(0),
    /** Rows rejected (count). */
    rowsRejected: integer("rows_rejected").notNull().default(0),
    /** The dataset's live totals before and after, JSON {rows, impressions, clicks, conversions, spend, revenue}. */
    totalsBeforeJson: text("totals_before_json").notNull(),
    totalsAfterJson: text("totals_after_json").notNull(),
  },
  (t) => [index("dataset_uploads_dataset").on(t.datasetId), index("dataset_uploads_sha256").on(t.sha256)],
);
export type DatasetUpload = typeof datasetUploads.$inferSelect;
export type NewDatasetUpload = typeof datasetUploads.$inferInsert;

/** Order-level sales rows (order value distribution). */
export const orders = sqliteTable(
  "orders",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    datasetId: integer("dataset_id")
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    campaign: text("campaign").notNull(),
    /** ISO date. */
    date: text("date"),
    orderId: text("order_id"),
    /** Currency amount. */
    value: real("value").notNull(),
    line: integer("line").notNull(),
  },
  (t) => [index("orders_dataset_campaign").on(t.datasetId, t.campaign)],
);
export type Order = typeof orders.$inferSelect;
export type NewOrder = typeof orders.$inferInsert;

/** Every row that could not be imported, verbatim, with its 1-based line number and the reason. */
export const rejectedRows = sqliteTable(
  "rejected_rows",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    datasetId: integer("dataset_id")
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    line: integer("line").notNull(),
    raw: text("raw").notNull(),
    reason: text("reason").notNull(),
    /** The dataset_uploads row whose file had this row (deleted with it). */
    uploadId: integer("upload_id"),
  },
  (t) => [index("rejected_rows_dataset").on(t.datasetId, t.line)],
);
export type RejectedRow = typeof rejectedRows.$inferSelect;
export type NewRejectedRow = typeof rejectedRows.$inferInsert;

/** A change marker: the day a campaign was changed (new ads, bids, landing page), with a note; "Did it work?" reads it. */
export const changeMarkers = sqliteTable(
  "change_markers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    datasetId: integer("dataset_id")
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    /** The campaign's name as stored in observations.campaign. */
    campaign: text("campaign").notNull(),
    /** ISO date (YYYY-MM-DD): the first day of the after period. */
    date: text("date").notNull(),
    /** What changed, up to 500 characters (trimmed); "" when none. */
    note: text("note").notNull().default(""),
    /** ISO timestamp (UTC). */
    createdAt: text("created_at")
      .notNull()
      .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [index("change_markers_dataset_campaign").on(t.datasetId, t.campaign, t.date)],
);
export type ChangeMarker = typeof changeMarkers.$inferSelect;
export type NewChangeMarker = typeof changeMarkers.$inferInsert;

/** Small key/value facts about this database (e.g. that the sample dataset was loaded once). */
export const appMeta = sqliteTable("app_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  /** ISO timestamp (UTC). */
  updatedAt: text("updated_at")
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});
export type AppMeta = typeof appMeta.$inferSelect;

/**
 * A dataset's time-lag report (Google Ads "Days to conversion" and similar): at most one per dataset, a newer one
 * replaces it. Its bytes are kept at uploads/<sha256> like every upload's.
 */
export const lagReports = sqliteTable(
  "lag_reports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    datasetId: integer("dataset_id")
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    /** File name as given by the user (display only). */
    fileName: text("file_name").notNull(),
    /** Hex SHA-256 of the file's bytes (uploads/<sha256>). */
    sha256: text("sha256").notNull(),
    /** Size of the file in bytes. */
    sizeBytes: integer("size_bytes").notNull(),
    /**
     * The buckets read, JSON [{campaign, from, to, conversions}]: delays in whole days from `from` (inclusive) to
     * `to` (exclusive; null for an open last bucket such as ">30"); campaign null for the whole account.
     */
    bucketsJson: text("buckets_json").notNull(),
    /** Rows that could not be read, JSON [{line, raw, reason}]. */
    rejectedJson: text("rejected_json").notNull().default("[]"),
    /** ISO timestamp (UTC). */
    createdAt: text("created_at")
      .notNull()
      .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [uniqueIndex("lag_reports_dataset_unique").on(t.datasetId), index("lag_reports_sha256").on(t.sha256)],
);
export type LagReport = typeof lagReports.$inferSelect;
export type NewLagReport = typeof lagReports.$inferInsert;
