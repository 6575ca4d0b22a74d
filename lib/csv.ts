/**
 * The CSV primitive every CSV this app writes is made of: one cell, one record. RFC 4180 quoting, CRLF line ends,
 * and formula-injection safety for spreadsheets.
 *
 * A text cell that starts with = + - @ (or a tab or carriage return) would be run as a formula by Excel, LibreOffice
 * or Google Sheets when the file is opened, so such text gets a leading apostrophe ("'=SUM(A1)"), which spreadsheets
 * show as plain text. Numbers are written as numbers: -5 stays the number -5. Reference: OWASP, "CSV Injection".
 *
 * Used by the exports (lib/export/csv.ts: documents from columns and rows) and by the importer (lib/ingest/rejected.ts:
 * the rejected rows download), so it sits below both.
 */

export type CsvCell = string | number | boolean | Date | null | undefined;

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
