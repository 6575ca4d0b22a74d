import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { completeness } from "@/lib/engine/lag";
import { fitDelayBuckets } from "@/lib/engine/lag-report";
import { parseLagReport, sumBuckets } from "@/lib/ingest/lag-report";

/*
 * A time-lag report's buckets fitted by maximum likelihood, against scipy on the same interval-censored likelihood
 * (tests/fixtures/engine/lag_report_reference.py, which reads the CSV files with its own parser).
 */
const DIR = path.join(import.meta.dirname, "..", "..", "fixtures", "engine");
interface Fit {
  n: number;
  k: number;
  kLo90: number;
  kHi90: number;
  g: number;
  df: number;
  p: number | null;
  F: number[];
  Flo: number[];
  Fhi: number[];
}
const REF = JSON.parse(fs.readFileSync(path.join(DIR, "lag-report-reference.json"), "utf8")) as Record<
  string,
  { account: Fit & { empirical: { F: number[]; Flo: number[]; Fhi: number[] } }; campaigns?: Record<string, Fit> }
>;
const read = (name: string) => parseLagReport(new Uint8Array(fs.readFileSync(path.join(DIR, "lag-report", name))));

describe("fitting a time-lag report", () => {
  it.each(["google-ads-days-to-conversion.csv", "plain-days.csv"])("%s: k, its 90% interval and the G-test agree with scipy (1e-7 relative; p 1e-6)", (name) => {
    const ref = REF[name]!.account;
    const fit = fitDelayBuckets(sumBuckets(read(name).buckets))!;
    expect(fit.conversions).toBe(ref.n);
    expect(fit.method).toBe("exponential");
    expect(Math.abs(fit.exponential.k / ref.k - 1)).toBeLessThan(1e-7);
    expect(Math.abs(fit.exponential.kLo90 / ref.kLo90 - 1)).toBeLessThan(1e-7);
    expect(Math.abs(fit.exponential.kHi90 / ref.kHi90 - 1)).toBeLessThan(1e-7);
    expect(fit.exponential.gTest.df).toBe(ref.df);
    expect(fit.exponential.gTest.statistic).toBeCloseTo(ref.g, 5);
    expect(Math.abs(fit.exponential.gTest.pValue! - ref.p!)).toBeLessThan(1e-6);
    // F(a) and its band, against scipy's quadrature of G over the day (1e-7 absolute)
    for (let a = 0; a < 15 && a <= fit.curve.horizon; a++) {
      const pt = fit.curve.points[a]!;
      expect(Math.abs(pt.fraction - ref.F[a]!)).toBeLessThan(1e-7);
      expect(Math.abs(pt.lo90 - ref.Flo[a]!)).toBeLessThan(1e-7);
      expect(Math.abs(pt.hi90 - ref.Fhi[a]!)).toBeLessThan(1e-7);
      expect(pt.fraction).toBeCloseTo(completeness(a, fit.exponential.k), 12);
    }
  });

  it("keeps the report's own shares when the exponential family fits badly (G-test p < 0.01), against scipy (1e-9)", () => {
    const ref = REF["google-ads-days-to-conversion-campaigns.csv"]!;
    const parsed = read("google-ads-days-to-conversion-campaigns.csv");
    const fit = fitDelayBuckets(sumBuckets(parsed.buckets))!;
    expect(ref.account.p!).toBeLessThan(0.01);
    expect(fit.method).toBe("empirical");
    expect(Math.abs(fit.exponential.k / ref.account.k - 1)).toBeLessThan(1e-7);
    expect(fit.curve.source).toBe("report");
    for (let a = 0; a < 15 && a < fit.curve.points.length; a++) {
      const pt = fit.curve.points[a]!;
      expect(Math.abs(pt.fraction - ref.account.empirical.F[a]!)).toBeLessThan(1e-9);
      expect(Math.abs(pt.lo90 - ref.account.empirical.Flo[a]!)).toBeLessThan(1e-9);
      expect(Math.abs(pt.hi90 - ref.account.empirical.Fhi[a]!)).toBeLessThan(1e-9);
      expect(pt.lo90).toBeLessThanOrEqual(pt.fraction);
      expect(pt.hi90).toBeGreaterThanOrEqual(pt.fraction);
    }
    expect(fit.curve.points.at(-1)!.fraction).toBeGreaterThanOrEqual(0.99);
    // each campaign's own exponential fit, against scipy's
    for (const [campaign, r] of Object.entries(ref.campaigns!)) {
      const own = fitDelayBuckets(sumBuckets(parsed.buckets.filter((b) => b.campaign === campaign)))!;
      expect(Math.abs(own.exponential.k / r.k - 1)).toBeLessThan(1e-7);
      expect(own.conversions).toBe(r.n);
    }
  });

  it("returns null without conversions and refuses invalid buckets", () => {
    expect(fitDelayBuckets([{ from: 0, to: 1, count: 0 }])).toBeNull();
    expect(() => fitDelayBuckets([{ from: 3, to: 2, count: 1 }])).toThrow(/end after it starts/);
    expect(() => fitDelayBuckets([])).toThrow(/at least one bucket/);
    expect(() => fitDelayBuckets([{ from: 0, to: 1, count: -1 }])).toThrow(/count must be >= 0/);
  });

  it("finds k = ln 2 when half the conversions come within the first day (closed form, 1e-7: the search stops at 1e-10 in ln k around a flat top)", () => {
    const fit = fitDelayBuckets([
      { from: 0, to: 1, count: 50 },
      { from: 1, to: null, count: 50 },
    ])!;
    expect(fit.exponential.k).toBeCloseTo(Math.LN2, 7);
  });
});
