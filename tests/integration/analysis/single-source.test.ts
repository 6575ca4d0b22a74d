import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { campaignRows } from "@/lib/analysis/dataset";
import { clearCache } from "@/lib/analysis/cache";
import { singleSourceSummary, sourceSummaries } from "@/lib/analysis/sources";
import { importFile } from "@/lib/ingest/import";
import { sandbox, store, type Sandbox } from "../ingest/helpers";

/*
 * A dataset of one source gets its "By source" line from the rows the analysis has already read (singleSourceSummary)
 * instead of a second SQL pass: it must equal the SQL figures (sourceSummaries) on every kind of file, dated, undated
 * (ads), period rows, segments and files without revenue.
 */

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
  clearCache();
});
afterEach(() => sb.cleanup());

const FILES = ["generic.csv", "generic_weekly.csv", "google_ads_daily.csv", "google_ads_campaign_report.csv", "meta_ads.csv", "microsoft_ads.csv", "ad_level.csv", "missing_markers.csv"];

describe("the By source line of a one-source dataset", () => {
  it.each(FILES)("%s: the rows read by the analysis give the SQL figures", async (file) => {
    const stored = await store(sb, path.join("tests", "fixtures", "ingest", file));
    const s = await importFile(sb.db, { path: stored.path, sha256: stored.sha256, fileName: file, sizeBytes: stored.sizeBytes });
    const [sql] = sourceSummaries(sb.db, s.datasetId);
    expect(sql).toBeDefined();
    const fromRows = singleSourceSummary(sql!.source, campaignRows(sb.db, s.datasetId).inputs);
    // counts exactly; sums of amounts to 1e-9 relative (the same numbers added in another order)
    expect({ ...fromRows, spend: 0, revenue: fromRows.revenue === null ? null : 0, conversions: 0, conversionRate: 0 }).toEqual({
      ...sql!,
      spend: 0,
      revenue: sql!.revenue === null ? null : 0,
      conversions: 0,
      conversionRate: 0,
    });
    for (const k of ["spend", "revenue", "conversions", "conversionRate"] as const) {
      const a = fromRows[k] ?? 0;
      const b = sql![k] ?? 0;
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    }
  });
});
