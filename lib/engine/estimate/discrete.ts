/**
 * Count distributions used by the estimation code as predictive laws for a day's (or a window's) conversions:
 * binomial, Poisson, negative binomial and beta-binomial, held as a pmf on a contiguous range of counts.
 *
 * Construction walks out from the mean with the pmf ratio p(k+1)/p(k) and normalises by the sum, so no pmf value is
 * evaluated on its own: nothing underflows at k = 0 when the mean is in the thousands (a direct binomial start,
 * (1-p)^n, is 0 in double precision there), and the whole range costs one multiply per count.
 */

/** A count distribution: `pmf[i]` = P(X = offset + i); mass outside the range is below ~1e-14 and dropped. */
export interface CountDistribution {
  offset: number;
  pmf: Float64Array;
  /** Mean of the law as specified (not re-summed from the pmf). */
  mean: number;
}

/** Relative size (against the running total) below which a decreasing tail is cut. */
const TAIL = 1e-15;
/** Longest range built; a law wider than this is a modelling error upstream (clicks in the billions). */
const MAX_RANGE = 20_000_000;

const POISSON = 0;
const BINOMIAL = 1;
const NEGBIN = 2;
const BETABIN = 3;

/**
 * A law's pmf ratio p(k+1)/p(k), by kind: Poisson (a = lambda), binomial (n, a = p / (1 - p)), negative binomial
 * (a = r, b = m / (r + m)), beta-binomial (n, a, b). Parameters rather than a closure, so that the walk's loop makes
 * no call (a closure's double result is boxed: 200 MB of garbage per analysis of 1,000 campaigns).
 */
interface Law {
  kind: number;
  n: number;
  a: number;
  b: number;
}

/** p(k+1)/p(k) of a Law (see Law). */
function ratioAt(kind: number, n: number, a: number, b: number, k: number): number {
  if (kind === BETABIN) return ((n - k) * (k + a)) / ((k + 1) * (n - k - 1 + b));
  if (kind === NEGBIN) return ((k + a) / (k + 1)) * b;
  if (kind === BINOMIAL) return ((n - k) / (k + 1)) * a;
  return a / (k + 1);
}

/**
 * Builds a unimodal count pmf on [0, maxK] by walking from `start` with the law's ratio p(k+1)/p(k).
 * The walk stops in each direction once the pmf is decreasing away from the mode and below TAIL x the mass so far;
 * `fullRight` forces the walk to maxK (a beta-binomial with b < 1 rises again towards n).
 */
function walk(start: number, maxK: number, law: Law, mean: number, fullRight = false): CountDistribution {
  const w = walkInto(start, maxK, law.kind, law.n, law.a, law.b, fullRight);
  return { offset: w.offset, pmf: w.pmf.slice(0, w.length), mean };
}

/**
 * A pmf tabulated by walkInto: `pmf[i]` = P(X = offset + i) for i < length. The buffer is shared and overwritten by
 * the next call: read it before building another law.
 */
export interface ScratchPmf {
  offset: number;
  length: number;
  pmf: Float64Array;
}

const scratchOut: ScratchPmf = { offset: 0, length: 0, pmf: new Float64Array(1024) };

/** walk without the allocation: the normalised pmf goes into the shared scratch table (see ScratchPmf). The law comes
 * as its four numbers, not a Law: an object with two double fields per call was 40 MB of garbage a 1,000-campaign
 * analysis (one a day and campaign, from the calibration's day laws). */
function walkInto(start: number, maxK: number, kind: number, n: number, a: number, b: number, fullRight: boolean): ScratchPmf {
  const s = Math.min(Math.max(0, Math.floor(start)), maxK);
  // Both halves go into reusable scratch buffers (grown on demand), so a call allocates only the pmf it returns:
  // the estimation code builds one of these per day and campaign.
  let right = scratchRight;
  let nr = 0;
  right[nr++] = 1;
  let total = 1;
  let v = 1;
  for (let k = s; k < maxK; k++) {
    const q = ratioAt(kind, n, a, b, k);
    v *= q;
    if (!(v > 0) && !fullRight) break;
    if (nr === right.length) right = scratchRight = grow(right);
    right[nr++] = v;
    total += v;
    if (!fullRight && q < 1 && v < TAIL * total) break;
    if (nr > MAX_RANGE) throw new RangeError("count distribution too wide to tabulate");
  }
  let left = scratchLeft;
  let nl = 0;
  v = 1;
  for (let k = s; k > 0; k--) {
    const q = ratioAt(kind, n, a, b, k - 1);
    // p(k-1) = p(k) / ratio(k-1); ratio(k-1) > 0 on the support below maxK.
    v /= q;
    if (!(v > 0) || !Number.isFinite(v)) break;
    if (nl === left.length) left = scratchLeft = grow(left);
    left[nl++] = v;
    total += v;
    if (q > 1 && v < TAIL * total) break;
    if (nl > MAX_RANGE) throw new RangeError("count distribution too wide to tabulate");
  }
  let pmf = scratchOut.pmf;
  if (pmf.length < nl + nr) pmf = scratchOut.pmf = new Float64Array(Math.max(nl + nr, 2 * pmf.length));
  for (let i = 0; i < nl; i++) pmf[i] = (left[nl - 1 - i] as number) / total;
  for (let i = 0; i < nr; i++) pmf[nl + i] = (right[i] as number) / total;
  scratchOut.offset = s - nl;
  scratchOut.length = nl + nr;
  return scratchOut;
}

let scratchRight: Float64Array<ArrayBuffer> = new Float64Array(1024);
let scratchLeft: Float64Array<ArrayBuffer> = new Float64Array(1024);

/** A buffer twice as long holding the same values. */
function grow(buffer: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const next = new Float64Array(buffer.length * 2);
  next.set(buffer);
  return next;
}

/**
 * Point mass at 0 (no exposure: zero clicks predict zero conversions).
 * @example pointMassAtZero().pmf // Float64Array [1]
 */
export function pointMassAtZero(): CountDistribution {
  return { offset: 0, pmf: Float64Array.of(1), mean: 0 };
}

/**
 * Poisson(lambda) pmf: P(k) = e^-lambda lambda^k / k!, built by the ratio lambda/(k+1).
 * @param lambda - mean, >= 0 (0 gives the point mass at 0).
 * @example poissonDistribution(2).pmf[0] // returns ~0.1353 (e^-2)
 * Reference: Johnson, Kemp & Kotz, Univariate Discrete Distributions (3rd ed.), ch. 4.
 */
export function poissonDistribution(lambda: number): CountDistribution {
  if (!(lambda > 0)) return pointMassAtZero();
  return walk(lambda, Number.MAX_SAFE_INTEGER, { kind: POISSON, n: 0, a: lambda, b: 0 }, lambda);
}

/**
 * Binomial(n, p) pmf, built by the ratio (n-k)/(k+1) * p/(1-p).
 * @param n - trials, integer >= 0. @param p - success probability in [0, 1].
 * Edge cases: n = 0 or p = 0 -> point mass at 0; p = 1 -> point mass at n.
 * @example binomialDistribution(10, 0.5).pmf[5] // returns ~0.2461 (252/1024)
 * Reference: Johnson, Kemp & Kotz (3rd ed.), ch. 3.
 */
export function binomialDistribution(n: number, p: number): CountDistribution {
  if (n === 0 || p <= 0) return pointMassAtZero();
  if (p >= 1) return { offset: n, pmf: Float64Array.of(1), mean: n };
  const odds = p / (1 - p);
  return walk(n * p, n, { kind: BINOMIAL, n, a: odds, b: 0 }, n * p);
}

/**
 * Negative binomial with size r and mean m (variance m + m^2/r): P(k) = C(k+r-1, k) (r/(r+m))^r (m/(r+m))^k,
 * built by the ratio (k+r)/(k+1) * m/(r+m). It is the Poisson(m G) law with G ~ Gamma(shape r, mean 1).
 * @param r - size, > 0 (Infinity gives the Poisson). @param mean - >= 0.
 * @example negativeBinomialDistribution(5, 50).pmf.length > 0 // P(0) = (5/55)^5 ~ 6.2e-6
 * Reference: Hilbe, Negative Binomial Regression (2nd ed.), sec. 5.2 (NB2).
 */
export function negativeBinomialDistribution(r: number, mean: number): CountDistribution {
  if (!(mean > 0)) return pointMassAtZero();
  if (!Number.isFinite(r)) return poissonDistribution(mean);
  const q = mean / (r + mean);
  return walk(mean, Number.MAX_SAFE_INTEGER, { kind: NEGBIN, n: 0, a: r, b: q }, mean);
}

/**
 * Beta-binomial(n, a, b) pmf: P(k) = C(n, k) B(k + a, n - k + b) / B(a, b), the binomial count when p ~ Beta(a, b);
 * built by the ratio (n-k)(k+a) / ((k+1)(n-k-1+b)). Mean n a/(a+b).
 * @param n - trials, integer >= 0. @param a, b - > 0.
 * @example betaBinomialDistribution(2, 1, 1).pmf // [1/3, 1/3, 1/3]
 * Reference: Johnson, Kemp & Kotz (3rd ed.), sec. 6.7.2.
 */
export function betaBinomialDistribution(n: number, a: number, b: number): CountDistribution {
  if (n === 0) return pointMassAtZero();
  const mean = (n * a) / (a + b);
  return walk(mean, n, { kind: BETABIN, n, a, b }, mean, b < 1);
}

/**
 * betaBinomialDistribution and negativeBinomialDistribution tabulated into the shared scratch table (no allocation;
 * the same numbers): for code that reads a day's law once and moves on (the rolling calibration builds one a day).
 * The table is overwritten by the next call. n >= 1, a, b > 0; NB: r > 0 finite, mean > 0.
 * @example betaBinomialInto(2, 1, 1).pmf.subarray(0, 3) // [1/3, 1/3, 1/3]
 */
export function betaBinomialInto(n: number, a: number, b: number): ScratchPmf {
  const mean = (n * a) / (a + b);
  return walkInto(mean, n, BETABIN, n, a, b, b < 1);
}

/** See betaBinomialInto. @example negativeBinomialInto(5, 50).offset // 0 */
export function negativeBinomialInto(r: number, mean: number): ScratchPmf {
  const q = mean / (r + mean);
  return walkInto(mean, Number.MAX_SAFE_INTEGER, NEGBIN, 0, r, q, false);
}

/**
 * Cumulative probabilities F(offset + i) = sum_{j<=i} pmf[j], capped at 1 against rounding; summed once and passed to
 * the functions below (the pmf is short next to the work done with it).
 * @example cumulative(binomialDistribution(2, 0.5)) // Float64Array [0.25, 0.75, 1]
 */
export function cumulative(d: CountDistribution): Float64Array {
  const c = new Float64Array(d.pmf.length);
  let s = 0;
  for (let i = 0; i < d.pmf.length; i++) {
    s += d.pmf[i] as number;
    c[i] = Math.min(1, s);
  }
  return c;
}

/**
 * P(X <= k).
 * @example cdfAt(binomialDistribution(1, 0.5), 0) // returns 0.5
 */
export function cdfAt(d: CountDistribution, k: number, cum: Float64Array = cumulative(d)): number {
  const i = Math.floor(k) - d.offset;
  if (i < 0) return 0;
  if (i >= cum.length) return 1;
  return cum[i] as number;
}

/**
 * P(X = k): the tabulated pmf; 0 for a non-integer k or outside the tabulated range.
 * @example pmfAt(binomialDistribution(2, 0.5), 1) // returns 0.5
 */
export function pmfAt(d: CountDistribution, k: number): number {
  if (!Number.isInteger(k)) return 0;
  const i = k - d.offset;
  return i >= 0 && i < d.pmf.length ? (d.pmf[i] as number) : 0;
}

/**
 * Quantile: the smallest count k with F(k) >= p (a 1e-12 slack absorbs summation rounding at exact ties).
 * @param p - in [0, 1].
 * @example quantileOf(binomialDistribution(10, 0.5), 0.5) // returns 5
 */
export function quantileOf(d: CountDistribution, p: number, cum: Float64Array = cumulative(d)): number {
  for (let i = 0; i < cum.length; i++) if ((cum[i] as number) >= p - 1e-12) return d.offset + i;
  return d.offset + cum.length - 1;
}

/**
 * Central interval of probability `level` in (0, 1): [quantile((1-level)/2), quantile((1+level)/2)]. For counts it
 * holds at least `level` of the mass (its end atoms are included whole).
 * @example centralInterval(poissonDistribution(7.5), 0.9) // { lo: 3, hi: 12 }
 */
export function centralInterval(
  d: CountDistribution,
  level: number,
  cum: Float64Array = cumulative(d),
): { lo: number; hi: number } {
  return { lo: quantileOf(d, (1 - level) / 2, cum), hi: quantileOf(d, (1 + level) / 2, cum) };
}

/**
 * The randomised probability integral transform of an observed count y: u = F(y-1) + v (F(y) - F(y-1)), v ~ U(0,1).
 * Under a correct predictive u is exactly Uniform(0,1) for counts (Czado, Gneiting & Held 2009, Biometrics 65).
 * @param v - a uniform draw on [0, 1) (seeded by the caller).
 * @example randomisedPit(binomialDistribution(1, 0.5), 0, 0.5) // returns 0.25
 */
export function randomisedPit(d: CountDistribution, y: number, v: number, cum: Float64Array = cumulative(d)): number {
  const lower = cdfAt(d, y - 1, cum);
  const upper = cdfAt(d, y, cum);
  return lower + v * (upper - lower);
}

/**
 * E[1{u in central interval of `level`}] for the randomised PIT u of an observed count y, i.e. the length of
 * [F(y-1), F(y)] inside [(1-level)/2, (1+level)/2] divided by P(y). Averaged over days it estimates the coverage of
 * a level-`level` band with mean exactly `level` under a correct predictive, without a random draw (it is the
 * randomised indicator with the draw integrated out). When P(y) is 0 (y outside the tabulated range) it is 0/1
 * according to where F(y-1) falls.
 * @param level - band probability in (0, 1).
 * @example expectedInclusion(binomialDistribution(1, 0.5), 0, 0.5) // returns 0.5 (PIT uniform on [0, 0.5])
 * Reference: Czado, Gneiting & Held (2009), Biometrics 65, sec. 2.1 (the non-randomised PIT histogram).
 */
export function expectedInclusion(d: CountDistribution, y: number, level: number, cum: Float64Array = cumulative(d)): number {
  const lower = cdfAt(d, y - 1, cum);
  const upper = cdfAt(d, y, cum);
  const lo = (1 - level) / 2;
  const hi = (1 + level) / 2;
  const width = upper - lower;
  if (!(width > 1e-300)) return lower >= lo && lower <= hi ? 1 : 0;
  const overlap = Math.max(0, Math.min(upper, hi) - Math.max(lower, lo));
  return overlap / width;
}

/**
 * Ranked probability score of a count predictive: RPS = sum_{k>=0} (F(k) - 1{y <= k})^2 (lower is better; 0 for a
 * point mass on the outcome). Counts below and above the tabulated range contribute their exact 0/1 terms.
 * @example rankedProbabilityScore(pointMassAtZero(), 2) // returns 2
 * Reference: Epstein (1969), J. Appl. Meteorol. 8; Czado, Gneiting & Held (2009), sec. 2.
 */
export function rankedProbabilityScore(d: CountDistribution, y: number, cum: Float64Array = cumulative(d)): number {
  let s = 0;
  // k in [y, offset - 1]: F(k) = 0, indicator 1.
  if (y < d.offset) s += d.offset - y;
  for (let i = 0; i < cum.length; i++) {
    const k = d.offset + i;
    const diff = (cum[i] as number) - (y <= k ? 1 : 0);
    s += diff * diff;
  }
  // k in [end + 1, y - 1]: F(k) = 1, indicator 0.
  const end = d.offset + cum.length - 1;
  if (y > end + 1) s += y - end - 1;
  return s;
}

/**
 * Mean and variance re-summed from the tabulated pmf (two passes; used by tests and checks).
 * @example momentsOf(poissonDistribution(3)) // { mean: ~3, variance: ~3 }
 */
export function momentsOf(d: CountDistribution): { mean: number; variance: number } {
  let m = 0;
  for (let i = 0; i < d.pmf.length; i++) m += (d.offset + i) * (d.pmf[i] as number);
  let v = 0;
  for (let i = 0; i < d.pmf.length; i++) {
    const z = d.offset + i - m;
    v += z * z * (d.pmf[i] as number);
  }
  return { mean: m, variance: v };
}
