import type { FrequencySpec as EstFrequency, SeveritySpec as EstSeverity } from "@/lib/engine/estimate";
import { frequencyFromSpec } from "@/lib/engine/frequency";
import { LatticeDistribution } from "@/lib/engine/lattice";
import { niceFloor } from "@/lib/engine/aggregate";
import { budgetMoments, pooledShare } from "@/lib/engine/pool";
import { severityFromSpec, type Severity } from "@/lib/engine/severity";
import type { DistSummary, HistogramPoint } from "./types";

/**
 * Lattice step for a dashboard distribution: h = niceFloor(min(sd(S) / 300, min(E[X], sd(X)) / 25)), never below
 * a cent. sd(S)/300 resolves every quantile to a third of a percent of the spread, and a step of at most a 25th of
 * the order values' scale keeps rounding's effect on the mean far below what a chart or a sentence shows, on a grid
 * of a few thousand points (a few ms) instead of the engine's automatic 2^16-2^19.
 */
export function dashboardStep(frequency: ReturnType<typeof frequencyFromSpec>, severity: Severity): number {
  const { variance } = budgetMoments(frequency, severity);
  const sevScale = severity.variance > 0 ? Math.min(severity.mean, Math.sqrt(severity.variance)) : severity.mean;
  const h = Math.min(Math.sqrt(variance) / 300, sevScale / 25);
  return Math.max(0.01, niceFloor(h));
}

/**
 * An empirical severity with its order values rounded to the lattice (probabilities of values that meet merged):
 * the rounding discretisation of DESIGN.md applied to the points themselves, so the engine's plain lattice FFT
 * takes them as they are.
 */
export function empiricalOnLattice(points: ReadonlyArray<readonly [number, number]>, h: number): [number, number][] {
  const merged = new Map<number, number>();
  for (const [v, p] of points) {
    const k = Math.round(v / h);
    merged.set(k, (merged.get(k) ?? 0) + p);
  }
  return [...merged.entries()].sort((a, b) => a[0] - b[0]).map(([k, p]) => [Number((k * h).toPrecision(12)), p]);
}

/**
 * The exact aggregate distribution for an estimated frequency and severity (FFT on the dashboard lattice), or for
 * counts alone (`counts: true`: every conversion worth 1, step 1).
 */
export function outcomeDistribution(
  frequency: EstFrequency,
  severity: EstSeverity,
  opts: { counts?: boolean; k?: number; rho?: number } = {},
): LatticeDistribution {
  // No expected conversions (no clicks, or a rate of zero): the outcome is 0 for sure.
  const expected = frequency.kind === "poisson" ? frequency.lambda : frequency.kind === "negbin" ? frequency.mean : frequency.n * frequency.p;
  if (!(expected > 0)) return new LatticeDistribution(Float64Array.of(1), 1);
  const freq = frequencyFromSpec(frequency);
  if (opts.counts) {
    const sev = severityFromSpec({ kind: "constant", value: 1 });
    return pooledShare({ frequency: freq, severity: sev, k: opts.k ?? 1, rho: opts.rho ?? 0, step: 1 }).distribution;
  }
  let sev = severityFromSpec(severity);
  const step = dashboardStep(freq, sev);
  if (severity.kind === "empirical") sev = severityFromSpec({ kind: "empirical", points: empiricalOnLattice(severity.points, step) });
  return pooledShare({ frequency: freq, severity: sev, k: opts.k ?? 1, rho: opts.rho ?? 0, step }).distribution;
}

/** Mean, sd and the 5/50/95% quantiles of a lattice distribution. */
export function summarise(d: LatticeDistribution): DistSummary {
  return { mean: d.mean, sd: d.sd, q05: d.quantile(0.05), q50: d.quantile(0.5), q95: d.quantile(0.95) };
}

/** P(N = 0) of a frequency spec, closed form (Poisson e^-λ, binomial (1-p)^n, NB (r/(r+m))^r), in log space. */
export function probabilityOfZero(f: EstFrequency): number {
  switch (f.kind) {
    case "poisson":
      return Math.exp(-f.lambda);
    case "binomial":
      return Math.exp(f.n * Math.log1p(-f.p)); // log1p keeps (1-p)^n accurate for tiny p
    case "negbin":
      return Math.exp(-f.r * Math.log1p(f.mean / f.r)); // (r/(r+m))^r = exp(-r log(1 + m/r))
  }
}

/**
 * A lattice distribution as chart bins between its 0.1% and 99.9% quantiles: unit bins for counts (when fewer than
 * `maxBins` values), otherwise `maxBins` equal-width bins whose masses add the lattice points inside them.
 */
export function toHistogram(d: LatticeDistribution, maxBins = 60, counts = false): HistogramPoint[] {
  const lo = d.quantile(0.001);
  const hi = d.quantile(0.999);
  const values = d.values();
  const out: HistogramPoint[] = [];
  if (counts && hi - lo + 1 <= maxBins) {
    for (let i = 0; i < values.length; i++) {
      const x = values[i] as number;
      if (x < lo - 1e-9 || x > hi + 1e-9) continue;
      out.push({ x: Math.round(x), width: 1, p: d.pmf[i] as number });
    }
    return out;
  }
  const span = Math.max(hi - lo, d.step);
  let width = span / maxBins;
  if (counts) width = Math.max(1, Math.ceil(width));
  const bins = Math.max(1, Math.ceil(span / width) + (counts ? 1 : 0));
  const mass = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x < lo - 1e-9 || x > hi + 1e-9) continue;
    const b = Math.min(bins - 1, Math.floor((x - lo) / width + 1e-9));
    mass[b] = (mass[b] as number) + (d.pmf[i] as number);
  }
  for (let b = 0; b < bins; b++) out.push({ x: lo + b * width, width, p: mass[b] as number });
  return out;
}
