import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { bumpDataRevision } from "@/db/queries";
import { datasets, observations, type NewObservation } from "@/db/schema";
import { abQuerySchema, compareArms, compareChange, compareQuerySchema } from "@/lib/analysis/compare";
import { compareRates } from "@/lib/engine/lift";
import { createRng } from "@/lib/engine/rng";
import { analysisQuerySchema } from "@/lib/analysis/schemas";
import { isAppError } from "@/lib/errors";

/*
 * compare and ab on a dataset written straight into a fresh in-memory database with the real migrations: a campaign
 * whose conversion rate rises 30% on day 60 (2025-03-02), one that never changes, and an undated ad.
 */
let db: Db;
let id: number;
const day = (d: number) => new Date(Date.UTC(2025, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
const CHANGE = day(60);

beforeAll(() => {
  db = openDatabase(":memory:");
  const rng = createRng(13);
  const row = db
    .insert(datasets)
    .values({ name: "change", fileName: "change.csv", sourceFormat: "generic", sha256: "compare-test", sizeBytes: 0, currency: "USD", mappingJson: "{}", summaryJson: JSON.stringify({ kind: "observations" }) })
    .returning({ id: datasets.id })
    .get();
  id = row.id;
  const rows: NewObservation[] = [];
  let line = 2;
  for (let d = 0; d < 120; d++) {
    for (const [campaign, rate] of [["Changed", d < 60 ? 0.03 : 0.039], ["Steady", 0.03]] as const) {
      const clicks = rng.poisson(300);
      const conversions = rng.binomial(clicks, rate);
      let revenue = 0;
      for (let k = 0; k < conversions; k++) revenue += rng.lognormal(Math.log(40), 0.6);
      // two segments of each day: the service sums them
      const half = Math.floor(clicks / 2);
      const convHalf = Math.min(half, Math.floor(conversions / 2));
      for (const [seg, c, y, r] of [["m", half, convHalf, revenue / 2], ["d", clicks - half, conversions - convHalf, revenue / 2]] as const) {
        rows.push({ datasetId: id, campaign, segment: seg, periodStart: day(d), periodEnd: day(d), impressions: null, clicks: c, conversions: y, spend: c * 0.4, revenue: Math.round(r * 100) / 100, line: line++ });
      }
    }
  }
  // a rate that jumps between 5% and 40% every three days: the drift leaves the rate 60 days on unknown
  for (let d = 0; d < 120; d++) {
    const clicks = rng.poisson(2000);
    const conversions = rng.binomial(clicks, Math.floor(d / 3) % 2 === 0 ? 0.05 : 0.4);
    rows.push({ datasetId: id, campaign: "Jumpy", periodStart: day(d), periodEnd: day(d), impressions: null, clicks, conversions, spend: clicks * 0.4, revenue: null, line: line++ });
  }
  rows.push({ datasetId: id, campaign: "Ad 1", periodStart: null, periodEnd: null, impressions: 1000, clicks: 50, conversions: 1, spend: 20, revenue: 30, line });
  for (let i = 0; i < rows.length; i += 500) db.insert(observations).values(rows.slice(i, i + 500)).run();
  bumpDataRevision(db.$client);
});
afterAll(() => db.$client.close());

function refused(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isAppError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("compareChange", () => {
  it("splits the campaign at the change date and answers with the engine's figures", () => {
    const r = compareChange(db, id, { campaign: "Changed", changeDate: CHANGE });
    expect(r.before.days).toBe(60);
    expect(r.after.days).toBe(60);
    expect(r.before.to).toBe(day(59));
    expect(r.after.from).toBe(CHANGE);
    const direct = compareRates(r.before, r.after);
    expect(r.fixedRate).toEqual({ lift: direct.lift, pPositive: direct.pGreater });
    // with no drift chosen the headline is the fixed-rate comparison; with drift, a wider one around it
    if (r.liftModel === "fixed") expect(r.pPositive).toBeCloseTo(direct.pGreater!, 12);
    else expect(r.lift!.hi90 - r.lift!.lo90).toBeGreaterThan(direct.lift!.hi90 - direct.lift!.lo90);
    // a 30% lift on 18,000 clicks a side is seen
    expect(r.pPositive!).toBeGreaterThan(0.99);
    expect(r.lift!.lo90).toBeGreaterThan(0);
    expect(r.expectedAfter!.model).toBe("drift");
    expect(r.expectedAfter!.observed).toBe(r.after.conversions);
    expect(r.expectedAfter!.lo90).toBeLessThanOrEqual(r.expectedAfter!.mean);
    expect(r.daysToDetect.afterDays).toBe(60);
    expect(r.daysToDetect.lift20).not.toBeNull();
    expect(r.revenue).not.toBeNull();
    expect(r.revenue!.pPositive).toBeGreaterThan(0.9);
  });

  it("says when the drift before the change leaves the lift unknown (saturated), and not otherwise", () => {
    const jumpy = compareChange(db, id, { campaign: "Jumpy", changeDate: CHANGE });
    expect(jumpy.liftModel).toBe("drift");
    expect(jumpy.liftSaturated).toBe(true);
    expect(jumpy.notes.join(" ")).toMatch(/anyone's guess/);
    expect(compareChange(db, id, { campaign: "Changed", changeDate: CHANGE }).liftSaturated).toBe(false);
  });

  it("gives the same revenue answer on every call (seeded)", () => {
    const q = { campaign: "Steady", changeDate: CHANGE };
    expect(compareChange(db, id, q).revenue).toEqual(compareChange(db, id, q).revenue);
  });

  it("refuses a date with no days on one side, an undated campaign and an unknown one", () => {
    expect(refused(() => compareChange(db, id, { campaign: "Changed", changeDate: day(0) })).code).toBe("invalid_query");
    expect(refused(() => compareChange(db, id, { campaign: "Changed", changeDate: day(200) })).message).toContain("end on");
    expect(refused(() => compareChange(db, id, { campaign: "Ad 1", changeDate: CHANGE })).message).toContain("no dates");
    expect(refused(() => compareChange(db, id, { campaign: "Nope", changeDate: CHANGE })).code).toBe("not_found");
  });

  it("validates its query: an ISO calendar date and a campaign name", () => {
    expect(compareQuerySchema.safeParse({ campaign: "A", changeDate: "2025-02-30" }).success).toBe(false);
    expect(compareQuerySchema.safeParse({ campaign: "A", changeDate: "3/2/2025" }).success).toBe(false);
    expect(compareQuerySchema.safeParse({ campaign: " ", changeDate: "2025-03-02" }).success).toBe(false);
    expect(compareQuerySchema.safeParse({ campaign: "A", changeDate: "2025-03-02" }).success).toBe(true);
    // A string the pattern refuses is refused with a message, not a RangeError from Date (asOf shares the rule).
    const bad = analysisQuerySchema.safeParse({ asOf: "3/2/2025" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe("asOf must be an ISO date YYYY-MM-DD");
  });
});

describe("compareArms", () => {
  it("compares two campaigns over the days both ran", () => {
    const r = compareArms(db, id, { a: "Steady", b: "Changed" });
    expect(r.period).toEqual({ from: day(0), to: day(119), days: 120 });
    const direct = compareRates(r.a, r.b);
    expect(r.pBBeatsA).toBe(direct.pGreater);
    expect(r.expectedLoss).toEqual({ a: direct.expectedLoss!.x, b: direct.expectedLoss!.y });
    expect(r.lift!.median).toBeGreaterThan(0);
    expect(r.revenue).not.toBeNull();
  });

  it("compares a dated campaign with an undated ad on all rows, and says so", () => {
    const r = compareArms(db, id, { a: "Ad 1", b: "Steady" });
    expect(r.period).toBeNull();
    expect(r.a.clicks).toBe(50);
  });

  it("compares two segments of one campaign, which add up to the campaign", () => {
    const r = compareArms(db, id, { campaign: "Steady", a: "m", b: "d" });
    expect([r.a.segment, r.b.segment, r.a.campaign]).toEqual(["m", "d", "Steady"]);
    expect(r.period?.days).toBe(120);
    const whole = compareChange(db, id, { campaign: "Steady", changeDate: CHANGE });
    expect(r.a.clicks + r.b.clicks).toBe(whole.before.clicks + whole.after.clicks);
    expect(r.a.conversions + r.b.conversions).toBe(whole.before.conversions + whole.after.conversions);
    expect(r.pBBeatsA).toBe(compareRates(r.a, r.b).pGreater);
  });

  it("names the campaign's segments when one asked for is not there", () => {
    const e = refused(() => compareArms(db, id, { campaign: "Steady", a: "m", b: "tablet" }));
    expect(e.code).toBe("not_found");
    expect(e.message).toContain("segments: d, m");
    expect(refused(() => compareArms(db, id, { campaign: "Nope", a: "m", b: "d" })).code).toBe("not_found");
  });

  it("refuses the same campaign twice", () => {
    expect(abQuerySchema.safeParse({ a: "X", b: "X" }).success).toBe(false);
  });
});
