import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { currencyOfCell, inferDecimalMark, numberProblem, parseNumberCell } from "@/lib/ingest/numbers";

describe("parseNumberCell", () => {
  it("reads plain digits and decimals exactly as Number() does", () => {
    expect(parseNumberCell("795836", ".")).toBe(795836);
    expect(parseNumberCell("2691.41", ".")).toBe(2691.41);
    expect(parseNumberCell("0.1", ".")).toBe(0.1);
    expect(parseNumberCell("428.20", ".")).toBe(428.2);
    expect(parseNumberCell("1.429999948", ".")).toBe(1.429999948);
  });

  it("gives the same double as Number() for any decimal of up to 15 digits (the fast path is exact)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 999_999_999_999_999n }), fc.integer({ min: 0, max: 14 }), (n, k) => {
        const digits = n.toString().padStart(k + 1, "0");
        const s = k === 0 ? digits : `${digits.slice(0, digits.length - k)}.${digits.slice(digits.length - k)}`;
        if (s.replace(".", "").length > 15) return true;
        return Object.is(parseNumberCell(s, "."), Number(s));
      }),
      { numRuns: 2000 },
    );
  });

  it("reads digit groups and currency the way ad platforms write them", () => {
    expect(parseNumberCell("795,836", ".")).toBe(795836);
    expect(parseNumberCell("4,838.80", ".")).toBe(4838.8);
    expect(parseNumberCell("$1,234.50", ".")).toBe(1234.5);
    expect(parseNumberCell("USD 12.00", ".")).toBe(12);
    expect(parseNumberCell("12.00 USD", ".")).toBe(12);
    expect(parseNumberCell("£ 3.10", ".")).toBe(3.1);
    expect(parseNumberCell("1 234.5", ".")).toBe(1234.5);
    expect(parseNumberCell("1.5e3", ".")).toBe(1500);
  });

  it("reads decimal commas when the file uses them", () => {
    expect(parseNumberCell("1.234,56", ",")).toBe(1234.56);
    expect(parseNumberCell("1.234,56 €", ",")).toBe(1234.56);
    expect(parseNumberCell("98,10", ",")).toBe(98.1);
    expect(parseNumberCell("1.502", ",")).toBe(1502);
    expect(parseNumberCell("12", ",")).toBe(12);
  });

  it("returns null for empty markers", () => {
    for (const s of ["", " --", "--", "-", "—", "N/A", "  ", "(not set)"]) expect(parseNumberCell(s, ".")).toBeNull();
    expect(parseNumberCell(undefined, ".")).toBeNull();
  });

  it("returns negatives (minus or accounting parentheses) for the caller to refuse", () => {
    expect(parseNumberCell("-5", ".")).toBe(-5);
    expect(parseNumberCell("(12.50)", ".")).toBe(-12.5);
    expect(parseNumberCell("-$3.00", ".")).toBe(-3);
    expect(parseNumberCell("−7", ".")).toBe(-7);
  });

  it("returns NaN for shares, bounds and text, never a guess", () => {
    for (const s of ["1.16%", "< 10%", "> 90%", "abc", "1,2,3", "12-3", "0x10", "1.234.5", "."]) {
      expect(parseNumberCell(s, "."), s).toBeNaN();
    }
    expect(parseNumberCell("1,5", ".")).toBeNaN(); // a decimal comma in a decimal-point file
    expect(parseNumberCell("1.5", ",")).toBeNaN(); // and the reverse
  });
});

describe("numberProblem", () => {
  it("says why a cell is not a count", () => {
    expect(numberProblem("< 10%", ".")).toBe('"< 10%" is a bound, not a number');
    expect(numberProblem("6.41%", ".")).toBe('"6.41%" is a percentage, not a count or an amount');
    expect(numberProblem("1,5", ".")).toMatch(/decimal comma/);
    expect(numberProblem("1.5", ",")).toMatch(/decimal point/);
    expect(numberProblem("ten", ".")).toBe('"ten" is not a number');
  });
});

describe("inferDecimalMark", () => {
  it("takes the mark that comes last when both appear", () => {
    expect(inferDecimalMark(["1.234,56"], ",")).toBe(",");
    expect(inferDecimalMark(["1,234.56"], ",")).toBe(".");
  });

  it("reads one or two digits after a single mark as decimals", () => {
    expect(inferDecimalMark(["98,10", "12,5"], ";")).toBe(",");
    expect(inferDecimalMark(["98.10", "12.5"], ";")).toBe(".");
  });

  it("treats three digits after a single mark as undecided, and falls back on the delimiter", () => {
    expect(inferDecimalMark(["1,234", "5,678"], ",")).toBe(".");
    expect(inferDecimalMark(["1.234", "5.678"], ";")).toBe(",");
    expect(inferDecimalMark(["1,234,567"], ";")).toBe("."); // repeated commas group digits
  });
});

describe("currencyOfCell", () => {
  it("names the currency of a symbol or code", () => {
    expect(currencyOfCell("€12,50")).toBe("EUR");
    expect(currencyOfCell("12,50 €")).toBe("EUR");
    expect(currencyOfCell("$3")).toBe("USD");
    expect(currencyOfCell("£3")).toBe("GBP");
    expect(currencyOfCell("CAD 14.00")).toBe("CAD");
    expect(currencyOfCell("14.00")).toBeNull();
  });
});
