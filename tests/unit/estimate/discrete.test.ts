import { describe, expect, it } from "vitest";
import {
  betaBinomialDistribution,
  binomialDistribution,
  cdfAt,
  centralInterval,
  expectedInclusion,
  momentsOf,
  negativeBinomialDistribution,
  pmfAt,
  pointMassAtZero,
  poissonDistribution,
  quantileOf,
  randomisedPit,
  rankedProbabilityScore,
} from "@/lib/engine/estimate";
import { reference } from "./reference";

const ref = reference.discrete;

describe("count distributions", () => {
  it("beta-binomial pmf and quantiles match scipy.stats.betabinom (pmf to 1e-12 relative)", () => {
    const d = betaBinomialDistribution(ref.betaBinomial.n, ref.betaBinomial.a, ref.betaBinomial.b);
    ref.betaBinomial.pmf.forEach((p, k) => expect(Math.abs(pmfAt(d, k) / p - 1)).toBeLessThan(1e-12));
    for (const [q, k] of Object.entries(ref.betaBinomial.quantiles)) expect(quantileOf(d, Number(q))).toBe(k);
  });

  it("negative binomial cdf and quantiles match scipy.stats.nbinom (cdf to 1e-12 absolute)", () => {
    const d = negativeBinomialDistribution(ref.negbin.r, ref.negbin.mean);
    [0, 5, 10, 25, 50, 100].forEach((k, i) => expect(Math.abs(cdfAt(d, k) - (ref.negbin.cdf[i] as number))).toBeLessThan(1e-12));
    for (const [q, k] of Object.entries(ref.negbin.quantiles)) expect(quantileOf(d, Number(q))).toBe(k);
    const m = momentsOf(d);
    expect(m.mean).toBeCloseTo(25, 9);
    expect(m.variance).toBeCloseTo(25 + 625 / 4, 7);
  });

  it("Poisson quantiles match scipy", () => {
    const d = poissonDistribution(ref.poisson.lambda);
    for (const [q, k] of Object.entries(ref.poisson.quantiles)) expect(quantileOf(d, Number(q))).toBe(k);
  });

  it("does not underflow for a mean of 4000 (binomial(1e6, 0.004), where (1-p)^n = 0 in doubles)", () => {
    const d = binomialDistribution(ref.bigBinomial.n, ref.bigBinomial.p);
    for (const [q, k] of Object.entries(ref.bigBinomial.quantiles)) expect(quantileOf(d, Number(q))).toBe(k);
    expect(momentsOf(d).mean).toBeCloseTo(4000, 6);
  });

  it("ranked probability score matches a direct sum over the support (scipy cdf, 1e-10)", () => {
    const bb = betaBinomialDistribution(ref.betaBinomial.n, ref.betaBinomial.a, ref.betaBinomial.b);
    expect(Math.abs(rankedProbabilityScore(bb, ref.betaBinomial.rps.y) - ref.betaBinomial.rps.value)).toBeLessThan(1e-10);
    const nb = negativeBinomialDistribution(ref.negbin.r, ref.negbin.mean);
    expect(Math.abs(rankedProbabilityScore(nb, ref.negbin.rps.y) - ref.negbin.rps.value)).toBeLessThan(1e-10);
    expect(rankedProbabilityScore(pointMassAtZero(), 2)).toBe(2);
    expect(rankedProbabilityScore(pointMassAtZero(), 0)).toBe(0);
  });

  it("beta-binomial(2, 1, 1) is uniform on {0, 1, 2}", () => {
    const d = betaBinomialDistribution(2, 1, 1);
    [0, 1, 2].forEach((k) => expect(pmfAt(d, k)).toBeCloseTo(1 / 3, 14));
  });

  it("randomised PIT lies between F(y-1) and F(y); expected inclusion is the share of that span in the band", () => {
    const d = binomialDistribution(1, 0.5);
    expect(randomisedPit(d, 0, 0.5)).toBeCloseTo(0.25, 14);
    expect(randomisedPit(d, 1, 0)).toBeCloseTo(0.5, 14);
    // y = 0: PIT uniform on [0, 0.5]; the 50% band is [0.25, 0.75] -> half of the span.
    expect(expectedInclusion(d, 0, 0.5)).toBeCloseTo(0.5, 14);
    expect(centralInterval(d, 0.9)).toEqual({ lo: 0, hi: 1 });
  });

  it("mass sums to 1 and the mean is kept, for each law (property)", () => {
    for (const d of [
      poissonDistribution(0.3),
      poissonDistribution(900),
      binomialDistribution(50, 0.9),
      negativeBinomialDistribution(0.4, 300),
      betaBinomialDistribution(1000, 0.5, 40),
      betaBinomialDistribution(30, 3, 0.6),
    ]) {
      const s = d.pmf.reduce((a, b) => a + b, 0);
      expect(s).toBeCloseTo(1, 12);
      expect(Math.abs(momentsOf(d).mean - d.mean)).toBeLessThan(1e-8 * (1 + d.mean));
    }
  });
});
