import "server-only";
import { modelCv, modelDistribution, modelSpecSchema, type ModelCv, type ModelRequest, type ModelSpec } from "@/lib/engine/contract";
import type { LatticeDistribution } from "@/lib/engine/lattice";
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
 * Grid limit of the lab's lattices: 2^18 points, a quarter of the engine's. A lattice the lab draws as 70 bins and
 * three quantiles needs no more, and a slider move then waits for at most one such lattice: a strong shared shock
 * (the real daily campaign's week at rho 0.95, whose sum reaches a hundred times its mean at 1e-13) takes 98,304 to
 * 131,072 points at five times the step in 25 to 35 ms, where the engine's limit gives 393,216 to 524,288 points in
 * 85 to 100 ms (pool sizes 1, 9, 89, 891), with the median within 0.2% and the 95% quantile within 0.01%. A lattice
 * the engine refuses at this limit is computed at its own (see labLattice); the request shown with the lattice names
 * the limit it was computed at.
 */
const LAB_GRID = 1 << 18;

/**
 * The contract request behind a lab lattice: POST /api/model with it gives the same figures. The lattice step is
 * left to the engine (automatic: fine enough to resolve the orders for a few claims, density-sampled for many),
 * within the lab's grid limit unless `fullGrid`.
 */
function labSpec(model: Pick<OutcomeModel, "frequency" | "severity">, k: number, rho: number, fullGrid = false): ModelRequest {
  const spec: ModelRequest = {
    frequency: model.frequency,
    severity: model.severity as ModelRequest["severity"],
    quantiles: [0.05, 0.5, 0.95],
  };
  if (!fullGrid) spec.grid = LAB_GRID;
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

/** The contract's lattice for a validated request (modelDistribution: the computation behind runModel). */
function modelLattice(spec: ModelSpec): { distribution: LatticeDistribution; step: number; gridSize: number; method: string } {
  const m = modelDistribution(spec);
  return { distribution: m.distribution, step: m.baseStep, gridSize: m.gridSize, method: m.method };
}

/** What the lab says of a pool the engine refused. */
const failureMessage = (e: AppError): string => `This pool cannot be computed: ${e.message.replace(/\.$/, "")}.`;

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
  let request = labSpec(model, k, rho);
  const parsed = modelSpecSchema.safeParse(request);
  if (!parsed.success) throw new AppError("invalid_query", formatZodError(parsed.error));
  const t0 = performance.now();
  const failed = failureCache.get(key);
  if (failed) throw new AppError("invalid_query", failed);
  let result: ReturnType<typeof modelLattice>;
  try {
    result = modelLattice(parsed.data);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    // Refused at the lab's grid limit (a step too fine for it, a tail too long): the engine's own limit.
    request = labSpec(model, k, rho, true);
    try {
      result = modelLattice(modelSpecSchema.parse(request));
    } catch (e2) {
      if (e2 instanceof AppError) {
        // Remember a failure: a slider passing over the same pool again does not pay for it twice.
        throw new AppError("invalid_query", failureCache.set(key, failureMessage(e2)));
      }
      throw e2;
    }
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

/** A CV check point's first lattice: 2^16 points (see labCv). */
const CV_COARSE_GRID = 1 << 16;
/**
 * How far (relative) the coarse lattice's CV may sit from the closed form and still stand for the engine's automatic
 * lattice's: on the real daily campaign of ../shared (a week, rho 0.95) the split of order values on 2^16 points adds
 * 7e-4 to 8e-4 of the CV, and a dot on the CV chart is drawn about 1% of the axis wide.
 */
const CV_AGREEMENT = 2e-3;
const cvCache = cacheNamespace<LabCv>("lab-cv", 256);

/** The CV of a pool's share on a lattice, and the lattice it came from. */
export interface LabCv {
  readonly cv: number;
  readonly gridSize: number;
  /** Milliseconds the engine took (0 when it came from the cache). */
  readonly ms: number;
}

/**
 * The CV of the share of a pool of k budgets like `model` with correlation rho, computed on a lattice (the check
 * points beside the closed-form curve) keeping only its mean and variance (the contract's modelCv): on 2^16 points
 * when that lattice's CV is within 2e-3 of the closed form, else on the engine's automatic lattice (up to 2^20
 * points, not the lab's 2^18), whatever its CV: a closed form that is wrong shows as a dot off the curve, never as a
 * coarse lattice passed off as a fine one. Cached by model, k and rho (failures with labLattice's).
 *
 * @returns the CV and the lattice's size. Throws AppError("invalid_query") when the engine cannot compute the pool.
 */
export function labCv(model: OutcomeModel, k: number, rho: number): LabCv {
  const key = `${model.key}|${k}|${rho}`;
  const hit = cvCache.get(key);
  if (hit) return { ...hit, ms: 0 };
  const failed = failureCache.get(key);
  if (failed) throw new AppError("invalid_query", failed);
  const parsed = modelSpecSchema.safeParse(labSpec(model, k, rho, true));
  if (!parsed.success) throw new AppError("invalid_query", formatZodError(parsed.error));
  const t0 = performance.now();
  try {
    const coarse = modelCv(parsed.data, CV_COARSE_GRID);
    if (Math.abs(coarse.cv / coarse.closedForm - 1) <= CV_AGREEMENT) {
      return cvCache.set(key, { cv: coarse.cv, gridSize: coarse.gridSize, ms: performance.now() - t0 });
    }
  } catch (e) {
    // a lattice too coarse for its own checks: the automatic one, which says why if it fails too
    if (!(e instanceof AppError)) throw e;
  }
  let full: ModelCv;
  try {
    full = modelCv(parsed.data);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    throw new AppError("invalid_query", failureCache.set(key, failureMessage(e)));
  }
  return cvCache.set(key, { cv: full.cv, gridSize: full.gridSize, ms: performance.now() - t0 });
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
