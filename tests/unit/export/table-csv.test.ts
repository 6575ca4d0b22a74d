import { describe, expect, it } from "vitest";
import { recordsToCsv, roundForCsv, roundingFor } from "@/lib/export/table-csv";

describe("recordsToCsv", () => {
  it("unions the keys in first-seen order and leaves missing cells empty", () => {
    expect(recordsToCsv([{ a: 1 }, { a: 2, b: "x" }])).toBe("a,b\r\n1,\r\n2,x\r\n");
  });
  it("neutralises formula-like text, in cells and headers, and keeps numbers as numbers", () => {
    expect(recordsToCsv([{ campaign: "=HYPERLINK(\"x\")", "=h": -5, v: "-5" }])).toBe(
      'campaign,\'=h,v\r\n"\'=HYPERLINK(""x"")",-5,\'-5\r\n',
    );
  });
  it("writes missing and non-finite values as empty cells, never NaN", () => {
    expect(recordsToCsv([{ a: null, b: Number.NaN, c: undefined, d: Number.POSITIVE_INFINITY }])).toBe("a,b,c,d\r\n,,,\r\n");
  });
  it("writes nested values as JSON text, quoted when they hold a comma", () => {
    expect(recordsToCsv([{ a: [1, 2], b: { k: "v" } }])).toBe('a,b\r\n"[1,2]","{""k"":""v""}"\r\n');
  });
  it("gives just an empty header line for no rows", () => {
    expect(recordsToCsv([])).toBe("\r\n");
  });
});

describe("rounding in CSV (the JSON keeps full precision)", () => {
  // Expected values written out by hand from the rule: money to cents; figures to 4 decimals, or 4 significant
  // digits below 1. Exact string equality: the rounding is the behaviour under test.
  it("writes amounts of money to the cent", () => {
    expect(recordsToCsv([{ "spend (USD)": 150688.57979999995, revenue: 0.1 + 0.2, "budget per week": 499.999 }])).toBe(
      "spend (USD),revenue,budget per week\r\n150688.58,0.3,500\r\n",
    );
    expect(roundingFor("revenue per week 5% (EUR)")).toBe("money");
    expect(roundingFor("expected revenue per week")).toBe("money");
  });
  it("writes rates and probabilities to 4 significant digits and other figures to 4 decimals", () => {
    expect(
      recordsToCsv([{ "conversion rate": 0.012345678, "P(losing week)": 0.00012345678, "expected conversions per week": 48698.81234 }]),
    ).toBe("conversion rate,P(losing week),expected conversions per week\r\n0.01235,0.0001235,48698.8123\r\n");
  });
  it("does not take a probability or a volatility about revenue for an amount", () => {
    expect(roundingFor("P(revenue below spend in a week)")).toBe("figure");
    expect(roundingFor("daily revenue surprise volatility (annualized)")).toBe("figure");
    expect(roundingFor("value")).toBe("figure");
  });
  it("keeps integers, negatives and the formula guard", () => {
    expect(roundForCsv(123456789, "money")).toBe(123456789);
    expect(roundForCsv(-0.123456, "figure")).toBe(-0.1235);
    expect(recordsToCsv([{ campaign: "-cmd", "spend (USD)": -12.345 }])).toBe("campaign,spend (USD)\r\n'-cmd,-12.35\r\n");
  });
});
