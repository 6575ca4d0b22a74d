import { describe, expect, it } from "vitest";
import { betaBinomialSeries } from "@/lib/engine/count-series";
import { binomial } from "@/lib/engine/frequency";
import { minRuleNodes } from "@/lib/engine/pool-shock";
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
