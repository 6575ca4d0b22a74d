/**
 * A row sink that keeps the rows in memory: runs the importer's whole pipeline on a file without a database (the
 * SQLite one is db/bulk-writer.ts). Rows are copied, so a test sees each as it was handed over.
 */
import type { ObservationRow, OrderRow, RowSink } from "@/lib/types/ingest-rows";

export interface RejectedRow {
  line: number;
  raw: string;
  reason: string;
}

export class MemorySink implements RowSink {
  readonly observations: ObservationRow[] = [];
  readonly orders: OrderRow[] = [];
  readonly rejectedRows: RejectedRow[] = [];
  finished = 0;

  observation(row: ObservationRow): void {
    const { line, campaign, segment, periodStart, periodEnd, impressions, clicks, conversions, conversionsAlt, spend, revenue, currency } = row;
    this.observations.push({ line, campaign, segment, periodStart, periodEnd, impressions, clicks, conversions, conversionsAlt, spend, revenue, currency });
  }

  order(row: OrderRow): void {
    const { line, campaign, date, dateEnd, orderId, value, currency } = row;
    this.orders.push({ line, campaign, date, dateEnd, orderId, value, currency });
  }

  rejected(line: number, raw: string, reason: string): void {
    this.rejectedRows.push({ line, raw, reason });
  }

  finish(): void {
    this.finished++;
  }

  distinctCampaigns(): number {
    return new Set([...this.observations, ...this.orders].map((r) => r.campaign)).size;
  }
}
