import "server-only";
import { getDb } from "@/db/client";
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
