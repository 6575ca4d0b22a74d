/**
 * The file formats the importer recognises and the platforms rows come from: names the schema's columns are
 * constrained to (db/schema.ts builds its enums from these), the importer writes and the pages label
 * (lib/format.ts). Shared below every layer, so they import nothing.
 */

/** Source formats the importer recognises (lib/ingest/headers.ts identifies them). */
export const SOURCE_FORMATS = [
  "generic",
  "orders",
  "google_ads",
  "meta_ads",
  "microsoft_ads",
  "ad_level",
  "mapped",
] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/**
 * The platform a row of ad performance came from: the source format of the upload that wrote it, with every format
 * that names no platform (the generic template, a mapped file, an ad-level sheet) as "other". Part of the key a newer
 * upload replaces rows on, and what the pages filter and group by (labels in lib/format.ts `sourceLabel`).
 */
export const SOURCES = ["google_ads", "meta_ads", "microsoft_ads", "other"] as const;
export type Source = (typeof SOURCES)[number];

/** The source of the rows a file of this format writes. */
export function sourceOfFormat(format: SourceFormat): Source {
  return format === "google_ads" || format === "meta_ads" || format === "microsoft_ads" ? format : "other";
}
