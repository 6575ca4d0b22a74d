import { describe, expect, it } from "vitest";
import { aggregate } from "@/lib/engine/aggregate";
import { empiricalQuantile, monteCarloAggregate, normalApproximation, normalPowerApproximation } from "@/lib/engine/approx";
import { poisson } from "@/lib/engine/frequency";
import { betaQuadrature, gammaQuadrature } from "@/lib/engine/quadrature";
import { createRng } from "@/lib/engine/rng";
import { gammaSeverity, lognormalSeverity } from "@/lib/engine/severity";
import ref from "../../fixtures/engine/reference-values.json";

describe("seeded random numbers", () => {
  it("repeats a stream for a seed and differs between seeds", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(xs);
  });

  it("samplers have the right means and variances (n = 20,000; tolerance 5 standard errors)", () => {
    const rng = createRng(2026);
    const n = 20_000;
    const check = (draw: () => number, mean: number, variance: number): void => {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const x = draw();
        s += x;
        s2 += x * x;
      }
      const m = s / n;
      expect(Math.abs(m - mean)).toBeLessThan(5 * Math.sqrt(variance / n));
      expect(Math.abs(s2 / n - m * m - variance)).toBeLessThan(0.1 * variance);
    };
    check(() => rng.uniform(), 0.5, 1 / 12);
    check(() => rng.normal(), 0, 1);
    check(() => rng.gamma(0.4), 0.4, 0.4);
    check(() => rng.gamma(7), 7, 7);
    check(() => rng.poisson(3), 3, 3);
    check(() => rng.poisson(800), 800, 800);
    check(() => rng.binomial(2000, 0.025), 50, 48.75);
    check(() => rng.negativeBinomial(5, 50), 50, 550);
  });
});

describe("comparison methods", () => {
  const lattice = aggregate({ frequency: poisson(800), severity: lognormalSeverity(4, 1), step: 1 }).distribution;

  it("normal quantiles use scipy's z values", () => {
    const n = normalApproximation(0, 1);
    ref.normal_quantile.p.forEach((p, i) => expect(Math.abs(n.quantile(p) - (ref.normal_quantile.z[i] as number))).toBeLessThan(1e-9));
  });

  it("normal-power is closer to the lattice than the normal approximation in the skewed tail, and inverts itself", () => {
    const np = normalPowerApproximation(lattice.mean, lattice.sd, lattice.skewness);
    const nn = normalApproximation(lattice.mean, lattice.sd);
    const q = lattice.quantile(0.995);
    expect(Math.abs(np.quantile(0.995) - q)).toBeLessThan(Math.abs(nn.quantile(0.995) - q));
    expect(Math.abs(np.quantile(0.995) / q - 1)).toBeLessThan(0.005);
    expect(np.cdf(np.quantile(0.9))).toBeCloseTo(0.9, 12);
  });

  it("a seeded Monte Carlo agrees with the lattice (20,000 draws: quantiles within 2%)", () => {
    const f = poisson(3);
    const s = gammaSeverity(2, 40);
    const d = aggregate({ frequency: f, severity: s, step: 0.5 }).distribution;
    const draws = monteCarloAggregate(f, s, 20_000, createRng(7));
    for (const p of [0.5, 0.9, 0.99]) expect(Math.abs(empiricalQuantile(draws, p) / d.quantile(p) - 1)).toBeLessThan(0.02);
  });
});

describe("Gauss quadrature for the common shock", () => {
  it("reproduces Gamma and Beta moments exactly (1e-12)", () => {
    const g = gammaQuadrature(4, 16);
    let m1 = 0;
    let m2 = 0;
    g.nodes.forEach((x, i) => {
      m1 += (g.weights[i] as number) * x;
      m2 += (g.weights[i] as number) * x * x;
    });
    expect(Math.abs(m1 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(m2 - 1.25)).toBeLessThan(1e-12);
    const b = betaQuadrature(2, 3, 8);
    let b1 = 0;
    let b2 = 0;
    b.nodes.forEach((x, i) => {
      b1 += (b.weights[i] as number) * x;
      b2 += (b.weights[i] as number) * x * x;
    });
    expect(Math.abs(b1 - 0.4)).toBeLessThan(1e-12);
    expect(Math.abs(b2 - 0.2)).toBeLessThan(1e-12); // a(a+1)/((a+b)(a+b+1)) = 6/30
  });
});
