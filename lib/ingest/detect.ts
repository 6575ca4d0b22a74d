import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { SourceFormat } from "@/lib/types/sources";
import { AppError } from "@/lib/errors";
import { DateOrderVote, parseDayRange, type DateOrder, type DayRange } from "./dates";
import { byteLengthOf, createDecoder, looksBinary, NOT_TEXT, sniffEncoding } from "./encoding";
import {
  FORMAT_LABELS,
  NUMBER_FIELDS,
  TEMPLATE_COLUMNS_TEXT,
  FIELDS,
  findHeader,
  headerKey,
  identifyFormat,
  mappingKind,
  mergeMapping,
  proposeMapping,
  suggestMapping,
  publicMapping,
  type Field,
  type FullMapping,
} from "./headers";
import { currencyOfCell, inferDecimalMark, type DecimalMark } from "./numbers";
import { isBlankRecord, rankDelimiters, splitRecords, type Delimiter, type TextRecord } from "./records";
import { isFooter, totalsLabel } from "./rows";
import { dateOrderUncertain, warningText, type ImportWarning } from "./messages";
import { MAPPABLE_FIELDS, type Detection, type Mapping } from "@/lib/types/ingest";

/** Bytes read from the start of a file to detect its layout (header, preamble, first rows). */
const HEAD_BYTES = 256 * 1024;
/** Bytes read from the end (totals rows, footers, late dates that settle day-first vs month-first). */
const TAIL_BYTES = 64 * 1024;
/** Records examined when looking for the header row. */
const HEADER_SEARCH_RECORDS = 60;
const PREVIEW_ROWS = 20;

/** Everything the streaming import needs to know about a file, beyond what `Detection` shows the user. */
export interface FileLayout {
  /** What detection found, as the API shows it (its `warnings` are the texts of `warnings` below). */
  detection: Detection;
  warnings: ImportWarning[];
  kind: "observations" | "orders";
  /** field -> header text, every field present (null = not in the file). */
  mapping: FullMapping;
  /** field -> column index, -1 when not mapped. */
  columns: Record<Field, number>;
  headers: string[];
  delimiter: Delimiter;
  newline: "\r\n" | "\n" | "\r";
  bomBytes: number;
  /** Byte offset just after the header record: where the streaming parse starts. */
  dataStartByte: number;
  /** 1-based line of the first record after the header. */
  firstDataLine: number;
  decimalMark: DecimalMark;
  /** Evidence on slash dates seen in the first and last rows; `decided` false means the order is still a guess. */
  dateVote: DateOrderVote;
  /** True when the whole file fitted in the part read for detection (no more evidence to find). */
  wholeFileRead: boolean;
  /** A row's date is a week ("Week" column) or a month ("Month" column) rather than a day. */
  dateSpan: "day" | "week" | "month";
  /** Period from a date-range line above the header ("1 January 2026 - 31 January 2026"). */
  preambleRange: DayRange | null;
  /** Currency named in a header ("Amount spent (USD)") or by symbols in the cells ("$12.00"). */
  headerCurrency: string | null;
  cellCurrency: string | null;
  /** Rough number of data rows (from the average row length in the first rows). */
  estimatedRows: number;
}

export interface DetectOptions {
  fileName: string;
  mapping?: Mapping;
  /** SHA-256 of the file when the caller knows it; otherwise taken from a content-addressed file name or computed. */
  sha256?: string;
}

/**
 * Reads the start (and end) of a stored file and works out how to import it: encoding, delimiter, preamble,
 * header row, format, mapping (the user's over the detected one), date order, decimal mark, currency, period
 * from a date-range line, the first rows as a preview, and warnings. Refuses what cannot be imported with an
 * AppError a marketer can act on: empty_file, binary_file, header_only, unrecognised_format.
 */
export async function detectFile(filePath: string, opts: DetectOptions): Promise<Detection> {
  return (await inspectFile(filePath, opts)).detection;
}

/** `detectFile` with everything the importer needs (byte offset of the data, column indexes, evidence). */
export async function inspectFile(filePath: string, opts: DetectOptions): Promise<FileLayout> {
  const { head, tail, size } = await readHeadAndTail(filePath);
  if (size === 0) throw new AppError("empty_file", "The file is empty (0 bytes). Choose the CSV export again.");
  const sha256 = opts.sha256 ?? (await shaOf(filePath));

  const sniffed = sniffEncoding(head, tail, size <= head.length);
  const { encoding, bomBytes } = sniffed;
  const wholeFileRead = size <= head.length;
  const headText = createDecoder(encoding).decode(head.subarray(bomBytes), !wholeFileRead);
  if (looksBinary(headText)) throw new AppError("binary_file", NOT_TEXT);
  if (headText.trim() === "") {
    if (wholeFileRead) throw new AppError("empty_file", "The file has no content, only blank lines.");
    throw new AppError("unrecognised_format", "The file starts with more than 256 KB of blank space; it does not look like a CSV export.");
  }
  let tailText: string | null = null;
  if (tail) {
    tailText = createDecoder(encoding).decode(tail, false);
    // the slice starts mid-line: drop everything up to the first line break
    const nl = tailText.search(/\r\n|\n|\r/);
    tailText = nl >= 0 ? tailText.slice(nl).replace(/^(\r\n|\n|\r)/, "") : "";
  }

  const found = findHeaderRecord(headText, wholeFileRead, opts.mapping);
  const { delimiter, records, headerIndex, mapping } = found;
  const header = records[headerIndex] as TextRecord;
  const headers = header.fields.map((h) => h.replace(/^\uFEFF/, "").trim());
  const kind = mappingKind(mapping) as "observations" | "orders";
  const columns = {} as Record<Field, number>;
  for (const f of FIELDS) columns[f] = mapping[f] ? headers.indexOf(mapping[f] as string) : -1;

  // The records after the header in the part read: data rows, totals rows and footers.
  const dataRecords: TextRecord[] = [];
  for (let i = headerIndex + 1; i < records.length; i++) {
    const r = records[i] as TextRecord;
    if (isBlankRecord(r.fields) || isFooter(r.fields)) continue;
    if (totalsLabel(r.fields, columns.campaign) !== null) continue;
    dataRecords.push(r);
  }
  if (dataRecords.length === 0 && wholeFileRead) {
    throw new AppError(
      "header_only",
      `The file has a header row (${headers.slice(0, 8).join(", ")}${headers.length > 8 ? ", …" : ""}) but no data ` +
        "rows below it. Export the report again with at least one day or campaign in it.",
      { headers },
    );
  }
  const tailRecords = tailText
    ? splitRecords(tailText, delimiter, { final: true }).filter(
        (r) => r.fields.length === headers.length && !isBlankRecord(r.fields) && totalsLabel(r.fields, columns.campaign) === null,
      )
    : [];

  // Dates: slash-date evidence from the first and last rows.
  const dateVote = new DateOrderVote();
  for (const idx of [columns.date, columns.date_end]) {
    if (idx < 0) continue;
    for (const r of dataRecords) dateVote.add(r.fields[idx] ?? "", r.line);
    for (const r of tailRecords) dateVote.add(r.fields[idx] ?? "", null);
  }
  const dateOrder: DateOrder = dateVote.order;

  // Numbers: decimal mark from the number columns, currency from symbols in them.
  const samples: string[] = [];
  let cellCurrency: string | null = null;
  for (const f of NUMBER_FIELDS) {
    const idx = columns[f];
    if (idx < 0) continue;
    for (const r of dataRecords.slice(0, 2000)) {
      const cell = r.fields[idx];
      if (!cell) continue;
      samples.push(cell);
      if (!cellCurrency && (f === "spend" || f === "revenue" || f === "value")) cellCurrency = currencyOfCell(cell);
    }
  }
  const decimalMark = inferDecimalMark(samples, delimiter);

  let headerCurrency: string | null = null;
  for (const f of ["spend", "revenue", "value"] as const) {
    const h = mapping[f];
    if (h && !headerCurrency) headerCurrency = headerKey(h).currency;
  }
  const currencyCounts = new Map<string, number>();
  if (columns.currency >= 0) {
    for (const r of dataRecords) {
      const c = (r.fields[columns.currency] ?? "").trim().toUpperCase();
      if (/^[A-Z]{3}$/.test(c)) currencyCounts.set(c, (currencyCounts.get(c) ?? 0) + 1);
    }
  }
  const columnCurrency = [...currencyCounts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;

  // Lines above the header: title, date range, report name...
  const preamble = records
    .slice(0, headerIndex)
    .filter((r) => !isBlankRecord(r.fields))
    .map((r) => r.fields.map((f) => f.trim()).filter((f) => f !== "").join(" "));
  const preambleRange = rangeFromPreamble(preamble, dateOrder);
  const period = columns.date >= 0 ? periodOfRows([...dataRecords, ...tailRecords], columns.date, columns.date_end, dateOrder) : null;

  const format: SourceFormat = identifyFormat(headers, preamble);
  const dateKey = mapping.date ? headerKey(mapping.date).key : "";
  const dateSpan = dateKey === "week" ? "week" : dateKey === "month" ? "month" : "day";

  const warnings: ImportWarning[] = [...sniffed.warnings];
  const evidence = dateVote.explain();
  if (evidence && dateOrderUncertain(evidence)) warnings.push({ code: "date_order", evidence });
  if (decimalMark === ",") warnings.push({ code: "decimal_comma" });
  if (currencyCounts.size > 1) warnings.push({ code: "mixed_currencies", currencies: [...currencyCounts.keys()].map((code) => ({ code })) });

  const dataStartByte = bomBytes + byteLengthOf(headText.slice(0, header.end), encoding);
  const first = dataRecords[0];
  const last = dataRecords.at(-1);
  const bytesPerRow =
    first && last ? Math.max(1, byteLengthOf(headText.slice(first.start, last.end), encoding) / dataRecords.length) : 64;
  const estimatedRows = wholeFileRead ? dataRecords.length : Math.round((size - dataStartByte) / bytesPerRow);

  const previewRows = dataRecords.slice(0, PREVIEW_ROWS).map((r) => {
    const row: Record<string, string> = {};
    headers.forEach((h, i) => {
      if (!(h in row)) row[h] = r.fields[i] ?? "";
    });
    return row;
  });

  const detection: Detection = {
    sha256,
    fileName: opts.fileName,
    sizeBytes: size,
    format,
    formatLabel: FORMAT_LABELS[format],
    encoding,
    delimiter,
    headerLine: header.line,
    headers,
    mapping: publicMapping(mapping),
    dateOrder: dateVote.seen ? dateOrder : null,
    currency: columnCurrency ?? headerCurrency ?? cellCurrency,
    periodFromPreamble: preambleRange,
    period: period
      ? { ...period, source: "data" }
      : columns.date < 0 && preambleRange
        ? { ...preambleRange, source: "preamble" }
        : null,
    previewRows,
    warnings: warnings.map(warningText),
    decimalSeparator: decimalMark,
    kind,
  };
  return {
    detection,
    warnings,
    kind,
    mapping,
    columns,
    headers,
    delimiter,
    newline: header.newline === "" ? "\n" : header.newline,
    bomBytes,
    dataStartByte,
    firstDataLine: header.line + header.lineSpan,
    decimalMark,
    dateVote,
    wholeFileRead: wholeFileRead || size <= head.length + (tail?.length ?? 0),
    dateSpan,
    preambleRange,
    headerCurrency,
    cellCurrency,
    estimatedRows,
  };
}

interface HeaderFound {
  delimiter: Delimiter;
  records: TextRecord[];
  headerIndex: number;
  mapping: FullMapping;
}

/**
 * Finds the header row: for each likely delimiter, the first of the first records whose cells map to a campaign
 * and at least one count (after the user's mapping, when given). Refuses with unrecognised_format otherwise,
 * listing the headers seen and the generic template's columns.
 */
function findHeaderRecord(text: string, final: boolean, user: Mapping | undefined): HeaderFound {
  const delimiters = rankDelimiters(text);
  const userTexts = user
    ? MAPPABLE_FIELDS.map((f) => user[f]).filter((t): t is string => typeof t === "string" && t.trim() !== "")
    : [];
  let firstRecords: TextRecord[] | null = null;
  for (const delimiter of delimiters) {
    const records = splitRecords(text, delimiter, { final });
    firstRecords ??= records;
    const limit = Math.min(records.length, HEADER_SEARCH_RECORDS);
    for (let i = 0; i < limit; i++) {
      const r = records[i] as TextRecord;
      if (r.fields.length < 2 && userTexts.length === 0) continue;
      if (isBlankRecord(r.fields)) continue;
      const headers = r.fields.map((h) => h.replace(/^\uFEFF/, "").trim());
      if (userTexts.some((t) => findHeader(headers, t) < 0)) continue;
      const mapping = mergeMapping(proposeMapping(headers), user, headers);
      if (mappingKind(mapping) === null) continue;
      if (i + 1 >= records.length && !final) continue;
      return { delimiter, records, headerIndex: i, mapping };
    }
  }
  const records = firstRecords ?? [];
  refuseNonTable(records);
  const seen = likelyHeader(records);
  // With a user mapping, this refuses first on a header the file does not have (naming the headers it has).
  const mapping = seen.length > 0 ? mergeMapping(proposeMapping(seen), user, seen) : null;
  const missing: string[] = [];
  if (!mapping?.campaign) missing.push("a campaign column");
  if (!mapping || mappingKind(mapping) === null) missing.push("a column of impressions, clicks or conversions (or order values)");
  throw new AppError(
    "unrecognised_format",
    `We could not recognise this file's columns: it lacks ${missing.join(" and ")}. ` +
      `The columns we saw are: ${seen.length > 0 ? seen.map((h) => `"${h}"`).join(", ") : "(none)"}. ` +
      `The generic template's columns are: ${TEMPLATE_COLUMNS_TEXT}. Rename the columns to match, or give a ` +
      `mapping that says which column holds which field (for example campaign = "Campaign name", clicks = "Link clicks").`,
    { headers: seen, templateColumns: TEMPLATE_COLUMNS_TEXT, missing, suggested: suggestMapping(seen) },
  );
}

/**
 * Refuses (`not_a_table`) a file that is not a table of figures at all, so it is never offered a mapping editor with
 * nothing to map: every line a single value, or no digit anywhere below the first line (prose, a list of names).
 */
function refuseNonTable(records: readonly TextRecord[]): void {
  const lines = records.slice(0, HEADER_SEARCH_RECORDS).filter((r) => !isBlankRecord(r.fields));
  if (lines.length === 0) return;
  const oneColumn = lines.every((r) => r.fields.length <= 1);
  const noNumbers = !lines.slice(1).some((r) => r.fields.some((f) => /\d/.test(f)));
  if (!oneColumn && !noNumbers) return;
  throw new AppError(
    "not_a_table",
    (oneColumn
      ? "This file has a single column: it is text, not a table of figures. "
      : "This file has no numbers below its first line: it is text, not a table of figures. ") +
      "Upload a CSV export with a header row and one row per campaign (and day), with columns such as " +
      `${TEMPLATE_COLUMNS_TEXT}.`,
    { oneColumn, noNumbers },
  );
}

/** The row that most looks like a header when none could be mapped: the first one as wide as most rows. */
function likelyHeader(records: readonly TextRecord[]): string[] {
  const widths = new Map<number, number>();
  for (const r of records.slice(0, HEADER_SEARCH_RECORDS)) {
    if (r.fields.length > 1) widths.set(r.fields.length, (widths.get(r.fields.length) ?? 0) + 1);
  }
  const width = [...widths.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0];
  const r = width === undefined ? records.find((x) => !isBlankRecord(x.fields)) : records.find((x) => x.fields.length === width);
  return (r?.fields ?? []).map((h) => h.replace(/^\uFEFF/, "").trim());
}

/**
 * The period the rows read cover (the first rows and the last ones of a big file): the earliest start and the latest
 * end among their readable date cells. Null when none is readable.
 */
function periodOfRows(rows: readonly TextRecord[], dateIdx: number, endIdx: number, order: DateOrder): DayRange | null {
  let start: string | null = null;
  let end: string | null = null;
  for (const r of rows) {
    const range = parseDayRange(r.fields[dateIdx] ?? "", order);
    if (!range) continue;
    const last = endIdx >= 0 ? (parseDayRange(r.fields[endIdx] ?? "", order)?.end ?? range.end) : range.end;
    if (start === null || range.start < start) start = range.start;
    if (end === null || last > end) end = last;
  }
  return start !== null && end !== null ? { start, end } : null;
}

/** Preamble lines that carry a date which is not the report's period (when it was run, the data's freshness...). */
const NOT_A_PERIOD = /^(last completed|last updated|generated|run|created|downloaded|exported|time zone|rows)\b/i;

/** A period from a line above the header: "1 January 2026 - 31 January 2026", "Report Time: 1/1/2026 - 1/31/2026". */
function rangeFromPreamble(lines: readonly string[], order: DateOrder): DayRange | null {
  for (const line of lines) {
    if (/^all time$/i.test(line)) return null;
    if (NOT_A_PERIOD.test(line)) continue;
    // a time of day ("Report Time: 2/3/2026 9:15:42 AM") stamps when the report was run: not its period
    if (/\b\d{1,2}:\d{2}(:\d{2})?\b/.test(line)) continue;
    const afterLabel = line.includes(":") ? line.slice(line.indexOf(":") + 1).trim() : line;
    for (const candidate of [line, afterLabel]) {
      const range = parseDayRange(candidate, order);
      if (range) return range;
    }
  }
  return null;
}

async function readHeadAndTail(filePath: string): Promise<{ head: Uint8Array; tail: Uint8Array | null; size: number }> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(filePath, "r");
  } catch {
    throw new AppError("unreadable", "The uploaded file could not be found; please upload it again.");
  }
  try {
    const { size } = await fh.stat();
    const headLen = Math.min(size, HEAD_BYTES);
    const head = Buffer.alloc(headLen);
    if (headLen > 0) await fh.read(head, 0, headLen, 0);
    let tail: Uint8Array | null = null;
    if (size > HEAD_BYTES) {
      const tailLen = Math.min(TAIL_BYTES, size - HEAD_BYTES);
      let start = size - tailLen;
      // keep UTF-16 code units aligned: offsets from the start are even (a BOM is 2 bytes, too)
      if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || looksUtf16(head)) {
        if (start % 2 === 1) start++;
      }
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      tail = buf;
    }
    return { head, tail, size };
  } finally {
    await fh.close();
  }
}

function looksUtf16(head: Uint8Array): boolean {
  let zeros = 0;
  const n = Math.min(head.length, 512);
  for (let i = 0; i < n; i++) if (head[i] === 0) zeros++;
  return n > 0 && zeros * 3 > n;
}

/** SHA-256 of a file, streamed; content-addressed uploads are named by it, so that is used when it fits. */
async function shaOf(filePath: string): Promise<string> {
  const base = path.basename(filePath);
  if (/^[0-9a-f]{64}$/.test(base)) return base;
  const hash = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
