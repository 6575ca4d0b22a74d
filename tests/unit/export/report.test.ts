import { describe, expect, it } from "vitest";
import {
  campaignRecords,
  coinRecords,
  dailyRecords,
  figureRecords,
  histogramRecords,
  poolingRecords,
  sentenceRecords,
  unitSuffix,
} from "@/lib/export/report";
import { recordsToCsv } from "@/lib/export/table-csv";
import { analysis, campaign, detail } from "./fixtures";

describe("campaignRecords", () => {
  it("gives one row per campaign with full-precision numbers and the currency in the headers", () => {
    const rows = campaignRecords(analysis());
    expect(rows).toHaveLength(2);
    const r = rows[0]!;
    expect(r.campaign).toBe("Brand");
    expect(r.sources).toBe("Other");
    expect(r.days).toBe(30);
    expect(r["spend (USD)"]).toBe(1500);
    expect(r["conversion rate"]).toBe(0.02); // observed: 60 of 3,000 clicks
    expect(r["conversion rate (Jeffreys mean)"]).toBe(0.0202);
    expect(r["conversion rate 5%"]).toBe(0.016);
    expect(r["expected conversions per week"]).toBe(14);
    expect(r["revenue per week 95% (USD)"]).toBe(1730);
    expect(r["P(zero-sale day)"]).toBe(0.135);
    expect(r["P(no conversion in a week)"]).toBe(8.3e-7);
    expect(r["90% band coverage"]).toBe(0.913);
    expect(r.verdict).toBe("within");
  });
  it("names the unit 'ads' for files without dates and leaves the currency out when unknown", () => {
    const r = campaignRecords(analysis({ unit: "ad", currency: null }))[0]!;
    expect(r.ads).toBe(30);
    expect(r.days).toBeUndefined();
    expect(r.spend).toBe(1500);
  });
  it("names the platforms a campaign's rows come from, by their labels", () => {
    const c = campaign("Shop", { sources: ["google_ads", "meta_ads"] });
    expect(campaignRecords(analysis({ campaigns: [c] }))[0]!.sources).toBe("Google Ads + Meta");
  });
  it("follows the horizon in the headers", () => {
    const r = campaignRecords(analysis({ horizon: "month" }))[0]!;
    expect(Object.keys(r)).toContain("expected conversions per month");
  });
  it("leaves revenue figures empty when the file has no revenue (the forecast is of conversions only)", () => {
    const c = campaign("X", { orderValue: { source: "none", mean: 1, sigma: null, count: 0 }, revenue: 0 });
    const r = campaignRecords(analysis({ campaigns: [c] }))[0]!;
    expect(r["revenue (USD)"]).toBeNull();
    expect(r["expected revenue per week (USD)"]).toBeNull();
    expect(r["expected conversions per week"]).toBe(14);
  });
  it("writes missing figures as null, never NaN", () => {
    const c = campaign("X", { coinVolatility: null, clicks: 0, conversions: 0, cvr: { observed: null, mean: Number.NaN, lo90: 0, hi90: 1 } });
    const r = campaignRecords(analysis({ campaigns: [c] }))[0]!;
    expect(r["conversion rate"]).toBeNull();
    expect(r["conversion rate (Jeffreys mean)"]).toBeNull();
    expect(r["daily revenue surprise volatility (annualized)"]).toBeNull();
  });
  it("is neutralised when written as CSV (a campaign named like a formula)", () => {
    const csv = recordsToCsv(campaignRecords(analysis()));
    const lines = csv.trimEnd().split("\r\n");
    expect(lines).toHaveLength(3);
    expect(lines[2]!.startsWith("'=cmd,")).toBe(true);
  });
});

describe("dailyRecords", () => {
  it("keeps each day with its band and marks the days outside it", () => {
    const rows = dailyRecords(detail().daily, "USD");
    expect(rows[1]).toEqual({
      date: "2026-01-02",
      clicks: 90,
      "spend (USD)": 45,
      conversions: 9,
      "revenue (USD)": null,
      "expected conversions": 1.9,
      "band 5%": 0,
      "band 95%": 4,
      outside: "above",
      provisional: "",
      completeness: 1,
      "expected final conversions": 9,
      "final 5%": 9,
      "final 95%": 9,
    });
    expect(rows[0]!.outside).toBe("");
  });
});

describe("histogramRecords", () => {
  it("adds the cumulative probability", () => {
    const rows = histogramRecords(detail().conversionsDist, "conversions per week");
    expect(rows.map((r) => r.cumulative)).toEqual([0.25, 0.75, 1]);
    expect(rows[1]).toEqual({ "conversions per week": 1, "bin width": 1, probability: 0.5, cumulative: 0.75 });
  });
  it("sums 100,000 bins of 1e-5 to 1 within 1e-14 (compensated; a plain running sum is off by ~2e-12)", () => {
    const pts = Array.from({ length: 100_000 }, (_, i) => ({ x: i, width: 1, p: 1e-5 }));
    const last = histogramRecords(pts, "x").at(-1)!;
    // tolerance 1e-14: the doubles nearest 1e-5 times 1e5 differ from 1 by at most ~1e-16, plus a few ulps.
    expect(Math.abs((last.cumulative as number) - 1)).toBeLessThan(1e-14);
  });
});

describe("figureRecords, poolingRecords, coinRecords, sentenceRecords", () => {
  it("lists the figures behind a forecast as figure/value/note rows", () => {
    const rows = figureRecords(campaign("Brand"), "USD");
    const byName = Object.fromEntries(rows.map((r) => [r.figure, r.value]));
    expect(byName["90% band coverage"]).toBe(0.913);
    expect(byName["dispersion model"]).toBe("poisson");
    expect(byName["mean order value (USD)"]).toBe(80);
    expect(byName["negative binomial r"]).toBeNull();
  });
  it("summarises pooling, with null when a CV of 10% is out of reach", () => {
    const rows = poolingRecords(analysis());
    expect(rows.find((r) => r.figure === "CV in a pool of 20")?.value).toBe(0.095);
    const none = poolingRecords(analysis({ pooling: { cv1: 0.3, rho: 0.5, floorCv: 0.21, cv20: 0.22, cv1000: 0.21, kFor10pct: null } }));
    const k = none.find((r) => r.figure === "pool size for a CV under 10%");
    expect(k?.value).toBeNull();
    expect(k?.note).toMatch(/unreachable/);
  });
  it("puts the campaign first, then each reference coin with its source and period", () => {
    const rows = coinRecords(detail());
    expect(rows.map((r) => r.series)).toEqual(["Brand", "BTC", "USDC"]);
    expect(rows[1]).toMatchObject({ "annualized volatility": 0.55, period: "2025-01-01 to 2025-12-31", source: "Yahoo Finance BTC-USD" });
  });
  it("numbers the sentences", () => {
    expect(sentenceRecords(["a", "b"])).toEqual([
      { n: 1, sentence: "a" },
      { n: 2, sentence: "b" },
    ]);
  });
  it("names the currency in headers only when known", () => {
    expect(unitSuffix("EUR")).toBe(" (EUR)");
    expect(unitSuffix(null)).toBe("");
  });
});
