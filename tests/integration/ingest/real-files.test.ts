import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sandbox, uploadAndImport, type Sandbox } from "./helpers";

// Real public exports kept beside the project (never copied into it). The expected figures are the sums published
// with them (shared/README.md) and, for Google Ads, the file's own "Total: Campaigns" row.
const FACEBOOK = path.resolve(process.cwd(), "../shared/data/ads/facebook_ads_KAG_conversion_data.csv");
const GOOGLE = path.resolve(process.cwd(), "../shared/data/ads/google_ads_campaign_report_utf8.csv");

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

describe.skipIf(!fs.existsSync(FACEBOOK))("the Kaggle Facebook ad-level file", () => {
  it("imports 1,143 ads of 3 campaigns with the published totals", async () => {
    const { detection, summary } = await uploadAndImport(sb, FACEBOOK);
    expect(detection.format).toBe("ad_level");
    expect(summary.rowsImported).toBe(1143);
    expect(summary.rowsRejected).toBe(0);
    expect(summary.campaigns).toBe(3);
    expect(summary.totals.impressions).toBe(213_434_828);
    expect(summary.totals.clicks).toBe(38_165);
    expect(Math.abs(summary.totals.spend - 58_705.23)).toBeLessThan(0.005); // to the cent
    expect(summary.totals.conversions).toBe(3264);
    expect(summary.period).toBeNull();
    const alt = sb.db.$client.prepare("SELECT SUM(conversions_alt) AS s FROM observations").get();
    expect(alt).toEqual({ s: 1079 });
  });
});

describe.skipIf(!fs.existsSync(GOOGLE))("the real Google Ads campaign report", () => {
  it("imports 12 campaigns and reconciles with Total: Campaigns, not Total: Account", async () => {
    const { detection, summary } = await uploadAndImport(sb, GOOGLE);
    expect(detection.format).toBe("google_ads");
    expect(detection.headerLine).toBe(3);
    expect(summary.rowsImported).toBe(12);
    expect(summary.rowsRejected).toBe(0);
    expect(summary.campaigns).toBe(12);
    expect(summary.totals.impressions).toBe(14_117_313);
    expect(summary.totals.clicks).toBe(167_739);
    expect(Math.abs(summary.totals.spend - 199_421.15)).toBeLessThan(0.005);
    expect(Math.abs(summary.totals.conversions - 18_703.32)).toBeLessThan(0.005);
    expect(summary.currency).toBe("USD");
    expect(summary.period).toBeNull(); // "All time"
    const rec = summary.reconciliation;
    expect(rec?.source).toBe("Total: Campaigns");
    expect(rec?.matches).toBe(true);
    const account = rec?.ignored.find((i) => i.source === "Total: Account");
    expect(account?.reason).toMatch(/whole account/);
    expect(rec?.ignored.map((i) => i.source)).toEqual(["Total: Account", "Total: Performance Max", "Total: Search", "Total: Display"]);
  });
});
