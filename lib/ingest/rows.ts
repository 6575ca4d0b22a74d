/**
 * Rows that are not data: totals rows ("Total: Campaigns", "Total"), which are kept aside to reconcile the
 * imported sums, and footers ("©2026 Microsoft Corporation. All rights reserved."), which are skipped.
 */
import { LOWER_T, SPACE, UPPER_T } from "./chars";

const TOTAL_RE = /^\s*totals?\s*(?:(?::|-|\u2013)\s*(.*?))?\s*$/i;
const FOOTER_RE = /\u00a9|\(c\)\s*\d{4}|copyright|all rights reserved/i;

/** The label of a totals row (its first cell or campaign cell as written, trimmed), or null for any other row. */
export function totalsLabel(fields: readonly string[], campaignIdx: number): string | null {
  for (const idx of campaignIdx > 0 ? [0, campaignIdx] : [0]) {
    const cell = fields[idx];
    if (cell === undefined) continue;
    const c = cell.charCodeAt(0);
    if (c !== UPPER_T && c !== LOWER_T && c !== SPACE) continue;
    if (TOTAL_RE.test(cell)) return cell.trim();
  }
  return null;
}

/** True when one cell is a totals label ("Total", "Total: Campaigns", " totals - search"); see `totalsLabel`. */
export function isTotalsCell(cell: string): boolean {
  return TOTAL_RE.test(cell);
}

/** True for a footer line: one non-empty cell holding a copyright or "all rights reserved" notice. */
export function isFooter(fields: readonly string[]): boolean {
  let text: string | null = null;
  for (const f of fields) {
    if (f.trim() === "") continue;
    if (text !== null) return false;
    text = f;
  }
  return text !== null && FOOTER_RE.test(text);
}

/** Which totals row to reconcile against: the campaigns total first, then a plain total, then the account total. */
export function totalsRank(label: string): { rank: number; reason: string } {
  const m = TOTAL_RE.exec(label);
  const what = (m?.[1] ?? "").trim();
  const key = what.toLowerCase();
  if (key === "campaigns" || key === "all campaigns" || key === "filtered campaigns") return { rank: 0, reason: "" };
  if (key === "") return { rank: 1, reason: "" };
  if (key === "account" || key === "accounts") {
    return {
      rank: 2,
      reason: "covers the whole account, including campaigns not in this report (e.g. removed ones)",
    };
  }
  return { rank: 9, reason: `a subtotal for ${what} only, not for every row` };
}
