/**
 * The duration planner: how many days of after-period data, at the current clicks per day, it takes to see a given
 * lift with a given probability.
 *
 * "Seen" means the posterior P(after rate > before rate) reaches `threshold` (0.95: the one-sided 5% level of the
 * verdicts). With the before posterior Beta(a0, b0) fixed and a true after rate p1 = m0 (1 + lift), m0 = a0 / (a0 + b0),
 * after d days the after period has n = round(c d) clicks and Y ~ Binomial(n, p1) conversions; its posterior is
 * Beta(1/2 + Y, 1/2 + n - Y) (Jeffreys). P(after > before | Y) increases with Y, so the lift is seen exactly when
 * Y >= y*, the smallest count with P(after > before | y*) >= threshold (found on the real line by regula falsi on
 * probabilityGreater, then rounded up), and the power is P(Y >= y*) = I_{p1}(y*, n - y* + 1) (the binomial upper tail
 * as an incomplete beta). The planner returns the fewest days whose power reaches `power` (0.8), searched by
 * bisection from a normal-approximation start: power rises with d apart from the lattice's small saw-teeth, so
 * the answer can be a day or two off where the saw-teeth cross the target.
 *
 * Edge cases: no clicks per day, a before rate of 0 clicks, or a lift that even endless after data could not show
 * (the before posterior alone is too wide: (m0 lift / 2.49)^2 <= Var(before)) give null; so does a duration above
 * maxDays.
 * Reference: D. J. Spiegelhalter, K. R. Abrams, J. P. Myles (2004), Bayesian Approaches to Clinical Trials and
 *   Health-Care Evaluation, sec. 6.5 (Bayesian power: the chance that a trial ends with a convincing posterior).
 */
import { incompleteBeta, probabilityGreater, type BetaShape } from "./beta";

/** Options of the planner. */
export interface PlanOptions {
  /** Posterior P(after > before) at which a lift counts as seen (default 0.95). */
  threshold?: number;
  /** Probability of seeing it (default 0.8). */
  power?: number;
  /** Longest duration considered, days (default 3650). */
  maxDays?: number;
}

/** z_{0.95} + z_{0.8}: the normal-approximation start of the search. */
const Z_SUM = 1.6448536269514722 + 0.8416212335729143;

/**
 * The smallest after-period count y with P(Beta(1/2 + y, 1/2 + n - y) > before) >= threshold, or null when even
 * y = n falls short. @example seenAbove({ a: 360.5, b: 11640.5 }, 12000, 0.95) // about 402
 */
function seenAbove(before: BetaShape, n: number, threshold: number, hint?: { n: number; y: number }): number | null {
  const p = (y: number) => probabilityGreater(before, { a: 0.5 + y, b: 0.5 + n - y }) - threshold;
  // bracket from the normal approximation y/n = m0 + 1.645 sd, widened until it holds the root
  const m0 = before.a / (before.a + before.b);
  const v0 = (before.a * before.b) / ((before.a + before.b) ** 2 * (before.a + before.b + 1));
  // (or from the answer at another n, scaled: y*/n moves slowly with n, so a 3% bracket usually holds it)
  const guess = hint && hint.n > 0 ? (hint.y * n) / hint.n : n * (m0 + 1.6448536269514722 * Math.sqrt(v0 + (m0 * (1 - m0)) / n));
  const width = hint ? 0.03 : 0.25;
  let lo = Math.max(0, Math.min(n, guess * (1 - width)));
  let hi = Math.max(0, Math.min(n, guess * (1 + width) + 1));
  let flo = p(lo);
  let fhi = p(hi);
  while (flo >= 0 && lo > 0) {
    hi = lo;
    fhi = flo;
    lo = lo < 1 ? 0 : lo / 2;
    flo = p(lo);
  }
  while (fhi < 0 && hi < n) {
    lo = hi;
    flo = fhi;
    hi = Math.min(n, hi * 2 + 1);
    fhi = p(hi);
  }
  if (flo >= 0) return 0;
  if (fhi < 0) return null;
  for (let i = 0; i < 100 && hi - lo > 0.5; i++) {
    let t = (lo * fhi - hi * flo) / (fhi - flo);
    const margin = 0.01 * (hi - lo);
    t = Math.min(hi - margin, Math.max(lo + margin, t));
    const ft = p(t);
    if (ft < 0) {
      lo = t;
      flo = ft;
      fhi /= 2; // Illinois step: the kept end's value halved so the bracket closes from both sides
    } else {
      hi = t;
      fhi = ft;
      flo /= 2;
    }
  }
  // the exact integer: the first y at or above lo that passes (the bracket is under a count wide)
  let y = Math.max(0, Math.floor(lo));
  while (y <= n && p(y) < 0) y++;
  return y <= n ? y : null;
}

/**
 * Power of an after period of `days` days: P(the lift is seen) when the true after rate is m0 (1 + lift).
 * `memo`: a { n, y } the search passes from call to call (the previous y*, to bracket the next; n = 0 at first).
 * @param clicksPerDay - > 0. @param lift - relative lift > 0 (0.1 = 10%); p1 = m0 (1 + lift) must stay below 1.
 * @example detectionPower({ a: 360.5, b: 11640.5 }, 200, 0.2, 60) // about 0.8
 */
export function detectionPower(
  before: BetaShape,
  clicksPerDay: number,
  lift: number,
  days: number,
  threshold = 0.95,
  memo?: { n: number; y: number },
): number {
  const n = Math.round(clicksPerDay * days);
  const p1 = (before.a / (before.a + before.b)) * (1 + lift);
  if (!(n > 0) || !(p1 < 1)) return 0;
  const y = seenAbove(before, n, threshold, memo && memo.n > 0 ? memo : undefined);
  // the last answer, for the next call's bracket (daysToDetect's search)
  if (memo && y !== null) {
    memo.n = n;
    memo.y = y;
  }
  if (y === null) return 0;
  if (y === 0) return 1;
  // P(Y >= y) for Y ~ Binomial(n, p1) = I_{p1}(y, n - y + 1)
  return incompleteBeta(p1, y, n - y + 1);
}

/**
 * Days of after-period data needed to see a relative lift with probability `power` (see the module comment).
 * @example daysToDetect({ a: 360.5, b: 11640.5 }, 200, 0.2) // about 60
 */
export function daysToDetect(before: BetaShape, clicksPerDay: number, lift: number, options: PlanOptions = {}): number | null {
  const threshold = options.threshold ?? 0.95;
  const power = options.power ?? 0.8;
  const maxDays = options.maxDays ?? 3650;
  if (!(clicksPerDay > 0) || !(lift > 0)) return null;
  const m0 = before.a / (before.a + before.b);
  const p1 = m0 * (1 + lift);
  if (!(m0 > 0) || !(p1 < 1)) return null;
  const v0 = (before.a * before.b) / ((before.a + before.b) ** 2 * (before.a + before.b + 1));
  const room = ((p1 - m0) / Z_SUM) ** 2 - v0;
  if (!(room > 0)) return null;
  const guess = Math.max(1, Math.ceil((p1 * (1 - p1)) / room / clicksPerDay));
  const memo = { n: 0, y: 0 };
  const ok = (d: number) => detectionPower(before, clicksPerDay, lift, d, threshold, memo) >= power;
  // bracket [lo, hi] with ok(hi) and not ok(lo), widening from the guess
  let lo = Math.max(0, Math.floor(guess / 1.5));
  let hi = Math.min(maxDays, Math.ceil(guess * 1.5));
  while (hi < maxDays && !ok(hi)) {
    lo = hi;
    hi = Math.min(maxDays, hi * 2);
  }
  if (!ok(hi)) return null;
  while (lo > 0 && ok(lo)) {
    hi = lo;
    lo = Math.floor(lo / 2);
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
