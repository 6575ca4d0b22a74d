/**
 * The far-field series of a negative binomial shock mixture (negativeBinomialMixtureTerm in shock-mixture.ts) against
 * the node-by-node sum it replaces away from z = 1 (mixtureTerm): the same mixture of NB(r, r beta_q) over a
 * quadrature rule, evaluated at points of the unit disk from z = 1 outwards. The series' truncation is bounded by
 * 1e-16; with round-off the two agree to 2e-14 absolute (measured at most 1e-16; the mixture's own tolerance is 1e-13).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { negativeBinomial } from "@/lib/engine/frequency";
import { mixtureTerm, negativeBinomialMixtureTerm } from "@/lib/engine/shock-mixture";
import { gammaQuadrature, gammaTrapezoid } from "@/lib/engine/quadrature";

/** The term of a mixture over `nodes` of Gamma(shape): NB(r, mean x_q) for each node x_q. */
function terms(r: number, mean: number, shape: number, nodes: number) {
  const rule = shape >= 1 ? gammaTrapezoid(shape, nodes) : gammaQuadrature(shape, nodes);
  const parts = Array.from(rule.nodes, (x) => negativeBinomial(r, mean * x));
  const severity = Float64Array.of(0, 1);
  return { base: mixtureTerm(severity, parts, rule.weights), far: negativeBinomialMixtureTerm(severity, r, parts, rule.weights) };
}

/** Points z = rho e^(i theta) with |1 - z| from 1e-9 to 2: the lowest frequencies of a lattice up to its Nyquist. */
function points(seed: number, count: number): Float64Array {
  const z = new Float64Array(2 * count);
  const draws = fc.sample(fc.tuple(fc.double({ min: -9, max: Math.log10(Math.PI), noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { seed, numRuns: count });
  draws.forEach(([logTheta, shrink], i) => {
    const theta = 10 ** logTheta;
    const rho = 1 - shrink * Math.min(1, theta); // inside the disk, as a severity's transform is
    z[2 * i] = rho * Math.cos(theta);
    z[2 * i + 1] = rho * Math.sin(theta);
  });
  return z;
}

describe("negativeBinomialMixtureTerm: the far-field series equals the node-by-node sum", () => {
  // [r (shape of every part), mean count, shape of the Gamma integrated by nodes, nodes]: the real daily campaign's
  // week at rho 0.95 (r = 0.31 exact, own Gamma 24.8 by nodes), the same in a pool of 1000, and shapes 2 and 5 (a
  // larger r makes the far values negligible: |B u|^-r < 1e-20)
  const cases = [
    [0.31, 74_428, 24.8, 26],
    [0.31, 7.4e7, 24_800, 32],
    [2, 5_000, 3, 16],
    [5, 20_000, 0.6, 24],
  ] as const;
  for (const [r, mean, shape, nodes] of cases) {
    it(`NB(${r}) with mean ${mean} mixed over Gamma(${shape}), ${nodes} nodes`, () => {
      const { base, far } = terms(r, mean, shape, nodes);
      const z = points(nodes, 4000);
      const a = z.slice();
      const b = z.slice();
      base.apply(a, 4000);
      far.apply(b, 4000);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
      expect(worst).toBeLessThan(2e-14);
      // the series did the work: most points are far, and many of them carry more than round-off
      expect(farShare(r, mean, shape, nodes, z)).toBeGreaterThan(0.5);
      let carried = 0;
      for (let i = 0; i < a.length; i += 2) if (Math.hypot(a[i] as number, a[i + 1] as number) > 1e-12) carried++;
      expect(carried).toBeGreaterThan(100);
    });
  }
});

/** Share of the points where the series is used: |1 - z| >= 10 / B, B the larger of the smallest beta_q = mean x_q / r
 * and 1e-3 times the largest (as negativeBinomialMixtureTerm chooses it). */
function farShare(r: number, mean: number, shape: number, nodes: number, z: Float64Array): number {
  const rule = shape >= 1 ? gammaTrapezoid(shape, nodes) : gammaQuadrature(shape, nodes);
  const b = (mean * Math.max(Math.min(...rule.nodes), 1e-3 * Math.max(...rule.nodes))) / r;
  let far = 0;
  for (let i = 0; i < z.length; i += 2) if (Math.hypot(1 - (z[i] as number), z[i + 1] as number) >= 10 / b) far++;
  return far / (z.length / 2);
}
