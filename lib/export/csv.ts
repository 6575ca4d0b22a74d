/**
 * CSV writing for every export: RFC 4180 quoting, CRLF line ends, and formula-injection safety for spreadsheets.
 *
 * A text cell that starts with = + - @ (or a tab or carriage return) would be run as a formula by Excel, LibreOffice
 * or Google Sheets when the file is opened, so such text gets a leading apostrophe ("'=SUM(A1)"), which spreadsheets
 * show as plain text. Numbers are written as numbers: -5 stays the number -5. Reference: OWASP, "CSV Injection".
 */

export type CsvCell = string | number | boolean | Date | null | undefined;

/** A column: a key that is also the header, or a key with its own header. */
export type CsvColumn = string | { key: string; header: string };

/** A row: cells by position, or a record read by the columns' keys. */
export type CsvRow = readonly CsvCell[] | Readonly<Record<string, CsvCell>>;

const FORMULA_START = new Set(["=", "+", "-", "@", "\t", "\r"]);

/**
 * One cell as CSV text.
 * - null, undefined and non-finite numbers (NaN, ±Infinity) give an empty cell: an export never shows "NaN";
 * - finite numbers are written with `String(n)` (shortest round-trip form; -0 as "0");
 * - booleans as "true"/"false", dates as ISO 8601 (UTC);
 * - text starting with = + - @ tab or CR gets a leading apostrophe;
 * - text holding a comma, quote, CR or LF is quoted, with quotes doubled (RFC 4180 section 2).
 * @example csvCell("=1+1") // returns "'=1+1"
 * @example csvCell(-5) // returns "-5"
 * @example csvCell('say "hi", then') // returns '"say ""hi"", then"'
 */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value === 0 ? 0 : value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  let s = value instanceof Date ? (Number.isNaN(value.getTime()) ? "" : value.toISOString()) : value;
  if (s.length > 0 && FORMULA_START.has(s.charAt(0))) s = `'${s}`;
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** One CSV record with its CRLF line end. */
export function csvLine(cells: readonly CsvCell[]): string {
  let out = "";
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) out += ",";
    out += csvCell(cells[i]);
  }
  return `${out}\r\n`;
}

const keyOf = (c: CsvColumn) => (typeof c === "string" ? c : c.key);
const headerOf = (c: CsvColumn) => (typeof c === "string" ? c : c.header);

function cellsOf(columns: readonly CsvColumn[], row: CsvRow): CsvCell[] {
  if (Array.isArray(row)) return columns.map((_, i) => (row as readonly CsvCell[])[i]);
  const rec = row as Readonly<Record<string, CsvCell>>;
  return columns.map((c) => rec[keyOf(c)]);
}

/** The header line and then one line per row, lazily (for streamed downloads). */
export function* csvLines(columns: readonly CsvColumn[], rows: Iterable<CsvRow>): Generator<string> {
  yield csvLine(columns.map(headerOf));
  for (const row of rows) yield csvLine(cellsOf(columns, row));
}

/**
 * A whole CSV document: a header line from `columns`, then each row (an array by position, or a record read by the
 * columns' keys). Every line ends with CRLF.
 * @example toCsv(["campaign", "clicks"], [["=cmd", -5]]) // returns "campaign,clicks\r\n'=cmd,-5\r\n"
 */
export function toCsv(columns: readonly CsvColumn[], rows: Iterable<CsvRow>): string {
  let out = "";
  for (const line of csvLines(columns, rows)) out += line;
  return out;
}
