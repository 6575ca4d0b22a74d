import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "@/lib/csv";
import { csvLines, toCsv } from "@/lib/export/csv";

describe("csvCell", () => {
  it("quotes per RFC 4180: commas, quotes and line breaks, with quotes doubled", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("cr\rhere")).toBe('"cr\rhere"');
  });

  it("defuses text that a spreadsheet would run as a formula", () => {
    expect(csvCell("=SUM(A1:A2)")).toBe("'=SUM(A1:A2)");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-5")).toBe("'-5"); // text, not a number
    expect(csvCell("@cmd")).toBe("'@cmd");
    expect(csvCell("\tx")).toBe("'\tx");
    expect(csvCell("\rx")).toBe("\"'\rx\"");
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell("a=b")).toBe("a=b");
  });

  it("writes finite numbers as numbers, so negatives stay numbers", () => {
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell(0.1)).toBe("0.1");
    expect(csvCell(-0)).toBe("0");
    expect(csvCell(1e21)).toBe("1e+21");
  });

  it("leaves empty what has no value, including non-finite numbers", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(NaN)).toBe("");
    expect(csvCell(Infinity)).toBe("");
  });

  it("writes booleans and dates plainly", () => {
    expect(csvCell(true)).toBe("true");
    expect(csvCell(new Date(Date.UTC(2026, 0, 5)))).toBe("2026-01-05T00:00:00.000Z");
  });
});

describe("toCsv", () => {
  it("writes a header and rows given as arrays, CRLF after every line", () => {
    expect(toCsv(["campaign", "clicks"], [["=cmd", -5], ["Brand, UK", 3]])).toBe('campaign,clicks\r\n\'=cmd,-5\r\n"Brand, UK",3\r\n');
  });

  it("reads record rows by column key, with headers of their own", () => {
    const csv = toCsv(
      [{ key: "c", header: "Campaign" }, "spend"],
      [
        { c: "Brand", spend: 12.5 },
        { c: "Missing spend" },
      ],
    );
    expect(csv).toBe("Campaign,spend\r\nBrand,12.5\r\nMissing spend,\r\n");
  });

  it("gives the same text line by line", () => {
    const rows = [["a", 1], ["b", 2]];
    expect([...csvLines(["x", "y"], rows)].join("")).toBe(toCsv(["x", "y"], rows));
    expect(csvLine(["a", null, 3])).toBe("a,,3\r\n");
  });
});
