/**
 * The row reader alone: cells in, a typed row, a rejection with its reason, a totals row, a footer or a blank line
 * out. Expected values are written out by hand from the cells (the figures are exact decimal conversions: tolerance
 * 0); the plain path is checked against the general one on seeded random lines.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "@/lib/engine/estimate/rng";
import { FIELDS, type Field } from "@/lib/ingest/headers";
import { rejectionText } from "@/lib/ingest/messages";
import { RowReader, type RowLayout, type RowRead } from "@/lib/ingest/row-reader";

/** A layout whose headers name the fields they hold ("spend", "date"...); other headers are unmapped. */
function layoutOf(headers: string[], over: Partial<RowLayout> = {}): RowLayout {
  const columns = Object.fromEntries(FIELDS.map((f) => [f, headers.indexOf(f)])) as Record<Field, number>;
  return {
    kind: columns.value >= 0 ? "orders" : "observations",
    columns,
    headers,
    delimiter: ",",
    decimalMark: ".",
    dateOrder: "month-first",
    dateSpan: "day",
    preambleRange: null,
    blankIsZero: false,
    ...over,
  };
}

const OBS = ["date", "campaign", "impressions", "clicks", "conversions", "spend", "revenue"];
const reader = (headers = OBS, over: Partial<RowLayout> = {}) => new RowReader(layoutOf(headers, over));
const cells = (line: string) => line.split(",");
/** The reason text of a rejection, or what the row was instead. */
const reasonOf = (r: RowRead) => (r.kind === "rejected" ? rejectionText(r.rejection) : `not rejected: ${r.kind}`);

describe("RowReader: observations", () => {
  it("reads a row into typed fields", () => {
    expect(reader().read(cells("2026-01-05,Alpha,1200,40,3,18.50,90.25"), 7)).toEqual({
      kind: "observation",
      line: 7,
      campaign: "Alpha",
      paddedCampaign: null,
      segment: "",
      periodStart: "2026-01-05",
      periodEnd: "2026-01-05",
      impressions: 1200,
      clicks: 40,
      conversions: 3,
      conversionsAlt: null,
      spend: 18.5,
      revenue: 90.25,
      currency: null,
    });
  });

  it("reads slash dates in the file's order, date ranges, and week and month columns as periods", () => {
    const day = (r: RowRead) => (r.kind === "observation" ? [r.periodStart, r.periodEnd] : r.kind);
    expect(day(reader(OBS, { dateOrder: "day-first" }).read(cells("05/01/2026,A,1,1,0,1,"), 2))).toEqual(["2026-01-05", "2026-01-05"]);
    expect(day(reader(OBS, { dateOrder: "month-first" }).read(cells("05/01/2026,A,1,1,0,1,"), 2))).toEqual(["2026-05-01", "2026-05-01"]);
    expect(day(reader().read(cells("2026-01-05 - 2026-01-11,A,1,1,0,1,"), 2))).toEqual(["2026-01-05", "2026-01-11"]);
    expect(day(reader(OBS, { dateSpan: "week" }).read(cells("2026-01-05,A,1,1,0,1,"), 2))).toEqual(["2026-01-05", "2026-01-11"]);
    expect(day(reader(OBS, { dateSpan: "month" }).read(cells("2026-02-01,A,1,1,0,1,"), 2))).toEqual(["2026-02-01", "2026-02-28"]);
  });

  it("takes a separate end date, and the preamble's period when the file has no date column", () => {
    const withEnd = reader(["date", "date_end", "campaign", "clicks", "spend"]);
    const r = withEnd.read(cells("2026-01-05,2026-01-11,A,3,1"), 2);
    expect(r.kind === "observation" && [r.periodStart, r.periodEnd]).toEqual(["2026-01-05", "2026-01-11"]);
    const undated = reader(["campaign", "clicks", "spend"], { preambleRange: { start: "2026-01-01", end: "2026-01-31" } });
    const u = undated.read(cells("A,3,1"), 5);
    expect(u.kind === "observation" && [u.periodStart, u.periodEnd]).toEqual(["2026-01-01", "2026-01-31"]);
    const bare = reader(["campaign", "clicks", "spend"]).read(cells("A,3,1"), 5);
    expect(bare.kind === "observation" && [bare.periodStart, bare.periodEnd]).toEqual([null, null]);
  });

  it("gives a row the same period whatever row came before it", () => {
    const headers = ["date", "date_end", "campaign", "clicks", "spend"];
    const after = reader(headers);
    after.read(cells("2026-01-05,2026-01-11,A,3,1"), 2);
    const period = (r: RowRead) => (r.kind === "observation" ? [r.periodStart, r.periodEnd] : r.kind);
    // an empty end-date cell: the period the date cell gives by itself, not the previous row's end
    expect(period(after.read(cells("2026-01-05,,A,3,1"), 3))).toEqual(["2026-01-05", "2026-01-05"]);
    expect(period(reader(headers).read(cells("2026-01-05,,A,3,1"), 3))).toEqual(["2026-01-05", "2026-01-05"]);
    const text = "2026-01-05,,A,3,1";
    expect(after.readPlain(text, 0, text.length, 4)).toMatchObject({ periodStart: "2026-01-05", periodEnd: "2026-01-05" });
  });

  it("reads numbers with either decimal mark, thousands separators and currency symbols", () => {
    const spend = (r: RowRead) => (r.kind === "observation" ? r.spend : r.kind);
    const point = reader(["campaign", "clicks", "spend"]);
    expect(spend(point.read(["A", "1", "1,234.56"], 2))).toBe(1234.56);
    expect(spend(point.read(["A", "1", "$1,234.50"], 2))).toBe(1234.5);
    expect(spend(point.read(["A", "1", "US$ 7"], 2))).toBe(7);
    const comma = reader(["campaign", "clicks", "spend"], { decimalMark: "," });
    expect(spend(comma.read(["A", "1", "1.234,56"], 2))).toBe(1234.56);
    expect(spend(comma.read(["A", "1", "€12,50"], 2))).toBe(12.5);
    expect(spend(comma.read(["A", "1", "0,1"], 2))).toBe(0.1);
  });

  it("keeps blank impressions as unknown, and optional columns the file lacks as null or 0", () => {
    const r = reader(["campaign", "impressions", "clicks", "spend"]).read(["A", "n/a", "4", "2"], 3);
    expect(r).toMatchObject({ kind: "observation", impressions: null, clicks: 4, conversions: 0, conversionsAlt: null, revenue: null });
    const blank = reader(["campaign", "impressions", "clicks", "spend"]).read(["A", "", "4", "2"], 3);
    expect(blank).toMatchObject({ kind: "observation", impressions: null });
  });

  it("reads empty clicks and conversions as 0 only where the format writes blanks for zero", () => {
    const meta = reader(OBS, { blankIsZero: true });
    expect(meta.read(cells("2026-01-05,A,100,,,3.00,"), 2)).toMatchObject({ kind: "observation", clicks: 0, conversions: 0, spend: 3 });
    // spend stays required
    expect(reasonOf(meta.read(cells("2026-01-05,A,100,1,0,,"), 2))).toBe('no spend: "spend" is empty (a required figure)');
  });

  it("trims a padded campaign name and says how it was written", () => {
    expect(reader().read(cells("2026-01-05, Alpha\t,1,1,0,1,"), 2)).toMatchObject({ campaign: "Alpha", paddedCampaign: " Alpha\t" });
  });

  it("reads the segment, the second conversions column and the currency cell as written", () => {
    const r = reader(["campaign", "segment", "clicks", "conversions", "conversions_alt", "spend", "currency"]);
    expect(r.read(["A", " Mobile ", "5", "1", "2.5", "3", " usd"], 2)).toMatchObject({ segment: "Mobile", conversionsAlt: 2.5, currency: " usd" });
  });

  it("reads a short row's missing cells as empty, and ignores empty cells past the header", () => {
    expect(reader().read(cells("2026-01-05,A,100,4,1,2"), 2)).toMatchObject({ kind: "observation", revenue: null });
    expect(reader().read(cells("2026-01-05,A,100,4,1,2,3,,"), 2)).toMatchObject({ kind: "observation", revenue: 3 });
  });
});

describe("RowReader: rows that are not data", () => {
  it("sets totals rows aside with their label, from the first cell or the campaign cell", () => {
    expect(reader().read(cells("Total: Campaigns,,5000,300,20,1000.00,"), 9)).toEqual({ kind: "totals", label: "Total: Campaigns" });
    expect(reader().read(cells(", Total ,5000,300,20,1000.00,"), 9)).toEqual({ kind: "totals", label: "Total" });
    expect(reader(["campaign", "clicks"]).read(["total - search", "3"], 9)).toEqual({ kind: "totals", label: "total - search" });
  });

  it("skips footers and blank lines", () => {
    expect(reader().read(["©2026 Microsoft Corporation. All rights reserved."], 9)).toEqual({ kind: "footer" });
    expect(reader().read(cells(",,,Copyright 2026 Example Inc,,,"), 9)).toEqual({ kind: "footer" });
    expect(reader().read([""], 9)).toEqual({ kind: "blank" });
    expect(reader().read(cells(",,, ,,,"), 9)).toEqual({ kind: "blank" });
    expect(reader().read(cells(",,"), 9)).toEqual({ kind: "blank" });
  });
});

describe("RowReader: every rejection reason", () => {
  const cases: [string, string[], string, string, Partial<RowLayout>?][] = [
    ["malformed quotes", cells("2026-01-05,A,1,1,0,1,"), "malformed_quotes", 'malformed quotes (a " inside a quoted value must be doubled, and the value must end with ")'],
    ["too many values", cells("2026-01-05,A,1,1,0,1,2,x"), "too_many_values", "8 values, but the header has 7 columns"],
    ["a single value", ["lonely"], "single_value", "a line with a single value, not a data row"],
    ["no campaign", cells("2026-01-05,,1,1,0,1,"), "no_campaign", 'no campaign (the "campaign" column is empty)'],
    ["a -- campaign", cells("2026-01-05,--,1,1,0,1,"), "no_campaign", 'no campaign (the "campaign" column is empty)'],
    ["no date", cells(",A,1,1,0,1,"), "no_date", 'no date (the "date" column is empty)'],
    ["not a date", cells("2026-02-30,A,1,1,0,1,"), "not_a_date", '"2026-02-30" in "date" is not a date we can read'],
    ["a bound", cells("2026-01-05,A,< 10,1,0,1,"), "not_a_number", '"impressions": "< 10" is a bound, not a number'],
    ["a percentage", cells("2026-01-05,A,1,1,0,5%,"), "not_a_number", '"spend": "5%" is a percentage, not a count or an amount'],
    ["a decimal comma in a point file", cells("2026-01-05,A,1,1,0,1,").map((c, i) => (i === 5 ? "2,5" : c)), "not_a_number", '"spend": "2,5" looks like a decimal comma, but this file writes decimals with a point'],
    ["text", cells("2026-01-05,A,1,1,0,abc,"), "not_a_number", '"spend": "abc" is not a number'],
    ["a negative figure", cells("2026-01-05,A,1,1,0,-1,"), "negative", '"spend" is negative (-1)'],
    ["a fractional count", cells("2026-01-05,A,1,2.5,0,1,"), "not_whole", '"clicks" must be a whole number (2.5)'],
    ["an empty required figure", cells("2026-01-05,A,1,,0,1,"), "missing_figure", 'no clicks: "clicks" is empty (a required figure)'],
    ["a missing-value marker", cells("2026-01-05,A,1,1,n/a,1,"), "missing_figure", 'no conversions: "conversions" is "n/a", a missing-value marker (a required figure)'],
    ["no figures", cells("2026-01-05,A,1,1,0,1,"), "no_figures", "no figures in this row (impressions, clicks, conversions and spend are all empty)"],
  ];
  for (const [what, f, code, text] of cases) {
    it(`rejects ${what}`, () => {
      // "no figures" needs a file where the four figures can all be empty: one without required columns
      const r =
        code === "no_figures"
          ? reader(["date", "campaign", "impressions"]).read(["2026-01-05", "A", ""], 4)
          : reader().read(f, 4, code === "malformed_quotes");
      expect(r.kind).toBe("rejected");
      expect(r.kind === "rejected" && r.rejection.code).toBe(code);
      expect(reasonOf(r)).toBe(text);
    });
  }

  it("rejects a period that ends before it starts, and an end that is not a date", () => {
    const r = reader(["date", "date_end", "campaign", "clicks", "spend"]);
    expect(reasonOf(r.read(cells("2026-01-11,2026-01-05,A,3,1"), 2))).toBe("the period ends (2026-01-05) before it starts (2026-01-11)");
    expect(reasonOf(r.read(cells("2026-01-11,soon,A,3,1"), 3))).toBe('"soon" in "date_end" is not a date we can read');
  });

  it("rejects an order without a value, and reads one with it", () => {
    const orders = reader(["order_id", "campaign", "date", "value", "currency"]);
    expect(reasonOf(orders.read(cells("7,A,2026-03-01,,USD"), 2))).toBe('no order value (the "value" column is empty)');
    expect(orders.read(cells(" 8 ,A,2026-03-01,10.50,USD"), 3)).toEqual({
      kind: "order",
      line: 3,
      campaign: "A",
      paddedCampaign: null,
      date: "2026-03-01",
      dateEnd: "2026-03-01",
      orderId: "8",
      value: 10.5,
      currency: "USD",
    });
    expect(orders.read(cells(",A,2026-03-01,1,USD"), 4)).toMatchObject({ kind: "order", orderId: null });
  });

  it("names the campaign of a rejected row when it got that far", () => {
    expect(reader().read(cells("bad,Alpha,1,1,0,1,"), 2)).toMatchObject({ kind: "rejected", campaign: "Alpha" });
    expect(reader().read(cells("2026-01-05,A,1,1,0,1,2,x"), 2)).toMatchObject({ kind: "rejected", campaign: null });
  });
});

describe("RowReader.readPlain", () => {
  it("gives what reading the split line gives, or leaves the line to it (seeded random lines)", () => {
    const rand = seededRandom(12);
    // the first cell of each list is in the plain form; others only now and then, so that whole rows often are
    const pick = <T>(xs: readonly T[]) => (rand() < 0.75 ? xs[0] : xs[Math.floor(rand() * xs.length)]) as T;
    const headers = ["date", "campaign", "segment", "impressions", "clicks", "conversions", "spend", "revenue", "currency"];
    const dates = ["2026-01-05", "01/02/2026", "", "nope", "2026-01-06 - 2026-01-07"];
    const names = ["Alpha", "Beta", " Alpha", "Total", "--", "", "Gamma\t"];
    const counts = ["100", "0", "", "n/a", "2.5", "-3", "1e3", "007"];
    const amounts = ["1.50", "12", "", "0.125", "1,5", "$3"];
    // one reader per path, fed the same lines in the same order (their caches see the same history)
    const general = reader(headers);
    const plain = reader(headers);
    let plainRows = 0;
    for (let i = 0; i < 4000; i++) {
      const f = [pick(dates), pick(names), pick(["", "Mobile"]), pick(counts), pick(counts), pick(counts), pick(amounts), pick(amounts), pick(["USD", "EUR", ""])];
      if (rand() < 0.05) f.pop();
      if (rand() < 0.05) f.push("x");
      const line = f.join(",");
      const text = `junk\n${line}\nmore`;
      const expected = general.read(line.split(","), i + 2);
      const got = plain.readPlain(text, 5, 5 + line.length, i + 2);
      if (got === null) {
        plain.read(line.split(","), i + 2); // what the pipeline does with a line the plain path leaves
      } else {
        plainRows++;
        expect(got).toEqual(expected);
      }
    }
    expect(plainRows).toBeGreaterThan(100); // the plain path is taken, not only left to the general one
  });
});
