import erfc from "@stdlib/math-base-special-erfc";
import { describe, expect, it } from "vitest";
import { coarseLattice, NotSmoothError, type CoarseTerm } from "@/lib/engine/coarse";
import { negativeBinomial } from "@/lib/engine/frequency";
import { pooledShare, shareMoments } from "@/lib/engine/pool";
import { lognormalSeverity } from "@/lib/engine/severity";
import { severityCharacteristic } from "@/lib/engine/severity-transform";

/**
 * The density-sampled (coarse) lattice gives up early where its answer could not pass its own mean check: a
 * severity transform summed over a rounding lattice whose mean is already off, or a mean missed with nothing at the
 * window's edges (a larger grid would miss it again). Both used to spend the whole work bound (about half a second)
 * before the fine lattice answered a slider move on the real daily campaign of ../shared.
 */

/** A Poisson(lambda) count of gamma(alpha, theta) orders as a coarse term whose cf evaluations are counted. */
function gammaPoissonTerm(lambda: number, alpha: number, theta: number, meanError?: () => number): { term: CoarseTerm; calls: () => number } {
  let calls = 0;
  const term: CoarseTerm = {
    cost: 1,
    atZero: 0,
    claims: lambda,
    ...(meanError ? { meanError } : {}),
    cf(t, out, at) {
      calls++;
      // (1 + i theta t)^-alpha
      const x = theta * t;
      const mag = Math.exp(-0.5 * alpha * Math.log1p(x * x));
      const ang = -alpha * Math.atan(x);
      out[at] = mag * Math.cos(ang);
      out[at + 1] = mag * Math.sin(ang);
    },
    apply(z, count) {
      // exp(lambda (z - 1))
      for (let j = 0; j < 2 * count; j += 2) {
        const mag = Math.exp(lambda * ((z[j] as number) - 1));
        const ang = lambda * (z[j + 1] as number);
        z[j] = mag * Math.cos(ang);
        z[j + 1] = mag * Math.sin(ang);
      }
    },
  };
  return { term, calls: () => calls };
}

// Poisson(10,000) x gamma(2, 10): E[S] = 200,000, sd(S) = sqrt(1e4 x E[X^2] = 600) = 2,449.5; step 25 (sd / 98).
const LAMBDA = 1e4;
const MEAN = LAMBDA * 2 * 10;
const SHAPE = { mean: MEAN, sd: Math.sqrt(LAMBDA * 600), severityTop: 400 };
const VARIANCE = LAMBDA * 600;

describe("coarse lattice refusals", () => {
  it("samples a smooth sum with its closed-form mean (1e-9) when nothing is off (the control)", () => {
    const { term, calls } = gammaPoissonTerm(LAMBDA, 2, 10, () => 0);
    const r = coarseLattice([term], SHAPE, 25, MEAN, 1 << 16, VARIANCE);
    let m = 0;
    r.pmf.forEach((p, i) => (m += (r.offset + i) * 25 * p));
    expect(Math.abs(m / MEAN - 1)).toBeLessThan(1e-9);
    expect(r.method).toBe("fft-density");
    expect(calls()).toBeGreaterThan(50);
  });

  it("refuses before summing any bin when the term's own lattice mean is off by more than 1e-6", () => {
    const { term, calls } = gammaPoissonTerm(LAMBDA, 2, 10, () => 1e-3);
    expect(() => coarseLattice([term], SHAPE, 25, MEAN, 1 << 16, VARIANCE)).toThrow(NotSmoothError);
    // the Nyquist probe only
    expect(calls()).toBeLessThanOrEqual(1);
  });

  it("refuses a mean missed with clear edges at once (NotSmoothError), not after doubling to the grid limit", () => {
    // Orders 0.1% dearer in the transform than in E[S]: every grid size misses the mean by 1e-3. Doubling up to the
    // limit ended in "cannot hold this distribution" (a RangeError that is not a NotSmoothError).
    const { term } = gammaPoissonTerm(LAMBDA, 2, 10 * 1.001);
    let error: unknown = null;
    try {
      coarseLattice([term], SHAPE, 25, MEAN, 1 << 16, VARIANCE);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotSmoothError);
  });
});

describe("the bin-by-bin lognormal transform's mean error", () => {
  /** |E[X] on the rounding lattice at h / E[X] - 1| from the lognormal cdf (erfc) and its closed-form mean. */
  function roundingMeanError(mu: number, sigma: number, h: number, top: number): number {
    const cdf = (x: number) => (x <= 0 ? 0 : 0.5 * erfc(-(Math.log(x) - mu) / (sigma * Math.SQRT2)));
    const n = Math.ceil(top / h) + 1;
    let m = 0;
    for (let k = 1; k <= n; k++) m += k * h * (cdf((k + 0.5) * h) - cdf((k - 0.5) * h));
    return Math.abs(m / Math.exp(mu + (sigma * sigma) / 2) - 1);
  }

  it("matches the rounding lattice's mean from the cdf (1e-7 absolute) and flags a heavy tail's step", () => {
    for (const [mu, sigma, heavy] of [
      [2.569813464633622, 1.6258754052768982, true],
      [4, 0.5, false],
    ] as const) {
      const s = lognormalSeverity(mu, sigma);
      const h = Math.max(Math.min(s.mean, Math.sqrt(s.variance)) / 100, s.upperPoint(1e-13) / (1 << 18));
      const got = (severityCharacteristic(s).meanError as () => number)();
      // the reference stops at the 1e-13 point (above it E[X] loses ~1e-8 relative)
      expect(Math.abs(got - roundingMeanError(mu, sigma, h, s.upperPoint(1e-13)))).toBeLessThan(1e-7);
      if (heavy) expect(got).toBeGreaterThan(1e-3);
      else expect(got).toBeLessThan(1e-6);
    }
  }, 30_000);

  it("leaves the real campaign's month pool of 1,000 to the fine lattice with the closed-form mean (1e-6) and CV (0.5%)", () => {
    // The pooling lab's month forecast of the real daily campaign (negative binomial r 3.675, 318,977 orders a
    // month, lognormal(2.5698, 1.6259) orders): its bin-by-bin transform rounds at h 7.9 for a mean of 49. The fine
    // lattice's step is forced coarse by the grid limit, and its mean-preserving split of the orders adds to the
    // variance (CV 0.23% high here): within the automatic lattice's 0.5%.
    const f = negativeBinomial(3.674922093201345, 318976.92910820997);
    const s = lognormalSeverity(2.569813464633622, 1.6258754052768982);
    const r = pooledShare({ frequency: f, severity: s, k: 1000 });
    expect(r.method).toBe("fft");
    const closed = shareMoments(f, s, 1000, 0);
    expect(Math.abs(r.distribution.mean / closed.mean - 1)).toBeLessThan(1e-6);
    expect(Math.abs(r.distribution.cv / closed.cv - 1)).toBeLessThan(5e-3);
  }, 60_000);
});
