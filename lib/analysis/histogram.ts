import type { LatticeDistribution } from "@/lib/engine/lattice";
import type { HistogramPoint } from "./types";

/*
 * One histogram binning for every chart: mass points (a lattice, a holding's grid, a simulation's values) into bins
 * whose `x` is the bin's centre and `width` its full width, so a bin covers [x - width/2, x + width/2).
 */

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

/**
 * Bins of a lattice distribution between its 0.1% and 99.9% quantiles (about `bins` of them, each a whole number of
 * lattice steps wide, x the centre). A count distribution on fewer than `bins` values gets one bin per count
 * (x the count, width 1). Example: Poisson(3) counts with 60 bins give bins at x = 0, 1, ..., 10, width 1.
 */
export function latticeHistogram(dist: LatticeDistribution, bins = 70, scale = 1): HistogramPoint[] {
  const lo = dist.quantile(0.001);
  const hi = dist.quantile(0.999);
  return binMass({ values: dist.values(), probs: dist.pmf }, lo, hi, bins, dist.step, scale);
}
