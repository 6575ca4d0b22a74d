/**
 * The import pipeline without a database: detection, the row reader, the tally and an in-memory sink, run on the
 * fixtures. Checked against the reference totals of tests/fixtures/ingest/expected.py (Python csv + Decimal), and
 * against the same file imported into SQLite (the summary and the rows must be the same).
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inspectFile } from "@/lib/ingest/detect";
import { ImportPipeline, readInto } from "@/lib/ingest/pipeline";
import { quoteFree } from "@/lib/ingest/streams";
import { MemorySink } from "../../support/memory-sink";
import { EXPECTED, FIXTURES, sandbox, uploadAndImport, type Sandbox } from "./helpers";

/** Fixture file -> its key in expected.json (files that import with the detected mapping). */
const FILES: Record<string, string> = {
  "generic.csv": "generic",
  "generic_messy.csv": "generic_messy",
  "generic_weekly.csv": "generic_weekly",
  "google_ads_campaign_report.csv": "google_ads_campaign_report",
  "google_ads_daily.csv": "google_ads_daily",
  "google_ads_excel_source.tsv": "google_ads_excel",
  "meta_ads.csv": "meta_ads",
  "microsoft_ads.csv": "microsoft_ads",
  "microsoft_ads_run_date.csv": "microsoft_ads_run_date",
  "missing_markers.csv": "missing_markers",
  "orders.csv": "orders",
  "semicolon_decimal_comma.csv": "semicolon_decimal_comma",
  "ad_level.csv": "ad_level",
};

async function runInMemory(file: string) {
  const filePath = path.join(FIXTURES, file);
  const layout = await inspectFile(filePath, { fileName: file });
  const sink = new MemorySink();
  const pipeline = new ImportPipeline(layout, sink);
  const { sawReplacement } = await readInto(filePath, layout, pipeline, await quoteFree(filePath, layout));
  const summary = pipeline.summary({ datasetId: 0, name: "x", sha256: layout.detection.sha256, sawReplacement });
  return { sink, summary };
}

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

describe("the pipeline with an in-memory sink", () => {
  for (const [file, key] of Object.entries(FILES)) {
    it(`reads ${file} to the reference totals and to what the database import stores`, async () => {
      const e = EXPECTED[key]!;
      const { sink, summary } = await runInMemory(file);
      expect(sink.finished).toBe(1);
      const rows = summary.kind === "orders" ? sink.orders : sink.observations;
      expect(rows.length).toBe(e.rows);
      expect(summary.rowsImported).toBe(e.rows);
      expect(summary.campaigns).toBe(e.campaigns);
      expect(new Set(rows.map((r) => r.campaign)).size).toBe(e.campaigns);
      expect(summary.totals.impressions).toBe(e.impressions);
      expect(summary.totals.clicks).toBe(e.clicks);
      // sums of a few decimal amounts: the Decimal reference to 1e-9
      for (const f of ["conversions", "spend", "revenue"] as const) expect(summary.totals[f]).toBeCloseTo(e[f], 9);

      const db = await uploadAndImport(sb, path.join(FIXTURES, file));
      // the import adds where the currency came from (the file, or the user's choice)
      const { currencySource: _source, ...storedSummary } = db.summary;
      expect({ ...summary, datasetId: db.summary.datasetId, name: db.summary.name }).toEqual(storedSummary);
      const stored = sb.db.$client
        .prepare(
          summary.kind === "orders"
            ? "SELECT line, campaign, date, order_id AS orderId, value FROM orders ORDER BY line"
            : "SELECT line, campaign, segment, period_start AS periodStart, period_end AS periodEnd, impressions, clicks, conversions, conversions_alt AS conversionsAlt, spend, revenue FROM observations ORDER BY line",
        )
        .all();
      const kept =
        summary.kind === "orders"
          ? sink.orders.map(({ line, campaign, date, orderId, value }) => ({ line, campaign, date, orderId, value }))
          : sink.observations.map(({ currency: _currency, ...r }) => r);
      expect(kept).toEqual(stored);
      const rejected = sb.db.$client.prepare("SELECT line, raw, reason FROM rejected_rows ORDER BY line").all();
      expect(sink.rejectedRows).toEqual(rejected);
    });
  }

  it("covers every fixture with reference totals but the one that needs a mapping", () => {
    const covered = new Set(Object.values(FILES));
    expect(Object.keys(EXPECTED).filter((k) => !covered.has(k))).toEqual(["unknown_headers"]);
    for (const file of Object.keys(FILES)) expect(fs.existsSync(path.join(FIXTURES, file))).toBe(true);
  });
});
