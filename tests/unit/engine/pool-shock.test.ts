import { describe, expect, it } from "vitest";
import { betaBinomialSeries } from "@/lib/engine/count-series";
import { binomial, negativeBinomial, poisson } from "@/lib/engine/frequency";
import { pooledShare, shockQuantile } from "@/lib/engine/pool";
import { shareMoments } from "@/lib/engine/pool-moments";
import { minRuleNodes } from "@/lib/engine/pool-shock";
import { lognormalSeverity } from "@/lib/engine/severity";
import { betaQuadrature } from "@/lib/engine/quadrature";

/** Largest |rule - series| over angles spread on the upper half of the unit circle. */
function ruleError(trials: number, a: number, b: number, nodes: number): number {
  const series = betaBinomialSeries(trials, a, b, 1 << 20);
  if (series === null) throw new Error("no series");
  const rule = betaQuadrature(a, b, nodes);
  let worst = 0;
  for (const theta of [1e-3, 1e-2, 0.1, 0.5, 1, 2, 3, Math.PI]) {
    const exact = Float64Array.of(Math.cos(theta), Math.sin(theta));
    series.apply(exact, 1);
    let re = 0;
    let im = 0;
    rule.nodes.forEach((rate, q) => {
      const z = Float64Array.of(Math.cos(theta), Math.sin(theta));
      binomial(trials, rate).applyPgf(z, 1);
      re += (rule.weights[q] as number) * (z[0] as number);
      im += (rule.weights[q] as number) * (z[1] as number);
    });
    worst = Math.max(worst, Math.hypot(re - (exact[0] as number), im - (exact[1] as number)));
  }
  return worst;
}

describe("minRuleNodes: a rule over the shared rate smaller than the bound is never accurate", () => {
  // The shared rate of the engine benchmark's slider case (binomial p 0.0067, rho 0.3): Beta(0.76, 112.6). Rules
  // double from 8 nodes, so the largest one under the bound stands for all of them.
  const a = 0.76;
  const b = 112.6;
  it.each([700, 7_000, 70_000])("%i trials: the rule under the bound misses the series, the first one over it does not", (trials) => {
    const bound = minRuleNodes(trials);
    let under = 8;
    while (under * 2 < bound) under *= 2;
    // Misses by more than verifyRule's 1e-9 tolerance (measured 3e-6, 3.5e-5 and 9.3e-6): it would be refused.
    expect(ruleError(trials, a, b, under)).toBeGreaterThan(1e-9);
    // Within 1e-12 at twice that size (measured 7.5e-14, 4.6e-13 and 6.9e-14 at 64, 256 and 1,024 nodes), so the
    // bound rules out no rule that the doubling would have found and kept.
    expect(ruleError(trials, a, b, under * 2)).toBeLessThan(1e-12);
  });
});

describe("shockQuantile: the shared shock's upper quantile that sizes a pooled grid", () => {
  // scipy.stats: beta.isf(1e-13, a, b) / p with a + b = (1 - p) / (p c2) - 1, a = p (a + b), for binomial p 0.0067;
  // gamma.isf(1e-13, 1 / c2) c2 for a Gamma shock of mean 1.
  it.each([
    [0.1, 5.254464432813529],
    [1.2957186411798067, 33.82776515946492],
    [3, 63.86412538619167],
  ])("Beta shock on a binomial rate, c2 %s: scipy's %s (1e-9 relative)", (c2, want) => {
    expect(Math.abs(shockQuantile(binomial(70, 0.0067), c2, 1e-13) / want - 1)).toBeLessThan(1e-9);
  });
  it.each([
    [0.1, 5.305528349435052],
    [1.2957186411798067, 37.5466188798817],
    [3, 80.20130039822533],
    [10, 247.58220296961633],
  ])("Gamma shock on a Poisson or negative binomial rate, c2 %s: scipy's %s (1e-9 relative)", (c2, want) => {
    expect(Math.abs(shockQuantile(poisson(50), c2, 1e-13) / want - 1)).toBeLessThan(1e-9);
    expect(Math.abs(shockQuantile(negativeBinomial(83, 0.167), c2, 1e-13) / want - 1)).toBeLessThan(1e-9);
  });

  it("puts the engine benchmark's slider pool on a grid that holds its sum, with every check passed", () => {
    // Binomial(70, 0.0067) budgets, 1,000 of them at rho 0.3 (c2 1.30): the Wilson-Hilferty quantile (48.4 against
    // the Beta's 33.8) asked for 2^19 points; the sum's mass (to 1e-16) ends inside 3 x 2^17 at the same step.
    const r = pooledShare({ frequency: binomial(70, 0.0067), severity: lognormalSeverity(3.6, 0.6), k: 1000, rho: 0.3, step: 2.5 });
    expect(r.gridSize).toBe(3 * 2 ** 17);
    expect(r.distribution.pmf.length).toBeLessThan((15 / 16) * r.gridSize);
    const closed = shareMoments(binomial(70, 0.0067), lognormalSeverity(3.6, 0.6), 1000, 0.3);
    // Rounding lognormal(3.6, 0.6) orders to a step of 2.5 moves E[X] by 1e-8 and the sd by 2.3e-7 here.
    expect(Math.abs(r.distribution.mean / closed.mean - 1)).toBeLessThan(1e-7);
    expect(Math.abs(r.distribution.sd / closed.sd - 1)).toBeLessThan(1e-6);
  });
});
