import "server-only";
import { modelDistribution, modelSpecSchema, type ModelRequest, type ModelSpec } from "@/lib/engine/contract";
import { LatticeDistribution } from "@/lib/engine/lattice";
import { AppError } from "@/lib/errors";
import { formatZodError } from "@/lib/validation";
import { cacheNamespace } from "./cache";
import { latticeHistogram } from "./histogram";
import type { OutcomeModel } from "./pooling-source";
import type { HistogramPoint } from "./types";

/*
 * Lattices sized for a screen: the exact distribution of one budget, or of its share of a pool of k budgets with
 * correlation rho, as the model contract computes it (cached), and what the labs keep of it (figures and bins).
 */

/**
 * The contract request behind a lab lattice: POST /api/model with it gives the same figures. The lattice step is
 * left to the engine (automatic: fine enough to resolve the orders for a few claims, density-sampled for many).
 */
function labSpec(model: Pick<OutcomeModel, "frequency" | "severity">, k: number, rho: number): ModelRequest {
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
function modelFigures(d: LatticeDistribution): ModelFigures {
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
