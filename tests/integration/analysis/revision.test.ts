import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { dataRevision, deleteDataset, listDatasets, revisionKey } from "@/db/queries";
import { cacheStats, clearCache } from "@/lib/analysis/cache";
import { campaignDetail } from "@/lib/analysis/campaign";
import { analysisSummary, analyzeDataset } from "@/lib/analysis/dataset";
import { campaignOutcome } from "@/lib/analysis/pooling-source";
import { isAppError } from "@/lib/errors";
import { importLocalFile } from "@/lib/ingest/uploads";

/*
 * Every cached result is keyed by the global data revision, which every write bumps in its own transaction: a
 * re-import with another mapping, a new or deleted order list, a deleted dataset. These tests write and then read
 * through the caches, and would see the old figures if any cache kept them.
 */

let dir: string;
let dbPath: string;
let db: Db;

const MAX = 16 * 1024 * 1024;

/** A generic daily file of one campaign over 28 days with a second conversion column ("approved", about a third). */
function dailyCsv(): string {
  const lines = ["date,campaign,impressions,clicks,conversions,approved,spend,revenue"];
  for (let d = 1; d <= 28; d++) {
    const date = `2026-02-${String(d).padStart(2, "0")}`;
    const conv = 3 + (d % 4);
    lines.push(`${date},Brand,2000,150,${conv},${d % 3 === 0 ? 1 : 0},120.00,${(conv * 40).toFixed(2)}`);
  }
  return lines.join("\n") + "\n";
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-revision-"));
  dbPath = path.join(dir, "r.db");
  db = openDatabase(dbPath);
});

afterAll(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the data revision", () => {
  it("is bumped by every import and delete, inside their transactions", async () => {
    const before = dataRevision(db);
    const s = await importLocalFile(db, dbPath, write("rev.csv", "date,campaign,impressions,clicks,conversions,spend,revenue\n2026-01-01,A,10,5,1,3,9\n"), { maxBytes: MAX });
    expect(dataRevision(db)).toBe(before + 1);
    // the same bytes again write nothing, so nothing moves
    await importLocalFile(db, dbPath, path.join(dir, "rev.csv"), { maxBytes: MAX });
    expect(dataRevision(db)).toBe(before + 1);
    expect(deleteDataset(db, s.datasetId)).not.toBeNull();
    expect(dataRevision(db)).toBe(before + 2);
    // deleting what is not there is no write
    expect(deleteDataset(db, s.datasetId)).toBeNull();
    expect(dataRevision(db)).toBe(before + 2);
  });

  it("keys the caches apart for two databases open in one process at the same revision", async () => {
    const [a, b] = [openDatabase(":memory:"), openDatabase(":memory:")];
    try {
      expect(dataRevision(a)).toBe(dataRevision(b));
      expect(revisionKey(a)).not.toBe(revisionKey(b));
      expect(revisionKey(a)).toBe(revisionKey(a)); // the same connection keeps its key
      // the same dataset id in both, different rows: each answer is its own database's
      const csv = (clicks: number) => write(`two-${clicks}.csv`, `date,campaign,impressions,clicks,conversions,spend,revenue\n2026-01-01,A,1000,${clicks},1,3,9\n`);
      const ia = await importLocalFile(a, path.join(dir, "a.db"), csv(50), { maxBytes: MAX });
      const ib = await importLocalFile(b, path.join(dir, "b.db"), csv(80), { maxBytes: MAX });
      expect(ia.datasetId).toBe(ib.datasetId);
      expect(dataRevision(a)).toBe(dataRevision(b));
      expect(analyzeDataset(a, ia.datasetId, { horizon: "week" }).campaigns[0]!.clicks).toBe(50);
      expect(analyzeDataset(b, ib.datasetId, { horizon: "week" }).campaigns[0]!.clicks).toBe(80);
    } finally {
      a.$client.close();
      b.$client.close();
    }
  });
});

describe("cached analyzes follow the data", () => {
  it("a re-import of the same bytes with another mapping changes the answer on every horizon and part", async () => {
    const file = write("daily.csv", dailyCsv());
    const first = await importLocalFile(db, dbPath, file, { maxBytes: MAX });
    const id = first.datasetId;
    const total = (h: "day" | "week" | "month") => analyzeDataset(db, id, { horizon: h }).campaigns[0]!.conversions;
    // 28 days of 3 + (d mod 4) conversions: 7 x (3 + 4 + 5 + 6) = 126
    expect(total("week")).toBe(126);
    expect(total("day")).toBe(126);
    expect(analysisSummary(db, id, { horizon: "week" }).campaigns[0]!.conversions).toBe(126);
    const detailBefore = campaignDetail(db, id, "Brand", { horizon: "week" });
    const labBefore = campaignOutcome(db, { datasetId: id, horizon: "week", outcome: "conversions" });

    const again = await importLocalFile(db, dbPath, file, { maxBytes: MAX, mapping: { conversions: "approved" } });
    expect(again.datasetId).toBe(id);
    expect(again.existing).toBe(false);
    // days 3, 6, ..., 27: 9 approved conversions
    for (const h of ["day", "week", "month"] as const) expect(total(h)).toBe(9);
    expect(analysisSummary(db, id, { horizon: "week" }).campaigns[0]!.conversions).toBe(9);
    const detailAfter = campaignDetail(db, id, "Brand", { horizon: "week" });
    expect(detailAfter.analysis.conversions).toBe(9);
    expect(detailAfter.analysis.forecast.conversions.mean).toBeLessThan(detailBefore.analysis.forecast.conversions.mean);
    const labAfter = campaignOutcome(db, { datasetId: id, horizon: "week", outcome: "conversions" });
    expect(labAfter.key).not.toBe(labBefore.key);
  });

  it("adding and deleting an order list changes a performance dataset's order values", async () => {
    const perf = listDatasets(db).find((d) => d.name === "daily")!.id;
    const before = analyzeDataset(db, perf, { horizon: "week" }).campaigns[0]!.orderValue;
    expect(before.source).not.toBe("orders");
    // an order list for the same campaign, every order worth 1000
    const orderLines = ["date,campaign,order_id,value"];
    for (let i = 1; i <= 40; i++) orderLines.push(`2026-02-${String(1 + (i % 28)).padStart(2, "0")},Brand,O-${i},1000.00`);
    const orders = await importLocalFile(db, dbPath, write("orders.csv", orderLines.join("\n") + "\n"), { maxBytes: MAX });
    const withOrders = analyzeDataset(db, perf, { horizon: "week" }).campaigns[0]!;
    expect(withOrders.orderValue.source).toBe("orders");
    expect(withOrders.orderValue.mean).toBeCloseTo(1000, 9);
    expect(campaignDetail(db, perf, "Brand", { horizon: "week" }).analysis.orderValue.mean).toBeCloseTo(1000, 9);

    deleteDataset(db, orders.datasetId);
    const after = analyzeDataset(db, perf, { horizon: "week" }).campaigns[0]!.orderValue;
    expect(after.source).toBe(before.source);
    expect(after.mean).toBeCloseTo(before.mean, 9);
  });

  it("sees a write made through another connection (the CLI beside the server)", () => {
    const perf = listDatasets(db).find((d) => d.name === "daily")!.id;
    expect(analyzeDataset(db, perf, { horizon: "week" }).datasetId).toBe(perf);
    const other = openDatabase(dbPath);
    try {
      deleteDataset(other, perf);
    } finally {
      other.$client.close();
    }
    let code = "none";
    try {
      analyzeDataset(db, perf, { horizon: "week" });
    } catch (e) {
      code = isAppError(e) ? e.code : "other";
    }
    expect(code).toBe("not_found");
  });

  it("clearCache empties every namespace, and the answer computed again is equal", async () => {
    const s = await importLocalFile(db, dbPath, write("again.csv", dailyCsv().replace(/Brand/g, "Again")), { maxBytes: MAX });
    const first = analyzeDataset(db, s.datasetId, { horizon: "week" });
    expect(analyzeDataset(db, s.datasetId, { horizon: "week" })).toBe(first); // cached: the same object
    expect(cacheStats().analysis).toBeGreaterThan(0);
    clearCache();
    expect(Object.values(cacheStats()).every((n) => n === 0)).toBe(true);
    const second = analyzeDataset(db, s.datasetId, { horizon: "week" });
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });
});
