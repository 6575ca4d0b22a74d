import { describe, expect, it } from "vitest";
import { joinRecord, rankDelimiters, splitRecords } from "@/lib/ingest/records";
import { isFooter, totalsLabel, totalsRank } from "@/lib/ingest/rows";

describe("splitRecords", () => {
  it("follows RFC 4180: quoted delimiters, doubled quotes, line breaks inside quotes", () => {
    const text = 'a,"b, c","say ""hi"""\r\n1,"two\nlines",3\n';
    const r = splitRecords(text, ",", { final: true });
    expect(r.map((x) => x.fields)).toEqual([
      ["a", "b, c", 'say "hi"'],
      ["1", "two\nlines", "3"],
    ]);
    expect(r.map((x) => [x.line, x.lineSpan, x.newline])).toEqual([
      [1, 1, "\r\n"],
      [2, 2, "\n"],
    ]);
    expect(text.slice(r[1]!.start, r[1]!.end)).toBe('1,"two\nlines",3\n');
  });

  it("holds back a last record without a line break unless the text is final", () => {
    expect(splitRecords("a,b\nc,d", ",", { final: false }).map((x) => x.fields)).toEqual([["a", "b"]]);
    expect(splitRecords("a,b\nc,d", ",", { final: true }).map((x) => x.fields)).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });

  it("flags a quoted value that never ends", () => {
    const r = splitRecords('a,"open\nstill open', ",", { final: true });
    expect(r).toHaveLength(1);
    expect(r[0]?.unterminated).toBe(true);
  });
});

describe("rankDelimiters", () => {
  it("picks the separator that gives the header and rows one width, past one-cell title lines", () => {
    expect(rankDelimiters('Campaign report\nAll time\nA,B,C\n"1,000",2,3\n4,5,6\n')[0]).toBe(",");
    expect(rankDelimiters("Title\nA\tB\tC\n1,000\t2\t3\n4,5\t5\t6\n")[0]).toBe("\t");
    expect(rankDelimiters('date;campaign;spend\n13/01/2026;A;"1.234,56"\n14/01/2026;B;"98,10"\n')[0]).toBe(";");
  });
});

describe("joinRecord", () => {
  it("writes fields back with quotes only where needed", () => {
    expect(joinRecord(["a", "b, c", 'q"', "x\ny"], ",")).toBe('a,"b, c","q""","x\ny"');
    expect(joinRecord(["a", "b, c"], "\t")).toBe("a\tb, c");
  });
});

describe("totals rows and footers", () => {
  it("recognises totals rows by the first or campaign cell, not campaigns that start with Total", () => {
    expect(totalsLabel(["Total: Campaigns", " --", "1"], 1)).toBe("Total: Campaigns");
    expect(totalsLabel(["", "Total", "1"], 1)).toBe("Total");
    expect(totalsLabel(["Enabled", "Total Wine promo", "1"], 1)).toBeNull();
    expect(totalsLabel(["Totally", "x"], 1)).toBeNull();
  });

  it("ranks the campaigns total first and explains why others are not used", () => {
    expect(totalsRank("Total: Campaigns").rank).toBe(0);
    expect(totalsRank("Total").rank).toBe(1);
    expect(totalsRank("Total: Account")).toMatchObject({ rank: 2 });
    expect(totalsRank("Total: Search")).toEqual({ rank: 9, reason: "a subtotal for Search only, not for every row" });
  });

  it("recognises a copyright footer in a row of its own", () => {
    expect(isFooter(["©2026 Microsoft Corporation. All rights reserved. "])).toBe(true);
    expect(isFooter(["Copyright 2026 Example", "", ""])).toBe(true);
    expect(isFooter(["©2026 Microsoft", "12"])).toBe(false);
    expect(isFooter(["Brand", "12"])).toBe(false);
  });
});
