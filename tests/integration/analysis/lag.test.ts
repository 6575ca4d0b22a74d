import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { bumpDataRevision } from "@/db/queries";
import { datasets, observations, type NewObservation } from "@/db/schema";
import { campaignDetail } from "@/lib/analysis/campaign";
import { analyzeDataset } from "@/lib/analysis/dataset";
import { analysisQuerySchema } from "@/lib/analysis/schemas";
import { completeness, DEFAULT_LAG, lagRate } from "@/lib/engine/lag";
import { createRng } from "@/lib/engine/rng";

/*
 * A campaign whose recent days are incomplete the way a platform export is: 120 days of 500 clicks at a 3% rate
 * (15 sales a day), the sales of a day of age a (from the newest date) kept with probability F(a) of the default
 * curve (90% within 7 days). Read as final, its last week is a drop; read with the lag curve, it is noise.
 */
const DAYS = 120;
const start = Date.UTC(2025, 0, 1);
const day = (d: number) => new Date(start + d * 86_400_000).toISOString().slice(0, 10);
const NEWEST = day(DAYS - 1);
const k = lagRate(DEFAULT_LAG);

let db: Db;
let id: number;
const finals: number[] = [];

beforeAll(() => {
  db = openDatabase(":memory:");
  const rng = createRng(4242);
  const ds = db
    .insert(datasets)
    .values({
      name: "lagged",
      fileName: "lagged.csv",
      sourceFormat: "generic",
      sha256: "generated-lagged",
      sizeBytes: 0,
      currency: "USD",
      periodStart: day(0),
      periodEnd: NEWEST,
      mappingJson: "{}",
      summaryJson: JSON.stringify({ kind: "observations" }),
    })
    .returning({ id: datasets.id })
    .get();
  id = ds.id;
  const rows: NewObservation[] = [];
  for (let d = 0; d < DAYS; d++) {
    const final = rng.binomial(500, 0.03);
    finals.push(final);
    const arrived = rng.binomial(final, completeness(DAYS - 1 - d, k));
    rows.push({
      datasetId: id,
      campaign: "Search",
      periodStart: day(d),
      periodEnd: day(d),
      impressions: 10_000,
      clicks: 500,
      conversions: arrived,
      spend: 250,
      revenue: arrived * 40,
      line: d + 2,
    });
  }
  db.insert(observations).values(rows).run();
  bumpDataRevision(db.$client);
});
afterAll(() => db.$client.close());

const lastWeekBelow = (lag?: string) =>
  campaignDetail(db, id, "Search", { horizon: "week", asOf: NEWEST, ...(lag ? { lag } : {}) })
    .daily.slice(-7)
    .filter((p) => p.outside === "below").length;

describe("conversion lag in the campaign analysis", () => {
  it("calls the incomplete last week a drop when lag is off, and noise with the default curve", () => {
    const off = analyzeDataset(db, id, { horizon: "week", asOf: NEWEST, lag: "off" });
    const on = analyzeDataset(db, id, { horizon: "week", asOf: NEWEST });
    expect(off.campaigns[0]!.verdict.label).toBe("worse");
    expect(on.campaigns[0]!.verdict.label).toBe("within");
    // the window's expectation is thinned: about 15 x sum of F(0..6) ~ 66 sales, not 105
    expect(on.campaigns[0]!.verdict.expected).toBeLessThan(0.75 * off.campaigns[0]!.verdict.expected);
    expect(on.campaigns[0]!.verdict.text).toMatch(/7 of these days are still provisional/);
    expect(lastWeekBelow("off")).toBeGreaterThan(lastWeekBelow());
    expect(lastWeekBelow()).toBe(0);
  });

  it("marks the days younger than the horizon provisional, with F(age) and the final count's range", () => {
    const d = campaignDetail(db, id, "Search", { horizon: "week", asOf: NEWEST });
    expect(d.analysis.provisionalDays).toBe(14);
    const young = d.daily.slice(-14);
    let covered = 0;
    young.forEach((p, i) => {
      const age = 13 - i;
      expect(p.provisional).toBe(true);
      expect(p.completeness).toBeCloseTo(completeness(age, k), 14);
      expect(p.scored).toBe(false);
      expect(p.expectedFinal.mean).toBeGreaterThanOrEqual(p.conversions);
      expect(p.expectedFinal.lo90).toBeGreaterThanOrEqual(p.conversions);
      // the band is that of the arrived sales, F x the day's mean m; the sales still to come average about (1 - F) m
      // (exactly for a Poisson day; a binomial day's n - y of n clicks and 1 - pF move it by under 10% here)
      const m = p.expected / p.completeness;
      expect(Math.abs(p.expectedFinal.mean - p.conversions - (1 - p.completeness) * m)).toBeLessThan(0.1 * (1 - p.completeness) * m + 1e-9);
      const final = finals[DAYS - 14 + i]!;
      if (final >= p.expectedFinal.lo90 && final <= p.expectedFinal.hi90) covered++;
    });
    // the true final counts fall in their 90% ranges: 14 days, at least 11 (P(fewer) ~ 0.04 for a calibrated range)
    expect(covered).toBeGreaterThanOrEqual(11);
    for (const p of d.daily.slice(0, -14)) {
      expect(p.provisional).toBe(false);
      expect(p.completeness).toBe(1);
      expect(p.expectedFinal).toEqual({ mean: p.conversions, lo90: p.conversions, hi90: p.conversions });
    }
  });

  it("says where the curve comes from in the analysis answer", () => {
    const a = analyzeDataset(db, id, { horizon: "week", asOf: NEWEST, lag: "0.8@3" });
    expect(a.lag.source).toBe("setting");
    expect(a.lag.setting).toEqual({ q: 0.8, d: 3 });
    expect(a.lag.asOf).toBe(NEWEST);
    expect(a.lag.asOfSource).toBe("query");
    expect(a.lag.newestAge).toBe(0); // the newest day is the as-of day: it holds F(0)
    const kk = lagRate({ q: 0.8, d: 3 });
    expect(a.lag.completeness).toHaveLength(a.lag.horizon + 1);
    for (const c of a.lag.completeness) {
      expect(c.fraction).toBeCloseTo(completeness(c.age, kk), 14);
      expect(c.lo90).toBe(c.fraction);
    }
    expect(a.lag.completeness.at(-1)!.fraction).toBeGreaterThanOrEqual(0.99);
    expect(a.lag.completeness.at(-2)!.fraction).toBeLessThan(0.99);
    const off = analyzeDataset(db, id, { horizon: "week", lag: "off" });
    expect(off.lag).toMatchObject({ source: "none", horizon: 0, completeness: [] });
  });

  it("counts ages from the day before the upload when the export is older than that", () => {
    // the rows end in 2025 and were written today: every day has had time to mature
    const a = analyzeDataset(db, id, { horizon: "week" });
    expect(a.lag.asOfSource).toBe("upload");
    expect(a.lag.asOf! > NEWEST).toBe(true);
    expect(a.campaigns[0]!.provisionalDays).toBe(0);
    // the newest day's age, counted by hand from the two dates, is beyond the window, and the note says none is provisional
    const byHand = Math.round((Date.parse(`${a.lag.asOf}T00:00:00Z`) - Date.parse(`${NEWEST}T00:00:00Z`)) / 86_400_000);
    expect(a.lag.newestAge).toBe(byHand);
    expect(byHand).toBeGreaterThanOrEqual(a.lag.horizon);
    expect(a.lag.note).toContain(`(none here: the newest date, ${NEWEST}, is ${byHand.toLocaleString("en-US")} days old)`);
    const off = analyzeDataset(db, id, { horizon: "week", lag: "off" });
    expect(a.campaigns[0]!.verdict).toEqual(off.campaigns[0]!.verdict);
  });

  it("validates the lag setting and the as-of date at the boundary", () => {
    for (const ok of ["0.9@7", "off", ".5@1", "0.99@30"]) expect(analysisQuerySchema.safeParse({ lag: ok }).success, ok).toBe(true);
    for (const bad of ["1@7", "0@7", "0.9@0", "0.9@400", "90%", "0.9@7days", ""]) {
      const r = analysisQuerySchema.safeParse({ lag: bad });
      expect(r.success, bad).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/lag must be "q@d"/);
    }
    expect(analysisQuerySchema.safeParse({ asOf: "2026-02-30" }).success).toBe(false);
    expect(analysisQuerySchema.safeParse({ asOf: "2026-02-28" }).success).toBe(true);
  });
});
