import { describe, expect, it } from "vitest";
import { estimateCampaign, rowLag, scaleProvisional, type DayRow } from "@/lib/engine/estimate";
import { completeness, DEFAULT_LAG, lagCurveFromSetting, lagRate } from "@/lib/engine/lag";
import { createRng } from "@/lib/engine/rng";

const day = (d: number) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10);
const row = (d: number, clicks: number, conversions: number): DayRow => ({ date: day(d), impressions: null, clicks, conversions, spend: clicks, revenue: null });
const curve = lagCurveFromSetting(DEFAULT_LAG);
const fractions = curve.points.slice(0, curve.horizon).map((p) => p.fraction);
const k = lagRate(DEFAULT_LAG);

describe("rows under a lag curve", () => {
  it("ages each row from the as-of date and gives F(age) below the horizon, 1 from it on", () => {
    const rows = Array.from({ length: 20 }, (_, d) => row(d, 100, 2));
    const lag = rowLag(rows, { asOf: day(19), fractions });
    expect(Array.from(lag.ages.slice(-3))).toEqual([2, 1, 0]);
    expect(lag.fractions[19]).toBeCloseTo(completeness(0, k), 14);
    expect(lag.fractions[5]).toBe(1); // age 14: the horizon
    expect(lag.fractions[6]).toBeCloseTo(completeness(13, k), 14);
    expect(lag.provisional).toBe(14);
    // a day after the as-of date is as young as the as-of day itself
    expect(rowLag([row(25, 1, 0)], { asOf: day(19), fractions }).fractions[0]).toBe(fractions[0]);
  });

  it("ages rows in whole UTC days exactly as Date.UTC counts them, every day from 1899 to 2101 and a few rolled-over dates", () => {
    const asOf = "2101-03-01";
    const start = Date.UTC(1899, 0, 1);
    const dates: string[] = [];
    for (let t = start; t <= Date.UTC(2101, 2, 1); t += 86_400_000) dates.push(new Date(t).toISOString().slice(0, 10));
    // a year Date.UTC reads as 19xx, and out-of-range months and days it rolls over
    dates.push("0050-06-15", "2024-13-01", "2023-02-30", "2024-00-10");
    const rows = dates.map((date) => ({ date, impressions: null, clicks: 10, conversions: 0, spend: 1, revenue: null }));
    const lag = rowLag(rows, { asOf, fractions: [0.5] });
    const utc = (d: string): number => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 86_400_000;
    const expected = dates.map((d) => Math.max(0, utc(asOf) - utc(d)));
    expect(dates.length).toBeGreaterThan(73_000);
    expect(Array.from(lag.ages)).toEqual(expected);
  });

  it("teaches the rate F x the clicks of a provisional day, capping arrivals at F n only for the binomial base", () => {
    const out = scaleProvisional([row(0, 400, 3), row(1, 400, 90)], [1, 0.2]);
    expect(out[0]).toEqual(row(0, 400, 3));
    expect(out[1]!.clicks).toBeCloseTo(80, 12);
    expect(out[1]!.conversions).toBeCloseTo(80, 12);
    const viewThrough = scaleProvisional([row(0, 10, 12), row(1, 400, 90)], [1, 0.2]);
    expect(viewThrough[1]!.conversions).toBe(90);
  });
});

describe("provisional days in the estimate (seeded simulation)", () => {
  /*
   * 300 campaigns of 60 days, 400 clicks a day at a fixed 2.5% rate, the last 14 days thinned by F(age): under this
   * null a provisional day falls outside its thinned 90% band on at most ~10% of days (the band holds at least 90% of
   * its mass), and the week's verdict is "worse" on about 5% of campaigns or fewer. Read without the curve, most
   * recent weeks are "worse". Bounds: 4200 provisional days, so an outside share of 0.10 has sd 0.005; 300 verdicts,
   * a 5% rate has sd 0.013, and 0.10 is 3.9 sd above it.
   */
  const rng = createRng(99);
  const runs = Array.from({ length: 300 }, () =>
    Array.from({ length: 60 }, (_, d) => {
      const final = rng.binomial(400, 0.025);
      return row(d, 400, rng.binomial(final, completeness(59 - d, k)));
    }),
  );

  it("judges provisional days against the thinned law: few outside, and no drop called", () => {
    let outside = 0;
    let provisional = 0;
    let worse = 0;
    let worseWithout = 0;
    for (const rows of runs) {
      const e = estimateCampaign({ campaign: "A", days: rows }, { lag: { asOf: day(59), fractions } });
      for (const b of e.band) {
        if (!b.lag?.provisional) continue;
        provisional++;
        if (b.position !== "inside") outside++;
      }
      if (e.verdict.verdict === "worse") worse++;
      if (estimateCampaign({ campaign: "A", days: rows }).verdict.verdict === "worse") worseWithout++;
    }
    expect(provisional).toBe(300 * 14);
    expect(outside / provisional).toBeLessThan(0.1);
    expect(worse / runs.length).toBeLessThan(0.1);
    expect(worseWithout / runs.length).toBeGreaterThan(0.5);
  });

  it("keeps the calibration on complete days: provisional days are not scored", () => {
    const e = estimateCampaign({ campaign: "A", days: runs[0]! }, { lag: { asOf: day(59), fractions } });
    expect(e.calibration!.days).toBe(60 - 14 - 14); // 14 warm-up days, 14 provisional
    expect(e.calibration!.skippedZeroClickDays).toBe(0);
    expect(e.band.filter((b) => b.scored)).toHaveLength(e.calibration!.days);
    expect(e.provisionalDays).toBe(14);
  });
});
