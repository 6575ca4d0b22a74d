/**
 * CSV documents for every export, built on lib/csv.ts (RFC 4180 quoting, CRLF line ends, formula-injection safety
 * for spreadsheets: see there): a header line from columns, then one line per row.
 */
import { csvLine, type CsvCell } from "@/lib/csv";

/** A column: a key that is also the header, or a key with its own header. */
export type CsvColumn = string | { key: string; header: string };

/** A row: cells by position, or a record read by the columns' keys. */
export type CsvRow = readonly CsvCell[] | Readonly<Record<string, CsvCell>>;

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
