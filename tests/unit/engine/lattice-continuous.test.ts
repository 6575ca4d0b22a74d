import { describe, expect, it } from "vitest";
import { negativeBinomial, poisson } from "@/lib/engine/frequency";
import { LatticeDistribution } from "@/lib/engine/lattice";
import { autoLattice } from "@/lib/engine/lattice-step";
import { pooledShare } from "@/lib/engine/pool";
import { lognormalSeverity } from "@/lib/engine/severity";

/**
 * A few sales a week of similar value (a small campaign's revenue): the automatic step, and P(revenue < spend) read
 * between cells.
 *
 * Reference (numpy, independent of the engine): Poisson(1.6) x lognormal(3.34, 0.092) on a lattice of h = 0.0005
 * (2^21 points, each order value's cell mass from the normal cdf of its log, the compound by numpy.fft), quantiles
 * as the smallest point with F >= p (off by at most h / 2 = 0.00025), P(S < 30) read at the cell edge:
 *   q(0.25) 25.6415, q(0.5) 32.17, q(0.75) 60.8795, q(0.95) 113.5315, q(0.99) 146.0615, P(S < 30) 0.443214597,
 *   P(S = 0) = e^-1.6, E[S] 45.342084970, sd(S) 35.998088, the orders' 1% quantile x01 = 22.782.
 */
const REF_QUANTILES: [number, number][] = [
  [0.25, 25.6415],
  [0.5, 32.17],
  [0.75, 60.8795],
  [0.95, 113.5315],
  [0.99, 146.0615],
];

describe("automatic step of a sum that is often 0", () => {
  const frequency = poisson(1.6);
  const severity = lognormalSeverity(3.34, 0.092);

  it("is a hundredth of the orders' 1% quantile (capped at sd / 250), not sd / 1000, and its quantiles stay within 0.5%", () => {
    const r = pooledShare({ frequency, severity, k: 1 });
    // sd / 1000 = 0.036 would give 0.025; x01 / 100 = 0.228 capped at sd / 250 = 0.144 and the orders' rounding
    // bound (sd(X) / 20 = 0.13) gives 0.1.
    expect(r.step).toBe(0.1);
    const d = r.distribution;
    // P(S = 0) = P(N = 0) exactly (to the lattice's round-off, 1e-12)
    expect(Math.abs(d.pmf[0]! - Math.exp(-1.6))).toBeLessThan(1e-12);
    // the mean to 1e-6 relative (rounding at h moves E[X] by O(h^2)); the sd to 1e-4
    expect(Math.abs(d.mean / 45.342084970 - 1)).toBeLessThan(1e-6);
    expect(Math.abs(d.sd / 35.998088 - 1)).toBeLessThan(1e-4);
    // quantiles at levels from P(S = 0) + 1% up: within 0.5% (the promise), in fact within h / 2 + the reference's h / 2
    for (const [p, q] of REF_QUANTILES) expect(Math.abs(d.quantile(p) / q - 1), `q(${p})`).toBeLessThan(0.005);
  });

  it("keeps sd / 1000 when the sum is rarely 0 (P(N = 0) < 1%), and when no bound of P(N = 0) is given", () => {
    const shape = { mean: 45.342, sd: 35.998, severityTop: severity.upperPoint(1e-13) };
    expect(autoLattice(shape, severity).step).toBe(0.025);
    expect(autoLattice({ ...shape, zeroMass: 0.009 }, severity).step).toBe(0.025);
    expect(autoLattice({ ...shape, zeroMass: 0.2 }, severity).step).toBe(0.1);
  });

  it("reads P(S < spend) between cells: within 5e-5 of the reference where the point below is off by more than 1e-3", () => {
    const d = pooledShare({ frequency, severity, k: 1 }).distribution;
    // the cell reading is off by O(f'(s) h^2) (1.3e-5 here, at h = 0.1); the point below by about f(s) h / 2
    expect(Math.abs(d.probBelowContinuous(30) - 0.443214597)).toBeLessThan(5e-5);
    expect(Math.abs(d.probBelow(30) - 0.443214597)).toBeGreaterThan(1e-3);
  });
});

describe("probBelowContinuous", () => {
  it("matches a closed form on a real-sized campaign: NB(mean 1.296) sales of lognormal(3.13, 0.099), spend 22.40", () => {
    // At most one sale can come in under 22.40 (two sales of at least 11.2 each: P < 5e-13), so
    // P(S < 22.4) = P(N = 0) + P(N = 1) Phi((ln 22.4 - mu) / sigma) = 0.4232250234 (scipy.stats nbinom and norm).
    const d = pooledShare({ frequency: negativeBinomial(99.97201693146386, 1.2958405673497893), severity: lognormalSeverity(3.129675427737289, 0.09856887320888463), k: 1 }).distribution;
    expect(Math.abs(d.probBelowContinuous(22.4) - 0.4232250234)).toBeLessThan(2e-5);
    // the point below misses the mass of the cell the spend falls in (about f(22.4) h / 2)
    expect(Math.abs(d.probBelow(22.4) - 0.4232250234)).toBeGreaterThan(1e-3);
  });

  it("keeps the atom at 0 whole and stays within [0, 1]", () => {
    // P(S = 0) = 0.5, then 0.2 at each of 1, 2 and 3 (step 1, no offset) minus 0.1 at 3
    const d = new LatticeDistribution(Float64Array.of(0.5, 0.2, 0.2, 0.1), 1);
    expect(d.probBelowContinuous(-1)).toBe(0);
    expect(d.probBelowContinuous(0)).toBe(0);
    expect(d.probBelowContinuous(0.3)).toBe(0.5); // inside the atom's cell: the atom whole, none of point 1
    expect(d.probBelowContinuous(0.5)).toBeCloseTo(0.5, 15); // the edge of point 1's cell
    expect(d.probBelowContinuous(1)).toBeCloseTo(0.6, 15); // half of point 1's cell
    expect(d.probBelowContinuous(2.25)).toBeCloseTo(0.7 + 0.2 * 0.75, 15);
    expect(d.probBelowContinuous(3.4)).toBeCloseTo(0.9 + 0.1 * 0.9, 15);
    expect(d.probBelowContinuous(3.5)).toBe(1);
    expect(d.probBelowContinuous(1e9)).toBe(1);
  });
});
