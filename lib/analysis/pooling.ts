import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { dataRevision, getDatasetRow, listDatasets } from "@/db/queries";
import { modelDistribution, modelSpecSchema, type ModelRequest, type ModelSpec } from "@/lib/engine/contract";
import { frequencyFromSpec } from "@/lib/engine/frequency";
import { LatticeDistribution } from "@/lib/engine/lattice";
import { cvCurve, maxCorrelation, poolSizeForCv, shareMoments } from "@/lib/engine/pool";
import { severityFromSpec } from "@/lib/engine/severity";
import { AppError } from "@/lib/errors";
import { formatZodError } from "@/lib/validation";
import type { ImportSummary } from "@/lib/types/ingest";
import { cacheNamespace } from "./cache";
import { runAnalysis } from "./dataset";
import { HORIZON_DAYS, HORIZONS, type Horizon } from "./schemas";
import type { HistogramPoint } from "./types";

/*
 * The pooling lab: one budget's outcome over a horizon alone, and its share of a pool of k budgets like it with
 * correlation rho, from the engine's exact lattices (lib/engine/pool.ts). Shared by the collar desk and the
 * analogies page: the campaign model behind a dataset's forecast, lattices on a step sized for charts, and binning.
 */

// ---------------------------------------------------------------------------------------------------------------
// Sources: a campaign's forecast model, or a model given directly.

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
  const key = `rev${dataRevision(db)}:${datasetId}:${horizon}`;
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

// ---------------------------------------------------------------------------------------------------------------
// Lattices sized for a screen.

/**
 * The contract request behind a lab lattice: POST /api/model with it gives the same figures. The lattice step is
 * left to the engine (automatic: fine enough to resolve the orders for a few claims, density-sampled for many).
 */
export function labSpec(model: Pick<OutcomeModel, "frequency" | "severity">, k: number, rho: number): ModelRequest {
  const spec: ModelRequest = {
    frequency: model.frequency,
    severity: model.severity as ModelRequest["severity"],
    quantiles: [0.05, 0.5, 0.95],
  };
  if (k > 1) spec.pool = k;
  if (rho > 0) spec.rho = rho;
  return spec;
}

/** A lattice with how it was computed. */
export interface LabLattice {
  readonly dist: LatticeDistribution;
  readonly spec: ModelRequest;
  readonly step: number;
  readonly gridSize: number;
  readonly method: string;
  /** Milliseconds the engine took (0 when it came from the cache). */
  readonly ms: number;
}

/**
 * The contract's lattice for a validated request (modelDistribution: the computation behind runModel) as a
 * LatticeDistribution: values are (offset + i) baseStep / pool, so the offset is values[0] pool / baseStep.
 */
function modelLattice(spec: ModelSpec): { distribution: LatticeDistribution; step: number; gridSize: number; method: string } {
  const m = modelDistribution(spec);
  const offset = Math.round(((m.values[0] ?? 0) * m.pool) / m.baseStep);
  return { distribution: new LatticeDistribution(m.pmf, m.baseStep, m.pool, offset), step: m.baseStep, gridSize: m.gridSize, method: m.method };
}

/** Whole lattices kept (up to 2^20 points each, ~32 MB with their running sums): only the last few. */
const latticeCache = cacheNamespace<LabLattice>("lab-lattice", 6);
/** Summaries (figures and bins, a few kB each) and failures kept for slider moves. */
const summaryCache = cacheNamespace<LabSummary>("lab-summary", 256);
const failureCache = cacheNamespace<string>("lab-failure", 256);

/**
 * The share of a pool of k budgets like `model` with correlation rho, exactly as runModel(labSpec(model, k, rho))
 * computes it, cached by model, k and rho (failures too, so a slider passing over them does not pay twice).
 *
 * @returns the lattice. Throws AppError("invalid_query") when the engine cannot compute it (a correlation out of the
 * frequency's reach, a lattice that does not fit), with the engine's explanation.
 */
export function labLattice(model: OutcomeModel, k: number, rho: number): LabLattice {
  const key = `${model.key}|${k}|${rho}`;
  const hit = latticeCache.get(key);
  if (hit) return { ...hit, ms: 0 };
  const request = labSpec(model, k, rho);
  const parsed = modelSpecSchema.safeParse(request);
  if (!parsed.success) throw new AppError("invalid_query", formatZodError(parsed.error));
  const spec = parsed.data;
  const t0 = performance.now();
  const failed = failureCache.get(key);
  if (failed) throw new AppError("invalid_query", failed);
  let result: ReturnType<typeof modelLattice>;
  try {
    result = modelLattice(spec);
  } catch (e) {
    if (e instanceof AppError) {
      // Remember a failure: a slider passing over the same pool again does not pay for it twice.
      const message = `This pool cannot be computed: ${e.message.replace(/\.$/, "")}.`;
      failureCache.set(key, message);
      throw new AppError("invalid_query", message);
    }
    throw e;
  }
  const lattice: LabLattice = {
    dist: result.distribution,
    spec: request,
    step: result.step,
    gridSize: result.gridSize,
    method: result.method,
    ms: performance.now() - t0,
  };
  return latticeCache.set(key, lattice);
}

/** What the pooling lab keeps of a lattice: its figures and bins (the whole lattice is not needed again). */
export interface LabSummary {
  readonly figures: ModelFigures;
  /** About 70 bins between the 0.1% and 99.9% quantiles, before any fee. */
  readonly histogram: HistogramPoint[];
  readonly spec: ModelRequest;
  readonly step: number;
  readonly gridSize: number;
  readonly method: string;
  readonly ms: number;
}

/** labLattice's figures and bins, cached by model, k and rho (256 of them: a slider's worth of pools). */
export function labSummary(model: OutcomeModel, k: number, rho: number): LabSummary {
  const key = `${model.key}|${k}|${rho}`;
  const hit = summaryCache.get(key);
  if (hit) return { ...hit, ms: 0 };
  const l = labLattice(model, k, rho);
  const summary: LabSummary = {
    figures: modelFigures(l.dist),
    histogram: latticeHistogram(l.dist, 70),
    spec: l.spec,
    step: l.step,
    gridSize: l.gridSize,
    method: l.method,
    ms: l.ms,
  };
  return summaryCache.set(key, summary);
}

// ---------------------------------------------------------------------------------------------------------------
// Binning and figures.

/** Mass points of a distribution (values ascending with their probabilities). */
export interface MassPoints {
  readonly values: ArrayLike<number>;
  readonly probs: ArrayLike<number>;
}

/** Smallest value whose cumulative probability reaches p (1e-12 slack for summation rounding). */
export function massQuantile(d: MassPoints, p: number): number {
  let c = 0;
  for (let i = 0; i < d.probs.length; i++) {
    c += d.probs[i] as number;
    if (c >= p - 1e-12) return d.values[i] as number;
  }
  return d.values[d.values.length - 1] as number;
}

/**
 * Bins mass points into `bins` equal bins between lo and hi; x is the bin's centre. Points outside [lo, hi] are left
 * out (the caller picks lo and hi around all but a negligible mass), so the bins may sum to slightly under 1.
 *
 * @param step - spacing of the points when they lie on a lattice (0 otherwise): the bin width is then a whole
 * number of steps, so every bin holds the same number of lattice points (no comb pattern), and edges sit half a
 * step off the points
 * @param scale - multiplies every value (a fee taken off revenue), > 0
 * @returns the bins. Example: the points 0, 1, 2 with masses 0.25, 0.5, 0.25, lo 0, hi 2, 3 bins, step 1 give bins
 * centred at 0, 1, 2 of width 1 with those masses.
 */
export function binMass(d: MassPoints, lo: number, hi: number, bins: number, step = 0, scale = 1): HistogramPoint[] {
  if (!(hi >= lo) || !(bins >= 1)) throw new RangeError(`need lo <= hi and bins >= 1 (got ${lo}, ${hi}, ${bins})`);
  let width: number;
  let start: number;
  if (step > 0) {
    const points = Math.round((hi - lo) / step) + 1;
    const per = Math.max(1, Math.ceil(points / bins));
    width = per * step;
    start = lo - step / 2;
  } else {
    width = (hi - lo) / bins || 1;
    start = lo;
  }
  const n = Math.max(1, Math.ceil((hi + (step > 0 ? step / 2 : 0) - start) / width - 1e-9));
  const mass = new Float64Array(n);
  for (let i = 0; i < d.values.length; i++) {
    const x = d.values[i] as number;
    if (x < lo - 1e-9 * Math.max(1, Math.abs(lo)) || x > hi + 1e-9 * Math.max(1, Math.abs(hi))) continue;
    const b = Math.min(n - 1, Math.max(0, Math.floor((x - start) / width + 1e-9)));
    mass[b] = (mass[b] as number) + (d.probs[i] as number);
  }
  const out: HistogramPoint[] = [];
  for (let b = 0; b < n; b++) out.push({ x: (start + (b + 0.5) * width) * scale, width: width * scale, p: mass[b] as number });
  return out;
}

/** Bins of a lattice distribution between its 0.1% and 99.9% quantiles (about `bins` of them). */
export function latticeHistogram(dist: LatticeDistribution, bins = 70, scale = 1): HistogramPoint[] {
  const lo = dist.quantile(0.001);
  const hi = dist.quantile(0.999);
  return binMass({ values: dist.values(), probs: dist.pmf }, lo, hi, bins, dist.step, scale);
}

/** The figures of a lattice that POST /api/model reports (quantiles 5%, 50%, 95%). */
export interface ModelFigures {
  mean: number;
  sd: number;
  cv: number;
  skewness: number;
  pZero: number;
  q05: number;
  q50: number;
  q95: number;
}

/**
 * The figures POST /api/model reports for a lattice: its moments, P(S = 0) and the 5%, 50%, 95% quantiles (the
 * smallest lattice value with F(x) >= p). Example: Poisson(3) counts give pZero e^-3 ~ 0.0498 and q50 3.
 */
export function modelFigures(d: LatticeDistribution): ModelFigures {
  return {
    mean: d.mean,
    sd: d.sd,
    cv: d.cv,
    skewness: d.skewness,
    pZero: d.pZero,
    q05: d.quantile(0.05),
    q50: d.quantile(0.5),
    q95: d.quantile(0.95),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The pooling lab.

const optionalNumber = (schema: z.ZodNumber) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), z.coerce.number().pipe(schema).optional());

const labParams = {
  k: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce
      .number({ error: "k must be a number" })
      .int({ error: "k must be a whole number" })
      .min(1, { error: "k must be >= 1" })
      .max(1000, { error: "k must be <= 1000" })
      .default(20),
  ),
  rho: optionalNumber(z.number().min(0, { error: "rho must be in [0, 1)" }).lt(1, { error: "rho must be in [0, 1)" })),
  /** Percent of the pool's revenue the operator keeps. */
  fee: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number({ error: "fee must be a number" }).min(0, { error: "fee must be >= 0" }).max(50, { error: "fee must be <= 50 (percent)" }).default(0),
  ),
  /** CV target of the sentence, in percent. */
  target: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number({ error: "target must be a number" }).gt(0, { error: "target must be > 0" }).max(100, { error: "target must be <= 100 (percent)" }).default(10),
  ),
};

/** GET /api/pooling query: a dataset's campaign (the median one when absent), the horizon and the lab's controls. */
export const poolingQuerySchema = z.object({
  datasetId: z.coerce.number({ error: "datasetId must be a number" }).int().positive({ error: "datasetId must be a positive id" }),
  campaign: z.string().min(1).max(500).optional(),
  horizon: z.enum(HORIZONS, { error: "horizon must be day, week or month" }).default("week"),
  ...labParams,
});
export type PoolingQuery = z.output<typeof poolingQuerySchema>;

/** POST /api/pooling body: a model (frequency and severity of the contract) and the lab's controls. */
export const poolingBodySchema = z.strictObject({
  frequency: z.unknown(),
  severity: z.unknown(),
  k: labParams.k,
  rho: labParams.rho,
  fee: labParams.fee,
  target: labParams.target,
});

/** The controls of the lab (k, rho, fee and target as fractions). */
export interface PoolingControls {
  k: number;
  /** Absent: the dataset's estimate (0 for a model). */
  rho?: number | undefined;
  /** Fraction of revenue kept by the pool operator, in [0, 0.5]. */
  fee: number;
  /** CV target of the sentence (fraction). */
  target: number;
}

/** One distribution on the pooling chart. */
export interface PoolSeries {
  figures: ModelFigures;
  /** Bins (x = centre) between the 0.1% and 99.9% quantiles; for the pooled share, after the fee. */
  histogram: HistogramPoint[];
  /** The request that gives these figures from POST /api/model. */
  spec: ModelRequest;
  step: number;
  gridSize: number;
  method: string;
}

export interface PoolingDto {
  source: LabSource;
  notes: string[];
  k: number;
  rho: number;
  /** Where rho came from: the dataset's estimate, the user, or 0 for a model without one. */
  rhoSource: "estimate" | "user" | "none";
  rhoEstimate: RhoEstimate | null;
  /** Largest correlation the model's common shock can give (r / (r + 1) for a negative binomial), capped at 0.95. */
  rhoMax: number;
  fee: number;
  solo: PoolSeries;
  pooled: PoolSeries & {
    /** The share after the operator's fee: mean and quantiles times (1 - fee). */
    afterFee: { mean: number; q05: number; q50: number; q95: number };
    /** q95 - q05 after the fee: the middle 90%'s width. */
    width90: number;
  };
  cv: {
    /** CV of one budget (closed form, with the shared shock when rho > 0). */
    cv1: number;
    /** CV_1 sqrt(rho): no pool gets below it. */
    floor: number;
    /** Closed form CV_1 sqrt(rho + (1 - rho) / k) at the chosen k. */
    atK: number;
    /** Closed-form curve at about 60 log-spaced k from 1 to 1000. */
    curve: { k: number; cv: number }[];
    /** CV of the exact lattices of this answer (one budget and the chosen k); more from poolingExact. */
    exact: { k: number; cv: number }[];
  };
  target: { cv: number; reachable: boolean; k: number | null; sentence: string };
  /** The platform's view: the pool's total over k budgets against one budget, each relative to its own mean. */
  platform: {
    totalMean: number;
    totalQ05: number;
    totalQ95: number;
    /** The operator's expected take, fee x the pool's total mean. */
    feeTake: number;
    soloRange: [number, number];
    poolRange: [number, number];
  };
  /** Milliseconds spent in the engine for this answer (0 for cached lattices). */
  computeMs: number;
}

/** Pool sizes whose exact lattices are drawn on the CV chart. */
export const EXACT_KS = [1, 3, 10, 30, 100, 300, 1000] as const;

/** About n log-spaced whole pool sizes from 1 to kMax (distinct, ascending). */
export function logSpacedKs(kMax = 1000, n = 60): number[] {
  const out = new Set<number>();
  for (let i = 0; i <= n; i++) out.add(Math.round(Math.pow(kMax, i / n)));
  return [...out].sort((a, b) => a - b);
}

/**
 * Largest rho the lab offers for a model: the common shock's reach 1 / (1 + kappa) (r / (r + 1) for a negative
 * binomial, 1 otherwise) less 0.001, and never above 0.95. Example: NB with r = 1 gives 0.499.
 */
function rhoLimit(model: Pick<OutcomeModel, "frequency">): number {
  return Math.min(0.95, maxCorrelation(frequencyFromSpec(model.frequency)) - 1e-3);
}

/** A fraction as a short percentage for sentences: 0.123 -> "12%", 0.0456 -> "4.6%", 0.00123 -> "0.12%". */
const pctText = (x: number) => {
  const v = x * 100;
  return `${v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2)}%`;
};

/**
 * The sentence under the CV chart: the pool size that brings one budget's CV under the target, or that no pool
 * size does when the correlation's floor CV_1 sqrt(rho) is above it.
 */
export function targetSentence(cv1: number, rho: number, target: number): { reachable: boolean; k: number | null; sentence: string } {
  if (!(cv1 > 0)) return { reachable: true, k: 1, sentence: "This outcome does not vary: pooling has nothing to steady." };
  const answer = poolSizeForCv(cv1, rho, target);
  const rhoText = rho.toFixed(rho < 0.1 ? 3 : 2);
  if (!answer.reachable) {
    return {
      reachable: false,
      k: null,
      sentence: `No pool size gets the CV below ${pctText(answer.floorCv)} when budgets move together with rho = ${rhoText}: a shock that hits every budget is not averaged away, so a ${pctText(target)} target is out of reach.`,
    };
  }
  if (answer.k === 1) {
    return {
      reachable: true,
      k: 1,
      sentence: `One budget like yours already has a CV of ${pctText(cv1)}, under the ${pctText(target)} target.`,
    };
  }
  return {
    reachable: true,
    k: answer.k,
    sentence: `A pool of ${answer.k.toLocaleString("en-US")} budgets like yours brings the CV under ${pctText(target)} (from ${pctText(cv1)} alone).`,
  };
}

/**
 * Everything the pooling lab shows for a model and the controls: one budget alone and its share of a pool of k
 * (exact lattices, binned to about 70 bins), the CV against pool size (closed form and exact points), the pool size
 * for the CV target, and the platform's view (the pool's total) against one budget's.
 *
 * @param model - a campaign's outcome (campaignOutcome) or a model (specOutcome)
 * @param c - k in [1, 1000]; rho in [0, 1) or absent (the dataset's estimate); fee in [0, 0.5]; target > 0
 * @returns the DTO. Throws AppError("invalid_query") when rho is beyond the model's reach or a lattice fails.
 * Example: for a Poisson(50) x lognormal(4, 1) model at k 20, rho 0, cv.atK = cv1 / sqrt(20).
 */
export function poolingLab(model: OutcomeModel, c: PoolingControls): PoolingDto {
  const rhoMax = rhoLimit(model);
  const rhoSource: PoolingDto["rhoSource"] = c.rho !== undefined ? "user" : model.rho ? "estimate" : "none";
  const rho = c.rho ?? Math.min(model.rho?.estimate ?? 0, rhoMax);
  if (rho > rhoMax) {
    throw new AppError(
      "invalid_query",
      `rho must be at most ${rhoMax.toFixed(3)} for this model (a common shock on the conversion rate cannot correlate budgets more).`,
    );
  }
  const fee = c.fee;
  const k = c.k;
  const freq = frequencyFromSpec(model.frequency);
  const sev = severityFromSpec(model.severity);
  const closed = shareMoments(freq, sev, k, rho);
  const cv1 = closed.cv1;

  let computeMs = 0;
  const solo = labSummary(model, 1, rho);
  computeMs += solo.ms;
  const pooled = labSummary(model, k, rho);
  computeMs += pooled.ms;
  // The two exact lattices at hand; the others (EXACT_KS) come from poolingExact, asked for separately so that a
  // slider move waits for one lattice only.
  const exact = k === 1 ? [{ k: 1, cv: solo.figures.cv }] : [{ k: 1, cv: solo.figures.cv }, { k, cv: pooled.figures.cv }];

  const soloFig = solo.figures;
  const poolFig = pooled.figures;
  const keep = 1 - fee;
  const afterFee = { mean: poolFig.mean * keep, q05: poolFig.q05 * keep, q50: poolFig.q50 * keep, q95: poolFig.q95 * keep };
  const curve = cvCurve(cv1, rho, 1000);
  const rel = (q: number, m: number) => (m > 0 ? q / m - 1 : 0);
  const series = (l: LabSummary, scale: number): PoolSeries => ({
    figures: l.figures,
    histogram: scale === 1 ? l.histogram : l.histogram.map((b) => ({ x: b.x * scale, width: b.width * scale, p: b.p })),
    spec: l.spec,
    step: l.step,
    gridSize: l.gridSize,
    method: l.method,
  });
  return {
    source: model.source,
    notes: [...model.notes],
    k,
    rho,
    rhoSource,
    rhoEstimate: model.rho,
    rhoMax,
    fee,
    solo: series(solo, 1),
    pooled: { ...series(pooled, keep), afterFee, width90: afterFee.q95 - afterFee.q05 },
    cv: {
      cv1,
      floor: cv1 * Math.sqrt(rho),
      atK: curve[k - 1] as number,
      curve: logSpacedKs(1000, 60).map((kk) => ({ k: kk, cv: curve[kk - 1] as number })),
      exact,
    },
    target: { cv: c.target, ...targetSentence(cv1, rho, c.target) },
    platform: {
      totalMean: k * poolFig.mean,
      totalQ05: k * poolFig.q05,
      totalQ95: k * poolFig.q95,
      feeTake: fee * k * poolFig.mean,
      soloRange: [rel(soloFig.q05, soloFig.mean), rel(soloFig.q95, soloFig.mean)],
      poolRange: [rel(poolFig.q05, poolFig.mean), rel(poolFig.q95, poolFig.mean)],
    },
    computeMs,
  };
}

/** The CV of exact lattices at the chart's check points, for one model and rho. */
export interface PoolingExactDto {
  rho: number;
  /** {k, cv} at EXACT_KS; a pool the engine cannot compute is left out (and named in `skipped`). */
  exact: { k: number; cv: number }[];
  skipped: number[];
  computeMs: number;
}

/**
 * CV of the exact lattices at k = 1, 3, 10, 30, 100, 300, 1000 (cached like every lab lattice): the dots on the CV
 * chart, which should sit on the closed form CV_1 sqrt(rho + (1 - rho) / k).
 *
 * @param rho - in [0, 1) (absent: the dataset's estimate, as in poolingLab)
 */
export function poolingExact(model: OutcomeModel, rhoIn?: number): PoolingExactDto {
  const rhoMax = rhoLimit(model);
  const rho = rhoIn ?? Math.min(model.rho?.estimate ?? 0, rhoMax);
  if (rho > rhoMax) throw new AppError("invalid_query", `rho must be at most ${rhoMax.toFixed(3)} for this model.`);
  const exact: { k: number; cv: number }[] = [];
  const skipped: number[] = [];
  let computeMs = 0;
  for (const k of EXACT_KS) {
    try {
      const l = labSummary(model, k, rho);
      computeMs += l.ms;
      exact.push({ k, cv: l.figures.cv });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      skipped.push(k);
    }
  }
  return { rho, exact, skipped, computeMs };
}

/** GET /api/pooling/exact query: the source of GET /api/pooling and rho. */
export const poolingExactQuerySchema = z.object({
  datasetId: poolingQuerySchema.shape.datasetId,
  campaign: poolingQuerySchema.shape.campaign,
  horizon: poolingQuerySchema.shape.horizon,
  rho: labParams.rho,
});

/** POST /api/pooling/exact body: a model and rho. */
export const poolingExactBodySchema = z.strictObject({ frequency: z.unknown(), severity: z.unknown(), rho: labParams.rho });

/** GET /api/pooling/exact. */
export function poolingExactForCampaign(db: Db, q: z.output<typeof poolingExactQuerySchema>): PoolingExactDto {
  return poolingExact(campaignOutcome(db, { datasetId: q.datasetId, campaign: q.campaign, horizon: q.horizon }), q.rho);
}

/** POST /api/pooling/exact. */
export function poolingExactForModel(body: z.output<typeof poolingExactBodySchema>): PoolingExactDto {
  const parsed = modelSpecSchema.safeParse({ frequency: body.frequency, severity: body.severity });
  if (!parsed.success) throw new AppError("invalid_body", formatZodError(parsed.error));
  return poolingExact(specOutcome(parsed.data), body.rho ?? 0);
}

/** GET /api/pooling: the lab for a dataset's campaign. */
export function poolingForCampaign(db: Db, q: PoolingQuery): PoolingDto {
  const model = campaignOutcome(db, { datasetId: q.datasetId, campaign: q.campaign, horizon: q.horizon });
  return poolingLab(model, { k: q.k, rho: q.rho, fee: q.fee / 100, target: q.target / 100 });
}

/** POST /api/pooling: the lab for a model given directly (validated with the model contract's schema). */
export function poolingForModel(body: z.output<typeof poolingBodySchema>): PoolingDto {
  const parsed = modelSpecSchema.safeParse({ frequency: body.frequency, severity: body.severity });
  if (!parsed.success) throw new AppError("invalid_body", formatZodError(parsed.error));
  return poolingLab(specOutcome(parsed.data), { k: body.k, rho: body.rho ?? 0, fee: body.fee / 100, target: body.target / 100 });
}

// ---------------------------------------------------------------------------------------------------------------
// The calculator's chart.

/** A model's distribution for a chart (POST /api/model/distribution). */
export interface ModelHistogramDto {
  /** About 70 bins (x = centre, p = probability) between the 0.1% and 99.9% quantiles. */
  histogram: HistogramPoint[];
  /** Lattice step of the (pooled) sum and how it was computed, as in POST /api/model. */
  step: number;
  gridSize: number;
  method: string;
  pool: number;
}

/**
 * The lattice of a validated model request (the same computation as runModel) binned for a chart.
 *
 * @param spec - output of modelSpecSchema
 * @param bins - about how many bins (default 70)
 * @returns the histogram and how the lattice was computed. Throws AppError("invalid_body") as runModel does.
 */
export function modelHistogram(spec: ModelSpec, bins = 70): ModelHistogramDto {
  const lattice = modelDistribution(spec);
  const { pmf, values } = lattice;
  const mass: MassPoints = { values, probs: pmf };
  return {
    histogram: binMass(mass, massQuantile(mass, 0.001), massQuantile(mass, 0.999), bins, lattice.step),
    step: lattice.baseStep,
    gridSize: lattice.gridSize,
    method: lattice.method,
    pool: lattice.pool,
  };
}
