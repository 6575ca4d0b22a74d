/**
 * Text encodings: which one a file is in (from its first and last bytes), and decoding it, whole or streamed.
 * Supported: UTF-8 with or without BOM, UTF-16LE/BE (with BOM, or recognised by their zero bytes), and
 * windows-1252 for files that are not valid UTF-8 (older Excel "CSV" saves).
 */
import { isAscii } from "node:buffer";
import { Transform, type TransformCallback } from "node:stream";
import { AppError } from "@/lib/errors";
import { CR, FF, LF, REPLACEMENT, SPACE, TAB, VT } from "./chars";
import type { Detection } from "@/lib/types/ingest";
import type { ImportWarning } from "./messages";

export type TextEncoding = Detection["encoding"];

export interface SniffedEncoding {
  encoding: TextEncoding;
  /** Bytes of byte-order mark at the start of the file (skipped before decoding). */
  bomBytes: number;
  warnings: ImportWarning[];
}

const NOT_TEXT =
  "This file is not text (it contains binary data), so it cannot be a CSV export. Upload a CSV file: text with " +
  "one row per line and values separated by commas, tabs or semicolons.";

/** Known binary signatures, with a message that says what the file probably is and what to do instead. */
const SIGNATURES: readonly { bytes: readonly number[]; message: string }[] = [
  {
    bytes: [0x50, 0x4b, 0x03, 0x04],
    message:
      "This looks like an Excel workbook (.xlsx) or a zip archive, not a CSV file. In Excel use File > Save As > " +
      "CSV (or export the report as CSV from the ad platform) and upload that file.",
  },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0],
    message: "This looks like an old Excel workbook (.xls), not a CSV file. Save it as CSV and upload that file.",
  },
  { bytes: [0x25, 0x50, 0x44, 0x46], message: "This is a PDF document, not a CSV file. Export the report as CSV instead." },
  { bytes: [0x1f, 0x8b], message: "This is a compressed (gzip) file. Unpack it and upload the CSV file inside." },
  { bytes: [0x89, 0x50, 0x4e, 0x47], message: "This is an image (PNG), not a CSV file." },
  { bytes: [0xff, 0xd8, 0xff], message: "This is an image (JPEG), not a CSV file." },
];

const startsWith = (b: Uint8Array, sig: readonly number[]) => sig.every((x, i) => b[i] === x);

/**
 * Decides the encoding of a file from its first bytes (and last bytes, so a stray windows-1252 byte at the end is
 * seen too). `headIsWholeFile` false means the head was cut from a longer file (a character may be cut at its end).
 * Refuses with `binary_file` when the bytes are not text in any supported encoding.
 */
export function sniffEncoding(head: Uint8Array, tail: Uint8Array | null, headIsWholeFile = true): SniffedEncoding {
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return { encoding: "utf-8-bom", bomBytes: 3, warnings: [] };
  if (startsWith(head, [0xff, 0xfe]) && !startsWith(head, [0xff, 0xfe, 0x00, 0x00])) {
    return { encoding: "utf-16le", bomBytes: 2, warnings: [] };
  }
  if (startsWith(head, [0xfe, 0xff])) return { encoding: "utf-16be", bomBytes: 2, warnings: [] };
  for (const s of SIGNATURES) if (startsWith(head, s.bytes)) throw new AppError("binary_file", s.message);

  // UTF-16 without a byte-order mark: mostly-ASCII text has a zero in every other byte.
  const n = Math.min(head.length, 4096) & ~1;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) zeroEven++;
    if (head[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  if (pairs >= 4 && zeroOdd > 0.3 * pairs && zeroEven < 0.05 * pairs) return { encoding: "utf-16le", bomBytes: 0, warnings: [] };
  if (pairs >= 4 && zeroEven > 0.3 * pairs && zeroOdd < 0.05 * pairs) return { encoding: "utf-16be", bomBytes: 0, warnings: [] };
  if (head.includes(0) || (tail && tail.includes(0))) throw new AppError("binary_file", NOT_TEXT);

  if (isValidUtf8(head, !headIsWholeFile) && (!tail || isValidUtf8(skipContinuationBytes(tail), false))) {
    return { encoding: "utf-8", bomBytes: 0, warnings: [] };
  }
  return {
    encoding: "windows-1252",
    bomBytes: 0,
    warnings: [{ code: "read_as_windows_1252" }],
  };
}

/** True when the bytes are valid UTF-8 (allowing a character cut off at the end when `cut`). */
function isValidUtf8(bytes: Uint8Array, cut: boolean): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: cut });
    return true;
  } catch {
    return false;
  }
}

/** Drops up to 3 UTF-8 continuation bytes at the start (a slice taken from the middle of a file). */
function skipContinuationBytes(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < 3 && i < bytes.length && ((bytes[i] ?? 0) & 0xc0) === 0x80) i++;
  return bytes.subarray(i);
}

/** windows-1252 bytes 0x80-0x9F; the rest of the range is ISO-8859-1 (byte value = code point). WHATWG Encoding. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/**
 * Decodes windows-1252 bytes (Node's TextDecoder treats this label as ISO-8859-1, which gets 0x80-0x9F wrong: "€"
 * is byte 0x80 in windows-1252).
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  return latin1.replace(/[\u0080-\u009f]/g, (c) => String.fromCharCode(CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c.charCodeAt(0)));
}

/** A stateful decoder for one encoding: feed chunks in order, then call with `stream: false` to flush. */
export interface ChunkDecoder {
  decode(bytes: Uint8Array, stream: boolean): string;
}

export function createDecoder(encoding: TextEncoding): ChunkDecoder {
  if (encoding === "windows-1252") return { decode: (b) => decodeWindows1252(b) };
  const label = encoding === "utf-8-bom" ? "utf-8" : encoding;
  // The byte-order mark is skipped by offset before decoding, so the decoder must not strip a second one.
  const d = new TextDecoder(label, { ignoreBOM: true });
  if (label !== "utf-8") return { decode: (b, stream) => d.decode(b, { stream }) };
  // UTF-8 chunks that are pure ASCII (most CSV exports) are copied byte for byte, which is what decoding gives,
  // provided the decoder holds no bytes of a character cut at the end of the previous chunk (those bytes are all
  // >= 0x80, so a chunk that ended in an ASCII byte left nothing behind).
  let clean = true;
  return {
    decode: (b, stream) => {
      if (clean && isAscii(b)) return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
      const s = d.decode(b, { stream });
      if (!stream) clean = true;
      else if (b.length > 0) clean = (b[b.length - 1] as number) < 0x80;
      return s;
    },
  };
}

/** Bytes per character unit when turning a character offset back into a byte offset. */
export function byteLengthOf(text: string, encoding: TextEncoding): number {
  if (encoding === "utf-16le" || encoding === "utf-16be") return text.length * 2;
  if (encoding === "windows-1252") return text.length;
  return Buffer.byteLength(text, "utf8");
}

/**
 * Node transform: bytes in, strings out (object mode, so papaparse gets strings). Counts the bytes it has seen and
 * notes whether any character had to be replaced (invalid UTF-8 past the part detection looked at).
 */
export class DecodeStream extends Transform {
  bytes = 0;
  /** Characters pushed out so far (compared with the parser's cursor to spot a runaway quoted value). */
  chars = 0;
  sawReplacement = false;
  sawQuote = false;
  private readonly decoder: ChunkDecoder;
  private readonly checkReplacement: boolean;

  constructor(encoding: TextEncoding) {
    super({ readableObjectMode: true });
    this.decoder = createDecoder(encoding);
    this.checkReplacement = encoding === "utf-8" || encoding === "utf-8-bom";
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.emitText(this.decoder.decode(chunk, true));
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.emitText(this.decoder.decode(new Uint8Array(0), false));
    cb();
  }

  private emitText(s: string): void {
    if (s.length === 0) return;
    if (this.checkReplacement && !this.sawReplacement && s.includes("\uFFFD")) this.sawReplacement = true;
    if (!this.sawQuote && s.includes('"')) this.sawQuote = true;
    this.chars += s.length;
    this.push(s);
  }
}

/** True when decoded text holds control characters that text files do not (more than 1 in 200 characters). */
export function looksBinary(text: string): boolean {
  const n = Math.min(text.length, 65_536);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c < SPACE && c !== TAB && c !== LF && c !== CR && c !== FF && c !== VT) || c === REPLACEMENT) bad++;
  }
  return n > 0 && bad * 200 > n;
}

export { NOT_TEXT };
