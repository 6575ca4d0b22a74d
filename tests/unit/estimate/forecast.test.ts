import { describe, expect, it } from "vitest";
import { forecastParameters, frequencyFor, rateModel, seededRandom, severityFromUnits } from "@/lib/engine/estimate";
import { forecastNote } from "@/lib/analysis/messages";
import type { DayRow, RateModel } from "@/lib/engine/estimate";
import { binomial, gamma, isoDay } from "./simulate";

function days(n: number, clicks: number, conversions: number, spend: number): DayRow[] {
  return Array.from({ length: n }, (_, i) => ({ date: isoDay(i), impressions: clicks * 30, clicks, conversions, spend, revenue: null }));
}

describe("frequencyFor", () => {
  it("gives NB with r close to the posterior shape a for rare conversions (the Gamma approximation of the Beta)", () => {
    // 30 days x 300 clicks, 4 conversions a day: a = 120.5, b = 8880.5, rate ~1.3%.
    const model = rateModel(days(30, 300, 4, 150).map((d) => ({ n: d.clicks, y: d.conversions })));
    const f = frequencyFor(model, 1e6, 7);
    expect(f.spec.kind).toBe("negbin");
    if (f.spec.kind === "negbin") {
      expect(f.spec.mean).toBeCloseTo(1e6 * model.mean, 6);
      // With many clicks the binomial noise is negligible and r -> E[p]^2 / Var(p) = a (a + b + 1) / b ~ a.
      expect(Math.abs(f.spec.r / model.a - 1)).toBeLessThan(0.02);
    }
  });

  it("matches the mixture's mean and variance (seeded Monte Carlo of p ~ Beta, N ~ Binomial(c, p); 3% tolerance)", () => {
    const model: RateModel = {
      base: "binomial",
      a: 6.5,
      b: 300,
      mean: 6.5 / 306.5,
      cv2: 300 / (6.5 * 307.5),
      dispersion: { model: "binomial", base: "binomial", phi: null, pValue: null, rate: 0, units: 0, finding: "too-few-units" },
    };
    const f = frequencyFor(model, 2000, 7);
    const random = seededRandom(9);
    const draws = 40000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < draws; i++) {
      const g = gamma(random, 6.5);
      const p = g / (g + gamma(random, 300));
      const y = binomial(random, 2000, p);
      s += y;
      s2 += y * y;
    }
    const mean = s / draws;
    const variance = s2 / draws - mean * mean;
    expect(Math.abs(f.mean / mean - 1)).toBeLessThan(0.03);
    expect(Math.abs(f.variance / variance - 1)).toBeLessThan(0.03);
  });

  it("without parameter uncertainty: Binomial(clicks, p), or the NB matched to binomial noise + a 7-day shock", () => {
    const model = rateModel(days(30, 300, 4, 150).map((d) => ({ n: d.clicks, y: d.conversions })));
    const f = frequencyFor(model, 2100, 7, false);
    expect(f.spec).toEqual({ kind: "binomial", n: 2100, p: model.mean });
    const over = frequencyFor({ ...model, r: 5 }, 2100, 7, false);
    expect(over.spec.kind).toBe("negbin");
    // Var = c p (1 - p) + (c p)^2 / (7 r): r_eff = (c p)^2 / ((c p)^2 / 35 - c p^2), within 2% of 7 r = 35 here.
    const cp = 2100 * model.mean;
    if (over.spec.kind === "negbin") {
      expect(over.spec.r).toBeCloseTo((cp * cp) / ((cp * cp) / 35 - 2100 * model.mean ** 2), 8);
      expect(Math.abs(over.spec.r / 35 - 1)).toBeLessThan(0.02);
    }
  });

  it("is Poisson(0) without clicks", () => {
    const model = rateModel([]);
    expect(frequencyFor(model, 0, 7).spec).toEqual({ kind: "poisson", lambda: 0 });
  });
});

describe("forecastParameters", () => {
  const rows = days(28, 400, 8, 200); // CPC 0.5, 200 a day
  const units = rows.map((d) => ({ n: d.clicks, y: d.conversions }));
  const severity = severityFromUnits(rows);

  it("buys budget / CPC clicks; the default budget is the average daily spend x the horizon", () => {
    const f = forecastParameters(rows, "day", rateModel(units), severity, { horizon: "week" });
    expect(f.horizonDays).toBe(7);
    expect(f.defaultBudget).toBe(true);
    expect(f.budget).toBeCloseTo(1400, 10);
    expect(f.cpc).toBeCloseTo(0.5, 12);
    expect(f.expectedClicks).toBeCloseTo(2800, 9);
    expect(f.expectedConversions).toBeCloseTo(2800 * rateModel(units).mean, 9);
    const month = forecastParameters(rows, "day", rateModel(units), severity, { horizon: "month", budget: 3000 });
    expect([month.horizonDays, month.expectedClicks]).toEqual([30, 6000]);
    expect(forecastParameters(rows, "day", rateModel(units), severity, { horizon: "day" }).expectedClicks).toBeCloseTo(400, 9);
  });

  it("hands counts-only severity (constant 1) on, and says so", () => {
    const f = forecastParameters(rows, "day", rateModel(units), severity);
    expect(f.severity).toEqual({ kind: "constant", value: 1 });
    expect(f.findings).toContainEqual({ code: "counts-only" });
    expect(f.findings.map(forecastNote).join(" ")).toMatch(/No revenue: the aggregate is the conversion count/);
  });

  it("projects clicks per day when there is no spend (CPC unknown)", () => {
    const free = days(10, 100, 2, 0);
    const f = forecastParameters(free, "day", rateModel(free.map((d) => ({ n: d.clicks, y: d.conversions }))), severity, { horizon: "week" });
    expect(f.cpc).toBeNull();
    expect(f.expectedClicks).toBeCloseTo(700, 9);
  });

  it("counts ad-equivalents for ad-level rows (no horizon)", () => {
    const ads: DayRow[] = [
      { date: null, impressions: 1000, clicks: 50, conversions: 1, spend: 20, revenue: null },
      { date: null, impressions: 2000, clicks: 150, conversions: 2, spend: 60, revenue: null },
    ];
    const f = forecastParameters(ads, "ad", rateModel(ads.map((d) => ({ n: d.clicks, y: d.conversions }))), severity, { budget: 160 });
    expect(f.horizonDays).toBeNull();
    expect(f.units).toBeCloseTo(4, 12);
    expect(f.expectedClicks).toBeCloseTo(400, 9);
  });
});
