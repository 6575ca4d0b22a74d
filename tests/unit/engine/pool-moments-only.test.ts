/**
 * Lattices kept for their mean and variance only (PoolOptions.momentsOnly, the contract's modelCv): a negative
 * binomial's shock mixed over a 2-node Gauss rule instead of the adaptive rule (27 to 51 nodes here). Given the
 * mixing variable L the pooled count's mean is linear in L and its variance quadratic, and a 2-node Gauss rule
 * integrates polynomials of degree 3 exactly, so the lattice's mean and CV must equal the full rule's on the same
 * step up to round-off (tolerance 1e-8 relative, measured at most 7e-10).
 */
import { describe, expect, it } from "vitest";
import { modelCv, modelSpecSchema } from "@/lib/engine/contract";
import { negativeBinomial } from "@/lib/engine/frequency";
import { pooledShare, shareMoments } from "@/lib/engine/pool";
import { lognormalSeverity } from "@/lib/engine/severity";

const rel = (a: number, b: number): number => Math.abs(a / b - 1);
// Whole lattices of 2^19 points: seconds on a busy 2-core machine (a limit, not a speed check).
const SLOW = { timeout: 60_000 };

describe("momentsOnly: the 2-node shock mixture keeps the lattice's mean and variance", SLOW, () => {
  // r, mean, pool, rho, sigma of the order values (the mixing Gamma is the narrower of k r and the shock's 1 / c^2)
  const cases = [
    [2, 30, 5, 0.4, 1.5],
    [24.8, 7000, 3, 0.9, 1.6],
    [0.5, 3, 20, 0.3, 1],
    [5, 200, 100, 0.6, 2],
  ] as const;
  for (const [r, mean, k, rho, sigma] of cases) {
    it(`NB(${r}, ${mean}), pool ${k}, rho ${rho}, lognormal(3, ${sigma})`, () => {
      const frequency = negativeBinomial(r, mean);
      const severity = lognormalSeverity(3, sigma);
      const full = pooledShare({ frequency, severity, k, rho, quadratureOnly: true });
      const two = pooledShare({ frequency, severity, k, rho, momentsOnly: true });
      expect(two.shock.nodes).toBe(2);
      expect(full.shock.nodes).toBeGreaterThan(20);
      expect(two.step).toBe(full.step);
      expect(rel(two.distribution.mean, full.distribution.mean)).toBeLessThan(1e-8);
      expect(rel(two.distribution.cv, full.distribution.cv)).toBeLessThan(1e-8);
      // and both against the closed form (the automatic step's split: within 1e-3 here)
      expect(rel(two.distribution.cv, shareMoments(frequency, severity, k, rho).cv)).toBeLessThan(1e-3);
    });
  }
});

describe("modelCv: a CV from a lattice of at most maxGrid points, beside the closed form", SLOW, () => {
  it("is close to the closed form on 2^16 points for a smooth pool (Poisson 50 x lognormal(4, 1), pool 10, rho 0.2)", () => {
    const spec = modelSpecSchema.parse({ frequency: { kind: "poisson", lambda: 50 }, severity: { kind: "lognormal", mu: 4, sigma: 1 }, pool: 10, rho: 0.2 });
    const r = modelCv(spec, 1 << 16);
    expect(r.gridSize).toBeLessThanOrEqual(1 << 16);
    // closed form 0.137942 (pool-moments.ts); the lattice 0.137957: the rounding of order values at step 10
    expect(r.closedForm).toBeCloseTo(0.1379419, 6);
    expect(rel(r.cv, r.closedForm)).toBeLessThan(2e-4);
  });

  it("shows how far a lattice too coarse for a pool's spread sits (Poisson 58 x lognormal(2.67, 1.85), pool 30, rho 0.05)", () => {
    // 2^16 points force a step of 500 for a sum whose shock leaves it too spiky to sample as a density; the
    // automatic lattice samples it on 2^17 points at step 100
    const spec = modelSpecSchema.parse({
      frequency: { kind: "poisson", lambda: 58 },
      severity: { kind: "lognormal", mu: 2.67, sigma: 1.85 },
      pool: 30,
      rho: 0.05,
    });
    const coarse = modelCv(spec, 1 << 16);
    const auto = modelCv(spec);
    expect(rel(coarse.cv, coarse.closedForm)).toBeGreaterThan(1e-2); // 1.5e-2 measured: the split's variance
    expect(auto.gridSize).toBeGreaterThan(1 << 16);
    expect(rel(auto.cv, auto.closedForm)).toBeLessThan(1e-3); // 2.6e-5 measured on 2^17 points
  });

  it("samples the real daily campaign's pool of 1000 at rho 0.1 as a density within 2^16 points (a 3 x 2^13 grid)", () => {
    // the campaign of ../shared fitted at a day (typed here): 10,633 conversions a day, NB size 52.4, orders
    // lognormal(2.57, 1.63); on a power-of-two grid of 2^15 points this sum fell back to the split (2% off)
    const spec = modelSpecSchema.parse({
      frequency: { kind: "negbin", r: 52.36272248745035, mean: 10632.564303606998 },
      severity: { kind: "lognormal", mu: 2.569813464633622, sigma: 1.6258754052768982 },
      pool: 1000,
      rho: 0.1,
    });
    const r = modelCv(spec, 1 << 16);
    expect(r.method).toBe("fft-density");
    expect(r.gridSize).toBe(24576);
    expect(rel(r.cv, r.closedForm)).toBeLessThan(1e-6); // 1.9e-8 measured
  });
});
