import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { modelSpecSchema, type ModelRequest } from "@/lib/engine/contract";
import { frequencyFromSpec } from "@/lib/engine/frequency";
import { cvCurve, maxCorrelation, poolSizeForCv, shareMoments } from "@/lib/engine/pool";
import { severityFromSpec } from "@/lib/engine/severity";
import { AppError } from "@/lib/errors";
import { formatFixed, formatNumber, formatSig } from "@/lib/format";
import { formatZodError } from "@/lib/validation";
import { labCv, labSummary, type LabSummary, type ModelFigures } from "./pooling-lattice";
import { campaignOutcome, specOutcome, type LabSource, type OutcomeModel, type RhoEstimate } from "./pooling-source";
import { HORIZONS } from "./schemas";
import type { HistogramPoint } from "./types";

/*
 * The pooling lab: one budget's outcome over a horizon alone, and its share of a pool of k budgets like it with
 * correlation rho, from the engine's exact lattices (lib/engine/pool.ts). Its sources are in pooling-source.ts
 * (shared with the collar desk and the analogies page), its lattices in pooling-lattice.ts, binning in histogram.ts.
 */

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
const EXACT_KS = [1, 3, 10, 30, 100, 300, 1000] as const;

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
  return `${v >= 10 ? formatFixed(v, 0) : v >= 1 ? formatFixed(v, 1) : formatSig(v, 2)}%`;
};

/**
 * The sentence under the CV chart: the pool size that brings one budget's CV under the target, or that no pool
 * size does when the correlation's floor CV_1 sqrt(rho) is above it.
 */
export function targetSentence(cv1: number, rho: number, target: number): { reachable: boolean; k: number | null; sentence: string } {
  if (!(cv1 > 0)) return { reachable: true, k: 1, sentence: "This outcome does not vary: pooling has nothing to steady." };
  const answer = poolSizeForCv(cv1, rho, target);
  const rhoText = formatFixed(rho, rho < 0.1 ? 3 : 2);
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
    sentence: `A pool of ${formatNumber(answer.k, 0)} budgets like yours brings the CV under ${pctText(target)} (from ${pctText(cv1)} alone).`,
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
      `rho must be at most ${formatFixed(rhoMax, 3)} for this model (a common shock on the conversion rate cannot correlate budgets more).`,
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
  if (rho > rhoMax) throw new AppError("invalid_query", `rho must be at most ${formatFixed(rhoMax, 3)} for this model.`);
  const exact: { k: number; cv: number }[] = [];
  const skipped: number[] = [];
  let computeMs = 0;
  for (const k of EXACT_KS) {
    try {
      const l = labCv(model, k, rho);
      computeMs += l.ms;
      exact.push({ k, cv: l.cv });
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
