/**
 * Reading a time-lag report: Google Ads "Days to conversion" (title and date-range lines before the header, a
 * "Days to conversion" column with buckets "<1", "1", ..., "12-20", "21-30", ">30" or "30+", a "Conversions" column,
 * optionally a "Campaign" column, "Total: ..." rows at the bottom) or a plain two-column CSV (days, conversions).
 * Pure: bytes in, buckets and the rows that could not be read (with a reason) out; a file that cannot be read at all
 * is refused whole with an AppError.
 *
 * A bucket is the delays it counts, in whole days [from, to): "<1" = [0, 1), "3" = [3, 4), "12-20" = [12, 21),
 * ">30" = [31, open), "30+" = [30, open); a plain file's "n" = [n, n + 1).
 */
import Papa from "papaparse";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { looksBinary, sniffEncoding } from "./encoding";
import { parseNumberCell } from "./numbers";

/** One bucket of a report: conversions with a delay in [from, to) days, for a campaign (null: the whole account). */
export interface ReportBucket {
  campaign: string | null;
  label: string;
  from: number;
  to: number | null;
  conversions: number;
}

/** A row that could not be read: its 1-based line, the row as text, the reason. */
export interface ReportRejectedRow {
  line: number;
  raw: string;
  reason: string;
}

export interface ParsedLagReport {
  /** "google_ads": a Days-to-conversion header was found; "plain": a days, conversions file. */
  format: "google_ads" | "plain";
  buckets: ReportBucket[];
  rejected: ReportRejectedRow[];
  /** Total: rows skipped (they repeat the buckets' sums). */
  totalRows: number;
}

/** The buckets as stored (lag_reports.buckets_json) and read back. */
export const reportBucketsSchema = z.array(
  z.object({
    campaign: z.string().nullable(),
    label: z.string(),
    from: z.number().finite().min(0),
    to: z.number().finite().nullable(),
    conversions: z.number().finite().nonnegative(),
  }),
);

const DAYS_HEADER = /^(days? to conversion|days?|time lag|lag( days)?|delay( days)?|days from click)$/i;
const CONVERSIONS_HEADER = /^(conversions|all conv\.?|conv\.|conversions \(.*\)|all conversions)$/i;
const CAMPAIGN_HEADER = /^campaign( name)?$/i;
/** Lines searched for the header row (a report's title and date-range lines come first). */
const HEADER_SEARCH = 20;
const MAX_DAYS = 3650;

const clean = (s: string | undefined) => (s ?? "").replace(/^\uFEFF/, "").trim();

/**
 * Reads a bucket label. "<1" -> [0, 1); "n" -> [n, n + 1); "a-b" -> [a, b + 1); ">n" -> [n + 1, open);
 * "n+" -> [n, open); "days" or "day" after the figures is ignored. Returns a reason when the label is not one.
 * @example parseBucketLabel("12-20") // { from: 12, to: 21 }
 */
function parseBucketLabel(label: string): { from: number; to: number | null } | string {
  const s = label.toLowerCase().replace(/\s*days?\s*$/, "").replace(/\s+/g, "").replace(/[–—]/g, "-");
  if (s === "") return "the days cell is empty";
  let m: RegExpExecArray | null;
  const whole = (x: string) => Number(x);
  if ((m = /^<(\d+)$/.exec(s))) {
    const n = whole(m[1] as string);
    return n >= 1 && n <= MAX_DAYS ? { from: 0, to: n } : `"${label}" is not a number of days from 1 to ${MAX_DAYS}`;
  }
  if ((m = /^(\d+)$/.exec(s))) {
    const n = whole(m[1] as string);
    return n <= MAX_DAYS ? { from: n, to: n + 1 } : `"${label}" is over ${MAX_DAYS} days`;
  }
  if ((m = /^(\d+)-(\d+)$/.exec(s))) {
    const a = whole(m[1] as string);
    const b = whole(m[2] as string);
    if (b < a) return `"${label}" ends before it starts`;
    return b <= MAX_DAYS ? { from: a, to: b + 1 } : `"${label}" is over ${MAX_DAYS} days`;
  }
  if ((m = /^(?:>|more than)(\d+)$/.exec(s))) {
    const n = whole(m[1] as string);
    return n < MAX_DAYS ? { from: n + 1, to: null } : `"${label}" is over ${MAX_DAYS} days`;
  }
  if ((m = /^(?:(\d+)\+|>=(\d+))$/.exec(s))) {
    const n = whole((m[1] ?? m[2]) as string);
    return n <= MAX_DAYS ? { from: n, to: null } : `"${label}" is over ${MAX_DAYS} days`;
  }
  return `"${label.slice(0, 40)}" is not a number of days (like <1, 3, 12-20, >30 or 30+)`;
}

/**
 * The separator: the first of tab, semicolon and comma found in the header line (the first of the first 20 lines that
 * mentions conversions, else the first non-empty one). Papa's own guess is thrown by decimal commas ("0;1,5").
 */
function delimiterOf(text: string): string {
  const lines = text.split(/\r?\n/, HEADER_SEARCH).filter((l) => l.trim() !== "");
  const line = lines.find((l) => /conversion/i.test(l)) ?? lines[0] ?? "";
  return line.includes("\t") ? "\t" : line.includes(";") ? ";" : ",";
}

/** Decodes a report's bytes (UTF-8 with or without BOM, UTF-16 with BOM, else windows-1252). */
function decode(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new AppError("empty_file", "The file is empty.");
  const enc = sniffEncoding(bytes.subarray(0, 65536), bytes.length > 65536 ? bytes.subarray(-4096) : null);
  const body = bytes.subarray(enc.bomBytes);
  const label = enc.encoding === "utf-8-bom" ? "utf-8" : enc.encoding;
  const text = new TextDecoder(label).decode(body);
  if (looksBinary(text)) throw new AppError("binary_file", "This file is not text: a time-lag report is a CSV file.");
  return text;
}

/**
 * Parses a time-lag report's bytes (see the module comment).
 * @throws AppError empty_file / binary_file / unrecognised_format (no days and conversions columns) / no_valid_rows
 *   (no row could be read, or every bucket holds 0 conversions).
 * @example parseLagReport(new TextEncoder().encode("days,conversions\n0,40\n1,20\n")).buckets.length // 2
 */
export function parseLagReport(bytes: Uint8Array): ParsedLagReport {
  const text = decode(bytes);
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false, delimiter: delimiterOf(text) });
  const rows = parsed.data;
  let format: ParsedLagReport["format"] = "google_ads";
  let header = -1;
  let daysCol = -1;
  let convCol = -1;
  let campaignCol = -1;
  for (let i = 0; i < Math.min(rows.length, HEADER_SEARCH); i++) {
    const cells = (rows[i] ?? []).map(clean);
    const d = cells.findIndex((c) => DAYS_HEADER.test(c));
    const c = cells.findIndex((x) => CONVERSIONS_HEADER.test(x));
    if (d >= 0 && c >= 0) {
      header = i;
      daysCol = d;
      convCol = c;
      campaignCol = cells.findIndex((x) => CAMPAIGN_HEADER.test(x));
      if (!/to conversion/i.test(cells[d] as string)) format = "plain";
      break;
    }
  }
  let first = header + 1;
  if (header < 0) {
    // A plain two-column file, with or without a header of its own.
    const firstRow = (rows[0] ?? []).map(clean).filter((c) => c !== "");
    // a plain file without a header starts with a bucket; a header of other names is not a time-lag report's
    if (firstRow.length !== 2 || typeof parseBucketLabel(firstRow[0] as string) === "string") {
      throw new AppError(
        "unrecognised_format",
        'This is not a time-lag report: no "Days to conversion" and "Conversions" columns were found, and it is not a two-column file of days and conversions.',
      );
    }
    format = "plain";
    daysCol = 0;
    convCol = 1;
    first = 0;
  }
  const sample = rows.slice(first, first + 50).map((r) => clean(r[convCol]));
  const mark = sample.some((s) => /^\d{1,3}(\.\d{3})*,\d+$/.test(s)) && !sample.some((s) => /\d\.\d{1,2}$/.test(s)) ? "," : ".";
  const buckets: ReportBucket[] = [];
  const rejected: ReportRejectedRow[] = [];
  const seen = new Map<string, { from: number; to: number | null; line: number }[]>();
  let totalRows = 0;
  for (let i = first; i < rows.length; i++) {
    const cells = rows[i] ?? [];
    const line = i + 1;
    const raw = cells.join(",");
    if (cells.every((c) => clean(c) === "")) continue;
    if (cells.some((c) => /^total\b/i.test(clean(c)))) {
      totalRows++;
      continue;
    }
    const label = clean(cells[daysCol]);
    const campaign = campaignCol >= 0 ? clean(cells[campaignCol]) : null;
    if (campaign === "") {
      rejected.push({ line, raw, reason: "the campaign cell is empty" });
      continue;
    }
    const bucket = parseBucketLabel(label);
    if (typeof bucket === "string") {
      rejected.push({ line, raw, reason: bucket });
      continue;
    }
    const convText = clean(cells[convCol]);
    const conv = parseNumberCell(convText.replace(/\s/g, ""), mark);
    if (conv === null || Number.isNaN(conv)) {
      rejected.push({ line, raw, reason: convText === "" ? "the conversions cell is empty" : `"${convText.slice(0, 40)}" is not a number of conversions` });
      continue;
    }
    if (conv < 0) {
      rejected.push({ line, raw, reason: "conversions cannot be negative" });
      continue;
    }
    const key = campaign ?? "";
    const list = seen.get(key) ?? [];
    const clash = list.find((b) => b.from < (bucket.to ?? Infinity) && bucket.from < (b.to ?? Infinity));
    if (clash) {
      rejected.push({ line, raw, reason: `the bucket "${label}" overlaps the one on line ${clash.line}` });
      continue;
    }
    list.push({ ...bucket, line });
    seen.set(key, list);
    buckets.push({ campaign, label, from: bucket.from, to: bucket.to, conversions: conv });
  }
  if (buckets.length === 0) {
    throw new AppError("no_valid_rows", `No row of this time-lag report could be read${rejected[0] ? ` (line ${rejected[0].line}: ${rejected[0].reason})` : ""}.`);
  }
  if (!buckets.some((b) => b.conversions > 0)) throw new AppError("no_valid_rows", "Every bucket of this time-lag report holds 0 conversions: there is nothing to learn from.");
  return { format, buckets, rejected, totalRows };
}

/** A report's buckets of the same [from, to) summed over its campaigns: the whole account's buckets. */
export function sumBuckets(buckets: readonly ReportBucket[]): { from: number; to: number | null; count: number }[] {
  const m = new Map<string, { from: number; to: number | null; count: number }>();
  for (const b of buckets) {
    const key = `${b.from}:${b.to}`;
    const s = m.get(key);
    if (s) s.count += b.conversions;
    else m.set(key, { from: b.from, to: b.to, count: b.conversions });
  }
  return [...m.values()].sort((x, y) => x.from - y.from);
}
