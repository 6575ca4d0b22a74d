import { describe, expect, it } from "vitest";
import { binomial, negativeBinomial, poisson } from "@/lib/engine/frequency";
import { constantSeverity, empiricalSeverity, gammaSeverity, lognormalSeverity } from "@/lib/engine/severity";
import { discretise, latticeMoments } from "@/lib/engine/discretise";
import { neumaierSum } from "@/lib/engine/numeric";
import ref from "../../fixtures/engine/reference-values.json";

const rel = (a: number, b: number): number => Math.abs(a / b - 1);

describe("frequencies", () => {
  it("Poisson pmf matches scipy in log space even where exp(-800) underflows", () => {
    const f = poisson(800);
    ref.poisson_800_logpmf.k.forEach((k, i) => {
      // 1e-12 relative on the log pmf (values of order -800)
      expect(rel(f.logPmf(k), ref.poisson_800_logpmf.logpmf[i] as number)).toBeLessThan(1e-12);
    });
    expect(f.panjer?.logP0).toBe(-800);
  });

  it("binomial and negative binomial pmfs match scipy to 1e-10 relative", () => {
    const b = binomial(2000, 0.025);
    ref["binomial_2000_0.025_pmf"].k.forEach((k, i) =>
      expect(rel(b.pmf(k), ref["binomial_2000_0.025_pmf"].pmf[i] as number)).toBeLessThan(1e-10),
    );
    const nb = negativeBinomial(5, 50);
    ref.negbin_5_50_pmf.k.forEach((k, i) => expect(rel(nb.pmf(k), ref.negbin_5_50_pmf.pmf[i] as number)).toBeLessThan(1e-10));
  });

  it.each([
    ["Poisson(7)", poisson(7)],
    ["Binomial(40, 0.3)", binomial(40, 0.3)],
    ["NB(2.5, 6)", negativeBinomial(2.5, 6)],
  ])("%s: pmf sums to 1, moments agree with the pmf, pgf equals sum pmf z^k at complex z", (_name, f) => {
    const ks = Array.from({ length: 400 }, (_, k) => k);
    const p = ks.map((k) => f.pmf(k));
    expect(Math.abs(neumaierSum(p) - 1)).toBeLessThan(1e-12);
    const mean = neumaierSum(ks.map((k) => k * (p[k] as number)));
    const m2 = neumaierSum(ks.map((k) => k * k * (p[k] as number)));
    expect(rel(mean, f.mean)).toBeLessThan(1e-12);
    expect(rel(m2, f.secondMoment)).toBeLessThan(1e-12);
    expect(rel(f.variance, f.mean + f.kappa * f.mean * f.mean)).toBeLessThan(1e-12);
    // z = 0.6 e^{i 0.9}: direct power series against the closed-form pgf, 1e-12 absolute
    const zr = 0.6 * Math.cos(0.9);
    const zi = 0.6 * Math.sin(0.9);
    let sr = 0;
    let si = 0;
    let pr = 1;
    let pi = 0;
    for (let k = 0; k < 400; k++) {
      sr += (p[k] as number) * pr;
      si += (p[k] as number) * pi;
      [pr, pi] = [pr * zr - pi * zi, pr * zi + pi * zr];
    }
    const out = new Float64Array(2);
    f.pgfAt(zr, zi, out, 0);
    expect(Math.abs((out[0] as number) - sr)).toBeLessThan(1e-12);
    expect(Math.abs((out[1] as number) - si)).toBeLessThan(1e-12);
    // Panjer's (a, b): P(N = k) = (a + b / k) P(N = k - 1)
    const { a, b } = f.panjer as { a: number; b: number };
    for (const k of [1, 3, 10]) expect(rel(f.pmf(k), (a + b / k) * f.pmf(k - 1))).toBeLessThan(1e-12);
  });

  it("sums of independent copies and rate scaling stay in the family", () => {
    expect(poisson(3).sumOf(4).mean).toBe(12);
    expect(binomial(10, 0.2).sumOf(3).params).toEqual({ n: 30, p: 0.2 });
    expect(negativeBinomial(2, 5).sumOf(3).params).toEqual({ r: 6, mean: 15 });
    expect(() => binomial(10, 0.6).scaleRate(2)).toThrow(RangeError);
  });

  it("rejects invalid parameters with a message naming them", () => {
    expect(() => poisson(0)).toThrow(/lambda must be > 0/);
    expect(() => binomial(2.5, 0.1)).toThrow(/n must be an integer/);
    expect(() => negativeBinomial(1, Number.NaN)).toThrow(/mean/);
  });
});

describe("severities", () => {
  it("lognormal cdf and survival match scipy, the survival to 1e-10 relative far in the tail", () => {
    const s = lognormalSeverity(4, 1);
    ref.lognormal_4_1.x.forEach((x, i) => {
      expect(Math.abs(s.cdf(x) - (ref.lognormal_4_1.cdf[i] as number))).toBeLessThan(1e-14);
      expect(rel(s.sf(x), ref.lognormal_4_1.sf[i] as number)).toBeLessThan(1e-10);
    });
    expect(rel(s.upperPoint(1e-13), ref.lognormal_4_1["isf_1e-13"])).toBeLessThan(1e-8);
    expect(rel(s.mean, Math.exp(4.5))).toBeLessThan(1e-15);
  });

  it("gamma cdf and survival match scipy, the survival to 1e-9 relative in the tail", () => {
    const s = gammaSeverity(2, 40);
    ref.gamma_2_40.x.forEach((x, i) => {
      expect(Math.abs(s.cdf(x) - (ref.gamma_2_40.cdf[i] as number))).toBeLessThan(1e-14);
      expect(rel(s.sf(x), ref.gamma_2_40.sf[i] as number)).toBeLessThan(1e-9);
    });
    expect(rel(s.upperPoint(1e-13), ref.gamma_2_40["isf_1e-13"])).toBeLessThan(1e-8);
    expect(s.secondMoment).toBe(2 * 3 * 1600);
  });

  it("empirical severities merge duplicates, renormalise and answer cdf/sf as step functions", () => {
    const s = empiricalSeverity([
      [30, 0.25],
      [10, 0.5],
      [30, 0.25],
    ]);
    expect(s.atoms).toEqual([
      [10, 0.5],
      [30, 0.5],
    ]);
    expect(s.mean).toBe(20);
    expect(s.cdf(9.99)).toBe(0);
    expect(s.cdf(10)).toBe(0.5);
    expect(s.sf(10)).toBe(0.5);
    expect(s.sf(30)).toBe(0);
    expect(() => empiricalSeverity([[0, 1]])).toThrow(/positive mean/);
  });
});

describe("discretisation", () => {
  it("puts a constant severity exactly on its lattice point", () => {
    const d = discretise(constantSeverity(90), 1);
    expect(d.pmf.length).toBe(91);
    expect(d.pmf[90]).toBe(1);
    expect(discretise(constantSeverity(90), 0.5).pmf[180]).toBe(1);
  });

  it.each([
    ["lognormal(4, 1)", lognormalSeverity(4, 1), 1],
    ["gamma(2, 40)", gammaSeverity(2, 40), 0.5],
    ["gamma(0.5, 10)", gammaSeverity(0.5, 10), 0.1],
  ])("%s: every scheme has mass 1, drops < 1e-13 of tail, and lower <= rounding-ish <= upper", (_n, s, h) => {
    const r = discretise(s, h, "rounding");
    const lo = discretise(s, h, "lower");
    const up = discretise(s, h, "upper");
    for (const d of [r, lo, up]) {
      expect(Math.abs(neumaierSum(d.pmf) - 1)).toBeLessThan(1e-12);
      expect(d.droppedMass).toBeLessThanOrEqual(1e-13);
      expect(d.pmf.every((v) => v >= 0)).toBe(true);
    }
    // The lower lattice is stochastically smaller: its cdf is above the upper lattice's at every point.
    let cl = 0;
    let cu = 0;
    for (let k = 0; k < Math.min(lo.pmf.length, up.pmf.length); k++) {
      cl += lo.pmf[k] as number;
      cu += up.pmf[k] as number;
      expect(cl).toBeGreaterThanOrEqual(cu - 1e-12);
    }
    const mr = latticeMoments(r.pmf, h).mean;
    const ml = latticeMoments(lo.pmf, h).mean;
    const mu = latticeMoments(up.pmf, h).mean;
    // Bracket: E[lower] <= E[X] <= E[upper], with the gap one step; rounding within h^2-order of the truth.
    expect(ml).toBeLessThanOrEqual(s.mean + 1e-9);
    expect(mu).toBeGreaterThanOrEqual(s.mean - 1e-9);
    expect(mu - ml).toBeLessThanOrEqual(h * (1 + 1e-9));
    expect(Math.abs(mr - s.mean)).toBeLessThan(0.01 * h);
  });

  it("keeps tail cells at full relative precision (differences of survival, not of cdf)", () => {
    const s = lognormalSeverity(4, 1);
    const d = discretise(s, 1);
    const k = 50000;
    const exact = s.sf(k - 0.5) - s.sf(k + 0.5);
    expect(rel((d.pmf[k] as number) * 1, exact)).toBeLessThan(1e-6);
  });
});

describe("linear split of order values given as points", () => {
  // Prices in cents on a lattice of 0.25: 47.99 lies between 47.75 and 48.00 (0.96 of the way).
  const sev = empiricalSeverity([
    [3.74, 0.2],
    [47.99, 0.5],
    [120, 0.3],
  ]);

  it("keeps mass and mean exactly and grows the variance by sum p (v - kh)((k + 1)h - v) <= h^2 / 4", () => {
    const h = 0.25;
    const lat = discretise(sev, h, "linear");
    expect(Math.abs(neumaierSum(lat.pmf) - 1)).toBeLessThan(1e-15);
    const { mean, secondMoment } = latticeMoments(lat.pmf, h);
    expect(Math.abs(mean - sev.mean)).toBeLessThan(1e-12);
    // Added variance, by hand: 3.74 = 3.5 + 0.24 -> 0.2 * 0.24 * 0.01; 47.99 -> 0.5 * 0.24 * 0.01; 120 on the lattice.
    const added = 0.2 * 0.24 * 0.01 + 0.5 * 0.24 * 0.01;
    expect(Math.abs(secondMoment - mean * mean - (sev.variance + added))).toBeLessThan(1e-10);
    // The split puts 0.04 of 47.99's mass at 47.75 (index 191) and 0.96 at 48 (index 192).
    expect(lat.pmf[191]).toBeCloseTo(0.5 * 0.04, 14);
    expect(lat.pmf[192]).toBeCloseTo(0.5 * 0.96, 14);
    // On-lattice values stay whole: 120 / 0.25 = 480.
    expect(lat.pmf[480]).toBeCloseTo(0.3, 15);
  });

  it("equals the exact lattice when every value is a multiple of the step", () => {
    const whole = empiricalSeverity([
      [2, 0.25],
      [5, 0.75],
    ]);
    expect(Array.from(discretise(whole, 1, "linear").pmf)).toEqual(Array.from(discretise(whole, 1, "rounding").pmf));
  });
});

describe("linear split of a continuous severity (mean-preserving, any step)", () => {
  it("keeps mass and mean of lognormal(4, 1) and gamma(2, 40) at steps from 1 to 1000 (1e-9), variance + <= h^2/4", () => {
    for (const sev of [lognormalSeverity(4, 1), gammaSeverity(2, 40)]) {
      for (const h of [1, 25, 1000]) {
        const lat = discretise(sev, h, "linear");
        expect(Math.abs(neumaierSum(lat.pmf) - 1)).toBeLessThan(1e-12);
        const { mean, secondMoment } = latticeMoments(lat.pmf, h);
        // 1e-9 relative: the lattice stops where 1e-13 of the mass remains (its share of the mean is below that).
        expect(rel(mean, sev.mean)).toBeLessThan(1e-9);
        const added = secondMoment - mean * mean - sev.variance;
        expect(added).toBeGreaterThan(-1e-9 * sev.variance);
        expect(added).toBeLessThanOrEqual((h * h) / 4 + 1e-9 * sev.variance);
      }
    }
  });

  it("puts an order at 0 or h with P(h) = E[X] / h when h is far above the order values", () => {
    const sev = gammaSeverity(2, 40); // mean 80, P(X > 8000) ~ 1e-40
    const lat = discretise(sev, 8000, "linear");
    expect(lat.pmf.length).toBe(2);
    expect(lat.pmf[1]).toBeCloseTo(80 / 8000, 12);
  });
});
