import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors";
import { DecodeStream, byteLengthOf, decodeWindows1252, looksBinary, sniffEncoding } from "@/lib/ingest/encoding";
import { warningText } from "@/lib/ingest/messages";

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isAppError(e) ? e.code : "other";
  }
  return null;
};

describe("sniffEncoding", () => {
  it("recognises byte-order marks", () => {
    expect(sniffEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]), null)).toMatchObject({ encoding: "utf-8-bom", bomBytes: 3 });
    expect(sniffEncoding(Buffer.from([0xff, 0xfe, 0x61, 0x00]), null)).toMatchObject({ encoding: "utf-16le", bomBytes: 2 });
    expect(sniffEncoding(Buffer.from([0xfe, 0xff, 0x00, 0x61]), null)).toMatchObject({ encoding: "utf-16be", bomBytes: 2 });
  });

  it("recognises UTF-16 without a mark by its zero bytes", () => {
    expect(sniffEncoding(Buffer.from("date,campaign\n", "utf16le"), null).encoding).toBe("utf-16le");
  });

  it("reads valid UTF-8 as UTF-8 and anything else as windows-1252 with a warning", () => {
    expect(sniffEncoding(Buffer.from("Café,€", "utf8"), null)).toEqual({ encoding: "utf-8", bomBytes: 0, warnings: [] });
    const w = sniffEncoding(Buffer.from([0x43, 0x61, 0x66, 0xe9]), null);
    expect(w.encoding).toBe("windows-1252");
    expect(w.warnings).toEqual([{ code: "read_as_windows_1252" }]);
    expect(warningText(w.warnings[0]!)).toMatch(/not valid UTF-8/);
    // a bad byte only in the last part read
    expect(sniffEncoding(Buffer.from("ok"), Buffer.from([0x61, 0xe9, 0x62])).encoding).toBe("windows-1252");
    // a character cut at the end of the first part of a longer file is not a fault
    expect(sniffEncoding(Buffer.from("Caf\u00e9", "utf8").subarray(0, 4), Buffer.from("x"), false).encoding).toBe("utf-8");
  });

  it("refuses binary data, naming common workbook and archive formats", () => {
    expect(code(() => sniffEncoding(Buffer.from([0x61, 0x00, 0x00, 0x62, 0x01]), null))).toBe("binary_file");
    expect(code(() => sniffEncoding(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2]), null))).toBe("binary_file");
    expect(code(() => sniffEncoding(Buffer.from("%PDF-1.7"), null))).toBe("binary_file");
  });
});

describe("decodeWindows1252", () => {
  it("maps 0x80-0x9F to the windows-1252 characters (WHATWG table), the rest as Latin-1", () => {
    expect(decodeWindows1252(Buffer.from([0x80, 0x93, 0x94, 0x99, 0xe9, 0x41]))).toBe("€“”™éA");
  });
});

describe("byteLengthOf", () => {
  it("turns characters back into bytes per encoding", () => {
    expect(byteLengthOf("é€", "utf-8")).toBe(5);
    expect(byteLengthOf("é€", "utf-16le")).toBe(4);
    expect(byteLengthOf("é€", "windows-1252")).toBe(2);
  });
});

describe("DecodeStream", () => {
  it("decodes characters split across chunks and counts bytes and characters", async () => {
    const bytes = Buffer.from('"Café €",1\n', "utf8");
    const chunks = [bytes.subarray(0, 5), bytes.subarray(5, 9), bytes.subarray(9)];
    const d = new DecodeStream("utf-8");
    let out = "";
    await new Promise<void>((resolve, reject) => {
      Readable.from(chunks).pipe(d).on("data", (s: string) => (out += s)).on("end", resolve).on("error", reject);
    });
    expect(out).toBe('"Café €",1\n');
    expect(d.bytes).toBe(bytes.length);
    expect(d.chars).toBe(out.length);
    expect(d.sawQuote).toBe(true);
    expect(d.sawReplacement).toBe(false);
  });
});

describe("looksBinary", () => {
  it("flags text full of control characters", () => {
    expect(looksBinary("date,campaign\n2026-01-05,A\n")).toBe(false);
    expect(looksBinary("\u0001\u0002\u0003abc\u0004\u0005")).toBe(true);
  });
});
