import { MAX_GRID, TAIL_SD } from "@/lib/engine/aggregate";
import {
  binomialDistribution,
  negativeBinomialDistribution,
  poissonDistribution,
  type FrequencySpec as EstFrequency,
  type SeveritySpec as EstSeverity,
} from "@/lib/engine/estimate";
import { frequencyFromSpec, type Frequency } from "@/lib/engine/frequency";
import { LatticeDistribution } from "@/lib/engine/lattice";
import { pooledShare } from "@/lib/engine/pool";
import { severityFromSpec, type Severity } from "@/lib/engine/severity";
import { AppError } from "@/lib/errors";
import type { DistSummary } from "./types";

/**
 * Grid limit of a dashboard distribution, tried first: 2^16 points (a few ms). The engine's automatic step (from the
 * sum's own moments and the order values' scale, `autoLattice`) is coarsened to fit it; when the result fails the
 * self-check below (a heavy-tailed order value on a window too coarse for it), the engine's full limit is used.
 */
const DASHBOARD_GRID = 1 << 16;
/** Widest count distribution tabulated count by count (its pmf walk costs one multiply per count). */
const COUNT_WALK_MAX = 1 << 20;
/** E[S] on the lattice must match E[N] E[X] within 0.1% (and within the rounding bound E[N] h / 2). */
const MEAN_TOLERANCE = 1e-3;
/** sd(S) on the lattice must match the closed form within 1% (a chart or a sentence shows 2-3 digits). */
const SD_TOLERANCE = 0.01;

/** Closed-form moments of S = X_1 + ... + X_N: E[S] = E[N] E[X], Var[S] = E[N] Var[X] + Var[N] E[X]^2. */
function closedMoments(freq: Frequency, sev: Pick<Severity, "mean" | "variance">): { mean: number; sd: number } {
  return { mean: freq.mean * sev.mean, sd: Math.sqrt(freq.mean * sev.variance + freq.variance * sev.mean * sev.mean) };
}

/**
 * Why a lattice distribution does not match its closed-form moments, or null when it does.
 *
 * Accepted: |E_h[S] - E[N] E[X]| <= min(E[N] h / 2 + 1e-9 E[S], 1e-3 E[S]) (rounding moves every order by at most
 * half a step h; the engine's linear split and density sampling keep the mean to ~1e-9; whatever the method, a
 * figure shown to three digits needs the mean within 0.1%), and |sd_h(S) / sd(S) - 1| <= 1%. A lattice coarser than
 * the order values (h > E[X]) passes only when its mean really is right: a 2^16-point lattice of 100,000 sales a day
 * at a lognormal(10.5, 2.6) order value put the mean at a third of E[N] E[X] and is refused here.
 *
 * @param d - the lattice; @param claims - E[N]; @param closed - E[S] and sd(S) in closed form; @param h - the
 * sum's lattice step (d.step times the pool size)
 * @example latticeProblem(poisson(2) x constant 10 lattice, 2, { mean: 20, sd: 14.14 }, 10) returns null
 */
function latticeProblem(d: LatticeDistribution, claims: number, closed: { mean: number; sd: number }, h: number): string | null {
  const meanTol = Math.min((claims * h) / 2 + 1e-9 * Math.abs(closed.mean), MEAN_TOLERANCE * Math.abs(closed.mean));
  if (!(Math.abs(d.mean - closed.mean) <= meanTol)) {
    return `lattice mean ${d.mean} differs from E[N]E[X] = ${closed.mean} by more than ${meanTol}`;
  }
  if (closed.sd > 0 && !(Math.abs(d.sd / closed.sd - 1) <= SD_TOLERANCE)) {
    return `lattice sd ${d.sd} differs from the closed form ${closed.sd} by more than ${SD_TOLERANCE * 100}%`;
  }
  return null;
}

/**
 * A pool's share from the engine with its automatic step, checked against the closed-form moments (see
 * `latticeProblem`): on DASHBOARD_GRID first, then on the engine's full grid limit. A lattice that fails both is
 * refused with an AppError (never shown wrong).
 */
function checkedShare(frequency: Frequency, severity: Severity, k: number, rho: number): LatticeDistribution {
  const one = closedMoments(frequency, severity);
  // The share's moments: mean E[S_1], sd CV_1 sqrt(rho + (1 - rho) / k) E[S_1] (DESIGN.md, pooling).
  const closed = { mean: one.mean, sd: one.sd * Math.sqrt(rho + (1 - rho) / k) };
  let problem = "";
  for (const maxGrid of [DASHBOARD_GRID, MAX_GRID]) {
    let r: ReturnType<typeof pooledShare>;
    try {
      r = pooledShare({ frequency, severity, k, rho, maxGrid });
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      problem = e.message;
      continue;
    }
    const found = latticeProblem(r.distribution, frequency.mean, closed, r.step / k);
    if (found === null) return r.distribution;
    problem = found;
  }
  throw new AppError("invalid_query", `This forecast cannot be computed exactly (${problem}).`);
}

/**
 * Distribution of a count N (every conversion worth 1): P(N = k) tabulated on the window where the law has mass
 * (estimate/discrete.ts: a walk out from the mean with the pmf ratio, mass outside < 1e-14), so a count with mean
 * 49,000 costs a few thousand points, not a lattice from 0. A law wider than 2^20 counts (sd in the
 * hundreds of thousands) goes to the engine's automatic lattice, whose step then exceeds 1.
 *
 * @example countDistribution({ kind: "poisson", lambda: 3 }).pZero // returns ~0.0498 (e^-3)
 * Reference: Johnson, Kemp & Kotz, Univariate Discrete Distributions (3rd ed.), ch. 3-5.
 */
export function countDistribution(frequency: EstFrequency): LatticeDistribution {
  const freq = frequencyFromSpec(frequency);
  if (TAIL_SD * 3 * Math.sqrt(freq.variance) + 64 <= COUNT_WALK_MAX) {
    const c =
      frequency.kind === "poisson"
        ? poissonDistribution(frequency.lambda)
        : frequency.kind === "binomial"
          ? binomialDistribution(frequency.n, frequency.p)
          : negativeBinomialDistribution(frequency.r, frequency.mean);
    return new LatticeDistribution(c.pmf, 1, 1, c.offset);
  }
  return checkedShare(freq, severityFromSpec({ kind: "constant", value: 1 }), 1, 0);
}

/**
 * The exact aggregate distribution for an estimated frequency and severity, or for counts alone (`counts: true`:
 * every conversion worth 1), optionally as one budget's share of a pool of k with correlation rho. The lattice
 * step is the engine's automatic one (from the sum's own scale and the order values'); the result is checked
 * against E[S] = E[N] E[X] and Var[S] = E[N] Var[X] + Var[N] E[X]^2 before it is returned (see `latticeProblem`).
 *
 * @returns the distribution. Edge cases: no expected conversion gives the point mass at 0. Throws
 * AppError("invalid_query") when no lattice passes the check (the reason named).
 * @example outcomeDistribution({ kind: "poisson", lambda: 2 }, { kind: "constant", value: 10 }).mean // returns 20
 */
export function outcomeDistribution(
  frequency: EstFrequency,
  severity: EstSeverity,
  opts: { counts?: boolean; k?: number; rho?: number } = {},
): LatticeDistribution {
  // No expected conversions (no clicks, or a rate of zero): the outcome is 0 for sure.
  const expected = frequency.kind === "poisson" ? frequency.lambda : frequency.kind === "negbin" ? frequency.mean : frequency.n * frequency.p;
  if (!(expected > 0)) return new LatticeDistribution(Float64Array.of(1), 1);
  const k = opts.k ?? 1;
  const rho = opts.rho ?? 0;
  if (opts.counts && k === 1 && rho === 0) return countDistribution(frequency);
  const sev = severityFromSpec(opts.counts ? { kind: "constant", value: 1 } : severity);
  return checkedShare(frequencyFromSpec(frequency), sev, k, rho);
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
