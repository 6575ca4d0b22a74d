import { describe, expect, it } from "vitest";
import gammaln from "@stdlib/math-base-special-gammaln";
import { dispersionTest, fitNegbinSize, seededRandom } from "@/lib/engine/estimate";
import { dispersionNote } from "@/lib/analysis/messages";
import { lnRising } from "@/lib/engine/estimate/dispersion";
import { reference } from "./reference";
import { binomial, negbin } from "./simulate";

const ref = reference.dispersion;

function simulate(seed: number, draw: (random: () => number, n: number) => number, days = 300) {
  const random = seededRandom(seed);
  return Array.from({ length: days }, () => {
    const n = 200 + Math.floor(random() * 200);
    return { n, y: draw(random, n) };
  });
}

describe("dispersionTest", () => {
  it("matches scipy: phi, the chi-square p-value (1e-9 relative) and the ML negative binomial size (1e-5)", () => {
    const d = dispersionTest(ref.days);
    expect(Math.abs((d.phi ?? NaN) - ref.phi)).toBeLessThan(1e-12);
    expect(Math.abs((d.pValue ?? NaN) / ref.pValue - 1)).toBeLessThan(1e-9);
    expect(d.model).toBe("negbin");
    expect(Math.abs((d.r ?? NaN) / ref.r - 1)).toBeLessThan(1e-5);
  });

  it("detects negative binomial overdispersion (r = 5, mean ~6 a day, 300 days; 5 seeds) and recovers r within 40%", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const d = dispersionTest(simulate(seed, (random, n) => negbin(random, 5, n * 0.02)));
      expect(d.model).toBe("negbin");
      expect(d.r).toBeGreaterThan(3);
      expect(d.r).toBeLessThan(7);
    }
  });

  it("does not flag binomial data (20 seeds, 300 days each)", () => {
    let flagged = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const d = dispersionTest(simulate(100 + seed, (random, n) => binomial(random, n, 0.02)));
      if (d.model !== "binomial") flagged++;
      expect(d.phi).toBeGreaterThan(0.7);
      expect(d.phi).toBeLessThan(1.3);
    }
    expect(flagged).toBe(0);
  });

  it("switches to the Poisson base when some day has more conversions than clicks", () => {
    const d = dispersionTest([
      { n: 2, y: 3 },
      { n: 10, y: 1 },
      { n: 8, y: 2 },
    ]);
    expect(d.base).toBe("poisson");
    expect(Number.isFinite(d.phi)).toBe(true);
  });

  it("returns the base model with null phi for one day, no conversions, or no clicks", () => {
    for (const units of [[{ n: 100, y: 2 }], [{ n: 100, y: 0 }, { n: 50, y: 0 }], [{ n: 0, y: 0 }, { n: 0, y: 0 }]]) {
      const d = dispersionTest(units);
      expect(d.model).toBe("binomial");
      expect(d.phi).toBeNull();
      expect(d.pValue).toBeNull();
      expect(dispersionNote(d).length).toBeGreaterThan(0);
    }
  });

  it("runs the size to its upper bound (a Poisson) for underdispersed counts, where moments give nothing", () => {
    const fit = fitNegbinSize([
      { y: 1, mu: 1 },
      { y: 1, mu: 1 },
    ]);
    expect(fit.rMoments).toBeNull();
    expect(fit.r).toBeGreaterThan(1e7);
  });
});

describe("lnRising (ln Gamma(r + y) - ln Gamma(r) in the negative binomial likelihood)", () => {
  // Exact values from mpmath at 40 digits: mpmath.loggamma(r + y) - mpmath.loggamma(r). For r >> y the difference
  // of double-precision log-gammas is off by up to 1e-10 relative (scipy gives 221.04816961288 at r = 1e8, y = 12);
  // the product form is exact to 1e-14.
  const cases: Array<[number, number, number]> = [
    [2, 3, 3.1780538303479458],
    [0.37, 17, 30.83632979671939],
    [5.5, 200, 883.1779670372092],
    [1e6, 40, 552.6212023083011],
    [1e8, 12, 221.04816958742836],
    [3.2, 256, 1178.5849660184374],
  ];
  it.each(cases)("r = %s, y = %s: within 1e-14 relative of mpmath", (r, y, exact) => {
    expect(Math.abs(lnRising(r, y, gammaln(r)) / exact - 1)).toBeLessThan(1e-14);
  });

  it("falls back to log-gammas for fractional and large counts (1e-12 relative)", () => {
    // The fallback is the log-gamma difference itself.
    expect(Math.abs(lnRising(4.5, 2.25, gammaln(4.5)) / (gammaln(6.75) - gammaln(4.5)) - 1)).toBeLessThan(1e-12);
    expect(lnRising(3, 1000, gammaln(3))).toBeCloseTo(gammaln(1003) - gammaln(3), 9);
    expect(lnRising(7, 0, gammaln(7))).toBe(0);
  });
});
