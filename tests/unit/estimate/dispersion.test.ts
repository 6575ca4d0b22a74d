import { describe, expect, it } from "vitest";
import { dispersionTest, fitNegbinSize, seededRandom } from "@/lib/engine/estimate";
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
      expect(d.note.length).toBeGreaterThan(0);
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
