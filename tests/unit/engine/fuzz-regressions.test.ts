import { describe, expect, it } from "vitest";
import { modelSpecSchema, runModel } from "@/lib/engine/contract";
import { compoundLattice } from "@/lib/engine/aggregate";
import type { CompoundTerm } from "@/lib/engine/aggregate";
import { poisson } from "@/lib/engine/frequency";
import { LatticeCheckError, MAX_NEGATIVE_MASS, roundoffFailure } from "@/lib/engine/lattice-check";

/**
 * Models the engine fuzz (fuzz.test.ts, `npm run fuzz:engine`) once answered wrongly, each checked against its closed
 * form. The request is kept as the fuzz drew it.
 */
describe("engine fuzz regressions", () => {
  it("answers a strongly correlated binomial pool with its closed-form mean and variance (was 318 against 856)", () => {
    // FUZZ_SEED=20261204, 2000 draws: a beta-binomial count over k n = 1.9e7 trials with Beta(0.33, 880) shared rate.
    // Its quadrature rule agreed with the next one at every probe angle yet was off by 1e-2 between them, and the
    // lattice's round-off allowances let the result through; the rule is now checked against the exact series.
    const n = 5705;
    const p = 0.00037327069496707047;
    const shape = 1.1648788197180582;
    const scale = 345.13617030230273;
    const k = 3325;
    const rho = 0.7770683187449353;
    const r = runModel(
      modelSpecSchema.parse({
        frequency: { kind: "binomial", n, p },
        severity: { kind: "gamma", shape, scale },
        pool: k,
        rho,
      }),
    );
    // Closed form (pool.ts module doc): E[share] = n p E[X]; Var_0 = n p Var X + n p (1 - p) E[X]^2, kappa = -1/n,
    // Var_1 = Var_0 / (1 - rho (1 + kappa)), Var(share) = Var_1 (rho + (1 - rho) / k).
    const ex = shape * scale;
    const varX = shape * scale * scale;
    const mean = n * p * ex; // 856.15178934557...
    const var0 = n * p * varX + n * p * (1 - p) * ex * ex;
    const variance = (var0 / (1 - rho * (1 - 1 / n))) * (rho + (1 - rho) / k); // 2,228,164.31...
    // Mean: 1e-9 relative (the linear split keeps E[X] exactly; the count series' mean is exact).
    expect(Math.abs(r.mean - mean)).toBeLessThanOrEqual(1e-9 * mean);
    // Variance: 1e-3 relative, plus the linear split's bound E[N_total] h^2 / 4 over k^2 on a lattice of step h
    // coarser than the orders (the fuzz's own allowance is 2% plus the same bound).
    const allowance = 1e-3 * variance + (k * n * p * r.step * r.step) / 4 / (k * k);
    expect(Math.abs(r.sd * r.sd - variance)).toBeLessThanOrEqual(allowance);
  }, 60_000);
});

describe("lattice round-off check", () => {
  it("passes the negative mass an FFT's round-off leaves and fails what only a wrong transform leaves", () => {
    expect(roundoffFailure(0)).toBeNull();
    expect(roundoffFailure(MAX_NEGATIVE_MASS)).toBeNull();
    expect(roundoffFailure(0.0135)).toContain("negative probability");
  });

  it("refuses a lattice whose transform is off by 1e-3, whatever its moments (never the number)", () => {
    // Poisson(3) on orders of one step, its transform disturbed by 1e-3 at every other frequency: not a pgf.
    const f = poisson(3);
    const term: CompoundTerm = {
      severity: Float64Array.of(0, 1),
      claims: 3,
      claimsVariance: 3,
      apply(z, count) {
        f.applyPgf(z, count);
        for (let i = 2; i < count; i += 2) z[2 * i] = (z[2 * i] as number) + 1e-3;
      },
    };
    expect(() => compoundLattice([term], { mean: 3, sd: Math.sqrt(3), severityTop: 1 }, 1, 1024)).toThrow(LatticeCheckError);
    expect(() => compoundLattice([term], { mean: 3, sd: Math.sqrt(3), severityTop: 1 }, 1, 1024)).toThrow(/could not be computed to its own checks/);
  });
});
