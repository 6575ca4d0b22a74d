import "server-only";
import type { Db } from "@/db/client";
import { csvLine } from "@/lib/csv";

export interface RejectedRowView {
  line: number;
  reason: string;
  raw: string;
}

const PAGE = 1000;

/** One page of a dataset's rejected rows in file order, and how many there are in all. */
export function listRejected(
  db: Db,
  datasetId: number,
  opts: { limit?: number; offset?: number } = {},
): { total: number; rows: RejectedRowView[] } {
  const limit = Math.max(0, Math.min(opts.limit ?? 100, 10_000));
  const offset = Math.max(0, opts.offset ?? 0);
  const { n } = db.$client.prepare("SELECT COUNT(*) AS n FROM rejected_rows WHERE dataset_id = ?").get(datasetId) as { n: number };
  const rows = db.$client
    .prepare("SELECT line, reason, raw FROM rejected_rows WHERE dataset_id = ? ORDER BY line, id LIMIT ? OFFSET ?")
    .all(datasetId, limit, offset) as RejectedRowView[];
  return { total: n, rows };
}

/**
 * The rejected rows as CSV text in chunks of up to 1,000 rows (columns line, reason, raw; formula-safe), read page by
 * page so a large set never sits in memory at once and the connection is free between chunks.
 */
function* rejectedRowsCsvChunks(db: Db, datasetId: number): Generator<string> {
  yield csvLine(["line", "reason", "raw"]);
  const stmt = db.$client.prepare(
    "SELECT id, line, reason, raw FROM rejected_rows WHERE dataset_id = ? AND (line > ? OR (line = ? AND id > ?)) ORDER BY line, id LIMIT ?",
  );
  let lastLine = -1;
  let lastId = -1;
  for (;;) {
    const rows = stmt.all(datasetId, lastLine, lastLine, lastId, PAGE) as (RejectedRowView & { id: number })[];
    if (rows.length === 0) return;
    let out = "";
    for (const r of rows) out += csvLine([r.line, r.reason, r.raw]);
    yield out;
    const last = rows[rows.length - 1] as { line: number; id: number };
    lastLine = last.line;
    lastId = last.id;
    if (rows.length < PAGE) return;
  }
}

/** The rejected rows of a dataset as one CSV text (header line, reason, raw), e.g. for a download. */
export function rejectedRowsCsv(db: Db, datasetId: number): string {
  let out = "";
  for (const chunk of rejectedRowsCsvChunks(db, datasetId)) out += chunk;
  return out;
}
