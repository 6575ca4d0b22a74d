import "server-only";
import { modelDistribution, type ModelSpec } from "@/lib/engine/contract";
import { binMass, massQuantile, type MassPoints } from "./histogram";
import type { HistogramPoint } from "./types";

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
