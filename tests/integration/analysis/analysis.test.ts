import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { listDatasets } from "@/db/queries";
import { campaignDetail } from "@/lib/analysis/campaign";
import { analyzeDataset, campaignInputs } from "@/lib/analysis/dataset";
import { outcomeDistribution } from "@/lib/analysis/distributions";
import { isAppError } from "@/lib/errors";
import { loadSampleData } from "@/lib/ingest/sample";

interface TruthCampaign {
  name: string;
  conversionRate: number;
  orderValue: { mean: number; sigma: number };
  realised: { conversions: number; clicks: number; spend: number; revenue: number };
}
const truth = JSON.parse(fs.readFileSync(path.join(process.cwd(), "sample-data", "truth.json"), "utf8")) as {
  campaigns: TruthCampaign[];
  surpriseCorrelation: unknown;
};

let dir: string;
let db: Db;
let daily: number;
let orders: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "noisefloor-analysis-"));
  const dbPath = path.join(dir, "a.db");
  db = openDatabase(dbPath);
  await loadSampleData(db, dbPath);
  const list = listDatasets(db);
  daily = list.find((d) => d.kind === "observations")!.id;
  orders = list.find((d) => d.kind === "orders")!.id;
});

afterAll(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("analyzeDataset on the sample shop", () => {
  it("returns every campaign with the totals that were imported", () => {
    const a = analyzeDataset(db, daily, { horizon: "week" });
    expect(a.campaigns).toHaveLength(6);
    expect(a.unit).toBe("day");
    expect(a.currency).toBe("USD");
    for (const t of truth.campaigns) {
      const c = a.campaigns.find((x) => x.campaign === t.name)!;
      expect(c.conversions).toBe(t.realised.conversions);
      expect(c.clicks).toBe(t.realised.clicks);
      expect(c.spend).toBeCloseTo(t.realised.spend, 2); // cents
    }
  });

  it("recovers the generator's conversion rates and order values within their intervals", () => {
    const a = analyzeDataset(db, daily, { horizon: "week" });
    let covered = 0;
    for (const t of truth.campaigns) {
      const c = a.campaigns.find((x) => x.campaign === t.name)!;
      // The generator's rate drifts with a trend and a market shock, so the 90% interval of the 180-day average
      // may miss the nominal rate; it must be close (within 15% relative) and covered for most campaigns.
      expect(Math.abs(c.cvr.mean - t.conversionRate) / t.conversionRate).toBeLessThan(0.15);
      if (c.cvr.lo90 <= t.conversionRate && t.conversionRate <= c.cvr.hi90) covered++;
      expect(c.orderValue.source).toBe("orders");
      expect(Math.abs(c.orderValue.mean - t.orderValue.mean) / t.orderValue.mean).toBeLessThan(0.2);
    }
    expect(covered).toBeGreaterThanOrEqual(4);
  });

  it("forecasts whose means follow E[S] = E[N] E[X] and whose quantiles bracket the mean", () => {
    const a = analyzeDataset(db, daily, { horizon: "week" });
    for (const c of a.campaigns) {
      const f = c.forecast;
      expect(f.horizonDays).toBe(7);
      expect(f.conversions.q05).toBeLessThanOrEqual(f.conversions.mean);
      expect(f.conversions.q95).toBeGreaterThanOrEqual(f.conversions.mean);
      // revenue mean = expected conversions x mean order value, up to lattice rounding (0.5%)
      expect(Math.abs(f.revenue.mean - f.conversions.mean * c.orderValue.mean) / f.revenue.mean).toBeLessThan(0.005);
      for (const p of [f.pZeroConversions, f.pLoss!, f.pZeroDay, f.pLosingWeek!]) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }
      expect(c.calibration.days).toBeGreaterThan(150);
      expect(c.calibration.coverage90).toBeGreaterThan(0.75);
      expect(c.calibration.coverage90).toBeLessThan(1);
    }
  });

  it("scales the forecast with the horizon and the budget", () => {
    const week = analyzeDataset(db, daily, { horizon: "week" });
    const month = analyzeDataset(db, daily, { horizon: "month" });
    const doubled = analyzeDataset(db, daily, { horizon: "week", budget: 2 * week.campaigns[0]!.forecast.budget });
    const w = week.campaigns[0]!.forecast;
    expect(month.campaigns[0]!.forecast.conversions.mean / w.conversions.mean).toBeCloseTo(30 / 7, 6); // linear in days
    expect(doubled.campaigns[0]!.forecast.conversions.mean / w.conversions.mean).toBeCloseTo(2, 6); // linear in budget
  });

  it("derives the day and week forecasts from one estimation exactly as estimating at those horizons does", () => {
    // pZeroDay and pLosingWeek come from forecasts derived from the horizon's estimate; the day and week horizons'
    // own estimates give the same figures as pZeroConversions and pLoss (closed form, and the same lattice).
    const day = analyzeDataset(db, daily, { horizon: "day" });
    const week = analyzeDataset(db, daily, { horizon: "week" });
    const month = analyzeDataset(db, daily, { horizon: "month" });
    week.campaigns.forEach((c, i) => {
      expect(c.forecast.pZeroDay).toBeCloseTo(day.campaigns[i]!.forecast.pZeroConversions, 12);
      expect(month.campaigns[i]!.forecast.pZeroDay).toBeCloseTo(day.campaigns[i]!.forecast.pZeroConversions, 12);
      expect(month.campaigns[i]!.forecast.pLosingWeek).toBeCloseTo(c.forecast.pLoss!, 12);
    });
  });

  it("the rare campaign has a real chance of a zero-sale week; the big one has none", () => {
    const a = analyzeDataset(db, daily, { horizon: "week" });
    const rare = a.campaigns.find((c) => c.campaign === "Video Prospecting")!;
    const big = a.campaigns.find((c) => c.campaign === "Shopping - All Products")!;
    expect(rare.forecast.pZeroConversions).toBeGreaterThan(0.1);
    expect(rare.forecast.pZeroDay).toBeGreaterThan(0.7);
    expect(big.forecast.pZeroConversions).toBeLessThan(1e-12);
  });

  it("estimates a positive correlation of daily surprises and a pooling summary that follows the closed form", () => {
    const a = analyzeDataset(db, daily, { horizon: "week" });
    expect(a.rho.pairs).toBe(15);
    expect(a.rho.estimate).toBeGreaterThan(0);
    expect(a.rho.lo).toBeLessThanOrEqual(a.rho.estimate);
    expect(a.rho.hi).toBeGreaterThanOrEqual(a.rho.estimate);
    const p = a.pooling;
    const closed = (k: number) => p.cv1! * Math.sqrt(p.rho + (1 - p.rho) / k);
    expect(p.cv20).toBeCloseTo(closed(20), 12);
    expect(p.cv1000).toBeCloseTo(closed(1000), 12);
    expect(p.floorCv).toBeCloseTo(p.cv1! * Math.sqrt(p.rho), 12);
  });

  it("refuses an order list and unknown ids with user-facing errors", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isAppError(e) ? e.code : "other";
      }
      return "none";
    };
    expect(code(() => analyzeDataset(db, orders, { horizon: "week" }))).toBe("invalid_query");
    expect(code(() => analyzeDataset(db, 9999, { horizon: "week" }))).toBe("not_found");
    expect(code(() => campaignDetail(db, daily, "No such campaign", { horizon: "week" }))).toBe("not_found");
  });
});

describe("campaignDetail", () => {
  it("gives the daily series with the model's band, distributions that sum to 1, and sentences", () => {
    const d = campaignDetail(db, daily, "Brand Search", { horizon: "week" });
    expect(d.daily).toHaveLength(180);
    for (const p of d.daily) {
      expect(p.lo90).toBeLessThanOrEqual(p.expected + 1e-9);
      expect(p.hi90).toBeGreaterThanOrEqual(p.expected - 1e-9);
      const outside = p.conversions < p.lo90 ? "below" : p.conversions > p.hi90 ? "above" : null;
      expect(p.outside).toBe(outside);
    }
    const mass = (xs: { p: number }[]) => xs.reduce((s, x) => s + x.p, 0);
    // The histograms span the 0.1%-99.9% quantiles, so they hold at least 99.8% of the mass.
    expect(mass(d.conversionsDist)).toBeGreaterThan(0.998);
    expect(mass(d.revenueDist)).toBeGreaterThan(0.998);
    expect(d.sentences.length).toBeGreaterThanOrEqual(4);
    expect(d.sentences.join(" ")).not.toMatch(/NaN|undefined|Infinity/);
    expect(d.coin.references.map((r) => r.symbol)).toEqual(["BTC", "USDC"]);
  });
});

describe("outcomeDistribution", () => {
  it("is a point mass at 0 when no sale can be expected", () => {
    const d = outcomeDistribution({ kind: "poisson", lambda: 0 }, { kind: "constant", value: 50 });
    expect(d.pZero).toBe(1);
    expect(d.mean).toBe(0);
  });

  it("matches a compound Poisson with constant orders exactly: P(S = 3v) = e^-λ λ^3 / 3!", () => {
    const d = outcomeDistribution({ kind: "poisson", lambda: 2 }, { kind: "constant", value: 10 });
    expect(d.cdf(30) - d.cdf(29.999)).toBeCloseTo((Math.exp(-2) * 8) / 6, 12); // closed form, 1e-12
  });

  it("rounds empirical order values onto the lattice without moving the mean by more than half a step", () => {
    const input = campaignInputs(db, daily).find((c) => c.campaign === "Shopping - All Products")!;
    const values = input.orderValues!;
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const points = values.map((v) => [v, 1 / values.length] as [number, number]);
    const d = outcomeDistribution({ kind: "poisson", lambda: 100 }, { kind: "empirical", points });
    expect(Math.abs(d.mean - 100 * mean)).toBeLessThan(100 * 0.5 * d.step + 1e-6);
  });
});

describe("one calibration figure on every page", () => {
  it("the daily chart's days outside the 90% band are the calibration's misses, for every sample campaign", () => {
    const a = analyzeDataset(db, daily, { horizon: "week" });
    for (const c of a.campaigns) {
      const d = campaignDetail(db, daily, c.campaign, { horizon: "week" });
      const scored = d.daily.filter((p) => p.scored);
      const outside = scored.filter((p) => p.outside !== null).length;
      expect(scored.length, c.campaign).toBe(c.calibration.days);
      // coverage90 is the share of scored days inside the drawn band: exact counts, so 1e-12 is round-off only
      expect(Math.abs(1 - outside / scored.length - (c.calibration.coverage90 ?? NaN)), c.campaign).toBeLessThan(1e-12);
      // warm-up days are drawn but never marked outside
      expect(d.daily.filter((p) => !p.scored && !p.provisional && p.outside !== null)).toHaveLength(0);
    }
  });
});
