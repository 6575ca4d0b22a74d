/**
 * Files with no quote character after the header are read by a direct line splitter instead of papaparse, and their
 * common rows are checked without a string per cell. The spec here: such a file imports exactly as the same content
 * read through papaparse (the general path, forced by quoting one cell, which changes no value): the same rows with
 * the same values and line numbers, the same rejected rows and reasons, the same summary.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ImportSummary } from "@/lib/types/ingest";
import { sandbox, uploadAndImport, type Sandbox } from "./helpers";
import { seededRandom } from "@/lib/engine/estimate/rng";

let sb: Sandbox;
beforeEach(() => {
  sb = sandbox();
});
afterEach(() => sb.cleanup());

/** Rows that leave the common form: every kind of cell and line the general path reads, fixes or rejects. */
const ODD_ROWS: ((cells: string[]) => void)[] = [
  (c) => (c[1] = ""), // no campaign: rejected
  (c) => (c[1] = "--"),
  (c) => (c[1] = ` ${c[1]} `), // trimmed
  (c) => (c[1] = "Tofu"), // starts like "Total", is not one
  (c) => (c[1] = "Total: Campaigns"), // totals row, kept to reconcile
  (c) => (c[1] = "\tTotal"), // not a totals row (tab), read as the campaign "Total"
  (c) => (c[1] = "Total"), // right after the one above: a totals row
  (c) => (c[0] = "Total"),
  (c) => (c[0] = "Jan 5, 2024"),
  (c) => (c[0] = "2024-02-30"), // no such day: rejected
  (c) => (c[0] = ""),
  (c) => (c[2] = c[3] = c[4] = c[5] = ""), // no figures: rejected
  (c) => (c[3] = "12.5"), // fractional clicks: rejected
  (c) => (c[3] = String(Number(c[2]) + 5)), // more clicks than impressions: warned
  (c) => (c[5] = "-5.00"),
  (c) => (c[5] = "(12.50)"),
  (c) => (c[5] = "$12.50"),
  (c) => (c[6] = " --"),
  (c) => (c[6] = "N/A"),
  (c) => (c[6] = "1.16%"),
  (c) => (c[2] = "1234567890123456"), // more digits than the fast path takes
  (c) => (c[2] = "1e3"),
  (c) => (c[2] = "007"),
  (c) => (c[5] = ".5"),
  (c) => (c[5] = "5."),
  (c) => (c[5] = "."),
  (c) => (c[2] = " 12"),
  (c) => (c[1] = "Été 2024 – ünïcödé"),
  (c) => (c[7] = "EUR"),
  (c) => (c[7] = ""),
  (c) => (c[0] = "2024-03-05 - 2024-03-11"),
  (c) => c.splice(3), // short row: missing cells read as empty
  (c) => c.push("", ""), // empty extra cells: fine
  (c) => c.push("extra"), // an extra value: rejected
];

/**
 * A generic daily file (date, campaign, 5 figures, currency), CRLF, ~1.2 MB so that the reader's 512 KiB chunks
 * cut it twice: one line is padded so that a chunk ends between its "\r" and "\n", another so that a chunk ends
 * between the two bytes of an "é". About one row in seven is odd (ODD_ROWS), plus blank lines, stray text and a
 * footer. `quoteFirst` quotes the first data row's campaign cell, which sends the whole file through papaparse.
 */
function generate(quoteFirst: boolean): Buffer {
  const rand = seededRandom(20_240_301);
  const header = "date,campaign,impressions,clicks,conversions,spend,revenue,currency\r\n";
  const chunk = 512 * 1024;
  const tail = ",1,1,0,1.00,2.00,USD";
  const lines: string[] = [];
  let at = Buffer.byteLength(header); // file offset of the next line
  let boundary = at + chunk; // the data is read from the end of the header on, in chunks of 512 KiB
  for (let i = 0; i < 26_000; i++) {
    const day = `2024-03-${String(1 + (Math.floor(i / 12) % 28)).padStart(2, "0")}`;
    const cells = [
      day,
      `Campaign ${i % 12}`,
      String(Math.floor(100 + rand() * 5000)),
      String(Math.floor(rand() * 90)),
      String(Math.floor(rand() * 5)),
      (rand() * 100).toFixed(2),
      (rand() * 300).toFixed(2),
      "USD",
    ];
    const x = rand();
    let line: string;
    if (x < 0.01) line = "";
    else if (x < 0.015) line = "   ";
    else if (x < 0.02) line = "garbage";
    else {
      if (x > 0.86) (ODD_ROWS[Math.floor(rand() * ODD_ROWS.length)] as (c: string[]) => void)(cells);
      line = cells.join(",");
    }
    const room = boundary - at;
    if (room > 40 && room < 120) {
      const head = `${day},P`;
      line =
        boundary === Buffer.byteLength(header) + chunk
          ? `${head}${"a".repeat(room - 1 - head.length - tail.length)}${tail}` // its "\r" is the chunk's last byte
          : `${head}${"a".repeat(room - 1 - head.length)}ébbb${tail}`; // the first byte of "é" is
      boundary += chunk;
    }
    lines.push(line);
    at += Buffer.byteLength(line) + 2;
  }
  lines.push("©2024 Example Corp. All rights reserved.");
  if (quoteFirst) lines[0] = (lines[0] as string).replace("Campaign 0", '"Campaign 0"');
  return Buffer.from(`${header}${lines.join("\r\n")}\r\n`);
}

function rowsOf(sb: Sandbox, datasetId: number) {
  const c = sb.db.$client;
  return {
    observations: c
      .prepare(
        `SELECT campaign, segment, period_start, period_end, impressions, clicks, conversions, conversions_alt, spend, revenue, line
         FROM observations WHERE dataset_id = ? ORDER BY id`,
      )
      .raw()
      .all(datasetId),
    rejected: c.prepare("SELECT line, raw, reason FROM rejected_rows WHERE dataset_id = ? ORDER BY id").raw().all(datasetId),
  };
}

const comparable = (s: ImportSummary) => ({ ...s, datasetId: 0, sha256: "", name: "" });

describe("a file without quotes", () => {
  it("imports exactly as the same content read through papaparse", async () => {
    const plainBytes = generate(false);
    const quotedBytes = generate(true);
    expect(plainBytes.includes(0x22)).toBe(false);
    expect(quotedBytes.length).toBe(plainBytes.length + 2);
    // the chunk boundaries fall where generate() put them: inside a "\r\n", inside an "é"
    const dataStart = plainBytes.indexOf("\r\n") + 2;
    expect([...plainBytes.subarray(dataStart + 512 * 1024 - 1, dataStart + 512 * 1024 + 1)]).toEqual([0x0d, 0x0a]);
    expect([...plainBytes.subarray(dataStart + 1024 * 1024 - 1, dataStart + 1024 * 1024 + 1)]).toEqual([0xc3, 0xa9]);

    const plain = await uploadAndImport(sb, plainBytes, { fileName: "plain.csv" });
    const quoted = await uploadAndImport(sb, quotedBytes, { fileName: "quoted.csv" });
    expect(plain.summary.rowsImported).toBeGreaterThan(20_000);
    expect(plain.summary.rowsRejected).toBeGreaterThan(500);
    expect(comparable(plain.summary)).toEqual(comparable(quoted.summary));
    const a = rowsOf(sb, plain.summary.datasetId);
    const b = rowsOf(sb, quoted.summary.datasetId);
    expect(a.observations.length).toBe(plain.summary.rowsImported);
    expect(a.rejected.length).toBe(plain.summary.rowsRejected);
    expect(a.observations).toEqual(b.observations);
    expect(a.rejected).toEqual(b.rejected);
  });
});
