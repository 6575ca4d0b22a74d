import { describe, expect, it } from "vitest";
import { expectedLoss, incompleteBeta, probabilityGreater, ratioCdf, ratioQuantile } from "@/lib/engine/lift/beta";
import { createRng } from "@/lib/engine/rng";
import ref from "../../fixtures/engine/lift-reference.json";

/** Reference values: tests/fixtures/engine/lift_reference.py (scipy quad in x-space, mpmath at 30 digits, Evan Miller's sum). */
describe("incompleteBeta", () => {
  it("matches scipy.special.betainc (tolerance 1e-12 absolute)", () => {
    for (const r of ref.incompleteBeta) expect(Math.abs(incompleteBeta(r.x, r.a, r.b) - r.value)).toBeLessThan(1e-12);
  });
  it("is 0 at and below 0, 1 at and above 1", () => {
    expect([incompleteBeta(0, 2, 3), incompleteBeta(-1, 2, 3), incompleteBeta(1, 2, 3), incompleteBeta(2, 2, 3)]).toEqual([0, 0, 1, 1]);
  });
});

describe("probabilityGreater: P(Y > X) for two Beta posteriors", () => {
  it("matches scipy/mpmath integration within 1e-9 absolute on every reference case", () => {
    for (const c of ref.cases) {
      // the mpmath value where there is one (scipy's quad is off by 1e-9 at the Beta(1/2, 1/2) singularities)
      const expected = c.pGreaterMpmath ?? c.pGreater;
      expect(Math.abs(probabilityGreater(c.x, c.y) - expected)).toBeLessThan(1e-9);
    }
  });
  it("matches Evan Miller's closed sum for integer shapes (1e-12)", () => {
    const withSum = ref.cases.filter((c) => "miller" in c && typeof c.miller === "number");
    expect(withSum.length).toBeGreaterThanOrEqual(3);
    for (const c of withSum) expect(Math.abs(probabilityGreater(c.x, c.y) - (c.miller as number))).toBeLessThan(1e-12);
  });
  it("is 1/2 for identical posteriors and P(Y > X) + P(X > Y) = 1 (1e-12)", () => {
    const s = { a: 12.5, b: 400.5 };
    expect(Math.abs(probabilityGreater(s, s) - 0.5)).toBeLessThan(1e-12);
    const x = { a: 2.5, b: 120.5 };
    const y = { a: 7.5, b: 95.5 };
    expect(Math.abs(probabilityGreater(x, y) + probabilityGreater(y, x) - 1)).toBeLessThan(1e-12);
  });
});

describe("ratioQuantile and ratioCdf: the law of Y / X", () => {
  it("gives scipy's 5%, 50% and 95% quantiles within 1e-7 relative (1e-4 where a posterior has b <= 1)", () => {
    for (const c of ref.cases) {
      const tol = Math.min(c.x.b, c.y.b) <= 1 ? 1e-4 : 1e-7;
      for (const [p, q] of Object.entries(c.ratioQuantiles)) {
        expect(Math.abs(ratioQuantile(c.x, c.y, Number(p)) / q - 1)).toBeLessThan(tol);
      }
    }
  });
  it("agrees with 400,000 seeded draws: F(ratio quantile) within 4 standard errors of p", () => {
    const rng = createRng(20261205);
    const x = { a: 20.5, b: 980.5 };
    const y = { a: 31.5, b: 970.5 };
    const beta = (s: { a: number; b: number }) => {
      const g = rng.gamma(s.a);
      return g / (g + rng.gamma(s.b));
    };
    const N = 400_000;
    const r = new Float64Array(N);
    for (let i = 0; i < N; i++) r[i] = beta(y) / beta(x);
    for (const p of [0.05, 0.5, 0.95]) {
      const q = ratioQuantile(x, y, p);
      let below = 0;
      for (let i = 0; i < N; i++) if ((r[i] as number) <= q) below++;
      const se = Math.sqrt((p * (1 - p)) / N);
      expect(Math.abs(below / N - p)).toBeLessThan(4 * se);
    }
    expect(ratioCdf(x, y, 0)).toBe(0);
  });
});

describe("expectedLoss", () => {
  it("matches scipy's double integrals E[(Y - X)+] and E[(X - Y)+] (1e-9 absolute)", () => {
    const withLoss = ref.cases.filter((c) => "lossX" in c);
    expect(withLoss.length).toBeGreaterThanOrEqual(5);
    for (const c of withLoss) {
      const l = expectedLoss(c.x, c.y);
      expect(Math.abs(l.lossX - (c as { lossX: number }).lossX)).toBeLessThan(1e-9);
      expect(Math.abs(l.lossY - (c as { lossY: number }).lossY)).toBeLessThan(1e-9);
    }
  });
  it("is 1/6 each for two uniform rates (E|X - Y| / 2, closed form; 1e-12)", () => {
    const l = expectedLoss({ a: 1, b: 1 }, { a: 1, b: 1 });
    expect(Math.abs(l.lossX - 1 / 6)).toBeLessThan(1e-12);
    expect(Math.abs(l.lossY - 1 / 6)).toBeLessThan(1e-12);
  });
});
