/**
 * The labs' form and link state (pure modules shared by the pages and the browser): the calculator's form to the
 * model contract and back, the model form, and the base64url JSON kept in shareable links.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_CALC_FORM, formToRequest, requestToForm } from "@/app/calculator/calc-form";
import { DEFAULT_MODEL_FORM, formToModel, modelToForm } from "@/app/_components/lab/model-form";
import { decodeState, encodeState } from "@/app/_components/lab/url-state";
import { modelSpecSchema } from "@/lib/engine/contract";

describe("url state", () => {
  it("round-trips JSON through base64url, accents included", () => {
    const v = { frequency: { kind: "poisson", lambda: 8 }, note: "déjà vu €" };
    const text = encodeState(v);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeState(text)).toEqual(v);
  });

  it("gives null for text that is not base64url JSON", () => {
    expect(decodeState("not json!")).toBeNull();
    expect(decodeState(encodeState("x").slice(0, 3))).toBeNull();
    expect(decodeState(undefined)).toBeNull();
  });
});

describe("calculator form", () => {
  it("turns the default form into a request the contract accepts", () => {
    const req = formToRequest(DEFAULT_CALC_FORM);
    expect(req).toEqual({
      frequency: { kind: "poisson", lambda: 8 },
      severity: { kind: "lognormal", mu: 4, sigma: 0.8 },
      floor: "q05",
      quantiles: [0.05, 0.5, 0.95],
      es: [0.99],
    });
    expect(modelSpecSchema.safeParse(req).success).toBe(true);
  });

  it("sends what cannot be read as null, so the API names the field", () => {
    const req = formToRequest({ ...DEFAULT_CALC_FORM, model: { ...DEFAULT_MODEL_FORM, lambda: "eight" }, pool: "2.5" });
    const body = JSON.parse(JSON.stringify(req)) as Record<string, unknown>;
    expect(body.frequency).toEqual({ kind: "poisson", lambda: null });
    const parsed = modelSpecSchema.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toContain("frequency.lambda");
  });

  it("reads a request back into the same form (the link keeps the whole model)", () => {
    const form = {
      ...DEFAULT_CALC_FORM,
      model: {
        ...DEFAULT_MODEL_FORM,
        freqKind: "negbin" as const,
        r: "3",
        mean: "12",
        sevKind: "empirical" as const,
        points: [
          { value: "10", prob: "0.4" },
          { value: "55.5", prob: "0.6" },
        ],
      },
      step: "0.5",
      pool: "20",
      rho: "0.1",
      floorMode: "value" as const,
      floorValue: "300",
      quantiles: "0.1, 0.9",
      es: "",
    };
    const back = requestToForm(decodeState(encodeState(formToRequest(form))));
    expect(formToRequest(back)).toEqual(formToRequest(form));
    expect(back.model.points).toEqual(form.model.points);
  });

  it("keeps the defaults for a link it cannot read", () => {
    expect(requestToForm(null)).toEqual(DEFAULT_CALC_FORM);
    expect(requestToForm("text")).toEqual(DEFAULT_CALC_FORM);
  });
});

describe("model form", () => {
  it("maps every frequency and severity kind to the contract's shapes", () => {
    const f = { ...DEFAULT_MODEL_FORM, freqKind: "binomial" as const, n: "400", p: "0.02", sevKind: "gamma" as const, shape: "2", scale: "40" };
    expect(formToModel(f)).toEqual({ frequency: { kind: "binomial", n: 400, p: 0.02 }, severity: { kind: "gamma", shape: 2, scale: 40 } });
    expect(modelToForm(formToModel(f))).toMatchObject({ freqKind: "binomial", n: "400", p: "0.02", sevKind: "gamma", shape: "2", scale: "40" });
  });

  it("accepts thousands separators in typed numbers", () => {
    expect(formToModel({ ...DEFAULT_MODEL_FORM, lambda: "1,200" }).frequency).toEqual({ kind: "poisson", lambda: 1200 });
  });
});
