import { describe, expect, it } from "vitest";
import { formatModelError, modelDistribution, modelSpecSchema, runModel } from "@/lib/engine/contract";
import { isAppError } from "@/lib/errors";

const base = { frequency: { kind: "poisson", lambda: 3 }, severity: { kind: "gamma", shape: 2, scale: 40 } };

function errorOf(body: unknown): string {
  const r = modelSpecSchema.safeParse(body);
  if (r.success) throw new Error("expected the request to be rejected");
  return formatModelError(r.error);
}

describe("model contract: request validation", () => {
  it.each([
    [{ ...base, frequency: { kind: "poisson", lambda: 0 } }, "frequency.lambda: must be > 0"],
    [{ ...base, frequency: { kind: "binomial", n: 10.5, p: 0.1 } }, "frequency.n: must be an integer"],
    [{ ...base, frequency: { kind: "binomial", n: 10, p: 1.5 } }, "frequency.p: must be <= 1"],
    [{ ...base, frequency: { kind: "poisson", lambda: 3, extra: 1 } }, "frequency.extra: unknown field"],
    [{ ...base, frequency: { kind: "weibull" } }, "frequency.kind: must be"],
    [{ ...base, severity: { kind: "lognormal", mu: 4, sigma: 0 } }, "severity.sigma: must be > 0"],
    [{ ...base, severity: { kind: "empirical", points: [[10, 0.4]] } }, "severity.points: probabilities must sum to 1"],
    [{ ...base, step: -1 }, "step: must be > 0"],
    [{ ...base, grid: 3000 }, "grid: must be at least 4096"],
    [{ ...base, grid: 5000 }, "grid: must be a power of two"],
    [{ ...base, grid: 1 << 21 }, "grid: must be at most 1048576"],
    [{ ...base, grid: 65536.5 }, "grid: must be an integer"],
    [{ ...base, pool: 0 }, "pool: must be >= 1"],
    [{ ...base, pool: 100_001 }, "pool: must be <= 100000"],
    [{ ...base, rho: 1 }, "rho: must be in [0, 1)"],
    [{ ...base, quantiles: [0.5, 1] }, "quantiles.1: must be in (0, 1)"],
    [{ ...base, es: [0] }, "es.0: must be in (0, 1)"],
    [{ ...base, stopLoss: ["100"] }, "stopLoss.0: must be a number"],
    [{ ...base, floor: "q10" }, 'floor: must be a number or "q05"'],
    [{ ...base, quantiles: Array.from({ length: 101 }, () => 0.5) }, "quantiles: must have at most 100 entries"],
    [{ ...base, frequency: { kind: "negbin", r: 1, mean: 5 }, rho: 0.5 }, "rho: must be < r / (r + 1)"],
    [{ ...base, unknown: true }, "unknown: unknown field"],
  ])("rejects %j with a message naming the field", (body, message) => {
    expect(errorOf(body)).toContain(message);
  });
});

describe("model contract: the grid limit", () => {
  // Poisson(1000) x lognormal(0, 3): a heavy tail whose automatic lattice is limited by the grid (2^19 points)
  const heavy = { frequency: { kind: "poisson", lambda: 1000 }, severity: { kind: "lognormal", mu: 0, sigma: 3 } };

  it("keeps the lattice within the limit asked for, on a coarser step, with the mean kept either way", () => {
    const full = runModel(modelSpecSchema.parse(heavy));
    const small = runModel(modelSpecSchema.parse({ ...heavy, grid: 1 << 16 }));
    expect(full.gridSize).toBeGreaterThan(1 << 16);
    expect(small.gridSize).toBeLessThanOrEqual(1 << 16);
    expect(small.step).toBeGreaterThan(full.step);
    // Both means are lambda e^(sigma^2 / 2) = 1000 e^4.5 less the orders beyond the lattice's reach (the 1e-13 upper
    // quantile, z = 7.35, holds Phi(3 - 7.35) = 6.8e-6 of E[X]; measured 6.8e-6 below on 2^15 points, 1.1e-5 on
    // 2^19): within 2e-5
    expect(Math.abs(small.mean / (1000 * Math.exp(4.5)) - 1)).toBeLessThan(2e-5);
    expect(Math.abs(full.mean / (1000 * Math.exp(4.5)) - 1)).toBeLessThan(2e-5);
    // The answer names the model's closed form beside its lattice figures: E[S] = 1000 e^4.5, sd = sqrt(1000 e^18)
    // (relative 1e-12). The lattice's sd is below it by the orders beyond the lattice's end (9% of E[X^2] lies past
    // their 1e-13 point; measured 5.2% below): between 3% and 8% below.
    expect(Math.abs(full.accuracy.closedForm.mean / (1000 * Math.exp(4.5)) - 1)).toBeLessThan(1e-12);
    expect(Math.abs(full.accuracy.closedForm.sd / (Math.sqrt(1000) * Math.exp(9)) - 1)).toBeLessThan(1e-12);
    expect(full.sd / full.accuracy.closedForm.sd).toBeGreaterThan(0.92);
    expect(full.sd / full.accuracy.closedForm.sd).toBeLessThan(0.97);
  });

  it("changes nothing for a model whose lattice fits the limit", () => {
    // Poisson(3) x gamma(2, 40) takes 49,152 points at step 0.1, within half of 2^18
    const small = runModel(modelSpecSchema.parse({ ...base, grid: 1 << 18 }));
    expect(small.gridSize).toBe(49152);
    expect(small).toEqual(runModel(modelSpecSchema.parse(base)));
  });

  it("names the limit when a tail is too long for it", () => {
    let message = "";
    try {
      runModel(modelSpecSchema.parse({ ...heavy, grid: 4096 }));
    } catch (e) {
      expect(isAppError(e)).toBe(true);
      message = (e as Error).message;
    }
    expect(message).toContain("lattice of 2^12 points");
  });
});

describe("model contract: response", () => {
  it("returns exactly the documented keys, keyed by String(number) of the request's values", () => {
    const r = runModel(
      modelSpecSchema.parse({ ...base, step: 1, quantiles: [0.05, 0.5], es: [0.95], stopLoss: [100], cdfAt: [250.5], floor: 100 }),
    );
    expect(Object.keys(r)).toEqual([
      "mean",
      "sd",
      "cv",
      "skewness",
      "pZero",
      "quantiles",
      "es",
      "stopLoss",
      "cdf",
      "collar",
      "method",
      "step",
      "gridSize",
      "accuracy",
    ]);
    // The closed form of Poisson(3) x gamma(2, 40): E[S] = 3 x 80 = 240, Var(S) = lambda E[X^2] = 3 x 2 x 3 x 40^2 =
    // 28,800 (sd 169.7056...). The lattice's mean agrees to 1e-6 relative; its variance is the closed form plus the
    // rounding to a step of 1 (Sheppard: lambda h^2 / 12 = 0.25, measured 4.3e-6 on the sd), to 1e-6 relative.
    expect(r.accuracy).toEqual({ quantileStep: 1, quantileProbability: 0, closedForm: { mean: expect.any(Number), sd: expect.any(Number) } });
    expect(r.accuracy.closedForm.mean).toBeCloseTo(240, 10);
    expect(r.accuracy.closedForm.sd).toBeCloseTo(Math.sqrt(28_800), 10);
    expect(Math.abs(r.mean / 240 - 1)).toBeLessThan(1e-6);
    expect(Math.abs(r.sd / Math.sqrt(28_800 + 3 / 12) - 1)).toBeLessThan(1e-6);
    expect(Object.keys(r.quantiles)).toEqual(["0.05", "0.5"]);
    expect(Object.keys(r.cdf)).toEqual(["250.5"]);
    expect(r.method).toBe("fft");
    expect(r.step).toBe(1);
    expect(r.collar?.floor).toBe(100);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r); // plain JSON: no NaN, no Infinity, no typed arrays
  });

  it("leaves the collar out without a floor and uses the default quantile and ES lists", () => {
    const r = runModel(modelSpecSchema.parse(base));
    expect(r.collar).toBeUndefined();
    expect(Object.keys(r.quantiles)).toEqual(["0.05", "0.5", "0.95"]);
    expect(Object.keys(r.es)).toEqual(["0.99"]);
    expect(r.stopLoss).toEqual({});
  });

  it("reports a pooled share, and a conversion count when the severity is the constant 1", () => {
    const r = runModel(
      modelSpecSchema.parse({
        frequency: { kind: "binomial", n: 2000, p: 0.01 },
        severity: { kind: "constant", value: 1 },
        pool: 4,
        quantiles: [0.5],
        floor: "q05",
      }),
    );
    expect(r.mean).toBeCloseTo(20, 9);
    expect(r.sd).toBeCloseTo(Math.sqrt((2000 * 0.01 * 0.99) / 4), 9);
    expect(r.step).toBe(1);
    expect(r.collar?.zeroCostCap).toBeGreaterThan(r.mean);
  });

  it("answers a valid request it cannot compute with an invalid_body AppError naming a workable step", () => {
    const spec = modelSpecSchema.parse({ frequency: { kind: "poisson", lambda: 5000 }, severity: { kind: "lognormal", mu: 4, sigma: 1 }, step: 0.001 });
    try {
      runModel(spec);
      throw new Error("expected a refusal");
    } catch (e) {
      expect(isAppError(e) && e.code).toBe("invalid_body");
      expect((e as Error).message).toMatch(/use a step of at least/);
    }
  });

  it("refuses, with a message, a pool whose shock mixture would hold the server for long (work cap)", () => {
    // 50,000 pooled budgets of 30 clicks at p 0.003 sharing a Beta rate with rho 0.38, orders of exactly 50 on a
    // step of 50: |phi| = 1 at every frequency, so the beta-binomial series needs its whole support (~1e5 terms) at
    // each of them, and the quadrature about 2,000 nodes: about 5e8 pgf evaluations either way.
    const spec = modelSpecSchema.parse({
      frequency: { kind: "binomial", n: 30, p: 0.003 },
      severity: { kind: "constant", value: 50 },
      step: 50,
      pool: 50000,
      rho: 0.38,
    });
    try {
      runModel(spec);
      throw new Error("expected a refusal");
    } catch (e) {
      expect(isAppError(e) && e.code).toBe("invalid_body");
      expect((e as Error).message).toMatch(/million transform evaluations .* a smaller pool, a lower correlation/);
    }
  });

  it("gives the lattice behind the figures for charts", () => {
    const spec = modelSpecSchema.parse({ ...base, step: 1, pool: 2 });
    const lat = modelDistribution(spec);
    expect(lat.pmf).toBeInstanceOf(Float64Array);
    expect(lat.values.length).toBe(lat.pmf.length);
    expect(lat.step).toBe(0.5);
    expect(lat.baseStep).toBe(1);
    let s = 0;
    for (const p of lat.pmf) s += p;
    expect(Math.abs(s - 1)).toBeLessThan(1e-9);
  });
});
