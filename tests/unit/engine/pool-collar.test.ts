import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aggregate } from "@/lib/engine/aggregate";
import { collar, zeroCostCap, zeroCostCollar } from "@/lib/engine/collar";
import { binomial, negativeBinomial, poisson } from "@/lib/engine/frequency";
import { LatticeDistribution } from "@/lib/engine/lattice";
import { cvCurve, heterogeneousPool, poolSizeForCv, pooledShare, shareMoments, shockVariance } from "@/lib/engine/pool";
import { constantSeverity, gammaSeverity, lognormalSeverity } from "@/lib/engine/severity";

const rel = (a: number, b: number): number => Math.abs(a / b - 1);

describe("lattice risk figures", () => {
  // A small hand-checkable distribution: P(0) = 0.2, P(1) = 0.5, P(2) = 0.3 at step 10.
  const d = new LatticeDistribution(Float64Array.of(0.2, 0.5, 0.3), 10);

  it("gives the moments, cdf and quantiles of the hand example", () => {
    expect(d.mean).toBeCloseTo(11, 12);
    expect(d.variance).toBeCloseTo(49, 10); // E[S^2] = 170, 170 - 121
    expect(d.cdf(9.99)).toBe(0.2);
    expect(d.cdf(10)).toBeCloseTo(0.7, 15);
    expect(d.probBelow(10)).toBe(0.2);
    expect(d.quantile(0.2)).toBe(0); // F(0) = 0.2 >= 0.2: the smallest such x
    expect(d.quantile(0.7)).toBe(10);
    expect(d.quantile(0.71)).toBe(20);
  });

  it("splits the atom at the quantile in ES (Acerbi-Tasche) and interpolates stop-loss linearly", () => {
    // ES_0.5: worst half = 0.3 at 20 and 0.2 of the atom at 10 -> (6 + 2) / 0.5 = 16
    expect(d.expectedShortfall(0.5)).toBeCloseTo(16, 12);
    expect(d.stopLoss(0)).toBeCloseTo(11, 12);
    expect(d.stopLoss(10)).toBeCloseTo(3, 12); // 0.3 * 10
    expect(d.stopLoss(15)).toBeCloseTo(1.5, 12);
    expect(d.stopLoss(25)).toBe(0);
    expect(d.putValue(10)).toBeCloseTo(2, 12); // 0.2 * 10
    expect(d.putValue(15)).toBeCloseTo(2 + 0.7 * 5, 12);
    expect(d.stopLossInverse(1.5)).toBeCloseTo(15, 12);
  });
});

describe("pooling", () => {
  const f = poisson(50);
  const s = lognormalSeverity(4, 1);

  it("independent pool: CV_k = CV_1 / sqrt(k) and the mean is unchanged", () => {
    const one = aggregate({ frequency: f, severity: s, step: 1 }).distribution;
    const ten = pooledShare({ frequency: f, severity: s, k: 10, step: 1 }).distribution;
    expect(rel(ten.mean, one.mean)).toBeLessThan(1e-9);
    expect(rel(ten.cv, one.cv / Math.sqrt(10))).toBeLessThan(1e-7);
  });

  it("correlated pool follows CV_1 sqrt(rho + (1 - rho) / k) for Poisson, negative binomial and binomial", () => {
    const cases = [
      { frequency: poisson(20), severity: gammaSeverity(2, 40), k: 8, rho: 0.3 },
      { frequency: negativeBinomial(4, 20), severity: gammaSeverity(2, 40), k: 5, rho: 0.25 },
      { frequency: binomial(400, 0.05), severity: constantSeverity(1), k: 6, rho: 0.2 },
    ];
    for (const c of cases) {
      const one = pooledShare({ ...c, k: 1, step: c.severity.mean > 1 ? 1 : undefined }).distribution;
      const pool = pooledShare({ ...c, step: c.severity.mean > 1 ? 1 : undefined }).distribution;
      // Closed form from the single (shocked) budget's lattice CV; the quadrature keeps moments exact: 1e-6.
      expect(rel(pool.cv, one.cv * Math.sqrt(c.rho + (1 - c.rho) / c.k))).toBeLessThan(1e-6);
      expect(pool.cv).toBeLessThan(one.cv);
      expect(rel(pool.mean, one.mean)).toBeLessThan(1e-8);
      const closed = shareMoments(c.frequency, c.severity, c.k, c.rho);
      expect(rel(pool.cv, closed.cv)).toBeLessThan(1e-3); // continuous vs lattice severity moments
    }
  });

  it("property: pooling never raises the CV, and the CV follows the closed form", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 60, noNaN: true }),
        fc.integer({ min: 2, max: 40 }),
        fc.double({ min: 0, max: 0.8, noNaN: true }),
        (lambda, k, rho) => {
          const sev = gammaSeverity(2, 40);
          const one = pooledShare({ frequency: poisson(lambda), severity: sev, k: 1, rho }).distribution;
          const pool = pooledShare({ frequency: poisson(lambda), severity: sev, k, rho }).distribution;
          expect(pool.cv).toBeLessThanOrEqual(one.cv * (1 + 1e-9));
          // 1e-3: the two lattices may use different automatic steps (discretisation of the severity)
          expect(rel(pool.cv, one.cv * Math.sqrt(rho + (1 - rho) / k))).toBeLessThan(1e-3);
        },
      ),
      { numRuns: 12, seed: 7 },
    );
  });

  it("pools of 100,000 budgets: the density-sampled coarse lattice keeps the mean and the closed-form CV", () => {
    for (const rho of [0, 0.3]) {
      const r = pooledShare({ frequency: f, severity: s, k: 100_000, rho });
      expect(r.method).toBe("fft-density");
      const closed = shareMoments(f, s, 100_000, rho);
      // Sampling the density of a sum of 5 million orders: mean to 1e-6, CV to 1e-3 (lattice step vs sd).
      expect(rel(r.distribution.mean, closed.mean)).toBeLessThan(1e-6);
      expect(rel(r.distribution.cv, closed.cv)).toBeLessThan(1e-3);
    }
  });

  it("a heterogeneous pool of identical budgets equals the homogeneous pool", () => {
    const b = { frequency: poisson(5), severity: gammaSeverity(2, 40) };
    const het = heterogeneousPool([b, b, b], 1).distribution;
    const hom = pooledShare({ ...b, k: 3, step: 1 }).distribution;
    expect(rel(het.sd, hom.sd)).toBeLessThan(1e-10);
    expect(het.quantile(0.9)).toBe(hom.quantile(0.9));
  });

  it("the design's shock size for Poisson: c^2 = rho / (1 - rho) E[N]E[X^2] / (E[N]E[X])^2", () => {
    const c2 = shockVariance(f, s, 0.2);
    expect(rel(c2, (0.25 * 50 * s.secondMoment) / (50 * s.mean) ** 2)).toBeLessThan(1e-12);
    expect(() => shockVariance(negativeBinomial(1, 5), s, 0.6)).toThrow(/out of reach/);
  });

  it("CV curve k = 1..1000 and the pool size for a target CV, with the unreachable floor", () => {
    const curve = cvCurve(0.4, 0.1, 1000);
    expect(curve.length).toBe(1000);
    expect(curve[0]).toBeCloseTo(0.4, 15);
    for (let k = 1; k < 1000; k++) expect(curve[k] as number).toBeLessThan(curve[k - 1] as number);
    expect(curve[999]).toBeGreaterThan(0.4 * Math.sqrt(0.1));
    const need = poolSizeForCv(0.4, 0.1, 0.2);
    expect(need).toMatchObject({ reachable: true, k: 6 }); // (1 - 0.1) / (0.25 - 0.1) = 6
    expect(poolSizeForCv(0.4, 0.1, 0.12)).toEqual({ reachable: false, floorCv: 0.4 * Math.sqrt(0.1) });
    expect(poolSizeForCv(0.4, 0, 0.5)).toMatchObject({ reachable: true, k: 1 });
  });
});

describe("collars", () => {
  it("property: the collared payoff always lies in [floor, cap] and a zero-cost collar keeps the mean", () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 80, noNaN: true }), fc.double({ min: 0.01, max: 0.45, noNaN: true }), (lambda, q) => {
        const d = aggregate({ frequency: poisson(lambda), severity: gammaSeverity(2, 40), step: 1 }).distribution;
        const floor = d.quantile(q);
        const c = zeroCostCollar(d, floor);
        if (c === null) return; // floor above the mean (only possible for tiny lambda)
        expect(c.cap).toBeGreaterThanOrEqual(floor);
        const v = c.distribution.values;
        expect(v[0]).toBe(floor);
        expect(v[v.length - 1]).toBe(c.cap);
        for (const x of v) expect(x >= floor && x <= c.cap).toBe(true);
        expect(Math.abs(c.putValue - c.capValue)).toBeLessThan(1e-9 * d.mean);
        expect(Math.abs(c.meanAfter - c.meanBefore)).toBeLessThan(1e-9 * d.mean);
        expect(c.q05After).toBeGreaterThanOrEqual(c.q05Before); // a collar never lowers the floor quantile
        expect(c.sdAfter).toBeLessThanOrEqual(c.sdBefore * (1 + 1e-12)); // clamping is 1-Lipschitz: Var cannot grow
      }),
      { numRuns: 15, seed: 11 },
    );
  });

  it("works on conversion counts (a constant severity of 1)", () => {
    const d = aggregate({ frequency: poisson(9), severity: constantSeverity(1), step: 1 }).distribution;
    const c = zeroCostCollar(d, 5);
    expect(c).not.toBeNull();
    // put = E[(5 - N)+] from the Poisson pmf directly
    let put = 0;
    for (let k = 0; k < 5; k++) put += (5 - k) * poisson(9).pmf(k);
    expect(rel(c?.putValue as number, put)).toBeLessThan(1e-12);
    expect(c?.q05After).toBe(5);
  });

  it("has no zero-cost cap for a floor above the mean, and checks floor <= cap", () => {
    const d = aggregate({ frequency: poisson(9), severity: constantSeverity(1), step: 1 }).distribution;
    expect(zeroCostCap(d, 10)).toBeNull();
    expect(() => collar(d, 8, 5)).toThrow(/must not be below the floor/);
  });
});

describe("a pool too large and too correlated for a smooth density", () => {
  // The mean is exact up to the transform's round-off, a few millionths of a lattice step whatever the step (measured
  // 3.6e-10 relative at step 10,000 and 1.8e-9 at the automatic 50,000, where the mean is 3,600 steps): 1e-8
  // relative is 3.6e-5 of a step there, still a thousandth of what the lattice check allows (1e-6).
  it("pool of 100,000 NB(5, 20) budgets with rho 0.5: mean exact (1e-8), CV within 1% of the closed form", () => {
    const f = negativeBinomial(5, 20);
    const s = lognormalSeverity(4, 1);
    const r = pooledShare({ frequency: f, severity: s, k: 100_000, rho: 0.5 });
    expect(rel(r.distribution.mean, f.mean * s.mean)).toBeLessThan(1e-8);
    expect(rel(r.distribution.cv, shareMoments(f, s, 100_000, 0.5).cv)).toBeLessThan(0.01);
  });
});
