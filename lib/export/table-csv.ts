/**
 * CSV of the tables and distributions shown on screen, built in the browser from rows keyed by column header (see
 * lib/export/report.ts). Escaping and formula-injection safety are those of lib/export/csv.ts (RFC 4180, CRLF, a
 * leading apostrophe on text starting with = + - @ TAB or CR; numbers stay numbers).
 */
import { toCsv, type CsvCell } from "./csv";

/**
 * A table from plain objects: the header is the union of the keys in first-seen order; a missing key is an empty
 * cell; nested objects and arrays are written as JSON text (then neutralised like any text).
 * @example recordsToCsv([{ a: 1 }, { a: 2, b: "x" }]) // "a,b\r\n1,\r\n2,x\r\n"
 */
export function recordsToCsv(records: readonly Record<string, unknown>[]): string {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const r of records)
    for (const k of Object.keys(r))
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
  return toCsv(
    keys,
    records.map((r) => keys.map((k) => toCell(r[k]))),
  );
}

function toCell(v: unknown): CsvCell {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean" || v instanceof Date) return v;
  if (typeof v === "bigint") return v.toString();
  return JSON.stringify(v);
}
