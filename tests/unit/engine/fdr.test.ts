import { describe, expect, it } from "vitest";
import { campaignVerdict } from "@/lib/engine/estimate/verdict";
import type { DayRow } from "@/lib/engine/estimate/types";
import { benjaminiHochberg } from "@/lib/engine/lift/fdr";
import { createRng, type Rng } from "@/lib/engine/rng";

describe("benjaminiHochberg", () => {
  it("rejects the k smallest p-values for the largest k with p_(k) <= k q / m (worked by hand)", () => {
    // sorted: 0.005 <= 1/60, 0.01 <= 2/60, 0.03 <= 3/60, 0.04 <= 4/60, 0.2 > 5/60, 0.5 > 6/60: k = 4
    const r = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.5, 0.2], 0.1);
    expect(r.rejected).toEqual([true, true, true, true, false, false]);
    expect(r.threshold).toBe(0.04);
  });
  it("steps up: a p-value above its own bound is rejected when a larger one passes", () => {
    // 0.06 > 2 x 0.1 / 3 = 0.0667? no: 0.06 passes; 0.09 <= 0.1 at rank 3 rejects all three
    expect(benjaminiHochberg([0.09, 0.06, 0.05], 0.1).rejected).toEqual([true, true, true]);
    expect(benjaminiHochberg([0.2, 0.15, 0.11], 0.1).discoveries).toBe(0);
  });
  it("leaves null p-values out of m and never rejects them", () => {
    const r = benjaminiHochberg([null, 0.04, null], 0.05);
    expect(r.tested).toBe(1);
    expect(r.rejected).toEqual([false, true, false]);
    expect(benjaminiHochberg([], 0.1).discoveries).toBe(0);
  });
});

/** 60 days of a campaign with clicks ~ Poisson(200) and a rate that drops by `drop` over the last 7 days. */
function campaignRows(rng: Rng, rate: number, drop: number): DayRow[] {
  const rows: DayRow[] = [];
  for (let d = 0; d < 60; d++) {
    const clicks = rng.poisson(200);
    const p = d >= 53 ? rate * (1 - drop) : rate;
    rows.push({ date: new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10), impressions: null, clicks, conversions: rng.binomial(clicks, p), spend: clicks * 0.5, revenue: null });
  }
  return rows;
}
const pValue = (rows: DayRow[]) => {
  const v = campaignVerdict(rows);
  return v.tailProbability === null ? null : Math.min(1, 2 * v.tailProbability);
};

describe("the false discovery rate over seeded accounts", () => {
  it("with no change anywhere, flags come at most at chance's rate and BH at 10% rejects anything in at most ~10% of accounts (4 SE)", () => {
    const rng = createRng(4040);
    const accounts = 120;
    const size = 25;
    let anyRejected = 0;
    let flags = 0;
    let judged = 0;
    for (let a = 0; a < accounts; a++) {
      const p = Array.from({ length: size }, () => pValue(campaignRows(rng, 0.01 + 0.04 * rng.uniform(), 0)));
      for (const x of p) if (x !== null) {
        judged++;
        if (x < 0.1) flags++;
      }
      if (benjaminiHochberg(p, 0.1).discoveries > 0) anyRejected++;
    }
    // under the global null every discovery is false: FDR = P(any discovery) <= 0.1
    expect(anyRejected / accounts).toBeLessThan(0.1 + 4 * Math.sqrt((0.1 * 0.9) / accounts));
    // a flag (a 5% tail either way) on at most ~10% of campaigns
    expect(flags / judged).toBeLessThan(0.1 + 4 * Math.sqrt((0.1 * 0.9) / judged));
  });

  it("with 5 of 25 campaigns halved over their last week, the false share of discoveries averages under 10% and most real drops are found (4 SE)", () => {
    const rng = createRng(4141);
    const accounts = 80;
    let fdpSum = 0;
    let found = 0;
    for (let a = 0; a < accounts; a++) {
      const real = (i: number) => i < 5;
      const p = Array.from({ length: 25 }, (_, i) => pValue(campaignRows(rng, 0.03, real(i) ? 0.5 : 0)));
      const bh = benjaminiHochberg(p, 0.1);
      let falseOnes = 0;
      bh.rejected.forEach((r, i) => {
        if (r && !real(i)) falseOnes++;
        if (r && real(i)) found++;
      });
      fdpSum += bh.discoveries > 0 ? falseOnes / bh.discoveries : 0;
    }
    // FDP is in [0, 1]: its sd is at most 1/2, so 4 SE <= 2 / sqrt(accounts)
    expect(fdpSum / accounts).toBeLessThan(0.1 + 2 / Math.sqrt(accounts));
    expect(found / (5 * accounts)).toBeGreaterThan(0.5);
  });
});
