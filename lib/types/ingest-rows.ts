/**
 * The rows an import reads out of a file, as the row reader (lib/ingest/row-reader.ts) gives them and a row sink
 * stores them: here, below both, because the SQLite sink lives in db/ (db/bulk-writer.ts) and db/ imports no
 * service.
 */

/** One row of ad performance (a campaign's figures over a period). */
export interface ObservationRow {
  /** 1-based line of the row in the file. */
  line: number;
  /** Trimmed, never empty. */
  campaign: string;
  /** Trimmed; "" when the file has no segment column. */
  segment: string;
  /** ISO dates; null when the file has neither a date column nor a date-range line above the header. */
  periodStart: string | null;
  periodEnd: string | null;
  /** null: not stated (an empty cell or a missing-value marker), never compared with clicks. */
  impressions: number | null;
  /** Counts and amounts (>= 0); 0 where the column is not in the file. */
  clicks: number;
  conversions: number;
  conversionsAlt: number | null;
  /** In the file's currency; 0 where the column is not in the file. */
  spend: number;
  revenue: number | null;
  /** The currency cell as written (not trimmed); null when the file has no currency column. */
  currency: string | null;
}

/** One order of an order-level sales file. */
export interface OrderRow {
  line: number;
  campaign: string;
  /** ISO date; null when the file has no date column. */
  date: string | null;
  /** Last day of the order's period: `date`, or the end of its week or month where the column is one. */
  dateEnd: string | null;
  /** Trimmed; null when empty or not in the file. */
  orderId: string | null;
  /** The order's value (>= 0), in the file's currency. */
  value: number;
  /** The currency cell as written; null when the file has no currency column. */
  currency: string | null;
}

/**
 * Where an import's rows go: the SQLite bulk writer (db/bulk-writer.ts) or an in-memory list (tests). Rows arrive
 * in file order; `finish` is called once after the last one.
 */
export interface RowSink {
  observation(row: ObservationRow): void;
  order(row: OrderRow): void;
  /** A row that could not be imported: its line, its text (cut when long) and why. */
  rejected(line: number, raw: string, reason: string): void;
  /** Writes whatever is still buffered. */
  finish(): void;
  /** Distinct campaign names among the rows stored (used past the importer's in-memory count). */
  distinctCampaigns(): number;
}
