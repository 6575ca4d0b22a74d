/**
 * Scoring one day of the rolling calibration (calibration.ts) against its one-step-ahead law: the ends of the
 * 50/80/90% central bands, the observed count's place in the cumulative (for the randomised PIT), and its ranked
 * probability score, in one pass over the day's pmf. Split from calibration.ts, which runs the filter over the days.
 *
 * Reference: Epstein (1969), J. Appl. Meteorol. 8 (the ranked probability score); Czado, Gneiting & Held (2009),
 * "Predictive model assessment for count data", Biometrics 65 (the PIT for counts).
 */
/** Quantile probabilities of the three central bands' ends, in increasing order. */
const BAND_ENDS = [0.05, 0.1, 0.25, 0.75, 0.9, 0.95] as const;

/** What scoreCount finds in one pass over a day's pmf (one object reused across days). */
export interface CountScore {
  lo90: number;
  lo80: number;
  lo50: number;
  hi50: number;
  hi80: number;
  hi90: number;
  below: number;
  upTo: number;
  rps: number;
  meanOk: boolean;
}

/**
 * One pass over a count pmf (pmf[i] = P(X = offset + i), i < length, mean its closed-form mean): the ends of the
 * 50/80/90% central bands (quantileOf's rule: the smallest k with F(k) >= p - 1e-12), F(y - 1) and F(y) of the
 * observed count, and its ranked probability score. The same numbers as centralInterval, cdfAt and
 * rankedProbabilityScore on the cumulative (capped at 1), without building it. `meanOk`: the table's mass is 1 and its
 * mean the law's closed-form mean (relative 1e-8). Writes into `out`.
 */
export function scoreCount(pmf: Float64Array, offset: number, L: number, lawMean: number, y: number, out: CountScore): void {
  let e = 0;
  let F = 0;
  let below = 0;
  let upTo = 0;
  let rps = y < offset ? offset - y : 0;
  let mean = 0;
  let next = BAND_ENDS[0] - 1e-12;
  for (let i = 0; i < L; i++) {
    const p = pmf[i] as number;
    F = Math.min(1, F + p);
    const k = offset + i;
    mean += k * p;
    while (e < 6 && F >= next) {
      setEnd(out, e++, k);
      next = e < 6 ? (BAND_ENDS[e] as number) - 1e-12 : Infinity;
    }
    if (k === y - 1) below = F;
    if (k === y) upTo = F;
    const diff = F - (y <= k ? 1 : 0);
    rps += diff * diff;
  }
  const last = offset + L - 1;
  while (e < 6) setEnd(out, e++, last);
  if (y > last) {
    upTo = 1;
    if (y - 1 > last) below = 1;
    if (y > last + 1) rps += y - last - 1;
  }
  out.below = below;
  out.upTo = upTo;
  out.rps = rps;
  // Self-check: the tabulated law's mean against the closed form it was built from (tails cut at 1e-15 of the mass).
  out.meanOk = Math.abs(mean - lawMean) <= 1e-8 * Math.max(1, lawMean) && Math.abs(F - 1) <= 1e-9;
}

function setEnd(out: CountScore, e: number, k: number): void {
  if (e === 0) out.lo90 = k;
  else if (e === 1) out.lo80 = k;
  else if (e === 2) out.lo50 = k;
  else if (e === 3) out.hi50 = k;
  else if (e === 4) out.hi80 = k;
  else out.hi90 = k;
}

/** expectedInclusion from F(y - 1) and F(y): the share of [F(y-1), F(y)] inside [(1-c)/2, (1+c)/2]. */
export function pitInside(lower: number, upper: number, level: number): number {
  const lo = (1 - level) / 2;
  const hi = (1 + level) / 2;
  const width = upper - lower;
  if (!(width > 1e-300)) return lower >= lo && lower <= hi ? 1 : 0;
  return Math.max(0, Math.min(upper, hi) - Math.max(lower, lo)) / width;
}
