import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { bumpDataRevision } from "@/db/queries";
import { datasets, datasetUploads, observations, type NewObservation } from "@/db/schema";
import { analyzeDataset } from "@/lib/analysis/dataset";
import { exportPairs, learnedLag } from "@/lib/analysis/lag-learn";
import { campaignDetail } from "@/lib/analysis/campaign";
import { completeness } from "@/lib/engine/lag";
import { isAppError } from "@/lib/errors";
import { addLagReport, removeLagReport } from "@/lib/ingest/lag-report-service";
import { simulateExports, type SimCampaign } from "@/tests/support/lag-exports";

/*
 * A dataset grown by 52 weekly exports of an account whose conversions mature (tests/support/lag-exports.ts: a known
 * exponential delay), written the way db/uploads.ts keeps them: one dataset_uploads row per export, imported the day
 * after its last day, each (day, campaign) row superseded by the next export's. The curve learned from the row
 * versions must hold the true one within its own 90% band, and resolveLag must take it when no setting or report
 * says otherwise.
 */

const DAY_MS = 86_400_000;
const START = Date.UTC(2025, 0, 1);
const iso = (d: number) => new Date(START + d * DAY_MS).toISOString().slice(0, 10);
const K = Math.log(5) / 5; // 80% of conversions within 5 days
const SLOW_K = 0.08;

let dir: string;
let db: Db;

/** Writes the simulated exports as a grown dataset; returns its id. */
function writeDataset(name: string, campaigns: SimCampaign[], seed: number, weeks: number): number {
  const exports = simulateExports({ seed, campaigns, baseDays: 60, weeks, window: 28 });
  const ds = db
    .insert(datasets)
    .values({
      name,
      fileName: `${name}.csv`,
      sourceFormat: "generic",
      sha256: `sim-${name}`,
      sizeBytes: 0,
      currency: "USD",
      periodStart: iso(0),
      periodEnd: iso(exports.at(-1)!.end),
      mappingJson: "{}",
      summaryJson: JSON.stringify({ kind: "observations" }),
    })
    .returning({ id: datasets.id })
    .get();
  const live = new Map<string, number>(); // key -> observation id of the live version
  const conn = db.$client;
  conn.transaction(() => {
    for (const e of exports) {
      const up = db
        .insert(datasetUploads)
        .values({
          datasetId: ds.id,
          sha256: `sim-${name}-${e.end}`,
          fileName: `week-${e.end}.csv`,
          sourceFormat: "generic",
          sizeBytes: 0,
          importedAt: `${iso(e.end + 1)}T09:00:00.000Z`,
          periodStart: iso(e.rows[0]!.day),
          periodEnd: iso(e.end),
          totalsBeforeJson: "{}",
          totalsAfterJson: "{}",
        })
        .returning({ id: datasetUploads.id })
        .get();
      const rows: NewObservation[] = e.rows.map((r, i) => ({
        datasetId: ds.id,
        uploadId: up.id,
        campaign: r.campaign,
        periodStart: iso(r.day),
        periodEnd: iso(r.day),
        impressions: r.clicks * 20,
        clicks: r.clicks,
        conversions: r.conversions,
        spend: r.clicks * 0.5,
        revenue: r.conversions * 40,
        line: i + 2,
      }));
      const ids = db.insert(observations).values(rows).returning({ id: observations.id }).all();
      e.rows.forEach((r, i) => {
        const key = `${r.campaign}|${r.day}`;
        const old = live.get(key);
        if (old !== undefined) conn.prepare("UPDATE observations SET superseded_by = ? WHERE id = ?").run(up.id, old);
        live.set(key, ids[i]!.id);
      });
    }
    bumpDataRevision(conn);
  })();
  return ds.id;
}

const campaigns = (n: number, lambda: number, k = K): SimCampaign[] =>
  Array.from({ length: n }, (_, i) => ({ name: `campaign ${String(i).padStart(2, "0")}`, lambda, k }));

let grown: number;
let mixed: number;
let single: number;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-laglearn-"));
  db = openDatabase(path.join(dir, "lag.db"));
  grown = writeDataset("grown", campaigns(20, 2), 11, 52);
  // one campaign with a slow delay and enough conversions for a curve of its own
  mixed = writeDataset("mixed", [...campaigns(6, 0.15), { name: "slow", lambda: 25, k: SLOW_K }], 12, 20);
  single = writeDataset("single", campaigns(3, 2), 13, 0);
});
afterAll(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("learning the curve from successive exports", () => {
  it("pairs each day's readings by age (a = as-of date of the upload - day) from 52 exports", () => {
    const p = exportPairs(db, grown);
    expect(p.exports).toBe(53);
    // a 28-day window read every 7 days: a day is read at ages a, a + 7, a + 14, a + 21 (and later in the base)
    for (const pair of p.all) {
      expect(pair.b - pair.a).toBeGreaterThan(0);
      expect(pair.ya).toBeLessThanOrEqual(pair.yb);
    }
    expect(p.all.every((x) => (x.b - x.a) % 7 === 0)).toBe(true);
    // arrivals never go backwards in the simulation: nothing capped
    expect(p.decreases).toBe(0);
  });

  it("recovers the true curve within its own 90% band at every age, and resolveLag uses it", () => {
    const learned = learnedLag(db, grown).exports!.dataset!;
    expect(learned.curve.kLo90).toBeLessThanOrEqual(K);
    expect(learned.curve.kHi90).toBeGreaterThanOrEqual(K);
    for (const pt of learned.curve.points) {
      expect(pt.lo90).toBeLessThanOrEqual(completeness(pt.age, K));
      expect(pt.hi90).toBeGreaterThanOrEqual(completeness(pt.age, K));
    }
    // informative: the band on k is narrow (2,000+ conversions seen arriving late)
    expect(learned.grown!).toBeGreaterThan(2000);
    expect(learned.curve.kHi90 / learned.curve.kLo90).toBeLessThan(1.2);
    const a = analyzeDataset(db, grown, { horizon: "week" });
    expect(a.lag.source).toBe("exports");
    expect(a.lag.learned).toMatchObject({ exports: 53 });
    expect(a.lag.sentence).toMatch(/^Learned from 53 exports of this dataset/);
    expect(a.lag.completeness[3]!.lo90).toBeLessThan(a.lag.completeness[3]!.hi90);
  });

  it("gives a campaign with enough late conversions its own curve, and the others the dataset's", () => {
    const l = learnedLag(db, mixed).exports!;
    const slow = l.campaigns.get("slow")!;
    expect(slow.curve.kLo90).toBeLessThanOrEqual(SLOW_K);
    expect(slow.curve.kHi90).toBeGreaterThanOrEqual(SLOW_K);
    // the others saw fewer than 50 conversions arrive late each: no curve of their own
    expect([...l.campaigns.keys()]).toEqual(["slow"]);
    const a = analyzeDataset(db, mixed, { horizon: "week" });
    expect(a.lag.campaigns.map((c) => c.campaign)).toEqual(["slow"]);
    const detail = campaignDetail(db, mixed, "slow", { horizon: "week" });
    expect(detail.lag.horizon).toBe(slow.curve.horizon);
    expect(detail.lag.horizon).toBeGreaterThan(a.lag.horizon);
    // the slow campaign's newest day is judged at its own, lower completeness
    expect(detail.daily.at(-1)!.completeness).toBeCloseTo(completeness(0, slow.curve.k), 10);
  });

  it("falls back to the default with a single export (nothing read twice)", () => {
    expect(learnedLag(db, single).exports).toBeNull();
    const a = analyzeDataset(db, single, { horizon: "week" });
    expect(a.lag.source).toBe("default");
    expect(a.lag.learned).toBeNull();
    expect(a.lag.sentence).toMatch(/^Assumed: 90% within 7 days; add a newer export or a Days-to-conversion report/);
  });
});

describe("precedence: a setting, then a report, then the exports, then the default", () => {
  const report = ["Days to conversion report", '"January 1, 2025 - December 31, 2025"', "Days to conversion,Conversions", "<1,393", "1,239", "2,145", "3,88", "4,53", "5,32", "6,20", "7,12", ">7,18", "Total: Account,1000"].join("\n");
  const send = (text: string, datasetId: number) =>
    addLagReport(Readable.from([Buffer.from(text)]), { datasetId, fileName: "days-to-conversion.csv" }, db, path.join(dir, "lag.db"));

  it("takes the query's setting over the report, the report over the exports, and the exports back when it goes", async () => {
    const before = analyzeDataset(db, grown, { horizon: "week" });
    expect(before.lag.source).toBe("exports");
    const stored = await send(report, grown);
    expect(stored.fit.method).toBe("exponential");
    expect(fs.existsSync(path.join(dir, "uploads", stored.sha256))).toBe(true);
    // the report bumps the data revision: the cached analysis is not served again
    const withReport = analyzeDataset(db, grown, { horizon: "week" });
    expect(withReport.lag.source).toBe("report");
    expect(withReport.lag.learned).toMatchObject({ method: "exponential", observations: 1000, fileName: "days-to-conversion.csv" });
    expect(withReport.lag.sentence).toMatch(/^From your Days-to-conversion report/);
    expect(withReport.lag.completeness[0]!.fraction).not.toBeCloseTo(before.lag.completeness[0]!.fraction, 3);
    const setting = analyzeDataset(db, grown, { horizon: "week", lag: "0.8@3" });
    expect(setting.lag.source).toBe("setting");
    expect(setting.lag.learned).toBeNull();
    expect(analyzeDataset(db, grown, { horizon: "week", lag: "off" }).lag.source).toBe("none");
    await removeLagReport(grown, db, path.join(dir, "lag.db"));
    expect(fs.existsSync(path.join(dir, "uploads", stored.sha256))).toBe(false);
    expect(analyzeDataset(db, grown, { horizon: "week" }).lag.source).toBe("exports");
  });

  it("refuses a report for a dataset that does not exist, and a removal when there is none", async () => {
    await expect(send(report, 999)).rejects.toSatisfy((e) => isAppError(e) && e.code === "not_found");
    await expect(removeLagReport(single, db, path.join(dir, "lag.db"))).rejects.toSatisfy((e) => isAppError(e) && e.code === "not_found");
  });

  it("refuses a file that is not a report, keeping nothing", async () => {
    await expect(send("hello world, this is prose\nand more prose, with commas, many\n", single)).rejects.toSatisfy(
      (e) => isAppError(e) && e.code === "unrecognised_format" && /not a time-lag report/.test(e.message),
    );
    await expect(send("a,b,c\n1,2,3\n", single)).rejects.toSatisfy((e) => isAppError(e) && e.code === "unrecognised_format");
    await expect(send("Days to conversion,Conversions\nsoon,4\n", single)).rejects.toSatisfy(
      (e) => isAppError(e) && e.code === "no_valid_rows" && /line 2: "soon" is not a number of days/.test(e.message),
    );
    expect(fs.existsSync(path.join(dir, "uploads")) ? fs.readdirSync(path.join(dir, "uploads")).filter((n) => !n.startsWith(".")) : []).toEqual([]);
    expect(analyzeDataset(db, single, { horizon: "week" }).lag.source).toBe("default");
  });
});
