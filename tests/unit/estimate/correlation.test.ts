import { describe, expect, it } from "vitest";
import { dailyResiduals, seededRandom, surpriseCorrelation } from "@/lib/engine/estimate";
import type { DayRow } from "@/lib/engine/estimate";
import { gamma, isoDay, poisson } from "./simulate";

/**
 * K campaigns over `days` days; each day a common Gamma(k, mean 1) shock G_t multiplies every campaign's rate:
 * y_it ~ Poisson(n_it p G_t). With mean mu a day, corr(y_i, y_j) = mu^2 v / (mu + mu^2 v), v = 1/k.
 */
function simulate(seed: number, K: number, days: number, shape: number | null): { campaign: string; days: DayRow[] }[] {
  const random = seededRandom(seed);
  const shocks = Array.from({ length: days }, () => (shape === null ? 1 : gamma(random, shape) / shape));
  return Array.from({ length: K }, (_, i) => ({
    campaign: `c${i}`,
    days: shocks.map((g, t) => {
      const clicks = 500;
      return { date: isoDay(t), impressions: 20000, clicks, conversions: poisson(random, clicks * 0.02 * g), spend: 250, revenue: null };
    }),
  }));
}

describe("surpriseCorrelation", () => {
  it("recovers the correlation a common shock induces (mu = 10, v = 0.05 -> 1/3; 6 campaigns x 200 days, seeded)", () => {
    const c = surpriseCorrelation(simulate(31, 6, 200, 20), { seed: 1 });
    expect(c.pairs).toBe(15);
    expect(c.days).toBe(200);
    expect(Math.abs((c.estimate ?? NaN) - 1 / 3)).toBeLessThan(0.08);
    expect(c.lo).toBeLessThan(1 / 3);
    expect(c.hi).toBeGreaterThan(1 / 3);
    expect(c.raw.estimate).toBe(c.estimate);
  });

  it("is near 0 for independent campaigns (3 seeds; |mean pairwise correlation| < 0.08)", () => {
    for (const seed of [32, 33, 34]) {
      const c = surpriseCorrelation(simulate(seed, 5, 200, null), { seed: 1 });
      expect(Math.abs(c.raw.estimate ?? NaN)).toBeLessThan(0.08);
      expect(c.estimate).toBeGreaterThanOrEqual(0);
    }
  });

  it("clamps a negative correlation to 0 for pooling and keeps the raw value", () => {
    // Campaign b's surprises mirror a's exactly: conversions 20 - y on the same clicks -> correlation -1.
    const [a] = simulate(37, 1, 60, null);
    const rowsA = a?.days ?? [];
    const rowsB = rowsA.map((d) => ({ ...d, conversions: 20 - d.conversions }));
    const c = surpriseCorrelation([
      { campaign: "a", days: rowsA },
      { campaign: "b", days: rowsB },
    ]);
    expect(c.raw.estimate).toBeCloseTo(-1, 12);
    expect([c.estimate, c.lo, c.hi]).toEqual([0, 0, 0]);
  });

  it("is deterministic for a seed", () => {
    const data = simulate(33, 3, 60, 10);
    expect(surpriseCorrelation(data, { seed: 5 })).toEqual(surpriseCorrelation(data, { seed: 5 }));
  });

  it("returns nulls for one campaign or campaigns without common days", () => {
    const one = surpriseCorrelation(simulate(34, 1, 50, null));
    expect([one.estimate, one.pairs]).toEqual([null, 0]);
    const [a, b] = simulate(35, 2, 40, null);
    const shifted = { campaign: "late", days: (b?.days ?? []).map((d, t) => ({ ...d, date: isoDay(t + 100) })) };
    expect(surpriseCorrelation([a as { campaign: string; days: DayRow[] }, shifted]).pairs).toBe(0);
  });

  it("standardises residuals to mean ~0 and sd ~1 under the model", () => {
    const z = [...dailyResiduals(simulate(36, 1, 400, null)[0]?.days ?? []).values()];
    const m = z.reduce((s, x) => s + x, 0) / z.length;
    const sd = Math.sqrt(z.reduce((s, x) => s + (x - m) ** 2, 0) / (z.length - 1));
    expect(Math.abs(m)).toBeLessThan(0.1);
    expect(Math.abs(sd - 1)).toBeLessThan(0.1);
  });
});

describe("surpriseCorrelation's aggregate-variance estimator", () => {
  it("equals the mean pairwise Pearson correlation when every campaign has every day (direct O(pairs) sum; 1e-12)", () => {
    const data = simulate(38, 5, 90, 8);
    const z = data.map((c) => [...dailyResiduals(c.days).values()]);
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < z.length; i++) {
      for (let j = i + 1; j < z.length; j++) {
        const a = z[i] as number[];
        const b = z[j] as number[];
        const ma = a.reduce((s, x) => s + x, 0) / a.length;
        const mb = b.reduce((s, x) => s + x, 0) / b.length;
        let sab = 0;
        let saa = 0;
        let sbb = 0;
        a.forEach((x, t) => {
          sab += (x - ma) * ((b[t] as number) - mb);
          saa += (x - ma) ** 2;
          sbb += ((b[t] as number) - mb) ** 2;
        });
        sum += sab / Math.sqrt(saa * sbb);
        pairs++;
      }
    }
    const c = surpriseCorrelation(data, { seed: 2 });
    expect(c.pairs).toBe(10);
    expect(c.estimator).toBe("aggregate-variance");
    expect(Math.abs((c.raw.estimate ?? NaN) - sum / pairs)).toBeLessThan(1e-12);
  });

  it("counts pairs exactly when campaigns cover different dates (groups of identical date sets and across them)", () => {
    const [a, b, c] = simulate(39, 3, 30, null);
    const late = (rows: DayRow[], shift: number) => rows.map((d, t) => ({ ...d, date: isoDay(t + shift) }));
    // a and b share 30 days; c is shifted by 25 days, so it shares 5 days with each (< 10): one pair.
    const r = surpriseCorrelation([
      { campaign: "a", days: a?.days ?? [] },
      { campaign: "b", days: b?.days ?? [] },
      { campaign: "c", days: late(c?.days ?? [], 25) },
    ]);
    expect(r.pairs).toBe(1);
    // Shifted by 15 days instead: 15 common days with each of a and b: three pairs.
    const r3 = surpriseCorrelation([
      { campaign: "a", days: a?.days ?? [] },
      { campaign: "b", days: b?.days ?? [] },
      { campaign: "c", days: late(c?.days ?? [], 15) },
    ]);
    expect(r3.pairs).toBe(3);
  });
});
