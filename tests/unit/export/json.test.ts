import { describe, expect, it } from "vitest";
import { exportEnvelope, fileStem, toJsonText, toJsonValue } from "@/lib/export/json";

describe("toJsonValue", () => {
  it("turns non-finite numbers into null instead of silently losing them", () => {
    expect(toJsonValue({ a: Number.NaN, b: Number.POSITIVE_INFINITY, c: 1.5, d: -0 })).toEqual({ a: null, b: null, c: 1.5, d: 0 });
  });
  it("turns typed arrays into plain arrays (JSON.stringify would key them by index)", () => {
    expect(toJsonValue(new Float64Array([1, 2.5]))).toEqual([1, 2.5]);
    expect(toJsonValue({ p: new Float32Array([0.5]) })).toEqual({ p: [0.5] });
  });
  it("converts dates, maps, sets and bigints", () => {
    expect(toJsonValue(new Date("2026-03-02T00:00:00Z"))).toBe("2026-03-02T00:00:00.000Z");
    expect(toJsonValue(new Map([["k", 1]]))).toEqual({ k: 1 });
    expect(toJsonValue(new Set([1, 2]))).toEqual([1, 2]);
    expect(toJsonValue(10n)).toBe("10");
  });
  it("drops undefined members and keeps null ones", () => {
    expect(toJsonValue({ a: undefined, b: null })).toEqual({ b: null });
  });
  it("refuses a value that contains itself", () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    expect(() => toJsonValue(o)).toThrow(TypeError);
  });
  it("allows the same object twice when it is not a cycle", () => {
    const shared = { x: 1 };
    expect(toJsonValue({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });
});

describe("exportEnvelope and toJsonText", () => {
  const now = new Date("2026-03-02T14:05:09.123Z");
  it("names the kind, the time and the source", () => {
    expect(exportEnvelope("campaign-table", [{ a: 1 }], { datasetId: 3 }, now)).toEqual({
      kind: "campaign-table",
      generatedAt: "2026-03-02T14:05:09.123Z",
      source: { datasetId: 3 },
      data: [{ a: 1 }],
    });
  });
  it("prints pretty JSON that parses back to the envelope", () => {
    const text = toJsonText("x", { v: Number.NaN }, {}, now);
    expect(text.endsWith("\n")).toBe(true);
    expect(JSON.parse(text)).toEqual({ kind: "x", generatedAt: "2026-03-02T14:05:09.123Z", source: {}, data: { v: null } });
  });
});

describe("fileStem", () => {
  it("keeps letters, digits, dot, dash and underscore", () => {
    expect(fileStem("Brand Search / week")).toBe("brand-search-week");
    expect(fileStem("Café Été_2026.v2")).toBe("cafe-ete_2026.v2");
  });
  it("never returns an empty or hidden name", () => {
    expect(fileStem("///")).toBe("export");
    expect(fileStem("..secret")).toBe("secret");
  });
  it("caps the length at 80 characters", () => {
    expect(fileStem("a".repeat(200)).length).toBe(80);
  });
});
