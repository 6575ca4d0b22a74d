import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors";
import { parseLagReport, sumBuckets } from "@/lib/ingest/lag-report";

const DIR = path.join(import.meta.dirname, "..", "..", "fixtures", "engine", "lag-report");
const bytes = (text: string) => new TextEncoder().encode(text);
const refused = (input: Uint8Array, code: string, message: RegExp) => {
  try {
    parseLagReport(input);
  } catch (e) {
    expect(isAppError(e) && e.code).toBe(code);
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error("not refused");
};

describe("reading a time-lag report", () => {
  it("reads Google Ads' Days to conversion: title lines skipped, buckets as day ranges, quoted thousands, the Total row left out", () => {
    const r = parseLagReport(new Uint8Array(fs.readFileSync(path.join(DIR, "google-ads-days-to-conversion.csv"))));
    expect(r.format).toBe("google_ads");
    expect(r.totalRows).toBe(1);
    expect(r.rejected).toEqual([]);
    expect(r.buckets.map((b) => [b.label, b.from, b.to])).toEqual([
      ["<1", 0, 1], ["1", 1, 2], ["2", 2, 3], ["3", 3, 4], ["4", 4, 5], ["5", 5, 6], ["6", 6, 7], ["7", 7, 8], ["8", 8, 9],
      ["9", 9, 10], ["10", 10, 11], ["11", 11, 12], ["12-20", 12, 21], ["21-30", 21, 31], [">30", 31, null],
    ]);
    // the Total row says 1,800: the buckets add up to it
    expect(r.buckets.reduce((s, b) => s + b.conversions, 0)).toBe(1800);
  });

  it("keeps a campaign column, and sums campaigns' buckets into the account's", () => {
    const r = parseLagReport(new Uint8Array(fs.readFileSync(path.join(DIR, "google-ads-days-to-conversion-campaigns.csv"))));
    expect(new Set(r.buckets.map((b) => b.campaign))).toEqual(new Set(["Brand Search", "Display Remarketing"]));
    expect(r.totalRows).toBe(2);
    const account = sumBuckets(r.buckets);
    expect(account).toHaveLength(15);
    expect(account.reduce((s, b) => s + b.count, 0)).toBe(1240);
  });

  it("reads a plain days,conversions file with or without a header, '30+' as an open bucket, UTF-16 and semicolons", () => {
    const plain = parseLagReport(new Uint8Array(fs.readFileSync(path.join(DIR, "plain-days.csv"))));
    expect(plain.format).toBe("plain");
    expect(plain.buckets.at(-1)).toMatchObject({ label: "30+", from: 30, to: null });
    expect(parseLagReport(bytes("0,12\n1,5\n2,1\n")).buckets.map((b) => b.conversions)).toEqual([12, 5, 1]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Days to conversion\tConversions\n<1\t10\n1\t4\n", "utf16le")]);
    expect(parseLagReport(new Uint8Array(utf16)).buckets).toHaveLength(2);
    expect(parseLagReport(bytes("days;conversions\n0;1,5\n1;2,5\n")).buckets.map((b) => b.conversions)).toEqual([1.5, 2.5]);
  });

  it("keeps rows it cannot read with their line and reason, and reads the rest", () => {
    const r = parseLagReport(bytes(["Days to conversion,Conversions", "<1,10", "soon,3", "2,", "3,lots", "4,-1", "0-2,2", "5-2,1", "5,2"].join("\n")));
    expect(r.buckets.map((b) => b.label)).toEqual(["<1", "5"]);
    expect(r.rejected).toEqual([
      { line: 3, raw: "soon,3", reason: '"soon" is not a number of days (like <1, 3, 12-20, >30 or 30+)' },
      { line: 4, raw: "2,", reason: "the conversions cell is empty" },
      { line: 5, raw: "3,lots", reason: '"lots" is not a number of conversions' },
      { line: 6, raw: "4,-1", reason: "conversions cannot be negative" },
      { line: 7, raw: "0-2,2", reason: 'the bucket "0-2" overlaps the one on line 2' },
      { line: 8, raw: "5-2,1", reason: '"5-2" ends before it starts' },
    ]);
  });

  it("refuses a file it cannot read at all, with the reason", () => {
    refused(new Uint8Array(0), "empty_file", /empty/);
    refused(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]), "binary_file", /image/);
    refused(bytes("campaign,clicks,conversions\nA,10,1\n"), "unrecognised_format", /Days to conversion/);
    refused(bytes("Days to conversion,Conversions\n"), "no_valid_rows", /No row/);
    refused(bytes("Days to conversion,Conversions\nTotal: Account,0\n"), "no_valid_rows", /No row/);
    refused(bytes("days,conversions\n0,0\n1,0\n"), "no_valid_rows", /0 conversions/);
    refused(bytes("Days to conversion,Conversions\nnever,4\n"), "no_valid_rows", /line 2: "never" is not a number of days/);
  });
});
