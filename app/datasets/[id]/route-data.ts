import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "@/db/client";
import { getDatasetRow } from "@/db/queries";
import { observations, orders } from "@/db/schema";
import { campaignCandidates } from "@/app/_components/analysis-query";

/*
 * Existence checks run by the layouts of the dataset, campaign and report routes.
 *
 * Their pages sit under a loading.tsx (a Suspense boundary). Once its skeleton is sent the response has started with
 * status 200, so a notFound() thrown by the page can only swap in the not-found UI. A layout renders outside the
 * loading boundary of the pages below it: a notFound() there runs before anything streams and the answer is a real
 * 404. The checks are indexed lookups; the analysis itself stays in the pages, behind their skeletons.
 */

const ID_PATTERN = /^[1-9][0-9]{0,15}$/;

/** The dataset id a route segment holds ("1", "42"...), or null when the segment is not a positive integer. */
export function parseDatasetId(rawId: string): number | null {
  if (!ID_PATTERN.test(rawId)) return null;
  const id = Number(rawId);
  return Number.isSafeInteger(id) ? id : null;
}

/** Whether the id names a dataset whose import completed (status "ready"); one primary-key lookup. */
export function isReadyDataset(id: number): boolean {
  return getDatasetRow(getDb(), id)?.status === "ready";
}

/**
 * Whether a ready dataset has the campaign a path segment names: the segment as given or its percent-decoded form
 * (see campaignCandidates), matched exactly against the campaign names of its exposure rows or, for an order list, of
 * its orders. Uses the (dataset_id, campaign) indexes of both tables.
 */
export function hasCampaign(datasetId: number, segment: string): boolean {
  if (!isReadyDataset(datasetId)) return false;
  const names = campaignCandidates(segment);
  const db = getDb();
  for (const table of [observations, orders]) {
    const hit = db
      .select({ campaign: table.campaign })
      .from(table)
      .where(and(eq(table.datasetId, datasetId), inArray(table.campaign, names)))
      .limit(1)
      .get();
    if (hit) return true;
  }
  return false;
}

/**
 * Runs an existence check for a layout. Only a definite "no" counts as missing: if the lookup itself fails (the
 * database cannot be read, say), the error is logged and the page is left to render, so it fails the usual way and
 * its error.tsx shows the friendly message instead of a bare server error from the layout.
 */
export function missing(check: () => boolean): boolean {
  try {
    return !check();
  } catch (e) {
    console.error("noisefloor: existence check failed; leaving it to the page:", e);
    return false;
  }
}
