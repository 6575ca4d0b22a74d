/**
 * The importer's warnings are data; their sentences are written in one place (lib/ingest/messages.ts). These are the
 * sentences the API and the command line have always shown, written out in full.
 */
import { describe, expect, it } from "vitest";
import { warningText } from "@/lib/ingest/messages";

describe("warningText", () => {
  it("counts rows in the singular and the plural, listing the first lines and an ellipsis past them", () => {
    expect(warningText({ code: "clicks_over_impressions", count: 1, lines: [9] })).toBe("1 row has more clicks than impressions (line 9)");
    const lines = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    expect(warningText({ code: "conversions_over_clicks", count: 1234, lines })).toBe(
      "1,234 rows have more conversions than clicks (lines 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, …)",
    );
    expect(warningText({ code: "conversions_over_clicks", count: 2, lines: [3, 4] })).toBe("2 rows have more conversions than clicks (lines 3, 4)");
  });

  it("names the currencies, with their rows when every row was counted", () => {
    expect(warningText({ code: "mixed_currencies", currencies: [{ code: "USD" }, { code: "EUR" }] })).toBe(
      "The rows are in more than one currency: USD, EUR. Sums mix them.",
    );
    expect(warningText({ code: "mixed_currencies", currencies: [{ code: "EUR", rows: 2 }, { code: "USD", rows: 1 }] })).toBe(
      "The rows are in more than one currency: EUR (2 rows), USD (1 row). Sums mix them.",
    );
  });

  it("lists the padded campaign names and how each was written", () => {
    const w = warningText({
      code: "padded_campaign_names",
      count: 2,
      lines: [3, 5],
      names: [{ name: "Alpha", spellings: [" Alpha", "Alpha\t"] }],
      moreNames: true,
    });
    expect(w).toBe(
      '2 rows have spaces or tabs around their campaign names (lines 3, 5): they were removed, so names that differ only by them are one campaign: "Alpha" (also written " Alpha", "Alpha\\t"); ….',
    );
  });

  it("gives each difference from the file's totals row", () => {
    expect(
      warningText({
        code: "totals_mismatch",
        source: "Total",
        line: 12,
        differences: [
          { field: "clicks", imported: 1200, reported: 1190 },
          { field: "spend", imported: 15476.224, reported: 12.5 },
        ],
      }),
    ).toBe('The imported sums do not match the file\'s "Total" row (line 12): clicks 1,200 imported vs 1,190 reported; spend 15,476.22 imported vs 12.5 reported.');
    expect(warningText({ code: "rows_rejected", count: 1 })).toBe(
      "1 row could not be imported; the rejected rows, with their line numbers and reasons, can be downloaded.",
    );
  });
});
