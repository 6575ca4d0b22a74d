import { describe, expect, it } from "vitest";
import { recordsToCsv } from "@/lib/export/table-csv";

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
