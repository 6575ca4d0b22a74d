import { describe, expect, it } from "vitest";
import { estimateSeverity, orderValueFit, seededRandom, severityFromUnits } from "@/lib/engine/estimate";
import { severityNote } from "@/lib/analysis/messages";
import { reference } from "./reference";
import { lognormal, poisson } from "./simulate";

const ref = reference.severity;

describe("order values", () => {
  it("fits the lognormal from daily average order values as the numpy script does (1e-12)", () => {
    const s = severityFromUnits(ref.days);
    expect(s.source).toBe("daily-aov");
    expect(Math.abs(s.mean - ref.mean)).toBeLessThan(1e-12);
    expect(s.spec).toEqual({ kind: "lognormal", mu: s.lognormal?.mu, sigma: s.lognormal?.sigma });
    expect(Math.abs((s.lognormal?.mu ?? NaN) - ref.mu)).toBeLessThan(1e-12);
    expect(Math.abs((s.lognormal?.sigma ?? NaN) - ref.sigma)).toBeLessThan(1e-12);
  });

  it("uses order rows as empirical points, with the log-moment lognormal beside them (1e-12)", () => {
    const s = estimateSeverity(ref.days, ref.orders);
    expect(s.source).toBe("orders");
    expect(s.spec.kind).toBe("empirical");
    if (s.spec.kind === "empirical") {
      expect(s.spec.points[0]).toEqual([35, 3 / 8]);
      expect(s.spec.points.reduce((a, p) => a + p[1], 0)).toBeCloseTo(1, 14);
    }
    expect(Math.abs((s.lognormal?.mu ?? NaN) - ref.orderMu)).toBeLessThan(1e-12);
    expect(Math.abs((s.lognormal?.sigma ?? NaN) - ref.orderSigma)).toBeLessThan(1e-12);
    expect(orderValueFit([50, 50, 200]).points).toEqual([
      [50, 2 / 3],
      [200, 1 / 3],
    ]);
  });

  it("recovers lognormal(4, 1) from 400 simulated days of revenue (seeded; mu within 0.1, sigma within 0.1)", () => {
    const random = seededRandom(3);
    const days = Array.from({ length: 400 }, () => {
      const n = poisson(random, 4);
      let revenue = 0;
      for (let i = 0; i < n; i++) revenue += lognormal(random, 4, 1);
      return { conversions: n, revenue };
    });
    const s = severityFromUnits(days);
    expect(Math.abs((s.lognormal?.mu ?? NaN) - 4)).toBeLessThan(0.1);
    expect(Math.abs((s.lognormal?.sigma ?? NaN) - 1)).toBeLessThan(0.1);
  });

  it("assumes sigma = 1 with too few days with sales, and flags it", () => {
    const s = severityFromUnits([
      { conversions: 2, revenue: 100 },
      { conversions: 0, revenue: 0 },
      { conversions: 1, revenue: 70 },
    ]);
    expect(s.sigmaAssumed).toBe(true);
    expect(s.lognormal?.sigma).toBe(1);
    // Mean kept: exp(mu + 1/2) = 170 / 3.
    expect(Math.exp((s.lognormal?.mu ?? NaN) + 0.5)).toBeCloseTo(170 / 3, 10);
  });

  it("falls back to counts only (constant 1) when there is no revenue at all", () => {
    const s = severityFromUnits([
      { conversions: 2, revenue: null },
      { conversions: 1, revenue: null },
    ]);
    expect(s.countsOnly).toBe(true);
    expect(s.spec).toEqual({ kind: "constant", value: 1 });
  });

  it("gives a constant severity when every day's average order value is the same", () => {
    const s = severityFromUnits(Array.from({ length: 6 }, (_, i) => ({ conversions: i + 1, revenue: 50 * (i + 1) })));
    expect(s.spec).toEqual({ kind: "constant", value: 50 });
  });

  it("leaves refunds out of order values", () => {
    const s = estimateSeverity([], [40, -40, 60]);
    if (s.spec.kind === "empirical") expect(s.spec.points.map((p) => p[0])).toEqual([40, 60]);
    expect(severityNote(s)).toMatch(/refund/);
  });
});
