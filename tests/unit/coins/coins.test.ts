/**
 * Coins on a synthetic Yahoo CSV whose figures can be checked by hand (tests/fixtures/coins/synthetic-USD.csv):
 * prices 100, 100e^0.1, 100, 100e^0.1, 100, 100e^-0.2 once sorted, so the log returns are exactly
 * +0.1, -0.1, +0.1, -0.1, -0.2 (to the 12 decimals the file keeps: tolerance 1e-10).
 *   mean = -0.04; deviations 0.14, -0.06, 0.14, -0.06, -0.16; sum of squares 0.072
 *   sd = sqrt(0.072 / 4) = 0.1341640786; annualized = sd sqrt(365) = 2.5632011236
 *   m2 = 0.0144, m3 = 0.000192, m4 = 0.00028992 -> skewness 1/9, excess kurtosis 0.00028992/0.00020736 - 3
 *   max drawdown = 100e^-0.2 / 100e^0.1 - 1 = e^-0.3 - 1
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeCoin, histogram, logReturns, maxDrawdown, quantileSorted, returnStats } from "@/lib/engine/coins";
import { collarOnHolding, holdingDistribution } from "@/lib/engine/holding";
import { parseYahooCsv } from "@/lib/ingest/prices";

const csv = fs.readFileSync(path.resolve(__dirname, "../../fixtures/coins/synthetic-USD.csv"), "utf8");
const TOL = 1e-10;

describe("parseYahooCsv", () => {
  const s = parseYahooCsv(csv);

  it("sorts by date, skips the null row and uses Adj Close, falling back to Close where it is null", () => {
    expect(s.dates).toEqual(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06"]);
    // 2024-01-03: Close 250 but Adj Close 100 -> 100; 2024-01-05: Adj Close null -> Close 100.
    expect(s.prices[2]).toBe(100);
    expect(s.prices[4]).toBe(100);
    expect(s.skippedRows).toBe(1);
    expect(s.priceColumn).toBe("mixed");
  });

  it("accepts a BOM, CRLF line ends and a file with Close only", () => {
    const t = parseYahooCsv("\uFEFFDate,Close\r\n2024-01-02,2\r\n2024-01-01,1\r\n");
    expect(t.prices).toEqual([1, 2]);
    expect(t.priceColumn).toBe("Close");
  });

  it("refuses a file without a Date or a price column", () => {
    expect(() => parseYahooCsv("Day,Price\n2024-01-01,1\n")).toThrow(/Date column/);
  });
});

describe("return statistics", () => {
  const r = logReturns(parseYahooCsv(csv).prices);
  const st = returnStats(r);

  it("gives the log returns +0.1, -0.1, +0.1, -0.1, -0.2", () => {
    [0.1, -0.1, 0.1, -0.1, -0.2].forEach((x, i) => expect(r[i]).toBeCloseTo(x, 10));
  });

  it("matches the hand-computed mean, sd, annualized volatility, skewness and kurtosis", () => {
    expect(st).not.toBeNull();
    if (!st) return;
    expect(Math.abs(st.mean - -0.04)).toBeLessThan(TOL);
    expect(Math.abs(st.sd - Math.sqrt(0.018))).toBeLessThan(TOL);
    expect(Math.abs(st.annualizedVolatility - Math.sqrt(0.018 * 365))).toBeLessThan(TOL);
    expect(Math.abs((st.skewness ?? NaN) - 1 / 9)).toBeLessThan(1e-8);
    expect(Math.abs((st.excessKurtosis ?? NaN) - (0.00028992 / 0.00020736 - 3))).toBeLessThan(1e-8);
    expect(st.worst).toBeCloseTo(-0.2, 10);
    expect(st.best).toBeCloseTo(0.1, 10);
  });

  it("takes type-7 quantiles (sorted -0.2, -0.1, -0.1, 0.1, 0.1)", () => {
    expect(st?.quantiles["0.5"]).toBeCloseTo(-0.1, 10);
    expect(st?.quantiles["0.1"]).toBeCloseTo(-0.16, 10); // h = 0.4: -0.2 + 0.4 x 0.1
    expect(st?.quantiles["0.9"]).toBeCloseTo(0.1, 10);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  it("measures the maximum drawdown from the running peak", () => {
    expect(Math.abs(maxDrawdown(parseYahooCsv(csv).prices) - (Math.exp(-0.3) - 1))).toBeLessThan(TOL);
    expect(maxDrawdown([100, 120, 60, 130])).toBe(-0.5);
    expect(maxDrawdown([1, 2, 3])).toBe(0);
  });

  it("returns null statistics for fewer than two returns, and null shape figures for constant returns", () => {
    expect(returnStats([0.1])).toBeNull();
    const flat = returnStats([0.01, 0.01, 0.01]);
    expect(flat?.sd).toBe(0);
    expect(flat?.skewness).toBeNull();
    expect(flat?.excessKurtosis).toBeNull();
  });

  it("bins returns into a histogram, clipping outside values into the end bins", () => {
    // Edges -0.25, -0.15, -0.05, 0.05, 0.15, 0.25.
    expect(histogram(r, { firstEdge: -0.25, binWidth: 0.1, bins: 5 }).counts).toEqual([1, 2, 0, 2, 0]);
    const clipped = histogram([-1, 0.01, 5], { firstEdge: 0, binWidth: 0.1, bins: 2 });
    expect(clipped.counts).toEqual([2, 1]);
    const open = histogram([-1, 0.01, 5], { firstEdge: 0, binWidth: 0.1, bins: 2, clip: false });
    expect([open.counts, open.below, open.above]).toEqual([[1, 0], 1, 1]);
  });

  it("describes a series in one call", () => {
    const d = describeCoin(parseYahooCsv(csv));
    expect([d.firstDate, d.lastDate, d.days]).toEqual(["2024-01-01", "2024-01-06", 6]);
    expect(d.histogram.counts.reduce((a, b) => a + b, 0)).toBe(5);
  });
});

describe("holdingDistribution", () => {
  const r = logReturns(parseYahooCsv(csv).prices);

  it("is the exact 2-day convolution when the returns sit on the grid", () => {
    // Daily law: +0.1 (0.4), -0.1 (0.4), -0.2 (0.2). Two-day sums: 0.2 (0.16), 0 (0.32), -0.1 (0.16), -0.2 (0.16),
    // -0.3 (0.16), -0.4 (0.04). Tolerance 1e-12 (FFT rounding).
    const h = holdingDistribution(r, { days: 2, step: 0.1, value: 1000 });
    const exact = new Map([
      [0.2, 0.16],
      [0, 0.32],
      [-0.1, 0.16],
      [-0.2, 0.16],
      [-0.3, 0.16],
      [-0.4, 0.04],
    ]);
    for (let k = 0; k < h.probs.length; k++) {
      const s = Math.round((h.start + k * h.step) * 10) / 10;
      expect(Math.abs((h.probs[k] as number) - (exact.get(s === 0 ? 0 : s) ?? 0))).toBeLessThan(1e-12);
      expect(Math.abs((h.values[k] as number) - 1000 * Math.exp(h.start + k * h.step))).toBeLessThan(1e-9);
    }
    // E[V] = 1000 (E[e^r])^2 by independence.
    const m1 = 0.4 * Math.exp(0.1) + 0.4 * Math.exp(-0.1) + 0.2 * Math.exp(-0.2);
    expect(Math.abs(h.mean - 1000 * m1 * m1)).toBeLessThan(1e-9);
    // Loss: every sum below 0 -> 1 - 0.16 - 0.32.
    expect(Math.abs(h.pLoss - 0.52)).toBeLessThan(1e-12);
  });

  it("keeps the mean at (mean of e^r over the grid)^h over a long horizon (automatic grid)", () => {
    const h = holdingDistribution(r, { days: 60 });
    // With the automatic grid the returns are split between grid points: the grid's E[e^r] differs from the
    // sample's by at most the convexity of e^r across one step (< 1e-4 relative here, 60 days: < 1e-2).
    const m1 = r.reduce((s, x) => s + Math.exp(x), 0) / r.length;
    expect(Math.abs(h.mean / m1 ** 60 - 1)).toBeLessThan(1e-2);
    expect(h.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("refuses a horizon that is not a whole number of days", () => {
    expect(() => holdingDistribution(r, { days: 1.5 })).toThrow(/whole number/);
  });
});

describe("collarOnHolding", () => {
  const r = logReturns(parseYahooCsv(csv).prices);
  const h = holdingDistribution(r, { days: 2, step: 0.1 });

  it("prices the floor as E[(F - V)+] and finds the cap with E[(V - C)+] equal to it", () => {
    const F = Math.exp(-0.25);
    const c = collarOnHolding(h, { floor: F });
    // Floor pays below e^-0.25: outcomes e^-0.3 (0.16) and e^-0.4 (0.04).
    const put = 0.16 * (F - Math.exp(-0.3)) + 0.04 * (F - Math.exp(-0.4));
    expect(Math.abs(c.put - put)).toBeLessThan(1e-12);
    expect(c.zeroCostCap).not.toBeNull();
    const C = c.zeroCostCap as number;
    let call = 0;
    for (let k = 0; k < h.values.length; k++) call += (h.probs[k] as number) * Math.max(0, (h.values[k] as number) - C);
    expect(Math.abs(call - put)).toBeLessThan(1e-12);
    // Expected-payoff pricing is mean-neutral. The 5% quantile of V is e^-0.3 (P(V <= e^-0.3) = 0.2), below F, so
    // the collared 5% quantile is F.
    expect(Math.abs(c.meanAfter - c.meanBefore)).toBeLessThan(1e-12);
    expect(c.q05Before).toBeCloseTo(Math.exp(-0.3), 12);
    expect(c.q05After).toBeCloseTo(F, 12);
    expect(c.q05Gained).toBeGreaterThan(0);
  });

  it("needs no cap for a floor below every outcome", () => {
    const c = collarOnHolding(h, { floor: 0.1 });
    expect([c.put, c.zeroCostCap, c.meanGivenUp]).toEqual([0, null, 0]);
  });

  it("reports that no cap can pay for a floor above the best outcome", () => {
    expect(collarOnHolding(h, { floor: 10 }).zeroCostCap).toBeNull();
  });

  it("never lowers the 5% quantile", () => {
    for (const floor of [0.6, 0.7, 0.8, 0.9, 1] as const) {
      const c = collarOnHolding(h, { floor });
      expect(c.q05After).toBeGreaterThanOrEqual(c.q05Before);
    }
  });
});

