/**
 * Order values given as points in cents (the empirical severities estimated from order rows), with the automatic
 * lattice: the engine splits each value between the two nearest points of a step coarser than a cent, keeping the
 * mean exact. Checked against exact one-cent-lattice answers computed independently by numpy/scipy
 * (tests/fixtures/engine/empirical_cases.py), for single budgets and for independent and correlated pools of the
 * three frequency families.
 */
import { describe, expect, it } from "vitest";
import fixture from "../../fixtures/engine/empirical-cases.json";
import { modelSpecSchema, runModel } from "@/lib/engine/contract";

interface Case {
  id: string;
  request: unknown;
  expected: { mean: number; sd: number; pZero: number; quantiles: Record<string, number> };
}

const cases = (fixture as { cases: Case[] }).cases;
const QUANTILES = [0.05, 0.5, 0.95, 0.99];

describe("empirical order values in cents on the automatic lattice", () => {
  it.each(cases.map((c) => [c.id, c] as const))("%s matches the exact one-cent answer", (_id, c) => {
    const spec = modelSpecSchema.parse({ ...(c.request as object), quantiles: QUANTILES });
    const r = runModel(spec);
    // The lattice is coarser than the cents the values are given in (that is what makes it fast).
    expect(r.step).toBeGreaterThan(0.01);
    // Mean: the split keeps it exactly; 1e-6 relative covers the reference's own truncation (2e-9).
    expect(Math.abs(r.mean / c.expected.mean - 1)).toBeLessThan(1e-6);
    // sd: the split adds at most 1e-3 of the variance (5e-4 of the sd); 1e-3 relative.
    expect(Math.abs(r.sd / c.expected.sd - 1)).toBeLessThan(1e-3);
    // P(S = 0) is P(N = 0) (no order value is below the step): 1e-9 absolute.
    expect(Math.abs(r.pZero - c.expected.pZero)).toBeLessThan(1e-9);
    // Quantiles: the 0.5% for an automatic step.
    for (const p of QUANTILES) {
      const want = c.expected.quantiles[String(p)] as number;
      const got = r.quantiles[String(p)] as number;
      expect(Math.abs(got / want - 1), `q${p}: ${got} vs ${want}`).toBeLessThan(0.005);
    }
  });
});
