import "server-only";
import fs from "node:fs";
import Papa from "papaparse";
import { AppError } from "@/lib/errors";
import { createDecoder, DecodeStream } from "./encoding";
import type { FileLayout } from "./detect";
import { CR, LF } from "./chars";

/**
 * The two readers of a stored file's data part (everything after the header record), decoded: papaparse in chunk
 * mode for any file, and a line splitter for files with no quote character, which papaparse would read the same
 * way (split on the newline, then on the delimiter) with more work.
 */

/**
 * Bytes per read from the file. Each read is decoded to one string: under V8's limit for regular objects (128 KB)
 * the string is made in its young generation; from 128 KB on it goes to the large-object space, one fresh mapping
 * per string. Decoding a 47 MB ASCII file in 64 KB pieces took 5-17 ms on this machine, in 120 KB pieces 5-32 ms,
 * in 128 KB pieces 224-232 ms and in 512 KB pieces 160-260 ms.
 */
const READ_CHUNK = 64 * 1024;
/** Bytes per read when looking for quote characters. */
const QUOTE_SCAN_CHUNK = 1024 * 1024;
/**
 * A quoted value may not run on for more than this many characters (a stray quote would swallow the file), nor a
 * line of a file without quotes (damaged line breaks would).
 */
const MAX_PENDING_CHARS = 16 * 1024 * 1024;

export interface ChunkInfo {
  /** Indexes (in this chunk's rows) of rows papaparse found malformed quotes in. */
  badRows: Set<number> | null;
  /** True once any quote character has been seen (only then can a row span several lines). */
  sawQuote: boolean;
  /** Bytes of the file read so far. */
  bytesDone: number;
}

/**
 * Streams the data rows (everything after the header record) through papaparse in chunk mode. `onChunk` returns
 * false to stop early. Errors thrown by `onChunk` abort the parse, close the file and reject.
 */
export function streamDataRows(
  filePath: string,
  layout: FileLayout,
  onChunk: (rows: string[][], info: ChunkInfo) => boolean,
): Promise<{ sawReplacement: boolean }> {
  return new Promise((resolve, reject) => {
    const input = fs.createReadStream(filePath, { start: layout.dataStartByte, highWaterMark: READ_CHUNK });
    const decode = new DecodeStream(layout.detection.encoding);
    let settled = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      input.destroy();
      decode.destroy();
      if (err) reject(err);
      else resolve({ sawReplacement: decode.sawReplacement });
    };
    input.on("error", () => finish(new AppError("unreadable", "The stored file could not be read; please upload it again.")));
    input.pipe(decode);
    Papa.parse<string[]>(decode, {
      delimiter: layout.delimiter,
      newline: layout.newline,
      quoteChar: '"',
      header: false,
      skipEmptyLines: false,
      dynamicTyping: false,
      chunk: (results, parser) => {
        if (settled) return;
        try {
          let badRows: Set<number> | null = null;
          for (const e of results.errors) {
            if (e.type === "Quotes" && typeof e.row === "number") (badRows ??= new Set()).add(e.row);
          }
          if (decode.chars - results.meta.cursor > MAX_PENDING_CHARS) {
            throw new AppError(
              "unreadable",
              'A quoted value runs on for more than 16 million characters: the file probably has a stray " ' +
                "character. Fix the quotes and upload the file again.",
            );
          }
          const more = onChunk(results.data, {
            badRows,
            sawQuote: decode.sawQuote,
            bytesDone: Math.min(layout.detection.sizeBytes, layout.dataStartByte + input.bytesRead),
          });
          if (!more) {
            finish();
            parser.abort();
          }
        } catch (e) {
          // settle first: abort() calls `complete` synchronously, which must not resolve the import as done
          finish(e);
          parser.abort();
        }
      },
      complete: () => finish(),
      error: (e: Error) => finish(e),
    });
  });
}

/**
 * True when the data part of the file (after the header) holds no quote character, so papaparse would read every
 * chunk in its quote-free mode (split on the newline, then on the delimiter) and `streamPlainText` reads it the same
 * way with less work. Decided on the bytes: in UTF-8 and windows-1252 the byte 0x22 is '"' and nothing else.
 * UTF-16 files take the general path.
 */
export async function quoteFree(filePath: string, layout: FileLayout): Promise<boolean> {
  const enc = layout.detection.encoding;
  if (enc !== "utf-8" && enc !== "utf-8-bom" && enc !== "windows-1252") return false;
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(filePath, "r");
  } catch {
    return false; // the parse that follows reports the unreadable file
  }
  try {
    const buf = Buffer.allocUnsafe(QUOTE_SCAN_CHUNK);
    let pos = layout.dataStartByte;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return true;
      if (buf.subarray(0, bytesRead).indexOf(0x22) >= 0) return false;
      pos += bytesRead;
    }
  } catch {
    return false;
  } finally {
    await fh.close();
  }
}

/**
 * Streams a quote-free file's data text (everything after the header record), decoded, in chunks of about
 * READ_CHUNK bytes, and hands it over as whole lines: `onLines(text, from, final)` reads the lines of `text` from
 * offset `from` and returns the offset just after the last line break it reached (with `final`, the end of
 * `text`); the rest is carried over to the next chunk. A line cut by a chunk boundary is handed over on its own,
 * joined, so `text` is otherwise always the decoder's own (flat) string. `afterChunk(bytesDone)` follows each chunk.
 * Errors thrown by the callbacks close the file and reject.
 */
export async function streamPlainText(
  filePath: string,
  layout: FileLayout,
  onLines: (text: string, from: number, final: boolean) => number,
  afterChunk: (bytesDone: number) => void,
): Promise<{ sawReplacement: boolean }> {
  const encoding = layout.detection.encoding;
  const decoder = createDecoder(encoding);
  const checkReplacement = encoding === "utf-8" || encoding === "utf-8-bom";
  const nl = layout.newline;
  const size = layout.detection.sizeBytes;
  let sawReplacement = false;
  let pending = "";
  let bytes = 0;
  const input = fs.createReadStream(filePath, { start: layout.dataStartByte, highWaterMark: READ_CHUNK });
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch {
        throw new AppError("unreadable", "The stored file could not be read; please upload it again.");
      }
      const final = next.done === true;
      const text = final ? decoder.decode(new Uint8Array(0), false) : decoder.decode(next.value, true);
      if (!final) bytes += next.value.length;
      if (checkReplacement && !sawReplacement && text.includes("\uFFFD")) sawReplacement = true;
      let from = 0;
      if (pending.length > 0) {
        // the line cut at the end of the previous chunk goes with this chunk's text up to its first line break (if
        // that break was itself cut, "\r" | "\n", this takes one line more: `onLines` reads both)
        const cut = text.indexOf(nl);
        const end = cut < 0 ? -1 : cut + nl.length;
        if (end < 0 && !final) {
          pending += text;
          if (pending.length > MAX_PENDING_CHARS) throw longLine();
          afterChunk(Math.min(size, layout.dataStartByte + bytes));
          continue;
        }
        const head = end < 0 ? pending + text : pending + text.slice(0, end);
        onLines(head, 0, final && end < 0);
        from = end < 0 ? text.length : end;
        pending = "";
      }
      const used = onLines(text, from, final);
      afterChunk(Math.min(size, layout.dataStartByte + bytes));
      if (final) return { sawReplacement };
      pending = used < text.length ? text.slice(used) : "";
      if (pending.length > MAX_PENDING_CHARS) throw longLine();
    }
  } finally {
    input.destroy();
  }
}

const longLine = () =>
  new AppError(
    "unreadable",
    "A line runs on for more than 16 million characters: the file's line breaks are probably damaged. Export the " +
      "file again and upload it.",
  );

/** Line breaks inside a row's quoted values (CRLF counts once). */
export function lineBreaksIn(f: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < f.length; i++) {
    const s = f[i] as string;
    if (s.indexOf("\n") < 0 && s.indexOf("\r") < 0) continue;
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === LF || (c === CR && s.charCodeAt(j + 1) !== LF)) n++;
    }
  }
  return n;
}
