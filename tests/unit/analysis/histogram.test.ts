/**
 * One histogram binning (lib/analysis/histogram.ts): every chart draws a bin from x - width/2 to x + width/2, so x
 * must be the bin's centre for every distribution the app bins (counts, revenue lattices, pooled shares, plain
 * mass points).
 */
import { describe, expect, it } from "vitest";
import { binMass, latticeHistogram, type MassPoints } from "@/lib/analysis/histogram";
import type { HistogramPoint } from "@/lib/analysis/types";
import { LatticeDistribution } from "@/lib/engine/lattice";

/** Poisson(lambda) masses at 0..n-1 (pmf by the recurrence p_i = p_{i-1} lambda / i). */
function poissonPmf(lambda: number, n: number): Float64Array {
  const p = new Float64Array(n);
  p[0] = Math.exp(-lambda);
  for (let i = 1; i < n; i++) p[i] = ((p[i - 1] as number) * lambda) / i;
  return p;
}

/**
 * Re-bins the points with the edges the chart draws, [x - width/2, x + width/2) (the last bin closed), and checks that each bin gets back
 * exactly the mass the binning gave it: this fails when x is a left edge (every point lands one bin off or outside).
 */
function expectCentred(bins: readonly HistogramPoint[], d: MassPoints, lo: number, hi: number): void {
  expect(bins.length).toBeGreaterThan(0);
  const got = new Float64Array(bins.length);
  for (let i = 0; i < d.values.length; i++) {
    const v = d.values[i] as number;
    if (v < lo - 1e-9 || v > hi + 1e-9) continue;
    // The last bin also holds a point on its right edge (hi itself, when the bins are not on a lattice).
    const b = bins.findIndex(
      (bin, j) => v >= bin.x - bin.width / 2 - 1e-9 && (v < bin.x + bin.width / 2 - 1e-9 || (j === bins.length - 1 && v <= bin.x + bin.width / 2 + 1e-9)),
    );
    expect(b, `value ${v} falls in no drawn bin`).toBeGreaterThanOrEqual(0);
    got[b] = (got[b] as number) + (d.probs[i] as number);
  }
  // Sums of the same masses in the same order: equal to within 1e-12 (absolute; masses are <= 1).
  bins.forEach((bin, b) => expect(Math.abs((got[b] as number) - bin.p)).toBeLessThan(1e-12));
  // Adjacent bins touch: the right edge of one is the left edge of the next (tolerance 1e-9 of the width).
  for (let b = 1; b < bins.length; b++) {
    const prev = bins[b - 1] as HistogramPoint;
    const cur = bins[b] as HistogramPoint;
    expect(Math.abs(prev.x + prev.width / 2 - (cur.x - cur.width / 2))).toBeLessThan(1e-9 * cur.width);
  }
}

describe("latticeHistogram", () => {
  it("gives one bin per count, x the count itself, for a count distribution on few values", () => {
    const d = new LatticeDistribution(poissonPmf(3, 40), 1);
    const bins = latticeHistogram(d, 60);
    expect(bins.every((b) => b.width === 1)).toBe(true);
    expect(bins.map((b) => b.x)).toEqual(Array.from({ length: bins.length }, (_, i) => (bins[0]?.x ?? 0) + i));
    // P(N = 3) of Poisson(3) = 27 e^-3 / 6 ~ 0.22404 (closed form), at x = 3.
    expect(bins.find((b) => b.x === 3)?.p).toBeCloseTo((27 * Math.exp(-3)) / 6, 12);
  });

  it("puts x at the centre of bins several counts wide", () => {
    const d = new LatticeDistribution(poissonPmf(400, 700), 1);
    const bins = latticeHistogram(d, 60);
    expect(bins[0]?.width).toBeGreaterThan(1);
    expectCentred(bins, { values: d.values(), probs: d.pmf }, d.quantile(0.001), d.quantile(0.999));
  });

  it("puts x at the centre of revenue bins on a lattice that starts away from 0", () => {
    // A lattice of step 2.5 / 4 (a pooled share of 4 budgets) with its window starting at index 120.
    const d = new LatticeDistribution(poissonPmf(150, 400), 2.5, 4, 120);
    const bins = latticeHistogram(d, 70);
    expectCentred(bins, { values: d.values(), probs: d.pmf }, d.quantile(0.001), d.quantile(0.999));
  });
});

describe("binMass", () => {
  it("puts x at the centre of equal bins of points off any lattice", () => {
    const values = Array.from({ length: 500 }, (_, i) => Math.sqrt(i) * 3.7);
    const probs = values.map(() => 1 / values.length);
    const d = { values, probs };
    const lo = 0;
    const hi = values.at(-1) as number;
    expectCentred(binMass(d, lo, hi, 30), d, lo, hi);
  });

  it("puts x at the centre of bins a whole number of lattice steps wide", () => {
    const values = Array.from({ length: 301 }, (_, i) => 10 + i * 0.25);
    const probs = values.map(() => 1 / values.length);
    const d = { values, probs };
    expectCentred(binMass(d, 10, 85, 40, 0.25), d, 10, 85);
  });
});
