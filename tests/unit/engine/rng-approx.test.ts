import { describe, expect, it } from "vitest";
import { aggregate } from "@/lib/engine/aggregate";
import { empiricalQuantile, monteCarloAggregate, normalApproximation, normalPowerApproximation } from "@/lib/engine/approx";
import { negativeBinomial, poisson } from "@/lib/engine/frequency";
import { betaQuadrature, betaTrapezoid, gammaQuadrature, gammaTrapezoid } from "@/lib/engine/quadrature";
import { adaptiveMixture } from "@/lib/engine/pool";
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

describe("trapezoidal rules for a concentrated shock", () => {
  const moments = (r: { nodes: Float64Array; weights: Float64Array }): [number, number, number] => {
    let w = 0;
    let m1 = 0;
    let m2 = 0;
    r.nodes.forEach((x, i) => {
      const p = r.weights[i] as number;
      w += p;
      m1 += p * x;
      m2 += p * x * x;
    });
    return [w, m1, m2];
  };

  it("Gamma(shape, mean 1) in log x: mass and mean exact (1e-14), variance 1/shape to 1e-12 with 256 intervals", () => {
    for (const shape of [1, 4, 30, 1000]) {
      const [w, m1, m2] = moments(gammaTrapezoid(shape, 256));
      expect(Math.abs(w - 1)).toBeLessThan(1e-14);
      expect(Math.abs(m1 - 1)).toBeLessThan(1e-14);
      // Var = 1 / shape for Gamma(shape, scale 1 / shape); the rule converges geometrically: shape 1 needs the most
      // intervals (its left tail in log x is the longest), 1e-12 relative at 256.
      expect(Math.abs((m2 - 1) * shape - 1)).toBeLessThan(1e-12);
    }
  });

  it("converges geometrically: Gamma(4) variance error below 1e-3 at 32 intervals, 1e-9 at 64", () => {
    const err = (m: number): number => {
      const [, , m2] = moments(gammaTrapezoid(4, m));
      return Math.abs((m2 - 1) * 4 - 1);
    };
    expect(err(32)).toBeLessThan(1e-3);
    expect(err(64)).toBeLessThan(1e-9);
    expect(err(16)).toBeGreaterThan(1e-2); // too few intervals do show: the doubling in adaptiveMixture is needed
  });

  it("Beta(a, b) in logit x (256 intervals): mean a / (a + b) exact, second moment a (a + 1) / ((a + b)(a + b + 1)) to 1e-12", () => {
    for (const [a, b] of [[2, 3], [87, 1410], [400, 20]] as const) {
      const [w, m1, m2] = moments(betaTrapezoid(a, b, 256));
      expect(Math.abs(w - 1)).toBeLessThan(1e-14);
      expect(Math.abs(m1 / (a / (a + b)) - 1)).toBeLessThan(1e-14);
      expect(Math.abs(m2 / ((a * (a + 1)) / ((a + b) * (a + b + 1))) - 1)).toBeLessThan(1e-12);
    }
  });

  it("adaptive mixtures stop early for narrow shocks and agree with a 2048-node Gauss rule on the circle (1e-12)", () => {
    // NB(5, 20) budgets, pool of 50, shock Gamma(400): the narrow variable is Gamma(250) (k r) or Gamma(400).
    const build = (nodes: number, trapezoidal: boolean) => {
      const rule = trapezoidal ? gammaTrapezoid(400, nodes) : gammaQuadrature(400, nodes);
      return { weights: rule.weights, parts: Array.from(rule.nodes, (g) => negativeBinomial(250, 1000 * g)) };
    };
    const mix = adaptiveMixture((n) => build(n, true));
    expect(mix.parts.length).toBeLessThanOrEqual(65);
    const wide = build(2048, false);
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    for (const theta of [1e-4, 1e-3, 0.01, 0.03, 0.1, 1, 3]) {
      const mixAt = (m: { parts: ReturnType<typeof negativeBinomial>[]; weights: Float64Array }, out: Float64Array) => {
        let re = 0;
        let im = 0;
        m.parts.forEach((f, q) => {
          f.pgfAt(Math.cos(theta), Math.sin(theta), out, 0);
          re += (m.weights[q] as number) * (out[0] as number);
          im += (m.weights[q] as number) * (out[1] as number);
        });
        return [re, im] as const;
      };
      const [r1, i1] = mixAt(mix, a);
      const [r2, i2] = mixAt(wide, b);
      expect(Math.hypot(r1 - r2, i1 - i2)).toBeLessThan(1e-12);
    }
  });
});
