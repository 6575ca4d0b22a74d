/**
 * Daily price files (Yahoo Finance's `Date,Open,High,Low,Close,Adj Close,Volume`) read into the date-sorted series the
 * coin maths (lib/engine/coins.ts) works on. Records are split by papaparse; this module only picks the columns and
 * decides which rows stand.
 */
import Papa from "papaparse";
import type { PriceSeries } from "@/lib/engine/coins";
import { AppError } from "@/lib/errors";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A price cell as a number: NaN for an empty cell or Yahoo's "null"; thousands separators are dropped. */
function priceOf(cell: string | undefined): number {
  if (cell === undefined || cell === "" || cell.toLowerCase() === "null") return Number.NaN;
  return Number(cell.replace(/,/g, ""));
}

/**
 * Parses a Yahoo Finance daily price CSV (`Date,Open,High,Low,Close,Adj Close,Volume`) into a date-sorted series.
 * The price is Adj Close, falling back to Close on a row whose Adj Close is missing or "null"; rows whose price is
 * "null", empty, not a positive number, or whose date is not `YYYY-MM-DD` are skipped and counted; a repeated date
 * keeps its first row. Columns are found by header name (case and spacing ignored), so their order does not matter.
 * Cells are trimmed; blank lines are ignored.
 * @param text - the file's text (a UTF-8 BOM and CRLF line ends are accepted).
 * @throws AppError("unrecognised_format") when there is no Date column or neither Close nor Adj Close.
 * @example parseYahooCsv("Date,Close\n2024-01-02,2\n2024-01-01,1\n").prices // [1, 2]
 */
export function parseYahooCsv(text: string): PriceSeries {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), { header: false, skipEmptyLines: "greedy" });
  const records = parsed.data.map((cells) => cells.map((c) => c.trim()));
  const header = (records[0] ?? []).map((h) => h.toLowerCase().replace(/\s+/g, " "));
  const iDate = header.indexOf("date");
  const iAdj = header.indexOf("adj close");
  const iClose = header.indexOf("close");
  if (iDate < 0 || (iAdj < 0 && iClose < 0)) {
    throw new AppError("unrecognised_format", "Not a daily price file: expected a Date column and a Close or Adj Close column.");
  }
  const seen = new Set<string>();
  const rows: { date: string; price: number }[] = [];
  let skipped = 0;
  let fromAdj = 0;
  let fromClose = 0;
  for (const cells of records.slice(1)) {
    const date = cells[iDate] ?? "";
    let price = iAdj >= 0 ? priceOf(cells[iAdj]) : Number.NaN;
    let adj = true;
    if (!(price > 0) && iClose >= 0) {
      price = priceOf(cells[iClose]);
      adj = false;
    }
    if (!ISO_DATE.test(date) || !(price > 0) || !Number.isFinite(price) || seen.has(date)) {
      skipped++;
      continue;
    }
    seen.add(date);
    rows.push({ date, price });
    if (adj) fromAdj++;
    else fromClose++;
  }
  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return {
    dates: rows.map((r) => r.date),
    prices: rows.map((r) => r.price),
    priceColumn: fromClose === 0 ? "Adj Close" : fromAdj === 0 ? "Close" : "mixed",
    skippedRows: skipped,
  };
}
