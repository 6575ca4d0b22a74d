/**
 * Maximum likelihood of a one-parameter delay law over its rate k, shared by the learners of the completeness curve
 * (successive exports: lib/engine/lag.ts learnLag; a time-lag report's buckets: lib/engine/lag-report.ts).
 */

/** Search range of the delay rate k, per day: mean delays from 100 years down to 15 minutes. */
export const K_RANGE = [1e-4, 100] as const;
/** Half the 90% quantile of chi-square(1): 2.705543 / 2 (the likelihood-ratio interval's drop). */
const LR_DROP_90 = 1.3527717;

/** The maximum of a log-likelihood over ln k and its 90% likelihood-ratio interval. */
export interface ProfileFit {
  k: number;
  kLo90: number;
  kHi90: number;
  logLikelihood: number;
  /** The estimate or an interval end sits on K_RANGE (the data cannot bound it). */
  atBound: boolean;
  /** The lower end of the interval sits on K_RANGE's lower end (the data do not say the delay is short). */
  loAtBound: boolean;
}

/**
 * Maximises ll(u), u = ln k, over [ln 1e-4, ln 100]: a grid of 241 points, then golden-section search beside the
 * best; the 90% interval is the likelihood-ratio one, {k : ll(k) >= ll(k hat) - 2.7055 / 2} (Wilks 1938), each end
 * found by bisection to 1e-10 in ln k. ll must be unimodal near its maximum (both learners' are: sums of
 * binomial/multinomial terms in a monotone family).
 * With `near` (a k the answer is expected close to, e.g. the whole dataset's for one of its campaigns) the grid is 21
 * points over ln k +- 2.5 around it, and the whole range's when its best point is at an end.
 * @param ll - log-likelihood of u = ln k (finite on the range).
 * @param near - optional k in K_RANGE.
 * @example profileLogK((u) => -((u - 1) ** 2)).k // ~e
 */
export function profileLogK(ll: (u: number) => number, near?: number): ProfileFit {
  const lo = Math.log(K_RANGE[0]);
  const hi = Math.log(K_RANGE[1]);
  const grid = (from: number, to: number, n: number) => {
    let best = 0;
    let bestLl = -Infinity;
    for (let i = 0; i <= n; i++) {
      const v = ll(from + ((to - from) * i) / n);
      if (v > bestLl) {
        bestLl = v;
        best = i;
      }
    }
    return { from, to, n, best, bestLl };
  };
  let g0 = null as ReturnType<typeof grid> | null;
  if (near !== undefined && near > K_RANGE[0] && near < K_RANGE[1]) {
    const c = Math.log(near);
    g0 = grid(Math.max(lo, c - 2.5), Math.min(hi, c + 2.5), 20);
    const atEnd = (g0.best === 0 && g0.from > lo) || (g0.best === g0.n && g0.to < hi);
    if (atEnd) g0 = null;
  }
  const { from, to, n: N, best, bestLl } = g0 ?? grid(lo, hi, 240);
  // Golden-section search on the bracket around the best grid point.
  let x0 = from + ((to - from) * Math.max(0, best - 1)) / N;
  let x3 = from + ((to - from) * Math.min(N, best + 1)) / N;
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = x3 - g * (x3 - x0);
  let x2 = x0 + g * (x3 - x0);
  let f1 = ll(x1);
  let f2 = ll(x2);
  for (let it = 0; it < 80 && x3 - x0 > 1e-10; it++) {
    if (f1 >= f2) {
      x3 = x2;
      x2 = x1;
      f2 = f1;
      x1 = x3 - g * (x3 - x0);
      f1 = ll(x1);
    } else {
      x0 = x1;
      x1 = x2;
      f1 = f2;
      x2 = x0 + g * (x3 - x0);
      f2 = ll(x2);
    }
  }
  let uHat = f1 >= f2 ? x1 : x2;
  let llHat = Math.max(f1, f2);
  if (bestLl > llHat) {
    uHat = from + ((to - from) * best) / N;
    llHat = bestLl;
  }
  const target = llHat - LR_DROP_90;
  const edge = (from: number, to: number): { u: number; bound: boolean } => {
    if (ll(to) >= target) return { u: to, bound: true };
    let inside = from;
    let outside = to;
    for (let it = 0; it < 100 && Math.abs(outside - inside) > 1e-10; it++) {
      const mid = (inside + outside) / 2;
      if (ll(mid) >= target) inside = mid;
      else outside = mid;
    }
    return { u: (inside + outside) / 2, bound: false };
  };
  const left = edge(uHat, lo);
  const right = edge(uHat, hi);
  return {
    k: Math.exp(uHat),
    kLo90: Math.exp(left.u),
    kHi90: Math.exp(right.u),
    logLikelihood: llHat,
    atBound: left.bound || right.bound || uHat - lo < 1e-6 || hi - uHat < 1e-6,
    loAtBound: left.bound || uHat - lo < 1e-6,
  };
}
