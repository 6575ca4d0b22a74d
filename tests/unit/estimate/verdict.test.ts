import { describe, expect, it } from "vitest";
import { campaignVerdict, driftFilter, seededRandom } from "@/lib/engine/estimate";
import type { DayRow } from "@/lib/engine/estimate";
import { verdictMessage } from "@/lib/analysis/messages";
import { binomial, normal, simulateDays } from "./simulate";

function history(seed: number): DayRow[] {
  const random = seededRandom(seed);
  return simulateDays(random, 60, 300, 300, (n) => binomial(random, n, 0.03));
}

describe("campaignVerdict", () => {
  it("calls a last week at the history's rate 'within' noise, with the band and tail probability", () => {
    // Last 7 days at exactly 3% (9 of 300 clicks a day); the earlier 53 simulated at 3%.
    const rows = history(41).map((r, i) => (i >= 53 ? { ...r, conversions: 9 } : r));
    const v = campaignVerdict(rows);
    expect(v.verdict).toBe("within");
    expect(v.reference).toBe("earlier-history");
    expect(v.window.units).toBe(7);
    expect(v.lo90 !== null && v.hi90 !== null && v.lo90 <= v.window.conversions && v.window.conversions <= v.hi90).toBe(true);
    expect(v.tailProbability).toBeGreaterThan(0.05);
    expect(verdictMessage(v)).toMatch(/within noise/);
  });

  it("calls a week with a third of the conversions 'worse', and a doubled week 'better'", () => {
    const rows = history(42);
    const worse = rows.map((r, i) => (i >= 53 ? { ...r, conversions: Math.round(r.clicks * 0.01) } : r));
    const vw = campaignVerdict(worse);
    expect(vw.verdict).toBe("worse");
    expect(vw.pLower).toBeLessThan(0.05);
    const better = rows.map((r, i) => (i >= 53 ? { ...r, conversions: Math.round(r.clicks * 0.06) } : r));
    const vb = campaignVerdict(better);
    expect(vb.verdict).toBe("better");
    expect(vb.pUpper).toBeLessThan(0.05);
  });

  it("is 'insufficient' without 7 earlier days, unless a dataset prior is given", () => {
    const rows = history(43).slice(0, 10);
    expect(campaignVerdict(rows).verdict).toBe("insufficient");
    const v = campaignVerdict(rows, { datasetPrior: { a: 30, b: 970 } });
    expect(v.reference).toBe("dataset-prior");
    expect(v.window.units).toBe(10);
    expect(v.verdict).not.toBe("insufficient");
  });

  it("judges ad-level rows against the dataset prior", () => {
    const ads: DayRow[] = [
      { date: null, impressions: 1e4, clicks: 500, conversions: 0, spend: 100, revenue: null },
      { date: null, impressions: 1e4, clicks: 500, conversions: 1, spend: 100, revenue: null },
    ];
    const v = campaignVerdict(ads, { window: "all", datasetPrior: { a: 30, b: 970 } });
    // Expected ~30 conversions for 1000 clicks at 3%: 1 is far fewer.
    expect(v.verdict).toBe("worse");
    expect(campaignVerdict(ads).verdict).toBe("insufficient");
  });
});

describe("campaignVerdict with a drifting rate", () => {
  it("withholds the verdict and p-values when the campaign's own 90% band failed, and says so", () => {
    const rows = history(44);
    const v = campaignVerdict(rows, { calibration: { fit: "poor", days: 80, coverage90: 0.62, pitCoverage90: 0.6 } });
    expect(v.fit).toBe("poor");
    expect(v.verdict).toBe("insufficient");
    expect([v.pLower, v.pUpper, v.tailProbability]).toEqual([null, null, null]);
    expect(v.expected).not.toBeNull();
    expect(verdictMessage(v)).toMatch(/does not fit this campaign/);
    expect(verdictMessage(v)).toMatch(/62% of 80 days/);
  });

  it("judges a drifting campaign's last week against a band widened by the drift", () => {
    const random = seededRandom(45);
    let x = Math.log(0.03 / 0.97);
    const rows = simulateDays(random, 120, 300, 300, (n) => {
      x += 0.1 * normal(random);
      return binomial(random, n, 1 / (1 + Math.exp(-x)));
    });
    const v = campaignVerdict(rows);
    expect(v.drift?.delta).toBeLessThan(1);
    const still = campaignVerdict(rows, { state: driftFilter(rows.slice(0, 113), { discounts: [1], shocks: [0] }).state });
    expect(still.drift).toEqual({ delta: 1, s2: 0 });
    expect((v.hi90 ?? 0) - (v.lo90 ?? 0)).toBeGreaterThan((still.hi90 ?? 0) - (still.lo90 ?? 0));
  });
});
