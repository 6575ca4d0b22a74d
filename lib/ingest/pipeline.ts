/**
 * The import pipeline after detection: the file's data part, decoded and split into records (papaparse, or the
 * plain line splitter for a file without quotes: ./streams), each record read by the row reader (./row-reader),
 * counted by the tally (./tally) and handed to a row sink (the SQLite bulk writer in db/, or memory in tests); then
 * the summary (./summary). Holds no database: `importFile` (./import) wraps it in a transaction.
 */
import "server-only";
import type { RowSink } from "@/lib/types/ingest-rows";
import type { FileLayout } from "./detect";
import { rejectionText } from "./messages";
import { joinRecord } from "./records";
import { RowReader, type RowLayout, type RowRead } from "./row-reader";
import { lineBreaksIn, streamDataRows, streamPlainText } from "./streams";
import { importSummary, type SummaryFacts } from "./summary";
import { ImportTally } from "./tally";
import type { ImportSummary } from "@/lib/types/ingest";

/** Rejected rows keep at most this much raw text. */
const MAX_RAW_CHARS = 100_000;

/** What the row reader needs of a detected file. */
function rowLayoutOf(layout: FileLayout): RowLayout {
  return {
    kind: layout.kind,
    columns: layout.columns,
    headers: layout.headers,
    delimiter: layout.delimiter,
    decimalMark: layout.decimalMark,
    dateOrder: layout.dateVote.order,
    dateSpan: layout.dateSpan,
    preambleRange: layout.preambleRange,
    blankIsZero: layout.detection.format === "meta_ads",
  };
}

/**
 * One import's rows, from records to the sink. Rows arrive in order without line numbers, so the pipeline counts
 * lines itself (a record spans 1 + the line breaks inside its quoted values).
 */
export class ImportPipeline {
  readonly tally: ImportTally;
  private readonly reader: RowReader;
  private line: number;
  private readonly plainRows: boolean;

  constructor(
    private readonly layout: FileLayout,
    private readonly sink: RowSink,
  ) {
    // the date order must be settled before this (see scanDateOrder in ./import): the reader reads with it
    this.reader = new RowReader(rowLayoutOf(layout));
    const c = layout.columns;
    this.tally = new ImportTally({ impressions: c.impressions >= 0, clicks: c.clicks >= 0, conversions: c.conversions >= 0 });
    this.line = layout.firstDataLine;
    this.plainRows = layout.kind === "observations" && layout.headers.length > 1;
  }

  /** Rows read so far (imported and rejected). */
  get rowsDone(): number {
    return this.tally.imported + this.tally.rejected;
  }

  /** Takes one parsed chunk of records (`badRows`: indexes of records with malformed quotes). */
  push(records: string[][], badRows: Set<number> | null, sawQuote: boolean): void {
    for (let r = 0; r < records.length; r++) {
      const f = records[r] as string[];
      const line = this.line;
      this.line += sawQuote ? 1 + lineBreaksIn(f) : 1;
      this.take(this.reader.read(f, line, badRows !== null && badRows.has(r)), f, line);
    }
  }

  /**
   * Takes the text of a quote-free file: every line from `from` up to the last line break of `text` (to the end
   * when `final`), read exactly as papaparse reads a chunk without quotes (split on the newline, then on the
   * delimiter). Returns the offset after the last line read. Observation rows in their common form are read from
   * the text itself (`RowReader.readPlain`); every other line is split and read as papaparse's records are.
   */
  pushPlain(text: string, from: number, final: boolean): number {
    const nl = this.layout.newline;
    const nlLength = nl.length;
    const delimiter = this.layout.delimiter;
    const plainRows = this.plainRows;
    const reader = this.reader;
    let pos = from;
    for (;;) {
      let end = text.indexOf(nl, pos);
      if (end < 0) {
        if (!final || pos === text.length) return pos;
        end = text.length;
      }
      const line = this.line++;
      // an empty line is papaparse's [""]: a blank line, skipped
      if (end > pos) {
        const row = plainRows ? reader.readPlain(text, pos, end, line) : null;
        if (row !== null) {
          this.tally.observation(row);
          this.sink.observation(row);
        } else {
          const f = text.slice(pos, end).split(delimiter);
          this.take(reader.read(f, line, false), f, line);
        }
      }
      pos = end + nlLength;
      if (pos >= text.length) return text.length;
    }
  }

  /** Writes what is buffered and closes the tally; call once after the last chunk. */
  finish(): void {
    this.sink.finish();
    this.tally.finish();
  }

  /** Distinct campaigns among the rows read (from the sink when there were too many to count in memory). */
  campaignCount(): number {
    return this.tally.campaigns ?? this.sink.distinctCampaigns();
  }

  summary(facts: Omit<SummaryFacts, "campaigns">): ImportSummary {
    return importSummary(this.layout, this.tally, { ...facts, campaigns: this.campaignCount() });
  }

  private take(r: RowRead, f: string[], line: number): void {
    switch (r.kind) {
      case "observation":
        this.tally.observation(r);
        this.sink.observation(r);
        return;
      case "order":
        this.tally.order(r);
        this.sink.order(r);
        return;
      case "rejected": {
        const reason = rejectionText(r.rejection);
        let raw = joinRecord(f, this.layout.delimiter);
        if (raw.length > MAX_RAW_CHARS) raw = `${raw.slice(0, MAX_RAW_CHARS)}… (cut at ${MAX_RAW_CHARS} characters)`;
        this.sink.rejected(line, raw, reason);
        this.tally.rejection(r, line, reason);
        return;
      }
      case "totals":
        this.tally.totalsRow(r.label, line, f);
        return;
      case "footer":
        this.tally.footer(line);
        return;
      case "blank":
        return;
    }
  }
}

/**
 * Reads a detected file's data part into a pipeline: line by line when `plain` (the file has no quote character
 * after its header: `quoteFree` in ./streams), else through papaparse. `onProgress(bytesDone)` follows each chunk;
 * throwing from it stops the read (and rejects).
 */
export async function readInto(
  filePath: string,
  layout: FileLayout,
  pipeline: ImportPipeline,
  plain: boolean,
  onProgress?: (bytesDone: number) => void,
): Promise<{ sawReplacement: boolean }> {
  const read = plain
    ? await streamPlainText(
        filePath,
        layout,
        (text, from, final) => pipeline.pushPlain(text, from, final),
        (bytesDone) => onProgress?.(bytesDone),
      )
    : await streamDataRows(filePath, layout, (rows, info) => {
        pipeline.push(rows, info.badRows, info.sawQuote);
        onProgress?.(info.bytesDone);
        return true;
      });
  pipeline.finish();
  return read;
}
