import { describe, expect, it } from "vitest";
import { completeness, learnLag, learnLagFromPairs, type LagPair } from "@/lib/engine/lag";
import { simulateExports, type SimCampaign } from "@/tests/support/lag-exports";

/*
 * The curve learned from simulated successive exports (tests/support/lag-exports.ts: each conversion's delay drawn
 * once, each weekly export showing those arrived by the end of its last day), paired here independently of
 * lib/analysis/lag-learn.ts: each (campaign, day)'s readings sorted by age, successive ones paired.
 */
const K = Math.log(5) / 5; // 80% within 5 days

function pairsOf(campaigns: SimCampaign[], seed: number, weeks: number): LagPair[] {
  const exports = simulateExports({ seed, campaigns, baseDays: 35, weeks, window: 28 });
  const readings = new Map<string, [number, number][]>();
  for (const e of exports) {
    for (const r of e.rows) {
      const key = `${r.campaign}|${r.day}`;
      const list = readings.get(key) ?? [];
      list.push([e.end - r.day, r.conversions]);
      readings.set(key, list);
    }
  }
  const out: LagPair[] = [];
  for (const list of readings.values()) {
    list.sort((x, y) => x[0] - y[0]);
    for (let i = 0; i + 1 < list.length; i++) out.push({ a: list[i]![0], b: list[i + 1]![0], ya: list[i]![1], yb: list[i + 1]![1] });
  }
  return out;
}

const account = (n: number, lambda: number): SimCampaign[] => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, lambda, k: K }));

describe("learning the curve from 52 simulated weekly exports", () => {
  // One seed's band misses the truth 1 time in 10 by design (seed 7's does, just above it); the coverage over 200
  // seeds is the test below.
  it("holds the true curve within its 90% band at every age (100 campaigns, seed 1)", () => {
    const fit = learnLagFromPairs(pairsOf(account(100, 1), 1, 52))!;
    expect(fit.atBound).toBe(false);
    expect(fit.curve.kLo90).toBeLessThanOrEqual(K);
    expect(fit.curve.kHi90).toBeGreaterThanOrEqual(K);
    for (const p of fit.curve.points) {
      expect(p.lo90).toBeLessThanOrEqual(completeness(p.age, K));
      expect(p.hi90).toBeGreaterThanOrEqual(completeness(p.age, K));
    }
  });

  it("gives the same fit from pairs summed by ages as learnLag from the readings themselves (1e-9 relative)", () => {
    const pairs = pairsOf(account(3, 2), 8, 10);
    // the same readings as learnLag's observations: one made-up day per (campaign, day) key
    const obs: { day: string; age: number; count: number }[] = [];
    const exports = simulateExports({ seed: 8, campaigns: account(3, 2), baseDays: 35, weeks: 10, window: 28 });
    for (const e of exports) {
      for (const r of e.rows) {
        const day = new Date(Date.UTC(2000, 0, 1) + (Number(r.campaign.slice(1)) * 10_000 + r.day) * 86_400_000).toISOString().slice(0, 10);
        obs.push({ day, age: e.end - r.day, count: r.conversions });
      }
    }
    const a = learnLagFromPairs(pairs)!;
    const b = learnLag(obs)!;
    expect(Math.abs(a.curve.k / b.curve.k - 1)).toBeLessThan(1e-9);
    expect(Math.abs(a.curve.kLo90 / b.curve.kLo90 - 1)).toBeLessThan(1e-9);
    expect(a.informativePairs).toBe(b.informativePairs);
  });

  it("covers the true k in about 90% of 200 seeds (10 campaigns each; between 0.85 and 0.95: 2.4 binomial sd of 0.021)", () => {
    let covered = 0;
    const N = 200;
    for (let s = 0; s < N; s++) {
      const fit = learnLagFromPairs(pairsOf(account(10, 0.5), 1000 + s, 52))!;
      if (fit.curve.kLo90 <= K && K <= fit.curve.kHi90) covered++;
    }
    expect(covered / N).toBeGreaterThanOrEqual(0.85);
    expect(covered / N).toBeLessThanOrEqual(0.95);
  }, 60_000);

  it("finds the same estimate and interval when told where to look (a campaign near its dataset's k; 1e-6 relative: the log-likelihood is flat to rounding that close to its top)", () => {
    const pairs = pairsOf(account(2, 2), 9, 20);
    const free = learnLagFromPairs(pairs)!;
    for (const near of [K, K * 3, K / 5]) {
      const warm = learnLagFromPairs(pairs, 7, near)!;
      expect(Math.abs(warm.curve.k / free.curve.k - 1)).toBeLessThan(1e-6);
      expect(Math.abs(warm.curve.kLo90 / free.curve.kLo90 - 1)).toBeLessThan(1e-8);
      expect(Math.abs(warm.curve.kHi90 / free.curve.kHi90 - 1)).toBeLessThan(1e-8);
    }
    // far off (the best grid point at the end of the short search): the whole range is searched
    expect(Math.abs(learnLagFromPairs(pairs, 7, 50)!.curve.k / free.curve.k - 1)).toBeLessThan(1e-6);
  });

  it("refuses pairs that are not successive readings", () => {
    expect(() => learnLagFromPairs([{ a: 3, b: 3, ya: 1, yb: 2 }])).toThrow(/older than a/);
    expect(() => learnLagFromPairs([{ a: 0, b: 3, ya: 3, yb: 2 }])).toThrow(/not exceed yb/);
    expect(learnLagFromPairs([{ a: 0, b: 3, ya: 0, yb: 0 }])).toBeNull();
  });
});
