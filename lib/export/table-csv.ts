/**
 * CSV of the tables and distributions shown on screen, built in the browser from rows keyed by column header (see
 * lib/export/report.ts). Escaping and formula-injection safety are those of lib/csv.ts (RFC 4180, CRLF, a
 * leading apostrophe on text starting with = + - @ TAB or CR; numbers stay numbers).
 *
 * Numbers are rounded to the unit a person reads in a spreadsheet (the JSON downloads keep full precision):
 * amounts of money to cents, other figures to 4 decimals, and figures below 1 (rates, probabilities, CVs) to 4
 * significant digits, so 150688.57979999995 is written 150688.58 and a 0.0123456 rate 0.01235.
 */
import type { CsvCell } from "@/lib/csv";
import { toCsv } from "./csv";

/** How a column's numbers are rounded in CSV: "money" to cents, "figure" as described above. */
export type CsvRounding = "money" | "figure";

/**
 * Headers that hold amounts of money: a currency suffix ("spend (USD)") or a name that is an amount (spend,
 * revenue, budget, order value, premium, floor, cap, ...). Probabilities and ratios about money ("P(revenue below
 * spend ...)", "revenue surprise volatility") are not amounts.
 */
const MONEY_HEADER =
  /\([A-Z]{3}\)$|^(spend|revenue|budget|expected revenue|mean order value|order value|premium|floor|cap|put|call|mean given up|pool total|operator's take)\b(?!.*\b(volatility|surprise|rate|share|cv)\b)/i;

/** The rounding of a column from its header (see MONEY_HEADER). @example roundingFor("spend (USD)") // "money" */
export function roundingFor(header: string): CsvRounding {
  return MONEY_HEADER.test(header.trim()) ? "money" : "figure";
}

/**
 * A number rounded for a CSV cell. Integers are kept as they are.
 *   money:  round(x, 2)
 *   figure: round(x, 4) when |x| >= 1, else x to 4 significant digits
 * Rounding goes through toFixed/toPrecision (decimal, correctly rounded), so 0.1 + 0.2 is written 0.3.
 * @param x any number; non-finite values pass through (csvCell writes them as empty cells)
 * @example roundForCsv(150688.57979999995, "money") // 150688.58
 * @example roundForCsv(0.012345678, "figure") // 0.01235
 * @example roundForCsv(48698.81234, "figure") // 48698.8123
 */
export function roundForCsv(x: number, rounding: CsvRounding): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  if (rounding === "money") return Number(x.toFixed(2));
  return Math.abs(x) >= 1 ? Number(x.toFixed(4)) : Number(x.toPrecision(4));
}

/**
 * A table from plain objects: the header is the union of the keys in first-seen order; a missing key is an empty
 * cell; nested objects and arrays are written as JSON text (then neutralised like any text); numbers are rounded
 * per column (roundingFor, roundForCsv).
 * @example recordsToCsv([{ a: 1 }, { a: 2, b: "x" }]) // "a,b\r\n1,\r\n2,x\r\n"
 * @example recordsToCsv([{ "spend (USD)": 150688.57979999995 }]) // "spend (USD)\r\n150688.58\r\n"
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
  const roundings = keys.map(roundingFor);
  return toCsv(
    keys,
    records.map((r) => keys.map((k, i) => toCell(r[k], roundings[i] ?? "figure"))),
  );
}

function toCell(v: unknown, rounding: CsvRounding): CsvCell {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return roundForCsv(v, rounding);
  if (typeof v === "string" || typeof v === "boolean" || v instanceof Date) return v;
  if (typeof v === "bigint") return v.toString();
  return JSON.stringify(v);
}
