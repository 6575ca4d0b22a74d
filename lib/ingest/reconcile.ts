import { parseNumberCell, type DecimalMark } from "./numbers";
import { totalsRank } from "./rows";
import type { Reconciliation, ReconciliationLine, Totals } from "@/lib/types/ingest";

/** A totals row kept aside while importing: its label, line and cells. */
export interface TotalsRow {
  label: string;
  line: number;
  fields: string[];
}

/** Which cell of a totals row holds each imported sum (column indexes, -1 when the field is not in the file). */
export type TotalsColumns = Record<keyof Totals, number>;

/**
 * Compares the imported sums with the file's own totals row. The row used: "Total: Campaigns" (the sum of the
 * campaign rows listed), else a plain "Total", else "Total: Account" (which also counts campaigns not listed,
 * e.g. removed ones). Subtotals ("Total: Search") are noted as ignored. A figure matches when the difference is
 * within rounding: the totals row and every imported row are each rounded to the totals row's last decimal, so
 * the bound is (rows + 1) half-units; impressions and clicks are whole counts and must be equal.
 */
export function reconcile(
  totalsRows: readonly TotalsRow[],
  totals: Totals,
  columns: TotalsColumns,
  mark: DecimalMark,
  rowsImported: number,
): Reconciliation | null {
  if (totalsRows.length === 0) return null;
  const ranked = totalsRows.map((t) => ({ ...t, ...totalsRank(t.label) }));
  const usable = ranked.filter((t) => t.rank < 9).sort((a, b) => a.rank - b.rank || a.line - b.line);
  const used = usable[0];
  const ignored = ranked
    .filter((t) => t !== used)
    .map((t) => ({ source: t.label, line: t.line, reason: t.reason || "another totals row was used" }));
  if (!used) return null;
  const fields: (keyof Totals)[] = ["impressions", "clicks", "conversions", "spend", "revenue"];
  const lines: ReconciliationLine[] = [];
  for (const field of fields) {
    const idx = columns[field];
    if (idx < 0) continue;
    const cell = (used.fields[idx] ?? "").trim();
    const reported = parseNumberCell(cell, mark);
    if (reported === null || Number.isNaN(reported)) continue;
    const imported = totals[field];
    const whole = field === "impressions" || field === "clicks";
    const halfUnit = 0.5 * 10 ** -decimalsOf(cell, mark);
    const tolerance = whole ? 0.5 : halfUnit * (rowsImported + 1) + 1e-9 * Math.abs(reported);
    const difference = imported - reported;
    lines.push({ field, imported, reported, difference, matches: Math.abs(difference) <= tolerance });
  }
  return { source: used.label, line: used.line, matches: lines.every((l) => l.matches), lines, ignored };
}

/** Digits after the decimal mark in a written number ("18,703.32" -> 2 with "."; "1.234,5" -> 1 with ","). */
function decimalsOf(cell: string, mark: DecimalMark): number {
  const digits = cell.replace(/[^\d.,]/g, "");
  const at = digits.lastIndexOf(mark);
  return at < 0 ? 0 : digits.length - at - 1;
}
