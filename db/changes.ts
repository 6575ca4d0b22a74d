import "server-only";
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "./client";
import { bumpDataRevision } from "./queries";
import { changeMarkers, type ChangeMarker } from "./schema";

/*
 * Change markers (a date and a note on a campaign): the rows of change_markers. Every write bumps the data revision
 * in its own transaction, as every write does, so caches keyed by the revision never serve a stale list.
 */

/** A campaign's dated rows: the first and last day (ISO dates), or null when it has none. */
export interface CampaignDates {
  first: string;
  last: string;
}

/**
 * The first and last day of a campaign's live dated rows (a row of one day: period_start = period_end), or null when
 * the campaign has no such rows (undated rows, or no campaign of that name).
 */
export function campaignDateRange(db: Db, datasetId: number, campaign: string): CampaignDates | null {
  const row = db.$client
    .prepare(
      `SELECT min(period_start) AS first, max(period_start) AS last FROM observations
       WHERE dataset_id = ? AND campaign = ? AND superseded_by IS NULL AND period_start IS NOT NULL AND period_start = period_end`,
    )
    .get(datasetId, campaign) as { first: string | null; last: string | null } | undefined;
  return row && row.first !== null && row.last !== null ? { first: row.first, last: row.last } : null;
}

/** Whether the dataset has any live row of this campaign (dated or not). */
export function campaignExists(db: Db, datasetId: number, campaign: string): boolean {
  return (
    db.$client
      .prepare("SELECT 1 FROM observations WHERE dataset_id = ? AND campaign = ? AND superseded_by IS NULL LIMIT 1")
      .get(datasetId, campaign) !== undefined
  );
}

/** Saves a marker and bumps the data revision in one transaction; returns the stored row. */
export function insertChangeMarker(db: Db, m: { datasetId: number; campaign: string; date: string; note: string }): ChangeMarker {
  return db.$client.transaction(() => {
    const row = db.insert(changeMarkers).values(m).returning().get();
    bumpDataRevision(db.$client);
    return row;
  })();
}

/** A dataset's markers (of one campaign when given), by campaign, date, then id. */
export function listChangeMarkers(db: Db, datasetId: number, campaign?: string): ChangeMarker[] {
  const where =
    campaign === undefined ? eq(changeMarkers.datasetId, datasetId) : and(eq(changeMarkers.datasetId, datasetId), eq(changeMarkers.campaign, campaign));
  return db.select().from(changeMarkers).where(where).orderBy(asc(changeMarkers.campaign), asc(changeMarkers.date), asc(changeMarkers.id)).all();
}

/** Removes one marker of a dataset (and bumps the revision); false when the dataset has no marker of that id. */
export function deleteChangeMarker(db: Db, datasetId: number, id: number): boolean {
  return db.$client.transaction(() => {
    const r = db.delete(changeMarkers).where(and(eq(changeMarkers.datasetId, datasetId), eq(changeMarkers.id, id))).run();
    if (r.changes === 0) return false;
    bumpDataRevision(db.$client);
    return true;
  })();
}
