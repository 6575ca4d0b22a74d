/**
 * The transform of a shock mixture of counts, sum_q w_q G_q(z) over a quadrature rule's nodes (pool-shock.ts builds
 * the rules): node by node (`mixtureTerm`), or for negative binomials of one shape, away from z = 1, as one complex
 * power and a short series (`negativeBinomialMixtureTerm`).
 */
import type { CompoundTerm } from "./aggregate";
import type { Frequency } from "./frequency";

/** Squared-magnitude threshold below which a transform value is set to 0 (1e-20 in magnitude: over a grid of 2^20
 * points the inverse transform moves no probability by more than 1e-14, below the FFT's own round-off). */
const NEGLIGIBLE_SQ = 1e-40;
const UNDERFLOW_LOG = -745.2; // below this exp() returns 0 in double precision
/** ln of the magnitude 1e-20 (NEGLIGIBLE_SQ's square root). */
const NEGLIGIBLE_LOG = 0.5 * Math.log(NEGLIGIBLE_SQ);

/** A weighted sum of pgfs sum_j w_j G_j(z): the transform of a quadrature mixture. */
export function mixtureTerm(severity: Float64Array, parts: ReadonlyArray<Frequency>, weights: Float64Array): CompoundTerm {
  const m = parts.length;
  const first = parts[0] as Frequency;
  const last = parts[m - 1] as Frequency;
  let claims = 0;
  let second = 0;
  for (let q = 0; q < m; q++) {
    const f = parts[q] as Frequency;
    claims += (weights[q] as number) * f.mean;
    second += (weights[q] as number) * f.secondMoment;
  }
  return {
    severity,
    claims,
    // Var(M) = sum_q w_q E[N_q^2] - E[M]^2 of the mixture actually applied (the lattice's own count).
    claimsVariance: Math.max(0, second - claims * claims),
    work: m + 2,
    apply(z, count) {
      // Each node's pgf over all points at once (no double crosses a call): the end nodes first, whose magnitudes
      // bound every term's (|G_j(z)| is monotone or convex in the mixing variable), so the frequencies where the
      // whole mixture is below 1e-20 are skipped; the rest are gathered, mixed in node order, and scattered back.
      const ends = new Float64Array(4 * count);
      const atFirst = ends.subarray(0, 2 * count);
      const atLast = ends.subarray(2 * count);
      first.applyPgf(z, count, atFirst);
      last.applyPgf(z, count, atLast);
      const kept = new Int32Array(count);
      let n = 0;
      for (let i = 0, j = 0; i < count; i++, j += 2) {
        const a2 = (atFirst[j] as number) ** 2 + (atFirst[j + 1] as number) ** 2;
        const b2 = (atLast[j] as number) ** 2 + (atLast[j + 1] as number) ** 2;
        if (a2 < NEGLIGIBLE_SQ && b2 < NEGLIGIBLE_SQ) {
          z[j] = 0;
          z[j + 1] = 0;
        } else kept[n++] = i;
      }
      if (n === 0) return;
      const points = new Float64Array(2 * n);
      for (let b = 0; b < n; b++) {
        const j = 2 * (kept[b] as number);
        points[2 * b] = z[j] as number;
        points[2 * b + 1] = z[j + 1] as number;
      }
      const sum = new Float64Array(2 * n);
      const values = new Float64Array(2 * n);
      for (let q = 0; q < m; q++) {
        const w = weights[q] as number;
        if (q === 0 || q === m - 1) {
          const end = q === 0 ? atFirst : atLast;
          for (let b = 0; b < n; b++) {
            const j = 2 * (kept[b] as number);
            values[2 * b] = end[j] as number;
            values[2 * b + 1] = end[j + 1] as number;
          }
        } else (parts[q] as Frequency).applyPgf(points, n, values);
        for (let b = 0; b < 2 * n; b++) sum[b] = (sum[b] as number) + w * (values[b] as number);
      }
      for (let b = 0; b < n; b++) {
        const j = 2 * (kept[b] as number);
        z[j] = sum[2 * b] as number;
        z[j + 1] = sum[2 * b + 1] as number;
      }
    },
  };
}

/** Largest |v| = 1 / |B u| at which `negativeBinomialMixtureTerm` sums its series (see there). */
const FAR_V = 0.1;
/** The series' truncation error bound, absolute (the mixture's own tolerance is MIXTURE_TOL, 1e-13). */
const FAR_TAIL = 1e-16;
/** Longest series kept (a shape r so large that the series would need more is left to the nodes). */
const FAR_MAX_TERMS = 256;

/**
 * The coefficients d_j of the far-field series of sum_q w_q (1 + beta_q u)^-r (see negativeBinomialMixtureTerm),
 * d_j = binom(-r, j) sum_q w_q (B / beta_q)^(r + j), as many as keep the truncation under FAR_TAIL for |v| <= FAR_V:
 * the terms' bound |binom(-r, j)| FAR_V^j shrinks by the ratio (r + j) FAR_V / (j + 1) from one to the next, which
 * falls towards FAR_V (r >= 1) or stays below it (r < 1); once a term is below FAR_TAIL / 2 with that ratio at most
 * 1/2, the rest sum to at most FAR_TAIL. Null when more than FAR_MAX_TERMS would be needed.
 */
function farSeries(r: number, ratios: Float64Array, weights: Float64Array): Float64Array | null {
  const m = ratios.length;
  const powers = Float64Array.from(ratios, (x, q) => (weights[q] as number) * Math.pow(x, r));
  const d: number[] = [];
  let binom = 1; // binom(-r, j)
  let bound = 1; // |binom(-r, j)| FAR_V^j
  for (let j = 0; j < FAR_MAX_TERMS; j++) {
    let sum = 0;
    for (let q = 0; q < m; q++) {
      sum += powers[q] as number;
      powers[q] = (powers[q] as number) * (ratios[q] as number);
    }
    d.push(binom * sum);
    const ratio = ((r + j) * FAR_V) / (j + 1);
    if (bound * ratio < FAR_TAIL / 2 && ratio <= 0.5) return Float64Array.from(d);
    binom *= -(r + j) / (j + 1);
    bound *= ratio;
  }
  return null;
}

/** Tiers of |v| by decade for the series' length: tier t holds |v| <= 10^-(t + 1) (see seriesLengths). */
const SERIES_TIERS = 16;

/**
 * How many of the series' terms a point needs, by tier of |v| (tier t: |v| <= V_t = 10^-(t + 1), tier 0 being FAR_V
 * itself): the fewest J with sum_{j = J}^{last} |d_j| V_t^j <= FAR_TAIL / 2. The terms past the series' end add at
 * most FAR_TAIL (V_t / FAR_V)^(last + 1) there (farSeries bounds them by FAR_TAIL at FAR_V), so the truncation stays
 * below FAR_TAIL at every point. Most of a lattice's frequencies have |B u| in the thousands or more (|v| ~ 1e-3 or
 * less) and need 2 to 6 terms of the 16 to 20 that |v| = 0.1 does.
 */
function seriesLengths(series: Float64Array): Int32Array {
  const lengths = new Int32Array(SERIES_TIERS);
  for (let t = 0; t < SERIES_TIERS; t++) {
    const v = Math.pow(10, -(t + 1));
    let tail = 0;
    let j = series.length;
    // add terms from the end while the dropped ones stay under the bound
    while (j > 1) {
      const next = tail + Math.abs(series[j - 1] as number) * Math.pow(v, j - 1);
      if (next > FAR_TAIL / 2) break;
      tail = next;
      j -= 1;
    }
    lengths[t] = t === 0 ? series.length : j;
  }
  return lengths;
}

/** Nodes whose scale beta_q is below this share of the largest are summed one by one at every point (see below). */
const FAR_SPAN = 1e-3;

/**
 * The mixture sum_q w_q G_q(z) of negative binomials of one shape r and scales beta_q (the shocked pool's count
 * given the narrower Gamma's nodes, see pooledTerm): G_q(z) = (1 + beta_q u)^-r with u = 1 - z. For the nodes with
 * beta_q >= B (B the larger of the smallest scale and FAR_SPAN times the largest), where the severity's transform is
 * away from 1 (|B u| >= 1 / FAR_V: all but the lowest frequencies of a lattice with many claims), their sum is one
 * complex power and a short series,
 *   sum_q w_q (1 + beta_q u)^-r = (B u)^-r sum_j d_j v^j,  v = 1 / (B u),  d_j = binom(-r, j) sum_q w_q (B / beta_q)^(r + j),
 * from (1 + beta u)^-r = (beta u)^-r (1 + 1 / (beta u))^-r, whose principal branches agree because Re u >= 0 on the
 * unit disk (both factors' arguments lie in (-pi/2, pi/2)). Its truncation is below FAR_TAIL absolute (|B u|^-r <= 1
 * there), a thousandth of the nodes' own tolerance, at the cost of about one pgf and as many complex multiply-adds as
 * the point's |v| needs (seriesLengths: 2 to 4 of 16 terms on most of the real daily campaign's week at rho 0.95)
 * per point instead of one pgf per node (26 there). The nodes below B, the points near z = 1, and a shape whose
 * series would be too long are summed node by node (`mixtureTerm`).
 */
export function negativeBinomialMixtureTerm(
  severity: Float64Array,
  r: number,
  parts: ReadonlyArray<Frequency>,
  weights: Float64Array,
): CompoundTerm {
  const base = mixtureTerm(severity, parts, weights);
  const betas = Float64Array.from(parts, (f) => (f.params.mean as number) / (f.params.r as number));
  const b = Math.max(Math.min(...betas), FAR_SPAN * Math.max(...betas));
  const big: number[] = [];
  const small: number[] = [];
  betas.forEach((beta, q) => (beta >= b ? big : small).push(q));
  const d = farSeries(
    r,
    Float64Array.from(big, (q) => b / (betas[q] as number)),
    Float64Array.from(big, (q) => weights[q] as number),
  );
  if (d === null || !(b > 0)) return base;
  const rest =
    small.length > 0
      ? mixtureTerm(
          severity,
          small.map((q) => parts[q] as Frequency),
          Float64Array.from(small, (q) => weights[q] as number),
        )
      : null;
  const series = d;
  const last = series.length - 1;
  // |u|^2 at or above this: |v| <= FAR_V
  const farSq = 1 / (FAR_V * b) ** 2;
  const logB = Math.log(b);
  // |sum_j d_j v^j| <= sum_j |d_j| FAR_V^j at a far point, so where |(B u)^-r| = e^l is below 1e-20 over that bound
  // the value is below 1e-20, set to 0 below anyway: it is set at once, without the power's exp, atan2, cos and sin
  // and the series (a large r reaches that within a grid; the real daily campaign's r of about 2 does not).
  let seriesBound = 0;
  for (let t = 0, v = 1; t <= last; t++, v *= FAR_V) seriesBound += Math.abs(series[t] as number) * v;
  const negligibleLog = Math.max(UNDERFLOW_LOG, NEGLIGIBLE_LOG - Math.log(seriesBound));
  const lengths = seriesLengths(series);
  return {
    ...base,
    apply(z, count) {
      // The far points are computed in place; the near ones (and, with nodes below B, the far ones' own values for
      // those nodes) are gathered and summed node by node.
      const near = new Int32Array(count);
      const far = rest ? new Int32Array(count) : null;
      let nNear = 0;
      let nFar = 0;
      for (let i = 0, j = 0; i < count; i++, j += 2) {
        const ur = 1 - (z[j] as number);
        const ui = -(z[j + 1] as number);
        if (ur * ur + ui * ui < farSq) near[nNear++] = i;
        else if (far) far[nFar++] = i;
      }
      const nearZ = gather(z, near, nNear);
      const restZ = rest && far ? gather(z, far, nFar) : null;
      for (let i = 0, j = 0, nextNear = 0; i < count; i++, j += 2) {
        if (nextNear < nNear && near[nextNear] === i) {
          nextNear++;
          continue;
        }
        const ur = 1 - (z[j] as number);
        const ui = -(z[j + 1] as number);
        const uu = ur * ur + ui * ui;
        // (B u)^-r = |v|^r e^(-i r arg u), ln |v| = -ln |B u|
        const logV = -(logB + 0.5 * Math.log(uu));
        const l = r * logV;
        if (l < negligibleLog) {
          z[j] = 0;
          z[j + 1] = 0;
          continue;
        }
        const mag = Math.exp(l);
        const ang = -r * Math.atan2(ui, ur);
        const fr = mag * Math.cos(ang);
        const fi = mag * Math.sin(ang);
        // sum_j d_j v^j by Horner, v = conj(u) / (B |u|^2)
        const vr = ur / (b * uu);
        const vi = -ui / (b * uu);
        // the terms this |v| needs (see seriesLengths): |v| <= 10^-(tier + 1)
        const tier = Math.min(SERIES_TIERS - 1, Math.max(0, Math.floor(-logV / Math.LN10) - 1));
        const top = (lengths[tier] as number) - 1;
        let sr = series[top] as number;
        let si = 0;
        for (let t = top - 1; t >= 0; t--) {
          const tr = sr * vr - si * vi + (series[t] as number);
          si = sr * vi + si * vr;
          sr = tr;
        }
        z[j] = fr * sr - fi * si;
        z[j + 1] = fr * si + fi * sr;
      }
      if (rest && far && restZ) {
        rest.apply(restZ, nFar);
        for (let k = 0; k < nFar; k++) {
          const j = 2 * (far[k] as number);
          z[j] = (z[j] as number) + (restZ[2 * k] as number);
          z[j + 1] = (z[j + 1] as number) + (restZ[2 * k + 1] as number);
        }
      }
      // below 1e-20 the node-by-node sum sets the value to 0 as well (the near points: base.apply does)
      for (let i = 0, j = 0, nextNear = 0; i < count; i++, j += 2) {
        if (nextNear < nNear && near[nextNear] === i) {
          nextNear++;
          continue;
        }
        if ((z[j] as number) ** 2 + (z[j + 1] as number) ** 2 < NEGLIGIBLE_SQ) {
          z[j] = 0;
          z[j + 1] = 0;
        }
      }
      if (nNear > 0) base.apply(nearZ, nNear);
      scatter(z, near, nNear, nearZ);
    },
  };
}

/** The complex values of z at the `n` point indexes in `at`, packed. */
function gather(z: Float64Array, at: Int32Array, n: number): Float64Array {
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    const j = 2 * (at[k] as number);
    out[2 * k] = z[j] as number;
    out[2 * k + 1] = z[j + 1] as number;
  }
  return out;
}

/** Writes the packed values back to the point indexes they were gathered from. */
function scatter(z: Float64Array, at: Int32Array, n: number, values: Float64Array): void {
  for (let k = 0; k < n; k++) {
    const j = 2 * (at[k] as number);
    z[j] = values[2 * k] as number;
    z[j + 1] = values[2 * k + 1] as number;
  }
}
