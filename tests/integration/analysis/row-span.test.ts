import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { analysisSummary, analyzeDataset } from "@/lib/analysis/dataset";
import { importLocalFile } from "@/lib/ingest/uploads";

/*
 * A report with one row per campaign for a whole period (a Google Ads "Campaign report" of 1-31 January 2026) is 31
 * days of data: per-day and per-horizon figures come from the spend per day of those days, and the analysis says
 * what each row covers.
 */

const FIXTURES = path.join(process.cwd(), "tests", "fixtures", "ingest");
let dir: string;
let dbPath: string;
let db: Db;
let monthly: number;
let weekly: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-span-"));
  dbPath = path.join(dir, "s.db");
  db = openDatabase(dbPath);
  monthly = (await importLocalFile(db, dbPath, path.join(FIXTURES, "google_ads_campaign_report.csv"), { maxBytes: 1 << 24 })).datasetId;
  weekly = (await importLocalFile(db, dbPath, path.join(FIXTURES, "generic_weekly.csv"), { maxBytes: 1 << 24 })).datasetId;
});

afterAll(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("rows that cover a period", () => {
  it("a month-long row is 31 days of data: the budget per horizon is its spend per day times the horizon", () => {
    // Brand Search: cost 1,523.40 and 1,310 clicks over 1-31 January (the fixture's figures).
    const perDay = 1523.4 / 31;
    for (const [horizon, days] of [
      ["day", 1],
      ["week", 7],
      ["month", 30],
    ] as const) {
      const a = analyzeDataset(db, monthly, { horizon });
      expect(a.rowSpan).toEqual({ days: 31, coveredDays: 31, start: "2026-01-01", end: "2026-01-31", periods: 1 });
      const c = a.campaigns.find((x) => x.campaign === "Brand Search")!;
      expect(c.rowSpan?.days).toBe(31);
      expect(c.forecast.budget).toBeCloseTo(perDay * days, 9); // 49.14 a day, 343.99 a week
      // clicks bought = budget / CPC, CPC = 1523.40 / 1310: 1310 x days / 31
      expect(c.forecast.clicks).toBeCloseTo((1310 * days) / 31, 9);
      expect(c.notes.join(" ")).toMatch(/Each row covers 31 days \(2026-01-01 to 2026-01-31\)/);
    }
    const week = analyzeDataset(db, monthly, { horizon: "week" }).campaigns.find((x) => x.campaign === "Brand Search")!;
    // 84 conversions in 31 days: about 19 a week (the posterior mean rate moves it a little), not 84
    expect(week.forecast.conversions.mean).toBeGreaterThan(84 * (7 / 31) * 0.9);
    expect(week.forecast.conversions.mean).toBeLessThan(84 * (7 / 31) * 1.1);
    expect(analysisSummary(db, monthly, { horizon: "week" }).rowSpan?.days).toBe(31);
  });

  it("a budget the user gives is still the budget over the horizon", () => {
    const c = analyzeDataset(db, monthly, { horizon: "week", budget: 500 }).campaigns.find((x) => x.campaign === "Brand Search")!;
    expect(c.forecast.budget).toBe(500);
  });

  it("weekly rows are 7 days each, and the days they cover add up", () => {
    const a = analyzeDataset(db, weekly, { horizon: "day" });
    const span = a.campaigns[0]!.rowSpan!;
    expect(span.days).toBe(7);
    expect(span.coveredDays).toBe(7 * span.periods);
    const spend = a.campaigns[0]!.spend;
    expect(a.campaigns[0]!.forecast.budget).toBeCloseTo(spend / span.coveredDays, 9);
  });
});
