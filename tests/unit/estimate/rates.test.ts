import { describe, expect, it } from "vitest";
import { ratePosterior } from "@/lib/engine/estimate";
import { reference } from "./reference";

describe("ratePosterior (Jeffreys Beta(1/2, 1/2))", () => {
  it("matches scipy's Beta posterior mean and 5%/95% quantiles (tolerance 1e-9 relative)", () => {
    for (const r of reference.rates) {
      const p = ratePosterior(r.x, r.n);
      expect([p.a, p.b]).toEqual([r.a, r.b]);
      expect(Math.abs(p.mean - r.mean)).toBeLessThan(1e-12);
      expect(Math.abs(p.lo90 / r.lo90 - 1)).toBeLessThan(1e-9);
      expect(Math.abs(p.hi90 / r.hi90 - 1)).toBeLessThan(1e-9);
    }
  });

  it("uses fractional conversions as the Beta pseudo-count and says so", () => {
    const p = ratePosterior(428.2, 9265);
    expect(p.a).toBeCloseTo(428.7, 12);
    expect(p.fractional).toBe(true);
  });

  it("caps conversions above clicks at the clicks, flags it, and keeps the observed ratio", () => {
    const p = ratePosterior(70, 60);
    expect(p.capped).toBe(true);
    expect([p.a, p.b]).toEqual([60.5, 0.5]);
    expect(p.observed).toBeCloseTo(70 / 60, 12);
    expect(p.mean).toBeLessThan(1);
  });

  it("returns the prior for zero clicks, with no observed ratio", () => {
    const p = ratePosterior(0, 0);
    expect(p.noData).toBe(true);
    expect(p.observed).toBeNull();
    expect(p.mean).toBe(0.5);
  });

  it("gives a positive rate for zero conversions (0.5 / (n + 1))", () => {
    const p = ratePosterior(0, 50);
    expect(p.mean).toBeCloseTo(0.5 / 51, 14);
    expect(p.lo90).toBeGreaterThanOrEqual(0);
  });
});
