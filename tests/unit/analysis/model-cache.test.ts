import { describe, expect, it } from "vitest";
import { cachedModel } from "@/lib/analysis/model-cache";
import { modelSpecSchema, runModel } from "@/lib/engine/contract";

describe("cachedModel (POST /api/model answers kept by request)", () => {
  const spec = modelSpecSchema.parse({
    frequency: { kind: "poisson", lambda: 21 },
    severity: { kind: "lognormal", mu: 4.2, sigma: 0.8 },
    pool: 37,
    rho: 0.15,
  });

  it("answers exactly what runModel answers, and the same object the second time", () => {
    const first = cachedModel(spec);
    expect(first).toEqual(runModel(spec));
    expect(cachedModel(spec)).toBe(first);
  });

  it("shares an entry between requests written with their keys in another order", () => {
    const reordered = modelSpecSchema.parse({
      rho: 0.15,
      pool: 37,
      severity: { sigma: 0.8, mu: 4.2, kind: "lognormal" },
      frequency: { lambda: 21, kind: "poisson" },
    });
    expect(cachedModel(reordered)).toBe(cachedModel(spec));
  });

  it("keeps requests that differ apart (another pool size gives another answer)", () => {
    const other = modelSpecSchema.parse({ ...spec, pool: 38 });
    expect(cachedModel(other).cv).not.toBe(cachedModel(spec).cv);
  });
});
