/**
 * A small RFC 4180 record splitter for the first and last few kilobytes of a file, where detection needs what the
 * streaming parser does not give: each record's line number and character offsets (to start the streaming import
 * right after the header). The import itself streams through papaparse.
 */
import { CR, LF, QUOTE } from "./chars";

export type Delimiter = "," | "\t" | ";";
const DELIMITERS: readonly Delimiter[] = [",", "\t", ";"];

export interface TextRecord {
  fields: string[];
  /** 1-based line the record starts on (relative to the text given). */
  line: number;
  /** Physical lines the record spans (more than 1 when a quoted field holds line breaks). */
  lineSpan: number;
  /** Character offset of the record's first character. */
  start: number;
  /** Character offset just after the record's line break (or the end of the text). */
  end: number;
  /** The line break that ended the record ("" at the end of the text). */
  newline: "\r\n" | "\n" | "\r" | "";
  /** True when a quoted field was opened and never closed before the end of the text. */
  unterminated: boolean;
}

/**
 * Splits text into records. Quotes are special only at the start of a field; "" inside a quoted field is a quote;
 * characters after a closing quote are kept (lenient, as spreadsheets write them). When `final` is false the last
 * record is dropped unless it ended with a line break (it may continue past the text).
 */
export function splitRecords(
  text: string,
  delimiter: string,
  opts: { final: boolean; maxRecords?: number; firstLine?: number },
): TextRecord[] {
  const out: TextRecord[] = [];
  const n = text.length;
  const max = opts.maxRecords ?? Infinity;
  const delimiterCode = delimiter.charCodeAt(0);
  let i = 0;
  let line = opts.firstLine ?? 1;
  while (i < n && out.length < max) {
    const start = i;
    const startLine = line;
    const fields: string[] = [];
    let field = "";
    let newline: TextRecord["newline"] = "";
    let unterminated = false;
    let done = false;
    while (!done) {
      if (i >= n) {
        fields.push(field);
        break;
      }
      let c = text.charCodeAt(i);
      if (c === QUOTE && field === "") {
        // quoted field
        i++;
        let closed = false;
        let chunkStart = i;
        while (i < n) {
          c = text.charCodeAt(i);
          if (c === QUOTE) {
            if (text.charCodeAt(i + 1) === QUOTE) {
              field += text.slice(chunkStart, i + 1);
              i += 2;
              chunkStart = i;
              continue;
            }
            field += text.slice(chunkStart, i);
            i++;
            closed = true;
            break;
          }
          if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line++;
          i++;
        }
        if (!closed) {
          field += text.slice(chunkStart, i);
          unterminated = true;
          fields.push(field);
          break;
        }
        continue;
      }
      if (c === delimiterCode) {
        fields.push(field);
        field = "";
        i++;
        continue;
      }
      if (c === CR || c === LF) {
        fields.push(field);
        if (c === CR && text.charCodeAt(i + 1) === LF) {
          newline = "\r\n";
          i += 2;
        } else {
          newline = c === CR ? "\r" : "\n";
          i++;
        }
        line++;
        done = true;
        continue;
      }
      // plain run up to the next special character
      let j = i + 1;
      while (j < n) {
        const next = text.charCodeAt(j);
        if (next === delimiterCode || next === CR || next === LF) break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
    if (newline === "" && !opts.final) break;
    out.push({ fields, line: startLine, lineSpan: line - startLine + (newline === "" ? 1 : 0), start, end: i, newline, unterminated });
  }
  return out;
}

/** True when every field is empty or whitespace. */
export function isBlankRecord(fields: readonly string[]): boolean {
  for (const f of fields) if (f.trim() !== "") return false;
  return true;
}

/**
 * Ranks the candidate delimiters for a file's first records: for each, the most common field count among records
 * with more than one field, scored by how many records have it (a header and its rows agree; title and date-range
 * lines have one field whatever the delimiter). Ties keep the order comma, tab, semicolon.
 */
export function rankDelimiters(text: string): Delimiter[] {
  const sample = text.length > 65_536 ? text.slice(0, 65_536) : text;
  const scored = DELIMITERS.map((d, order) => {
    const records = splitRecords(sample, d, { final: sample.length === text.length, maxRecords: 60 });
    const counts = new Map<number, number>();
    for (const r of records) {
      if (r.fields.length < 2) continue;
      counts.set(r.fields.length, (counts.get(r.fields.length) ?? 0) + 1);
    }
    let best = 0;
    let bestWidth = 0;
    for (const [width, count] of counts) {
      if (count > best || (count === best && width > bestWidth)) {
        best = count;
        bestWidth = width;
      }
    }
    return { d, order, score: best, width: bestWidth };
  });
  scored.sort((a, b) => b.score - a.score || b.width - a.width || a.order - b.order);
  return scored.map((s) => s.d);
}

/** Writes fields back as one CSV line in the file's delimiter, quoting where needed (rejected rows' raw text). */
export function joinRecord(fields: readonly string[], delimiter: string): string {
  let out = "";
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] ?? "";
    if (i > 0) out += delimiter;
    if (f.includes('"') || f.includes(delimiter) || f.includes("\n") || f.includes("\r")) {
      out += `"${f.replace(/"/g, '""')}"`;
    } else {
      out += f;
    }
  }
  return out;
}
