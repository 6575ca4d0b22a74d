import "server-only";
import { getDb } from "@/db/client";
import { analogies, coinUpload } from "@/lib/analysis/analogies";
import { campaignDetail } from "@/lib/analysis/campaign";
import { collarForCampaign, collarForModel } from "@/lib/analysis/collar";
import { compareArms, compareChange, type AbQuery, type CompareQuery } from "@/lib/analysis/compare";
import { analysisSummary, analyzeDataset } from "@/lib/analysis/dataset";
import { cachedModel } from "@/lib/analysis/model-cache";
import { poolingExactForCampaign, poolingExactForModel, poolingForCampaign, poolingForModel } from "@/lib/analysis/pooling";
import { modelHistogram } from "@/lib/analysis/pooling-calculator";
import type { AnalysisQuery } from "@/lib/analysis/schemas";
import { runModel } from "@/lib/engine/contract";

/**
 * The heavy services, by name, as they run inside a worker thread (lib/jobs/worker/entry.ts). Each takes one
 * structured-cloneable argument and returns a plain DTO; services that read the database use the worker's own
 * connection (getDb() in a worker thread opens a second connection to DATABASE_PATH; WAL lets it read while the
 * request thread writes).
 *
 * To move another service off the request loop: add it here, then call `runTask("name", args, { signal })` from the
 * route or page (lib/jobs/pool.ts). The request thread only imports this module's types.
 */
export const TASKS = {
  analysis: (a: { datasetId: number; q: AnalysisQuery }) => analyzeDataset(getDb(), a.datasetId, a.q),
  /** The campaign table's part of an analysis (no calibration, the fewest correlation resamples): shown first. */
  analysisSummary: (a: { datasetId: number; q: AnalysisQuery }) => analysisSummary(getDb(), a.datasetId, a.q),
  campaign: (a: { datasetId: number; campaign: string; q: AnalysisQuery }) =>
    campaignDetail(getDb(), a.datasetId, a.campaign, a.q),
  /** "Did it work?" and "A against B" (lib/analysis/compare.ts). */
  compare: (a: { datasetId: number; q: CompareQuery }) => compareChange(getDb(), a.datasetId, a.q),
  ab: (a: { datasetId: number; q: AbQuery }) => compareArms(getDb(), a.datasetId, a.q),
  poolingForCampaign: (q: Parameters<typeof poolingForCampaign>[1]) => poolingForCampaign(getDb(), q),
  poolingForModel: (b: Parameters<typeof poolingForModel>[0]) => poolingForModel(b),
  poolingExactForCampaign: (q: Parameters<typeof poolingExactForCampaign>[1]) => poolingExactForCampaign(getDb(), q),
  poolingExactForModel: (b: Parameters<typeof poolingExactForModel>[0]) => poolingExactForModel(b),
  collarForCampaign: (q: Parameters<typeof collarForCampaign>[1]) => collarForCampaign(getDb(), q),
  collarForModel: (b: Parameters<typeof collarForModel>[0]) => collarForModel(b),
  model: (spec: Parameters<typeof cachedModel>[0]) => cachedModel(spec),
  modelHistogram: (spec: Parameters<typeof modelHistogram>[0]) => modelHistogram(spec),
  /** The calculator page's first render: the figures and the chart bins of one model. */
  modelWithHistogram: (spec: Parameters<typeof modelHistogram>[0]) => ({ figures: runModel(spec), dist: modelHistogram(spec) }),
  analogies: () => analogies(getDb()),
  coinUpload: (u: Parameters<typeof coinUpload>[0]) => coinUpload(u),
  /** For the pool's own tests: spins for `ms` milliseconds (a stand-in for a long analysis). */
  spin: (a: { ms: number }) => {
    const until = Date.now() + Math.min(Math.max(a.ms, 0), 600_000);
    let n = 0;
    do n += 1;
    while (Date.now() < until);
    return { spun: n > 0 };
  },
} as const;

export type Tasks = typeof TASKS;
export type TaskName = keyof Tasks;
export type TaskArgs<K extends TaskName> = Parameters<Tasks[K]>[0];
export type TaskResult<K extends TaskName> = ReturnType<Tasks[K]>;

/** What a task sends back: its value, or a user-facing AppError's fields, or that something internal failed. */
export type TaskOutcome =
  | { ok: true; value: unknown }
  | { ok: false; code: string; message: string; details?: Record<string, unknown> }
  | { ok: false; internal: true };

/** The message the pool posts to a worker. */
export interface TaskMessage {
  name: TaskName;
  args: unknown;
}
