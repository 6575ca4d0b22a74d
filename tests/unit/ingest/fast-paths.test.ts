/**
 * The two shortcuts the streaming import takes on common input, checked against the general routines they stand
 * in for: `parsePlainNumber` against JavaScript's own decimal conversion (`Number`), and the UTF-8 decoder's
 * ASCII shortcut against one TextDecoder over the whole buffer, for every way of cutting the bytes into chunks.
 */
import { describe, expect, it } from "vitest";
import { createDecoder } from "@/lib/ingest/encoding";
import { parseNumberCell, parsePlainNumber } from "@/lib/ingest/numbers";
import { seededRandom } from "@/lib/engine/estimate/rng";

describe("parsePlainNumber", () => {
  it("gives the same double as Number() for up to 15 digits with one decimal mark (exact: tolerance 0)", () => {
    const rand = seededRandom(7);
    for (let i = 0; i < 5000; i++) {
      const digits = 1 + Math.floor(rand() * 15);
      let s = "";
      for (let d = 0; d < digits; d++) s += String(Math.floor(rand() * 10));
      const at = Math.floor(rand() * (digits + 1));
      const withPoint = rand() < 0.8 ? `${s.slice(0, at)}.${s.slice(at)}` : s;
      expect(parsePlainNumber(`x,${withPoint},y`, 2, 2 + withPoint.length, 46)).toBe(Number(withPoint));
      const withComma = withPoint.replace(".", ",");
      expect(parsePlainNumber(withComma, 0, withComma.length, 44)).toBe(Number(withPoint));
    }
  });

  it("reads a cell only between its bounds", () => {
    expect(parsePlainNumber("2024-03-01,18.50,7", 11, 16, 46)).toBe(18.5);
    expect(parsePlainNumber("2024-03-01,18.50,7", 17, 18, 46)).toBe(7);
  });

  it("answers NaN for anything that is not a plain number, leaving it to parseNumberCell", () => {
    for (const s of ["", ".", "-5", "+5", "1,234", "1.2.3", " 12", "12 ", "$5", "1e3", "1234567890123456", "١٢"]) {
      expect(parsePlainNumber(s, 0, s.length, 46)).toBeNaN();
    }
    // the general reader still takes the ones that are numbers
    expect(parseNumberCell("1e3", ".")).toBe(1000);
    expect(parseNumberCell("1234567890123456", ".")).toBe(1234567890123456);
  });
});

describe("createDecoder (UTF-8)", () => {
  const rand = seededRandom(11);
  const pieces = ["2024-03-01,Campaign 1,120,4\n", "é", "日本", "😀", "\u00a0", "x".repeat(40), "\r\n"];
  let text = "";
  for (let i = 0; i < 3000; i++) text += pieces[Math.floor(rand() * pieces.length)];
  // a truncated character followed by ASCII: invalid UTF-8, decoded as U+FFFD then the ASCII
  const bytes = Buffer.concat([Buffer.from(text), Buffer.from([0xe6, 0x97]), Buffer.from("tail,1\n")]);
  const whole = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);

  it("gives what one decode of the whole buffer gives, however the bytes are cut", () => {
    expect(whole).toContain("\uFFFDtail");
    for (let trial = 0; trial < 300; trial++) {
      const d = createDecoder("utf-8");
      let out = "";
      for (let pos = 0; pos < bytes.length; ) {
        const n = Math.floor(rand() * (rand() < 0.5 ? 6 : 600)); // includes empty chunks
        out += d.decode(bytes.subarray(pos, pos + n), true);
        pos += n;
      }
      out += d.decode(new Uint8Array(0), false);
      expect(out).toBe(whole);
    }
  });

  it("flushes a character cut at a chunk end before taking the ASCII shortcut on the next chunk", () => {
    const d = createDecoder("utf-8");
    // "é" is C3 A9: the first byte ends chunk 1; chunk 2 is invalid (ASCII where A9 should be) and must show U+FFFD
    expect(d.decode(Buffer.from([0x61, 0xc3]), true)).toBe("a");
    expect(d.decode(Buffer.from("bc"), true)).toBe("\uFFFDbc");
    expect(d.decode(Buffer.from("de"), true)).toBe("de");
    expect(d.decode(new Uint8Array(0), false)).toBe("");
  });
});
