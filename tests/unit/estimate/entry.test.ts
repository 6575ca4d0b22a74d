import { describe, expect, it } from "vitest";
// The services' entry (lib/engine/contract.ts): the engine's own refuses with RangeError, the contract with AppError.
import { estimateCampaign } from "@/lib/engine/contract";
import { estimateDataset, forecastParameters, normaliseRows, rateModel, seededRandom } from "@/lib/engine/estimate";
import type { CampaignInput, DayRow } from "@/lib/engine/estimate";
import { isAppError } from "@/lib/errors";
import { binomial, isoDay, lognormal, normal as normalDraw, simulateDays } from "./simulate";

/** Every number in a DTO is finite (no NaN or Infinity reaches a page), checked through its JSON round trip. */
function expectFiniteEverywhere(value: unknown, where = "$"): void {
  if (typeof value === "number") {
    expect(Number.isFinite(value), `${where} = ${value}`).toBe(true);
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => expectFiniteEverywhere(v, `${where}[${i}]`));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) expectFiniteEverywhere(v, `${where}.${k}`);
}

function campaign(seed: number, name: string, p: number, days = 60): CampaignInput {
  const random = seededRandom(seed);
  const rows = simulateDays(random, days, 200, 400, (n) => binomial(random, n, p));
  for (const r of rows) {
    let revenue = 0;
    for (let i = 0; i < r.conversions; i++) revenue += lognormal(random, 4, 0.8);
    r.revenue = revenue;
  }
  return { campaign: name, days: rows };
}

const row = (over: Partial<DayRow>): DayRow => ({
  date: "2025-01-01",
  impressions: 1000,
  clicks: 100,
  conversions: 2,
  spend: 50,
  revenue: null,
  ...over,
});

describe("estimateCampaign", () => {
  it("returns a plain, finite DTO with every part filled for a normal campaign", () => {
    const e = estimateCampaign(campaign(51, "A", 0.02), { horizon: "week" });
    expect(e.unit).toBe("day");
    expect(e.units).toBe(60);
    expect(e.period).toEqual({ start: isoDay(0), end: isoDay(59) });
    expect(e.severity.source).toBe("daily-aov");
    expect(e.calibration?.days).toBe(46);
    expect(e.band).toHaveLength(60);
    expect(["within", "better", "worse"]).toContain(e.verdict.verdict);
    expect(e.flags).toEqual([]);
    const json = JSON.parse(JSON.stringify(e)) as unknown;
    expect(json).toEqual(e);
    expectFiniteEverywhere(json);
  });

  it("sums rows sharing a date (segments) and sorts days", () => {
    const e = estimateCampaign({
      campaign: "S",
      days: [row({ date: "2025-01-02" }), row({ date: "2025-01-01" }), row({ date: "2025-01-02", clicks: 50, conversions: 1 })],
    });
    expect(e.units).toBe(2);
    expect(e.band.map((b) => [b.date, b.clicks])).toEqual([
      ["2025-01-01", 100],
      ["2025-01-02", 150],
    ]);
  });

  it("handles zero clicks: prior rates, Poisson(0) forecast, flagged, nothing NaN", () => {
    const e = estimateCampaign({ campaign: "Z", days: [row({ clicks: 0, conversions: 0 }), row({ date: "2025-01-02", clicks: 0, conversions: 0 })] });
    expect(e.flags).toEqual(expect.arrayContaining(["no-clicks", "no-conversions", "counts-only"]));
    expect(e.conversionRate.noData).toBe(true);
    expect(e.forecast.frequency).toEqual({ kind: "poisson", lambda: 0 });
    expectFiniteEverywhere(JSON.parse(JSON.stringify(e)));
  });

  it("handles zero conversions: a small positive rate, no dispersion test, flagged", () => {
    const e = estimateCampaign({ campaign: "N", days: Array.from({ length: 10 }, (_, i) => row({ date: isoDay(i), conversions: 0 })) });
    expect(e.flags).toContain("no-conversions");
    expect(e.conversionRate.mean).toBeCloseTo(0.5 / 1001, 12);
    expect(e.dispersion.phi).toBeNull();
    expectFiniteEverywhere(JSON.parse(JSON.stringify(e)));
  });

  it("handles one day: no dispersion test, no calibration, insufficient verdict", () => {
    const e = estimateCampaign({ campaign: "One", days: [row({})] });
    expect(e.flags).toContain("single-unit");
    expect(e.dispersion.phi).toBeNull();
    expect(e.calibration?.days).toBe(0);
    expect(e.verdict.verdict).toBe("insufficient");
    expectFiniteEverywhere(JSON.parse(JSON.stringify(e)));
  });

  it("handles all-null revenue: severity constant 1, counts only", () => {
    const e = estimateCampaign({ campaign: "C", days: [row({}), row({ date: "2025-01-02" })] });
    expect(e.totals.revenue).toBeNull();
    expect(e.severity.spec).toEqual({ kind: "constant", value: 1 });
    expect(e.flags).toContain("counts-only");
  });

  it("handles fractional conversions (attribution): used as pseudo-counts and flagged", () => {
    const e = estimateCampaign({
      campaign: "F",
      days: Array.from({ length: 20 }, (_, i) => row({ date: isoDay(i), conversions: 2.35 })),
    });
    expect(e.flags).toContain("fractional-conversions");
    expect(e.conversionRate.fractional).toBe(true);
    expect(e.conversionRate.a).toBeCloseTo(0.5 + 47, 10);
    expectFiniteEverywhere(JSON.parse(JSON.stringify(e)));
  });

  it("handles conversions above clicks (view-through): rate capped, Poisson base, flagged", () => {
    const e = estimateCampaign({
      campaign: "V",
      days: Array.from({ length: 20 }, (_, i) => row({ date: isoDay(i), clicks: 3, conversions: i % 2 === 0 ? 5 : 2 })),
    });
    expect(e.flags).toContain("conversions-exceed-clicks");
    expect(e.conversionRate.capped).toBe(true);
    expect(e.conversionRate.mean).toBeLessThan(1);
    expect(e.dispersion.base).toBe("poisson");
    expectFiniteEverywhere(JSON.parse(JSON.stringify(e)));
  });

  it("models undated rows as ads: no period, no calibration", () => {
    const e = estimateCampaign({ campaign: "Ads", days: [row({ date: null }), row({ date: null, clicks: 300, conversions: 7 })] });
    expect(e.unit).toBe("ad");
    expect(e.period).toBeNull();
    expect(e.calibration).toBeNull();
    expect(e.forecast.horizonDays).toBeNull();
  });

  it("uses order values when given", () => {
    const e = estimateCampaign({ ...campaign(52, "O", 0.02, 20), orderValues: [30, 30, 90] });
    expect(e.severity.source).toBe("orders");
    expect(e.forecast.severity).toEqual({ kind: "empirical", points: [[30, 2 / 3], [90, 1 / 3]] });
  });

  it("refuses invalid input with a clear AppError", () => {
    const bad = [
      { campaign: "", days: [row({})] },
      { campaign: "x", days: [] },
      { campaign: "x", days: [row({ clicks: -1 })] },
      { campaign: "x", days: [row({ clicks: Number.NaN })] },
      { campaign: "x", days: [row({ date: "01/02/2025" })] },
      { campaign: "x", days: [row({}), row({ date: null })] },
    ];
    for (const input of bad) {
      try {
        estimateCampaign(input);
        expect.unreachable("should have thrown");
      } catch (e) {
        expect(isAppError(e) && e.code === "invalid_body").toBe(true);
        expect((e as Error).message).toMatch(/^Invalid campaign/);
      }
    }
    expect(() => estimateCampaign(campaign(53, "x", 0.02, 5), { budget: -5 })).toThrow(/Invalid options at budget/);
    expect(() => estimateCampaign(campaign(53, "x", 0.02, 5), { horizon: 0 })).toThrow(/Invalid options at horizon/);
  });
});

describe("estimateDataset", () => {
  const data = [campaign(61, "big", 0.02, 60), campaign(62, "mid", 0.03, 60), campaign(63, "small", 0.025, 60)];
  const small: CampaignInput = { campaign: "tiny", days: [row({ clicks: 40, conversions: 0 })] };

  it("fits the shrinkage prior, uses it in each campaign, and estimates the correlation", () => {
    const d = estimateDataset([...data, small], { horizon: "month", calibration: false });
    expect(d.campaigns).toHaveLength(4);
    expect(d.shrinkage.fit.campaigns).toBe(4);
    expect(d.shrinkage.fit.method).not.toBe("none");
    const tiny = d.campaigns[3];
    // The one-day campaign with no sale is pulled up to the dataset's rate.
    expect(tiny?.shrunkConversionRate?.mean).toBeGreaterThan(0.01);
    expect(tiny?.verdict.reference).toBe("dataset-prior");
    expect(d.correlation.pairs).toBe(3);
    expect(d.campaigns.every((c) => c.calibration === null)).toBe(true);
    expectFiniteEverywhere(JSON.parse(JSON.stringify(d)));
  });

  it("does not shrink a single campaign, and says so", () => {
    const d = estimateDataset([data[0] as CampaignInput]);
    expect(d.shrinkage.fit.method).toBe("none");
    expect(d.shrinkage.fit.finding).toBe("too-few-campaigns");
    expect(d.campaigns[0]?.shrunkConversionRate).toBeNull();
    expect(d.correlation.estimate).toBeNull();
  });

  it("applies per-campaign budgets and refuses duplicate names", () => {
    const d = estimateDataset(data, { budgets: { big: 1000 }, calibration: false });
    expect(d.campaigns[0]?.forecast.budget).toBe(1000);
    expect(d.campaigns[1]?.forecast.defaultBudget).toBe(true);
    expect(() => estimateDataset([data[0] as CampaignInput, data[0] as CampaignInput])).toThrow(/unique/);
  });
});

describe("estimateCampaign on a drifting rate", () => {
  it("widens the week's forecast by the drift (sd above the fixed-rate forecast's) and draws the scored band", () => {
    const random = seededRandom(71);
    let x = Math.log(0.03 / 0.97);
    const days = simulateDays(random, 200, 300, 300, (n) => {
      x += 0.1 * normalDraw(random);
      return binomial(random, n, 1 / (1 + Math.exp(-x)));
    });
    const e = estimateCampaign({ campaign: "D", days });
    expect(e.calibration?.model.delta).toBeLessThan(1);
    const fixed = forecastParameters(
      normaliseRows(days).rows,
      "day",
      rateModel(days.map((d) => ({ n: d.clicks, y: d.conversions }))),
      e.severity,
      { horizon: "week" },
    );
    expect(e.forecast.conversionsVariance).toBeGreaterThan(fixed.conversionsVariance);
    expect(e.band.filter((b) => b.scored)).toHaveLength(e.calibration?.days ?? -1);
    expect(e.verdict.drift).not.toBeNull();
  });
});

describe("estimateCampaign on long runs without conversions", () => {
  it("keeps every number finite when 120 days bring no conversion, then a burst (the drift state never decays to 0)", () => {
    const days = Array.from({ length: 130 }, (_, i) => row({ date: isoDay(i), clicks: 200, conversions: i >= 120 ? 15 : 0 }));
    const e = estimateCampaign({ campaign: "Quiet", days });
    expectFiniteEverywhere(JSON.parse(JSON.stringify(e)));
    expect(e.band.filter((b) => b.scored).length).toBe(e.calibration?.days);
  });
});
