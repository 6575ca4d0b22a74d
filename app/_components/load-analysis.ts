import "server-only";
import { notFound } from "next/navigation";
import type { AnalysisQuery } from "@/lib/analysis/schemas";
import type { CampaignDetail, DatasetAnalysis, DatasetSummary } from "@/lib/analysis/types";
import { isAppError } from "@/lib/errors";
import { parseDatasetId } from "@/lib/id";
import { getDataset, type DatasetDetail } from "@/lib/ingest/datasets";
import { runTask } from "@/lib/jobs/pool";
import { campaignCandidates } from "./analysis-query";

export type LoadedDataset = DatasetDetail;

/** The dataset named by a route segment, or the not-found page. */
export function loadDatasetOr404(rawId: string): LoadedDataset {
  const id = parseDatasetId(rawId);
  if (id === null) notFound();
  const ds = getDataset(id);
  if (!ds) notFound();
  return ds;
}

/**
 * Runs the analysis for a page. "not_found" becomes the not-found page; another AppError (a user-facing message,
 * e.g. a dataset too small to analyze, or the server busy) is returned for the page to show; anything else
 * propagates to error.tsx. Runs in the worker pool (lib/jobs/pool.ts), like the API.
 */
export async function analyzeOrMessage(datasetId: number, q: AnalysisQuery): Promise<{ analysis: DatasetAnalysis } | { message: string }> {
  try {
    return { analysis: await runTask("analysis", { datasetId, q }) };
  } catch (e) {
    if (isAppError(e)) {
      if (e.code === "not_found") notFound();
      return { message: e.message };
    }
    throw e;
  }
}

/** The campaign table's part of the analysis (no calibration, shown first), like analyzeOrMessage. */
export async function summaryOrMessage(datasetId: number, q: AnalysisQuery): Promise<{ summary: DatasetSummary } | { message: string }> {
  try {
    return { summary: await runTask("analysisSummary", { datasetId, q }) };
  } catch (e) {
    if (isAppError(e)) {
      if (e.code === "not_found") notFound();
      return { message: e.message };
    }
    throw e;
  }
}

/** Same as analyzeOrMessage for one campaign named by a path segment (see campaignCandidates). */
export async function campaignOrMessage(
  datasetId: number,
  segment: string,
  q: AnalysisQuery,
): Promise<{ detail: CampaignDetail } | { message: string }> {
  const names = campaignCandidates(segment);
  for (const [i, name] of names.entries()) {
    try {
      return { detail: await runTask("campaign", { datasetId, campaign: name, q }) };
    } catch (e) {
      if (isAppError(e)) {
        if (e.code === "not_found") {
          if (i < names.length - 1) continue;
          notFound();
        }
        return { message: e.message };
      }
      throw e;
    }
  }
  notFound();
}

/**
 * Whether the figures are across ads, for the banner that says so: rows without dates, not each a whole period (a
 * row span), and not one row per campaign (a campaign report, which its notes describe instead).
 */
export function acrossAds(a: Pick<DatasetAnalysis, "unit" | "rowSpan" | "campaigns">): boolean {
  return a.unit === "ad" && !a.rowSpan && !a.campaigns.every((c) => c.units === 1);
}

/** "day" for dated files, "ad" for files without dates (figures across ads). */
export function datasetUnit(ds: LoadedDataset): "day" | "ad" {
  return ds.periodStart === null ? "ad" : "day";
}
