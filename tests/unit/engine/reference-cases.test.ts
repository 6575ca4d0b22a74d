import { describe, expect, it } from "vitest";
import { modelSpecSchema, runModel } from "@/lib/engine/contract";
import type { ModelResponse } from "@/lib/engine/contract";
import cases from "../../fixtures/engine/engine-cases.json";

/** Relative difference |a / b - 1|, or |a| when the reference is 0. */
const rel = (a: number, b: number): number => (b === 0 ? Math.abs(a) : Math.abs(a / b - 1));

interface Case {
  id: string;
  expected: {
    mean: number;
    sd: number;
    cv: number;
    skewness: number;
    pZero: number;
    quantiles: Record<string, number>;
    es: Record<string, number>;
    stopLoss: Record<string, number>;
    cdf: Record<string, number>;
    collar?: { floor: number; put: number; zeroCostCap: number };
  };
  [key: string]: unknown;
}

function request(c: Case, withStep: boolean): unknown {
  const { id: _id, about: _about, expected: _expected, step, ...rest } = c as Case & { about?: string; step?: number };
  return withStep ? { ...rest, step } : rest;
}

describe("reference cases (numpy/scipy FFT on a step-1 lattice, cross-checked with R actuar's Panjer)", () => {
  describe.each(cases as unknown as Case[])("$id", (c) => {
    const e = c.expected;

    it("matches at step 1: moments to 1e-6, quantiles exactly, tail figures to 1e-5", () => {
      const r: ModelResponse = runModel(modelSpecSchema.parse(request(c, true)));
      expect(r.step).toBe(1);
      expect(rel(r.mean, e.mean)).toBeLessThan(1e-6);
      expect(rel(r.sd, e.sd)).toBeLessThan(1e-6);
      expect(rel(r.cv, e.cv)).toBeLessThan(1e-6);
      // skewness is printed to 10 digits in the reference; 1e-6 relative
      expect(rel(r.skewness, e.skewness)).toBeLessThan(1e-6);
      // P(S = 0): absolute 1e-12 (FFT round-off leaves ~1e-17 where the exact value is ~1e-22)
      expect(Math.abs(r.pZero - e.pZero)).toBeLessThan(1e-12);
      expect(r.quantiles).toEqual(e.quantiles);
      for (const [k, v] of Object.entries(e.es)) expect(rel(r.es[k] as number, v)).toBeLessThan(1e-5);
      expect(Object.keys(r.stopLoss)).toEqual(Object.keys(e.stopLoss));
      for (const [k, v] of Object.entries(e.stopLoss)) expect(rel(r.stopLoss[k] as number, v)).toBeLessThan(1e-5);
      expect(Object.keys(r.cdf)).toEqual(Object.keys(e.cdf));
      for (const [k, v] of Object.entries(e.cdf)) expect(rel(r.cdf[k] as number, v)).toBeLessThan(1e-5);
      if (e.collar) {
        expect(r.collar).toBeDefined();
        expect(r.collar?.floor).toBe(e.collar.floor);
        expect(rel(r.collar?.put as number, e.collar.put)).toBeLessThan(1e-5);
        expect(rel(r.collar?.zeroCostCap as number, e.collar.zeroCostCap)).toBeLessThan(1e-5);
      } else {
        expect(r.collar).toBeUndefined();
      }
    });

    it("matches with an automatic step: mean to 1e-4, quantiles to 0.5% (or the reference's own step of 1)", () => {
      const r = runModel(modelSpecSchema.parse(request(c, false)));
      expect(rel(r.mean, e.mean)).toBeLessThan(1e-4);
      for (const [k, v] of Object.entries(e.quantiles)) {
        // The reference itself is on a step-1 lattice, so it carries up to one unit of discretisation error:
        // e.g. the 5% quantile of the rare case is 2 at step 1 and ~2.1 on a finer lattice.
        expect(Math.abs((r.quantiles[k] as number) - v)).toBeLessThanOrEqual(Math.max(0.005 * v, 1));
      }
      expect(r.gridSize).toBeLessThanOrEqual(1 << 20);
    });
  });
});
