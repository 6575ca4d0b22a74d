import "server-only";
import { datasetHasCampaign } from "@/lib/ingest/datasets";
import { campaignCandidates } from "@/app/_components/analysis-query";

/*
 * Existence checks run by the layouts of the dataset, campaign and report routes.
 *
 * Their pages sit under a loading.tsx (a Suspense boundary). Once its skeleton is sent the response has started with
 * status 200, so a notFound() thrown by the page can only swap in the not-found UI. A layout renders outside the
 * loading boundary of the pages below it: a notFound() there runs before anything streams and the answer is a real
 * 404. The checks are indexed lookups; the analysis itself stays in the pages, behind their skeletons.
 */

/**
 * Whether a ready dataset has the campaign a path segment names: the segment as given or its percent-decoded form
 * (see campaignCandidates), matched exactly against the campaign names of its exposure rows or, for an order list, of
 * its orders (indexed lookups).
 */
export function hasCampaign(datasetId: number, segment: string): boolean {
  return datasetHasCampaign(datasetId, campaignCandidates(segment));
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
