import "server-only";
import { getDb } from "@/db/client";
import { compareArms, compareChange, type AbQuery, type AbResult, type CompareQuery, type CompareResult } from "./compare";
import { analyzeDataset } from "./dataset";
import { labDatasets, type LabDataset } from "./pooling-source";
import type { AnalysisQuery } from "./schemas";
import type { DatasetAnalysis } from "./types";

/*
 * The analysis entry points for pages and the command line: they take a dataset id and get the database themselves.
 * (Heavy work requested over HTTP runs in the worker pool instead: lib/jobs/worker/tasks.ts.)
 */

/** The whole analysis of a dataset (per-campaign figures, forecasts, calibration, pooling summary). */
export function analyzeDatasetById(datasetId: number, q: AnalysisQuery): DatasetAnalysis {
  return analyzeDataset(getDb(), datasetId, q);
}

/** The datasets the pooling lab and the collar desk offer as sources. */
export function listLabDatasets(): LabDataset[] {
  return labDatasets(getDb());
}

/** "Did it work?": a campaign before and after a change date (lib/analysis/compare.ts). */
export function compareChangeById(datasetId: number, q: CompareQuery): CompareResult {
  return compareChange(getDb(), datasetId, q);
}

/** "A against B": two campaigns of a dataset (lib/analysis/compare.ts). */
export function compareArmsById(datasetId: number, q: AbQuery): AbResult {
  return compareArms(getDb(), datasetId, q);
}
