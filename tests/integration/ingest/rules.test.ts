import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { estimateCampaign } from "@/lib/engine/estimate";
import { campaignInputs } from "@/lib/analysis/dataset";
import { EXPECTED, fixture, sandbox, uploadAndImport, type Sandbox } from "./helpers";

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

const HEADER = "date,campaign,impressions,clicks,conversions,spend,revenue\n";
const rejected = () => sb.db.$client.prepare("SELECT line, reason FROM rejected_rows ORDER BY line").all();
const stored = () =>
  sb.db.$client.prepare("SELECT line, campaign, impressions, clicks, conversions, spend, revenue FROM observations ORDER BY line").all();

describe("required and optional figures", () => {
  it("stores a missing impressions count as unknown, not 0, and does not compare it with clicks", async () => {
    const text = HEADER + "2026-09-04,Alpha,400,12,1,20.0,40.0\n2026-09-05,Alpha,n/a,31,1,26.0,55.0\n";
    const { summary } = await uploadAndImport(sb, Buffer.from(text));
    expect(summary.rowsImported).toBe(2);
    expect(summary.rowsRejected).toBe(0);
    expect(stored()).toEqual([
      { line: 2, campaign: "Alpha", impressions: 400, clicks: 12, conversions: 1, spend: 20, revenue: 40 },
      { line: 3, campaign: "Alpha", impressions: null, clicks: 31, conversions: 1, spend: 26, revenue: 55 },
    ]);
    const all = summary.warnings.join(" ");
    expect(all).not.toMatch(/more clicks than impressions/);
    expect(all).toMatch(/1 row does not state its impressions: stored as unknown \(not 0\).*\(line 3\)/);
    expect(summary.totals.impressions).toBe(400); // the rows that state them
    expect(summary.totals.clicks).toBe(43);
  });

  it("leaves rows of unknown impressions out of the click-through rate", async () => {
    const text = HEADER + "2026-09-04,Alpha,400,12,1,20.0,40.0\n2026-09-05,Alpha,,31,1,26.0,55.0\n";
    const { summary } = await uploadAndImport(sb, Buffer.from(text));
    const input = campaignInputs(sb.db, summary.datasetId)[0];
    expect(input?.days.map((d) => d.impressions)).toEqual([400, null]);
    const e = estimateCampaign(input!);
    // Jeffreys posterior of 12 clicks in 400 impressions: mean (12 + 1/2) / (400 + 1), exact
    expect(e.ctr.trials).toBe(400);
    expect(e.ctr.successes).toBe(12);
    expect(Math.abs(e.ctr.mean - 12.5 / 401)).toBeLessThan(1e-12);
    expect(e.totals.clicks).toBe(43); // the conversion rate still uses every click
  });

  it("rejects a row whose clicks, conversions or spend are empty or a missing-value marker, with the reason", async () => {
    const text =
      HEADER +
      "2026-09-01,A,100,n/a,1,5.0,10\n" +
      "2026-09-01,B,100,10,-,5.0,10\n" +
      "2026-09-01,C,100,10,1,NULL,10\n" +
      "2026-09-01,D,100,10,1, --,10\n" +
      "2026-09-01,E,100,,1,5.0,10\n" +
      "2026-09-01,F,100,10,1,5.0,n/a\n";
    const { summary } = await uploadAndImport(sb, Buffer.from(text));
    expect(summary.rowsImported).toBe(1);
    expect(rejected()).toEqual([
      { line: 2, reason: 'no clicks: "clicks" is "n/a", a missing-value marker (a required figure)' },
      { line: 3, reason: 'no conversions: "conversions" is "-", a missing-value marker (a required figure)' },
      { line: 4, reason: 'no spend: "spend" is "NULL", a missing-value marker (a required figure)' },
      { line: 5, reason: 'no spend: "spend" is "--", a missing-value marker (a required figure)' },
      { line: 6, reason: 'no clicks: "clicks" is empty (a required figure)' },
    ]);
    // revenue is optional: "n/a" is unknown
    expect(stored()).toEqual([{ line: 7, campaign: "F", impressions: 100, clicks: 10, conversions: 1, spend: 5, revenue: null }]);
  });

  it("reads Meta's empty Purchases and Link clicks cells as 0 (Ads Manager writes none as blank), but not a marker", async () => {
    const text =
      '"Campaign name","Reporting starts","Reporting ends","Impressions","Link clicks","Amount spent (USD)","Purchases","Purchases conversion value"\n' +
      '"Spring","2026-01-05","2026-01-05","1500","","4.10","",""\n' +
      '"Spring","2026-01-06","2026-01-06","1600","20","5.10","n/a",""\n' +
      '"Spring","2026-01-07","2026-01-07","1700","21","","1","30"\n';
    const { detection, summary } = await uploadAndImport(sb, Buffer.from(text));
    expect(detection.format).toBe("meta_ads");
    expect(summary.rowsImported).toBe(1);
    expect(stored()).toEqual([
      { line: 2, campaign: "Spring", impressions: 1500, clicks: 0, conversions: 0, spend: 4.1, revenue: null },
    ]);
    expect(rejected()).toEqual([
      { line: 3, reason: 'no conversions: "Purchases" is "n/a", a missing-value marker (a required figure)' },
      { line: 4, reason: 'no spend: "Amount spent (USD)" is empty (a required figure)' },
    ]);
  });

  it("rejects a dated row without its date", async () => {
    const text = HEADER + ",A,100,10,1,5.0,10\nn/a,A,100,10,1,5.0,10\n2026-09-01,A,100,10,1,5.0,10\n";
    const { summary } = await uploadAndImport(sb, Buffer.from(text));
    expect(summary.rowsImported).toBe(1);
    expect(rejected()).toHaveLength(2);
  });
});

describe("realistic exports with missing values (reference totals: tests/fixtures/ingest/expected.py)", () => {
  it("imports an analyst's sheet of markers: required figures missing reject the row, optional ones are unknown", async () => {
    const { summary } = await uploadAndImport(sb, fixture("missing_markers.csv"));
    const e = EXPECTED.missing_markers as (typeof EXPECTED)[string] & { unknown_impressions: number };
    expect(summary.rowsImported).toBe(e.rows);
    expect(summary.rowsRejected).toBe(10 - e.rows);
    expect(summary.campaigns).toBe(e.campaigns);
    expect(summary.totals.impressions).toBe(e.impressions);
    expect(summary.totals.clicks).toBe(e.clicks);
    // decimal sums of a few cents: 1e-9 absolute
    for (const f of ["conversions", "spend", "revenue"] as const) expect(Math.abs(summary.totals[f] - e[f])).toBeLessThan(1e-9);
    const unknown = sb.db.$client.prepare("SELECT COUNT(*) AS n FROM observations WHERE impressions IS NULL").get() as { n: number };
    expect(unknown.n).toBe(e.unknown_impressions);
    expect(summary.warnings.join(" ")).not.toMatch(/more clicks than impressions/);
    const reasons = (sb.db.$client.prepare("SELECT reason FROM rejected_rows ORDER BY line").all() as { reason: string }[]).map((r) => r.reason);
    expect(reasons).toEqual([
      'no clicks: "Clicks" is "-", a missing-value marker (a required figure)',
      'no clicks: "Clicks" is "--", a missing-value marker (a required figure)',
      'no conversions: "Conversions" is "null", a missing-value marker (a required figure)',
      'no spend: "Cost" is empty (a required figure)',
      'no spend: "Cost" is "NULL", a missing-value marker (a required figure)',
    ]);
  });

  it("takes a Microsoft Advertising report's period from its rows when the preamble dates the run", async () => {
    const { detection, summary } = await uploadAndImport(sb, fixture("microsoft_ads_run_date.csv"));
    const e = EXPECTED.microsoft_ads_run_date!;
    expect(detection.format).toBe("microsoft_ads");
    expect(detection.periodFromPreamble).toBeNull();
    expect(detection.period).toEqual({ start: "2026-01-12", end: "2026-01-19", source: "data" });
    expect(summary.period).toEqual({ start: "2026-01-12", end: "2026-01-19" });
    expect(summary.rowsImported).toBe(e.rows);
    expect(summary.totals.impressions).toBe(e.impressions); // the "--" row's impressions are unknown
    expect(summary.totals.clicks).toBe(e.clicks);
    for (const f of ["conversions", "spend", "revenue"] as const) expect(Math.abs(summary.totals[f] - e[f])).toBeLessThan(1e-9);
    expect(summary.currency).toBe("USD");
  });
});

describe("campaign names", () => {
  it("merges names that differ only by surrounding spaces or tabs, says so, and counts what is stored", async () => {
    const text =
      HEADER +
      "2026-09-01,Alpha,100,10,1,5.0,10\n" +
      "2026-09-01, Alpha,100,10,1,5.0,10\n" +
      "2026-09-01,\tAlpha,100,10,1,5.0,10\n" +
      "2026-09-01,Beta,100,10,1,5.0,10\n";
    const { summary } = await uploadAndImport(sb, Buffer.from(text));
    const names = sb.db.$client.prepare("SELECT DISTINCT campaign FROM observations ORDER BY campaign").all();
    expect(names).toEqual([{ campaign: "Alpha" }, { campaign: "Beta" }]);
    expect(summary.campaigns).toBe(names.length);
    expect(summary.warnings.join(" ")).toMatch(
      /2 rows have spaces or tabs around their campaign names \(lines 3, 4\): they were removed, so names that differ only by them are one campaign: "Alpha" \(also written " Alpha", "\\tAlpha"\)/,
    );
  });
});
