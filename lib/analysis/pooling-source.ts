import "server-only";
import type { Db } from "@/db/client";
import { getDatasetRow, listDatasets, revisionKey } from "@/db/queries";
import type { ModelSpec } from "@/lib/engine/contract";
import { AppError } from "@/lib/errors";
import type { ImportSummary } from "@/lib/types/ingest";
import { cacheNamespace } from "./cache";
import { runAnalysis } from "./dataset";
import { HORIZON_DAYS, type Horizon } from "./schemas";

/*
 * The labs' sources (pooling lab, collar desk, analogies): the outcome model behind a campaign's forecast over a
 * horizon, or a model given directly, with where it came from as shown on screen.
 */

/** Which outcome of a budget is modelled: revenue (orders' values) or the conversion count. */
export const OUTCOMES = ["revenue", "conversions"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Correlation of a dataset's campaigns' daily surprises, with its 90% interval (DatasetAnalysis.rho). */
export interface RhoEstimate {
  estimate: number;
  lo: number;
  hi: number;
  pairs: number;
  days: number;
}

/** Where a lab's model came from, as shown on screen. */
export type LabSource =
  | {
      kind: "campaign";
      datasetId: number;
      datasetName: string;
      campaign: string;
      /** Every campaign of the dataset, for the picker. */
      campaigns: string[];
      horizon: Horizon;
      horizonDays: number;
      /** Spend over the horizon (currency), the budget the forecast is for. */
      budget: number;
      currency: string | null;
      outcome: Outcome;
    }
  | { kind: "model"; currency: null; outcome: Outcome };

/** A resolved outcome model: the contract's frequency and severity plus where they came from. */
export interface OutcomeModel {
  /** Cache key (data revision, dataset, horizon, campaign and outcome; or the spec itself). */
  readonly key: string;
  readonly frequency: ModelSpec["frequency"];
  readonly severity: ModelSpec["severity"];
  readonly source: LabSource;
  readonly rho: RhoEstimate | null;
  readonly notes: readonly string[];
}

const CONVERSION_SEVERITY = { kind: "constant", value: 1 } as const;

/** A dataset usable by the labs: dated or undated performance data (not an order list). */
export interface LabDataset {
  id: number;
  name: string;
  isSample: boolean;
  currency: string | null;
}

/** The datasets a lab can use (order lists only feed other datasets' order values), newest first. */
export function labDatasets(db: Db): LabDataset[] {
  return listDatasets(db)
    .filter((d) => d.kind !== "orders")
    .map((d) => ({ id: d.id, name: d.name, isSample: d.isSample, currency: d.currency }));
}

/** The dataset a lab opens with: the sample if present, else the newest; null when there is none. */
export function defaultLabDataset(db: Db): LabDataset | null {
  const all = labDatasets(db);
  return all.find((d) => d.isSample) ?? all[0] ?? null;
}

interface CampaignModels {
  names: string[];
  /** Name of the median campaign by revenue CV over the horizon (the lower middle one). */
  median: string;
  byName: Map<string, { frequency: ModelSpec["frequency"]; severity: ModelSpec["severity"]; budget: number; countsOnly: boolean; cv: number | null }>;
  rho: RhoEstimate | null;
  datasetName: string;
  currency: string | null;
}

/** Campaign models per data revision, dataset and horizon (a slider move does not re-run the estimation). */
const campaignCache = cacheNamespace<CampaignModels>("lab-campaigns", 32);

/**
 * Every campaign's forecast model of a dataset for a horizon, from the analysis (cached: a slider move does not
 * re-run the estimation). Throws AppError not_found / invalid_query as runAnalysis does.
 */
function campaignModels(db: Db, datasetId: number, horizon: Horizon): { key: string; models: CampaignModels } {
  // The data revision moves with every write (re-import, order lists, delete): the key of everything derived.
  const key = `${revisionKey(db)}:${datasetId}:${horizon}`;
  const hit = campaignCache.get(key);
  if (hit) return { key, models: hit };
  const row = getDatasetRow(db, datasetId);
  if (!row || row.status !== "ready") throw new AppError("not_found", `No dataset with id ${datasetId}.`);
  const summary = JSON.parse(row.summaryJson) as ImportSummary;
  if (summary.kind === "orders") {
    throw new AppError("invalid_query", "This dataset is an order list; choose a dataset with campaign performance.");
  }
  const run = runAnalysis(db, datasetId, { horizon });
  const byName: CampaignModels["byName"] = new Map();
  run.estimate.campaigns.forEach((e, i) => {
    const a = run.result.campaigns[i];
    byName.set(e.campaign, {
      frequency: e.forecast.frequency,
      severity: e.forecast.severity as ModelSpec["severity"],
      budget: e.forecast.budget,
      countsOnly: e.severity.countsOnly,
      cv: a?.forecast.cv ?? null,
    });
  });
  const names = run.estimate.campaigns.map((e) => e.campaign);
  const ranked = names
    .map((n) => ({ n, cv: byName.get(n)?.cv ?? null }))
    .filter((x): x is { n: string; cv: number } => x.cv !== null && Number.isFinite(x.cv))
    .sort((a, b) => a.cv - b.cv);
  const median = ranked[(ranked.length - 1) >> 1]?.n ?? names[0];
  if (median === undefined) throw new AppError("not_found", `Dataset ${datasetId} has no campaigns.`);
  const r = run.result.rho;
  const models: CampaignModels = {
    names,
    median,
    byName,
    rho: r.pairs > 0 ? { estimate: r.estimate, lo: r.lo, hi: r.hi, pairs: r.pairs, days: r.days } : null,
    datasetName: run.result.name,
    currency: run.result.currency,
  };
  return { key, models: campaignCache.set(key, models) };
}

/**
 * The model of one campaign's outcome over a horizon: its forecast's frequency and severity (or, for conversions,
 * every conversion worth 1).
 *
 * @param campaign - a campaign of the dataset; the median campaign (by revenue CV) when absent
 * @returns the outcome model. Throws AppError("not_found") for an unknown dataset or campaign.
 */
export function campaignOutcome(
  db: Db,
  q: { datasetId: number; campaign?: string | undefined; horizon: Horizon; outcome?: Outcome },
): OutcomeModel {
  const { key, models } = campaignModels(db, q.datasetId, q.horizon);
  const name = q.campaign ?? models.median;
  const m = models.byName.get(name);
  if (!m) throw new AppError("not_found", `No campaign "${name.slice(0, 80)}" in dataset ${q.datasetId}.`);
  const notes: string[] = [];
  let outcome: Outcome = q.outcome ?? "revenue";
  if (outcome === "revenue" && m.countsOnly) {
    outcome = "conversions";
    notes.push("This file has no revenue: the outcome is the number of conversions.");
  }
  return {
    key: `${key}:${name}:${outcome}`,
    frequency: m.frequency,
    severity: outcome === "conversions" ? CONVERSION_SEVERITY : m.severity,
    source: {
      kind: "campaign",
      datasetId: q.datasetId,
      datasetName: models.datasetName,
      campaign: name,
      campaigns: models.names,
      horizon: q.horizon,
      horizonDays: HORIZON_DAYS[q.horizon],
      budget: m.budget,
      currency: models.currency,
      outcome,
    },
    rho: models.rho,
    notes,
  };
}

/** A model given directly (frequency and severity of the contract), e.g. from the calculator. */
export function specOutcome(spec: Pick<ModelSpec, "frequency" | "severity">): OutcomeModel {
  const outcome: Outcome = spec.severity.kind === "constant" && spec.severity.value === 1 ? "conversions" : "revenue";
  return {
    key: `model:${JSON.stringify([spec.frequency, spec.severity])}`,
    frequency: spec.frequency,
    severity: spec.severity,
    source: { kind: "model", currency: null, outcome },
    rho: null,
    notes: [],
  };
}
