import { describe, expect, it } from "vitest";
import { analysisSearch, campaignCandidates, campaignHref, parseBudget } from "@/app/_components/analysis-query";
import { readAnalysisQuery } from "@/app/_components/read-query";

describe("readAnalysisQuery", () => {
  it("defaults to a week at the current spend", () => {
    expect(readAnalysisQuery({})).toEqual({ query: { horizon: "week" }, warning: null });
  });
  it("reads horizon and budget from the address", () => {
    expect(readAnalysisQuery({ horizon: "month", budget: "500" })).toEqual({ query: { horizon: "month", budget: 500 }, warning: null });
    expect(readAnalysisQuery({ horizon: ["day", "week"] }).query.horizon).toBe("day");
  });
  it("ignores an invalid value, keeps the valid one and says so", () => {
    const r = readAnalysisQuery({ horizon: "year", budget: "250" });
    expect(r.query).toEqual({ horizon: "week", budget: 250 });
    expect(r.warning).toMatch(/horizon "year"/);
    const b = readAnalysisQuery({ horizon: "day", budget: "-5" });
    expect(b.query).toEqual({ horizon: "day" });
    expect(b.warning).toMatch(/budget "-5"/);
  });
});

describe("analysisSearch and campaignHref", () => {
  it("omits defaults and keeps the rest", () => {
    expect(analysisSearch({ horizon: "week" })).toBe("");
    expect(analysisSearch({ horizon: "month", budget: 1500 })).toBe("?horizon=month&budget=1500");
  });
  it("encodes a campaign name as one path segment", () => {
    expect(campaignHref(3, "Brand / Search 50%")).toBe("/datasets/3/campaigns/Brand%20%2F%20Search%2050%25");
    expect(campaignHref(3, "A", { horizon: "day" })).toBe("/datasets/3/campaigns/A?horizon=day");
  });
});

describe("campaignCandidates", () => {
  it("tries the segment as given, then decoded", () => {
    expect(campaignCandidates("Brand%20Search")).toEqual(["Brand%20Search", "Brand Search"]);
    expect(campaignCandidates("Brand Search")).toEqual(["Brand Search"]);
  });
  it("keeps a name with a lone percent sign as is", () => {
    expect(campaignCandidates("50% off")).toEqual(["50% off"]);
  });
});

describe("parseBudget", () => {
  it("reads an empty box as the current spend", () => {
    expect(parseBudget("  ")).toEqual({ ok: true, value: undefined });
  });
  it("reads amounts with separators and a currency sign", () => {
    expect(parseBudget("1,500")).toEqual({ ok: true, value: 1500 });
    expect(parseBudget("$ 250.5")).toEqual({ ok: true, value: 250.5 });
  });
  it("refuses zero, negatives, text and amounts over a billion", () => {
    expect(parseBudget("0").ok).toBe(false);
    expect(parseBudget("-5").ok).toBe(false);
    expect(parseBudget("abc").ok).toBe(false);
    expect(parseBudget("2e9").ok).toBe(false);
  });
});
