import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXPECTED, count, fixture, sandbox, uploadAndImport, type Sandbox } from "./helpers";
import type { ImportSummary } from "@/lib/types/ingest";
import { analyzeDataset } from "@/lib/analysis/dataset";

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

/** Totals equal the Python/decimal reference to 1e-9 relative (sums of cents in doubles, compensated). */
function expectTotals(summary: ImportSummary, key: string) {
  const e = EXPECTED[key];
  if (!e) throw new Error(`no reference totals for ${key}`);
  expect(summary.rowsImported).toBe(e.rows);
  expect(summary.campaigns).toBe(e.campaigns);
  expect(summary.totals.impressions).toBe(e.impressions);
  expect(summary.totals.clicks).toBe(e.clicks);
  for (const f of ["conversions", "spend", "revenue"] as const) {
    expect(summary.totals[f]).toBeCloseTo(e[f], 9);
  }
}

describe("generic daily template", () => {
  it("imports every row as a campaign-day and keeps two rows of one campaign and day apart", async () => {
    const { detection, summary } = await uploadAndImport(sb, fixture("generic.csv"));
    expect(detection.format).toBe("generic");
    expect(detection.headerLine).toBe(1);
    expect(detection.previewRows).toHaveLength(7);
    expect(summary.kind).toBe("observations");
    expectTotals(summary, "generic");
    expect(summary.period).toEqual({ start: "2026-01-05", end: "2026-01-07" });
    expect(summary.rowsRejected).toBe(0);
    const rows = sb.db.$client
      .prepare("SELECT segment, period_start, period_end, line FROM observations WHERE campaign = 'Prospecting' AND period_start = '2026-01-07' ORDER BY line")
      .all();
    expect(rows).toEqual([
      { segment: "", period_start: "2026-01-07", period_end: "2026-01-07", line: 7 },
      { segment: "", period_start: "2026-01-07", period_end: "2026-01-07", line: 8 },
    ]);
    const ds = sb.db.$client.prepare("SELECT * FROM datasets").get() as Record<string, unknown>;
    expect(ds.rows_imported).toBe(7);
    expect(ds.period_start).toBe("2026-01-05");
    expect(JSON.parse(ds.summary_json as string).datasetId).toBe(summary.datasetId);
  });

  it("rejects bad rows with line and reason, warns in aggregate and reconciles with the Total row", async () => {
    const { summary } = await uploadAndImport(sb, fixture("generic_messy.csv"));
    expectTotals(summary, "generic_messy");
    expect(summary.rowsRejected).toBe(5);
    const rejected = sb.db.$client.prepare("SELECT line, reason, raw FROM rejected_rows ORDER BY line").all() as {
      line: number;
      reason: string;
      raw: string;
    }[];
    expect(rejected.map((r) => r.line)).toEqual([4, 5, 6, 7, 11]);
    expect(rejected[0]?.reason).toMatch(/no campaign/);
    expect(rejected[1]?.reason).toMatch(/"clicks" is negative \(-5\)/);
    expect(rejected[2]?.reason).toMatch(/"impressions": "abc" is not a number/);
    expect(rejected[3]?.reason).toMatch(/"2026-13-01" in "date" is not a date/);
    expect(rejected[4]?.reason).toMatch(/"revenue": "=1\+1" is not a number/);
    expect(rejected[4]?.raw).toBe("2026-01-07,Prospecting,100,10,12,10.00,=1+1");
    // the quoted two-line campaign starts on line 9 and the next row is line 11
    const twoLine = sb.db.$client.prepare("SELECT line FROM observations WHERE campaign = ?").get("Brand\nTwo-line name");
    expect(twoLine).toEqual({ line: 9 });
    expect(summary.warnings).toContain("1 row has more clicks than impressions (line 9)");
    expect(summary.warnings).toContain("1 row has more conversions than clicks (line 12)");
    expect(summary.reconciliation?.source).toBe("Total");
    expect(summary.reconciliation?.line).toBe(14);
    expect(summary.reconciliation?.matches).toBe(true);
    // an empty revenue cell is stored as "no value", not zero
    expect(sb.db.$client.prepare("SELECT revenue FROM observations WHERE line = 13").get()).toEqual({ revenue: null });
  });

  it("reads week ranges in the date column as the row's period", async () => {
    const { summary } = await uploadAndImport(sb, fixture("generic_weekly.csv"));
    expectTotals(summary, "generic_weekly");
    expect(summary.period).toEqual({ start: "2026-01-05", end: "2026-01-18" });
    const rows = sb.db.$client.prepare("SELECT period_start, period_end FROM observations ORDER BY line").all();
    expect(rows).toEqual([
      { period_start: "2026-01-05", period_end: "2026-01-11" },
      { period_start: "2026-01-12", period_end: "2026-01-18" },
    ]);
  });
});

describe("order-level sales", () => {
  it("writes order rows; conversions are the order count and revenue their sum", async () => {
    const { detection, summary } = await uploadAndImport(sb, fixture("orders.csv"));
    expect(detection.format).toBe("orders");
    expect(summary.kind).toBe("orders");
    expectTotals(summary, "orders");
    expect(count(sb.db, "orders")).toBe(3);
    expect(count(sb.db, "observations")).toBe(0);
    expect(summary.rowsRejected).toBe(2);
    const reasons = sb.db.$client.prepare("SELECT line, reason FROM rejected_rows ORDER BY line").all() as { line: number; reason: string }[];
    expect(reasons[0]).toMatchObject({ line: 5 });
    expect(reasons[0]?.reason).toMatch(/negative/);
    expect(reasons[1]).toMatchObject({ line: 6 });
    expect(reasons[1]?.reason).toMatch(/no order value/);
    expect(sb.db.$client.prepare("SELECT value FROM orders WHERE order_id = 'A-1002'").get()).toEqual({ value: 1249 });
  });
});

describe("Google Ads UI exports", () => {
  it("skips the title and date-range lines, reads quoted thousands and reconciles with Total: Campaigns", async () => {
    const { detection, summary } = await uploadAndImport(sb, fixture("google_ads_campaign_report.csv"));
    expect(detection.format).toBe("google_ads");
    expect(detection.headerLine).toBe(3);
    expect(detection.mapping).toMatchObject({
      campaign: "Campaign",
      impressions: "Impr.",
      clicks: "Clicks",
      conversions: "Conversions",
      spend: "Cost",
      revenue: "Conv. value",
      currency: "Currency code",
    });
    expect(detection.periodFromPreamble).toEqual({ start: "2026-01-01", end: "2026-01-31" });
    expectTotals(summary, "google_ads_campaign_report");
    expect(summary.currency).toBe("USD");
    // no Day column: every row covers the report's period
    expect(summary.period).toEqual({ start: "2026-01-01", end: "2026-01-31" });
    const obs = sb.db.$client.prepare("SELECT DISTINCT period_start, period_end FROM observations").all();
    expect(obs).toEqual([{ period_start: "2026-01-01", period_end: "2026-01-31" }]);
    const rec = summary.reconciliation;
    expect(rec?.source).toBe("Total: Campaigns");
    expect(rec?.line).toBe(8);
    expect(rec?.matches).toBe(true);
    expect(rec?.lines.map((l) => l.field)).toEqual(["impressions", "clicks", "conversions", "spend", "revenue"]);
    expect(rec?.ignored.map((i) => [i.source, i.line])).toEqual([
      ["Total: Account", 9],
      ["Total: Search", 10],
    ]);
    expect(rec?.ignored[0]?.reason).toMatch(/whole account/);
    // fractional (attributed) conversions are kept
    expect(sb.db.$client.prepare("SELECT conversions FROM observations WHERE campaign = 'Performance Max'").get()).toEqual({
      conversions: 20.7,
    });
    expect(summary.rowsRejected).toBe(0);
  });

  it("reads a daily report with a Day column and the period from the rows; ' --' conversions reject the row", async () => {
    const { detection, summary } = await uploadAndImport(sb, fixture("google_ads_daily.csv"));
    expect(detection.format).toBe("google_ads");
    expect(detection.periodFromPreamble).toEqual({ start: "2026-01-12", end: "2026-01-14" });
    expectTotals(summary, "google_ads_daily");
    expect(summary.period).toEqual({ start: "2026-01-12", end: "2026-01-14" });
    expect(summary.rowsRejected).toBe(1);
    expect(sb.db.$client.prepare("SELECT line, reason FROM rejected_rows").all()).toEqual([
      { line: 7, reason: 'no conversions: "Conversions" is "--", a missing-value marker (a required figure)' },
    ]);
    // the totals row counts the rejected row: the sums differ by exactly its figures (10,214 impressions, 92 clicks)
    const rec = summary.reconciliation;
    expect(rec?.matches).toBe(false);
    expect(rec?.lines.find((l) => l.field === "impressions")?.difference).toBe(-10_214);
    expect(rec?.lines.find((l) => l.field === "clicks")?.difference).toBe(-92);
  });

  it('reads the "Excel" flavour: UTF-16LE with BOM, tab separated, CRLF, en-GB dates', async () => {
    const text = fs.readFileSync(fixture("google_ads_excel_source.tsv"), "utf8").replace(/\n/g, "\r\n");
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const { detection, summary } = await uploadAndImport(sb, bytes, { fileName: "Campaign report.csv" });
    expect(detection.encoding).toBe("utf-16le");
    expect(detection.delimiter).toBe("\t");
    expect(detection.format).toBe("google_ads");
    expect(detection.headerLine).toBe(3);
    expectTotals(summary, "google_ads_excel");
    expect(summary.currency).toBe("GBP");
    expect(summary.period).toEqual({ start: "2026-01-27", end: "2026-01-29" });
    expect(summary.reconciliation?.source).toBe("Total: Campaigns");
    expect(summary.reconciliation?.matches).toBe(false); // line 7 (" --" conversions) is rejected, the totals row counts it
    const lines = sb.db.$client.prepare("SELECT line FROM observations ORDER BY line").all() as { line: number }[];
    expect(lines.map((l) => l.line)).toEqual([4, 5, 6, 8, 9]);
  });
});

describe("Meta Ads Manager export", () => {
  it("maps the quoted multi-word headers and takes the currency from the spend header", async () => {
    const { detection, summary } = await uploadAndImport(sb, fixture("meta_ads.csv"));
    expect(detection.format).toBe("meta_ads");
    expect(detection.mapping).toMatchObject({
      campaign: "Campaign name",
      segment: "Ad set name",
      date: "Reporting starts",
      impressions: "Impressions",
      clicks: "Link clicks",
      conversions: "Purchases",
      spend: "Amount spent (EUR)",
      revenue: "Purchases conversion value",
    });
    expectTotals(summary, "meta_ads");
    expect(summary.currency).toBe("EUR");
    expect(summary.period).toEqual({ start: "2026-01-05", end: "2026-01-06" });
    // "Reporting ends" closes each row's period
    expect(sb.db.$client.prepare("SELECT segment, period_start, period_end FROM observations WHERE campaign = 'Retargeting'").get()).toEqual({
      segment: "All visitors",
      period_start: "2026-01-05",
      period_end: "2026-01-06",
    });
  });
});

describe("Microsoft Advertising report", () => {
  it("skips the quoted preamble and the copyright footer and reads month-first dates", async () => {
    const { detection, summary } = await uploadAndImport(sb, fixture("microsoft_ads.csv"));
    expect(detection.format).toBe("microsoft_ads");
    expect(detection.headerLine).toBe(7);
    expect(detection.dateOrder).toBe("month-first");
    expectTotals(summary, "microsoft_ads");
    expect(summary.rowsRejected).toBe(0);
    expect(summary.period).toEqual({ start: "2026-01-12", end: "2026-01-14" });
    expect(summary.dateOrder).toBe("month-first");
    expect(summary.notes?.join(" ")).toMatch(/month-first \(MM\/DD\/YYYY\): 1\/13\/2026 on line 10/);
    expect(summary.notes?.join(" ")).toMatch(/footer on line 14/);
    expect(summary.currency).toBe("USD");
  });
});

describe("ad-level file without dates", () => {
  it("uses xyz_campaign_id as the campaign, ad_id as the segment and keeps approved conversions", async () => {
    const { detection, summary } = await uploadAndImport(sb, fixture("ad_level.csv"));
    expect(detection.format).toBe("ad_level");
    expect(detection.mapping).toMatchObject({
      campaign: "xyz_campaign_id",
      segment: "ad_id",
      conversions: "Total_Conversion",
      conversions_alt: "Approved_Conversion",
      spend: "Spent",
    });
    expectTotals(summary, "ad_level");
    expect(summary.period).toBeNull();
    const alt = sb.db.$client.prepare("SELECT SUM(conversions_alt) AS s, COUNT(period_start) AS dated FROM observations").get();
    expect(alt).toEqual({ s: EXPECTED.ad_level?.conversions_alt, dated: 0 });
    expect(sb.db.$client.prepare("SELECT segment FROM observations WHERE line = 2").get()).toEqual({ segment: "100101" });
    // Its analysis is across ads; with no dates, the missing correlation is put down to the dates, not to the campaigns.
    const a = analyzeDataset(sb.db, summary.datasetId, { horizon: "week" });
    expect(a.unit).toBe("ad");
    expect(a.campaigns.length).toBeGreaterThanOrEqual(2);
    expect(a.rho.pairs).toBe(0);
    expect(a.notes).toContain("The rows are not by day, so campaigns have no days in common: their correlation cannot be estimated, and the pooling figures take it as 0.");
    expect(a.notes.join(" ")).not.toMatch(/Fewer than two campaigns/);
  });
});

describe("rates of campaigns with few clicks", () => {
  it("shows the observed rate, not the Jeffreys mean, and none without clicks", async () => {
    const lines = ["date,campaign,impressions,clicks,conversions,spend,revenue"];
    for (let d = 1; d <= 20; d++) {
      const date = `2026-01-${String(d).padStart(2, "0")}`;
      lines.push(`${date},Busy,2000,100,${d % 4},50.00,${(d % 4) * 40}.00`);
      lines.push(`${date},Two clicks,50,${d <= 2 ? 1 : 0},0,${d <= 2 ? "0.50" : "0.00"},0.00`);
      lines.push(`${date},No clicks,0,0,0,0.00,0.00`);
    }
    const { summary } = await uploadAndImport(sb, Buffer.from(lines.join("\n") + "\n"), { fileName: "few-clicks.csv" });
    const a = analyzeDataset(sb.db, summary.datasetId, { horizon: "week" });
    const by = Object.fromEntries(a.campaigns.map((c) => [c.campaign, c]));
    // Busy: 0+1+2+3 conversions every 4 days over 20 days = 30 of 2,000 clicks
    expect(by["Busy"]!.cvr.observed).toBeCloseTo(30 / 2000, 15);
    // 0 of 2 clicks: observed 0; the Jeffreys mean (0 + 1/2) / (2 + 1) = 1/6 stays beside it
    expect(by["Two clicks"]!.cvr.observed).toBe(0);
    expect(by["Two clicks"]!.cvr.mean).toBeCloseTo(1 / 6, 12);
    expect(by["Two clicks"]!.ctr.observed).toBeCloseTo(2 / 1000, 15);
    // no clicks, no impressions: no observed rate at all (the Jeffreys mean would read 50%)
    expect(by["No clicks"]!.cvr.observed).toBeNull();
    expect(by["No clicks"]!.ctr.observed).toBeNull();
  });
});

describe("separators, decimal commas and dates", () => {
  it("reads a semicolon file with decimal commas, euro signs and day-first dates", async () => {
    const { detection, summary } = await uploadAndImport(sb, fixture("semicolon_decimal_comma.csv"));
    expect(detection.delimiter).toBe(";");
    expect(detection.decimalSeparator).toBe(",");
    expect(detection.dateOrder).toBe("day-first");
    expect(detection.currency).toBe("EUR");
    expectTotals(summary, "semicolon_decimal_comma");
    expect(summary.period).toEqual({ start: "2026-01-13", end: "2026-01-14" });
    expect(summary.currency).toBe("EUR");
  });

  it("reads ambiguous slash dates month-first and says so", async () => {
    const { detection, summary } = await uploadAndImport(sb, fixture("slash_ambiguous.csv"));
    expect(detection.dateOrder).toBe("month-first");
    expect(detection.warnings.join(" ")).toMatch(/read month-first/);
    expect(summary.dateOrder).toBe("month-first");
    expect(summary.warnings.join(" ")).toMatch(/reads both day-first and month-first/);
    expect(summary.period).toEqual({ start: "2026-01-02", end: "2026-01-03" });
  });

  it("decides the date order from the whole file when the first and last rows cannot", async () => {
    // 20,000 ambiguous rows (both parts <= 12, ~900 KB) and one 13/01/2026 in the middle, beyond the first 256 KB
    // and the last 64 KB that detection reads
    const lines = ["date,campaign,impressions,clicks,conversions,spend"];
    for (let i = 0; i < 20_000; i++) lines.push(`0${1 + (i % 9)}/0${1 + (i % 3)}/2026,Campaign ${i % 7},1000,10,1,2.50`);
    lines.splice(10_001, 0, "13/01/2026,Campaign 0,1000,10,1,2.50");
    const { detection, summary } = await uploadAndImport(sb, Buffer.from(lines.join("\n") + "\n"));
    expect(detection.dateOrder).toBe("month-first"); // a guess from the head and tail
    expect(summary.dateOrder).toBe("day-first"); // decided by line 10,002
    expect(summary.notes?.join(" ")).toMatch(/day-first \(DD\/MM\/YYYY\): 13\/01\/2026 on line 10002/);
    expect(summary.rowsImported).toBe(20_001);
    expect(summary.period).toEqual({ start: "2026-01-01", end: "2026-03-09" });
  });

  it("still warns when the whole file leaves the date order a guess", async () => {
    // 20,000 ambiguous rows (~900 KB): more than detection reads, so the importer reads every date first
    const lines = ["date,campaign,impressions,clicks,conversions,spend"];
    for (let i = 0; i < 20_000; i++) lines.push(`0${1 + (i % 9)}/0${1 + (i % 3)}/2026,Campaign ${i % 7},1000,10,1,2.50`);
    const { summary } = await uploadAndImport(sb, Buffer.from(lines.join("\n") + "\n"));
    expect(summary.dateOrder).toBe("month-first");
    expect(summary.warnings.filter((w) => /reads both day-first and month-first/.test(w))).toHaveLength(1);
    expect(summary.notes?.join(" ")).not.toMatch(/Dates were read/);
  });

  it("reads a file that is not UTF-8 as windows-1252, with a warning", async () => {
    const head = Buffer.from("date,campaign,impressions,clicks,conversions,spend\n2026-01-05,Caf", "latin1");
    const bytes = Buffer.concat([head, Buffer.from([0xe9, 0x20, 0x80]), Buffer.from(",100,5,1,3.50\n", "latin1")]);
    const { detection, summary } = await uploadAndImport(sb, bytes);
    expect(detection.encoding).toBe("windows-1252");
    expect(summary.warnings.join(" ")).toMatch(/Windows-1252/);
    expect(sb.db.$client.prepare("SELECT campaign FROM observations").get()).toEqual({ campaign: "Café €" });
  });

  it("reads UTF-8 with a BOM and UTF-16BE with a BOM", async () => {
    const text = fs.readFileSync(fixture("generic.csv"), "utf8");
    const bom8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]);
    const r1 = await uploadAndImport(sb, bom8);
    expect(r1.detection.encoding).toBe("utf-8-bom");
    expect(r1.detection.headers[0]).toBe("date");
    expectTotals(r1.summary, "generic");
    const le = Buffer.from(text, "utf16le");
    const be = Buffer.alloc(le.length);
    for (let i = 0; i < le.length; i += 2) {
      be[i] = le[i + 1] as number;
      be[i + 1] = le[i] as number;
    }
    const r2 = await uploadAndImport(sb, Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    expect(r2.detection.encoding).toBe("utf-16be");
    expectTotals(r2.summary, "generic");
  });
});

describe("row problems", () => {
  it("warns once, with counts per currency, when rows are in several currencies", async () => {
    const text = "date,campaign,clicks,spend,currency\n2026-01-05,A,5,1,USD\n2026-01-06,B,6,2,EUR\n2026-01-06,B,6,2,EUR\n";
    const { summary } = await uploadAndImport(sb, Buffer.from(text));
    expect(summary.currency).toBe("EUR");
    // the import's count over every row replaces detection's warning from the first rows: one warning, not two
    expect(summary.warnings).toEqual(["The rows are in more than one currency: EUR (2 rows), USD (1 row). Sums mix them."]);
  });

  it("rejects a row with a stray quote and says what is wrong with it", async () => {
    const text = 'date,campaign,clicks\n2026-01-05,B,6\n2026-01-06,"A,5\n';
    const { summary } = await uploadAndImport(sb, Buffer.from(text));
    expect(summary.rowsImported).toBe(1);
    const r = sb.db.$client.prepare("SELECT line, reason FROM rejected_rows").get() as { line: number; reason: string };
    expect(r.line).toBe(3);
    expect(r.reason).toMatch(/malformed quotes/);
  });

  it("reads short rows' missing cells as empty and refuses rows with extra values", async () => {
    const text = "date,campaign,clicks,spend,revenue\n2026-01-05,A,5,2\n2026-01-05,B,5,1,,x\n2026-01-05,C,5,1,,,\n2026-01-05,D,5\n";
    const { summary } = await uploadAndImport(sb, Buffer.from(text));
    expect(summary.rowsImported).toBe(2);
    expect(sb.db.$client.prepare("SELECT line, reason FROM rejected_rows").all()).toEqual([
      { line: 3, reason: "6 values, but the header has 5 columns" },
      { line: 5, reason: 'no spend: "spend" is empty (a required figure)' },
    ]);
    expect(sb.db.$client.prepare("SELECT campaign, revenue FROM observations ORDER BY line").all()).toEqual([
      { campaign: "A", revenue: null },
      { campaign: "C", revenue: null },
    ]);
  });
});

describe("totals rows", () => {
  it("warns when the imported sums do not match the totals row", async () => {
    const text = fs.readFileSync(fixture("google_ads_daily.csv"), "utf8").replace("2026-01-14,Prospecting,\"9,455\"", "2026-01-14,Prospecting,\"-9,455\"");
    const { summary } = await uploadAndImport(sb, Buffer.from(text));
    expect(summary.rowsRejected).toBe(2); // line 7 (" --" conversions) and line 8 (negative impressions)
    expect(summary.reconciliation?.matches).toBe(false);
    const spend = summary.reconciliation?.lines.find((l) => l.field === "spend");
    expect(spend?.difference).toBeCloseTo(-90 - 101.2, 9);
    expect(summary.warnings.join(" ")).toMatch(
      /do not match the file's "Total: Campaigns" row \(line 10\): impressions 13,525 imported vs 33,194 reported; clicks 479 imported vs 650 reported/,
    );
  });
});

describe("mapping override", () => {
  it("imports unknown headers once the user says which column is which", async () => {
    const mapping = {
      campaign: "Kampagne",
      date: "Tag",
      impressions: "Sichtbarkeit",
      clicks: "Klicks",
      conversions: "Käufe",
      spend: "Kosten",
    };
    const { detection, summary } = await uploadAndImport(sb, fixture("unknown_headers.csv"), { mapping });
    expect(detection.format).toBe("mapped");
    expect(summary.format).toBe("mapped");
    expect(summary.mapping).toMatchObject(mapping);
    expectTotals(summary, "unknown_headers");
  });

  it("lets a user point a field at another column of a recognised format", async () => {
    const { summary } = await uploadAndImport(sb, fixture("google_ads_campaign_report.csv"), { mapping: { clicks: "Interactions" } });
    expect(summary.format).toBe("google_ads");
    expect(summary.mapping.clicks).toBe("Interactions");
    expect(summary.totals.clicks).toBe(1310 + 2018 + 1744 + 3870);
    // reconciled against the same column of the totals row
    expect(summary.reconciliation?.lines.find((l) => l.field === "clicks")).toMatchObject({ reported: 8942, matches: true });
  });

  it("can drop a detected column with null", async () => {
    const { summary } = await uploadAndImport(sb, fixture("generic.csv"), { mapping: { revenue: null } });
    expect(summary.mapping.revenue).toBeNull();
    expect(summary.totals.revenue).toBe(0);
    expect(sb.db.$client.prepare("SELECT COUNT(revenue) AS n FROM observations").get()).toEqual({ n: 0 });
  });
});
