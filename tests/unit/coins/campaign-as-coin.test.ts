import { describe, expect, it } from "vitest";
import { coinNote } from "@/lib/analysis/messages";
import { campaignAsCoin } from "@/lib/engine/coins";
import { createRng } from "@/lib/engine/rng";

/**
 * E and Var of ln(N / lambda), N ~ Poisson(lambda), by summing the pmf over n = 1..lambda + 40 sd; the pmf by its
 * recurrence in log space, ln p(n) = ln p(n-1) + ln lambda - ln n from ln p(0) = -lambda (P(N = 0) = e^-lambda is
 * negligible for lambda >= 50, and n = 0 has no log).
 */
function logRatioMoments(lambda: number): { mean: number; variance: number } {
  let m1 = 0;
  let m2 = 0;
  let logP = -lambda;
  const logLambda = Math.log(lambda);
  const top = Math.ceil(lambda + 40 * Math.sqrt(lambda));
  for (let n = 1; n <= top; n++) {
    logP += logLambda - Math.log(n);
    const p = Math.exp(logP);
    const r = Math.log(n) - logLambda;
    m1 += p * r;
    m2 += p * r * r;
  }
  return { mean: m1, variance: m2 - m1 * m1 };
}

describe("campaignAsCoin: the daily surprise against the day's spend", () => {
  it("measures each day against revenue per unit of spend over the period", () => {
    const c = campaignAsCoin([
      { date: "2025-01-01", spend: 100, revenue: 150 },
      { date: "2025-01-02", spend: 100, revenue: 50 },
      { date: "2025-01-03", spend: 0, revenue: 20 },
      { date: "2025-01-04", spend: 100, revenue: null },
      { date: "2025-01-05", spend: 200, revenue: 0 },
    ]);
    // k = 200 / 400 = 0.5; surprises 150/50 - 1 = 2, 50/50 - 1 = 0, 0/100 - 1 = -1 (exact in binary).
    expect(c.revenuePerSpend).toBe(0.5);
    expect(c.surprises).toEqual([2, 0, -1]);
    expect(c.skipped).toBe(2);
    // A day with spend and no revenue: the log is -infinity, so simple surprises are used and the note says so.
    expect(c.returnKind).toBe("simple");
    expect(c.returns).toEqual([2, 0, -1]);
    expect(c.zeroDays).toBe(1);
    expect(coinNote(c)).toMatch(/; 1 of 3 days had no revenue, so simple \(not log\) surprises are used, over 3 days; annualized volatility 2,918%\.$/);
    // mean 1/3; deviations 5/3, -1/3, -4/3 -> sum of squares 42/9, sd = sqrt(7/3). Tolerance 1e-12 (rounding).
    expect(Math.abs((c.stats?.sd ?? NaN) - Math.sqrt(7 / 3))).toBeLessThan(1e-12);
    expect(Math.abs((c.stats?.annualizedVolatility ?? NaN) - Math.sqrt((7 / 3) * 365))).toBeLessThan(1e-12);
  });

  it("gives ~0 volatility to a campaign whose revenue follows its spend exactly, however large its return on spend", () => {
    const rng = createRng(11);
    const days = Array.from({ length: 200 }, (_, i) => {
      const spend = 20 + 480 * rng.uniform();
      return { date: `d${i}`, spend, revenue: 49.8 * spend }; // 4,880% return on spend every day
    });
    const c = campaignAsCoin(days);
    expect(c.returnKind).toBe("log");
    // Only rounding of revenue / (k spend) is left: 1e-12 is ~5,000 ulps of 1.
    expect(c.stats?.annualizedVolatility ?? NaN).toBeLessThan(1e-12);
    expect(Math.abs((c.revenuePerSpend ?? NaN) - 49.8)).toBeLessThan(1e-12);
  });

  it("matches the exact log-return sd of a simulated Poisson campaign (lambda 60-240 a day)", () => {
    // N_t ~ Poisson(lambda_t), lambda_t = 0.6 spend_t, every sale worth 40: r_t = ln(N_t / (c-hat spend_t)).
    // Reference: Var over days = mean_t Var[ln(N/lambda_t)] + var_t E[ln(N/lambda_t)], both by exact pmf sums
    // (c-hat only shifts every r_t by one constant, which no sd sees).
    const rng = createRng(2026);
    const n = 3000;
    const lambdas: number[] = [];
    const days = Array.from({ length: n }, (_, i) => {
      const spend = 100 + 300 * rng.uniform();
      const lambda = 0.6 * spend;
      lambdas.push(lambda);
      return { date: `d${i}`, spend, revenue: 40 * rng.poisson(lambda) };
    });
    const c = campaignAsCoin(days);
    expect(c.returnKind).toBe("log");
    const moments = lambdas.map(logRatioMoments);
    const meanVar = moments.reduce((a, m) => a + m.variance, 0) / n;
    const meanMean = moments.reduce((a, m) => a + m.mean, 0) / n;
    const varMean = moments.reduce((a, m) => a + (m.mean - meanMean) ** 2, 0) / n;
    const expected = Math.sqrt((meanVar + varMean) * 365);
    // Seeded Monte Carlo: the sd of n near-normal values has relative standard error 1/sqrt(2n) = 1.29% at n = 3000;
    // tolerance 4 standard errors.
    const se = expected / Math.sqrt(2 * n);
    expect(Math.abs((c.stats?.annualizedVolatility ?? NaN) - expected)).toBeLessThan(4 * se);
    // And the delta-method closed form sqrt(365 mean(1/lambda)) is within 1% of the exact one at these rates.
    const delta = Math.sqrt((365 * lambdas.reduce((a, l) => a + 1 / l, 0)) / n);
    expect(Math.abs(delta / expected - 1)).toBeLessThan(0.01);
  });

  it("matches (1 + cv^2) / lambda for a sparse campaign with zero-sale days and lognormal order values", () => {
    // lambda_t = 0.02 spend_t in [2, 8]: many zero days, so simple surprises. Order values lognormal(mu 3, sigma 0.5):
    // cv^2 = e^(sigma^2) - 1. Var[s_t] = (1 + cv^2) / lambda_t (compound Poisson, Klugman et al. 9.3) with k known;
    // k-hat differs from k by ~1 / sqrt(sum lambda) ~ 0.6%, which scales every s_t + 1 alike.
    const rng = createRng(7);
    const n = 4000;
    const sigma = 0.5;
    const cv2 = Math.exp(sigma * sigma) - 1;
    let invLambda = 0;
    const days = Array.from({ length: n }, (_, i) => {
      const spend = 100 + 300 * rng.uniform();
      const lambda = 0.02 * spend;
      invLambda += 1 / lambda;
      const count = rng.poisson(lambda);
      let revenue = 0;
      for (let j = 0; j < count; j++) revenue += rng.lognormal(3, sigma);
      return { date: `d${i}`, spend, revenue };
    });
    const c = campaignAsCoin(days);
    expect(c.returnKind).toBe("simple");
    const expected = Math.sqrt((365 * (1 + cv2) * invLambda) / n);
    // s_t is skewed (excess kurtosis ~ 1/lambda ~ 0.3 from the counts plus the order values): relative SE of the sd
    // sqrt((kurtosis - 1) / (4n)) with kurtosis <= 5 -> <= 1/sqrt(n) = 1.6%; tolerance 4 SE = 6.3% (the k-hat 0.6%
    // is inside it).
    expect(Math.abs((c.stats?.annualizedVolatility ?? NaN) / expected - 1)).toBeLessThan(4 / Math.sqrt(n));
  });

  it("has no statistics with fewer than two usable days, or no revenue at all, and says why", () => {
    expect(campaignAsCoin([{ date: null, spend: 10, revenue: 5 }]).stats).toBeNull();
    const none = campaignAsCoin([
      { date: "a", spend: 10, revenue: 0 },
      { date: "b", spend: 20, revenue: 0 },
    ]);
    expect(none.stats).toBeNull();
    expect(none.finding).toBe("no-revenue");
    expect(coinNote(none)).toMatch(/^No revenue on any day with spend/);
  });
});
